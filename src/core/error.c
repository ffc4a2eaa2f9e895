/* error.c - error codes to text, and the errbuf helpers of error.h. */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *ent_strerror(int err)
{
	switch (err) {
	case ENT_OK:
		return "success";
	case ENT_EINVAL:
		return "invalid input";
	case ENT_ENOMEM:
		return "out of memory";
	case ENT_EIO:
		return "input/output error";
	case ENT_ENOTFOUND:
		return "not found";
	case ENT_EEXIST:
		return "already exists";
	case ENT_ESTORE:
		return "store error";
	case ENT_EPARSE:
		return "parse error";
	case ENT_EPERM:
		return "permission denied";
	case ENT_ELIMIT:
		return "limit exceeded";
	case ENT_EUNSUPPORTED:
		return "unsupported";
	case ENT_EAUTH:
		return "not authenticated";
	case ENT_ENET:
		return "network error";
	default:
		return "unknown error";
	}
}

int ent_errf(char *errbuf, int err, const char *fmt, ...)
{
	va_list ap;

	if (errbuf == NULL)
		return err;
	va_start(ap, fmt);
	vsnprintf(errbuf, ENT_ERRBUF_SIZE, fmt, ap);
	va_end(ap);
	return err;
}

void ent_err_prefix(char *errbuf, const char *fmt, ...)
{
	char prefix[ENT_ERRBUF_SIZE], rest[ENT_ERRBUF_SIZE];
	va_list ap;

	if (errbuf == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	snprintf(rest, sizeof(rest), "%s", errbuf);
	snprintf(errbuf, ENT_ERRBUF_SIZE, "%s: %s", prefix, rest);
}
