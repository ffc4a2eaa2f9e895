/*
 * test_tlp_egress.c - the TLP egress filter (trust/tlp_egress.h): every
 * level against every kind of destination, with and without the object's
 * sharing group, as a table written by hand from the rules of issue 6;
 * and the effective TLP of objects with several markings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "trust/tlp_egress.h"

#define TLP1_RED   "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
#define TLP1_GREEN "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"
#define TLP2_CLEAR "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
#define TLP2_AMBER "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
#define TLP2_AS    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
#define OTHER_MARK "marking-definition--fa42a846-8d90-4e51-bc29-71d5b4802168"

/* destinations, columns of the table */
enum { OWN, PEER_IN, PEER_OUT, PEER_NOGROUPS, PUBLIC, N_DEST };

static const struct ent_egress_dest dests[N_DEST] = {
    [OWN] = {ENT_EGRESS_OWN_ORG, NULL},
    [PEER_IN] = {ENT_EGRESS_PEER, "community, partners"},
    [PEER_OUT] = {ENT_EGRESS_PEER, "community,partners-eu"},
    [PEER_NOGROUPS] = {ENT_EGRESS_PEER, ""},
    [PUBLIC] = {ENT_EGRESS_PUBLIC, NULL},
};

static void test_table(void **state)
{
	/* allowed? for object group "partners" (g) and for no group (n) */
	static const struct {
		enum ent_tlp tlp;
		bool g[N_DEST];
		bool n[N_DEST];
	} table[] = {
	    /*                         OWN    IN     OUT    NOGRP  PUBLIC */
	    {ENT_TLP_RED, {false, false, false, false, false}, {false, false, false, false, false}},
	    {ENT_TLP_AMBER_STRICT,
	     {true, false, false, false, false},
	     {true, false, false, false, false}},
	    {ENT_TLP_AMBER, {true, true, false, false, false}, {true, false, false, false, false}},
	    {ENT_TLP_GREEN, {true, true, true, true, false}, {true, true, true, true, false}},
	    {ENT_TLP_CLEAR, {true, true, true, true, true}, {true, true, true, true, true}},
	    {ENT_TLP_NONE,
	     {false, false, false, false, false},
	     {false, false, false, false, false}},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		for (int d = 0; d < N_DEST; d++) {
			bool g = ent_egress_allowed(table[i].tlp, "partners", &dests[d]);
			bool n = ent_egress_allowed(table[i].tlp, NULL, &dests[d]);
			const char *why = ent_egress_reason(table[i].tlp, "partners", &dests[d]);

			if (g != table[i].g[d] || n != table[i].n[d])
				fail_msg("tlp %d dest %d: got %d/%d (%s)", table[i].tlp, d, g, n,
				         why);
			assert_true(strncmp(why, g ? "allow:" : "deny:", g ? 6 : 5) == 0);
		}
	/* an empty group is no group */
	assert_false(ent_egress_allowed(ENT_TLP_AMBER, "", &dests[PEER_IN]));
	assert_false(ent_egress_allowed(ENT_TLP_CLEAR, NULL, NULL));
	assert_string_equal(ent_egress_reason(ENT_TLP_RED, NULL, &dests[OWN]),
	                    "deny: TLP:RED never leaves the node");
}

static void test_groups(void **state)
{
	(void)state;
	assert_true(ent_egress_group_member("a,b,c", "b"));
	assert_true(ent_egress_group_member(" a , b ", "b"));
	assert_true(ent_egress_group_member("partners", "partners"));
	assert_false(ent_egress_group_member("partners-eu", "partners"));
	assert_false(ent_egress_group_member("xpartners", "partners"));
	assert_false(ent_egress_group_member("a,,b", ""));
	assert_false(ent_egress_group_member(NULL, "a"));
	assert_false(ent_egress_group_member("", "a"));
}

static enum ent_tlp eff(const char *json, enum ent_tlp dflt)
{
	enum ent_tlp t = (enum ent_tlp)99;
	char err[ENT_ERRBUF_SIZE];

	assert_int_equal(ent_tlp_effective_text(json, strlen(json), dflt, &t, err), ENT_OK);
	return t;
}

static void test_effective(void **state)
{
	enum ent_tlp marks[] = {ENT_TLP_GREEN, ENT_TLP_NONE, ENT_TLP_AMBER, ENT_TLP_CLEAR};
	enum ent_tlp t;

	(void)state;
	assert_int_equal(ent_tlp_effective(marks, 4, ENT_TLP_RED), ENT_TLP_AMBER);
	assert_int_equal(ent_tlp_effective(marks, 0, ENT_TLP_GREEN), ENT_TLP_GREEN);
	assert_int_equal(ent_tlp_effective(marks + 1, 1, ENT_TLP_GREEN), ENT_TLP_GREEN);
	/* most restrictive wins, TLP 1.0 and 2.0 ids alike */
	assert_int_equal(
	    eff("{\"object_marking_refs\":[\"" TLP2_CLEAR "\",\"" TLP1_RED "\"]}", ENT_TLP_CLEAR),
	    ENT_TLP_RED);
	assert_int_equal(eff("{\"object_marking_refs\":[\"" TLP1_GREEN "\",\"" TLP2_AS
	                     "\",\"" TLP2_AMBER "\"]}",
	                     ENT_TLP_CLEAR),
	                 ENT_TLP_AMBER_STRICT);
	/* a marking that is not TLP does not count; unmarked takes the default */
	assert_int_equal(eff("{\"object_marking_refs\":[\"" OTHER_MARK "\"]}", ENT_TLP_AMBER),
	                 ENT_TLP_AMBER);
	assert_int_equal(eff("{\"type\":\"indicator\"}", ENT_TLP_GREEN), ENT_TLP_GREEN);
	assert_int_equal(eff("{\"object_marking_refs\":\"" TLP1_RED "\"}", ENT_TLP_NONE),
	                 ENT_TLP_NONE);
	/* a sighting is at least as restricted as its indicator */
	assert_int_equal(ent_tlp_max(ENT_TLP_CLEAR, ENT_TLP_AMBER), ENT_TLP_AMBER);
	assert_int_equal(ent_tlp_max(ENT_TLP_RED, ENT_TLP_NONE), ENT_TLP_RED);
	assert_int_equal(ent_tlp_effective_text("[1]", 3, ENT_TLP_NONE, &t, NULL), ENT_EPARSE);
	assert_int_equal(ent_tlp_effective_text("{", 1, ENT_TLP_NONE, &t, NULL), ENT_EPARSE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_table),
	    cmocka_unit_test(test_groups),
	    cmocka_unit_test(test_effective),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
