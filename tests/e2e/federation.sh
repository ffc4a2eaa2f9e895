#!/usr/bin/env bash
# Three nodes on loopback, each a real `entente serve` over HTTPS with its
# own self-signed certificate: A publishes (signed), B syncs from A, C from
# B. Checks: C verifies A's signatures on objects relayed by B; TLP:RED never
# leaves A; a sighting made in C reaches A (C -> B's inbox -> A's inbox);
# A's revocation reaches C; the HTTP answers 401, 403 and 404 where TAXII
# 2.1 says; a tampered object relayed by B is refused at C.
# Usage: federation.sh ENTENTE_BINARY TEST_DATA_DIR SHARED_DIR
set -u
bin=$1
data=$2
root=$(cd "$data/../.." && pwd)
gen=$(dirname "$bin")/bench/gen_traffic
. "$(dirname "$0")/lib/tally.bash"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
run() { # description command... (must succeed)
	local what=$1
	shift
	if "$@" >"$tmp/out" 2>"$tmp/err"; then ok; else
		bad "$what: exit $?"
		sed 's/^/  | /' "$tmp/err" | head -5
	fi
}
q() { sqlite3 "$1/store.db" "$2"; }

# serve HOME VAR: starts HOME's server, sets VAR to its discovery URL once
# it listens (in this shell, so that cleanup knows the pid)
serve() {
	local home=$1 log=$tmp/serve-$(basename "$1")
	: >"$log.out"
	"$bin" serve --home "$home" --listen 127.0.0.1:0 >"$log.out" 2>"$log.err" &
	pids+=($!)
	for _ in $(seq 1 100); do
		if [ -s "$log.out" ]; then
			printf -v "$2" '%s' "$(head -n1 "$log.out")"
			return 0
		fi
		sleep 0.1
	done
	echo "server of $home did not start: $(cat "$log.err")" >&2
	return 1
}
secret() { printf '%s\n' "$2" >"$tmp/$1"; chmod 600 "$tmp/$1"; }

for n in a b c; do
	run "init $n" "$bin" init --home "$tmp/$n" --name "node-$n"
done
pk_a=$(cat "$tmp/a/node.pub")
pk_b=$(cat "$tmp/b/node.pub")
id_a=$(sed -n 's/^identity *= *//p' "$tmp/a/entente.conf")
id_c=$(sed -n 's/^identity *= *//p' "$tmp/c/entente.conf")

# ---- A publishes the demo intelligence as its own, signed
run "A import --publish" "$bin" import --home "$tmp/a" --publish "$root/examples/demo/intel.json"
n_red=$(q "$tmp/a" "SELECT count(*) FROM objects WHERE tlp = 'red'")
[ "$n_red" -gt 0 ] && ok || bad "the demo has no TLP:RED object to keep"
secret pw-b "bravo-secret"
secret pw-c "charlie-secret"
secret pw-d "dave-secret"
run "A peer add bravo" "$bin" peer add bravo --home "$tmp/a" --trust 80 --groups community,partners
run "A peer allow bravo" "$bin" peer allow bravo --home "$tmp/a" --user bravo --password-file "$tmp/pw-b"
run "A peer add dave" "$bin" peer add dave --home "$tmp/a" --trust 10
run "A peer allow dave" "$bin" peer allow dave --home "$tmp/a" --user dave --password-file "$tmp/pw-d"
serve "$tmp/a" url_a || exit 1
api_a=${url_a%taxii2/}api/

# ---- TAXII answers over real HTTPS (sections 1.6.9, 5.1-5.5)
code() { curl -s -o "$tmp/body" -w '%{http_code}' --cacert "$tmp/a/tls.crt" -H 'Accept: application/taxii+json;version=2.1' "$@"; }
[ "$(code "$url_a")" = 401 ] && ok || bad "no credentials: not 401"
[ "$(code -u dave:wrong "$url_a")" = 401 ] && ok || bad "wrong password: not 401"
[ "$(code -u dave:dave-secret "$url_a")" = 200 ] && ok || bad "discovery with credentials"
[ "$(code -u dave:dave-secret "${api_a}collections/community/objects/")" = 404 ] && ok ||
	bad "a collection dave's groups do not open must look missing (404)"
[ "$(code -u dave:dave-secret "${api_a}collections/public/objects/")" = 200 ] && ok || bad "public objects"
[ "$(code -u dave:dave-secret -X POST -H 'Content-Type: application/taxii+json;version=2.1' \
	--data '{"objects":[]}' "${api_a}collections/public/objects/")" = 403 ] && ok ||
	bad "writing to a TLP view: not 403"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$url_a")" = 000 ] && ok ||
	bad "a client that does not pin A's certificate must fail TLS"

