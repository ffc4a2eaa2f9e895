/*
 * timefmt.h - STIX timestamps (RFC 3339, UTC, "Z" suffix) <-> milliseconds.
 *
 * STIX 2.1 section 3.2: "YYYY-MM-DDTHH:mm:ss[.s+]Z", always UTC. Sub-second
 * digits beyond milliseconds are accepted and truncated. Store and compare
 * times as int64 milliseconds since the epoch.
 */
#ifndef ENT_CORE_TIMEFMT_H
#define ENT_CORE_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define ENT_TIME_STRLEN 32

/* Parses a STIX timestamp of len bytes. ENT_EINVAL if it is not one. */
int ent_time_parse(const char *s, size_t len, int64_t *ms_out) ENT_MUST_CHECK;
/* The same in microseconds (digits beyond them truncated): TAXII 2.1
 * timestamps have microsecond precision. */
int ent_time_parse_us(const char *s, size_t len, int64_t *us_out) ENT_MUST_CHECK;
/* Formats us as "YYYY-MM-DDTHH:MM:SS.uuuuuuZ". */
void ent_time_format_us(int64_t us, char out[ENT_TIME_STRLEN]);
int64_t ent_time_now_us(void);
/* Formats ms as "YYYY-MM-DDTHH:MM:SS.mmmZ" into out[ENT_TIME_STRLEN]. */
void ent_time_format(int64_t ms, char out[ENT_TIME_STRLEN]);
/* The current time in milliseconds since the epoch (CLOCK_REALTIME). */
int64_t ent_time_now_ms(void);
/* A monotonic clock in nanoseconds, for elapsed-time measurement. */
uint64_t ent_time_mono_ns(void);

#endif
