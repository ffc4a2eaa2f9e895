/*
 * test_pattern.c - the STIX 2.1 pattern parser, formatter and extractor.
 *
 * Valid patterns come from the STIX 2.1 specification (section 9.9 "Pattern
 * Examples", as collected in oasis-open/cti-pattern-validator
 * stix2patterns/test/spec_examples.txt) and from the validator's 2.1 pass
 * and fail cases (stix2patterns/test/v21/test_validator.py); the rest
 * exercise every operator, qualifier and literal of STIXPattern.g4, the
 * error offsets, the hard limits, the print/re-parse round trip and the
 * observable extraction. The corpus test parses every indicator pattern in
 * ../shared/corpus/stix and skips when the corpus is absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>
#include <sys/stat.h>

#include "stix/pattern.h"
#include "testutil.h"

/* ---- helpers ---- */

/* Parses s, failing the test with the error message when it does not parse. */
static struct ent_pattern *must_parse(const char *s)
{
	char err[ENT_ERRBUF_SIZE];
	size_t off = 0;
	struct ent_pattern *p = ent_pattern_parse(s, strlen(s), &off, err);

	if (p == NULL)
		fail_msg("pattern should parse: %s\n  error: %s", s, err);
	return p;
}

/* The canonical text of p; caller frees. */
static char *format_str(const struct ent_pattern *p)
{
	struct ent_buf b;

	ent_buf_init(&b, 1u << 20);
	assert_int_equal(ent_pattern_format(p, &b), ENT_OK);
	return ent_buf_steal(&b);
}

/* Checks that s parses, formats to want (or to itself when want is NULL),
 * and that the formatted text parses and formats to the same text again. */
static void check_format(const char *s, const char *want)
{
	struct ent_pattern *p = must_parse(s), *q;
	char *f = format_str(p), *g;

	if (strcmp(f, want != NULL ? want : s) != 0)
		fail_msg("format of %s\n  got:  %s\n  want: %s", s, f, want != NULL ? want : s);
	q = must_parse(f);
	g = format_str(q);
	if (strcmp(f, g) != 0)
		fail_msg("format is not a fixpoint for %s\n  once:  %s\n  twice: %s", s, f, g);
	free(g);
	ent_pattern_free(q);
	free(f);
	ent_pattern_free(p);
}

/* Checks the round trip only. */
static void check_round_trip(const char *s)
{
	struct ent_pattern *p = must_parse(s), *q;
	char *f = format_str(p), *g;

	q = must_parse(f);
	g = format_str(q);
	if (strcmp(f, g) != 0)
		fail_msg("round trip of %s\n  once:  %s\n  twice: %s", s, f, g);
	free(g);
	ent_pattern_free(q);
	free(f);
	ent_pattern_free(p);
}

/* Checks that s is rejected at offset off with a message containing msg. */
static void check_error_len(const char *s, size_t len, size_t off, const char *msg)
{
	char err[ENT_ERRBUF_SIZE];
	char prefix[64];
	size_t got = (size_t)-1;
	struct ent_pattern *p = ent_pattern_parse(s, len, &got, err);

	if (p != NULL) {
		ent_pattern_free(p);
		fail_msg("pattern should be rejected: %.200s", s);
	}
	if (got != off || strstr(err, msg) == NULL)
		fail_msg("error for %.200s\n  got:  offset %zu, \"%s\"\n  want: offset %zu, "
		         "containing \"%s\"",
		         s, got, err, off, msg);
	snprintf(prefix, sizeof(prefix), "offset %zu: ", off);
	assert_memory_equal(err, prefix, strlen(prefix));
}

static void check_error(const char *s, size_t off, const char *msg)
{
	check_error_len(s, strlen(s), off, msg);
}

struct want_obs {
	enum ent_obs_kind kind;
	const char *value;
};

/* Checks that s yields exactly the n observables of want, in order. */
static void check_obs(const char *s, size_t n, const struct want_obs *want)
{
	struct ent_pattern *p = must_parse(s);
	struct ent_pattern_obs out[32];
	char reason[128] = "unset";
	size_t got = ent_pattern_observables(p, out, 32, reason, sizeof(reason));

	if (got != n)
		fail_msg("observables of %s: got %zu (reason \"%s\"), want %zu", s, got, reason, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(out[i].kind, want[i].kind);
		assert_int_equal(out[i].len, strlen(want[i].value));
		assert_memory_equal(out[i].value, want[i].value, out[i].len);
		assert_int_equal(out[i].value[out[i].len], '\0');
	}
	ent_pattern_free(p);
}

/* Checks that s is not sensor-matchable, for exactly the given reason. */
static void check_refused(const char *s, const char *why)
{
	struct ent_pattern *p = must_parse(s);
	struct ent_pattern_obs out[16];
	char reason[128] = "";
	size_t got = ent_pattern_observables(p, out, 16, reason, sizeof(reason));

	if (got != 0 || strcmp(reason, why) != 0)
		fail_msg("extraction of %s\n  got:  %zu, \"%s\"\n  want: 0, \"%s\"", s, got, reason,
		         why);
	ent_pattern_free(p);
}

/* ---- valid patterns ---- */