# ---- B syncs from A
run "B peer add alpha" "$bin" peer add alpha --home "$tmp/b" --url "$url_a" --user bravo \
	--password-file "$tmp/pw-b" --ca "$tmp/a/tls.crt" --key "$pk_a" --trust 80
run "B sync" "$bin" sync --home "$tmp/b" --json
n_b=$(q "$tmp/b" "SELECT count(*) FROM objects WHERE created_by_ref = '$id_a' AND type = 'indicator'")
[ "$n_b" -gt 5 ] && ok || bad "B has $n_b of A's indicators"
[ "$(q "$tmp/b" "SELECT count(*) FROM objects WHERE tlp IN ('red', 'amber+strict')")" = 0 ] && ok ||
	bad "TLP:RED or AMBER+STRICT reached B"
[ "$(q "$tmp/b" "SELECT identity_ref FROM peers WHERE name = 'alpha'")" = "$id_a" ] && ok ||
	bad "B did not learn A's identity from A's signed objects"
[ "$(q "$tmp/b" "SELECT count(*) FROM objects WHERE stix_id = '$id_a' AND json LIKE '%f2919cd5%'")" -ge 1 ] &&
	ok || bad "A's signed identity (published by serve) did not reach B"

# ---- C syncs from B; A is known to C only by its pinned key
run "B peer add charlie" "$bin" peer add charlie --home "$tmp/b" --trust 60 --groups community,partners
run "B peer allow charlie" "$bin" peer allow charlie --home "$tmp/b" --user charlie --password-file "$tmp/pw-c"
serve "$tmp/b" url_b || exit 1
run "C peer add bravo" "$bin" peer add bravo --home "$tmp/c" --url "$url_b" --user charlie \
	--password-file "$tmp/pw-c" --ca "$tmp/b/tls.crt" --key "$pk_b" --trust 60
run "C peer add alpha (key only)" "$bin" peer add alpha --home "$tmp/c" --key "$pk_a" --trust 90
run "C sync" "$bin" sync --home "$tmp/c" --json
n_c=$(q "$tmp/c" "SELECT count(*) FROM objects WHERE created_by_ref = '$id_a' AND type = 'indicator'")
[ "$n_c" = "$n_b" ] && ok || bad "C has $n_c of A's indicators, B has $n_b"
[ "$(q "$tmp/c" "SELECT identity_ref FROM peers WHERE name = 'alpha'")" = "$id_a" ] && ok ||
	bad "C did not verify A's signatures on what B relayed"
[ "$(q "$tmp/c" "SELECT count(*) FROM objects WHERE tlp IN ('red', 'amber+strict')")" = 0 ] && ok ||
	bad "TLP:RED reached C"
# confidence through the chain C believes in: A's through B's trust (60)
python3 - "$tmp/a/store.db" "$tmp/c/store.db" <<'PY' && ok || bad "confidence through B"
import sqlite3, sys, json
a = sqlite3.connect(sys.argv[1]); c = sqlite3.connect(sys.argv[2])
for (sid, conf) in c.execute("SELECT stix_id, confidence FROM objects WHERE type='indicator' AND is_current=1"):
    (text,) = a.execute("SELECT json FROM objects WHERE stix_id=? AND is_current=1", (sid,)).fetchone()
    produced = json.loads(text).get("confidence", 50)
    assert conf == (produced * 60 + 50) // 100, (sid, produced, conf)
PY

# ---- a sighting made in C reaches A
"$gen" --demo --out "$tmp/demo.pcap" --expected "$tmp/expected.tsv" 2>/dev/null || bad "gen_traffic"
run "C scan" "$bin" scan --home "$tmp/c" --output "$tmp/alerts.json" "$tmp/demo.pcap"
[ -s "$tmp/alerts.json" ] && ok || bad "C raised no alert"
run "C sync (push)" "$bin" sync --home "$tmp/c" --json
[ "$(q "$tmp/b" "SELECT count(*) FROM objects WHERE type = 'sighting' AND created_by_ref = '$id_c'")" -gt 0 ] &&
	ok || bad "C's sightings did not reach B's inbox"
run "B sync (relay)" "$bin" sync --home "$tmp/b" --json
n_sg=$(q "$tmp/a" "SELECT count(*) FROM objects WHERE type = 'sighting' AND created_by_ref = '$id_c'")
[ "$n_sg" -gt 0 ] && ok || bad "C's sightings did not reach A"
sid=$(q "$tmp/a" "SELECT json_extract(json, '$.sighting_of_ref') FROM objects WHERE type = 'sighting' AND created_by_ref = '$id_c' LIMIT 1")
run "A indicators show" "$bin" indicators show --home "$tmp/a" --json "$sid"
python3 - "$tmp/out" "$id_c" <<'PY' && ok || bad "A's feedback on $sid: $(tail -c 400 "$tmp/out")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
fb = [l["feedback"] for l in lines if "feedback" in l][0]
assert fb["sightings"]["reports"] >= 1 and fb["sightings"]["count"] >= 1, fb
assert any(sys.argv[2] in json.dumps(w) for w in fb["sightings"].get("by", [fb])), fb
PY

