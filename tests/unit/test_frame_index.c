/*
 * test_frame_index.c - the shared walk through a capture (sensor/
 * frame_index.c) with real threads, as the scan uses it: every worker
 * takes its own frames from the blocks, then reads on its own from where
 * the index stops. Whatever the timing, every frame must reach exactly one
 * worker, the one of its shard, with its own frame number.
 *
 * The captures are built here: tens of thousands of small IPv4/UDP frames
 * (the ring of 64 blocks is reused many times), with a record above the
 * snapshot length in the middle (the index stops there). The timing is
 * pushed: patience 0 makes a worker read a block again whenever another
 * is still reading it, and one worker pauses now and then, so that the
 * others run into a full ring and wait for it.
 */
#include <pcap/pcap.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "net/pcap_file.h"
#include "sensor/frame_index.h"
#include "testutil.h"

#define FRAMES   40000
#define ODD_AT   36000 /* the oversized record: after 70 blocks, more than the ring */
#define SNAPLEN  256
#define MAX_WORK 4

static void put(FILE *fp, const void *p, size_t n)
{
	assert_int_equal(fwrite(p, 1, n, fp), n);
}

static void put32(FILE *fp, uint32_t v)
{
	put(fp, &v, 4);
}

/* A classic pcap (host byte order) of FRAMES Ethernet/IPv4/UDP frames with
 * addresses and ports varying by frame; frame ODD_AT is longer than the
 * snapshot length. Returns its path. */
static char *write_capture(void)
{
	char *dir = tu_mkdtemp(), *path;
	FILE *fp;

	assert_non_null(dir);
	path = malloc(strlen(dir) + 16);
	assert_non_null(path);
	sprintf(path, "%s/walk.pcap", dir);
	free(dir);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	put32(fp, 0xa1b2c3d4u);
	put(fp, "\x02\x00\x04\x00", 4); /* version 2.4, host order */
	put32(fp, 0);
	put32(fp, 0);
	put32(fp, SNAPLEN);
	put32(fp, DLT_EN10MB);
	for (uint32_t i = 1; i <= FRAMES; i++) {
		uint8_t f[400] = {0};
		uint32_t len = i == ODD_AT ? 400 : 60 + i % 40;

		f[12] = 0x08; /* IPv4 */
		f[14] = 0x45;
		f[16] = (uint8_t)((len - 14) >> 8);
		f[17] = (uint8_t)(len - 14);
		f[22] = 64;
		f[23] = 17; /* UDP */
		f[26] = 10;
		f[27] = (uint8_t)(i >> 8);
		f[28] = (uint8_t)i;
		f[29] = 1;
		f[30] = 192;
		f[31] = 0;
		f[32] = 2;
		f[33] = (uint8_t)(i % 7);
		f[34] = (uint8_t)(i >> 3);
		f[35] = (uint8_t)(i * 13);
		f[36] = 0;
		f[37] = 53;
		put32(fp, 1700000000 + i / 100);
		put32(fp, i % 100 * 10000);
		put32(fp, len);
		put32(fp, len);
		put(fp, f, len);
	}
	assert_int_equal(fclose(fp), 0);
	return path;
}

struct run {
	const char *path;
	struct ent_frame_indexes *indexes;
	unsigned n;
	uint8_t *seen; /* per frame number: how many workers took it */
	uint8_t *by;   /* per frame number: the worker that took it */
	bool bad_shard, bad_data;
	uint64_t read_again; /* blocks a worker read again itself */
};

struct worker {
	struct run *r;
	unsigned me;
	pthread_t tid;
};

static void take(struct worker *w, const struct ent_pcap_rec *rec, int linktype)
{
	struct run *r = w->r;

	if (rec->frame == 0 || rec->frame > FRAMES) {
		r->bad_data = true;
		return;
	}
	if (ent_frame_shard(linktype, rec->data, rec->caplen, r->n) != w->me)
		r->bad_shard = true;
	/* the frame's own bytes: its number is in the source address */
	if (rec->caplen < 30 || rec->data[27] != (uint8_t)(rec->frame >> 8) ||
	    rec->data[28] != (uint8_t)rec->frame)
		r->bad_data = true;
	__atomic_fetch_add(&r->seen[rec->frame], 1, __ATOMIC_RELAXED);
	r->by[rec->frame] = (uint8_t)w->me;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->r;
	char err[ENT_ERRBUF_SIZE];
	struct ent_pcap_file *f = ent_pcap_file_open(r->path, err);
	struct ent_frame_index *ix = ent_frame_index_join(r->indexes, 0);
	struct ent_frame_block own;
	struct ent_pcap_rec rec;
	uint64_t off, frames;
	bool last = false;
	int linktype;

	if (f == NULL) {
		r->bad_data = true;
		ent_frame_index_leave(r->indexes, ix, w->me);
		return NULL;
	}
	linktype = ent_pcap_file_linktype(f);
	off = ent_pcap_file_offset(f);
	frames = ent_pcap_file_frames(f);
	/* no index (the others were through with it before this worker came):
	 * the whole file on its own */
	for (uint64_t b = 0; ix != NULL && !last; b++) {
		const struct ent_frame_block *k =
		    ent_frame_index_block(ix, b, f, off, frames, &own);

		if (k == &own)
			__atomic_fetch_add(&r->read_again, 1, __ATOMIC_RELAXED);
		for (uint32_t i = 0; i < k->n; i++)
			if ((k->e[i] & 0xff) == w->me) {
				if (ent_pcap_file_record_at(f, k->e[i] >> 8, k->first_frame + i + 1,
				                            &rec))
					take(w, &rec, linktype);
				else
					r->bad_data = true;
			}
		off = k->end_off;
		frames = k->end_frames;
		last = k->last;
		ent_frame_index_pass(ix, w->me, b);
		/* the last worker dawdles: the others fill the ring and wait */
		if (w->me == r->n - 1 && b % 16 == 0) {
			struct timespec ts = {0, 200000};

			nanosleep(&ts, NULL);
		}
	}
	ent_frame_index_leave(r->indexes, ix, w->me);
	ent_pcap_file_seek(f, off, frames);
	while (ent_pcap_file_next(f, &rec, err) == 1)
		if (ent_frame_shard(linktype, rec.data, rec.caplen, r->n) == w->me)
			take(w, &rec, linktype);
	ent_pcap_file_close(f);
	return NULL;
}

