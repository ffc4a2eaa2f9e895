#!/usr/bin/env bash
# End-to-end: the real `entente` binary on a fresh home.
# Usage: cli.sh ENTENTE_BINARY TEST_DATA_DIR SHARED_DIR
set -u
bin=$1
data=$2
root=$(cd "$data/../.." && pwd)
. "$(dirname "$0")/lib/tally.bash"
home=$tmp/home

# --help everywhere, exit 0, usage on stdout
for cmd in init import indicators scan sightings; do
	expect_rc 0 "$cmd --help" "$bin" "$cmd" --help
	grep -q "^Usage: entente $cmd" "$tmp/out" && ok || bad "$cmd --help prints no usage"
done
expect_rc 2 "unknown command" "$bin" frobnicate
expect_rc 2 "unknown option" "$bin" import --home "$home" --bogus x

# a command on a missing home says how to make one
expect_rc 3 "missing home" "$bin" indicators --home "$home"
grep -q "entente init --home" "$tmp/err" && ok || bad "missing-home message"

# init, and it refuses to overwrite
expect_rc 0 "init" "$bin" init --home "$home" --name "Test CERT"
for f in store.db node.key node.pub identity.json entente.conf; do
	[ -f "$home/$f" ] && ok || bad "init did not create $f"
done
[ "$(stat -c %a "$home/node.key")" = 600 ] && ok || bad "node.key mode is not 600"
grep -q '"name": "Test CERT"' "$home/identity.json" && ok || bad "identity name"
key_before=$(cat "$home/node.key")
expect_rc 3 "re-init without --force" "$bin" init --home "$home"
[ "$(cat "$home/node.key")" = "$key_before" ] && ok || bad "re-init changed the key"
expect_rc 0 "re-init with --force" "$bin" init --home "$home" --force --name "Test CERT"
[ "$(cat "$home/node.key")" != "$key_before" ] && ok || bad "--force kept the old key"

# ENTENTE_HOME is honoured like --home
ENTENTE_HOME=$home expect_rc 0 "ENTENTE_HOME" "$bin" indicators

# a secret key readable by others is refused by every command
chmod 644 "$home/node.key"
expect_rc 3 "unsafe key" "$bin" indicators --home "$home"
grep -q "chmod 600" "$tmp/err" && ok || bad "unsafe-key message"
chmod 600 "$home/node.key"

# import the demo bundle; a second time changes nothing
expect_rc 0 "import demo" "$bin" import --home "$home" "$root/examples/demo/intel.json"
grep -q "17 objects (14 indicators" "$tmp/out" && ok || bad "demo summary: $(head -1 "$tmp/out")"
expect_rc 0 "import demo --json" "$bin" import --home "$home" --json "$root/examples/demo/intel.json"
python3 - "$tmp/out" <<'PY' && ok || bad "import --json"
import json, sys
s = json.loads(open(sys.argv[1]).read())
assert s["ok"] and s["objects"] == 17 and s["unchanged"] == 17 and s["added"] == 0, s
assert s["not_matchable_reasons"] == {"pattern_type 'snort'": 1, "FOLLOWEDBY": 1}, s
PY

# indicators: the revoked and the expired one are listed only with --all
expect_rc 0 "indicators" "$bin" indicators --home "$home"
n_active=$(wc -l <"$tmp/out")
expect_rc 0 "indicators --all" "$bin" indicators --home "$home" --all
n_all=$(wc -l <"$tmp/out")
[ "$n_active" -eq 11 ] && [ "$n_all" -eq 13 ] && ok || bad "indicators: $n_active active, $n_all all"
grep -q "revoked" "$tmp/out" && grep -q "expired" "$tmp/out" && ok || bad "--all statuses"
expect_rc 0 "indicators --type domain --json" "$bin" indicators --home "$home" --type domain --json
python3 - "$tmp/out" <<'PY' && ok || bad "indicators --json"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 2, rows
assert all("domain" in r["kinds"].split(",") for r in rows), rows
PY
id=$(python3 -c 'import json,sys; print([o["id"] for o in json.load(open(sys.argv[1]))["objects"] if o.get("revoked")][0])' "$root/examples/demo/intel.json")
expect_rc 0 "indicators show" "$bin" indicators --home "$home" show "$id"
[ "$(grep -c '^version' "$tmp/out")" -eq 2 ] && ok || bad "show: expected 2 versions of $id"
grep -q "(current) (revoked)" "$tmp/out" && ok || bad "show: current revoked version"
expect_rc 1 "show unknown id" "$bin" indicators --home "$home" show indicator--00000000-0000-4000-8000-000000000000

# a bad file: one-line error naming file and position, exit 1, store unchanged
before=$(sqlite3 "$home/store.db" "SELECT count(*) FROM objects" 2>/dev/null || echo x)
expect_rc 1 "bad file" "$bin" import --home "$home" "$data/stix/bad-type-confidence.json" "$root/examples/demo/intel.json"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && ok || bad "error is not one line"
grep -q "bad-type-confidence.json: line 15, column 3 (byte 415): objects\[1\]" "$tmp/err" && ok || bad "error position: $(cat "$tmp/err")"
grep -q "intel.json: stix" "$tmp/out" && ok || bad "the good file after the bad one was not imported"
after=$(sqlite3 "$home/store.db" "SELECT count(*) FROM objects" 2>/dev/null || echo x)
[ "$before" = "$after" ] && ok || bad "store changed: $before -> $after"

# scan: a file that is not a capture is reported, the others still scanned
printf 'not a capture' >"$tmp/bad.pcap"
expect_rc 1 "scan of a non-capture" "$bin" scan --home "$home" --json --output "$tmp/alerts.json" "$tmp/bad.pcap"
grep -q "bad.pcap" "$tmp/err" && ok || bad "scan error does not name the file: $(cat "$tmp/err")"
expect_rc 2 "scan --threads 0" "$bin" scan --home "$home" --threads 0 "$tmp/bad.pcap"
expect_rc 0 "sightings --json on no scans" "$bin" sightings --home "$home" --json

finish cli
