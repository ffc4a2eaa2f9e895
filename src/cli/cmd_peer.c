/*
 * cmd_peer.c - `entente peer`: the node's peers, both sides.
 *
 *   add / set / show / list / remove   how we reach a peer's TAXII server and
 *                                      what we think of it (trust, key, groups)
 *   allow / deny                       the accounts with which the peer uses
 *                                      our server (secrets kept as hashes only)
 *
 * The secret we present to a peer is copied into the home as
 * peers/NAME.secret (0600), so the home is self-contained. Secret files
 * readable by group or others are refused, as node.key is.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/timefmt.h"
#include "store/peers.h"
#include "trust/auth.h"
#include "trust/cert.h"

#define CMD "peer"

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "Usage: entente peer COMMAND [--home DIR] ...\n\n"
	    "  add NAME --trust 0..100 [--url URL] [--user U --password-file F | --token-file F]\n"
	    "           [--ca FILE] [--key PUBKEY] [--groups G,...]\n"
	    "        a peer: how we reach its TAXII server, what we think of it\n"
	    "  set NAME [--url URL] [--trust N] [--groups G,...] [--ca FILE] [--key PUBKEY]\n"
	    "           [--user U --password-file F | --token-file F | --no-auth]\n"
	    "        changes some of it ('' clears --url, --ca, --key, --groups)\n"
	    "  allow NAME (--user U --password-file F | --token-file F)\n"
	    "        an account with which the peer uses our server (stored as a hash);\n"
	    "        --token-file writes a new token into F when F does not exist\n"
	    "  deny NAME [--user U]     removes the peer's accounts (or one of them)\n"
	    "  list [--json]            every peer\n"
	    "  show NAME [--json]       one peer and its accounts (never a secret)\n"
	    "  remove NAME              the peer, its accounts and its sync state\n\n"
	    "Each command takes --help. See docs/entente-peer.md.\n");
}

/* ---- options shared by the subcommands ---- */

struct peer_opts {
	const char *home;
	const char *url, *user, *password_file, *token_file, *ca, *key, *groups, *trust;
	bool json, no_auth;
};

enum {
	O_HOME = 'H',
	O_URL = 256,
	O_USER,
	O_PWFILE,
	O_TOKFILE,
	O_CA,
	O_KEY,
	O_TRUST,
	O_GROUPS,
	O_JSON,
	O_NOAUTH,
	O_HELP = 'h'
};

/* The options a subcommand accepts, as letters: u --url, U --user,
 * p --password-file, t --token-file, c --ca, k --key, r --trust,
 * g --groups, j --json, n --no-auth (--home and --help always). */
static int parse_opts(const char *sub, int argc, char **argv, const char *allowed,
                      void (*help)(FILE *), struct peer_opts *o)
{
	static const struct option all[] = {{"home", required_argument, NULL, O_HOME},
	                                    {"url", required_argument, NULL, O_URL},
	                                    {"user", required_argument, NULL, O_USER},
	                                    {"password-file", required_argument, NULL, O_PWFILE},
	                                    {"token-file", required_argument, NULL, O_TOKFILE},
	                                    {"ca", required_argument, NULL, O_CA},
	                                    {"key", required_argument, NULL, O_KEY},
	                                    {"trust", required_argument, NULL, O_TRUST},
	                                    {"groups", required_argument, NULL, O_GROUPS},
	                                    {"json", no_argument, NULL, O_JSON},
	                                    {"no-auth", no_argument, NULL, O_NOAUTH},
	                                    {"help", no_argument, NULL, O_HELP},
	                                    {NULL, 0, NULL, 0}};
	static const char letters[] = "HuUptckrgjnh"; /* one per entry of all[] */
	int c, idx;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "", all, &idx)) != -1) {
		if (c == '?') {
			help(stderr);
			return EXIT_USAGE;
		}
		for (idx = 0; all[idx].name != NULL && all[idx].val != c; idx++)
			;
		if (strchr(allowed, letters[idx]) == NULL && c != O_HOME && c != O_HELP) {
			cli_error(CMD, "%s: --%s does not apply", sub, all[idx].name);
			return EXIT_USAGE;
		}
		switch (c) {
		case O_HOME:
			o->home = optarg;
			break;
		case O_URL:
			o->url = optarg;
			break;
		case O_USER:
			o->user = optarg;
			break;
		case O_PWFILE:
			o->password_file = optarg;
			break;
		case O_TOKFILE:
			o->token_file = optarg;
			break;
		case O_CA:
			o->ca = optarg;
			break;
		case O_KEY:
			o->key = optarg;
			break;
		case O_TRUST:
			o->trust = optarg;
			break;
		case O_GROUPS:
			o->groups = optarg;
			break;
		case O_JSON:
			o->json = true;
			break;
		case O_NOAUTH:
			o->no_auth = true;
			break;
		case O_HELP:
			help(stdout);
			return -1;
		}
	}
	return 0;
}