/* STIX 2.1 (OASIS Standard, 10 June 2021), section 9.9 "Pattern Examples". */
static const char *const spec_examples[] = {
    "[file:hashes.'SHA-256' = "
    "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
    "[email-message:from_ref.value MATCHES '.+\\\\@example\\\\.com$' AND "
    "email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\\\.exe$']",
    "[file:hashes.'SHA-256' = "
    "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' AND "
    "file:mime_type = 'application/x-pdf']",
    "[file:hashes.'SHA-256' = "
    "'bf07a7fbb825fc0aae7bf4a1177b2b31fcf8a3feeaf7092761e18c859ee52a9c' OR "
    "file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] AND [file:hashes.'SHA-256' = "
    "'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
    "([file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4'] FOLLOWEDBY "
    "[win-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\foo\\\\bar']) WITHIN 300 SECONDS",
    "[user-account:account_type = 'unix' AND user-account:user_id = '1007' AND "
    "user-account:account_login = 'Peter'] AND [user-account:account_type = 'unix' AND "
    "user-account:user_id = '1008' AND user-account:account_login = 'Paul'] AND "
    "[user-account:account_type = 'unix' AND user-account:user_id = '1009' AND "
    "user-account:account_login = 'Mary']",
    "[artifact:mime_type = 'application/vnd.tcpdump.pcap' AND artifact:payload_bin MATCHES "
    "'\\\\xd4\\\\xc3\\\\xb2\\\\xa1\\\\x02\\\\x00\\\\x04\\\\x00']",
    "[file:name = 'foo.dll' AND file:parent_directory_ref.path = 'C:\\\\Windows\\\\System32']",
    "[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]",
    "[file:mime_type = 'image/bmp' AND file:magic_number_hex = h'ffd8']",
    "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = "
    "'203.0.113.33/32']",
    "[network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = "
    "'example.com'] REPEATS 5 TIMES WITHIN 1800 SECONDS",
    "[domain-name:value = 'www.5z8.info' AND domain-name:resolves_to_refs[*].value = "
    "'198.51.100.1/32']",
    "[url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar']",
    "[x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = "
    "'4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28']",
    "[windows-registry-key:key = 'HKEY_CURRENT_USER\\\\Software\\\\CryptoLocker\\\\Files' OR "
    "windows-registry-key:key = "
    "'HKEY_CURRENT_USER\\\\Software\\\\Microsoft\\\\CurrentVersion\\\\Run\\\\CryptoLocker_0388']",
    "[(file:name = 'pdf.exe' OR file:size = '371712') AND file:created = "
    "t'2014-01-13T07:03:17Z']",
    "[email-message:sender_ref.value = 'jdoe@example.com' AND email-message:subject = "
    "'Conference Info']",
    "[x-usb-device:usbdrive.serial_number = '575833314133343231313937']",
    "[process:command_line MATCHES '^.+>-add GlobalSign.cer -c -s -r localMachine Root$'] "
    "FOLLOWEDBY [process:command_line MATCHES'^.+>-add GlobalSign.cer -c -s -r "
    "localMachineTrustedPublisher$'] WITHIN 300 SECONDS",
    "[network-traffic:dst_ref.value ISSUBSET '2001:0db8:dead:beef:0000:0000:0000:0000/64']",
    "([file:name = 'foo.dll'] AND [win-registry-key:key = 'HKEY_LOCAL_MACHINE\\\\foo\\\\bar']) "
    "OR [process:name = 'fooproc' OR process:name = 'procfoo']",
    /* section 9.4, the EXISTS operator */
    "[EXISTS windows-registry-key:values]",
};

/* The STIX 2.1 pass cases of cti-pattern-validator (v21/test_validator.py). */
static const char *const validator_pass[] = {
    "[file:size = 1280]",
    "[file:size != 1280]",
    "[file:size < 1024]",
    "[file:size <= 1024]",
    "[file:size > 1024]",
    "[file:size >= 1024]",
    "[file:file_name = 'my_file_name']",
    "[file:extended_properties.'ntfs-ext'.sid = '234']",
    "[emailaddr:value MATCHES '.+\\\\@ibm\\\\.com$' OR file:name MATCHES '^Final "
    "Report.+\\\\.exe$']",
    "[ipv4addr:value ISSUBSET '192.168.0.1/24']",
    "[ipv4addr:value NOT ISSUBSET '192.168.0.1/24']",
    "[user-account:value = 'Peter'] AND [user-account:value != 'Paul'] AND "
    "[user-account:value = 'Mary'] WITHIN 5 SECONDS",
    "[file:file_system_properties.file_name LIKE 'name%']",
    "[file:file_name IN ('test.txt', 'test2.exe', 'README')]",
    "[file:size IN (1024, 2048, 4096)]",
    "[network-connection:extended_properties[0].source_payload MATCHES 'dGVzdHRlc3R0ZXN0']",
    "[win-registry-key:key = 'hkey_local_machine\\\\foo\\\\bar'] WITHIN 5 SECONDS",
    "[x_whatever:detected == t'2018-03-22T12:11:14.1Z']",
    "[artifact:payload_bin = b'dGhpcyBpcyBhIHRlc3Q=']",
    "[foo:bar=1] REPEATS 9 TIMES",
    "[network-traffic:start = '2018-04-20T12:36:24.558Z']",
    "( [(network-traffic:dst_port IN(443,6443,8443) AND network-traffic:src_packets != 0) ])",
    "([win-registry-key:key = 'hkey_local_machine\\\\foo\\\\bar'] REPEATS 2 TIMES) REPEATS 2 "
    "TIMES",
    "[network-traffic:src_port = 37020 AND user-account:user_id = 'root'] START "
    "t'2016-06-01T01:30:00.123Z' STOP t'2016-06-01T02:20:00.123Z' OR "
    "[ipv4-addr:value = '192.168.122.83'] START t'2016-06-01T03:55:00.123Z' STOP "
    "t'2016-06-01T04:30:24.743Z'",
};

static void test_spec_examples_parse(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(spec_examples) / sizeof(spec_examples[0]); i++)
		check_round_trip(spec_examples[i]);
	for (size_t i = 0; i < sizeof(validator_pass) / sizeof(validator_pass[0]); i++)
		check_round_trip(validator_pass[i]);
	/* canonical spec examples format to themselves, but for the missing
	 * space after MATCHES and the redundant parentheses around an AND */
	for (size_t i = 0; i < sizeof(spec_examples) / sizeof(spec_examples[0]); i++)
		if (strstr(spec_examples[i], "MATCHES'") == NULL &&
		    strstr(spec_examples[i], "([file:name = 'foo.dll'] AND") == NULL)
			check_format(spec_examples[i], NULL);
	check_format(spec_examples[21], "[file:name = 'foo.dll'] AND [win-registry-key:key = "
	                                "'HKEY_LOCAL_MACHINE\\\\foo\\\\bar'] OR [process:name = "
	                                "'fooproc' OR process:name = 'procfoo']");
}

