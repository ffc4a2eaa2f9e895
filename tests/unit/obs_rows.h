/* obs_rows.h - an observable sink that records rows, for the parser tests. */
#ifndef ENT_TEST_OBS_ROWS_H
#define ENT_TEST_OBS_ROWS_H

#include <stddef.h>

#include "net/obs.h"

#define MAX_ROWS 4096

/* Rows "where\tvalue\tdetail", or "frame\twhere\tvalue\tdetail" when frame
 * is non-zero; the strings are owned until rows_free. */
struct rows {
	char *r[MAX_ROWS];
	size_t n;
	unsigned long frame; /* prefixed when non-zero */
};

/* A struct ent_obs_sink callback: ctx is a struct rows. */
void rows_emit(void *ctx, const struct ent_obs *o);
void rows_free(struct rows *rs);

#endif
