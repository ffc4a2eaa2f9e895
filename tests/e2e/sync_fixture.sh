#!/usr/bin/env bash
# End-to-end: `entente sync` against tests/e2e/taxii_fixture.py, a TAXII 2.1
# server over HTTPS on loopback standing for "any other TAXII server".
# Usage: sync_fixture.sh ENTENTE_BINARY TEST_DATA_DIR SHARED_DIR
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
fixture=$here/taxii_fixture.py
for tool in python3 sqlite3; do
	command -v $tool >/dev/null || { echo "SKIP: no $tool"; exit 77; }
done
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# a self-signed certificate for 127.0.0.1 (the fixture's), and another one
# that is not the fixture's (a wrong pin)
mkcert() { # name
	if command -v openssl >/dev/null; then
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
			-keyout "$tmp/$1.key" -out "$tmp/$1.crt" -days 2 -subj /CN=127.0.0.1 \
			-addext subjectAltName=IP:127.0.0.1 2>/dev/null
	else
		certtool --generate-privkey --key-type ecdsa --outfile "$tmp/$1.key" 2>/dev/null &&
			printf 'cn = 127.0.0.1\nip_address = 127.0.0.1\nca\nexpiration_days = 2\n' \
				>"$tmp/$1.tmpl" &&
			certtool --generate-self-signed --load-privkey "$tmp/$1.key" \
				--template "$tmp/$1.tmpl" --outfile "$tmp/$1.crt" 2>/dev/null
	fi
}
mkcert srv || { echo "SKIP: cannot make a certificate"; exit 77; }
mkcert other || { echo "SKIP: cannot make a certificate"; exit 77; }

# 250 indicators, each with its own address
python3 - "$tmp/objects.json" <<'PY'
import json, sys, uuid
ns = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")
objs = []
for i in range(250):
    objs.append({"type": "indicator", "spec_version": "2.1",
                 "id": "indicator--%s" % uuid.uuid5(ns, "fixture-%d" % i),
                 "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z",
                 "name": "fixture %d" % i, "pattern_type": "stix",
                 "pattern": "[ipv4-addr:value = '10.%d.%d.1']" % (i // 200, i % 200),
                 "valid_from": "2024-01-01T00:00:00Z"})
json.dump({"type": "bundle", "id": "bundle--%s" % uuid.uuid4(), "objects": objs},
          open(sys.argv[1], "w"))
PY
ind5=$(python3 -c 'import uuid; print("indicator--%s" % uuid.uuid5(uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8"), "fixture-5"))')

# start_server NAME [fixture options...]: runs a fixture, sets port_NAME
start_server() {
	local name=$1
	shift
	python3 "$fixture" --cert "$tmp/srv.crt" --key "$tmp/srv.key" \
		--objects "$tmp/objects.json" --inbox-log "$tmp/inbox_$name.log" \
		--port-file "$tmp/port_$name" "$@" 2>"$tmp/fixture_$name.err" &
	pids+=($!)
	for _ in $(seq 1 200); do
		[ -s "$tmp/port_$name" ] && break
		sleep 0.05
	done
	[ -s "$tmp/port_$name" ] || { echo "fixture $name did not start"; cat "$tmp/fixture_$name.err"; exit 1; }
	eval "port_$name=$(cat "$tmp/port_$name")"
	touch "$tmp/inbox_$name.log"
}

# new_home NAME: a node home whose sync asks for pages of 40 objects
new_home() {
	"$bin" init --home "$tmp/$1" --name "node $1" >/dev/null || { echo "init failed"; exit 1; }
	sed -i 's/^page_size = .*/page_size = 40/' "$tmp/$1/entente.conf"
}

# add_peer HOME NAME URL CA AUTH USER SECRET_FILE
add_peer() {
	sqlite3 "$tmp/$1/store.db" "INSERT INTO peers (name, url, auth_kind, auth_user,
		secret_path, ca_path, trust, created_ms, updated_ms)
		VALUES ('$2', '$3', '$5', NULLIF('$6', ''), NULLIF('$7', ''), '$4', 50, 0, 0)"
}

