/*
 * error.h - the one error convention of entente.
 *
 * Actions return int: 0 on success, a negative ENT_E* code on failure.
 * Pointer-returners return NULL. Predicates return bool. The detail of a
 * failure goes into a caller-provided error buffer of ENT_ERRBUF_SIZE bytes,
 * written as one line without a trailing newline, in the manner of libpcap's
 * errbuf: "objects[3] (indicator--...): invalid pattern at offset 12: ...".
 */
#ifndef ENT_CORE_ERROR_H
#define ENT_CORE_ERROR_H

#include <stddef.h>

#define ENT_ERRBUF_SIZE 512

#define ENT_MUST_CHECK   __attribute__((warn_unused_result))
#define ENT_PRINTF(a, b) __attribute__((format(printf, a, b)))

enum ent_error {
	ENT_OK = 0,
	ENT_EINVAL = -1, /* bad argument or malformed input */
	ENT_ENOMEM = -2, /* allocation failed */
	ENT_EIO = -3,    /* read/write/open failed */
	ENT_ENOTFOUND = -4,
	ENT_EEXIST = -5,
	ENT_ESTORE = -6, /* the database refused */
	ENT_EPARSE = -7, /* syntax error in untrusted input */
	ENT_EPERM = -8,  /* permissions (e.g. secret key readable by others) */
	ENT_ELIMIT = -9, /* a hard limit was hit (size, depth, count) */
	ENT_EUNSUPPORTED = -10,
	ENT_EAUTH = -11, /* credentials missing or not valid */
	ENT_ENET = -12,  /* a network peer failed (connect, TLS, HTTP status) */
};

/* A static, human-readable name for an ENT_E* code. */
const char *ent_strerror(int err);

/*
 * Writes a formatted message into errbuf (which may be NULL) and returns err,
 * so a failure can be reported in one statement:
 *     return ent_errf(errbuf, ENT_EPARSE, "line %zu: empty value", line);
 */
int ent_errf(char *errbuf, int err, const char *fmt, ...) ENT_PRINTF(3, 4);

/* Prepends "prefix: " to the message already in errbuf. */
void ent_err_prefix(char *errbuf, const char *fmt, ...) ENT_PRINTF(2, 3);

#endif
