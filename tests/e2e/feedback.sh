#!/usr/bin/env bash
# End-to-end: the indicator lifecycle and feedback to producers with the
# real binary: `entente indicators revoke`, `dispute`, and the sightings and
# opinions `indicators show` sums up, on a home made by `entente init` and
# filled by `entente import`.
# Usage: feedback.sh ENTENTE_BINARY TEST_DATA_DIR SHARED_DIR
set -u
bin=$1
for tool in python3 sqlite3; do
	command -v $tool >/dev/null || { echo "SKIP: no $tool"; exit 77; }
done
. "$(dirname "$0")/lib/tally.bash"
home=$tmp/home
one_line_error() { # description grep-pattern
	[ "$(wc -l <"$tmp/err")" -eq 1 ] && ok || bad "$1: error is not one line: $(cat "$tmp/err")"
	grep -q "^entente indicators: .*$2" "$tmp/err" && ok || bad "$1: error: $(cat "$tmp/err")"
}
check() { # description python-body (reads $tmp/out; argv[1:] as given)
	local what=$1 body=$2
	shift 2
	python3 -c "$body" "$tmp/out" "$@" && ok || bad "$what: $(head -c 600 "$tmp/out")"
}

expect_rc 0 "init" "$bin" init --home "$home" --name "Producer CERT"
me=$(sed -n 's/^identity *= *//p' "$home/entente.conf")
case $me in identity--*) ok ;; *) bad "no node.identity in the config: '$me'" ;; esac
own=indicator--11111111-1111-4111-8111-000000000001
foreign=indicator--22222222-2222-4222-8222-000000000002
other=identity--33333333-3333-4333-8333-000000000003
green=marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb
amber=marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421
ts='"created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z"'

# our own indicator, published (created by this node and signed: an
# unsigned object in our name would be refused as forged)
cat >"$tmp/own.json" <<EOF
{"type": "bundle", "id": "bundle--44444444-4444-4444-8444-000000000003", "objects": [
 {"type": "indicator", "spec_version": "2.1", "id": "$own", $ts,
  "pattern_type": "stix",
  "pattern": "[domain-name:value = 'ours.example']", "valid_from": "2024-01-01T00:00:00Z",
  "object_marking_refs": ["$green"]}
]}
EOF
expect_rc 0 "import --publish" "$bin" import --home "$home" --publish "$tmp/own.json"
# another producer's indicator, and what a partner sent back about ours: a
# sighting and an opinion
cat >"$tmp/bundle.json" <<EOF
{"type": "bundle", "id": "bundle--44444444-4444-4444-8444-000000000004", "objects": [
 {"type": "indicator", "spec_version": "2.1", "id": "$foreign", $ts,
  "created_by_ref": "$other", "pattern_type": "stix",
  "pattern": "[ipv4-addr:value = '192.0.2.8']", "valid_from": "2024-01-01T00:00:00Z",
  "object_marking_refs": ["$amber"]},
 {"type": "sighting", "spec_version": "2.1", "id": "sighting--55555555-5555-4555-8555-000000000005",
  $ts, "created_by_ref": "$other", "sighting_of_ref": "$own", "count": 5,
  "first_seen": "2024-01-02T00:00:00Z", "last_seen": "2024-01-04T00:00:00Z"},
 {"type": "opinion", "spec_version": "2.1", "id": "opinion--66666666-6666-4666-8666-000000000006",
  $ts, "created_by_ref": "$other", "opinion": "strongly-disagree",
  "explanation": "a CDN address", "object_refs": ["$own"]}
]}
EOF
expect_rc 0 "import" "$bin" import --home "$home" --source partner "$tmp/bundle.json"

# --help names the new subcommands
expect_rc 0 "indicators --help" "$bin" indicators --help
grep -q "indicators revoke" "$tmp/out" && ok || bad "--help does not show revoke"
grep -q "indicators dispute .*--reason TEXT" "$tmp/out" && ok || bad "--help does not show dispute"

