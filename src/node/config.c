/* config.c - reading and writing the node configuration (see config.h). */
#include "node/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ENTRIES 256
#define MAX_LINE    4096

struct entry {
	char *key; /* "section.key" */
	char *value;
};

struct ent_config {
	struct entry e[MAX_ENTRIES];
	size_t n;
};

/* Every key the node knows, so that a misspelt one is reported. */
static const char *const known_keys[] = {
    "node.name",
    "node.identity",
    "import.default_tlp",
    "import.default_confidence",
    "match.subdomains",
    "match.min_confidence",
    "scan.threads",
    "scan.max_flows",
    "scan.flow_timeout",
    /* entente serve: the TAXII 2.1 server */
    "serve.listen",
    "serve.tls_cert",
    "serve.tls_key",
    "serve.plain_http",
    "serve.threads",
    "serve.title",
    /* limits of the TAXII server, against hostile or careless clients */
    "limits.max_body_bytes",
    "limits.max_objects_per_envelope",
    "limits.max_page_size",
    "limits.default_page_size",
    "limits.max_connections",
    "limits.max_connections_per_client",
    "limits.idle_timeout",
    "limits.request_timeout",
    /* entente sync: the TAXII client */
    "sync.page_size",
    "sync.timeout",
    /* local policy (trust/policy.h, docs/policy.md) */
    "policy.min_confidence_alert",
    "policy.min_confidence_export",
    "policy.unknown_confidence",
    "policy.unsigned",
    "policy.unsigned_trust",
    "policy.sightings",
    "policy.half_life_ipv4",
    "policy.half_life_ipv6",
    "policy.half_life_domain",
    "policy.half_life_url",
    "policy.half_life_md5",
    "policy.half_life_sha1",
    "policy.half_life_sha256",
    "policy.half_life_email",
    "policy.half_life_ja3",
    "policy.half_life_ja4",
    "policy.half_life_x509-md5",
    "policy.half_life_x509-sha1",
    "policy.half_life_x509-sha256",
};

/* Sections whose keys are names the user chooses ("[collections]" holds one
 * key per TAXII collection); any key made of [a-z0-9_-] is accepted there. */
static const char *const open_sections[] = {"collections", "allowlists"};

static bool name_ok(const char *n)
{
	if (*n == '\0')
		return false;
	for (; *n != '\0'; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= '0' && *n <= '9') || *n == '_' ||
		      *n == '-'))
			return false;
	return true;
}

static bool key_known(const char *k)
{
	for (size_t i = 0; i < sizeof(known_keys) / sizeof(known_keys[0]); i++)
		if (strcmp(known_keys[i], k) == 0)
			return true;
	for (size_t i = 0; i < sizeof(open_sections) / sizeof(open_sections[0]); i++) {
		size_t n = strlen(open_sections[i]);

		if (strncmp(k, open_sections[i], n) == 0 && k[n] == '.' && name_ok(k + n + 1))
			return true;
	}
	return false;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
		*--end = '\0';
	return s;
}

void ent_config_free(struct ent_config *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->e[i].key);
		free(c->e[i].value);
	}
	free(c);
}

int ent_config_load(const char *path, struct ent_config **out, char *errbuf)
{
	char line[MAX_LINE], section[64] = "";
	struct ent_config *c;
	size_t lineno = 0;
	FILE *f;
	int rc = ENT_OK;

	*out = NULL;
	f = fopen(path, "r");
	if (f == NULL)
		return ent_errf(errbuf, ENT_EIO, "%s: %s", path, strerror(errno));
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		fclose(f);
		return ent_errf(errbuf, ENT_ENOMEM, "out of memory");
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s, *eq, key[160];

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			rc = ent_errf(errbuf, ENT_EINVAL, "%s:%zu: line too long", path, lineno);
			break;
		}
		s = trim(line);
		if (*s == '#' || *s == '\0')
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']');

			if (end == NULL || end[1] != '\0' || end - s - 1 >= (long)sizeof(section)) {
				rc = ent_errf(errbuf, ENT_EINVAL, "%s:%zu: bad section header",
				              path, lineno);
				break;
			}
			*end = '\0';
			snprintf(section, sizeof(section), "%s", trim(s + 1));
			continue;
		}
		eq = strchr(s, '=');
		if (eq == NULL) {
			rc = ent_errf(errbuf, ENT_EINVAL, "%s:%zu: expected 'key = value'", path,
			              lineno);
			break;
		}
		*eq = '\0';
		snprintf(key, sizeof(key), "%s.%s", section, trim(s));
		if (!key_known(key)) {
			rc = ent_errf(errbuf, ENT_EINVAL, "%s:%zu: unknown setting '%s'", path,
			              lineno, key);
			break;
		}
		if (c->n == MAX_ENTRIES) {
			rc =
			    ent_errf(errbuf, ENT_ELIMIT, "%s:%zu: too many settings", path, lineno);
			break;
		}
		c->e[c->n].key = strdup(key);
		c->e[c->n].value = strdup(trim(eq + 1));
		if (c->e[c->n].key == NULL || c->e[c->n].value == NULL) {
			c->n++;
			rc = ent_errf(errbuf, ENT_ENOMEM, "out of memory");
			break;
		}
		c->n++;
	}
	fclose(f);
	if (rc != ENT_OK) {
		ent_config_free(c);
		return rc;
	}
	*out = c;
	return ENT_OK;
}