/* ---- validation ---- */

static bool name_ok(const char *n)
{
	size_t len = strlen(n);

	if (len == 0 || len >= 64 || n[0] == '.' || n[0] == '-')
		return false;
	for (; *n != '\0'; n++)
		if (!((*n >= 'a' && *n <= 'z') || (*n >= 'A' && *n <= 'Z') ||
		      (*n >= '0' && *n <= '9') || *n == '.' || *n == '_' || *n == '-'))
			return false;
	return true;
}

static int check_url(const char *url, char *err)
{
	const char *host;

	if (strncmp(url, "https://", 8) == 0)
		host = url + 8;
	else if (strncmp(url, "http://", 7) == 0)
		host = url + 7;
	else
		return ent_errf(err, ENT_EINVAL, "--url %s: not an http:// or https:// URL", url);
	if (host[0] == '\0' || host[0] == '/' || strlen(url) >= sizeof(((struct ent_peer *)0)->url))
		return ent_errf(err, ENT_EINVAL, "--url %s: no host, or too long", url);
	for (const char *p = url; *p != '\0'; p++)
		if (*p <= ' ' || *p > '~')
			return ent_errf(err, ENT_EINVAL, "--url: spaces or control characters");
	return ENT_OK;
}

static int parse_trust(const char *s, int *out, char *err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (s[0] == '\0' || *end != '\0' || errno != 0 || v < 0 || v > 100)
		return ent_errf(err, ENT_EINVAL, "--trust %s: not a number from 0 to 100", s);
	*out = (int)v;
	return ENT_OK;
}

/* "ed25519:BASE64" or "BASE64" of 32 bytes; out gets the base64. */
static int parse_key(const char *s, char *out, size_t outsz, char *err)
{
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	const char *b64 = strncmp(s, "ed25519:", 8) == 0 ? s + 8 : s;
	size_t len = 0;

	if (sodium_base642bin(pk, sizeof(pk), b64, strlen(b64), NULL, &len, NULL,
	                      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    len != sizeof(pk))
		return ent_errf(
		    err, ENT_EINVAL,
		    "--key %s: not a base64 Ed25519 public key (32 bytes; node.pub holds "
		    "one)",
		    s);
	sodium_bin2base64(out, outsz, pk, sizeof(pk), sodium_base64_VARIANT_ORIGINAL);
	return ENT_OK;
}

/* Comma-separated names of [a-z0-9_-], without empty ones. */
static int parse_groups(const char *s, char *out, size_t outsz, char *err)
{
	size_t n = 0;

	if (strlen(s) >= outsz)
		return ent_errf(err, ENT_EINVAL, "--groups: too long");
	for (const char *p = s; *p != '\0'; p++) {
		if (*p == ',') {
			if (n > 0 && out[n - 1] != ',')
				out[n++] = ',';
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		      *p == '-'))
			return ent_errf(
			    err, ENT_EINVAL,
			    "--groups %s: group names are made of a-z, 0-9, '_' and '-'", s);
		out[n++] = *p;
	}
	if (n > 0 && out[n - 1] == ',')
		n--;
	out[n] = '\0';
	return ENT_OK;
}

