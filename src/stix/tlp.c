/* tlp.c - TLP levels and marking-definition ids (see tlp.h). */
#include "stix/tlp.h"

#include <string.h>
#include <strings.h>

static const struct {
	const char *id;
	enum ent_tlp tlp;
} markings[] = {
    /* TLP 1.0, STIX 2.1 section 7.2.1.4 */
    {"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", ENT_TLP_CLEAR},
    {"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", ENT_TLP_GREEN},
    {"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", ENT_TLP_AMBER},
    {"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", ENT_TLP_RED},
    /* TLP 2.0, OASIS CTI TC marking definitions */
    {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", ENT_TLP_CLEAR},
    {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", ENT_TLP_GREEN},
    {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", ENT_TLP_AMBER},
    {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", ENT_TLP_AMBER_STRICT},
    {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", ENT_TLP_RED},
};

const char *ent_tlp_name(enum ent_tlp tlp)
{
	switch (tlp) {
	case ENT_TLP_CLEAR:
		return "clear";
	case ENT_TLP_GREEN:
		return "green";
	case ENT_TLP_AMBER:
		return "amber";
	case ENT_TLP_AMBER_STRICT:
		return "amber+strict";
	case ENT_TLP_RED:
		return "red";
	default:
		return NULL;
	}
}

enum ent_tlp ent_tlp_parse(const char *s)
{
	if (s == NULL)
		return ENT_TLP_NONE;
	if (strncasecmp(s, "tlp:", 4) == 0)
		s += 4;
	if (strcasecmp(s, "clear") == 0 || strcasecmp(s, "white") == 0)
		return ENT_TLP_CLEAR;
	if (strcasecmp(s, "green") == 0)
		return ENT_TLP_GREEN;
	if (strcasecmp(s, "amber") == 0)
		return ENT_TLP_AMBER;
	if (strcasecmp(s, "amber+strict") == 0)
		return ENT_TLP_AMBER_STRICT;
	if (strcasecmp(s, "red") == 0)
		return ENT_TLP_RED;
	return ENT_TLP_NONE;
}

enum ent_tlp ent_tlp_from_marking_id(const char *id)
{
	if (id == NULL)
		return ENT_TLP_NONE;
	for (size_t i = 0; i < sizeof(markings) / sizeof(markings[0]); i++)
		if (strcmp(markings[i].id, id) == 0)
			return markings[i].tlp;
	return ENT_TLP_NONE;
}

const char *ent_tlp_to_marking_id(enum ent_tlp tlp)
{
	/* the TLP 2.0 entries come last; search backwards to prefer them */
	for (size_t i = sizeof(markings) / sizeof(markings[0]); i-- > 0;)
		if (markings[i].tlp == tlp)
			return markings[i].id;
	return NULL;
}