# ---- A's revocation reaches C
own=$(q "$tmp/a" "SELECT stix_id FROM objects WHERE type = 'indicator' AND is_current = 1 AND revoked = 0 AND tlp = 'green' LIMIT 1")
run "A revoke" "$bin" indicators revoke --home "$tmp/a" "$own"
run "B sync (revocation)" "$bin" sync --home "$tmp/b" alpha
run "C sync (revocation)" "$bin" sync --home "$tmp/c" bravo
[ "$(q "$tmp/c" "SELECT revoked FROM objects WHERE stix_id = '$own' AND is_current = 1")" = 1 ] && ok ||
	bad "A's revocation of $own did not reach C"

# ---- A rotates its key: the announcement, signed by the old key, re-pins
# A at B and (relayed by B) at C; what A signs with the new key then passes
run "A key rotate" "$bin" key rotate --home "$tmp/a" --json
new_a=$(sed 's/^ed25519://' "$tmp/a/node.pub")
[ "$new_a" != "${pk_a#ed25519:}" ] && ok || bad "the key did not change"
cat >"$tmp/new.json" <<JSON
{"type": "bundle", "id": "bundle--77777777-7777-4777-8777-000000000007", "objects": [
 {"type": "indicator", "spec_version": "2.1", "id": "indicator--77777777-7777-4777-8777-000000000008",
  "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
  "pattern_type": "stix", "pattern": "[domain-name:value = 'after-rotation.example']",
  "valid_from": "2026-01-01T00:00:00Z",
  "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]}]}
JSON
run "A publishes with the new key" "$bin" import --home "$tmp/a" --publish "$tmp/new.json"
kill "${pids[0]}" 2>/dev/null
wait "${pids[0]}" 2>/dev/null
serve "$tmp/a" url_a2 || exit 1
run "B repoints alpha" "$bin" peer set alpha --home "$tmp/b" --url "$url_a2"
run "B sync (rotation)" "$bin" sync --home "$tmp/b" alpha
[ "$(q "$tmp/b" "SELECT public_key FROM peers WHERE name = 'alpha'")" = "$new_a" ] && ok ||
	bad "B did not re-pin A's new key"
run "C sync (rotation)" "$bin" sync --home "$tmp/c" bravo
[ "$(q "$tmp/c" "SELECT public_key FROM peers WHERE name = 'alpha'")" = "$new_a" ] && ok ||
	bad "C did not re-pin A's new key"
[ "$(q "$tmp/c" "SELECT count(*) FROM objects WHERE stix_id = 'indicator--77777777-7777-4777-8777-000000000008'")" = 1 ] &&
	ok || bad "what A signed with its new key did not reach C"

# ---- a tampered object relayed by B is refused at C
tampered=$(q "$tmp/b" "SELECT stix_id FROM objects WHERE created_by_ref = '$id_a' AND type = 'indicator' AND is_current = 1 AND revoked = 0 LIMIT 1")
# B forges a newer version of it (as a row added after everything C has)
q "$tmp/b" "INSERT INTO objects (stix_id, type, version_ms, is_current, revoked, created_by_ref,
  confidence, tlp, name, pattern_type, valid_from, valid_until, not_matchable, import_id,
  source_id, received_ms, json, added_us)
  SELECT stix_id, type, 1893456000000, 1, revoked, created_by_ref, confidence, tlp, name,
  pattern_type, valid_from, valid_until, not_matchable, import_id, source_id, received_ms,
  json_set(json, '\$.modified', '2030-01-01T00:00:00.000Z'), (SELECT max(added_us) + 1 FROM objects)
  FROM objects WHERE stix_id = '$tampered' AND is_current = 1;
  UPDATE objects SET is_current = 0 WHERE stix_id = '$tampered' AND version_ms <> 1893456000000"
"$bin" sync --home "$tmp/c" --json bravo >"$tmp/out" 2>"$tmp/err"
python3 - "$tmp/out" <<'PY' && ok || bad "C did not reject the tampered object: $(cat "$tmp/out")"
import json, sys
r = json.loads(open(sys.argv[1]).readline())
assert r["rejected"] >= 1, r
assert "rejected" in r.get("error", ""), r
PY
[ "$(q "$tmp/c" "SELECT count(*) FROM objects WHERE stix_id = '$tampered' AND version_ms = 1893456000000")" = 0 ] && ok ||
	bad "the tampered version was stored at C"

finish federation
