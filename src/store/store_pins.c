/* store_pins.c - what the trust gate learns about peers (pins.h). */
#include "store/pins.h"

#include "core/timefmt.h"
#include "store/storeInt.h"

int ent_store_pin_update(struct ent_store *s, int64_t peer_id, const char *identity_ref,
                         const char *public_key, char *errbuf)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(
	        s->db,
	        "UPDATE peers SET identity_ref = coalesce(?2, identity_ref),"
	        " public_key = coalesce(?3, public_key), updated_ms = ?4 WHERE id = ?1",
	        -1, &st, NULL) != SQLITE_OK)
		return ent_store_sqlerr(s, errbuf, "updating a peer's key");
	sqlite3_bind_int64(st, 1, peer_id);
	if (identity_ref != NULL)
		sqlite3_bind_text(st, 2, identity_ref, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 2);
	if (public_key != NULL)
		sqlite3_bind_text(st, 3, public_key, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_int64(st, 4, ent_time_now_ms());
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? ENT_OK : ent_store_sqlerr(s, errbuf, "updating a peer's key");
}
