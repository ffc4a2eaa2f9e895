/* store_peer_trust.c - peers' trust for the local policy (see peer_trust.h). */
#include "store/peer_trust.h"

#include "store/storeInt.h"

static const char *text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);

	return t ? (const char *)t : "";
}

int ent_store_peer_trust_foreach(struct ent_store *s,
                                 int (*fn)(void *ctx, const struct ent_peer_trust *p), void *ctx,
                                 char *errbuf)
{
	sqlite3_stmt *st;
	int rc = ENT_OK, step;

	if (sqlite3_prepare_v2(s->db,
	                       "SELECT name, trust, groups, coalesce(public_key, '') <> '',"
	                       " identity_ref FROM peers ORDER BY name",
	                       -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "peers");
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		struct ent_peer_trust p = {
		    .name = text(st, 0),
		    .trust = sqlite3_column_int(st, 1),
		    .groups = text(st, 2),
		    .key_pinned = sqlite3_column_int(st, 3) != 0,
		    .identity_ref = text(st, 4),
		};

		rc = fn(ctx, &p);
		if (rc != 0)
			break;
	}
	if (rc == ENT_OK && step != SQLITE_DONE)
		rc = ent_store_sqlerr(s, errbuf, "peers");
	sqlite3_finalize(st);
	return rc;
}
