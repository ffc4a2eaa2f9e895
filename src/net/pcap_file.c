/*
 * pcap_file.c - capture file reader over libpcap (see pcap_file.h).
 *
 * libpcap does the format work (pcap/pcapng, byte order, nanosecond
 * precision converted to microseconds); this file adds the frame numbering
 * and the byte offset of the damage, which libpcap's message lacks. We open
 * the FILE ourselves so that ftell tells where the last good record ended.
 *
 * Fast path: a classic pcap file (version 2.4, 16-byte record headers) is
 * also mapped into memory, and every plain record is read straight from the
 * mapping: no copy, no system call, and the data stays valid until the file
 * is closed (rec.stable). A record is plain when its header is complete, its
 * data lies inside the mapping, caplen is at most the snapshot length
 * libpcap uses, the time fields have their top bit clear, and the file needs
 * no pseudo-header byte swapping. Any other record (a damaged one, one that
 * libpcap would cut to the snapshot length, the end of the mapping) is read
 * by libpcap itself from the same offset: fseek, pcap_next_ex, ftell. So
 * records, errors and their messages are libpcap's in every case. Bytes
 * appended after the mapping was made are read by libpcap too. A file cut
 * shorter while it is mapped would end the process with SIGBUS, as for any
 * reader that maps its input: captures are written by appending.
 */
#include "net/pcap_file.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

struct ent_pcap_file {
	pcap_t *pcap;    /* owns fp */
	FILE *fp;        /* borrowed from pcap for ftell */
	char *path;      /* owned copy for messages */
	uint64_t frames; /* records delivered */
	uint64_t offset; /* byte offset after the last good record */
	bool classic;    /* classic pcap: offsets are computed, not asked (ftell is a syscall) */
	/* the fast path (classic pcap only); map == NULL: libpcap reads everything */
	const uint8_t *map;
	size_t map_len;
	bool swapped; /* the file's byte order is not ours */
	bool nano;    /* nanosecond time stamps, delivered in microseconds */
	uint32_t snapshot;
	uint64_t frontier; /* the mapping is prefetched up to here */
	struct shared_map *sm;
	int slot;            /* this reader's position in sm->pos, or -1 */
	uint64_t next_check; /* offset at which to publish the position again */
	uint64_t populated;  /* the page tables are filled up to here, as last seen */
};

/* How far ahead of the record being read the mapping is prefetched. The
 * records are read in order but touched sparsely (a header, then whatever
 * the packet path reads), which the hardware prefetcher does not follow: a
 * record header was a cache miss. */
#define PREFETCH_AHEAD 8192
/* Pages that every reader of a mapping has left DROP_LAG behind are
 * unmapped (MADV_DONTNEED): a mapped page counts in the process's resident
 * size, and a scan of a 10 GB file need not look like 10 GB of memory. The
 * bytes stay where they are: the mapping is private and never written, so a
 * later read (a batch still in flight, a reader without a position slot)
 * only faults the page in again from the page cache. */
#define DROP_LAG (32u << 20)
/* The page tables of the mapping are filled POPULATE_CHUNK at a time, at
 * least a chunk ahead of the reader furthest ahead (MADV_POPULATE_READ):
 * a software prefetch into a page not yet mapped is dropped, so without
 * this the reader in front missed on every record header after each
 * fault-around window, and took a fault per 64 KiB. */
#define POPULATE_CHUNK (2u << 20)

/* True if the file starts with a classic pcap magic number (either byte
 * order, micro- or nanosecond); leaves the stream at offset 0. */
static bool is_classic_pcap(FILE *fp)
{
	uint8_t m[4];
	bool classic = false;

	if (fread(m, 1, 4, fp) == 4) {
		uint32_t be =
		    ((uint32_t)m[0] << 24) | ((uint32_t)m[1] << 16) | ((uint32_t)m[2] << 8) | m[3];
		uint32_t le =
		    ((uint32_t)m[3] << 24) | ((uint32_t)m[2] << 16) | ((uint32_t)m[1] << 8) | m[0];

		classic = be == 0xa1b2c3d4u || le == 0xa1b2c3d4u || be == 0xa1b23c4du ||
		          le == 0xa1b23c4du;
	}
	rewind(fp);
	return classic;
}

static uint32_t rd32(const uint8_t *p, bool swapped)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swapped ? __builtin_bswap32(v) : v;
}

static uint16_t rd16(const uint8_t *p, bool swapped)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return swapped ? __builtin_bswap16(v) : v;
}

/* Link types whose records libpcap hands over unchanged in a file of the
 * other byte order (no pseudo-header to swap). */
