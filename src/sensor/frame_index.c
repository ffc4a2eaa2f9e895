/*
 * frame_index.c - the frames of a mapped capture file dealt out by
 * whichever worker is ahead (see frame_index.h).
 *
 * Blocks are read in order: the record after block c - 1 is only known
 * once c - 1 has been read, so block c is claimed (ix->claimed from c to
 * c + 1) by a worker that knows where it starts: the worker whose next
 * block it is, or any worker once c - 1 is in the ring. Any worker reads
 * the next block while it is fewer than AHEAD blocks in front of the block
 * the worker wants: the worker ahead keeps the reading a little in front
 * of both, and the one behind finds its blocks ready; neither waits while
 * the other reads, and the records read are still in the cache (AHEAD
 * blocks are about a megabyte) when the other worker takes its frames from
 * them.
 *
 * A worker whose block is still being read after a short spin does not
 * wait longer: it reads the block again into a block of its own (the
 * boundaries are the same for every reader: ENT_FRAME_BLOCK plain records,
 * or fewer before a record that is not). The reader may have lost its core
 * (the VM, a kernel thread); waiting would make the other worker lose its
 * core too.
 *
 * A ring slot is used again once every worker has passed the block in it:
 * each worker counts the blocks it is done with (ix->passed), and one that
 * leaves the file, or never takes part, counts as past them all.
 */
#include "sensor/frame_index.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "net/pipeline.h"

#define RING               64   /* blocks in flight: how far the worker ahead may run ahead */
#define AHEAD              4    /* blocks read ahead of the worker ahead */
#define PATIENCE           4096 /* spins on a block being read before reading it again */
#define SPINS_BEFORE_YIELD 4096 /* waiting for a ring slot: then let others run */

/* A worker's count of the blocks it is done with, on a cache line of its
 * own: it is written once per block and read by the readers of blocks. */
struct passed {
	_Alignas(64) uint64_t blocks; /* atomic; UINT64_MAX once it left */
};

struct ent_frame_index {
	struct ent_frame_block ring[RING];
	struct passed passed[ENT_FRAME_INDEX_MAX_WORKERS];
	_Alignas(64) uint64_t claimed; /* atomic: the next block to be read */
	unsigned workers;              /* of the scan */
	unsigned patience;             /* see ent_frame_indexes_patience */
	size_t file;                   /* which file of the scan */
	unsigned refs;                 /* workers that joined and did not leave (under the lock) */
	struct ent_frame_index *next;
};

struct ent_frame_indexes {
	pthread_mutex_t lock;
	unsigned workers;
	unsigned patience; /* spins on a block being read before reading it again */
	size_t files_seen; /* files whose index was made or could not be */
	struct ent_frame_index *live;
};

unsigned ent_frame_shard(int linktype, const uint8_t *data, uint32_t caplen, unsigned n)
{
	return (unsigned)(((uint64_t)ent_pipeline_shard_hash(linktype, data, caplen) * n) >> 32);
}

static void cpu_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static void relax(unsigned *spins)
{
	if (++*spins < SPINS_BEFORE_YIELD) {
		cpu_pause();
	} else {
		sched_yield(); /* more workers than cores: let the one awaited run */
	}
}

struct ent_frame_indexes *ent_frame_indexes_new(unsigned workers)
{
	struct ent_frame_indexes *r;

	if (workers < 1 || workers > ENT_FRAME_INDEX_MAX_WORKERS)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return NULL;
	pthread_mutex_init(&r->lock, NULL);
	r->workers = workers;
	r->patience = PATIENCE;
	return r;
}

