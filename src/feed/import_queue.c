/*
 * import_queue.c - the bounded SPSC queue of prepared objects (see
 * import_queue.h).
 *
 * Lock-free on both fast paths: the producer owns `pushed`, the consumer
 * `popped` (both only grow), and each reads the other's with acquire
 * loads. A side that must wait parks (core/park.h); the other wakes it
 * once per batch, not per object: a futex call per object, or a mutex
 * both threads take for every object, cost more than storing it.
 */
#include "feed/import_queue.h"

#include <stdbool.h>
#include <stdlib.h>

#include "core/park.h"

#define BIG_SLOT (1u << 20)

struct ent_import_queue {
	struct ent_prepared *slots;
	size_t *slot_bytes; /* what each full slot added to bytes */
	size_t n;
	size_t budget; /* the producer waits while bytes exceed it */
	/* written by the producer */
	_Alignas(64) size_t pushed;
	bool closed; /* atomic */
	/* written by the consumer */
	_Alignas(64) size_t popped;
	bool aborted; /* atomic */
	/* written by both */
	_Alignas(64) size_t bytes; /* heap held by the full slots (ent_prepared_footprint) */
	struct ent_park producer;  /* the producer sleeps here while full */
	struct ent_park consumer;  /* the consumer sleeps here while empty */
};

#define LOAD(x)     __atomic_load_n(&(x), __ATOMIC_ACQUIRE)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELEASE)

struct ent_import_queue *ent_import_queue_new(size_t slots, size_t budget)
{
	struct ent_import_queue *q = calloc(1, sizeof(*q));

	if (q == NULL)
		return NULL;
	q->slots = calloc(slots, sizeof(*q->slots));
	q->slot_bytes = calloc(slots, sizeof(*q->slot_bytes));
	if (q->slots == NULL || q->slot_bytes == NULL) {
		free(q->slots);
		free(q->slot_bytes);
		free(q);
		return NULL;
	}
	q->budget = budget;
	for (size_t i = 0; i < slots; i++)
		ent_prepared_init(&q->slots[i]);
	q->n = slots;
	ent_park_init(&q->producer);
	ent_park_init(&q->consumer);
	return q;
}

void ent_import_queue_free(struct ent_import_queue *q)
{
	if (q == NULL)
		return;
	for (size_t i = 0; i < q->n; i++)
		ent_prepared_free(&q->slots[i]);
	free(q->slots);
	free(q->slot_bytes);
	ent_park_destroy(&q->producer);
	ent_park_destroy(&q->consumer);
	free(q);
}

/* Producer: a slot is free, and the memory in flight leaves room (hostile
 * inputs can make every object huge), or the consumer gave up. */
static bool producer_may_go(struct ent_import_queue *q)
{
	size_t count = q->pushed - LOAD(q->popped);

	return LOAD(q->aborted) || (count < q->n && (count == 0 || LOAD(q->bytes) <= q->budget));
}

struct ent_prepared *ent_import_queue_slot(struct ent_import_queue *q)
{
	struct ent_prepared *p;

	if (!producer_may_go(q)) {
		ent_park_begin(&q->producer);
		while (!producer_may_go(q))
			ent_park_wait(&q->producer);
		ent_park_end(&q->producer);
	}
	if (LOAD(q->aborted))
		return NULL;
	p = &q->slots[q->pushed % q->n];
	ent_prepared_clear(p);
	return p;
}

void ent_import_queue_push(struct ent_import_queue *q)
{
	size_t idx = q->pushed % q->n, b = ent_prepared_footprint(&q->slots[idx]);
	size_t bytes = __atomic_add_fetch(&q->bytes, b, __ATOMIC_ACQ_REL), count;

	q->slot_bytes[idx] = b;
	STORE(q->pushed, q->pushed + 1);
	/* wake a sleeping consumer once a batch is ready, not for every object;
	 * the queue fills up to n or the budget, so a batch always comes */
	if (ent_park_waiting(&q->consumer)) {
		count = q->pushed - LOAD(q->popped);
		if (count >= q->n / 4 || bytes > q->budget / 2)
			ent_park_wake(&q->consumer);
	}
}

void ent_import_queue_close(struct ent_import_queue *q)
{
	STORE(q->closed, true);
	ent_park_wake(&q->consumer);
}

static bool consumer_may_go(struct ent_import_queue *q)
{
	return LOAD(q->pushed) != q->popped || LOAD(q->closed);
}

size_t ent_import_queue_pop(struct ent_import_queue *q, struct ent_prepared **out, size_t max)
{
	size_t n = 0, count;

	if (!consumer_may_go(q)) {
		ent_park_begin(&q->consumer);
		while (!consumer_may_go(q))
			ent_park_wait(&q->consumer);
		ent_park_end(&q->consumer);
	}
	count = LOAD(q->pushed) - q->popped; /* after `closed`: every push is seen */
	while (n < max && n < count) {
		out[n] = &q->slots[(q->popped + n) % q->n];
		n++;
	}
	return n;
}

void ent_import_queue_release(struct ent_import_queue *q, size_t n)
{
	size_t freed = 0, bytes, count;

	/* a slot that held a big object gives its memory back now, not when
	 * it is next used: otherwise every slot could keep a big object's */
	for (size_t i = 0; i < n; i++) {
		size_t idx = (q->popped + i) % q->n;

		if (q->slot_bytes[idx] > BIG_SLOT)
			ent_prepared_clear(&q->slots[idx]);
		freed += q->slot_bytes[idx];
	}
	bytes = __atomic_sub_fetch(&q->bytes, freed, __ATOMIC_ACQ_REL);
	STORE(q->popped, q->popped + n);
	/* wake a sleeping producer once there is room for a batch, in slots
	 * and in memory (both: a wake-up for every 64 objects cost more than
	 * the queue saves); the consumer drains the queue, so the room comes */
	if (ent_park_waiting(&q->producer)) {
		count = LOAD(q->pushed) - q->popped;
		if (count == 0 || (count <= q->n / 2 && bytes <= q->budget / 2))
			ent_park_wake(&q->producer);
	}
}

void ent_import_queue_abort(struct ent_import_queue *q)
{
	STORE(q->aborted, true);
	ent_park_wake(&q->producer);
}
