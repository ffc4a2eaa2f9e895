/*
 * defrag.h - IPv4 and IPv6 fragment reassembly with hard bounds.
 *
 * A datagram is keyed by (family, source, destination, identification, and
 * for IPv4 the protocol). Fragments are copied into a per-datagram buffer;
 * where fragments overlap, the bytes that arrived first win and the overlap
 * is counted. Bounds, all set at creation: datagrams held at once (the
 * oldest is evicted), fragments per datagram (the datagram is dropped),
 * reassembled size (65535 bytes of payload), total bytes held, and a timeout
 * driven by packet time.
 *
 * States of a datagram: HELD (in the table) -> DONE (returned to the
 * caller, valid until ent_defrag_release) or DROPPED (freed, counted).
 */
#ifndef ENT_NET_DEFRAG_H
#define ENT_NET_DEFRAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ent_defrag;

struct ent_defrag_config {
	uint32_t max_datagrams; /* held at once; 0 = 4096 */
	uint32_t max_fragments; /* per datagram; 0 = 64 */
	uint32_t timeout_sec;   /* 0 = 30 */
	size_t max_bytes;       /* total buffer bytes held; 0 = 16 MiB */
};

struct ent_frag {
	int family;               /* 4 or 6 */
	const uint8_t *src, *dst; /* 4 or 16 bytes */
	uint32_t id;
	uint8_t proto;       /* IPv4 protocol; IPv6 next header after the fragment header */
	uint32_t offset;     /* in bytes */
	bool more;           /* MF flag */
	const uint8_t *data; /* fragment payload */
	size_t len;
	uint64_t now; /* packet time, seconds */
};

/* Caller frees with ent_defrag_free. NULL on allocation failure. */
struct ent_defrag *ent_defrag_new(const struct ent_defrag_config *cfg);
void ent_defrag_free(struct ent_defrag *d);

/*
 * Adds one fragment. Returns 1 when it completes a datagram: *out and
 * *outlen (OUT) give the reassembled payload (without the IP header) and
 * *proto (OUT) the protocol of the first fragment; the buffer stays valid
 * until ent_defrag_release. Returns 0 when the fragment is held or dropped.
 * counters (an array indexed by enum ent_net_counter) receives the events.
 */
int ent_defrag_add(struct ent_defrag *d, const struct ent_frag *f, const uint8_t **out,
                   size_t *outlen, uint8_t *proto, uint64_t *counters);
/* Frees the datagrams returned since the last call (once per packet). */
void ent_defrag_release(struct ent_defrag *d);
/* Datagrams currently held (for tests and stats). */
uint32_t ent_defrag_held(const struct ent_defrag *d);
/* Bytes currently held. */
size_t ent_defrag_bytes(const struct ent_defrag *d);

#endif
