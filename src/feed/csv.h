/*
 * csv.h - CSV files and plain indicator lists to STIX 2.1 indicators.
 *
 * One value per line ('#' comment lines and blank lines ignored, CR LF
 * tolerated), or one value column of a CSV file (',' ';' or tab, detected;
 * RFC 4180 quoting with "" escapes, one record per line). The rules - how
 * the delimiter, the header line and the value column are chosen, which
 * maltrail forms are understood - are in docs/import-formats.md.
 *
 * Every line that holds no usable value is reported to sink->skip with its
 * line number ("line 12"); only a binary file (a NUL byte), a line longer
 * than ENT_CSV_LINE_MAX, an unknown --column name or a sink failure stops
 * the conversion.
 */
#ifndef ENT_FEED_CSV_H
#define ENT_FEED_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "feed/sink.h"

/* Longest line accepted, in bytes, without its line end. */
#define ENT_CSV_LINE_MAX (64 * 1024)

/*
 * True if data (len bytes) looks like a text list or CSV file: not empty,
 * no NUL byte in its first 64 KiB, and not JSON or XML (its first
 * non-blank byte is none of '{', '[', '<').
 */
bool ent_csv_looks_like(const char *data, size_t len);

/*
 * Converts data (len bytes, borrowed, need not be NUL-terminated): one
 * indicator per usable value, in file order, through sink->object. Ids are
 * "indicator--" + UUIDv5(ENT_UUID_NAMESPACE, source "\0" kind "\0" value)
 * (so re-importing a list yields the same ids), and created, modified and
 * valid_from are opts->timestamp_ms. A value listed twice is emitted twice,
 * with the same id. Returns 0, ENT_EPARSE for a binary file or a bad
 * column choice, ENT_ELIMIT for an over-long line, or what sink->object
 * returned.
 */
int ent_csv_convert(const char *data, size_t len, const struct ent_feed_opts *opts,
                    const struct ent_feed_sink *sink, char *errbuf) ENT_MUST_CHECK;

#endif