# usage errors: exit 2
expect_rc 2 "revoke without ID" "$bin" indicators --home "$home" revoke
expect_rc 2 "revoke with two IDs" "$bin" indicators --home "$home" revoke "$own" "$foreign"
expect_rc 2 "dispute without --reason" "$bin" indicators --home "$home" dispute "$foreign"
expect_rc 2 "--reason on revoke" "$bin" indicators --home "$home" revoke "$own" --reason x
expect_rc 2 "--all on revoke" "$bin" indicators --home "$home" revoke "$own" --all

# revoke our own: a new, later, signed version that is revoked
expect_rc 0 "revoke --json" "$bin" indicators --home "$home" revoke --json "$own"
check "revoke --json" '
import json, sys
r = json.loads(open(sys.argv[1]).read())
assert r["id"] == sys.argv[2] and r["revoked"] is True, r
assert r["modified"] > "2024-01-01T00:00:00.000Z" and r["tlp"] == "green", r
' "$own"
expect_rc 0 "show --json after revoke" "$bin" indicators --home "$home" show --json "$own"
check "revoked version" '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
vs = [l for l in lines if "version" in l]
assert len(vs) == 2 and vs[0]["current"] and vs[0]["revoked"], vs
assert not vs[1]["current"] and not vs[1]["revoked"], vs
o = vs[0]["object"]
assert o["revoked"] is True and o["created_by_ref"] == sys.argv[2], o
assert o["object_marking_refs"] == [sys.argv[4]], o
assert vs[0]["provenance"].startswith("local@"), vs[0]
ext = o["extensions"]["extension-definition--f2919cd5-b6ca-4bf7-9890-60202e444790"]
assert "ed25519:" + ext["public_key"] == sys.argv[3], (ext, sys.argv[3])
assert ext["alg"] == "Ed25519" and len(ext["signature"]) == 88, ext
' "$me" "$(cat "$home/node.pub")" "$green"
expect_rc 0 "indicators --json" "$bin" indicators --home "$home" --json
check "revoked no longer listed" '
import json, sys
ids = [json.loads(l)["id"] for l in open(sys.argv[1])]
assert ids == [sys.argv[2]], ids
' "$foreign"
expect_rc 0 "indicators --all --json" "$bin" indicators --home "$home" --all --json
check "revoked status" '
import json, sys
st = {json.loads(l)["id"]: json.loads(l)["status"] for l in open(sys.argv[1])}
assert st[sys.argv[2]] == "revoked", st
' "$own"

# refused: exit 1, one line, nothing written
before=$(sqlite3 "$home/store.db" "SELECT count(*) FROM objects")
expect_rc 1 "revoke again" "$bin" indicators --home "$home" revoke "$own"
one_line_error "revoke again" "already revoked"
expect_rc 1 "revoke another producer's" "$bin" indicators --home "$home" revoke "$foreign"
one_line_error "revoke foreign" "not created by this node"
expect_rc 1 "revoke unknown" "$bin" indicators --home "$home" revoke \
	indicator--00000000-0000-4000-8000-000000000000
one_line_error "revoke unknown" "no indicator"
expect_rc 1 "dispute our own" "$bin" indicators --home "$home" dispute "$own" --reason x
one_line_error "dispute own" "revoke it instead"
[ "$(sqlite3 "$home/store.db" "SELECT count(*) FROM objects")" = "$before" ] && ok ||
	bad "a refused command wrote something"

# dispute another producer's: a signed opinion with the indicator's TLP
expect_rc 0 "dispute --json" "$bin" indicators --home "$home" dispute --json "$foreign" \
	--reason "our mail relay"
