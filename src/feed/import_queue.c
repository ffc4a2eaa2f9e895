/* import_queue.c - the bounded SPSC queue of prepared objects (see import_queue.h). */
#include "feed/import_queue.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#define BIG_SLOT (1u << 20)

struct ent_import_queue {
	pthread_mutex_t lock;
	pthread_cond_t not_full;
	pthread_cond_t not_empty;
	struct ent_prepared *slots;
	size_t n;
	size_t head;  /* next slot the consumer pops */
	size_t count; /* full slots */
	bool closed;
	bool aborted;
	size_t bytes;        /* heap held by the full slots (ent_prepared_footprint) */
	size_t budget;       /* the producer waits while bytes exceed it */
	size_t *slot_bytes;  /* what each full slot added to bytes */
	bool producer_waits; /* signal only a side that sleeps: no futex per item */
	bool consumer_waits;
};

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
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->not_full, NULL);
	pthread_cond_init(&q->not_empty, NULL);
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
	pthread_mutex_destroy(&q->lock);
	pthread_cond_destroy(&q->not_full);
	pthread_cond_destroy(&q->not_empty);
	free(q);
}

struct ent_prepared *ent_import_queue_slot(struct ent_import_queue *q)
{
	struct ent_prepared *p = NULL;

	pthread_mutex_lock(&q->lock);
	/* full, or holding more memory than the budget (hostile inputs can
	 * make every object huge): wait for the consumer, waking it first */
	while ((q->count == q->n || (q->count > 0 && q->bytes > q->budget)) && !q->aborted) {
		q->producer_waits = true;
		if (q->consumer_waits)
			pthread_cond_signal(&q->not_empty);
		pthread_cond_wait(&q->not_full, &q->lock);
		q->producer_waits = false;
	}
	if (!q->aborted)
		p = &q->slots[(q->head + q->count) % q->n];
	pthread_mutex_unlock(&q->lock);
	if (p != NULL)
		ent_prepared_clear(p);
	return p;
}

void ent_import_queue_push(struct ent_import_queue *q)
{
	size_t idx, b;

	pthread_mutex_lock(&q->lock);
	idx = (q->head + q->count) % q->n;
	b = ent_prepared_footprint(&q->slots[idx]);
	q->slot_bytes[idx] = b;
	q->bytes += b;
	q->count++;
	/* wake the consumer once a batch is ready, not for every object */
	if (q->consumer_waits && (q->count >= q->n / 4 || q->bytes > q->budget / 2))
		pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
}

void ent_import_queue_close(struct ent_import_queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->closed = true;
	pthread_cond_signal(&q->not_empty);
	pthread_mutex_unlock(&q->lock);
}

size_t ent_import_queue_pop(struct ent_import_queue *q, struct ent_prepared **out, size_t max)
{
	size_t n = 0;

	pthread_mutex_lock(&q->lock);
	while (q->count == 0 && !q->closed) {
		q->consumer_waits = true;
		pthread_cond_wait(&q->not_empty, &q->lock);
		q->consumer_waits = false;
	}
	while (n < max && n < q->count) {
		out[n] = &q->slots[(q->head + n) % q->n];
		n++;
	}
	pthread_mutex_unlock(&q->lock);
	return n;
}

void ent_import_queue_release(struct ent_import_queue *q, size_t n)
{
	/* a slot that held a big object gives its memory back now, not when
	 * it is next used: otherwise every slot could keep a big object's */
	for (size_t i = 0; i < n; i++) {
		size_t idx = (q->head + i) % q->n;

		if (q->slot_bytes[idx] > BIG_SLOT)
			ent_prepared_clear(&q->slots[idx]);
	}
	pthread_mutex_lock(&q->lock);
	for (size_t i = 0; i < n; i++)
		q->bytes -= q->slot_bytes[(q->head + i) % q->n];
	q->head = (q->head + n) % q->n;
	q->count -= n;
	if (q->producer_waits && (q->count <= q->n / 2 || q->bytes <= q->budget / 2))
		pthread_cond_signal(&q->not_full);
	pthread_mutex_unlock(&q->lock);
}

void ent_import_queue_abort(struct ent_import_queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->aborted = true;
	pthread_cond_signal(&q->not_full);
	pthread_mutex_unlock(&q->lock);
}
