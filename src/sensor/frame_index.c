/*
 * frame_index.c - the frames of a mapped capture file dealt out by
 * whichever worker is ahead (see frame_index.h).
 *
 * Blocks are read in order: the record after block c - 1 is only known
 * once c - 1 has been read, so block c is claimed (ix->claimed from c to
 * c + 1) only once c - 1 is in the ring. Any worker reads the next block
 * while it is fewer than AHEAD blocks in front of the block the worker
 * wants: the worker ahead keeps the reading a little in front of both, and
 * the one behind finds its blocks ready; neither waits while the other
 * reads, and the records read are still in the cache (AHEAD blocks are
 * about a megabyte) when the other worker takes its frames from them. A
 * worker that finds its block still being read spins, then yields. The
 * reader of block c waits for its ring slot to be released by every worker
 * taking part; those are behind it, and every block before c is there for
 * them.
 */
#include "sensor/frame_index.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "net/pipeline.h"

#define RING  64 /* blocks in flight: how far the worker ahead may run ahead */
#define AHEAD 4  /* blocks read ahead of the worker ahead */

struct ent_frame_index {
	struct ent_frame_block ring[RING];
	uint64_t claimed; /* atomic: the next block to be read */
	unsigned workers; /* of the scan */
	unsigned absent;  /* atomic: workers not taking part */
	size_t file;      /* which file of the scan */
	unsigned refs;    /* workers that joined and did not leave (under the lock) */
	struct ent_frame_index *next;
};

struct ent_frame_indexes {
	pthread_mutex_t lock;
	unsigned workers;
	size_t files_seen; /* files whose index was made or could not be */
	struct ent_frame_index *live;
};

unsigned ent_frame_shard(int linktype, const uint8_t *data, uint32_t caplen, unsigned n)
{
	return (unsigned)(((uint64_t)ent_pipeline_shard_hash(linktype, data, caplen) * n) >> 32);
}

static void relax(unsigned *spins)
{
	if (++*spins < 4096) {
#if defined(__x86_64__) || defined(__i386__)
		__builtin_ia32_pause();
#endif
	} else {
		sched_yield(); /* more workers than cores: let the one awaited run */
	}
}

struct ent_frame_indexes *ent_frame_indexes_new(unsigned workers)
{
	struct ent_frame_indexes *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	pthread_mutex_init(&r->lock, NULL);
	r->workers = workers;
	return r;
}

void ent_frame_indexes_free(struct ent_frame_indexes *r)
{
	if (r == NULL)
		return;
	while (r->live != NULL) {
		struct ent_frame_index *ix = r->live;

		r->live = ix->next;
		free(ix);
	}
	pthread_mutex_destroy(&r->lock);
	free(r);
}

struct ent_frame_index *ent_frame_index_join(struct ent_frame_indexes *r, size_t file)
{
	struct ent_frame_index *ix;

	pthread_mutex_lock(&r->lock);
	for (ix = r->live; ix != NULL; ix = ix->next)
		if (ix->file == file)
			break;
	/* not live and already seen: it could not be made, and every worker
	 * reads this file on its own (each worker joins each file once, and an
	 * index lives until all have left it) */
	if (ix == NULL && file >= r->files_seen) {
		r->files_seen = file + 1;
		/* aligned_alloc wants a size that is a multiple of the alignment */
		ix = aligned_alloc(64, (sizeof(*ix) + 63) & ~(size_t)63);
		if (ix != NULL) {
			memset(ix, 0, sizeof(*ix));
			ix->workers = r->workers;
			ix->file = file;
			ix->next = r->live;
			r->live = ix;
		}
	}
	if (ix != NULL)
		ix->refs++;
	pthread_mutex_unlock(&r->lock);
	return ix;
}

