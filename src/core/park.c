/* park.c - sleeping sides of lock-free SPSC queues (see park.h). */
#include "core/park.h"

void ent_park_init(struct ent_park *p)
{
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->waiting = 0;
}

void ent_park_destroy(struct ent_park *p)
{
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
}

void ent_park_begin(struct ent_park *p)
{
	pthread_mutex_lock(&p->lock);
	__atomic_store_n(&p->waiting, 1, __ATOMIC_RELAXED);
	/* the announcement is seen before the caller looks at the queue again */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void ent_park_wait(struct ent_park *p)
{
	pthread_cond_wait(&p->cond, &p->lock);
}

void ent_park_end(struct ent_park *p)
{
	__atomic_store_n(&p->waiting, 0, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&p->lock);
}

bool ent_park_waiting(struct ent_park *p)
{
	/* the caller's change is seen before the announcement is read */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&p->waiting, __ATOMIC_RELAXED) != 0;
}

void ent_park_wake(struct ent_park *p)
{
	if (!ent_park_waiting(p))
		return;
	/* the waiter holds the lock from its announcement until it sleeps:
	 * taking it here means the broadcast cannot come too early */
	pthread_mutex_lock(&p->lock);
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
}
