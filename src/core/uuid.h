/*
 * uuid.h - RFC 4122 UUIDs as STIX identifiers use them.
 *
 * STIX 2.1 section 2.9: an identifier is "<type>--<UUID>", the UUID in
 * lower-case 8-4-4-4-12 hex. Random ids are version 4; ids derived from
 * content (so that re-importing the same list yields the same ids) are
 * version 5 (SHA-1 of a namespace UUID and a name).
 */
#ifndef ENT_CORE_UUID_H
#define ENT_CORE_UUID_H

#include <stdbool.h>
#include <stddef.h>

#define ENT_UUID_STRLEN 37 /* 36 characters and the NUL */

/* The namespace entente derives its deterministic ids from. */
#define ENT_UUID_NAMESPACE "8a3f2c4e-5b1d-4e6f-9a7b-0c2d4e6f8a1b"

/* True if s (len bytes) is a UUID in 8-4-4-4-12 hex form (either case). */
bool ent_uuid_valid(const char *s, size_t len);
/* A random version 4 UUID, lower case. */
void ent_uuid_v4(char out[ENT_UUID_STRLEN]);
/* The version 5 UUID of name within namespace ns (a valid UUID string). */
void ent_uuid_v5(const char *ns, const void *name, size_t len, char out[ENT_UUID_STRLEN]);

#endif