check "dispute --json" '
import json, sys
r = json.loads(open(sys.argv[1]).read())
assert r["id"].startswith("opinion--") and r["type"] == "opinion", r
assert r["indicator"] == sys.argv[2] and r["opinion"] == "strongly-disagree", r
assert r["tlp"] == "amber", r
' "$foreign"
opinion=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$tmp/out")
expect_rc 0 "show the opinion" "$bin" indicators --home "$home" show --json "$opinion"
check "stored opinion" '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) == 1 and "feedback" not in lines[0], lines
o = lines[0]["object"]
assert o["created_by_ref"] == sys.argv[2] and o["object_refs"] == [sys.argv[3]], o
assert o["explanation"] == "our mail relay" and o["object_marking_refs"] == [sys.argv[4]], o
assert "extension-definition--f2919cd5-b6ca-4bf7-9890-60202e444790" in o["extensions"], o
' "$me" "$foreign" "$amber"
expect_rc 0 "dispute (text)" "$bin" indicators --home "$home" dispute "$foreign" \
	--reason "seen on our resolver only"
grep -q "^disputed $foreign: opinion--" "$tmp/out" && ok || bad "dispute text: $(cat "$tmp/out")"

# our scans saw our own indicator twice: `entente sync` (no peers) turns it
# into our STIX sighting, which show adds to the partner's
sqlite3 "$home/store.db" "INSERT INTO scans (id, started_ms, inputs) VALUES (1, 0, 'x');
	INSERT INTO sightings (indicator_id, scan_id, count, first_seen_ms, last_seen_ms)
	VALUES ('$own', 1, 2, 1704067200000, 1704067230000);"
expect_rc 0 "sync without peers" "$bin" sync --home "$home"
expect_rc 0 "show --json feedback" "$bin" indicators --home "$home" show --json "$own"
check "feedback of our indicator" '
import json, sys
fb = json.loads(open(sys.argv[1]).read().splitlines()[-1])["feedback"]
me, other = sys.argv[2], sys.argv[3]
s = fb["sightings"]
assert fb["indicator"] == sys.argv[4], fb
assert s["reports"] == 2 and s["count"] == 7, s
assert s["first_seen"] == "2024-01-01T00:00:00.000Z", s
assert s["last_seen"] == "2024-01-04T00:00:00.000Z", s
by = {b["who"]: b for b in s["by"]}
assert set(by) == {me, other}, by
assert by[other]["count"] == 5 and by[other]["source"] == "partner", by
assert by[me]["count"] == 2 and by[me]["source"] == "local" and by[me]["tlp"] == "green", by
o = fb["opinions"]
assert o["reports"] == 1 and o["strongly-disagree"] == 1 and o["agree"] == 0, o
assert o["by"][0]["who"] == other and o["by"][0]["explanation"] == "a CDN address", o
' "$me" "$other" "$own"
expect_rc 0 "show --json feedback (foreign)" "$bin" indicators --home "$home" show --json "$foreign"
check "feedback of the disputed indicator" '
import json, sys
fb = json.loads(open(sys.argv[1]).read().splitlines()[-1])["feedback"]
assert fb["sightings"]["reports"] == 0 and fb["sightings"]["by"] == [], fb
o = fb["opinions"]
assert o["reports"] == 2 and o["strongly-disagree"] == 2, o
assert {b["explanation"] for b in o["by"]} == {"our mail relay", "seen on our resolver only"}, o
assert all(b["who"] == sys.argv[2] for b in o["by"]), o
' "$me"
expect_rc 0 "show (text)" "$bin" indicators --home "$home" show "$own"
grep -q "^feedback$" "$tmp/out" && ok || bad "show: no feedback section"
grep -q "sightings   2 reports, seen 7 times, 2024-01-01T00:00:00.000Z .. 2024-01-04T00:00:00.000Z" \
	"$tmp/out" && ok || bad "show: sightings summary: $(grep sightings "$tmp/out")"
grep -q "opinions    1 reports: strongly-disagree 1 disagree 0" "$tmp/out" && ok ||
	bad "show: opinions summary: $(grep opinions "$tmp/out")"
grep -q "^              a CDN address$" "$tmp/out" && ok || bad "show: explanation"

finish feedback