static void test_every_operator(void **state)
{
	(void)state;
	check_format("[a:b = 'x']", NULL);
	check_format("[a:b == 'x']", "[a:b = 'x']");
	check_format("[a:b != 'x']", NULL);
	check_format("[a:b <> 'x']", "[a:b != 'x']");
	check_format("[a:b < 1]", NULL);
	check_format("[a:b <= 1]", NULL);
	check_format("[a:b > 1]", NULL);
	check_format("[a:b >= 1]", NULL);
	check_format("[a:b IN ('x', 'y')]", NULL);
	check_format("[a:b IN ()]", NULL);
	check_format("[a:b LIKE 'x%']", NULL);
	check_format("[a:b MATCHES '^x$']", NULL);
	check_format("[a:b ISSUBSET '10.0.0.0/8']", NULL);
	check_format("[a:b ISSUPERSET '10.0.0.0/8']", NULL);
	check_format("[EXISTS a:b]", NULL);
	/* NOT before every operator (the 2.1 grammar allows it before = too) */
	check_format("[a:b NOT = 'x']", NULL);
	check_format("[a:b NOT != 'x']", NULL);
	check_format("[a:b NOT < 1]", NULL);
	check_format("[a:b NOT <= 1]", NULL);
	check_format("[a:b NOT > 1]", NULL);
	check_format("[a:b NOT >= 1]", NULL);
	check_format("[a:b NOT IN ('x')]", NULL);
	check_format("[a:b NOT LIKE 'x%']", NULL);
	check_format("[a:b NOT MATCHES 'x']", NULL);
	check_format("[a:b NOT ISSUBSET 'x']", NULL);
	check_format("[a:b NOT ISSUPERSET 'x']", NULL);
	check_format("[NOT EXISTS a:b]", NULL);
	/* whitespace, comments and Unicode spaces are insignificant */
	check_format(" [ a : b\t=\n'x' ] ", "[a:b = 'x']");
	check_format("/* c */[a:b='x'] // trailing", "[a:b = 'x']");
	check_format("[a:b\xc2\xa0=\xe3\x80\x80'x']", "[a:b = 'x']");
}

static void test_qualifiers(void **state)
{
	(void)state;
	check_format("[a:b = 1] WITHIN 5 SECONDS", NULL);
	check_format("[a:b = 1] WITHIN 2.5 SECONDS", NULL);
	check_format("[a:b = 1] WITHIN +2.5 SECONDS", "[a:b = 1] WITHIN 2.5 SECONDS");
	check_format("[a:b = 1] REPEATS 3 TIMES", NULL);
	check_format("[a:b = 1] START t'2016-06-01T01:30:00Z' STOP t'2016-06-01T02:20:00.5Z'",
	             NULL);
	/* STIX 2.0 wrote START/STOP times as plain strings */
	check_format("[a:b = 1] START '2016-06-01T01:30:00Z' STOP '2016-06-01T02:20:00Z'",
	             "[a:b = 1] START t'2016-06-01T01:30:00Z' STOP t'2016-06-01T02:20:00Z'");
	/* a chain of different qualifiers on one observation */
	check_format("[a:b = 1] REPEATS 5 TIMES WITHIN 1800 SECONDS START "
	             "t'2016-06-01T01:30:00Z' STOP t'2016-06-01T02:20:00Z'",
	             NULL);
	/* a qualifier on a compound observation keeps its parentheses */
	check_format("([a:b = 1] OR [a:c = 2]) WITHIN 5 SECONDS", NULL);
	check_format("(([a:b = 1]) REPEATS 2 TIMES) WITHIN 5 SECONDS",
	             "([a:b = 1] REPEATS 2 TIMES) WITHIN 5 SECONDS");
	check_format("([a:b = 1] WITHIN 2 SECONDS) AND [a:c = 1]",
	             "[a:b = 1] WITHIN 2 SECONDS AND [a:c = 1]");
	/* parentheses start a new observation, which may repeat a qualifier
	 * (a cti-pattern-validator 2.1 pass case) */
	check_format("([a:b = 1] REPEATS 2 TIMES) REPEATS 3 TIMES", NULL);
	check_format("(([a:b = 1] WITHIN 1 SECONDS) WITHIN 2 SECONDS) WITHIN 3 SECONDS", NULL);
	/* the same qualifier twice on one observation is refused */
	check_error("[a:b = 1] WITHIN 5 SECONDS WITHIN 6 SECONDS", 27,
	            "duplicate qualifier WITHIN");
	check_error("[a:b = 1] REPEATS 2 TIMES WITHIN 5 SECONDS REPEATS 3 TIMES", 43,
	            "duplicate qualifier REPEATS");
	check_error("[a:b = 1] START t'2016-06-01T01:30:00Z' STOP t'2016-06-01T02:20:00Z' START "
	            "t'2016-06-01T01:30:00Z' STOP t'2016-06-01T02:20:00Z'",
	            69, "duplicate qualifier START/STOP");
	/* bad qualifier arguments (cti-pattern-validator 2.1 fail cases) */
	check_error("[a:b = 1] WITHIN ]", 17, "expected a positive number after WITHIN, found ']'");
	check_error("[a:b = 1] WITHIN 5 HOURS", 19, "expected SECONDS after WITHIN");
	check_error("[a:b = 1] WITHIN -5 SECONDS", 17, "positive number");
	check_error("[a:b = 1] WITHIN 0 SECONDS", 17, "positive number");
	check_error("[a:b = 1] WITHIN 0.0 SECONDS", 17, "positive number");
	check_error("[a:b = 1] REPEATS 0 TIMES", 18, "positive integer after REPEATS");
	check_error("[a:b = 1] REPEATS 2.5 TIMES", 18, "positive integer after REPEATS");
	check_error("[a:b = 1] REPEATS 2 SECONDS", 20, "expected TIMES");
	check_error("[a:b = 1] START t'2016-06-01T01:30:00Z'", 39, "expected STOP");
	check_error("[a:b = 1] START 5 STOP t'2016-06-01T01:30:00Z'", 16,
	            "expected a timestamp after START");
	check_error("[a:b = 1] START 'yesterday' STOP t'2016-06-01T01:30:00Z'", 16,
	            "invalid timestamp after START");
	check_error("[foo:bar=1] within 2 seconds", 12, "found 'within'");
}

