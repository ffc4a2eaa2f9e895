/*
 * config.h - the node's configuration file.
 *
 * Format: "[section]" headers, "key = value" lines, '#' comments, blank
 * lines. Keys are looked up as "section.key". Unknown keys are an error (a
 * misspelt setting must not be silently ignored); the error names the line.
 */
#ifndef ENT_NODE_CONFIG_H
#define ENT_NODE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

struct ent_config;

/* Parses the file at path. Caller frees with ent_config_free. */
int ent_config_load(const char *path, struct ent_config **out, char *errbuf) ENT_MUST_CHECK;
void ent_config_free(struct ent_config *c);
/* The value of "section.key", or def when unset or empty. Borrowed. */
const char *ent_config_get(const struct ent_config *c, const char *key, const char *def);
/* An integer setting within [min, max]; ENT_EINVAL naming the key if not. */
int ent_config_get_int(const struct ent_config *c, const char *key, int def, int min, int max,
                       int *out, char *errbuf) ENT_MUST_CHECK;
/* A yes/no setting. */
int ent_config_get_bool(const struct ent_config *c, const char *key, bool def, bool *out,
                        char *errbuf) ENT_MUST_CHECK;

/* Calls fn for every "section.NAME = value" of section, in file order
 * (a key set twice is seen twice); for the open sections such as
 * [allowlists]. name and value are borrowed for the call. */
void ent_config_foreach_in(const struct ent_config *c, const char *section,
                           void (*fn)(void *ctx, const char *name, const char *value), void *ctx);

/* Writes the commented default configuration for a new node. */
int ent_config_write_default(const char *path, const char *node_name, const char *identity_id,
                             char *errbuf) ENT_MUST_CHECK;

#endif