/* A readable PEM certificate; out gets its absolute path. */
static int check_ca(const char *path, char *out, size_t outsz, char *err)
{
	char fp[100], *abs;
	int rc = ent_cert_fingerprint(path, fp, sizeof(fp), err);

	if (rc != ENT_OK) {
		ent_err_prefix(err, "--ca");
		return rc;
	}
	abs = realpath(path, NULL);
	if (abs == NULL || strlen(abs) >= outsz) {
		free(abs);
		return ent_errf(err, ENT_EIO, "--ca %s: %s", path, strerror(errno));
	}
	snprintf(out, outsz, "%s", abs);
	free(abs);
	return ENT_OK;
}

/* Reads the first line of a secret file that only its owner can read. */
static int read_secret(const char *path, char *out, size_t outsz, char *err)
{
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ent_errf(err, ENT_EIO, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ent_errf(err, ENT_EIO, "%s: not a regular file", path);
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		close(fd);
		return ent_errf(
		    err, ENT_EPERM,
		    "%s: secret file is accessible by group or others (mode %04o); run: "
		    "chmod 600 %s",
		    path, (unsigned)(st.st_mode & 07777), path);
	}
	n = read(fd, out, outsz - 1);
	close(fd);
	if (n < 0)
		return ent_errf(err, ENT_EIO, "%s: %s", path, strerror(errno));
	out[n] = '\0';
	out[strcspn(out, "\r\n")] = '\0';
	if (out[0] == '\0' || strlen(out) != strcspn(out, "\r\n")) {
		sodium_memzero(out, outsz);
		return ent_errf(err, ENT_EINVAL, "%s: empty, or its first line is too long", path);
	}
	if ((size_t)n == outsz - 1 && strlen(out) == (size_t)n) {
		sodium_memzero(out, outsz);
		return ent_errf(err, ENT_EINVAL, "%s: secret too long (at most %zu bytes)", path,
		                outsz - 2);
	}
	return ENT_OK;
}

/* Writes secret and a newline to path, mode 0600 whatever the umask. */
static int write_secret(const char *path, const char *secret, bool exclusive, char *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC), 0600);
	size_t len = strlen(secret);

	if (fd < 0)
		return ent_errf(err, ENT_EIO, "%s: %s", path, strerror(errno));
	if (fchmod(fd, 0600) != 0 || write(fd, secret, len) != (ssize_t)len ||
	    write(fd, "\n", 1) != 1 || fsync(fd) != 0) {
		int e = errno;

		close(fd);
		return ent_errf(err, ENT_EIO, "%s: %s", path, strerror(e));
	}
	return close(fd) == 0 ? ENT_OK : ent_errf(err, ENT_EIO, "%s: %s", path, strerror(errno));
}

/* ---- the outgoing credentials (add, set) ---- */

/* Applies --user/--password-file, --token-file or --no-auth to p, copying
 * the secret into the home as peers/NAME.secret. */