static void test_precedence(void **state)
{
	(void)state;
	/* observations: AND binds tighter than OR, OR tighter than FOLLOWEDBY */
	check_format("[a:b=1] OR ([a:c=2] AND [a:d=3])", "[a:b = 1] OR [a:c = 2] AND [a:d = 3]");
	check_format("([a:b=1] OR [a:c=2]) AND [a:d=3]", "([a:b = 1] OR [a:c = 2]) AND [a:d = 3]");
	check_format("([a:b=1] OR [a:c=2]) FOLLOWEDBY [a:d=3]",
	             "[a:b = 1] OR [a:c = 2] FOLLOWEDBY [a:d = 3]");
	check_format("[a:b=1] OR ([a:c=2] FOLLOWEDBY [a:d=3])",
	             "[a:b = 1] OR ([a:c = 2] FOLLOWEDBY [a:d = 3])");
	check_format("([a:b=1] AND [a:c=2]) OR [a:d=3] FOLLOWEDBY [a:e=4]",
	             "[a:b = 1] AND [a:c = 2] OR [a:d = 3] FOLLOWEDBY [a:e = 4]");
	/* a qualifier binds to the observation right before it */
	check_format("[a:b=1] AND [a:c=2] WITHIN 5 SECONDS",
	             "[a:b = 1] AND [a:c = 2] WITHIN 5 SECONDS");
	check_format("([a:b=1] AND [a:c=2]) WITHIN 5 SECONDS",
	             "([a:b = 1] AND [a:c = 2]) WITHIN 5 SECONDS");
	/* redundant parentheses go, meaningful ones (and regroupings) stay */
	check_format("((([a:b=1])))", "[a:b = 1]");
	check_format("[a:b=1] AND ([a:c=2] AND [a:d=3])",
	             "[a:b = 1] AND ([a:c = 2] AND [a:d = 3])");
	check_format("[a:b=1] FOLLOWEDBY ([a:c=2] FOLLOWEDBY [a:d=3])",
	             "[a:b = 1] FOLLOWEDBY ([a:c = 2] FOLLOWEDBY [a:d = 3])");
	/* comparisons: AND binds tighter than OR */
	check_format("[a:b=1 OR (a:c=2 AND a:d=3)]", "[a:b = 1 OR a:c = 2 AND a:d = 3]");
	check_format("[(a:b=1 OR a:c=2) AND a:d=3]", "[(a:b = 1 OR a:c = 2) AND a:d = 3]");
	check_format("[((a:b=1))]", "[a:b = 1]");
	/* the same, seen through extraction */
	check_refused("[ipv4-addr:value = '1.1.1.1'] OR [ipv4-addr:value = '2.2.2.2'] AND "
	              "[ipv4-addr:value = '3.3.3.3']",
	              "AND across observations");
	check_refused("[ipv4-addr:value = '1.1.1.1' OR ipv4-addr:value = '2.2.2.2' AND "
	              "ipv4-addr:value = '3.3.3.3']",
	              "AND of comparisons");
}

static void test_literals(void **state)
{
	(void)state;
	check_format("[a:b = 'it\\'s a \\\\ backslash']", NULL);
	check_format("[a:b = '']", NULL);
	check_format("[a:b = 0]", NULL);
	check_format("[a:b = +7]", "[a:b = 7]");
	check_format("[a:b = -0]", "[a:b = 0]");
	check_format("[a:b = 9223372036854775807]", NULL);
	check_format("[a:b = -9223372036854775808]", NULL);
	check_format("[a:b = -1.5]", NULL);
	check_format("[a:b = .5]", NULL);
	check_format("[a:b = 00.5]", NULL);
	check_format("[a:b = true] OR [a:c != false]", NULL);
	check_format("[a:b = h'']", NULL);
	check_format("[a:b = h'DEADbeef']", NULL);
	check_format("[a:b = b'AAAA']", NULL);
	check_format("[a:b = b'AA==' OR a:c = b'AAA=']", NULL);
	check_format("[a:b = t'2016-02-29T23:59:60.999999Z']", NULL);
	check_format("[a:b IN (1, 2.5, true, 'x', h'00', b'AAAA', t'2020-01-01T00:00:00Z')]", NULL);
	/* strings keep any byte but ' and \ unescaped, UTF-8 included */
	check_format("[a:b = 'caf\xc3\xa9 [x] (y) /* z */']", NULL);

	check_error("[a:b = 'x]", 7, "unterminated string literal");
	check_error("[a:b = 'x\\y']", 9, "invalid escape");
	check_error("[a:b = 'x\\", 7, "unterminated string literal");
	check_error("[a:b = 01]", 7, "leading zero");
	check_error("[a:b = 9223372036854775808]", 7, "out of range");
	check_error("[a:b = -9223372036854775809]", 7, "out of range");
	check_error("[a:b = h'abc']", 7, "odd number of digits");
	check_error("[a:b = h'0g']", 10, "'g' is not a hex digit");
	check_error("[a:b = h'00", 7, "unterminated hex literal");
	check_error("[a:b = b'====']", 7, "invalid binary literal");
	check_error("[a:b = b'']", 7, "invalid binary literal");
	check_error("[a:b = b'AAA']", 7, "invalid binary literal");
	check_error("[a:b = b'A=AA']", 11, "'A' is not base64");
	check_error("[a:b = b'AA*A']", 11, "'*' is not base64");
	/* timestamps are checked strictly (cti-pattern-validator fail case) */
	check_error("[x_whatever:detected == t'2457-73-22T32:81:84.1Z']", 24, "invalid timestamp");
	check_error("[a:b = t'2016-02-30T00:00:00Z']", 7, "invalid timestamp");
	check_error("[a:b = t'2015-02-29T00:00:00Z']", 7, "invalid timestamp");
	check_error("[a:b = t'2016-01-01T24:00:00Z']", 7, "invalid timestamp");
	check_error("[a:b = t'2016-01-01T00:60:00Z']", 7, "invalid timestamp");
	check_error("[a:b = t'2016-01-01T00:00:61Z']", 7, "invalid timestamp");
	check_error("[a:b = t'2016-01-01t00:00:00Z']", 7, "invalid timestamp");
	check_error("[a:b = t'2016-01-01T00:00:00z']", 7, "invalid timestamp");
	check_error("[a:b = t'2016-01-01T00:00:00']", 7, "invalid timestamp");
	check_error("[a:b = t'2016-01-01T00:00:00.Z']", 7, "invalid timestamp");
	check_error("[a:b = t'2016-01-01T00:00:00+01:00']", 7, "invalid timestamp");
	check_error("[a:b = t'2016-1-01T00:00:00Z']", 7, "invalid timestamp");
	check_error("[a:b = t'2016-01-01T00:00:00Z", 7, "unterminated timestamp literal");
	/* operators take the literal types of the grammar */
	check_error("[a:b < true]", 7, "expected a non-boolean literal after '<', found 'true'");
	check_error("[a:b LIKE 5]", 10, "expected a string literal after 'LIKE', found '5'");
	check_error("[a:b MATCHES h'00']", 13, "expected a string literal after 'MATCHES'");
	check_error("[a:b ISSUBSET t'2016-01-01T00:00:00Z']", 14, "string literal");
	check_error("[a:b IN 'x']", 8, "expected '(' after IN, found string 'x'");
	check_error("[a:b IN ('x' 'y')]", 13,
	            "expected ',' or ')' in the IN set, found string 'y'");
	check_error("[a:b IN ('x',)]", 13, "expected a literal in the IN set, found ')'");
	/* keywords are case-sensitive; "True" is an identifier, not a literal */
	check_error("[a:b = True]", 7, "expected a literal after '=', found 'True'");
	check_error("[a:b = 'x' and a:c = 'y']", 11, "expected ']' after comparison, found 'and'");
}

