/* test_label.c - labels without printf (core/label.h) agree with snprintf,
 * and are cut short, still terminated, when the buffer is small. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/label.h"
#include "testutil.h"

static void test_numbers_as_snprintf(void **state)
{
	const uint64_t values[] = {0, 7, 10, 99, 100, 4294967295u, UINT64_MAX};
	char got[64], want[64];

	(void)state;
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		int n = snprintf(want, sizeof(want), "objects[%" PRIu64 "]", values[i]);

		assert_int_equal(ent_label(got, sizeof(got), "objects[", values[i], "]"),
		                 (size_t)n);
		assert_string_equal(got, want);
	}
}

static void test_cut_short(void **state)
{
	char out[8];

	(void)state;
	/* room for 7 characters and the NUL */
	assert_int_equal(ent_label(out, sizeof(out), "line ", 12345, ""), 7);
	assert_string_equal(out, "line 12");
	assert_int_equal(ent_label(out, sizeof(out), "objects[", 1, "]"), 7);
	assert_string_equal(out, "objects");
	assert_int_equal(ent_label(out, 1, "x", 1, "y"), 0);
	assert_string_equal(out, "");
	assert_int_equal(ent_label_copy(out, sizeof(out), "objects[3]"), 7);
	assert_string_equal(out, "objects");
	assert_int_equal(ent_label_copy(out, sizeof(out), "line 9"), 6);
	assert_string_equal(out, "line 9");
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_numbers_as_snprintf),
	    cmocka_unit_test(test_cut_short),
	};

	return tu_run_groups(argc, argv, tests, sizeof(tests) / sizeof(tests[0]), NULL, 0);
}
