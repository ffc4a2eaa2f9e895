/* counters.c - names of the packet-path counters (see counters.h). */
#include "net/counters.h"

#define ENT_NC_NAME_(e, n) [e] = n,
static const char *const counter_names[ENT_NC_COUNT] = {ENT_NET_COUNTER_LIST(ENT_NC_NAME_)};
#undef ENT_NC_NAME_

const char *ent_net_counter_name(enum ent_net_counter c)
{
	if ((unsigned)c >= ENT_NC_COUNT)
		return "?";
	return counter_names[c];
}

void ent_net_counters_add(struct ent_net_counters *dst, const struct ent_net_counters *src)
{
	for (int i = 0; i < ENT_NC_COUNT; i++)
		dst->v[i] += src->v[i];
}
