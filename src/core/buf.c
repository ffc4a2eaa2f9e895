/* buf.c - bounded growable buffer (see buf.h). */
#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ent_buf_init(struct ent_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max;
}

void ent_buf_free(struct ent_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void ent_buf_reset(struct ent_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

static int buf_reserve(struct ent_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (extra > b->max || b->len > b->max - extra)
		return ENT_ELIMIT;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return ENT_OK;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (p == NULL)
		return ENT_ENOMEM;
	b->data = p;
	b->cap = cap;
	return ENT_OK;
}

int ent_buf_append(struct ent_buf *b, const void *p, size_t n)
{
	int rc = buf_reserve(b, n);

	if (rc != ENT_OK)
		return rc;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return ENT_OK;
}

int ent_buf_puts(struct ent_buf *b, const char *s)
{
	return ent_buf_append(b, s, strlen(s));
}

int ent_buf_printf(struct ent_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return ENT_EINVAL;
	rc = buf_reserve(b, (size_t)n);
	if (rc != ENT_OK)
		return rc;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return ENT_OK;
}

char *ent_buf_steal(struct ent_buf *b)
{
	char *p = b->data;

	if (p == NULL)
		p = calloc(1, 1);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	return p;
}