static void test_paths(void **state)
{
	(void)state;
	check_format("[file:hashes.'SHA-256' = 'x']", NULL);
	check_format("[file:hashes.'MD5' = 'x']", "[file:hashes.MD5 = 'x']");
	check_format("[file:'name' = 'x']", "[file:name = 'x']");
	check_format("[file:'a b'.'c\\'d' = 'x']", NULL);
	check_format("[network-traffic:extensions.'x-tls-fingerprint'.ja3 = 'x']", NULL);
	check_format("[a:b[0].c[-1].d[*] = 'x']", NULL);
	check_format("[a:b [ 0 ] . c = 'x']", "[a:b[0].c = 'x']");
	/* keywords and bools used as property names must stay quoted */
	check_format("[a:'AND'.'true'.'NOT'.and = 'x']", NULL);
	check_format("[x-custom-object_2:_under = 'x']", NULL);

	/* cti-pattern-validator 2.1 fail cases */
	check_error("file:size = 1280", 0,
	            "expected '[' or '(' to start an observation expression, found 'file'");
	check_error("[file:size = ]", 13, "expected a literal after '=', found ']'");
	check_error("[file:hashes.MD5 = cead3f77f6cda6ec00f57d76c9a6879f]", 19,
	            "found 'cead3f77f6cda6ec00f57d76c9a6879f'");
	check_error("[file.size = 1280]", 5, "expected ':' after object type 'file', found '.'");
	check_error("[file:name MATCHES /.*\\\\.dll/]", 19,
	            "expected a string literal after 'MATCHES', found '/'");
	check_error("[network-traffic:dst_ref.value ISSUBSET ]", 40, "found ']'");
	check_error("[file:hashes.MD5 =? 'cead3f77f6cda6ec00f57d76c9a6879f']", 18,
	            "expected a literal after '=', found '?'");
	/* property names: no unquoted '-', no keywords, not empty */
	check_error("[file:extensions.windows-pebinary-ext.sections = 1]", 17,
	            "property name 'windows-pebinary-ext' contains '-'");
	check_error("[a:b-c = 1]", 3, "contains '-'");
	check_error("[a:AND = 1]", 3, "expected a property name after ':', found 'AND'");
	check_error("[a:b. = 1]", 6, "expected a property name after '.', found '='");
	check_error("[a: = 1]", 4, "expected a property name after ':'");
	check_error("[a:b[x] = 1]", 5, "expected a list index or '*' after '['");
	check_error("[a:b[1.5] = 1]", 5, "list index");
	check_error("[a:b[0 = 1]", 7, "expected ']' after the list index");
	check_error("[:b = 1]", 1, "expected an object path, EXISTS or '(' to start a comparison");
	check_error("['a':b = 1]", 1, "found string 'a'");
}

static void test_errors(void **state)
{
	char big[ENT_PATTERN_MAX_LEN + 2];

	(void)state;
	check_error("", 0, "empty pattern");
	check_error("   ", 3, "empty pattern");
	check_error("/* only a comment */", 20, "empty pattern");
	check_error("/* unterminated", 0, "unterminated comment");
	check_error("[a:b = 1", 8, "expected ']' after comparison, found end of pattern");
	check_error("[a:b = 1 OR]", 11,
	            "expected an object path, EXISTS or '(' to start a comparison");
	check_error("[a:b = 1 a:c = 2]", 9, "expected ']' after comparison, found 'a'");
	check_error("[a:b = 'x' 'y']", 11, "expected ']' after comparison, found string 'y'");
	check_error("[(a:b = 1]", 9, "expected ')' after comparison, found ']'");
	check_error("([a:b = 1]", 10, "expected ')' after observation expression");
	check_error("[a:b = 1])", 9, "expected AND, OR, FOLLOWEDBY, a qualifier or end of pattern");
	check_error("[a:b = 1] garbage", 10, "found 'garbage'");
	check_error("[a:b = 1] AND", 13,
	            "expected '[' or '(' to start an observation expression, "
	            "found end of pattern");
	check_error("[a:b = 1] FOLLOWEDBY OR [a:c = 1]", 21, "found 'OR'");
	check_error("[a:b ~ 1]", 5,
	            "expected a comparison operator after the object path, found '~'");
	check_error("[a:b CONTAINS 'x']", 5, "found 'CONTAINS'");
	check_error("[a:b NOT 'x']", 9, "expected a comparison operator after NOT, found string");
	check_error("[NOT a:b = 1]", 5, "expected EXISTS after a leading NOT");
	check_error("[EXISTS 'x']", 8, "expected an object type");
	check_error("[a:b = 1] LAST 5 SECONDS", 10, "found 'LAST'");
	check_error("[]", 1, "expected an object path");
	check_error("()", 1, "expected '[' or '('");
	/* a long token is cut in the message */
	check_error("[a:b = 1] an_identifier_that_goes_on_and_on_and_on_and_on", 10,
	            "found 'an_identifier_that_goes_on_and_o...'");
	/* bytes that start no token, and a NUL byte */
	check_error("[a:b = 1] \x01", 10, "found '\\x01'");
	check_error_len("[a:b = 'x\0y']", 13, 9, "NUL byte in string literal");
	check_error_len("[a:b = 1]\0", 10, 9, "NUL byte in pattern");
	/* length limit */
	memset(big, ' ', sizeof(big));
	memcpy(big, "[a:b = 1]", 9);
	check_error_len(big, ENT_PATTERN_MAX_LEN + 1, ENT_PATTERN_MAX_LEN, "longer than");
	{
		struct ent_pattern *p = ent_pattern_parse(big, ENT_PATTERN_MAX_LEN, NULL, NULL);

		assert_non_null(p);
		ent_pattern_free(p);
	}
	/* errbuf and err_offset may be NULL */
	assert_null(ent_pattern_parse("[", 1, NULL, NULL));
	assert_null(ent_pattern_parse(NULL, 0, NULL, NULL));
	ent_pattern_free(NULL);
}

