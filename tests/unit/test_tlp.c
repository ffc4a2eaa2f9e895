/*
 * test_tlp.c - TLP names and marking-definition ids (stix/tlp.h): TLP 1.0
 * ids built into STIX 2.1 (section 7.2.1.4) and the TLP 2.0 ids published by
 * OASIS (cti-stix-common-objects, tlp-2.0/marking-definition.json).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "stix/tlp.h"

#define TLP_CLEAR        "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
#define TLP_GREEN        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
#define TLP_AMBER        "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
#define TLP_AMBER_STRICT "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
#define TLP_RED          "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"

static const char *mark(const char *name)
{
	return ent_tlp_to_marking_id(ent_tlp_parse(name));
}

static const char *canon(const char *name)
{
	return ent_tlp_name(ent_tlp_parse(name));
}

static const char *from_id(const char *id)
{
	return ent_tlp_name(ent_tlp_from_marking_id(id));
}

static void test_tlp(void **state)
{
	(void)state;
	assert_string_equal(mark("clear"), TLP_CLEAR);
	assert_string_equal(mark("white"), TLP_CLEAR);
	assert_string_equal(mark("TLP:WHITE"), TLP_CLEAR);
	assert_string_equal(mark("green"), TLP_GREEN);
	assert_string_equal(mark("tlp:amber"), TLP_AMBER);
	assert_string_equal(mark("amber+strict"), TLP_AMBER_STRICT);
	assert_string_equal(mark("RED"), TLP_RED);
	assert_null(mark("blue"));
	assert_null(mark(NULL));
	assert_string_equal(canon("tlp:white"), "clear");
	/* both TLP 2.0 ids and the STIX 2.1 built-in TLP 1.0 ids are read */
	assert_string_equal(from_id(TLP_RED), "red");
	assert_string_equal(from_id("marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"),
	                    "clear");
	assert_string_equal(from_id("marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"),
	                    "green");
	assert_string_equal(from_id("marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"),
	                    "amber");
	assert_string_equal(from_id("marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"),
	                    "red");
	assert_null(from_id("marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168"));
}

static void test_order(void **state)
{
	(void)state;
	/* the most restrictive marking wins: the levels are ordered */
	assert_true(ENT_TLP_NONE < ENT_TLP_CLEAR);
	assert_true(ENT_TLP_CLEAR < ENT_TLP_GREEN);
	assert_true(ENT_TLP_GREEN < ENT_TLP_AMBER);
	assert_true(ENT_TLP_AMBER < ENT_TLP_AMBER_STRICT);
	assert_true(ENT_TLP_AMBER_STRICT < ENT_TLP_RED);
	assert_null(ent_tlp_name(ENT_TLP_NONE));
	assert_null(ent_tlp_to_marking_id(ENT_TLP_NONE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tlp),
	    cmocka_unit_test(test_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
