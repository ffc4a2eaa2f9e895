/*
 * test_pcap_file.c - the capture reader against libpcap itself.
 *
 * The reader maps classic pcap files and reads plain records from the
 * mapping, and hands everything else to libpcap. Whatever path a record
 * takes, the records (time, lengths, bytes) and the error at the end must be
 * exactly what a bare libpcap pass over the same file gives. Files are built
 * here for each case the fast path must recognize or leave to libpcap; the
 * corpus group (ENT_TEST_HAS_CORPUS) repeats the comparison on every capture
 * of the shared corpus, pcapng included.
 */
#include <dirent.h>
#include <pcap/pcap.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/pcap_file.h"
#include "testutil.h"

/* Compares the reader with libpcap over path; returns the number of records
 * and sets *stable to the number the fast path delivered. */
static size_t compare_with_libpcap(const char *path, size_t *stable)
{
	char perr[PCAP_ERRBUF_SIZE], err[ENT_ERRBUF_SIZE];
	struct ent_pcap_file *f = ent_pcap_file_open(path, err);
	pcap_t *p =
	    pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, perr);
	size_t n = 0;

	*stable = 0;
	if (p == NULL) {
		assert_null(f);
		return 0;
	}
	assert_non_null(f);
	assert_int_equal(ent_pcap_file_linktype(f), pcap_datalink(p));
	for (;;) {
		struct ent_pcap_rec rec;
		struct pcap_pkthdr *h;
		const u_char *data;
		int ours = ent_pcap_file_next(f, &rec, err);
		int theirs = pcap_next_ex(p, &h, &data);

		if (theirs == PCAP_ERROR_BREAK) {
			assert_int_equal(ours, 0);
			break;
		}
		if (theirs != 1) {
			assert_true(ours < 0);
			if (strstr(err, pcap_geterr(p)) == NULL)
				fail_msg("%s: error \"%s\", libpcap says \"%s\"", path, err,
				         pcap_geterr(p));
			break;
		}
		assert_int_equal(ours, 1);
		n++;
		assert_int_equal(rec.frame, n);
		assert_int_equal(rec.ts.tv_sec, h->ts.tv_sec);
		assert_int_equal(rec.ts.tv_usec, h->ts.tv_usec);
		assert_int_equal(rec.caplen, h->caplen);
		assert_int_equal(rec.wirelen, h->len);
		assert_memory_equal(rec.data, data, h->caplen);
		*stable += rec.stable;
	}
	pcap_close(p);
	ent_pcap_file_close(f);
	return n;
}

/* ---- building classic pcap files ----------------------------------------- */

struct pf {
	FILE *fp;
	bool swap;
};

static void put32(struct pf *f, uint32_t v)
{
	uint8_t b[4];

	if (f->swap)
		v = __builtin_bswap32(v);
	memcpy(b, &v, 4);
	assert_int_equal(fwrite(b, 1, 4, f->fp), 4);
}

static void put16(struct pf *f, uint16_t v)
{
	uint8_t b[2];

	if (f->swap)
		v = __builtin_bswap16(v);
	memcpy(b, &v, 2);
	assert_int_equal(fwrite(b, 1, 2, f->fp), 2);
}

static struct pf pf_open(const char *path, bool swap, bool nano, uint32_t snaplen, uint32_t dlt)
{
	struct pf f = {fopen(path, "wb"), swap};

	assert_non_null(f.fp);
	put32(&f, nano ? 0xa1b23c4du : 0xa1b2c3d4u);
	put16(&f, 2);
	put16(&f, 4);
	put32(&f, 0);
	put32(&f, 0);
	put32(&f, snaplen);
	put32(&f, dlt);
	return f;
}

/* A record of caplen bytes (an Ethernet frame with IPv4/UDP when it fits,
 * else a pattern) that claims wirelen. */
