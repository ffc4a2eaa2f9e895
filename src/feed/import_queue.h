/*
 * import_queue.h - a bounded single-producer single-consumer queue of
 * prepared objects, between the import's preparing and storing threads.
 *
 * States of a slot: free -> (producer: slot, fill, push) -> full ->
 * (consumer: pop, store, release) -> free. The producer blocks while every
 * slot is full; the consumer blocks while none is. Either side can end it:
 * the producer with close (no more objects), the consumer with abort (it
 * failed; the producer's next slot() returns NULL).
 */
#ifndef ENT_FEED_IMPORT_QUEUE_H
#define ENT_FEED_IMPORT_QUEUE_H

#include <stddef.h>

#include "feed/prepare.h"

struct ent_import_queue;

/* At most slots objects in flight, and while more than one is, at most
 * about budget bytes of heap held by them (see ent_prepared_footprint). */
struct ent_import_queue *ent_import_queue_new(size_t slots, size_t budget);
void ent_import_queue_free(struct ent_import_queue *q);

/* Producer: the next free slot (cleared), or NULL once the consumer aborted. */
struct ent_prepared *ent_import_queue_slot(struct ent_import_queue *q);
/* Producer: publishes the slot returned by the last slot() call. */
void ent_import_queue_push(struct ent_import_queue *q);
/* Producer: no more objects will come. */
void ent_import_queue_close(struct ent_import_queue *q);

/* Consumer: the oldest full slots, in order: fills out with up to max of
 * them and returns how many (0 when closed and drained). One lock for a
 * batch, not one per object. */
size_t ent_import_queue_pop(struct ent_import_queue *q, struct ent_prepared **out, size_t max);
/* Consumer: frees the n slots returned by the last pop(). */
void ent_import_queue_release(struct ent_import_queue *q, size_t n);
/* Consumer: stops the producer. */
void ent_import_queue_abort(struct ent_import_queue *q);

#endif