static bool plain_linktype(int dlt)
{
	switch (dlt) {
	case DLT_NULL:
	case DLT_EN10MB:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_LINUX_SLL:
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2:
#endif
		return true;
	default:
		return false;
	}
}

/*
 * Mappings are shared: the scan's workers all read the same files, and one
 * mapping means the page tables are filled (page faults) and torn down
 * once, not once per worker. A mapping is found again by device, inode,
 * size and modification time while some handle still holds it.
 */
#define MAX_READERS 64

struct shared_map {
	struct shared_map *next;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	void *map;
	unsigned refs;
	uint64_t slots;            /* readers holding a position (bit i: pos[i]), atomic */
	uint64_t pos[MAX_READERS]; /* each reader's offset, published every DROP_LAG; atomic */
	uint64_t dropped;          /* unmapped below here (a multiple of DROP_LAG); atomic */
	uint64_t populated;        /* page tables filled up to here (see populate); atomic */
};

static pthread_mutex_t maps_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shared_map *maps;

/* The shared mapping of the file, with a position slot for the reader
 * (*slot, -1 if all are taken); NULL if it cannot be mapped. */
static struct shared_map *map_get(int fd, const struct stat *st, int *slot)
{
	struct shared_map *m;

	*slot = -1;
	pthread_mutex_lock(&maps_lock);
	for (m = maps; m != NULL; m = m->next)
		if (m->dev == st->st_dev && m->ino == st->st_ino && m->size == st->st_size &&
		    m->mtime.tv_sec == st->st_mtim.tv_sec &&
		    m->mtime.tv_nsec == st->st_mtim.tv_nsec)
			break;
	if (m != NULL) {
		m->refs++;
	} else if ((m = calloc(1, sizeof(*m))) != NULL) {
		void *p = mmap(NULL, (size_t)st->st_size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (p == MAP_FAILED) {
			free(m);
			m = NULL;
		} else {
			(void)madvise(p, (size_t)st->st_size, MADV_SEQUENTIAL);
			m->next = maps;
			m->dev = st->st_dev;
			m->ino = st->st_ino;
			m->size = st->st_size;
			m->mtime = st->st_mtim;
			m->map = p;
			m->refs = 1;
			maps = m;
		}
	}
	if (m != NULL) {
		uint64_t used = __atomic_load_n(&m->slots, __ATOMIC_RELAXED);

		for (int i = 0; i < MAX_READERS && *slot < 0; i++)
			if (!(used & (1ull << i)))
				*slot = i;
		if (*slot >= 0) {
			__atomic_store_n(&m->pos[*slot], 0, __ATOMIC_RELAXED);
			__atomic_fetch_or(&m->slots, 1ull << *slot, __ATOMIC_RELEASE);
		}
	}
	pthread_mutex_unlock(&maps_lock);
	return m;
}

static void map_put(struct shared_map *sm, int slot)
{
	struct shared_map **pp, *m;

	pthread_mutex_lock(&maps_lock);
	for (pp = &maps; (m = *pp) != NULL; pp = &m->next)
		if (m == sm)
			break;
	if (m != NULL && slot >= 0)
		__atomic_fetch_and(&m->slots, ~(1ull << slot), __ATOMIC_RELEASE);
	if (m != NULL && --m->refs == 0) {
		*pp = m->next;
		munmap(m->map, (size_t)m->size);
		free(m);
	}
	pthread_mutex_unlock(&maps_lock);
}

/* Publishes f's position; unmaps what every reader has left DROP_LAG behind. */
static void map_advance(struct ent_pcap_file *f)
{
	struct shared_map *m = f->sm;
	uint64_t low = f->offset, used, dropped, end;

	f->next_check = f->offset + DROP_LAG;
	if (f->slot < 0)
		return;
	__atomic_store_n(&m->pos[f->slot], f->offset, __ATOMIC_RELAXED);
	used = __atomic_load_n(&m->slots, __ATOMIC_ACQUIRE);
	for (int i = 0; i < MAX_READERS; i++)
		if (used & (1ull << i)) {
			uint64_t p = __atomic_load_n(&m->pos[i], __ATOMIC_RELAXED);

			if (p < low)
				low = p;
		}
	if (low < DROP_LAG)
		return;
	end = (low - DROP_LAG) & ~(uint64_t)(DROP_LAG - 1);
	dropped = __atomic_load_n(&m->dropped, __ATOMIC_RELAXED);
	if (end > dropped && __atomic_compare_exchange_n(&m->dropped, &dropped, end, false,
	                                                 __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		(void)madvise((char *)m->map + dropped, end - dropped, MADV_DONTNEED);
}

/* Fills the page tables of the chunks ahead of f's position that no reader
 * has filled yet (each chunk by one reader). */
static void populate(struct ent_pcap_file *f)
{
#ifdef MADV_POPULATE_READ
	struct shared_map *m = f->sm;
	uint64_t want = f->offset + 2 * (uint64_t)POPULATE_CHUNK, p;

	p = __atomic_load_n(&m->populated, __ATOMIC_RELAXED);
	while (p < want && p < f->map_len) {
		uint64_t next = p + POPULATE_CHUNK;

		if (__atomic_compare_exchange_n(&m->populated, &p, next, false, __ATOMIC_RELAXED,
		                                __ATOMIC_RELAXED)) {
			/* an old kernel says EINVAL: the reads fault the pages in */
			(void)madvise((char *)m->map + p,
			              (size_t)(next < f->map_len ? next - p : f->map_len - p),
			              MADV_POPULATE_READ);
			p = next;
		}
	}
	f->populated = p;
#else
	f->populated = UINT64_MAX;
#endif
}

/* Maps a classic pcap file for the fast path; on any doubt leaves f->map
 * NULL and libpcap reads everything. */
static void map_classic(struct ent_pcap_file *f)
{
	const uint8_t *hdr;
	struct stat st;
	uint32_t magic;
	struct shared_map *sm;
	int slot;

	if (fstat(fileno(f->fp), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 24 ||
	    (uint64_t)st.st_size > SIZE_MAX)
		return;
	sm = map_get(fileno(f->fp), &st, &slot);
	if (sm == NULL)
		return;
	hdr = sm->map;
	memcpy(&magic, hdr, 4);
	f->swapped = magic != 0xa1b2c3d4u && magic != 0xa1b23c4du;
	f->nano = rd32(hdr, f->swapped) == 0xa1b23c4du;
	if ((rd32(hdr, f->swapped) != 0xa1b2c3d4u && !f->nano) || rd16(hdr + 4, f->swapped) != 2 ||
	    rd16(hdr + 6, f->swapped) != 4 || pcap_snapshot(f->pcap) <= 0 ||
	    (f->swapped && !plain_linktype(pcap_datalink(f->pcap)))) {
		map_put(sm, slot);
		return;
	}
	f->sm = sm;
	f->slot = slot;
	f->map = sm->map;
	f->map_len = (size_t)st.st_size;
	f->snapshot = (uint32_t)pcap_snapshot(f->pcap);
}

struct ent_pcap_file *ent_pcap_file_open(const char *path, char *errbuf)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	struct ent_pcap_file *f = NULL;
	FILE *fp = NULL;

	f = calloc(1, sizeof(*f));
	if (f == NULL || (f->path = strdup(path)) == NULL) {
		ent_errf(errbuf, ENT_ENOMEM, "%s: out of memory", path);
		goto out_fail;
	}
	fp = fopen(path, "rb");
	if (fp == NULL) {
		ent_errf(errbuf, ENT_EIO, "%s: %s", path, strerror(errno));
		goto out_fail;
	}
	f->classic = is_classic_pcap(fp);
	f->pcap = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, perr);
	if (f->pcap == NULL) {
		ent_errf(errbuf, ENT_EIO, "%s: %s", path, perr[0] ? perr : "not a capture file");
		goto out_fail;
	}
	f->fp = fp;
	fp = NULL;      /* pcap_close closes it */
	f->offset = 24; /* the classic file header; pcapng offsets come from ftell */
	if (f->classic)
		map_classic(f);
	return f;

out_fail:
	if (fp != NULL)
		fclose(fp);
	if (f != NULL)
		free(f->path);
	free(f);
	return NULL;
}

int ent_pcap_file_linktype(const struct ent_pcap_file *f)
{
	return pcap_datalink(f->pcap);
}

/* The mapping at f->offset: what every reader has left behind dropped,
 * the page tables ahead filled (both only when due). */
static void make_ready(struct ent_pcap_file *f)
{
	if (f->offset >= f->next_check)
		map_advance(f);
	if (f->offset + POPULATE_CHUNK > f->populated)
		populate(f);
}

/* The plain record whose header is at offset into *out (all but its frame
 * number); false if there is none: the header or the data would pass the
 * end of the mapping, caplen is above the snapshot length, or a time field
 * has its top bit set (libpcap reads those). */
static bool plain_at(const struct ent_pcap_file *f, uint64_t offset, struct ent_pcap_rec *out)
{
	const uint8_t *h;
	uint32_t sec, usec, caplen;

	if (offset > f->map_len || f->map_len - offset < 16)
		return false;
	h = f->map + offset;
	sec = rd32(h, f->swapped);
	usec = rd32(h + 4, f->swapped);
	caplen = rd32(h + 8, f->swapped);
	if (caplen > f->snapshot || caplen > f->map_len - offset - 16 ||
	    ((sec | usec) & 0x80000000u))
		return false;
	out->ts.tv_sec = (time_t)sec;
	out->ts.tv_usec = (suseconds_t)(f->nano ? usec / 1000 : usec);
	out->caplen = caplen;
	out->wirelen = rd32(h + 12, f->swapped);
	out->data = h + 16;
	out->stable = true;
	return true;
}

/* The fast path: 1 with the record at f->offset in *out, 0 if libpcap must
 * read it. */
static int next_mapped(struct ent_pcap_file *f, struct ent_pcap_rec *out)
{
	if (f->offset > f->map_len || f->map_len - f->offset < 16)
		return 0;
	make_ready(f);
	if (f->frontier < f->offset)
		f->frontier = f->offset & ~(uint64_t)63;
	while (f->frontier < f->offset + PREFETCH_AHEAD && f->frontier < f->map_len) {
		__builtin_prefetch(f->map + f->frontier);
		f->frontier += 64;
	}
	if (!plain_at(f, f->offset, out))
		return 0;
	out->frame = ++f->frames;
	f->offset += 16 + (uint64_t)out->caplen;
	return 1;
}

int ent_pcap_file_next(struct ent_pcap_file *f, struct ent_pcap_rec *out, char *errbuf)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	long off;
	int rc;

	if (f->map != NULL) {
		if (next_mapped(f, out))
			return 1;
		/* libpcap reads this one, from where the mapping stopped */
		if (fseeko(f->fp, (off_t)f->offset, SEEK_SET) != 0)
			return ent_errf(errbuf, ENT_EIO, "%s: %s (record %llu at byte offset %llu)",
			                f->path, strerror(errno), (unsigned long long)f->frames + 1,
			                (unsigned long long)f->offset);
	}
	rc = pcap_next_ex(f->pcap, &h, &data);
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc != 1)
		return ent_errf(errbuf, ENT_EIO, "%s: %s (record %llu at byte offset %llu)",
		                f->path, pcap_geterr(f->pcap), (unsigned long long)f->frames + 1,
		                (unsigned long long)f->offset);
	f->frames++;
	off = ftell(f->fp);
	if (off > 0)
		f->offset = (uint64_t)off;
	out->frame = f->frames;
	out->ts = h->ts;
	out->caplen = h->caplen;
	out->wirelen = h->len;
	out->data = data;
	out->stable = false;
	return 1;
}