static int apply_outgoing_auth(struct ent_home *h, const struct peer_opts *o, struct ent_peer *p,
                               char *err)
{
	char secret[ENT_AUTH_SECRET_MAX], dir[PATH_MAX + 16], path[PATH_MAX + 96], *home;
	int rc;

	if (o->no_auth) {
		if (p->secret_path[0] != '\0')
			unlink(p->secret_path);
		snprintf(p->auth_kind, sizeof(p->auth_kind), "none");
		p->auth_user[0] = p->secret_path[0] = '\0';
		return ENT_OK;
	}
	if (o->password_file == NULL && o->token_file == NULL)
		return ENT_OK;
	if (o->password_file != NULL) {
		if (!ent_auth_user_ok(o->user))
			return ent_errf(err, ENT_EINVAL,
			                "--user %s: not a user name (no ':' or spaces)", o->user);
		rc = read_secret(o->password_file, secret, sizeof(secret), err);
	} else {
		rc = read_secret(o->token_file, secret, sizeof(secret), err);
	}
	if (rc != ENT_OK)
		return rc;
	/* an absolute path: the store does not know where the home is */
	home = realpath(h->dir, NULL);
	if (home == NULL) {
		rc = ent_errf(err, ENT_EIO, "%s: %s", h->dir, strerror(errno));
		goto out;
	}
	snprintf(dir, sizeof(dir), "%s/peers", home);
	free(home);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		rc = ent_errf(err, ENT_EIO, "%s: %s", dir, strerror(errno));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/%s.secret", dir, p->name);
	rc = write_secret(path, secret, false, err);
	if (rc != ENT_OK)
		goto out;
	snprintf(p->secret_path, sizeof(p->secret_path), "%s", path);
	if (o->password_file != NULL) {
		snprintf(p->auth_kind, sizeof(p->auth_kind), "basic");
		snprintf(p->auth_user, sizeof(p->auth_user), "%s", o->user);
	} else {
		snprintf(p->auth_kind, sizeof(p->auth_kind), "token");
		p->auth_user[0] = '\0';
	}
out:
	sodium_memzero(secret, sizeof(secret));
	return rc;
}

/* Checks and applies the options of add and set to p. */
static int apply_opts(struct ent_home *h, const struct peer_opts *o, struct ent_peer *p, char *err)
{
	int rc;

	if ((o->password_file != NULL) + (o->token_file != NULL) + o->no_auth > 1)
		return ent_errf(err, ENT_EINVAL,
		                "give one of --password-file, --token-file and --no-auth");
	if ((o->user != NULL) != (o->password_file != NULL))
		return ent_errf(err, ENT_EINVAL, "--user and --password-file go together");
	if (o->url != NULL) {
		if (o->url[0] != '\0' && (rc = check_url(o->url, err)) != ENT_OK)
			return rc;
		snprintf(p->url, sizeof(p->url), "%s", o->url);
	}
	if (o->trust != NULL && (rc = parse_trust(o->trust, &p->trust, err)) != ENT_OK)
		return rc;
	if (o->groups != NULL &&
	    (rc = parse_groups(o->groups, p->groups, sizeof(p->groups), err)) != ENT_OK)
		return rc;
	if (o->key != NULL) {
		p->public_key[0] = '\0';
		if (o->key[0] != '\0' &&
		    (rc = parse_key(o->key, p->public_key, sizeof(p->public_key), err)) != ENT_OK)
			return rc;
	}
	if (o->ca != NULL) {
		p->ca_path[0] = '\0';
		if (o->ca[0] != '\0' &&
		    (rc = check_ca(o->ca, p->ca_path, sizeof(p->ca_path), err)) != ENT_OK)
			return rc;
	}
	return apply_outgoing_auth(h, o, p, err);
}

/* ---- the subcommands ---- */

struct ctx {
	struct ent_home *home;
	struct ent_store *store;
	char err[ENT_ERRBUF_SIZE];
};

static int open_ctx(const char *home, struct ctx *c)
{
	c->home = cli_open_home(CMD, home);
	if (c->home == NULL)
		return EXIT_HOME;
	if (ent_home_store(c->home, 0, &c->store, c->err) != ENT_OK) {
		cli_error(CMD, "%s", c->err);
		ent_home_close(c->home);
		return EXIT_HOME;
	}
	return 0;
}

static void close_ctx(struct ctx *c)
{
	ent_store_close(c->store);
	ent_home_close(c->home);
}

/* Exactly one NAME after the options. */
static const char *one_name(const char *sub, int argc, char **argv)
{
	if (optind != argc - 1) {
		cli_error(CMD, "%s: %s", sub,
		          optind >= argc ? "give the peer's NAME" : "one NAME only");
		return NULL;
	}
	return argv[optind];
}

