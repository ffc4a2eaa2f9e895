#!/usr/bin/env bash
# Allowlists at scan time, on the demo capture whose alerts are known: a
# value on a suppressing list never alerts but is counted in the summary; a
# value on an informing list alerts with the list in the alert's context;
# the other alerts are unchanged.
# Usage: allowlist_scan.sh ENTENTE_BINARY TEST_DATA_DIR SHARED_DIR
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
# a baseline scan without allowlists
"$bin" scan --home "$home" --output "$tmp/base.json" --json "$tmp/demo.pcap" >"$tmp/base-summary.json" 2>/dev/null ||
	bad "baseline scan"

# pick two alerting values of the baseline, of kinds a text list can hold
python3 - "$tmp/base.json" >"$tmp/pick" <<'PY' || { echo "no alerts to pick from"; exit 1; }
import json, sys
vals = []
for l in open(sys.argv[1]):
    e = json.loads(l)["entente"]
    if e["value"] not in vals:
        vals.append(e["value"])
assert len(vals) >= 2, vals
print(vals[0]); print(vals[1])
PY
suppressed=$(sed -n 1p "$tmp/pick")
informed=$(sed -n 2p "$tmp/pick")
mkdir -p "$home/allowlists"
echo "$suppressed" >"$home/allowlists/quiet.txt"
echo "$informed" >"$home/allowlists/known.txt"
cat >>"$home/entente.conf" <<CONF
quiet = allowlists/quiet.txt type:exact action:suppress
known = allowlists/known.txt type:exact action:inform
CONF
# the [allowlists] section is the last one of the default config
tail -n 3 "$home/entente.conf" | grep -q "^quiet = " || bad "config"

if "$bin" scan --home "$home" --output "$tmp/al.json" --json "$tmp/demo.pcap" >"$tmp/al-summary.json" 2>"$tmp/err"; then ok; else
	bad "scan with allowlists: $(cat "$tmp/err")"
fi
python3 - "$tmp/base.json" "$tmp/al.json" "$tmp/al-summary.json" "$suppressed" "$informed" <<'PY' && ok || bad "allowlist effects"
import json, sys
base = [json.loads(l) for l in open(sys.argv[1])]
al = [json.loads(l) for l in open(sys.argv[2])]
s = json.load(open(sys.argv[3]))
quiet, known = sys.argv[4], sys.argv[5]
n_quiet = sum(1 for a in base if a["entente"]["value"] == quiet)
assert n_quiet > 0
# the suppressed value never alerts, and every one of its matches is counted
assert not any(a["entente"]["value"] == quiet for a in al), "suppressed value alerted"
assert s["allowlists"]["hits"]["quiet"] == n_quiet, s["allowlists"]
assert s["allowlists"]["suppressed"] == n_quiet, s["allowlists"]
# the informed one alerts as before, with the list named
inf = [a for a in al if a["entente"]["value"] == known]
assert len(inf) == sum(1 for a in base if a["entente"]["value"] == known) > 0
assert all(a["entente"]["allowlist"] == {"list": "known", "action": "inform"} for a in inf), inf[0]
assert s["allowlists"]["hits"]["known"] == len(inf)
# everything else is unchanged
assert len(al) == len(base) - n_quiet, (len(al), len(base), n_quiet)
assert s["alerts"] == len(al)
PY

finish allowlist_scan