uint64_t ent_pcap_file_offset(const struct ent_pcap_file *f)
{
	return f->offset;
}

bool ent_pcap_file_mapped(const struct ent_pcap_file *f)
{
	return f->map != NULL;
}

uint64_t ent_pcap_file_frames(const struct ent_pcap_file *f)
{
	return f->frames;
}

void ent_pcap_file_seek(struct ent_pcap_file *f, uint64_t offset, uint64_t frames)
{
	f->offset = offset;
	f->frames = frames;
}

int ent_pcap_file_next_mapped(struct ent_pcap_file *f, struct ent_pcap_rec *out)
{
	return f->map != NULL && next_mapped(f, out);
}

void ent_pcap_file_prepare(struct ent_pcap_file *f, uint64_t offset)
{
	uint64_t at = f->offset;

	if (f->map == NULL || offset > f->map_len)
		return;
	f->offset = offset;
	make_ready(f);
	f->offset = at;
}

void ent_pcap_file_prefetch(const struct ent_pcap_file *f, uint64_t offset)
{
	if (f->map != NULL && offset < f->map_len) {
		__builtin_prefetch(f->map + offset);
		if (offset + 64 < f->map_len)
			__builtin_prefetch(f->map + offset + 64);
	}
}

int ent_pcap_file_record_at(struct ent_pcap_file *f, uint64_t offset, uint64_t frame,
                            struct ent_pcap_rec *out)
{
	if (f->map == NULL || frame == 0 || !plain_at(f, offset, out))
		return 0;
	out->frame = frame;
	f->offset = offset + 16 + (uint64_t)out->caplen;
	f->frames = frame;
	if (f->offset >= f->next_check)
		map_advance(f);
	return 1;
}

void ent_pcap_file_close(struct ent_pcap_file *f)
{
	if (f == NULL)
		return;
	if (f->map != NULL)
		map_put(f->sm, f->slot);
	if (f->pcap != NULL)
		pcap_close(f->pcap);
	free(f->path);
	free(f);
}