void ent_frame_index_leave(struct ent_frame_indexes *r, struct ent_frame_index *ix)
{
	struct ent_frame_index **pp;

	if (ix == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	/* a worker that joins after the others have left finds no index and
	 * reads on its own: nobody waits for it then */
	if (--ix->refs == 0) {
		for (pp = &r->live; *pp != ix; pp = &(*pp)->next)
			;
		*pp = ix->next;
		free(ix);
	}
	pthread_mutex_unlock(&r->lock);
}

void ent_frame_index_absent(struct ent_frame_index *ix)
{
	__atomic_fetch_add(&ix->absent, 1, __ATOMIC_RELEASE);
}

/* Reads block c into its slot, from (off, frames), and publishes it. */
static void read_block(struct ent_frame_index *ix, uint64_t c, struct ent_pcap_file *f,
                       uint64_t off, uint64_t frames)
{
	struct ent_frame_block *k = &ix->ring[c % RING];
	int linktype = ent_pcap_file_linktype(f);
	struct ent_pcap_rec rec;
	unsigned spins = 0;
	uint32_t n = 0;
	uint64_t bytes = 0;

	/* the slot's previous block, c - RING, released by all taking part */
	if (c >= RING)
		while (__atomic_load_n(&k->done, __ATOMIC_ACQUIRE) +
		           __atomic_load_n(&ix->absent, __ATOMIC_ACQUIRE) <
		       ix->workers)
			relax(&spins);
	ent_pcap_file_seek(f, off, frames);
	k->first_frame = frames;
	k->last = false;
	while (n < ENT_FRAME_BLOCK) {
		uint64_t at = ent_pcap_file_offset(f);

		if (!ent_pcap_file_next_mapped(f, &rec)) {
			k->last = true;
			break;
		}
		k->e[n++] = at << 8 | ent_frame_shard(linktype, rec.data, rec.caplen, ix->workers);
		bytes += rec.caplen;
	}
	k->n = n;
	k->bytes = bytes;
	k->end_off = ent_pcap_file_offset(f);
	k->end_frames = ent_pcap_file_frames(f);
	__atomic_store_n(&k->done, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&k->seq, c + 1, __ATOMIC_RELEASE);
}

/* Reads the next block nobody has claimed, c, if block c - 1 is here and
 * was not the last; false if there is none to read now. */
static bool read_next(struct ent_frame_index *ix, uint64_t c, struct ent_pcap_file *f, uint64_t off,
                      uint64_t frames)
{
	const struct ent_frame_block *prev = &ix->ring[(c + RING - 1) % RING];

	if (c > 0 && (__atomic_load_n(&prev->seq, __ATOMIC_ACQUIRE) != c || prev->last))
		return false;
	if (!__atomic_compare_exchange_n(&ix->claimed, &c, c + 1, false, __ATOMIC_ACQUIRE,
	                                 __ATOMIC_RELAXED))
		return false;
	/* block c - 1 stays in its slot until block c - 1 + RING is claimed,
	 * which cannot be before c is here */
	if (c > 0) {
		off = prev->end_off;
		frames = prev->end_frames;
	}
	read_block(ix, c, f, off, frames);
	return true;
}

const struct ent_frame_block *ent_frame_index_block(struct ent_frame_index *ix, uint64_t b,
                                                    struct ent_pcap_file *f, uint64_t off,
                                                    uint64_t frames)
{
	struct ent_frame_block *k = &ix->ring[b % RING];
	unsigned spins = 0;

	for (;;) {
		uint64_t c = __atomic_load_n(&ix->claimed, __ATOMIC_RELAXED);

		/* keep the reading AHEAD blocks in front of the worker ahead,
		 * so that the other rarely waits for a block being read */
		if (c < b + AHEAD && read_next(ix, c, f, off, frames))
			continue;
		if (__atomic_load_n(&k->seq, __ATOMIC_ACQUIRE) == b + 1)
			return k;
		relax(&spins);
	}
}

void ent_frame_index_release(struct ent_frame_index *ix, uint64_t b)
{
	__atomic_fetch_add(&ix->ring[b % RING].done, 1, __ATOMIC_RELEASE);
}