static void run_workers(const char *path, unsigned n, unsigned patience, bool late)
{
	struct run r = {.path = path, .n = n};
	struct worker ws[MAX_WORK];
	unsigned counts[MAX_WORK] = {0};

	r.indexes = ent_frame_indexes_new(n);
	r.seen = calloc(FRAMES + 1, 1);
	r.by = calloc(FRAMES + 1, 1);
	assert_non_null(r.indexes);
	assert_non_null(r.seen);
	assert_non_null(r.by);
	if (patience != UINT32_MAX)
		ent_frame_indexes_patience(r.indexes, patience);
	for (unsigned i = 0; i < n; i++) {
		ws[i] = (struct worker){.r = &r, .me = i};
		if (late && i == 1) {
			/* one worker starts after the others are well into the file */
			struct timespec ts = {0, 20000000};

			nanosleep(&ts, NULL);
		}
		assert_int_equal(pthread_create(&ws[i].tid, NULL, work, &ws[i]), 0);
	}
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(pthread_join(ws[i].tid, NULL), 0);
	assert_false(r.bad_data);
	assert_false(r.bad_shard);
	for (uint32_t fr = 1; fr <= FRAMES; fr++) {
		if (r.seen[fr] != 1)
			fail_msg("%u workers, patience %u: frame %u taken %u times", n, patience,
			         fr, r.seen[fr]);
		counts[r.by[fr]]++;
	}
	for (unsigned i = 0; i < n; i++)
		assert_true(counts[i] > FRAMES / n / 2); /* the shards spread the frames */
	if (patience == 0 && n > 1)
		print_message("  %u workers: %llu blocks read again\n", n,
		              (unsigned long long)r.read_again);
	ent_frame_indexes_free(r.indexes);
	free(r.seen);
	free(r.by);
}

static void test_every_frame_once(void **state)
{
	char *path = write_capture();

	(void)state;
	for (unsigned n = 1; n <= MAX_WORK; n++) {
		run_workers(path, n, UINT32_MAX, false); /* the scan's patience */
		run_workers(path, n, 0, false);          /* read again at once */
	}
	run_workers(path, 2, UINT32_MAX, true);
	run_workers(path, 3, 0, true);
	free(path);
}

/* A worker that cannot take part leaves at once: the others go through
 * the whole ring without it, and its frames are its own to read. */
static void test_worker_that_leaves(void **state)
{
	char *path = write_capture(), err[ENT_ERRBUF_SIZE];
	struct ent_frame_indexes *r = ent_frame_indexes_new(2);
	struct ent_frame_index *ix0, *ix1;
	struct ent_pcap_file *f;
	struct ent_frame_block own;
	uint64_t off, frames, b = 0, seen = 0;
	bool last = false;

	(void)state;
	assert_non_null(r);
	ix0 = ent_frame_index_join(r, 0);
	ix1 = ent_frame_index_join(r, 0);
	assert_ptr_equal(ix0, ix1);
	ent_frame_index_leave(r, ix1, 1);
	f = ent_pcap_file_open(path, err);
	assert_non_null(f);
	off = ent_pcap_file_offset(f);
	frames = ent_pcap_file_frames(f);
	for (; !last; b++) {
		const struct ent_frame_block *k =
		    ent_frame_index_block(ix0, b, f, off, frames, &own);

		assert_ptr_not_equal(k, &own); /* nobody else reads */
		seen += k->n;
		off = k->end_off;
		frames = k->end_frames;
		last = k->last;
		ent_frame_index_pass(ix0, 0, b);
	}
	/* the blocks stop before the oversized record */
	assert_int_equal(seen, ODD_AT - 1);
	assert_int_equal(frames, ODD_AT - 1);
	assert_true(b > 64);
	ent_frame_index_leave(r, ix0, 0);
	/* a file whose index could not be made, or that all have left, has
	 * none: each worker reads it on its own */
	assert_null(ent_frame_index_join(r, 0));
	ent_pcap_file_close(f);
	ent_frame_indexes_free(r);
	assert_null(ent_frame_indexes_new(0));
	assert_null(ent_frame_indexes_new(ENT_FRAME_INDEX_MAX_WORKERS + 1));
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_frame_once),
	    cmocka_unit_test(test_worker_that_leaves),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
