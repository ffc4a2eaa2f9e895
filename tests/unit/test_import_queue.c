/*
 * test_import_queue.c - the import's lock-free SPSC queue: every object
 * arrives once and in order whatever the slot count and memory budget, a
 * budget smaller than one object still lets it through, and an abort stops
 * the producer. Two real threads; the loops are bounded by the object count.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "feed/import_queue.h"

struct run {
	struct ent_import_queue *q;
	size_t objects;
	size_t stop_after; /* the consumer aborts after this many (SIZE_MAX: never) */
	size_t produced;   /* objects the producer got a slot for */
	size_t consumed;
	bool in_order;
	size_t max_in_flight_bytes;
};

/* Object i's text: sizes vary from a few bytes to 64 KiB, so the budget
 * binds on some stretches and the slot count on others. */
static size_t object_size(size_t i)
{
	return (i % 97 == 0) ? 65536 : 16 + (i * 7919) % 900;
}

static void *producer(void *arg)
{
	struct run *r = arg;

	for (size_t i = 0; i < r->objects; i++) {
		struct ent_prepared *p = ent_import_queue_slot(r->q);
		size_t len = object_size(i);

		if (p == NULL)
			break; /* the consumer aborted */
		p->json_owned = malloc(len + 1);
		if (p->json_owned == NULL)
			break;
		memset(p->json_owned, 'x', len);
		p->json_owned[len] = '\0';
		p->json = p->json_owned;
		p->json_len = len;
		p->offset = i;
		p->has_offset = true;
		ent_import_queue_push(r->q);
		r->produced++;
	}
	ent_import_queue_close(r->q);
	return NULL;
}

static void consume(struct run *r)
{
	for (;;) {
		struct ent_prepared *batch[64];
		size_t n = ent_import_queue_pop(r->q, batch, 64), bytes = 0;

		if (n == 0)
			return;
		for (size_t i = 0; i < n; i++) {
			if (!batch[i]->has_offset || batch[i]->offset != r->consumed ||
			    batch[i]->json_len != object_size(r->consumed))
				r->in_order = false;
			bytes += batch[i]->json_len;
			r->consumed++;
		}
		if (bytes > r->max_in_flight_bytes)
			r->max_in_flight_bytes = bytes;
		ent_import_queue_release(r->q, n);
		if (r->consumed >= r->stop_after) {
			ent_import_queue_abort(r->q);
			return;
		}
	}
}

static void run_queue(size_t slots, size_t budget, size_t objects, size_t stop_after, struct run *r)
{
	pthread_t t;

	*r = (struct run){.objects = objects, .stop_after = stop_after, .in_order = true};
	r->q = ent_import_queue_new(slots, budget);
	assert_non_null(r->q);
	assert_int_equal(pthread_create(&t, NULL, producer, r), 0);
	consume(r);
	pthread_join(t, NULL);
	ent_import_queue_free(r->q);
}

static void test_every_object_once_in_order(void **state)
{
	static const size_t slots[] = {1, 2, 3, 7, 64, 4096};
	static const size_t budgets[] = {1, 100000, 128u << 20};
	struct run r;

	(void)state;
	for (size_t s = 0; s < sizeof(slots) / sizeof(slots[0]); s++)
		for (size_t b = 0; b < sizeof(budgets) / sizeof(budgets[0]); b++) {
			/* few slots or a tiny budget: a sleep every object or two */
			size_t objects = slots[s] < 64 || budgets[b] < 1000000 ? 2000 : 20000;

			run_queue(slots[s], budgets[b], objects, SIZE_MAX, &r);
			assert_true(r.in_order);
			assert_int_equal(r.produced, objects);
			assert_int_equal(r.consumed, objects);
		}
}

static void test_budget_bounds_memory_in_flight(void **state)
{
	struct run r;

	(void)state;
	/* 200 KB of budget: a popped batch holds at most about the budget plus
	 * one object (the one that crossed it), never the 4096 slots' worth */
	run_queue(4096, 200000, 20000, SIZE_MAX, &r);
	assert_true(r.in_order);
	assert_int_equal(r.consumed, 20000);
	assert_true(r.max_in_flight_bytes <= 200000 + 65536 + 100000);
}

static void test_abort_stops_the_producer(void **state)
{
	struct run r;

	(void)state;
	run_queue(16, 128u << 20, 100000, 1000, &r);
	assert_true(r.in_order);
	assert_true(r.consumed >= 1000);
	/* the producer stopped within a queue's length of the abort */
	assert_true(r.produced < 1000 + 64 + 16 + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_object_once_in_order),
	    cmocka_unit_test(test_budget_bounds_memory_in_flight),
	    cmocka_unit_test(test_abort_stops_the_producer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
