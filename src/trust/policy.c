/* policy.c - the local policy and its confidence functions (see policy.h). */
#include "trust/policy.h"

#include "trust/sign.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY (24 * 3600LL)

void ent_policy_defaults(struct ent_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->min_confidence_alert = 0;
	p->min_confidence_export = 0;
	p->unknown_confidence = 50;
	p->unsigned_action = ENT_UNSIGNED_LOWER;
	p->unsigned_trust = 50;
	p->sightings_anonymous = false;
	p->default_tlp = ENT_TLP_AMBER;
	/* addresses change hands quickly; names and URLs more slowly; a file
	 * hash or a certificate stays what it was */
	p->half_life_s[ENT_OBS_IPV4] = 30 * DAY;
	p->half_life_s[ENT_OBS_IPV6] = 30 * DAY;
	p->half_life_s[ENT_OBS_DOMAIN] = 90 * DAY;
	p->half_life_s[ENT_OBS_URL] = 90 * DAY;
	p->half_life_s[ENT_OBS_EMAIL] = 180 * DAY;
	p->half_life_s[ENT_OBS_JA3] = 180 * DAY;
	p->half_life_s[ENT_OBS_JA4] = 180 * DAY;
}

int ent_policy_parse_duration(const char *s, int64_t *out_s)
{
	static const struct {
		char unit;
		int64_t seconds;
	} units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', DAY}, {'w', 7 * DAY}};
	int64_t mult = 1;
	char *end;
	long long n;

	if (s == NULL || *s < '0' || *s > '9')
		return ENT_EINVAL;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno != 0)
		return ENT_EINVAL;
	if (*end != '\0') {
		size_t i;

		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (*end == units[i].unit)
				break;
		if (i == sizeof(units) / sizeof(units[0]) || end[1] != '\0')
			return ENT_EINVAL;
		mult = units[i].seconds;
	}
	if (n > 100 * 366 * DAY / mult)
		return ENT_EINVAL;
	*out_s = (int64_t)n * mult;
	return ENT_OK;
}

void ent_policy_format_duration(int64_t s, char out[24])
{
	if (s == 0)
		snprintf(out, 24, "0");
	else if (s % (7 * DAY) == 0)
		snprintf(out, 24, "%lldw", (long long)(s / (7 * DAY)));
	else if (s % DAY == 0)
		snprintf(out, 24, "%lldd", (long long)(s / DAY));
	else if (s % 3600 == 0)
		snprintf(out, 24, "%lldh", (long long)(s / 3600));
	else if (s % 60 == 0)
		snprintf(out, 24, "%lldm", (long long)(s / 60));
	else
		snprintf(out, 24, "%llds", (long long)s);
}

static int clamp100(int v)
{
	return v < 0 ? 0 : v > 100 ? 100 : v;
}

int ent_policy_relayed(int producer_confidence, const int *trust, size_t n)
{
	/* exact: c * t1 * ... * tn / 100^n, rounded half up; with n <= 8 the
	 * numerator is at most 100^9 = 1e18, well inside uint64_t (x2 too) */
	uint64_t num = (uint64_t)clamp100(producer_confidence), den = 1;

	if (n > ENT_POLICY_MAX_HOPS)
		return 0;
	for (size_t i = 0; i < n; i++) {
		num *= (uint64_t)clamp100(trust[i]);
		den *= 100;
	}
	return (int)((2 * num + den) / (2 * den));
}

int ent_policy_decay(int confidence, int64_t age_s, int64_t half_life_s)
{
	double v;

	confidence = clamp100(confidence);
	if (half_life_s <= 0 || age_s <= 0)
		return confidence;
	v = (double)confidence * exp2(-(double)age_s / (double)half_life_s);
	return (int)floor(v + 0.5);
}