static void help_add(FILE *f)
{
	fprintf(f, "Usage: entente peer add NAME --trust 0..100 [--url URL]\n"
	           "         [--user U --password-file F | --token-file F] [--ca FILE]\n"
	           "         [--key PUBKEY] [--groups G,...] [--home DIR]\n\n"
	           "Adds a peer. --url is its TAXII 2.1 discovery or API root URL; --user and\n"
	           "--password-file (HTTP Basic) or --token-file (bearer token) are what we\n"
	           "present to it, copied into the home as peers/NAME.secret (the file must be\n"
	           "readable by its owner only); --ca pins its certificate or CA (PEM); --key is\n"
	           "its Ed25519 public key (entente peers: their node.pub); --groups are the\n"
	           "sharing groups it belongs to.\n");
}

static int cmd_add(int argc, char **argv)
{
	struct peer_opts o;
	struct ent_peer p = {0};
	struct ctx c = {0};
	const char *name;
	int rc = parse_opts("add", argc, argv, "uUptckrg", help_add, &o);

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if ((name = one_name("add", argc, argv)) == NULL)
		return EXIT_USAGE;
	if (!name_ok(name)) {
		cli_error(CMD, "add: '%s' is not a peer name (1-63 of A-Z a-z 0-9 . _ -)", name);
		return EXIT_USAGE;
	}
	if (o.trust == NULL) {
		cli_error(CMD, "add: --trust 0..100 is required");
		return EXIT_USAGE;
	}
	if ((rc = open_ctx(o.home, &c)) != 0)
		return rc;
	snprintf(p.name, sizeof(p.name), "%s", name);
	snprintf(p.auth_kind, sizeof(p.auth_kind), "none");
	if (ent_store_peer_get(c.store, name, &p, c.err) == ENT_OK) {
		cli_error(CMD, "add: peer '%s' already exists; change it with: entente peer set",
		          name);
		rc = EXIT_WORK;
		goto out;
	}
	if (apply_opts(c.home, &o, &p, c.err) != ENT_OK ||
	    ent_store_peer_add(c.store, &p, c.err) != ENT_OK) {
		cli_error(CMD, "add: %s", c.err);
		if (p.secret_path[0] != '\0')
			unlink(p.secret_path);
		rc = EXIT_WORK;
		goto out;
	}
	printf("peer %s added (trust %d)\n", p.name, p.trust);
	rc = 0;
out:
	close_ctx(&c);
	return rc;
}

static void help_set(FILE *f)
{
	fprintf(
	    f, "Usage: entente peer set NAME [--url URL] [--trust N] [--groups G,...]\n"
	       "         [--ca FILE] [--key PUBKEY]\n"
	       "         [--user U --password-file F | --token-file F | --no-auth] [--home DIR]\n\n"
	       "Changes what is given and keeps the rest; an empty value ('') clears --url,\n"
	       "--ca, --key and --groups. --no-auth stops presenting credentials.\n");
}

static int cmd_set(int argc, char **argv)
{
	struct peer_opts o;
	struct ent_peer p;
	struct ctx c = {0};
	const char *name;
	int rc = parse_opts("set", argc, argv, "uUptckrgn", help_set, &o);

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if ((name = one_name("set", argc, argv)) == NULL)
		return EXIT_USAGE;
	if ((rc = open_ctx(o.home, &c)) != 0)
		return rc;
	rc = EXIT_WORK;
	if (ent_store_peer_get(c.store, name, &p, c.err) != ENT_OK ||
	    apply_opts(c.home, &o, &p, c.err) != ENT_OK ||
	    ent_store_peer_update(c.store, &p, c.err) != ENT_OK) {
		cli_error(CMD, "set: %s", c.err);
		goto out;
	}
	printf("peer %s updated\n", p.name);
	rc = 0;
out:
	close_ctx(&c);
	return rc;
}