static void test_limits(void **state)
{
	enum { N = 10000 };
	char *s = malloc(N * 40);
	size_t k;
	struct ent_pattern *p;

	(void)state;
	assert_non_null(s);
	/* a depth bomb: 10,000 '(' stop at the 65th */
	memset(s, '(', N);
	check_error_len(s, N, ENT_PATTERN_MAX_DEPTH, "nesting deeper than 64 levels");
	/* the same inside an observation, and alternating */
	s[0] = '[';
	check_error_len(s, N, ENT_PATTERN_MAX_DEPTH, "nesting deeper than 64 levels");
	memcpy(s + 1, "(a:b = 1 OR ", 12);
	check_error_len(s, N, ENT_PATTERN_MAX_DEPTH + 11, "nesting deeper than 64 levels");
	/* exactly the limit is fine */
	k = 0;
	for (int i = 0; i < ENT_PATTERN_MAX_DEPTH - 1; i++)
		s[k++] = '(';
	k += (size_t)sprintf(s + k, "[a:b = 1]");
	for (int i = 0; i < ENT_PATTERN_MAX_DEPTH - 1; i++)
		s[k++] = ')';
	s[k] = '\0';
	check_format(s, "[a:b = 1]");
	/* a long flat OR is not deep: 1,500 observations (54 KB) */
	k = 0;
	for (int i = 0; i < 1500; i++)
		k += (size_t)sprintf(s + k, "%s[ipv4-addr:value = '10.0.%d.%d']", i ? " OR " : "",
		                     i / 256, i % 256);
	p = must_parse(s);
	{
		struct ent_pattern_obs *out = calloc(1500, sizeof(*out));
		char reason[64];

		assert_non_null(out);
		assert_int_equal(ent_pattern_observables(p, out, 1500, reason, sizeof(reason)),
		                 1500);
		assert_int_equal(out[1499].kind, ENT_OBS_IPV4);
		assert_string_equal(out[1499].value, "10.0.5.219");
		assert_int_equal(ent_pattern_observables(p, out, 1499, reason, sizeof(reason)), 0);
		assert_string_equal(reason, "more than 1499 observables");
		free(out);
	}
	ent_pattern_free(p);
	check_round_trip(s);
	/* the node limit: an IN set of 20,000 small literals (40 KiB of text) */
	k = (size_t)sprintf(s, "[a:b IN (");
	for (int i = 0; i < 20000; i++)
		k += (size_t)sprintf(s + k, "%s1", i ? "," : "");
	k += (size_t)sprintf(s + k, ")]");
	{
		char err[ENT_ERRBUF_SIZE];

		assert_null(ent_pattern_parse(s, k, NULL, err));
		assert_non_null(strstr(err, "more than 16384 nodes"));
	}
	free(s);
}

/* Values are borrowed from the pattern, not from the caller's text. */
static void test_values_outlive_text(void **state)
{
	const char *src = "[url:value = 'http://a.example/it\\'s'] OR "
	                  "[domain-name:value IN ('x.example', 'y.example')]";
	char *text = strdup(src);
	struct ent_pattern *p;
	struct ent_pattern_obs out[4];

	(void)state;
	assert_non_null(text);
	p = ent_pattern_parse(text, strlen(text), NULL, NULL);
	assert_non_null(p);
	memset(text, 'Z', strlen(text));
	free(text);
	assert_int_equal(ent_pattern_observables(p, out, 4, NULL, 0), 3);
	assert_string_equal(out[0].value, "http://a.example/it's");
	assert_string_equal(out[1].value, "x.example");
	assert_string_equal(out[2].value, "y.example");
	ent_pattern_free(p);
}