static void pf_rec(struct pf *f, uint32_t sec, uint32_t frac, uint32_t caplen, uint32_t wirelen)
{
	static const uint8_t frame[] = {
	    0,    1,    2, 3,  4, 5, 6, 7, 8,  9,  10, 11, 0x08, 0x00, /* Ethernet */
	    0x45, 0,    0, 28, 0, 1, 0, 0, 64, 17, 0,  0,  10,   0,    0, 1, 10, 0, 0, 2, /* IPv4 */
	    0x30, 0x39, 0, 53, 0, 8, 0, 0,                                                /* UDP */
	};

	put32(f, sec);
	put32(f, frac);
	put32(f, caplen);
	put32(f, wirelen);
	for (uint32_t i = 0; i < caplen; i++)
		assert_int_not_equal(
		    fputc(i < sizeof(frame) ? frame[i] : (uint8_t)(i * 7 + sec), f->fp), EOF);
}

static char *tmp_path(const char *name)
{
	static char *dir;
	char *p;

	if (dir == NULL)
		dir = tu_mkdtemp();
	assert_non_null(dir);
	p = malloc(strlen(dir) + strlen(name) + 2);
	assert_non_null(p);
	sprintf(p, "%s/%s", dir, name);
	return p;
}

/* Little- and big-endian, micro- and nanosecond files of plain records: all
 * read from the mapping, all equal to libpcap's. */
static void test_plain_records(void **state)
{
	(void)state;
	for (int swap = 0; swap < 2; swap++)
		for (int nano = 0; nano < 2; nano++) {
			char *path = tmp_path("plain.pcap");
			struct pf f = pf_open(path, swap, nano, 65535, DLT_EN10MB);
			size_t stable;

			for (uint32_t i = 0; i < 50; i++)
				pf_rec(&f, 1700000000 + i, nano ? i * 12345678u : i * 12345u,
				       42 + i * 29, 60 + i * 29);
			fclose(f.fp);
			assert_int_equal(compare_with_libpcap(path, &stable), 50);
			assert_int_equal(stable, 50);
			free(path);
		}
}

/* A stable record's bytes stay where they are while later records are read. */
static void test_stable_data_outlives_next(void **state)
{
	char *path = tmp_path("stable.pcap"), err[ENT_ERRBUF_SIZE];
	struct pf f = pf_open(path, false, false, 65535, DLT_EN10MB);
	struct ent_pcap_rec first, rec;
	struct ent_pcap_file *pf;
	uint8_t copy[100];

	(void)state;
	for (uint32_t i = 0; i < 10; i++)
		pf_rec(&f, 1000 + i, 0, 100, 100);
	fclose(f.fp);
	pf = ent_pcap_file_open(path, err);
	assert_non_null(pf);
	assert_int_equal(ent_pcap_file_next(pf, &first, err), 1);
	assert_true(first.stable);
	memcpy(copy, first.data, sizeof(copy));
	while (ent_pcap_file_next(pf, &rec, err) == 1)
		;
	assert_memory_equal(first.data, copy, sizeof(copy));
	assert_int_equal(ent_pcap_file_offset(pf), 24 + 10 * (16 + 100));
	ent_pcap_file_close(pf);
	free(path);
}

/* Records the fast path must leave to libpcap: caplen above the snapshot
 * length (libpcap cuts it), time fields with the top bit set, then a damaged
 * end; the plain records around them still come from the mapping. */
