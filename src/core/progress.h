/*
 * progress.h - a progress bar on standard error, for long work on a terminal.
 *
 * Shown only when stderr is a terminal and the work has lasted more than a
 * second; redrawn at most ten times a second; erased at the end so the
 * summary that follows stands alone. When stderr is not a terminal nothing
 * is ever written, so piped output stays machine-readable.
 */
#ifndef ENT_CORE_PROGRESS_H
#define ENT_CORE_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

struct ent_progress {
	bool enabled;      /* stderr is a terminal and the caller wants it */
	bool shown;        /* something is on the screen to erase */
	const char *label; /* borrowed */
	uint64_t total;    /* bytes (or units) expected; 0 if unknown */
	uint64_t start_ns;
	uint64_t last_ns;
	unsigned calls; /* to look at the clock only every few calls */
};

void ent_progress_init(struct ent_progress *p, const char *label, uint64_t total, bool want);
/* done: units so far; extra: a short text after the bar (may be NULL). */
void ent_progress_update(struct ent_progress *p, uint64_t done, const char *extra);
void ent_progress_end(struct ent_progress *p);

#endif