static void help_allow(FILE *f)
{
	fprintf(f, "Usage: entente peer allow NAME (--user U --password-file F | --token-file F)\n"
	           "         [--home DIR]\n\n"
	           "Gives the peer an account on our TAXII server: HTTP Basic with user U and\n"
	           "the password in F, or a bearer token. Only a hash of the secret is kept. The\n"
	           "file must be readable by its owner only. When the --token-file F does not\n"
	           "exist, a new token is made and written to F (mode 0600), to hand to the peer.\n"
	           "Allowing an existing user again sets a new password.\n");
}

static int cmd_allow(int argc, char **argv)
{
	struct peer_opts o;
	struct ent_peer p;
	struct ctx c = {0};
	char secret[ENT_AUTH_SECRET_MAX], id[ENT_AUTH_TOKEN_ID_LEN + 1];
	const char *name, *user;
	bool made = false;
	struct stat st;
	int rc = parse_opts("allow", argc, argv, "Upt", help_allow, &o);

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if ((name = one_name("allow", argc, argv)) == NULL)
		return EXIT_USAGE;
	if ((o.password_file != NULL) == (o.token_file != NULL) ||
	    (o.user != NULL) != (o.password_file != NULL)) {
		cli_error(CMD, "allow: give --user and --password-file, or --token-file");
		return EXIT_USAGE;
	}
	if (o.user != NULL && !ent_auth_user_ok(o.user)) {
		cli_error(CMD, "allow: --user %s: not a user name (no ':' or spaces)", o.user);
		return EXIT_USAGE;
	}
	if ((rc = open_ctx(o.home, &c)) != 0)
		return rc;
	rc = EXIT_WORK;
	if (ent_store_peer_get(c.store, name, &p, c.err) != ENT_OK) {
		cli_error(CMD, "allow: %s; add it first with: entente peer add", c.err);
		goto out;
	}
	if (o.token_file != NULL && stat(o.token_file, &st) != 0 && errno == ENOENT) {
		ent_auth_token_new(secret);
		if (write_secret(o.token_file, secret, true, c.err) != ENT_OK) {
			cli_error(CMD, "allow: %s", c.err);
			goto out;
		}
		made = true;
	} else if (read_secret(o.password_file ? o.password_file : o.token_file, secret,
	                       sizeof(secret), c.err) != ENT_OK) {
		cli_error(CMD, "allow: %s", c.err);
		goto out;
	}
	user = o.user;
	if (o.token_file != NULL) {
		if (!ent_auth_token_id(secret, id)) {
			cli_error(
			    CMD,
			    "allow: %s: not an entente token (ent_<16 of a-z0-9>_<secret>); give "
			    "a file name that does not exist and one is made",
			    o.token_file);
			goto out;
		}
		user = id;
	}
	if (ent_store_account_add(c.store, p.id, o.token_file ? "token" : "basic", user, secret,
	                          NULL, c.err) != ENT_OK) {
		cli_error(CMD, "allow: %s", c.err);
		if (made)
			unlink(o.token_file);
		goto out;
	}
	if (made)
		printf("peer %s allowed with a new token %s... (written to %s)\n", p.name, id,
		       o.token_file);
	else
		printf("peer %s allowed as %s\n", p.name, user);
	rc = 0;
out:
	sodium_memzero(secret, sizeof(secret));
	close_ctx(&c);
	return rc;
}

static void help_deny(FILE *f)
{
	fprintf(f, "Usage: entente peer deny NAME [--user U] [--home DIR]\n\n"
	           "Removes the peer's accounts on our server, or only user U (for a token, its\n"
	           "id: the ent_... before the second '_'). Takes effect at once, also for a\n"
	           "running server.\n");
}

