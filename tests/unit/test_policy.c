/*
 * test_policy.c - the local policy (trust/policy.h): the effective
 * confidence and decay functions against values computed by hand (written
 * out next to each check), durations, and reading the [policy] section.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "trust/policy.h"
#include "trust/sign.h"

#define DAY 86400LL

static void test_relayed(void **state)
{
	const int t90_50[] = {90, 50}, t50[] = {50}, t90[] = {90}, t100_100[] = {100, 100};
	const int t0[] = {0}, t33[] = {33, 33};
	const int eight[8] = {100, 100, 100, 100, 100, 100, 100, 100};
	const int nine[9] = {100, 100, 100, 100, 100, 100, 100, 100, 100};

	(void)state;
	assert_int_equal(ent_policy_relayed(80, t90_50, 2), 36); /* 80*.9*.5 = 36 */
	assert_int_equal(ent_policy_relayed(75, t50, 1), 38);    /* 37.5 rounds up */
	assert_int_equal(ent_policy_relayed(45, t90, 1), 41);    /* 40.5 rounds up, exactly */
	assert_int_equal(ent_policy_relayed(33, t33, 2), 4);     /* 35937/10000 = 3.59 */
	assert_int_equal(ent_policy_relayed(100, NULL, 0), 100); /* our own: no hop */
	assert_int_equal(ent_policy_relayed(70, t100_100, 2), 70);
	assert_int_equal(ent_policy_relayed(80, t0, 1), 0); /* an untrusted peer */
	assert_int_equal(ent_policy_relayed(150, NULL, 0), 100);
	assert_int_equal(ent_policy_relayed(-5, NULL, 0), 0);
	assert_int_equal(ent_policy_relayed(64, eight, 8), 64);
	assert_int_equal(ent_policy_relayed(64, nine, 9), 0); /* beyond MAX_HOPS */
}

static void test_decay(void **state)
{
	const int64_t hl = 30 * DAY;

	(void)state;
	assert_int_equal(ent_policy_decay(80, 0, hl), 80);
	assert_int_equal(ent_policy_decay(80, hl, hl), 40);        /* 80/2 */
	assert_int_equal(ent_policy_decay(80, 2 * hl, hl), 20);    /* 80/4 */
	assert_int_equal(ent_policy_decay(80, 3 * hl, hl), 10);    /* 80/8 */
	assert_int_equal(ent_policy_decay(90, 3 * hl, hl), 11);    /* 11.25 */
	assert_int_equal(ent_policy_decay(75, hl, hl), 38);        /* 37.5 rounds up */
	assert_int_equal(ent_policy_decay(100, hl / 2, hl), 71);   /* 100/sqrt(2) = 70.71 */
	assert_int_equal(ent_policy_decay(100, 10 * hl, hl), 0);   /* 100/1024 = 0.098 */
	assert_int_equal(ent_policy_decay(100, 6 * hl, hl), 2);    /* 100/64 = 1.5625 */
	assert_int_equal(ent_policy_decay(80, 1000 * DAY, 0), 80); /* no decay */
	assert_int_equal(ent_policy_decay(80, -DAY, hl), 80);      /* from the future */
}

static void test_effective(void **state)
{
	struct ent_policy p;
	const int t90[] = {90};

	(void)state;
	ent_policy_defaults(&p);
	/* 80 through a peer trusted 90: 72; an IPv4 half-life (30d) later: 36 */
	assert_int_equal(ent_policy_effective(&p, ENT_OBS_IPV4, 80, t90, 1, false, 30 * DAY), 36);
	/* the same unsigned, policy lower with unsigned_trust 50: 80*.9*.5 = 36,
	 * then halved: 18 */
	assert_int_equal(ent_policy_effective(&p, ENT_OBS_IPV4, 80, t90, 1, true, 30 * DAY), 18);
	/* no confidence given: unknown_confidence 50 */
	assert_int_equal(ent_policy_effective(&p, ENT_OBS_DOMAIN, -1, NULL, 0, false, 0), 50);
	/* a domain halves in 90 days: 80 -> 40 */
	assert_int_equal(ent_policy_effective(&p, ENT_OBS_DOMAIN, 80, NULL, 0, false, 90 * DAY),
	                 40);
	/* a file hash does not decay */
	assert_int_equal(ent_policy_effective(&p, ENT_OBS_SHA256, 80, NULL, 0, false, 3650 * DAY),
	                 80);
	p.min_confidence_alert = 40;
	p.min_confidence_export = 60;
	assert_true(ent_policy_may_alert(&p, 40));
	assert_false(ent_policy_may_alert(&p, 39));
	assert_false(ent_policy_may_export(&p, 59));
	assert_true(ent_policy_may_export(&p, 60));
}