const char *ent_config_get(const struct ent_config *c, const char *key, const char *def)
{
	/* the last occurrence wins, as in most config files */
	for (size_t i = c ? c->n : 0; i-- > 0;)
		if (strcmp(c->e[i].key, key) == 0)
			return c->e[i].value[0] != '\0' ? c->e[i].value : def;
	return def;
}

void ent_config_foreach_in(const struct ent_config *c, const char *section,
                           void (*fn)(void *ctx, const char *name, const char *value), void *ctx)
{
	size_t n = strlen(section);

	for (size_t i = 0; c != NULL && i < c->n; i++)
		if (strncmp(c->e[i].key, section, n) == 0 && c->e[i].key[n] == '.')
			fn(ctx, c->e[i].key + n + 1, c->e[i].value);
}

int ent_config_get_int(const struct ent_config *c, const char *key, int def, int min, int max,
                       int *out, char *errbuf)
{
	const char *v = ent_config_get(c, key, NULL);
	char *end;
	long n;

	if (v == NULL) {
		*out = def;
		return ENT_OK;
	}
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return ent_errf(errbuf, ENT_EINVAL,
		                "setting %s: '%s' is not an integer from %d to %d", key, v, min,
		                max);
	*out = (int)n;
	return ENT_OK;
}

int ent_config_get_bool(const struct ent_config *c, const char *key, bool def, bool *out,
                        char *errbuf)
{
	const char *v = ent_config_get(c, key, NULL);

	if (v == NULL)
		*out = def;
	else if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
		*out = true;
	else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
		*out = false;
	else
		return ent_errf(errbuf, ENT_EINVAL, "setting %s: '%s' is not yes or no", key, v);
	return ENT_OK;
}