static void test_unusual_records_go_to_libpcap(void **state)
{
	static const struct {
		const char *name;
		uint32_t trailer; /* 0: none; else what follows the good records */
	} ends[] = {{"clean", 0}, {"cut-data", 1}, {"cut-header", 2}, {"huge-caplen", 3}};

	(void)state;
	for (size_t e = 0; e < sizeof(ends) / sizeof(ends[0]); e++) {
		char *path = tmp_path("unusual.pcap");
		struct pf f = pf_open(path, e % 2 == 1, false, 128, DLT_EN10MB);
		size_t stable, n;

		pf_rec(&f, 1000, 1, 60, 60);
		pf_rec(&f, 1001, 2, 200, 1500); /* above the snapshot length of 128 */
		pf_rec(&f, 1002, 3, 60, 60);
		pf_rec(&f, 0x80000001u, 4, 60, 60); /* top bit of the seconds */
		pf_rec(&f, 1003, 0x80000000u, 60, 60);
		pf_rec(&f, 1004, 5, 128, 128);
		switch (ends[e].trailer) {
		case 1:
			put32(&f, 1005);
			put32(&f, 0);
			put32(&f, 100);
			put32(&f, 100);
			assert_int_equal(fwrite("short", 1, 5, f.fp), 5);
			break;
		case 2:
			assert_int_equal(fwrite("\x01\x02\x03\x04\x05", 1, 5, f.fp), 5);
			break;
		case 3:
			put32(&f, 1005);
			put32(&f, 0);
			put32(&f, 0x10000000u);
			put32(&f, 0x10000000u);
			break;
		}
		fclose(f.fp);
		n = compare_with_libpcap(path, &stable);
		assert_int_equal(n, 6);
		assert_int_equal(stable, 3); /* 1, 3 and 6 */
		free(path);
	}
}

/* The random access the scan's shared walk uses: one handle walks the plain
 * records with ent_pcap_file_next_mapped and notes their offsets, a second
 * handle reads them back by offset with ent_pcap_file_record_at; both give
 * what ent_pcap_file_next gives. The walk stops before the record above the
 * snapshot length without reading it, and after a seek there
 * ent_pcap_file_next goes on through libpcap. */
static void test_random_access(void **state)
{
	char *path = tmp_path("random.pcap"), err[ENT_ERRBUF_SIZE];
	struct pf f = pf_open(path, true, true, 128, DLT_EN10MB);
	struct ent_pcap_file *walk, *reader, *ref;
	struct ent_pcap_rec rec, want, got;
	uint64_t offs[8], at;
	size_t n = 0;

	(void)state;
	for (uint32_t i = 0; i < 5; i++)
		pf_rec(&f, 2000 + i, i * 1000u, 40 + i, 60 + i);
	pf_rec(&f, 2005, 0, 200, 1500); /* above the snapshot length: libpcap's */
	pf_rec(&f, 2006, 0, 50, 50);
	fclose(f.fp);
	walk = ent_pcap_file_open(path, err);
	reader = ent_pcap_file_open(path, err);
	ref = ent_pcap_file_open(path, err);
	assert_non_null(walk);
	assert_non_null(reader);
	assert_non_null(ref);
	assert_true(ent_pcap_file_mapped(walk));
	for (;;) {
		at = ent_pcap_file_offset(walk);
		if (!ent_pcap_file_next_mapped(walk, &rec))
			break;
		assert_true(n < 8);
		offs[n++] = at;
		assert_int_equal(ent_pcap_file_frames(walk), n);
	}
	assert_int_equal(n, 5);
	assert_int_equal(ent_pcap_file_offset(walk), at); /* nothing read */
	/* backwards, to show that the order does not matter */
	for (size_t i = n; i-- > 0;) {
		assert_int_equal(ent_pcap_file_record_at(reader, offs[i], i + 1, &got), 1);
		ent_pcap_file_seek(ref, offs[i], i);
		assert_int_equal(ent_pcap_file_next(ref, &want, err), 1);
		assert_int_equal(got.frame, want.frame);
		assert_int_equal(got.ts.tv_sec, want.ts.tv_sec);
		assert_int_equal(got.ts.tv_usec, want.ts.tv_usec);
		assert_int_equal(got.caplen, want.caplen);
		assert_int_equal(got.wirelen, want.wirelen);
		assert_ptr_equal(got.data, want.data);
		assert_true(got.stable);
		assert_int_equal(ent_pcap_file_offset(reader), offs[i] + 16 + got.caplen);
	}
	/* not a plain record there: a record boundary that is libpcap's, the
	 * middle of a record, the end of the file */
	assert_int_equal(ent_pcap_file_record_at(reader, at, 6, &got), 0);
	assert_int_equal(ent_pcap_file_record_at(reader, offs[2] + 3, 3, &got), 0);
	assert_int_equal(ent_pcap_file_record_at(reader, UINT64_MAX - 4, 9, &got), 0);
	/* the walk's handle goes on through libpcap from where it stopped */
	ent_pcap_file_seek(walk, at, n);
	assert_int_equal(ent_pcap_file_next(walk, &rec, err), 1);
	assert_int_equal(rec.frame, 6);
	assert_int_equal(rec.caplen, 128);
	assert_false(rec.stable);
	assert_int_equal(ent_pcap_file_next(walk, &rec, err), 1);
	assert_int_equal(rec.frame, 7);
	assert_int_equal(rec.caplen, 50);
	assert_int_equal(ent_pcap_file_next(walk, &rec, err), 0);
	ent_pcap_file_close(walk);
	ent_pcap_file_close(reader);
	ent_pcap_file_close(ref);
	free(path);
}