static void test_durations(void **state)
{
	static const struct {
		const char *text;
		int64_t s;
	} ok[] = {{"0", 0},       {"3600", 3600},   {"90s", 90},     {"30m", 1800},
	          {"12h", 43200}, {"30d", 2592000}, {"2w", 1209600}, {"36500d", 3153600000}};
	static const char *const bad[] = {
	    "", "d", "-1", "1dd", "1y", "1 d", "99999999999999999999", "40000d", " 1"};
	char buf[24];
	int64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(ent_policy_parse_duration(ok[i].text, &v), ENT_OK);
		assert_int_equal(v, ok[i].s);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ent_policy_parse_duration(bad[i], &v) == ENT_OK)
			fail_msg("'%s' accepted as a duration", bad[i]);
	ent_policy_format_duration(2592000, buf);
	assert_string_equal(buf, "30d");
	ent_policy_format_duration(14 * DAY, buf);
	assert_string_equal(buf, "2w");
	ent_policy_format_duration(43200, buf);
	assert_string_equal(buf, "12h");
	ent_policy_format_duration(90, buf);
	assert_string_equal(buf, "90s");
	ent_policy_format_duration(0, buf);
	assert_string_equal(buf, "0");
}

static int load_text(const char *text, struct ent_policy *p, char *err)
{
	char *dir = tu_mkdtemp(), path[512];
	struct ent_config *c;
	FILE *f;
	int rc;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/entente.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	rc = ent_config_load(path, &c, err);
	assert_int_equal(rc, ENT_OK);
	rc = ent_policy_load(c, p, err);
	ent_config_free(c);
	remove(path);
	rmdir(dir);
	free(dir);
	return rc;
}

static void test_load(void **state)
{
	struct ent_policy p;
	char err[ENT_ERRBUF_SIZE];

	(void)state;
	assert_int_equal(ent_policy_load(NULL, &p, err), ENT_OK);
	assert_int_equal(p.unsigned_action, ENT_UNSIGNED_LOWER);
	assert_int_equal(p.half_life_s[ENT_OBS_IPV4], 30 * DAY);
	assert_int_equal(p.half_life_s[ENT_OBS_SHA256], 0);
	assert_int_equal(p.default_tlp, ENT_TLP_AMBER);

	assert_int_equal(load_text("[import]\ndefault_tlp = green\n"
	                           "[match]\nmin_confidence = 30\n"
	                           "[policy]\nmin_confidence_export = 60\nunsigned = reject\n"
	                           "unsigned_trust = 20\nsightings = anonymous\n"
	                           "half_life_ipv4 = 7d\nhalf_life_x509-sha1 = 2w\n",
	                           &p, err),
	                 ENT_OK);
	assert_int_equal(p.min_confidence_alert, 30); /* from match.min_confidence */
	assert_int_equal(p.min_confidence_export, 60);
	assert_int_equal(p.unsigned_action, ENT_UNSIGNED_REJECT);
	assert_int_equal(p.unsigned_trust, 20);
	assert_true(p.sightings_anonymous);
	assert_int_equal(p.default_tlp, ENT_TLP_GREEN);
	assert_int_equal(p.half_life_s[ENT_OBS_IPV4], 7 * DAY);
	assert_int_equal(p.half_life_s[ENT_OBS_X509_SHA1], 14 * DAY);
	assert_int_equal(p.half_life_s[ENT_OBS_DOMAIN], 90 * DAY);

	assert_int_equal(load_text("[match]\nmin_confidence = 30\n"
	                           "[policy]\nmin_confidence_alert = 70\n",
	                           &p, err),
	                 ENT_OK);
	assert_int_equal(p.min_confidence_alert, 70);

	assert_int_equal(load_text("[policy]\nunsigned = maybe\n", &p, err), ENT_EINVAL);
	assert_non_null(strstr(err, "policy.unsigned"));
	assert_int_equal(load_text("[policy]\nhalf_life_url = 3x\n", &p, err), ENT_EINVAL);
	assert_non_null(strstr(err, "policy.half_life_url"));
	assert_int_equal(load_text("[policy]\nmin_confidence_export = 101\n", &p, err), ENT_EINVAL);
	assert_int_equal(load_text("[import]\ndefault_tlp = blue\n", &p, err), ENT_EINVAL);
}

static void test_default_config_loads(void **state)
{
	char *dir = tu_mkdtemp(), path[512], err[ENT_ERRBUF_SIZE];
	struct ent_config *c;
	struct ent_policy p;

	(void)state;
	snprintf(path, sizeof(path), "%s/entente.conf", dir);
	assert_int_equal(ent_config_write_default(path, "node", "identity--x", err), ENT_OK);
	assert_int_equal(ent_config_load(path, &c, err), ENT_OK);
	assert_int_equal(ent_policy_load(c, &p, err), ENT_OK);
	assert_int_equal(p.half_life_s[ENT_OBS_DOMAIN], 90 * DAY);
	assert_int_equal(p.unknown_confidence, 50);
	ent_config_free(c);
	remove(path);
	rmdir(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_relayed),   cmocka_unit_test(test_decay),
	    cmocka_unit_test(test_effective), cmocka_unit_test(test_durations),
	    cmocka_unit_test(test_load),      cmocka_unit_test(test_default_config_loads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
