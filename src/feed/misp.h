/*
 * misp.h - MISP events and MISP feed directories to STIX 2.1 indicators.
 *
 * One MISP event becomes one STIX identity (the event's creator
 * organisation, Orgc) and one indicator per attribute flagged to_ids,
 * including the attributes of the event's objects. Everything else is
 * reported to sink->skip with a short stable reason. The type mapping, the
 * ids and the properties set are documented in docs/import-formats.md.
 *
 * Only structure errors fail a conversion (an "Attribute" that is not an
 * array, a "value" that is not a string, an unreadable feed file): the
 * message names the place, e.g.
 * "event 5a0a9aa9-... attribute 17: 'value' is not a string".
 */
#ifndef ENT_FEED_MISP_H
#define ENT_FEED_MISP_H

#include <jansson.h>
#include <stdbool.h>

#include "core/error.h"
#include "feed/sink.h"

/* Largest MISP file (event or manifest) a feed directory may hold. */
#define ENT_MISP_FILE_MAX (256u * 1024 * 1024)

/*
 * True if root looks like a MISP event file: {"response":[{"Event":...}]},
 * {"Event":{...}}, or a bare event object (has "Attribute" or "Object" and
 * event fields such as "info", "Orgc", "date"). root is borrowed.
 */
bool ent_misp_looks_like(json_t *root);

/* True if dir holds a manifest.json, i.e. looks like a MISP feed directory. */
bool ent_misp_looks_like_feed_dir(const char *dir);

/*
 * Converts the event(s) of one MISP event file, whichever of the three
 * wrappers above it uses (every event of a "response" array is converted).
 * root is borrowed. Returns 0, or the first error: ENT_EPARSE for malformed
 * MISP structure, or whatever sink->object returned.
 */
int ent_misp_convert_event(json_t *root, const struct ent_feed_opts *opts,
                           const struct ent_feed_sink *sink, char *errbuf) ENT_MUST_CHECK;

/*
 * Converts a MISP feed directory: manifest.json maps event uuid -> metadata,
 * and each event is in <uuid>.json beside it. Events are converted in the
 * manifest's order; an organisation's identity is emitted once per call.
 * A missing, unreadable or malformed event file is an error naming the file
 * (ENT_EIO, ENT_EPARSE, ENT_ELIMIT past ENT_MISP_FILE_MAX).
 */
int ent_misp_convert_feed_dir(const char *dir, const struct ent_feed_opts *opts,
                              const struct ent_feed_sink *sink, char *errbuf) ENT_MUST_CHECK;

#endif
