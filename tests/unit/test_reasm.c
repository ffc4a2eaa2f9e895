/*
 * test_reasm.c - TCP stream reassembly: in order, retransmission, overlap
 * (first wins), reordering, gaps (segment limit, window, snap length),
 * stopping, the shared byte budget; and a differential test against a naive
 * reference (segments written into a flat array, first write wins) on
 * randomized segmentations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net/counters.h"
#include "net/tcp_reasm.h"

struct sink {
	uint8_t out[1 << 20];
	size_t n;
	size_t gaps, gap_bytes;
	size_t stop_after; /* stop the stream once this many bytes arrived (0 = never) */
	struct ent_reasm_dir *r;
	const struct ent_reasm_limits *lim;
};

static uint64_t ctr[ENT_NC_COUNT];

static void on_data(void *ctx, const uint8_t *p, size_t len)
{
	struct sink *s = ctx;

	if (p == NULL) {
		s->gaps++;
		s->gap_bytes += len;
		return;
	}
	assert_true(s->n + len <= sizeof(s->out));
	memcpy(s->out + s->n, p, len);
	s->n += len;
	if (s->stop_after && s->n >= s->stop_after)
		ent_reasm_stop(s->r, s->lim);
}

static struct sink *snk;

static int setup(void **state)
{
	(void)state;
	memset(ctr, 0, sizeof(ctr));
	snk = calloc(1, sizeof(*snk));
	return snk == NULL;
}

static int teardown(void **state)
{
	(void)state;
	free(snk);
	return 0;
}

static void seg(struct ent_reasm_dir *r, const struct ent_reasm_limits *lim, uint32_t seq,
                const char *s)
{
	ent_reasm_data(r, lim, seq, (const uint8_t *)s, strlen(s), strlen(s), on_data, snk, ctr);
}

static void test_in_order_and_retransmission(void **state)
{
	struct ent_reasm_dir r;
	struct ent_reasm_limits lim = {0};

	(void)state;
	ent_reasm_init(&r);
	ent_reasm_syn(&r, 999);
	seg(&r, &lim, 1000, "hello ");
	seg(&r, &lim, 1006, "world");
	seg(&r, &lim, 1000, "hello ");    /* retransmission */
	seg(&r, &lim, 1003, "LO WORLD!"); /* overlaps delivered bytes, adds "!" */
	assert_int_equal(snk->n, 12);
	assert_memory_equal(snk->out, "hello world!", 12);
	assert_int_equal(ctr[ENT_NC_TCP_RETRANS], 1);
	assert_int_equal(ctr[ENT_NC_TCP_OVERLAP], 1);
	ent_reasm_free(&r, &lim);
}

static void test_reorder_and_overlap_first_wins(void **state)
{
	struct ent_reasm_dir r;
	size_t used = 0;
	struct ent_reasm_limits lim = {.used = &used};

	(void)state;
	ent_reasm_init(&r);
	/* sequence numbers wrap around 2^32 here */
	ent_reasm_syn(&r, 0xfffffffc);
	seg(&r, &lim, 0xfffffffd + 8, "IJKL");
	seg(&r, &lim, 0xfffffffd + 4, "efghXXXX"); /* [4,12): IJKL held first wins */
	assert_int_equal(snk->n, 0);
	assert_true(used > 0);
	seg(&r, &lim, 0xfffffffd, "abcd");
	assert_int_equal(snk->n, 12);
	assert_memory_equal(snk->out, "abcdefghIJKL", 12);
	assert_int_equal(used, 0);
	assert_int_equal(r.nsegs, 0);
	assert_true(ctr[ENT_NC_TCP_OOO] >= 2);
}

static void test_gap_on_segment_limit(void **state)
{
	struct ent_reasm_dir r;
	struct ent_reasm_limits lim = {.max_segs = 4};

	(void)state;
	ent_reasm_init(&r);
	ent_reasm_syn(&r, 0);
	/* byte 1 never arrives; 2,3,4,5 held; 6 forces a skip */
	for (uint32_t i = 2; i <= 6; i++) {
		char c[2] = {(char)('a' + i), 0};

		seg(&r, &lim, i, c);
	}
	assert_int_equal(snk->gaps, 1);
	assert_int_equal(snk->gap_bytes, 1);
	assert_int_equal(snk->n, 5);
	assert_memory_equal(snk->out, "cdefg", 5);
	assert_int_equal(ctr[ENT_NC_TCP_GAP], 1);
	ent_reasm_free(&r, &lim);
}