int ent_config_write_default(const char *path, const char *node_name, const char *identity_id,
                             char *errbuf)
{
	FILE *f;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
		if (fd >= 0)
			close(fd);
		return ent_errf(errbuf, ENT_EIO, "%s: %s", path, strerror(errno));
	}
	fprintf(
	    f,
	    "# entente node configuration.\n"
	    "# Lines are 'key = value' under a [section]; '#' starts a comment.\n"
	    "# An empty value means the default given in the comment above it.\n"
	    "\n"
	    "[node]\n"
	    "# Name of this node's organization, as shown in its STIX identity.\n"
	    "name = %s\n"
	    "# STIX id of this node's identity object (identity.json). Peers pin it;\n"
	    "# do not change it.\n"
	    "identity = %s\n"
	    "\n"
	    "[import]\n"
	    "# TLP given to imported objects that carry no TLP marking:\n"
	    "# clear, green, amber, amber+strict or red. `entente import --tlp` overrides.\n"
	    "# Default: amber (share with partners only, never beyond).\n"
	    "default_tlp = amber\n"
	    "# Confidence (0-100) given to imported objects that carry none.\n"
	    "# Empty: leave it unset. `entente import --confidence` overrides.\n"
	    "default_confidence =\n"
	    "\n"
	    "[match]\n"
	    "# Whether a domain indicator also matches its subdomains (yes or no).\n"
	    "# An indicator written '*.example.com' always does. Default: no.\n"
	    "subdomains = no\n"
	    "# Indicators with a confidence below this never alert (0-100). Default: 0.\n"
	    "min_confidence = 0\n"
	    "\n"
	    "[scan]\n"
	    "# Worker threads for `entente scan` (1-64). Default: 1.\n"
	    "threads = 1\n"
	    "# Most flows tracked at once per worker; the oldest are evicted. Default: 1000000.\n"
	    "max_flows = 1000000\n"
	    "# Seconds of silence after which a flow is closed. Default: 120.\n"
	    "flow_timeout = 120\n"
	    "\n"
	    "[serve]\n"
	    "# Address and port `entente serve` listens on: 127.0.0.1:8443, [::1]:8443,\n"
	    "# 0.0.0.0:8443 for every interface. Default: 127.0.0.1:8443.\n"
	    "listen = 127.0.0.1:8443\n"
	    "# TLS certificate and key (PEM), relative to the node home. `entente init`\n"
	    "# makes a self-signed pair for first use; peers pin tls.crt with --ca.\n"
	    "tls_cert = tls.crt\n"
	    "tls_key = tls.key\n"
	    "# Serve plain HTTP instead of HTTPS (yes or no). Only for a node behind a\n"
	    "# TLS-terminating proxy on the same host. Default: no.\n"
	    "plain_http = no\n"
	    "# Threads answering requests (1-64). Default: 2.\n"
	    "threads = 2\n"
	    "# Title of the server in TAXII discovery. Default: the node name.\n"
	    "title =\n"
	    "\n"
	    "[limits]\n"
	    "# Largest request body in bytes; larger ones get 413. Default: 20971520.\n"
	    "max_body_bytes = 20971520\n"
	    "# Most objects in one envelope a client may add. Default: 10000.\n"
	    "max_objects_per_envelope = 10000\n"
	    "# Largest page a client may ask for with limit=, and the page size when it\n"
	    "# does not ask. Defaults: 1000 and 100.\n"
	    "max_page_size = 1000\n"
	    "default_page_size = 100\n"
	    "# Connections at once, in all and from one client address. Defaults: 1024, 64.\n"
	    "max_connections = 1024\n"
	    "max_connections_per_client = 64\n"
	    "# Seconds a connection may stay silent (also while sending its headers),\n"
	    "# and seconds one request may take to arrive whole. Defaults: 15, 60.\n"
	    "idle_timeout = 15\n"
	    "request_timeout = 60\n"
	    "\n"
	    "[sync]\n"
	    "# Objects asked for per page when pulling from a peer (1-10000). Default: 1000.\n"
	    "page_size = 1000\n"
	    "# Seconds before a request to a peer is abandoned. Default: 60.\n"
	    "timeout = 60\n"
	    "\n"
	    "[collections]\n"
	    "# The TAXII collections this node serves, one per line:\n"
	    "#   NAME = tlp:LEVEL read:GROUPS write:GROUPS\n"
	    "# A read collection holds every object the node has whose TLP is at most\n"
	    "# LEVEL (clear, green, amber); GROUPS is a comma-separated list of peer\n"
	    "# groups, '*' for every peer, '-' for none. A collection without tlp: is an\n"
	    "# inbox: it holds what peers write to it (sightings, opinions).\n"
	    "public = tlp:clear read:* write:-\n"
	    "community = tlp:green read:community,partners write:-\n"
	    "partners = tlp:amber read:partners write:-\n"
	    "inbox = read:- write:*\n"
	    "\n"
	    "[policy]\n"
	    "# Local policy; `entente policy show` prints what is in force. See docs/policy.md.\n"
	    "# Least effective confidence (0-100) to alert and to export or serve.\n"
	    "# Defaults: match.min_confidence, and 0.\n"
	    "min_confidence_alert =\n"
	    "min_confidence_export = 0\n"
	    "# Confidence assumed for an object that carries none (0-100). Default: 50.\n"
	    "unknown_confidence = 50\n"
	    "# Objects that are unsigned, or whose creator's key is not pinned: accept,\n"
	    "# lower (count as one more hop of trust unsigned_trust) or reject.\n"
	    "# Defaults: lower, 50.\n"
	    "unsigned = lower\n"
	    "unsigned_trust = 50\n"
	    "# Sightings sent back to producers name this node (identity) or nobody\n"
	    "# (anonymous). Default: identity.\n"
	    "sightings = identity\n"
	    "# Confidence halves every half-life (0 = never), per observable kind:\n"
	    "# seconds, or with s, m, h, d or w. Defaults below.\n"
	    "half_life_ipv4 = 30d\n"
	    "half_life_ipv6 = 30d\n"
	    "half_life_domain = 90d\n"
	    "half_life_url = 90d\n"
	    "half_life_email = 180d\n"
	    "half_life_ja3 = 180d\n"
	    "half_life_ja4 = 180d\n"
	    "half_life_md5 = 0\n"
	    "half_life_sha1 = 0\n"
	    "half_life_sha256 = 0\n"
	    "\n"
	    "[allowlists]\n"
	    "# Observables that must not alert, one list per line:\n"
	    "#   NAME = PATH [format:misp|text] [type:TYPE] [action:ACTION]\n"
	    "# PATH is relative to the node home. format:misp reads a MISP warninglist\n"
	    "# (its type comes from the file); format:text (the default) one entry per\n"
	    "# line, of TYPE exact, suffix, cidr, substring or regex. ACTION is inform,\n"
	    "# lower:N (take N from the confidence) or suppress (the default).\n"
	    "#   rfc1918 = allowlists/rfc1918.json format:misp action:suppress\n"
	    "#   ours = allowlists/our-domains.txt type:suffix action:suppress\n",
	    node_name, identity_id);
	if (fclose(f) != 0)
		return ent_errf(errbuf, ENT_EIO, "%s: %s", path, strerror(errno));
	return ENT_OK;
}
