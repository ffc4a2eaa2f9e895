/*
 * park.h - where one side of a lock-free single-producer single-consumer
 * queue sleeps until the other side has changed something.
 *
 * The queues' fast paths are atomic loads and stores only; a side that
 * cannot go on parks here:
 *
 *     if (!ready(q)) {
 *         ent_park_begin(&q->park);
 *         while (!ready(q))
 *             ent_park_wait(&q->park);
 *         ent_park_end(&q->park);
 *     }
 *
 * and the other side, after publishing its change with an atomic store,
 * wakes it: ent_park_wake(), or, to wake once per batch rather than once
 * per item, `if (ent_park_waiting(p) && enough) ent_park_wake(p)`. A side
 * that skips a wake-up that way must be sure to make one later.
 *
 * No wake-up is lost: the waiter announces itself before its last look at
 * the queue, the waker publishes before it looks at the announcement, and
 * a full fence sits between each side's store and load.
 */
#ifndef ENT_CORE_PARK_H
#define ENT_CORE_PARK_H

#include <pthread.h>
#include <stdbool.h>

struct ent_park {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int waiting; /* atomic */
};

void ent_park_init(struct ent_park *p);
void ent_park_destroy(struct ent_park *p);

/* Waiter: announce, wait (as often as the condition is not met), end. */
void ent_park_begin(struct ent_park *p);
void ent_park_wait(struct ent_park *p);
void ent_park_end(struct ent_park *p);

/* Waker, after publishing: whether a waiter has announced itself. */
bool ent_park_waiting(struct ent_park *p);
/* Waker, after publishing: wakes the waiter, if there is one. */
void ent_park_wake(struct ent_park *p);

#endif