static void test_gap_beyond_window(void **state)
{
	struct ent_reasm_dir r;
	struct ent_reasm_limits lim = {.window = 1000};

	(void)state;
	ent_reasm_init(&r);
	ent_reasm_syn(&r, 0);
	seg(&r, &lim, 1, "ab");
	seg(&r, &lim, 500, "held");
	seg(&r, &lim, 5000, "far"); /* beyond the window: skip to it */
	assert_int_equal(snk->gaps, 2);
	assert_int_equal(snk->n, 2 + 4 + 3);
	assert_memory_equal(snk->out, "abheldfar", 9);
	assert_int_equal(r.next_seq, 5003);
	ent_reasm_free(&r, &lim);
}

static void test_snaplen_gap_and_budget(void **state)
{
	struct ent_reasm_dir r;
	size_t used = 0;
	struct ent_reasm_limits lim = {.used = &used, .max_used = 200};
	uint8_t big[300];

	(void)state;
	memset(big, 'z', sizeof(big));
	ent_reasm_init(&r);
	ent_reasm_syn(&r, 0);
	/* 10 bytes captured of 50 on the wire */
	ent_reasm_data(&r, &lim, 1, big, 10, 50, on_data, snk, ctr);
	assert_int_equal(snk->n, 10);
	assert_int_equal(snk->gap_bytes, 40);
	assert_int_equal(r.next_seq, 51);
	/* a segment larger than the budget is never held: skip to it */
	ent_reasm_data(&r, &lim, 100, big, sizeof(big), sizeof(big), on_data, snk, ctr);
	assert_true(used <= 200);
	assert_int_equal(snk->n, 310);
	assert_true(ctr[ENT_NC_TCP_MEMCAP] >= 1);
	ent_reasm_free(&r, &lim);
	assert_int_equal(used, 0);
}

static void test_stop(void **state)
{
	struct ent_reasm_dir r;
	size_t used = 0;
	struct ent_reasm_limits lim = {.used = &used};

	(void)state;
	ent_reasm_init(&r);
	snk->r = &r;
	snk->lim = &lim;
	snk->stop_after = 4;
	ent_reasm_syn(&r, 0);
	seg(&r, &lim, 9, "later");
	seg(&r, &lim, 5, "5678");
	seg(&r, &lim, 1, "1234"); /* delivers 1234, the consumer stops us */
	assert_true(r.done);
	assert_int_equal(snk->n, 4);
	assert_int_equal(used, 0);
	seg(&r, &lim, 14, "more"); /* ignored */
	assert_int_equal(snk->n, 4);
}

/* Differential: random segmentation of a random stream, with duplicates,
 * overlaps and reordering, against a flat array where the first write of
 * each byte wins. Without limits hit, the delivered stream must equal the
 * reference's contiguous prefix. */
static void test_differential(void **state)
{
	enum { LEN = 4000, SEGS = 60 };
	static uint8_t truth[LEN], ref[LEN];
	static bool written[LEN];

	(void)state;
	srand(12345);
	for (int round = 0; round < 300; round++) {
		struct ent_reasm_dir r;
		size_t used = 0;
		struct ent_reasm_limits lim = {.used = &used, .max_segs = 1000, .window = 1 << 20};
		uint32_t isn = (uint32_t)rand() * 2654435761u;
		size_t prefix = 0;

		for (int i = 0; i < LEN; i++)
			truth[i] = (uint8_t)rand();
		memset(written, 0, sizeof(written));
		snk->n = 0;
		snk->gaps = 0;
		ent_reasm_init(&r);
		ent_reasm_syn(&r, isn - 1);
		for (int s = 0; s < SEGS; s++) {
			size_t off = (size_t)rand() % LEN, len = 1 + (size_t)rand() % 300;
			uint8_t data[300];

			if (off + len > LEN)
				len = LEN - off;
			memcpy(data, truth + off, len);
			/* a later copy of a byte may differ: first wins must keep the first */
			if (rand() % 3 == 0)
				data[rand() % len] ^= 0x5a;
			for (size_t i = 0; i < len; i++) {
				if (!written[off + i]) {
					written[off + i] = true;
					ref[off + i] = data[i];
				}
			}
			ent_reasm_data(&r, &lim, isn + (uint32_t)off, data, len, len, on_data, snk,
			               ctr);
		}
		while (prefix < LEN && written[prefix])
			prefix++;
		assert_int_equal(snk->gaps, 0);
		assert_int_equal(snk->n, prefix);
		assert_memory_equal(snk->out, ref, prefix);
		ent_reasm_free(&r, &lim);
		assert_int_equal(used, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_in_order_and_retransmission, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reorder_and_overlap_first_wins, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gap_on_segment_limit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_gap_beyond_window, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_snaplen_gap_and_budget, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stop, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_differential, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