static void test_extract_matchable(void **state)
{
	(void)state;
	check_obs("[ipv4-addr:value = '198.51.100.1']", 1,
	          (struct want_obs[]){{ENT_OBS_IPV4, "198.51.100.1"}});
	check_obs("[ipv4-addr:value = '223.166.0.0/15']", 1,
	          (struct want_obs[]){{ENT_OBS_IPV4, "223.166.0.0/15"}});
	check_obs("[ipv6-addr:value = '2001:db8::1']", 1,
	          (struct want_obs[]){{ENT_OBS_IPV6, "2001:db8::1"}});
	check_obs("[url:value = 'http://x4z9arb.cn/4712/']", 1,
	          (struct want_obs[]){{ENT_OBS_URL, "http://x4z9arb.cn/4712/"}});
	check_obs("[email-addr:value = 'a@example.com']", 1,
	          (struct want_obs[]){{ENT_OBS_EMAIL, "a@example.com"}});
	/* the apt1/poisonivy style: one observation, OR of several kinds */
	check_obs("[domain-name:value = 'x' OR ipv4-addr:value = 'y']", 2,
	          (struct want_obs[]){{ENT_OBS_DOMAIN, "x"}, {ENT_OBS_IPV4, "y"}});
	/* OR of observations, nested ORs, IN sets */
	check_obs("[domain-name:value = 'a.example'] OR ([ipv4-addr:value IN ('10.0.0.1', "
	          "'10.0.0.2')] OR [ipv6-addr:value = '::1' OR url:value = 'http://u/'])",
	          5,
	          (struct want_obs[]){{ENT_OBS_DOMAIN, "a.example"},
	                              {ENT_OBS_IPV4, "10.0.0.1"},
	                              {ENT_OBS_IPV4, "10.0.0.2"},
	                              {ENT_OBS_IPV6, "::1"},
	                              {ENT_OBS_URL, "http://u/"}});
	check_obs("[(domain-name:value = 'a' OR (domain-name:value = 'b'))]", 2,
	          (struct want_obs[]){{ENT_OBS_DOMAIN, "a"}, {ENT_OBS_DOMAIN, "b"}});
	/* hashes, quoted or not, any case */
	check_obs("[file:hashes.'SHA-256' = 'aa' OR file:hashes.SHA256 = 'bb' OR "
	          "file:hashes.'SHA-1' = 'cc' OR file:hashes.SHA1 = 'dd' OR file:hashes.MD5 = 'ee' "
	          "OR file:hashes.md5 = 'ff' OR file:hashes.'sha-256' = '11' OR "
	          "file:hashes.'MD5' = '22']",
	          8,
	          (struct want_obs[]){{ENT_OBS_SHA256, "aa"},
	                              {ENT_OBS_SHA256, "bb"},
	                              {ENT_OBS_SHA1, "cc"},
	                              {ENT_OBS_SHA1, "dd"},
	                              {ENT_OBS_MD5, "ee"},
	                              {ENT_OBS_MD5, "ff"},
	                              {ENT_OBS_SHA256, "11"},
	                              {ENT_OBS_MD5, "22"}});
	check_obs("[x509-certificate:hashes.MD5 = 'a' OR x509-certificate:hashes.'SHA-1' = 'b' OR "
	          "x509-certificate:hashes.'SHA-256' = 'c']",
	          3,
	          (struct want_obs[]){{ENT_OBS_X509_MD5, "a"},
	                              {ENT_OBS_X509_SHA1, "b"},
	                              {ENT_OBS_X509_SHA256, "c"}});
	/* e-mail references */
	check_obs("[email-message:from_ref.value = 'a@x' OR email-message:sender_ref.value = 'b@x' "
	          "OR email-message:to_refs[*].value = 'c@x' OR email-message:cc_refs[*].value = "
	          "'d@x' OR email-message:bcc_refs[*].value = 'e@x']",
	          5,
	          (struct want_obs[]){{ENT_OBS_EMAIL, "a@x"},
	                              {ENT_OBS_EMAIL, "b@x"},
	                              {ENT_OBS_EMAIL, "c@x"},
	                              {ENT_OBS_EMAIL, "d@x"},
	                              {ENT_OBS_EMAIL, "e@x"}});
	/* network-traffic references: the value decides the kind */
	check_obs("[network-traffic:dst_ref.value = '203.0.113.33/32' OR "
	          "network-traffic:src_ref.value = '2001:db8::/32' OR "
	          "network-traffic:dst_ref.value = 'evil.example' OR "
	          "network-traffic:dst_ref.value = '1.2.3']",
	          4,
	          (struct want_obs[]){{ENT_OBS_IPV4, "203.0.113.33/32"},
	                              {ENT_OBS_IPV6, "2001:db8::/32"},
	                              {ENT_OBS_DOMAIN, "evil.example"},
	                              {ENT_OBS_DOMAIN, "1.2.3"}});
	/* the JA3/JA4 convention */
	check_obs("[x-tls-fingerprint:ja3 = '6734f37431670b3ab4292b8f60f29984'] OR "
	          "[x-tls-fingerprint:ja4 = 't13d1516h2_8daaf6152771_b186095e22b6'] OR "
	          "[network-traffic:extensions.'x-tls-fingerprint'.ja3 = 'a' OR "
	          "network-traffic:extensions.'x-tls-fingerprint'.ja4 = 'b']",
	          4,
	          (struct want_obs[]){{ENT_OBS_JA3, "6734f37431670b3ab4292b8f60f29984"},
	                              {ENT_OBS_JA4, "t13d1516h2_8daaf6152771_b186095e22b6"},
	                              {ENT_OBS_JA3, "a"},
	                              {ENT_OBS_JA4, "b"}});
	/* values come back unescaped and are not normalized */
	check_obs("[url:value = 'HTTP://Example.COM/a\\'b\\\\c']", 1,
	          (struct want_obs[]){{ENT_OBS_URL, "HTTP://Example.COM/a'b\\c"}});
}