static int cmd_deny(int argc, char **argv)
{
	struct peer_opts o;
	struct ent_peer p;
	struct ctx c = {0};
	const char *name;
	int n = 0, rc = parse_opts("deny", argc, argv, "U", help_deny, &o);

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if ((name = one_name("deny", argc, argv)) == NULL)
		return EXIT_USAGE;
	if ((rc = open_ctx(o.home, &c)) != 0)
		return rc;
	rc = EXIT_WORK;
	if (ent_store_peer_get(c.store, name, &p, c.err) != ENT_OK ||
	    ent_store_account_remove(c.store, p.id, o.user, &n, c.err) != ENT_OK) {
		cli_error(CMD, "deny: %s", c.err);
		goto out;
	}
	if (n == 0 && o.user != NULL) {
		cli_error(CMD, "deny: peer %s has no account '%s'", name, o.user);
		goto out;
	}
	printf("peer %s: %d account%s removed\n", name, n, n == 1 ? "" : "s");
	rc = 0;
out:
	close_ctx(&c);
	return rc;
}

static int add_account_json(void *ctx, const struct ent_peer_account *a)
{
	char when[ENT_TIME_STRLEN];

	ent_time_format(a->created_ms, when);
	json_array_append_new(
	    ctx, json_pack("{s:s, s:s, s:s}", "kind", a->kind, "user", a->user, "created", when));
	return 0;
}

/* The peer as JSON, with its accounts when store is given. */
static json_t *peer_json(const struct ent_peer *p, struct ent_store *store)
{
	char created[ENT_TIME_STRLEN], updated[ENT_TIME_STRLEN];
	json_t *o = json_object();

	ent_time_format(p->created_ms, created);
	ent_time_format(p->updated_ms, updated);
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "url", p->url[0] ? json_string(p->url) : json_null());
	json_object_set_new(o, "trust", json_integer(p->trust));
	json_object_set_new(o, "groups", json_string(p->groups));
	json_object_set_new(o, "auth", json_string(p->auth_kind));
	if (p->auth_user[0])
		json_object_set_new(o, "user", json_string(p->auth_user));
	if (p->secret_path[0])
		json_object_set_new(o, "secret_file", json_string(p->secret_path));
	json_object_set_new(o, "ca", p->ca_path[0] ? json_string(p->ca_path) : json_null());
	json_object_set_new(o, "key", p->public_key[0] ? json_string(p->public_key) : json_null());
	if (p->identity_ref[0])
		json_object_set_new(o, "identity", json_string(p->identity_ref));
	json_object_set_new(o, "accounts_count", json_integer(p->accounts));
	json_object_set_new(o, "created", json_string(created));
	json_object_set_new(o, "updated", json_string(updated));
	if (store != NULL) {
		json_t *acc = json_array();

		if (ent_store_accounts_foreach(store, p->id, add_account_json, acc, NULL) !=
		    ENT_OK) {
			json_decref(acc);
			acc = json_null();
		}
		json_object_set_new(o, "accounts", acc);
	}
	return o;
}

static void print_json(json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);

	if (text != NULL)
		puts(text);
	free(text);
	json_decref(o);
}

static int list_one(void *ctx, const struct ent_peer *p)
{
	const bool *json = ctx;

	if (*json)
		print_json(peer_json(p, NULL));
	else
		printf("%s\t%d\t%s\t%s\t%s\t%d\n", p->name, p->trust, p->url[0] ? p->url : "-",
		       p->auth_kind, p->groups[0] ? p->groups : "-", p->accounts);
	return 0;
}

static void help_list(FILE *f)
{
	fprintf(f, "Usage: entente peer list [--json] [--home DIR]\n\n"
	           "One line per peer: name, trust, URL, how we authenticate to it (none, basic,\n"
	           "token), its groups, and how many accounts it has on our server. --json: one\n"
	           "JSON object per line.\n");
}

