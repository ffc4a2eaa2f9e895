/*
 * label.h - "objects[12]", "line 7": a name and a number, without printf.
 *
 * Bulk imports label every object they hand on (for error messages that
 * name the object), a million times per import; snprintf was a visible
 * part of their profile.
 */
#ifndef ENT_CORE_LABEL_H
#define ENT_CORE_LABEL_H

#include <stddef.h>
#include <stdint.h>

/* Writes prefix, n in decimal and suffix into out (outsz > 0 bytes),
 * NUL-terminated, cut short if it does not fit. Returns the length. */
size_t ent_label(char *out, size_t outsz, const char *prefix, uint64_t n, const char *suffix);

/* Copies the string src into out (outsz > 0 bytes), cut short if it does
 * not fit. Returns the length. */
size_t ent_label_copy(char *out, size_t outsz, const char *src);

#endif