/* An empty capture (header only), and a file that is not a capture. */
static void test_empty_and_not_a_capture(void **state)
{
	char *path = tmp_path("empty.pcap"), err[ENT_ERRBUF_SIZE];
	struct pf f = pf_open(path, false, true, 262144, DLT_RAW);
	size_t stable;
	FILE *fp;

	(void)state;
	fclose(f.fp);
	assert_int_equal(compare_with_libpcap(path, &stable), 0);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	fputs("this is not a capture file at all\n", fp);
	fclose(fp);
	assert_null(ent_pcap_file_open(path, err));
	free(path);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every capture of the corpus, pcap and pcapng, damaged ones included. */
static void test_corpus_matches_libpcap(void **state)
{
	char dirpath[4096], *names[1024];
	size_t n = 0, records = 0, stable_total = 0;
	struct dirent *de;
	DIR *dir;

	(void)state;
	snprintf(dirpath, sizeof(dirpath), "%s", tu_corpus("pcap"));
	dir = opendir(dirpath);
	assert_non_null(dir);
	while ((de = readdir(dir)) != NULL && n < 1024)
		if (de->d_name[0] != '.')
			names[n++] = strdup(de->d_name);
	closedir(dir);
	qsort(names, n, sizeof(*names), cmp_name);
	for (size_t i = 0; i < n; i++) {
		char path[8192];
		size_t stable;

		snprintf(path, sizeof(path), "%s/%s", dirpath, names[i]);
		records += compare_with_libpcap(path, &stable);
		stable_total += stable;
		free(names[i]);
	}
	assert_true(n > 0);
	assert_true(stable_total > 0); /* the fast path did run */
	print_message("  %zu captures, %zu records, %zu from the mapping\n", n, records,
	              stable_total);
}

/* Two handles on one file share its mapping (the scan's workers do): each
 * reads every record, and closing one leaves the other's records intact. A
 * file rewritten in between is mapped afresh. */
static void test_shared_mapping(void **state)
{
	char *path = tmp_path("shared.pcap"), err[ENT_ERRBUF_SIZE];
	struct ent_pcap_rec ra, rb;
	struct ent_pcap_file *a, *b, *c;
	struct pf f = pf_open(path, false, false, 65535, DLT_EN10MB);
	const uint8_t *first;
	uint8_t copy[80];
	size_t n = 0;

	(void)state;
	for (uint32_t i = 0; i < 20; i++)
		pf_rec(&f, 2000 + i, i, 80, 80);
	fclose(f.fp);
	a = ent_pcap_file_open(path, err);
	b = ent_pcap_file_open(path, err);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(ent_pcap_file_next(a, &ra, err), 1);
	first = ra.data;
	memcpy(copy, first, sizeof(copy));
	while (ent_pcap_file_next(b, &rb, err) == 1) {
		n++;
		assert_true(rb.stable);
		assert_int_equal(rb.ts.tv_sec, 2000 + (long)n - 1);
	}
	assert_int_equal(n, 20);
	ent_pcap_file_close(b);
	assert_memory_equal(first, copy, sizeof(copy)); /* a's mapping is still there */
	/* rewritten with other records: a new handle sees them */
	f = pf_open(path, false, false, 65535, DLT_EN10MB);
	for (uint32_t i = 0; i < 5; i++)
		pf_rec(&f, 3000 + i, i, 60, 60);
	fclose(f.fp);
	c = ent_pcap_file_open(path, err);
	assert_non_null(c);
	assert_int_equal(ent_pcap_file_next(c, &rb, err), 1);
	assert_int_equal(rb.ts.tv_sec, 3000);
	assert_int_equal(rb.caplen, 60);
	ent_pcap_file_close(c);
	ent_pcap_file_close(a);
	free(path);
}

/* A file past the point where pages are unmapped behind the readers (64
 * MiB and more): two handles far apart each read every record right, and a
 * record kept from the start is still intact at the end. */
static void test_big_file_two_readers(void **state)
{
	enum { N = 1300, LEN = 65000 };
	char *path = tmp_path("big.pcap"), err[ENT_ERRBUF_SIZE];
	struct pf f = pf_open(path, false, false, 65535, DLT_EN10MB);
	static uint8_t data[LEN];
	struct ent_pcap_file *a, *b;
	struct ent_pcap_rec ra, rb;
	const uint8_t *first;

	(void)state;
	for (uint32_t i = 0; i < N; i++) {
		put32(&f, 5000 + i);
		put32(&f, 0);
		put32(&f, LEN);
		put32(&f, LEN);
		memset(data, (int)(i & 0xff), LEN);
		memcpy(data, &i, 4);
		memcpy(data + LEN - 4, &i, 4);
		assert_int_equal(fwrite(data, 1, LEN, f.fp), LEN);
	}
	fclose(f.fp);
	a = ent_pcap_file_open(path, err);
	b = ent_pcap_file_open(path, err);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(ent_pcap_file_next(a, &ra, err), 1);
	first = ra.data;
	for (uint32_t i = 1; i < N; i++) {
		uint32_t v;

		assert_int_equal(ent_pcap_file_next(a, &ra, err), 1);
		assert_true(ra.stable);
		memcpy(&v, ra.data + LEN - 4, 4);
		assert_int_equal(v, i);
		assert_int_equal(ra.data[LEN / 2], i & 0xff);
		/* b trails a by about 40 MB */
		if (i >= 600) {
			assert_int_equal(ent_pcap_file_next(b, &rb, err), 1);
			memcpy(&v, rb.data, 4);
			assert_int_equal(v, i - 600);
		}
	}
	assert_int_equal(ent_pcap_file_next(a, &ra, err), 0);
	for (uint32_t v, i = N - 600; i < N; i++) {
		assert_int_equal(ent_pcap_file_next(b, &rb, err), 1);
		memcpy(&v, rb.data + LEN - 4, 4);
		assert_int_equal(v, i);
	}
	assert_int_equal(ent_pcap_file_next(b, &rb, err), 0);
	assert_int_equal(first[0], 0);
	assert_int_equal(first[LEN / 2], 0);
	ent_pcap_file_close(a);
	ent_pcap_file_close(b);
	remove(path);
	free(path);
}

/* ENT_TEST_HAS_CORPUS */
int main(int argc, char **argv)
{
	const struct CMUnitTest unit[] = {
	    cmocka_unit_test(test_plain_records),
	    cmocka_unit_test(test_stable_data_outlives_next),
	    cmocka_unit_test(test_unusual_records_go_to_libpcap),
	    cmocka_unit_test(test_random_access),
	    cmocka_unit_test(test_empty_and_not_a_capture),
	    cmocka_unit_test(test_shared_mapping),
	    cmocka_unit_test(test_big_file_two_readers),
	};
	const struct CMUnitTest corpus[] = {
	    cmocka_unit_test(test_corpus_matches_libpcap),
	};

	return tu_run_groups(argc, argv, unit, sizeof(unit) / sizeof(unit[0]), corpus,
	                     sizeof(corpus) / sizeof(corpus[0]));
}
