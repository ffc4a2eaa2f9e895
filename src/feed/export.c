/*
 * export.c - blocklists from the active indicators (see export.h).
 *
 * One pass over the active observables (the same rows the sensor
 * compiles), each judged by the egress filter, the export confidence and
 * the allowlists; what passes is written in the chosen format.
 */
#include "feed/export.h"

#include <string.h>

#include "core/buf.h"
#include "core/timefmt.h"

struct export_ctx {
	const struct ent_export_opts *o;
	FILE *out;
	struct ent_export_summary *sum;
	struct ent_buf v4, v6; /* nftables: the sets' elements, written at the end */
	int err;
	uint32_t next_sid; /* Suricata: rule ids, unique within the file */
};

/* Whether this observable may be exported at all. */
static bool passes(struct export_ctx *x, const struct ent_store_active_obs *ob)
{
	const struct ent_policy *p = x->o->policy;
	enum ent_tlp tlp = ob->tlp != NULL ? ent_tlp_parse(ob->tlp) : p->default_tlp;
	int conf;

	/* the collection stands for nothing here: AMBER goes only to our own */
	if (!ent_egress_allowed(tlp, NULL, &x->o->dest)) {
		x->sum->by_tlp++;
		return false;
	}
	conf = ent_policy_decay(ob->confidence >= 0 ? ob->confidence : p->unknown_confidence,
	                        (x->o->now_ms - ob->version_ms) / 1000, p->half_life_s[ob->kind]);
	if (!ent_policy_may_export(p, conf)) {
		x->sum->by_confidence++;
		return false;
	}
	if (x->o->allow != NULL && ent_allowlists_match(x->o->allow, ob->kind, ob->value, NULL)) {
		x->sum->by_allowlist++;
		return false;
	}
	return true;
}

/* A DNS name is written only when it is plain: letters, digits, '-', '.', '_'. */
static bool plain_name(const char *v)
{
	for (; *v != '\0'; v++)
		if (!((*v >= 'a' && *v <= 'z') || (*v >= '0' && *v <= '9') || *v == '-' ||
		      *v == '.' || *v == '_'))
			return false;
	return true;
}

/* RPZ (draft-vixie-dnsop-dns-rpz): a name and its subdomains answer
 * NXDOMAIN (CNAME .); an IPv4 address or network in answers, rpz-ip. */
static void rpz_entry(struct export_ctx *x, const struct ent_store_active_obs *ob)
{
	FILE *f = x->out;

	if (ob->kind == ENT_OBS_DOMAIN && plain_name(ob->value)) {
		fprintf(f, "%s CNAME . ; %s\n*.%s CNAME .\n", ob->value, ob->stix_id, ob->value);
		x->sum->written++;
	} else if (ob->kind == ENT_OBS_IPV4) {
		unsigned a, b, c, d, len = 32;

		if (sscanf(ob->value, "%u.%u.%u.%u/%u", &a, &b, &c, &d, &len) < 4) {
			x->sum->unsupported++;
			return;
		}
		fprintf(f, "%u.%u.%u.%u.%u.rpz-ip CNAME . ; %s\n", len, d, c, b, a, ob->stix_id);
		x->sum->written++;
	} else {
		x->sum->unsupported++;
	}
}

static void nft_entry(struct export_ctx *x, const struct ent_store_active_obs *ob)
{
	struct ent_buf *b = ob->kind == ENT_OBS_IPV4   ? &x->v4
	                    : ob->kind == ENT_OBS_IPV6 ? &x->v6
	                                               : NULL;

	if (b == NULL) {
		x->sum->unsupported++;
		return;
	}
	if ((b->len > 0 && ent_buf_puts(b, ",\n") != ENT_OK) ||
	    ent_buf_puts(b, "\t\t\t") != ENT_OK || ent_buf_puts(b, ob->value) != ENT_OK)
		x->err = ENT_ENOMEM;
	x->sum->written++;
}

/* One set; nftables refuses an empty elements list, so none is written. */
static void nft_set(FILE *f, const char *name, const char *type, const struct ent_buf *b)
{
	fprintf(f, "\tset %s {\n\t\ttype %s\n\t\tflags interval\n\t\tauto-merge\n", name, type);
	if (b->len > 0)
		fprintf(f, "\t\telements = {\n%s\n\t\t}\n", b->data);
	fprintf(f, "\t}\n");
}

/* A Suricata content string: printable ASCII except the rule's own
 * delimiters, which go as hex. */
static void sur_content(FILE *f, const char *v)
{
	bool hex = false;

	fputc('"', f);
	for (; *v != '\0'; v++) {
		unsigned char ch = (unsigned char)*v;
		bool plain =
		    ch >= 0x20 && ch < 0x7f && ch != '"' && ch != ';' && ch != '\\' && ch != '|';

		if (plain == hex)
			fputc('|', f), hex = !hex;
		if (plain)
			fputc(ch, f);
		else
			fprintf(f, "%02X ", ch);
	}
	if (hex)
		fputc('|', f);
	fputc('"', f);
}