static int cmd_list(int argc, char **argv)
{
	struct peer_opts o;
	struct ctx c = {0};
	int rc = parse_opts("list", argc, argv, "j", help_list, &o);

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if (optind != argc) {
		cli_error(CMD, "list: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	if ((rc = open_ctx(o.home, &c)) != 0)
		return rc;
	rc = ent_store_peers_foreach(c.store, list_one, &o.json, c.err);
	if (rc != ENT_OK)
		cli_error(CMD, "list: %s", c.err);
	close_ctx(&c);
	return rc == ENT_OK ? 0 : EXIT_WORK;
}

static int show_account(void *ctx, const struct ent_peer_account *a)
{
	char when[ENT_TIME_STRLEN];

	(void)ctx;
	ent_time_format(a->created_ms, when);
	printf("account      %s %s (since %s)\n", a->kind, a->user, when);
	return 0;
}

static void help_show(FILE *f)
{
	fprintf(f, "Usage: entente peer show NAME [--json] [--home DIR]\n\n"
	           "Everything known about the peer and its accounts on our server; secrets\n"
	           "never (only the file the outgoing one is in).\n");
}

static int cmd_show(int argc, char **argv)
{
	struct peer_opts o;
	struct ent_peer p;
	struct ctx c = {0};
	const char *name;
	int rc = parse_opts("show", argc, argv, "j", help_show, &o);

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if ((name = one_name("show", argc, argv)) == NULL)
		return EXIT_USAGE;
	if ((rc = open_ctx(o.home, &c)) != 0)
		return rc;
	rc = EXIT_WORK;
	if (ent_store_peer_get(c.store, name, &p, c.err) != ENT_OK) {
		cli_error(CMD, "show: %s", c.err);
		goto out;
	}
	if (o.json) {
		print_json(peer_json(&p, c.store));
	} else {
		char created[ENT_TIME_STRLEN];

		ent_time_format(p.created_ms, created);
		printf("name         %s\nurl          %s\ntrust        %d\ngroups       %s\n"
		       "auth         %s%s%s\n",
		       p.name, p.url[0] ? p.url : "-", p.trust, p.groups[0] ? p.groups : "-",
		       p.auth_kind, p.auth_user[0] ? " as " : "", p.auth_user);
		if (p.secret_path[0])
			printf("secret file  %s\n", p.secret_path);
		printf("ca           %s\nkey          %s\n",
		       p.ca_path[0] ? p.ca_path : "(system CAs)",
		       p.public_key[0] ? p.public_key : "-");
		if (p.identity_ref[0])
			printf("identity     %s\n", p.identity_ref);
		printf("created      %s\n", created);
		if (ent_store_accounts_foreach(c.store, p.id, show_account, NULL, c.err) !=
		    ENT_OK) {
			cli_error(CMD, "show: %s", c.err);
			goto out;
		}
	}
	rc = 0;
out:
	close_ctx(&c);
	return rc;
}

static void help_remove(FILE *f)
{
	fprintf(f, "Usage: entente peer remove NAME [--home DIR]\n\n"
	           "Removes the peer, its accounts on our server, its sync state and the secret\n"
	           "we present to it. Objects already received from it stay.\n");
}

static int cmd_remove(int argc, char **argv)
{
	struct peer_opts o;
	struct ent_peer p;
	struct ctx c = {0};
	const char *name;
	int rc = parse_opts("remove", argc, argv, "", help_remove, &o);

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if ((name = one_name("remove", argc, argv)) == NULL)
		return EXIT_USAGE;
	if ((rc = open_ctx(o.home, &c)) != 0)
		return rc;
	rc = EXIT_WORK;
	if (ent_store_peer_get(c.store, name, &p, c.err) != ENT_OK ||
	    ent_store_peer_remove(c.store, name, c.err) != ENT_OK) {
		cli_error(CMD, "remove: %s", c.err);
		goto out;
	}
	if (p.secret_path[0] != '\0')
		unlink(p.secret_path);
	printf("peer %s removed\n", name);
	rc = 0;
out:
	close_ctx(&c);
	return rc;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} subs[] = {
    {"add", cmd_add},   {"set", cmd_set},   {"allow", cmd_allow},   {"deny", cmd_deny},
    {"list", cmd_list}, {"show", cmd_show}, {"remove", cmd_remove},
};

int peer_main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].fn(argc - 1, argv + 1);
	cli_error(CMD, "unknown command '%s'", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
