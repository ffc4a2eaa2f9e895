#!/usr/bin/env bash
# End-to-end on traffic whose alerts are known exactly: bench/gen_traffic
# writes the demo capture and, independently of entente, the alerts it must
# raise for examples/demo/intel.json (active indicators only: the revoked,
# expired and not-matchable ones have traffic too and must stay silent).
# Usage: scan_demo.sh ENTENTE_BINARY TEST_DATA_DIR SHARED_DIR
set -u
bin=$1
data=$2
root=$(cd "$data/../.." && pwd)
gen=$(dirname "$bin")/bench/gen_traffic
. "$(dirname "$0")/lib/tally.bash"

"$gen" --demo --out "$tmp/demo.pcap" --expected "$tmp/expected.tsv" 2>/dev/null || { echo "gen_traffic failed"; exit 1; }
home=$tmp/home
"$bin" init --home "$home" >/dev/null || exit 1
"$bin" import --home "$home" "$root/examples/demo/intel.json" >/dev/null || exit 1

for threads in 1 2; do
	if "$bin" scan --home "$home" --threads $threads --output "$tmp/alerts$threads.json" --json \
		"$tmp/demo.pcap" >"$tmp/summary$threads.json" 2>"$tmp/err"; then ok; else
		bad "scan --threads $threads failed: $(cat "$tmp/err")"
	fi
	if python3 "$root/bench/check_alerts.py" "$tmp/expected.tsv" "$tmp/alerts$threads.json" >"$tmp/check" 2>&1; then ok; else
		bad "alerts with $threads thread(s) differ from the expected set:"
		sed 's/^/  | /' "$tmp/check" | head -20
	fi
done

# the summary is JSON and counts what the alerts file holds
python3 - "$tmp/summary1.json" "$tmp/alerts1.json" <<'PY' && ok || bad "summary"
import json, sys
s = json.load(open(sys.argv[1]))
alerts = [json.loads(l) for l in open(sys.argv[2])]
assert s["alerts"] == len(alerts) > 0, (s["alerts"], len(alerts))
assert s["packets"] > 0 and s["flows"] > 0 and s["files"] == 1 and s["files_failed"] == 0, s
# every alert is Suricata EVE shaped and says where it was seen
for a in alerts:
    for k in ("timestamp", "flow_id", "src_ip", "src_port", "dest_ip", "dest_port", "proto"):
        assert k in a, (k, a)
    assert a["event_type"] == "alert" and {"action", "signature", "category", "severity"} <= set(a["alert"])
    assert {"indicator", "kind", "value", "where", "source", "tlp"} <= set(a["entente"]), a
# the revoked and the expired indicator never alert
vals = {a["entente"]["observed"] for a in alerts}
assert "www.example.org" not in vals and "198.51.100.200" not in vals, vals
PY

# sightings: one per indicator that alerted, counts adding up to the alerts
# of both scans
"$bin" sightings --home "$home" --json >"$tmp/sightings.json" || bad "sightings failed"
python3 - "$tmp/sightings.json" "$tmp/alerts1.json" "$tmp/alerts2.json" <<'PY' && ok || bad "sightings"
import json, sys
sg = [json.loads(l) for l in open(sys.argv[1])]
a1 = [json.loads(l) for l in open(sys.argv[2])]
a2 = [json.loads(l) for l in open(sys.argv[3])]
ids = {a["entente"]["indicator"] for a in a1}
assert {s["indicator"] for s in sg} == ids, (len(sg), len(ids))
assert sum(s["count"] for s in sg) == len(a1) + len(a2)
assert all(s["scans"] == 2 and s["first_seen"] <= s["last_seen"] and s["flows"] for s in sg)
PY

finish scan_demo