static void test_extract_refused(void **state)
{
	struct ent_pattern *p;
	struct ent_pattern_obs out[2];
	char reason[64];

	(void)state;
	check_refused("[ipv4-addr:value = '1.1.1.1'] WITHIN 5 SECONDS", "qualifier WITHIN");
	check_refused("[ipv4-addr:value = '1.1.1.1'] REPEATS 5 TIMES", "qualifier REPEATS");
	check_refused("[ipv4-addr:value = '1.1.1.1'] START t'2016-06-01T01:30:00Z' STOP "
	              "t'2016-06-01T02:30:00Z'",
	              "qualifier START/STOP");
	check_refused("[ipv4-addr:value = '1.1.1.1'] OR ([ipv4-addr:value = '2.2.2.2'] OR "
	              "[ipv4-addr:value = '3.3.3.3']) WITHIN 5 SECONDS",
	              "qualifier WITHIN");
	check_refused("[ipv4-addr:value = '1.1.1.1'] FOLLOWEDBY [ipv4-addr:value = '2.2.2.2']",
	              "FOLLOWEDBY");
	check_refused("[ipv4-addr:value = '1.1.1.1'] AND [ipv4-addr:value = '2.2.2.2']",
	              "AND across observations");
	check_refused("[ipv4-addr:value = '1.1.1.1' AND ipv4-addr:value = '2.2.2.2']",
	              "AND of comparisons");
	check_refused("[ipv4-addr:value != '1.1.1.1']", "operator !=");
	check_refused("[ipv4-addr:value ISSUBSET '10.0.0.0/8']", "operator ISSUBSET");
	check_refused("[ipv4-addr:value ISSUPERSET '10.0.0.0/8']", "operator ISSUPERSET");
	check_refused("[domain-name:value LIKE '%.example']", "operator LIKE");
	check_refused("[email-message:from_ref.value MATCHES '.+\\\\banking@g0thamnatl\\\\.com$']",
	              "operator MATCHES");
	check_refused("[url:value > 'a']", "operator >");
	check_refused("[EXISTS url:value]", "operator EXISTS");
	check_refused("[ipv4-addr:value NOT = '1.1.1.1']", "negated comparison");
	check_refused("[ipv4-addr:value NOT IN ('1.1.1.1')]", "negated comparison");
	check_refused("[NOT EXISTS url:value]", "negated comparison");
	check_refused("[file:name = 'CBricksDoc']", "unsupported object path file:name");
	check_refused("[file:hashes.'SHA-512' = 'aa']",
	              "unsupported object path file:hashes.'SHA-512'");
	check_refused("[email-message:to_refs[0].value = 'a@x']",
	              "unsupported object path email-message:to_refs[0].value");
	check_refused("[ipv4-addr:value.x = '1.1.1.1']",
	              "unsupported object path ipv4-addr:value.x");
	check_refused("[x-tls-fingerprint:ja3s = 'a']",
	              "unsupported object path x-tls-fingerprint:ja3s");
	check_refused("[ipv4-addr:value = 1]", "non-string literal");
	check_refused("[ipv4-addr:value IN ('1.1.1.1', 2)]", "non-string literal");
	check_refused("[ipv4-addr:value IN ()]", "no observables");
	/* the whole pattern or nothing: a good observation does not rescue a bad one */
	check_refused("[ipv4-addr:value = '1.1.1.1'] OR [file:name = 'x']",
	              "unsupported object path file:name");
	/* the output bound */
	p = must_parse("[ipv4-addr:value IN ('1', '2', '3')]");
	assert_int_equal(ent_pattern_observables(p, out, 2, reason, sizeof(reason)), 0);
	assert_string_equal(reason, "more than 2 observables");
	assert_int_equal(ent_pattern_observables(p, NULL, 0, reason, sizeof(reason)), 0);
	assert_string_equal(reason, "more than 0 observables");
	/* a short reason buffer truncates, a missing one is allowed */
	assert_int_equal(ent_pattern_observables(p, out, 2, reason, 5), 0);
	assert_string_equal(reason, "more");
	assert_int_equal(ent_pattern_observables(p, out, 2, NULL, 0), 0);
	ent_pattern_free(p);
	p = must_parse("[file:a_very_long_property_name_indeed.and_another_one = 'x']");
	assert_int_equal(ent_pattern_observables(p, out, 2, reason, 30), 0);
	assert_string_equal(reason, "unsupported object path file:");
	ent_pattern_free(p);
}

/* ---- the corpus ---- */

struct corpus_walk {
	size_t files;
	size_t patterns;
	size_t matchable;
	size_t failures;
};

static void corpus_json(json_t *j, const char *file, struct corpus_walk *w)
{
	size_t i;
	const char *key;
	json_t *v;

	if (json_is_array(j)) {
		json_array_foreach(j, i, v) corpus_json(v, file, w);
		return;
	}
	if (!json_is_object(j))
		return;
	if (json_is_string(json_object_get(j, "type")) &&
	    strcmp(json_string_value(json_object_get(j, "type")), "indicator") == 0 &&
	    json_is_string(json_object_get(j, "pattern"))) {
		json_t *ptype = json_object_get(j, "pattern_type");

		if (ptype == NULL ||
		    (json_is_string(ptype) && strcmp(json_string_value(ptype), "stix") == 0)) {
			json_t *pat = json_object_get(j, "pattern");
			char err[ENT_ERRBUF_SIZE];
			struct ent_pattern *p = ent_pattern_parse(
			    json_string_value(pat), json_string_length(pat), NULL, err);
			struct ent_pattern_obs out[64];

			w->patterns++;
			if (p == NULL) {
				print_error("%s: %s: %s\n", file, json_string_value(pat), err);
				w->failures++;
			} else {
				char *f = format_str(p);
				struct ent_pattern *q = ent_pattern_parse(f, strlen(f), NULL, err);

				if (q == NULL) {
					print_error("%s: reformatted %s: %s\n", file, f, err);
					w->failures++;
				}
				if (ent_pattern_observables(p, out, 64, NULL, 0) > 0)
					w->matchable++;
				ent_pattern_free(q);
				free(f);
				ent_pattern_free(p);
			}
		}
	}
	json_object_foreach(j, key, v)
	{
		(void)key;
		corpus_json(v, file, w);
	}
}

static void corpus_dir(const char *dir, struct corpus_walk *w)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		char path[4096];
		struct stat st;
		size_t n = strlen(e->d_name);

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			corpus_dir(path, w);
		} else if (n > 5 && strcmp(e->d_name + n - 5, ".json") == 0) {
			json_error_t jerr;
			json_t *j = json_load_file(path, 0, &jerr);

			if (j == NULL)
				continue; /* not this test's business */
			w->files++;
			corpus_json(j, path, w);
			json_decref(j);
		}
	}
	closedir(d);
}

static void test_corpus_patterns(void **state)
{
	struct corpus_walk w = {0};

	(void)state;
	if (!tu_have_corpus())
		skip();
	corpus_dir(tu_corpus("stix"), &w);
	print_message("corpus: %zu files, %zu patterns, %zu sensor-matchable\n", w.files,
	              w.patterns, w.matchable);
	assert_int_equal(w.failures, 0);
	/* the snapshot holds 48 indicator patterns (apt1, poisonivy, examples) */
	assert_true(w.patterns >= 40);
	assert_true(w.matchable >= 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_spec_examples_parse),
	    cmocka_unit_test(test_every_operator),
	    cmocka_unit_test(test_qualifiers),
	    cmocka_unit_test(test_precedence),
	    cmocka_unit_test(test_literals),
	    cmocka_unit_test(test_paths),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_values_outlive_text),
	    cmocka_unit_test(test_extract_matchable),
	    cmocka_unit_test(test_extract_refused),
	    cmocka_unit_test(test_corpus_patterns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
