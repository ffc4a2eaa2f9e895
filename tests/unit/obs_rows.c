/* obs_rows.c - see obs_rows.h. */
#include "obs_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rows_emit(void *ctx, const struct ent_obs *o)
{
	struct rows *rs = ctx;
	char buf[8192];

	if (rs->n >= MAX_ROWS)
		return;
	if (rs->frame != 0)
		snprintf(buf, sizeof(buf), "%lu\t%s\t%s\t%s", rs->frame, o->where, o->value,
		         o->detail);
	else
		snprintf(buf, sizeof(buf), "%s\t%s\t%s", o->where, o->value, o->detail);
	rs->r[rs->n++] = strdup(buf);
}

void rows_free(struct rows *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		free(rs->r[i]);
	rs->n = 0;
}
