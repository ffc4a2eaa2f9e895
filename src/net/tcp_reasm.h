/*
 * tcp_reasm.h - in-order delivery of one direction of a TCP connection.
 *
 * Segments arrive in any order, repeated, overlapping. The consumer sees the
 * byte stream in order, each byte once: bytes already delivered are never
 * replaced, and where buffered out-of-order segments overlap, the bytes that
 * arrived first win. Out-of-order data is held within a window (bytes and
 * segments, per direction) and under a byte budget shared by all flows of a
 * pipeline. When a limit would be passed, or a segment lies beyond the
 * window, the stream skips ahead: the consumer is told of a gap (p == NULL,
 * len = missing bytes) and delivery resumes at the next data held. In-order
 * data is passed straight from the packet: no copy, no allocation.
 *
 * States: NOT STARTED (next_seq unknown) -> STARTED (by ent_reasm_syn, or by
 * the first data segment when the SYN was not seen) -> DONE (ent_reasm_stop:
 * the consumer wants nothing more; buffers freed, segments ignored).
 */
#ifndef ENT_NET_TCP_REASM_H
#define ENT_NET_TCP_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ent_reasm_seg;

struct ent_reasm_dir {
	uint32_t next_seq; /* first byte not yet delivered */
	bool started;
	bool done;
	uint16_t nsegs;             /* segments held */
	uint32_t held;              /* payload bytes held */
	struct ent_reasm_seg *segs; /* owned, sorted by sequence number */
};

struct ent_reasm_limits {
	uint32_t window;   /* bytes held per direction and furthest reach ahead; 0 = 256 KiB */
	uint32_t max_segs; /* segments held per direction; 0 = 64 */
	size_t *used;      /* shared budget: bytes allocated by all directions (may be NULL) */
	size_t max_used;   /* limit for *used; 0 = none */
};

/* Consumer of the stream: len bytes at p, or a gap of len bytes when p is NULL. */
typedef void (*ent_reasm_cb)(void *ctx, const uint8_t *p, size_t len);

void ent_reasm_init(struct ent_reasm_dir *r);
/* A SYN with sequence number seq: the stream starts at seq + 1. */
void ent_reasm_syn(struct ent_reasm_dir *r, uint32_t seq);
/*
 * One segment: captured payload p/len at sequence seq; wire_len >= len is
 * the payload length the headers claim (a snap length may have cut it).
 * Delivers what became in order through cb. counters: enum ent_net_counter.
 */
void ent_reasm_data(struct ent_reasm_dir *r, const struct ent_reasm_limits *lim, uint32_t seq,
                    const uint8_t *p, size_t len, size_t wire_len, ent_reasm_cb cb, void *ctx,
                    uint64_t *counters);
/* Frees what is held and ignores everything from now on. */
void ent_reasm_stop(struct ent_reasm_dir *r, const struct ent_reasm_limits *lim);
/* Frees what is held (the direction may be reused after ent_reasm_init). */
void ent_reasm_free(struct ent_reasm_dir *r, const struct ent_reasm_limits *lim);

#endif
