/*
 * alert.c - alerts as Suricata EVE "alert" records, plus an "entente"
 * object with the indicator and where the observable was seen.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sensor/scanInt.h"
#include "stix/object.h"

static const char *proto_name(uint8_t p)
{
	switch (p) {
	case 6:
		return "TCP";
	case 17:
		return "UDP";
	case 1:
		return "ICMP";
	case 58:
		return "IPv6-ICMP";
	case 47:
		return "GRE";
	case 132:
		return "SCTP";
	default:
		return NULL;
	}
}

/* EVE's timestamp form: 2026-01-02T03:04:05.123456+0000 */
static void eve_time(const struct timeval *tv, char *out, size_t outsz)
{
	struct tm tm;
	time_t t = tv->tv_sec;

	gmtime_r(&t, &tm);
	snprintf(out, outsz, "%04d-%02d-%02dT%02d:%02d:%02d.%06ld+0000", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long)tv->tv_usec);
}

/* EVE severity: 1 high .. 3 low, from the indicator's confidence. */
static int severity(int confidence)
{
	if (confidence < 0 || confidence >= 75)
		return 1;
	return confidence >= 50 ? 2 : 3;
}

int ent_scan_alert_format(struct ent_buf *out, const struct ent_intel_indicator *ind,
                          const struct ent_pkt_event *ev, uint64_t flow_id, const char *value,
                          const char *pcap_name, const struct ent_allowlist_hit *allow,
                          int confidence)
{
	const struct ent_flow_info *f = ev->flow;
	json_t *o = json_object(), *alert = json_object(), *ent = json_object();
	char ts[48], sig[512];
	char *text;
	int rc;

	eve_time(&ev->ts, ts, sizeof(ts));
	json_object_set_new(o, "timestamp", json_string(ts));
	json_object_set_new(o, "flow_id", json_integer((json_int_t)flow_id));
	if (pcap_name != NULL)
		json_object_set_new(o, "pcap_filename", json_string(pcap_name));
	json_object_set_new(o, "event_type", json_string("alert"));
	if (f != NULL) {
		/* the packet's direction, as Suricata reports it */
		bool fwd = ev->to_server;
		const char *pn = proto_name(f->proto);

		json_object_set_new(o, "src_ip", json_string(fwd ? f->cli_str : f->srv_str));
		json_object_set_new(o, "src_port", json_integer(fwd ? f->cli_port : f->srv_port));
		json_object_set_new(o, "dest_ip", json_string(fwd ? f->srv_str : f->cli_str));
		json_object_set_new(o, "dest_port", json_integer(fwd ? f->srv_port : f->cli_port));
		json_object_set_new(o, "proto", pn ? json_string(pn) : json_integer(f->proto));
		if (f->vlan != 0)
			json_object_set_new(o, "vlan", json_pack("[i]", f->vlan));
		if (f->app_proto != ENT_APP_UNKNOWN && f->app_proto != ENT_APP_NONE)
			json_object_set_new(o, "app_proto",
			                    json_string(ent_app_proto_name(f->app_proto)));
	}
	snprintf(sig, sizeof(sig), "entente: %s %s (%s)", ent_obs_kind_name(ev->obs->kind), value,
	         ind->name ? ind->name : ind->stix_id);
	json_object_set_new(alert, "action", json_string("allowed"));
	json_object_set_new(alert, "gid", json_integer(1));
	json_object_set_new(alert, "signature_id",
	                    json_integer(ent_stix_signature_id(ind->stix_id)));
	json_object_set_new(alert, "rev", json_integer(1));
	json_object_set_new(alert, "signature", json_string(sig));
	json_object_set_new(alert, "category", json_string("Threat intelligence match"));
	json_object_set_new(alert, "severity", json_integer(severity(confidence)));
	json_object_set_new(o, "alert", alert);
	json_object_set_new(ent, "indicator", json_string(ind->stix_id));
	if (ind->name != NULL)
		json_object_set_new(ent, "name", json_string(ind->name));
	json_object_set_new(ent, "kind", json_string(ent_obs_kind_name(ev->obs->kind)));
	json_object_set_new(ent, "value", json_string(value));
	json_object_set_new(ent, "observed", json_string(ev->obs->value));
	json_object_set_new(ent, "where", json_string(ev->obs->where));
	json_object_set_new(ent, "frame", json_integer((json_int_t)ev->frame));
	if (ind->created_by_ref != NULL)
		json_object_set_new(ent, "producer", json_string(ind->created_by_ref));
	json_object_set_new(ent, "source", json_string(ind->source));
	if (confidence >= 0)
		json_object_set_new(ent, "confidence", json_integer(confidence));
	if (allow != NULL) {
		/* the value is on an allowlist that informs or lowers */
		json_t *al = json_object();

		json_object_set_new(al, "list", json_string(allow->list));
		json_object_set_new(al, "action",
		                    json_string(ent_allowlist_action_name(allow->action)));
		if (allow->action == ENT_AL_LOWER)
			json_object_set_new(al, "lowered_by", json_integer(allow->lower));
		json_object_set_new(ent, "allowlist", al);
	}
	if (ind->tlp != NULL)
		json_object_set_new(ent, "tlp", json_string(ind->tlp));
	json_object_set_new(o, "entente", ent);
	text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (text == NULL)
		return ENT_ENOMEM;
	rc = ent_buf_puts(out, text);
	if (rc == ENT_OK)
		rc = ent_buf_append(out, "\n", 1);
	free(text);
	return rc;
}