static void sur_rule(struct export_ctx *x, const struct ent_store_active_obs *ob, const char *proto,
                     const char *sticky, const char *what)
{
	FILE *f = x->out;

	fprintf(f, "alert %s any any -> any any (msg:\"entente %s %s\"; %s; content:", proto, what,
	        ob->stix_id, sticky);
	sur_content(f, ob->value);
	fprintf(f, "; nocase; %ssid:%u; rev:1; metadata:entente_indicator %s;)\n",
	        strcmp(what, "ja3") == 0 ? "" : "endswith; ", x->next_sid++, ob->stix_id);
	x->sum->written++;
}

static void suricata_entry(struct export_ctx *x, const struct ent_store_active_obs *ob)
{
	switch (ob->kind) {
	case ENT_OBS_DOMAIN:
		if (!plain_name(ob->value))
			break;
		sur_rule(x, ob, "dns", "dns.query", "domain");
		sur_rule(x, ob, "tls", "tls.sni", "domain");
		sur_rule(x, ob, "http", "http.host", "domain");
		return;
	case ENT_OBS_IPV4:
	case ENT_OBS_IPV6:
		fprintf(x->out,
		        "alert ip [%s] any <> any any (msg:\"entente address %s\"; sid:%u; rev:1; "
		        "metadata:entente_indicator %s;)\n",
		        ob->value, ob->stix_id, x->next_sid++, ob->stix_id);
		x->sum->written++;
		return;
	case ENT_OBS_JA3:
		sur_rule(x, ob, "tls", "ja3.hash", "ja3");
		return;
	default:
		break;
	}
	x->sum->unsupported++;
}

static int each_obs(void *vctx, const struct ent_store_active_obs *ob)
{
	struct export_ctx *x = vctx;

	if (!passes(x, ob))
		return 0;
	switch (x->o->format) {
	case ENT_EXPORT_RPZ:
		rpz_entry(x, ob);
		break;
	case ENT_EXPORT_NFTABLES:
		nft_entry(x, ob);
		break;
	case ENT_EXPORT_SURICATA:
		suricata_entry(x, ob);
		break;
	}
	return x->err;
}

int ent_export(struct ent_store *s, const struct ent_export_opts *o, FILE *out,
               struct ent_export_summary *sum, char *errbuf)
{
	/* sids from 1,000,000 up, in the order of the store's rows: unique in
	 * the file (one indicator may give several rules); the indicator is in
	 * each rule's metadata */
	struct export_ctx x = {.o = o, .out = out, .sum = sum, .next_sid = 1000000};
	char now[ENT_TIME_STRLEN];
	int rc;

	memset(sum, 0, sizeof(*sum));
	ent_buf_init(&x.v4, (size_t)1 << 30);
	ent_buf_init(&x.v6, (size_t)1 << 30);
	ent_time_format(o->now_ms, now);
	if (o->format == ENT_EXPORT_RPZ)
		fprintf(out,
		        "; entente blocklist, %s\n$TTL 300\n@ SOA localhost. hostmaster.localhost. "
		        "%lld 3600 600 604800 300\n@ NS localhost.\n",
		        now, (long long)(o->now_ms / 1000));
	else if (o->format == ENT_EXPORT_SURICATA)
		fprintf(out, "# entente rules, %s\n", now);
	rc = ent_store_active_observables_foreach(s, o->now_ms, each_obs, &x, errbuf);
	if (rc == ENT_ENOMEM)
		ent_errf(errbuf, rc, "out of memory");
	if (rc == ENT_OK && o->format == ENT_EXPORT_NFTABLES) {
		/* replaces the table whole: `nft -f` applies the file atomically */
		fprintf(out,
		        "# entente blocklist, %s\ntable inet entente\ndelete table inet entente\n"
		        "table inet entente {\n",
		        now);
		nft_set(out, "blocklist4", "ipv4_addr", &x.v4);
		nft_set(out, "blocklist6", "ipv6_addr", &x.v6);
		fprintf(
		    out,
		    "\tchain input {\n\t\ttype filter hook input priority filter - 10; policy "
		    "accept;\n"
		    "\t\tip saddr @blocklist4 drop\n\t\tip6 saddr @blocklist6 drop\n\t}\n"
		    "\tchain forward {\n\t\ttype filter hook forward priority filter - 10; policy "
		    "accept;\n\t\tip daddr @blocklist4 drop\n\t\tip6 daddr @blocklist6 drop\n"
		    "\t\tip saddr @blocklist4 drop\n\t\tip6 saddr @blocklist6 drop\n\t}\n"
		    "\tchain output {\n\t\ttype filter hook output priority filter - 10; policy "
		    "accept;\n\t\tip daddr @blocklist4 drop\n\t\tip6 daddr @blocklist6 "
		    "drop\n\t}\n}\n");
	}
	ent_buf_free(&x.v4);
	ent_buf_free(&x.v6);
	if (rc == ENT_OK && ferror(out))
		rc = ent_errf(errbuf, ENT_EIO, "writing the list failed");
	return rc;
}

bool ent_export_format_parse(const char *name, enum ent_export_format *out)
{
	if (strcmp(name, "rpz") == 0)
		*out = ENT_EXPORT_RPZ;
	else if (strcmp(name, "nftables") == 0)
		*out = ENT_EXPORT_NFTABLES;
	else if (strcmp(name, "suricata") == 0)
		*out = ENT_EXPORT_SURICATA;
	else
		return false;
	return true;
}