void ent_frame_indexes_patience(struct ent_frame_indexes *r, unsigned spins)
{
	r->patience = spins;
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
			ix->patience = r->patience;
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

void ent_frame_index_leave(struct ent_frame_indexes *r, struct ent_frame_index *ix, unsigned me)
{
	struct ent_frame_index **pp;

	if (ix == NULL)
		return;
	/* past every block: nobody waits for this worker any more */
	__atomic_store_n(&ix->passed[me].blocks, UINT64_MAX, __ATOMIC_RELEASE);
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

/* Reads the block that starts at (off, frames) into k, without publishing
 * it: up to ENT_FRAME_BLOCK records, fewer before one that is not plain. */
static void walk(struct ent_pcap_file *f, unsigned workers, uint64_t off, uint64_t frames,
                 struct ent_frame_block *k)
{
	int linktype = ent_pcap_file_linktype(f);
	struct ent_pcap_rec rec;
	uint32_t n = 0;
	uint64_t bytes = 0;
	bool last = false;

	ent_pcap_file_prepare(f, off);
	ent_pcap_file_seek(f, off, frames);
	while (n < ENT_FRAME_BLOCK) {
		uint64_t at = ent_pcap_file_offset(f);

		if (!ent_pcap_file_next_mapped(f, &rec)) {
			last = true;
			break;
		}
		k->e[n++] = at << 8 | ent_frame_shard(linktype, rec.data, rec.caplen, workers);
		bytes += rec.caplen;
	}
	k->first_frame = frames;
	k->n = n;
	k->bytes = bytes;
	k->end_off = ent_pcap_file_offset(f);
	k->end_frames = ent_pcap_file_frames(f);
	__atomic_store_n(&k->last, last, __ATOMIC_RELAXED);
}

/* Claims block c and reads it into the ring, if nobody has claimed it yet
 * and its start is known: (off, frames) when the caller knows it (c is the
 * caller's next block), else the end of block c - 1, which must be in the
 * ring and not the last. False if there is nothing to read now. */
static bool read_next(struct ent_frame_index *ix, uint64_t c, struct ent_pcap_file *f, bool known,
                      uint64_t off, uint64_t frames)
{
	const struct ent_frame_block *prev = &ix->ring[(c + RING - 1) % RING];
	struct ent_frame_block *k = &ix->ring[c % RING];
	unsigned spins = 0;

	if (!known && (c == 0 || __atomic_load_n(&prev->seq, __ATOMIC_ACQUIRE) != c ||
	               __atomic_load_n(&prev->last, __ATOMIC_RELAXED)))
		return false;
	if (!__atomic_compare_exchange_n(&ix->claimed, &c, c + 1, false, __ATOMIC_ACQUIRE,
	                                 __ATOMIC_RELAXED))
		return false;
	/* block c - 1 stays in its slot until block c - 1 + RING is claimed,
	 * which cannot be before c is here */
	if (!known) {
		off = prev->end_off;
		frames = prev->end_frames;
	}
	/* the slot's block before, c - RING, passed by every worker */
	if (c >= RING)
		for (unsigned w = 0; w < ix->workers; w++)
			while (__atomic_load_n(&ix->passed[w].blocks, __ATOMIC_ACQUIRE) <
			       c - RING + 1)
				relax(&spins);
	walk(f, ix->workers, off, frames, k);
	__atomic_store_n(&k->seq, c + 1, __ATOMIC_RELEASE);
	return true;
}

const struct ent_frame_block *ent_frame_index_block(struct ent_frame_index *ix, uint64_t b,
                                                    struct ent_pcap_file *f, uint64_t off,
                                                    uint64_t frames, struct ent_frame_block *own)
{
	struct ent_frame_block *k = &ix->ring[b % RING];
	unsigned spins = 0;

	for (;;) {
		uint64_t c = __atomic_load_n(&ix->claimed, __ATOMIC_RELAXED);

		/* this worker's next block, or reading AHEAD blocks in front of
		 * the worker ahead, so that the other rarely waits */
		if (c < b + AHEAD && read_next(ix, c, f, c == b, off, frames))
			continue;
		if (__atomic_load_n(&k->seq, __ATOMIC_ACQUIRE) == b + 1)
			return k;
		if (c > b && ++spins > ix->patience) {
			/* claimed, but its reader does not get on: read it again */
			walk(f, ix->workers, off, frames, own);
			return own;
		}
		cpu_pause();
	}
}

void ent_frame_index_pass(struct ent_frame_index *ix, unsigned me, uint64_t b)
{
	__atomic_store_n(&ix->passed[me].blocks, b + 1, __ATOMIC_RELEASE);
}