# sync HOME ARGS...: runs entente sync --json, output in $tmp/out, rc in $rc
sync() {
	local home=$1
	shift
	"$bin" sync --home "$tmp/$home" --json "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

# field PEER KEY: a value from the last sync's JSON lines
field() {
	python3 - "$tmp/out" "$1" "$2" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    if o["peer"] == sys.argv[2]:
        print(o.get(sys.argv[3], ""))
PY
}

expect() { # description want got
	if [ "$2" = "$3" ]; then ok; else
		bad "$1: got '$3', expected '$2'"
		sed 's/^/  | /' "$tmp/err" | head -5
	fi
}

# everything a sync leaves in the store, without times of day and URLs
dump() {
	sqlite3 "$tmp/$1/store.db" \
		"SELECT o.stix_id, o.type, o.version_ms, o.is_current, o.revoked, o.tlp, s.name, o.json
		   FROM objects o JOIN sources s ON s.id = o.source_id ORDER BY 1, 3;
		 SELECT o.stix_id, b.kind, b.value FROM observables b
		   JOIN objects o ON o.rowid = b.object_rowid ORDER BY 1, 2, 3;
		 SELECT o.stix_id, s.name FROM provenance p JOIN objects o ON o.rowid = p.object_rowid
		   JOIN sources s ON s.id = p.source_id ORDER BY 1, 2;
		 SELECT count(*) FROM imports;
		 SELECT name, kind FROM sources ORDER BY 1;
		 SELECT added_after, ifnull(next, '-') FROM sync_cursors ORDER BY 1;
		 SELECT count(*) FROM sync_pushed;"
}

printf 's3cret\n' >"$tmp/pw"
chmod 600 "$tmp/pw"
printf 'wrong\n' >"$tmp/badpw"
chmod 600 "$tmp/badpw"
printf 'tok-123\n' >"$tmp/token"
chmod 600 "$tmp/token"

start_server basic --user bob --password s3cret
start_server fail500 --fail-after 3 --fail-mode 500
# curl retries once on a fresh connection when a reused one dies: drop twice
start_server faildrop --fail-after 2 --fail-count 2 --fail-mode drop
start_server token --token tok-123 --no-next
url_basic="https://127.0.0.1:$port_basic/taxii2/"

# usage
"$bin" sync --help >"$tmp/out" 2>&1
expect "sync --help rc" 0 "$?"
grep -q "^Usage: entente sync" "$tmp/out" && ok || bad "sync --help prints no usage"
"$bin" sync --bogus >/dev/null 2>&1
expect "sync --bogus rc" 2 "$?"

# 1. pull everything (basic auth, pinned CA, discovery -> relative API root)
new_home b
add_peer b alpha "$url_basic" "$tmp/srv.crt" basic bob "$tmp/pw"
sync b
expect "first sync rc" 0 "$rc"
expect "first sync pulled" 250 "$(field alpha pulled)"
expect "first sync new" 250 "$(field alpha new)"
expect "first sync ok" True "$(field alpha ok)"
n=$(sqlite3 "$tmp/b/store.db" "SELECT count(*) FROM objects o JOIN sources s
	ON s.id = o.source_id WHERE s.name = 'peer:alpha' AND s.kind = 'peer'")
expect "objects with provenance peer:alpha" 250 "$n"
expect "pages of 40" 7 "$(field alpha pages)"

# 2. a second run pulls nothing new
sync b
expect "second sync rc" 0 "$rc"
expect "second sync pulled" 0 "$(field alpha pulled)"
expect "second sync new" 0 "$(field alpha new)"

# 3. an interrupted sync (HTTP 500 after 3 pages), resumed, ends with the
# same store as an uninterrupted one (same server: the failure is used up)
url_500="https://127.0.0.1:$port_fail500/taxii2/"
new_home i
add_peer i alpha "$url_500" "$tmp/srv.crt" none "" ""
sync i
expect "interrupted sync rc" 1 "$rc"
expect "interrupted sync pulled" 120 "$(field alpha pulled)"
grep -q "HTTP 500" "$tmp/out" && ok || bad "interrupted sync: no 'HTTP 500' in $(cat "$tmp/out")"
grep -q "induced failure" "$tmp/out" && ok || bad "interrupted sync: no error title"
sync i
expect "resumed sync rc" 0 "$rc"
expect "resumed sync pulled" 130 "$(field alpha pulled)"
expect "resumed sync unchanged" 0 "$(field alpha unchanged)"
new_home u
add_peer u alpha "$url_500" "$tmp/srv.crt" none "" ""
sync u
expect "uninterrupted sync rc" 0 "$rc"
expect "uninterrupted sync pulled" 250 "$(field alpha pulled)"
dump i >"$tmp/dump_i"
dump u >"$tmp/dump_u"
if cmp -s "$tmp/dump_i" "$tmp/dump_u"; then ok; else
	bad "interrupted+resumed store differs from uninterrupted"
	diff "$tmp/dump_i" "$tmp/dump_u" | head -5
fi
[ "$(wc -l <"$tmp/dump_u")" -gt 500 ] && ok || bad "dump is too small to mean anything"

# ... and when the connection drops after 2 pages
new_home d
add_peer d alpha "https://127.0.0.1:$port_faildrop/taxii2/" "$tmp/srv.crt" none "" ""
sync d
expect "dropped sync rc" 1 "$rc"
expect "dropped sync pulled" 80 "$(field alpha pulled)"
sync d
expect "resumed after drop rc" 0 "$rc"
expect "resumed after drop pulled" 170 "$(field alpha pulled)"
dump d >"$tmp/dump_d"
cmp -s "$tmp/dump_d" "$tmp/dump_u" && ok || bad "dropped+resumed store differs"

# 4. TLS is verified: without the pin (system CAs) and with a wrong pin it fails,
# and one failing peer does not stop another
new_home t
add_peer t aaa-system "$url_basic" "" basic bob "$tmp/pw"
add_peer t bbb-wrongpin "$url_basic" "$tmp/other.crt" basic bob "$tmp/pw"
add_peer t ccc-good "$url_basic" "$tmp/srv.crt" basic bob "$tmp/pw"
add_peer t ddd-badpw "$url_basic" "$tmp/srv.crt" basic bob "$tmp/badpw"
sync t
expect "mixed peers rc" 1 "$rc"
expect "no pin: not ok" False "$(field aaa-system ok)"
expect "wrong pin: not ok" False "$(field bbb-wrongpin ok)"
expect "good peer pulled" 250 "$(field ccc-good pulled)"
expect "good peer ok" True "$(field ccc-good ok)"
expect "bad password: not ok" False "$(field ddd-badpw ok)"
field ddd-badpw error | grep -q "HTTP 401: authentication required" && ok ||
	bad "401 message: $(field ddd-badpw error)"
field aaa-system error | grep -qi "certificate\|SSL\|TLS" && ok ||
	bad "TLS failure message: $(field aaa-system error)"
n=$(sqlite3 "$tmp/t/store.db" "SELECT count(*) FROM objects")
expect "only the good peer's objects" 250 "$n"
# naming peers syncs only those; an unknown peer is a usage error
sync t ccc-good
expect "named peer rc" 0 "$rc"
expect "named peer: one line" 1 "$(wc -l <"$tmp/out")"
sync t nosuchpeer
expect "unknown peer rc" 2 "$rc"

# 5. bearer token, and a server that never sends next (added_after paging)
new_home k
add_peer k tok "https://127.0.0.1:$port_token/taxii2/" "$tmp/srv.crt" token "" "$tmp/token"
sync k
expect "token sync rc" 0 "$rc"
expect "token sync pulled" 250 "$(field tok pulled)"
sync k
expect "token second sync pulled" 0 "$(field tok pulled)"
# a token file others may read is refused
chmod 644 "$tmp/token"
sync k
expect "readable token rc" 1 "$rc"
chmod 600 "$tmp/token"

# 6. sightings go back to the producer's inbox exactly once per version
sqlite3 "$tmp/b/store.db" "INSERT INTO scans (id, started_ms, inputs) VALUES (1, 0, 'x');
	INSERT INTO sightings (indicator_id, scan_id, count, first_seen_ms, last_seen_ms)
	VALUES ('$ind5', 1, 3, 1704067200000, 1704067260000);
	INSERT INTO sightings (indicator_id, scan_id, count, first_seen_ms, last_seen_ms)
	VALUES ('indicator--00000000-0000-4000-8000-000000000001', 1, 1, 1704067200000,
	        1704067200000);"
sync b
expect "push rc" 0 "$rc"
expect "pushed" 1 "$(field alpha pushed)"
expect "inbox lines" 1 "$(wc -l <"$tmp/inbox_basic.log")"
python3 - "$tmp/inbox_basic.log" "$ind5" "$(sqlite3 "$tmp/b/store.db" \
	"SELECT value FROM meta WHERE key = 'x'" 2>/dev/null)" \
	"$(grep '^identity' "$tmp/b/entente.conf" | sed 's/.*= *//')" "$(cat "$tmp/b/node.pub")" \
	<<'PY' && ok || bad "pushed sighting"
import json, sys
s = json.loads(open(sys.argv[1]).readline())
ident = sys.argv[4]
assert s["type"] == "sighting" and s["sighting_of_ref"] == sys.argv[2], s
assert s["count"] == 3 and s["first_seen"] == "2024-01-01T00:00:00.000Z", s
assert s["last_seen"] == "2024-01-01T00:01:00.000Z", s
assert s["created_by_ref"] == ident and s["where_sighted_refs"] == [ident], s
# the indicator's TLP (unmarked, stored as import.default_tlp = amber), TLP 2.0
assert s["object_marking_refs"] == ["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"], s
# signed with B's node key
ext = s["extensions"]["extension-definition--f2919cd5-b6ca-4bf7-9890-60202e444790"]
assert "ed25519:" + ext["public_key"] == sys.argv[5], (ext, sys.argv[5])
PY
sync b
expect "second push" 0 "$(field alpha pushed)"
expect "inbox lines after second sync" 1 "$(wc -l <"$tmp/inbox_basic.log")"
# more seen: a new version of the same sighting goes out
sqlite3 "$tmp/b/store.db" "INSERT INTO scans (id, started_ms, inputs) VALUES (2, 0, 'y');
	INSERT INTO sightings (indicator_id, scan_id, count, first_seen_ms, last_seen_ms)
	VALUES ('$ind5', 2, 2, 1704067300000, 1704067400000);"
sync b
expect "push of the new version" 1 "$(field alpha pushed)"
python3 - "$tmp/inbox_basic.log" <<'PY' && ok || bad "new version of the sighting"
import json, sys
a, b = [json.loads(l) for l in open(sys.argv[1])]
assert a["id"] == b["id"] and b["count"] == 5 and b["modified"] > a["modified"], (a, b)
assert a["created"] == b["created"], (a, b)
PY
# the ccc-good peer of home t delivered the same indicators, but home t has no
# sightings: nothing goes there
expect "nothing pushed from t" 0 "$(wc -l <"$tmp/inbox_token.log")"

echo "sync_fixture: $passes passed, $fails failed"
[ "$fails" -eq 0 ]
