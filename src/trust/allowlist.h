/*
 * allowlist.h - observables that must not alert: MISP warninglists and the
 * node's own lists, each with a matching type and an action.
 *
 * Types (MISP's names in brackets):
 *   EXACT      the value equals an entry                     [string]
 *   SUFFIX     the value's host name is an entry or below it [hostname]
 *              (domains; URLs by their host; e-mail by its domain)
 *   CIDR       the address (or network) lies in an entry     [cidr]
 *              (a.b.c.d/n or v6/n; a bare address is /32 or /128)
 *   SUBSTRING  an entry occurs in the value                  [substring]
 *   REGEX      the value matches a POSIX extended regex,     [regex]
 *              case-insensitive; at most ENT_ALLOWLIST_REGEX_MAX of them
 *              per list, each at most ENT_ALLOWLIST_REGEX_LEN bytes, no
 *              back-references
 * Entries are compared with normalized values (core/observable.h): entries
 * that look like an observable are normalized the same way, others are
 * lower-cased. A MISP list applies only to the kinds its
 * matching_attributes name (ip-src -> ipv4/ipv6, domain/hostname ->
 * domain, url/uri -> url, md5/sha1/sha256 -> hashes, ...); the node's own
 * lists to every kind.
 *
 * Actions: INFORM (count and show the hit, alert as usual), LOWER (take
 * `lower` points from the confidence), SUPPRESS (never alert). When several
 * lists match, the hit reported is the strongest action (SUPPRESS > LOWER >
 * INFORM; among LOWERs the largest), first list first.
 *
 * The set is built once (load) and read-only afterwards: ent_allowlists_match
 * may be called from any number of threads.
 */
#ifndef ENT_TRUST_ALLOWLIST_H
#define ENT_TRUST_ALLOWLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/observable.h"
#include "node/config.h"

#define ENT_ALLOWLIST_MAX_LISTS   64
#define ENT_ALLOWLIST_MAX_ENTRIES (4u << 20) /* per list */
#define ENT_ALLOWLIST_MAX_FILE    (64u << 20)
#define ENT_ALLOWLIST_REGEX_MAX   256
#define ENT_ALLOWLIST_REGEX_LEN   512
#define ENT_ALLOWLIST_NAME_MAX    64

enum ent_allowlist_type {
	ENT_AL_EXACT,
	ENT_AL_SUFFIX,
	ENT_AL_CIDR,
	ENT_AL_SUBSTRING,
	ENT_AL_REGEX,
};

enum ent_allowlist_action {
	ENT_AL_INFORM,
	ENT_AL_LOWER,
	ENT_AL_SUPPRESS,
};

struct ent_allowlists;

/* What a list's definition says: the value of an [allowlists] setting,
 * "PATH [format:misp|text] [type:TYPE] [action:inform|lower:N|suppress]". */
struct ent_allowlist_spec {
	char path[4096];
	bool misp;                        /* format:misp (else text) */
	enum ent_allowlist_type type;     /* text lists; default EXACT */
	enum ent_allowlist_action action; /* default SUPPRESS */
	int lower;                        /* LOWER: points, 1..100 */
};

struct ent_allowlist_hit {
	const char *list; /* the list's name; borrowed from the set */
	enum ent_allowlist_action action;
	int lower;
};

/* A description of list i, for `entente policy show`. Strings borrowed. */
struct ent_allowlist_info {
	const char *name;
	const char *source; /* file path, or "" */
	const char *title;  /* MISP: the list's own name; "" otherwise */
	enum ent_allowlist_type type;
	enum ent_allowlist_action action;
	int lower;
	size_t entries; /* entries loaded */
	size_t skipped; /* entries that did not fit the type (bad CIDR, regex) */
	unsigned kinds; /* bit (1u << kind) for each kind it applies to */
};

/* An empty set. Caller frees with ent_allowlists_free. */
struct ent_allowlists *ent_allowlists_new(void);
void ent_allowlists_free(struct ent_allowlists *a);

/* "exact", "suffix", ... and back (MISP's names are accepted too:
 * string, hostname); false when unknown. */
const char *ent_allowlist_type_name(enum ent_allowlist_type t);
bool ent_allowlist_type_parse(const char *s, enum ent_allowlist_type *out);
/* "inform", "lower", "suppress". */
const char *ent_allowlist_action_name(enum ent_allowlist_action a);

/* Parses a list definition (see struct ent_allowlist_spec). */
int ent_allowlist_spec_parse(const char *value, struct ent_allowlist_spec *out,
                             char *errbuf) ENT_MUST_CHECK;

/*
 * Adds a MISP warninglist from its JSON text (name, type, list,
 * matching_attributes). ENT_EPARSE / ENT_EUNSUPPORTED (an unknown type) /
 * ENT_ELIMIT with a message. name is ours (the config's), not the file's.
 */
int ent_allowlists_add_misp(struct ent_allowlists *a, const char *name, const char *json,
                            size_t len, enum ent_allowlist_action action, int lower,
                            char *errbuf) ENT_MUST_CHECK;

/* Adds a text list: one entry per line; blank lines and lines starting
 * with '#' are skipped, spaces around an entry ignored. */
int ent_allowlists_add_text(struct ent_allowlists *a, const char *name, const char *text,
                            size_t len, enum ent_allowlist_type type,
                            enum ent_allowlist_action action, int lower,
                            char *errbuf) ENT_MUST_CHECK;

/* Adds the list a spec describes, reading its file (relative paths are
 * relative to base_dir, which may be NULL). */
int ent_allowlists_add_spec(struct ent_allowlists *a, const char *name,
                            const struct ent_allowlist_spec *spec, const char *base_dir,
                            char *errbuf) ENT_MUST_CHECK;

/* Adds every list of the configuration's [allowlists] section. Errors name
 * the list: "allowlists.NAME: ...". */
int ent_allowlists_load_config(struct ent_allowlists *a, const struct ent_config *c,
                               const char *base_dir, char *errbuf) ENT_MUST_CHECK;

/* Does the normalized value of that kind hit a list? OUT: hit (may be
 * NULL) says which and what to do. */
bool ent_allowlists_match(const struct ent_allowlists *a, enum ent_obs_kind kind, const char *value,
                          struct ent_allowlist_hit *hit);

size_t ent_allowlists_count(const struct ent_allowlists *a);
/* false when i is out of range. */
bool ent_allowlists_info(const struct ent_allowlists *a, size_t i, struct ent_allowlist_info *out);

#endif
