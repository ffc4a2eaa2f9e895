/* label.c - a name and a number, without printf (see label.h). */
#include "core/label.h"

#include <string.h>

static size_t put(char *out, size_t outsz, size_t at, const char *s, size_t n)
{
	if (at + n > outsz - 1)
		n = outsz - 1 - at;
	memcpy(out + at, s, n);
	return at + n;
}

size_t ent_label(char *out, size_t outsz, const char *prefix, uint64_t n, const char *suffix)
{
	char digits[20], *d = digits + sizeof(digits);
	size_t at;

	do {
		*--d = (char)('0' + n % 10);
		n /= 10;
	} while (n != 0);
	at = put(out, outsz, 0, prefix, strlen(prefix));
	at = put(out, outsz, at, d, (size_t)(digits + sizeof(digits) - d));
	at = put(out, outsz, at, suffix, strlen(suffix));
	out[at] = '\0';
	return at;
}

size_t ent_label_copy(char *out, size_t outsz, const char *src)
{
	size_t at = put(out, outsz, 0, src, strnlen(src, outsz - 1));

	out[at] = '\0';
	return at;
}
