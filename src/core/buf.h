/*
 * buf.h - a growable byte buffer with a hard maximum set at init.
 *
 * Every append checks the maximum (curl's curlx_dyn_init(buf, toobig)):
 * hostile input can make a buffer fail, never make it grow without bound.
 * The data is always NUL-terminated (the terminator is not counted in len),
 * so a buffer of text can be used as a C string.
 */
#ifndef ENT_CORE_BUF_H
#define ENT_CORE_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct ent_buf {
	char *data; /* owned; NULL until the first append */
	size_t len; /* bytes used, excluding the NUL */
	size_t cap; /* bytes allocated */
	size_t max; /* hard limit on len */
};

void ent_buf_init(struct ent_buf *b, size_t max);
/* Frees the storage; the buffer may be reused after ent_buf_init. */
void ent_buf_free(struct ent_buf *b);
/* Empties the buffer, keeping its storage. */
void ent_buf_reset(struct ent_buf *b);
/* Appends n bytes. ENT_ELIMIT past max, ENT_ENOMEM on allocation failure. */
int ent_buf_append(struct ent_buf *b, const void *p, size_t n) ENT_MUST_CHECK;
int ent_buf_puts(struct ent_buf *b, const char *s) ENT_MUST_CHECK;
int ent_buf_printf(struct ent_buf *b, const char *fmt, ...) ENT_PRINTF(2, 3) ENT_MUST_CHECK;
/* Hands the data to the caller (who frees it with free()) and empties b. */
char *ent_buf_steal(struct ent_buf *b);

#endif