int ent_policy_effective(const struct ent_policy *p, enum ent_obs_kind kind,
                         int producer_confidence, const int *trust, size_t n, bool unsigned_lower,
                         int64_t age_s)
{
	int hops[ENT_POLICY_MAX_HOPS + 1];
	int c = producer_confidence < 0 ? p->unknown_confidence : producer_confidence;
	int64_t hl = kind > ENT_OBS_NONE && kind < ENT_OBS_KIND_COUNT ? p->half_life_s[kind] : 0;
	size_t k = 0;

	if (n > ENT_POLICY_MAX_HOPS || (unsigned_lower && n == ENT_POLICY_MAX_HOPS))
		return 0;
	for (; k < n; k++)
		hops[k] = trust[k];
	if (unsigned_lower)
		hops[k++] = p->unsigned_trust;
	return ent_policy_decay(ent_policy_relayed(c, hops, k), age_s, hl);
}

bool ent_policy_may_alert(const struct ent_policy *p, int effective_confidence)
{
	return effective_confidence >= p->min_confidence_alert;
}

bool ent_policy_may_export(const struct ent_policy *p, int effective_confidence)
{
	return effective_confidence >= p->min_confidence_export;
}

const char *ent_policy_unsigned_name(enum ent_policy_unsigned u)
{
	switch (u) {
	case ENT_UNSIGNED_ACCEPT:
		return "accept";
	case ENT_UNSIGNED_LOWER:
		return "lower";
	default:
		return "reject";
	}
}

int ent_policy_load(const struct ent_config *c, struct ent_policy *out, char *errbuf)
{
	struct ent_policy p;
	const char *v;
	int rc;

	ent_policy_defaults(&p);
	if ((rc = ent_config_get_int(c, "match.min_confidence", 0, 0, 100, &p.min_confidence_alert,
	                             errbuf)) != ENT_OK ||
	    (rc = ent_config_get_int(c, "policy.min_confidence_alert", p.min_confidence_alert, 0,
	                             100, &p.min_confidence_alert, errbuf)) != ENT_OK ||
	    (rc = ent_config_get_int(c, "policy.min_confidence_export", p.min_confidence_export, 0,
	                             100, &p.min_confidence_export, errbuf)) != ENT_OK ||
	    (rc = ent_config_get_int(c, "policy.unknown_confidence", p.unknown_confidence, 0, 100,
	                             &p.unknown_confidence, errbuf)) != ENT_OK ||
	    (rc = ent_config_get_int(c, "policy.unsigned_trust", p.unsigned_trust, 0, 100,
	                             &p.unsigned_trust, errbuf)) != ENT_OK)
		return rc;
	v = ent_config_get(c, "policy.unsigned", NULL);
	if (v != NULL) {
		if (strcmp(v, "accept") == 0)
			p.unsigned_action = ENT_UNSIGNED_ACCEPT;
		else if (strcmp(v, "lower") == 0)
			p.unsigned_action = ENT_UNSIGNED_LOWER;
		else if (strcmp(v, "reject") == 0)
			p.unsigned_action = ENT_UNSIGNED_REJECT;
		else
			return ent_errf(
			    errbuf, ENT_EINVAL,
			    "setting policy.unsigned: '%s' is not accept, lower or reject", v);
	}
	v = ent_config_get(c, "policy.sightings", NULL);
	if (v != NULL) {
		if (strcmp(v, "identity") != 0 && strcmp(v, "anonymous") != 0)
			return ent_errf(
			    errbuf, ENT_EINVAL,
			    "setting policy.sightings: '%s' is not identity or anonymous", v);
		p.sightings_anonymous = strcmp(v, "anonymous") == 0;
	}
	v = ent_config_get(c, "import.default_tlp", NULL);
	if (v != NULL && (p.default_tlp = ent_tlp_parse(v)) == ENT_TLP_NONE)
		return ent_errf(errbuf, ENT_EINVAL,
		                "setting import.default_tlp: '%s' is not a TLP level", v);
	for (int k = ENT_OBS_NONE + 1; k < ENT_OBS_KIND_COUNT; k++) {
		char key[64];

		snprintf(key, sizeof(key), "policy.half_life_%s",
		         ent_obs_kind_name((enum ent_obs_kind)k));
		v = ent_config_get(c, key, NULL);
		if (v != NULL && ent_policy_parse_duration(v, &p.half_life_s[k]) != ENT_OK)
			return ent_errf(
			    errbuf, ENT_EINVAL,
			    "setting %s: '%s' is not a duration (0, 3600, 12h, 30d, 2w)", key, v);
	}
	*out = p;
	return ENT_OK;
}
