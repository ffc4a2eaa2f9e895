#!/usr/bin/env bash
# End-to-end: `entente policy show` on a fresh home, with settings, peers
# and allowlists, in text and JSON; and its errors.
# Usage: policy.sh ENTENTE_BINARY TEST_DATA_DIR SHARED_DIR
set -u
bin=$1
data=$2
command -v sqlite3 >/dev/null || { echo "SKIPPED: no sqlite3 command"; exit 77; }
command -v python3 >/dev/null || { echo "SKIPPED: no python3"; exit 77; }
. "$(dirname "$0")/lib/tally.bash"
home=$tmp/home

expect_rc 0 "policy --help" "$bin" policy --help
grep -q "^Usage: entente policy show" "$tmp/out" && ok || bad "policy --help prints no usage"
expect_rc 3 "missing home" "$bin" policy show --home "$home"
expect_rc 0 "init" "$bin" init --home "$home" --name "Test CERT"
expect_rc 2 "no subcommand" "$bin" policy --home "$home"
expect_rc 2 "unknown subcommand" "$bin" policy --home "$home" frob

# the defaults of a new home
expect_rc 0 "show defaults" "$bin" policy show --home "$home"
grep -q "^  unsigned  *lower" "$tmp/out" && ok || bad "default unsigned: $(cat "$tmp/out")"
grep -q "^  domain  *90d" "$tmp/out" && ok || bad "default domain half-life"
grep -q "^  sha256  *none" "$tmp/out" && ok || bad "default sha256 half-life"

# settings, peers, allowlists
conf=$home/entente.conf
sed -i -e 's/^min_confidence_export = 0/min_confidence_export = 60/' \
	-e 's/^half_life_ipv4 = 30d/half_life_ipv4 = 12h/' -e 's/^unsigned = lower/unsigned = reject/' "$conf"
mkdir -p "$home/allowlists"
cp "$data/allowlist/cidr.json" "$home/allowlists/"
printf 'corp.example\n# comment\nintranet.test\n' >"$home/allowlists/ours.txt"
cat >>"$conf" <<CONF
nets = allowlists/cidr.json format:misp action:inform
ours = allowlists/ours.txt type:suffix action:lower:25
CONF
sqlite3 "$home/store.db" "INSERT INTO peers (name, trust, groups, public_key, created_ms, updated_ms)
  VALUES ('cert-b', 80, 'partners,community', 'AAAA', 0, 0), ('isp-c', 40, '', NULL, 0, 0)"

expect_rc 0 "show" "$bin" policy show --home "$home"
grep -q "^  min_confidence_export  60$" "$tmp/out" && ok || bad "min_confidence_export"
grep -q "^  unsigned  *reject$" "$tmp/out" && ok || bad "unsigned reject"
grep -q "^  ipv4  *12h$" "$tmp/out" && ok || bad "ipv4 half-life"
grep -q "^  cert-b  *trust  80  key pinned  *groups partners,community$" "$tmp/out" && ok ||
	bad "peer cert-b: $(grep cert-b "$tmp/out")"
grep -q "^  isp-c  *trust  40  key not pinned groups -$" "$tmp/out" && ok ||
	bad "peer isp-c: $(grep isp-c "$tmp/out")"
grep -q "^  nets  *cidr  *inform  *3 entries (2 skipped)  kinds ipv4,ipv6 " "$tmp/out" && ok ||
	bad "allowlist nets: $(grep nets "$tmp/out")"
grep -q "^  ours  *suffix  *lower:25  *2 entries  kinds all " "$tmp/out" && ok ||
	bad "allowlist ours: $(grep ours "$tmp/out")"

expect_rc 0 "show --json" "$bin" policy show --home "$home" --json
python3 - "$tmp/out" <<'PY' && ok || bad "policy JSON: $(cat "$tmp/out")"
import json, sys
p = json.load(open(sys.argv[1]))
assert p["min_confidence_export"] == 60
assert p["unsigned"] == {"action": "reject", "trust": 50}
assert p["default_tlp"] == "amber"
assert p["half_life"]["ipv4"] == 43200 and p["half_life"]["sha256"] == 0
assert [(x["name"], x["trust"], x["groups"], x["key_pinned"]) for x in p["peers"]] == [
    ("cert-b", 80, ["partners", "community"], True), ("isp-c", 40, [], False)]
nets, ours = p["allowlists"]
assert (nets["name"], nets["type"], nets["action"], nets["entries"], nets["skipped"]) == (
    "nets", "cidr", "inform", 3, 2)
assert nets["kinds"] == ["ipv4", "ipv6"] and nets["title"] == "Test networks"
assert (ours["type"], ours["action"], ours["entries"]) == ("suffix", "lower:25", 2)
PY

# errors name the setting, on one line
sed -i 's/^unsigned = reject/unsigned = maybe/' "$conf"
expect_rc 1 "bad setting" "$bin" policy show --home "$home"
grep -q "policy.unsigned" "$tmp/err" && ok || bad "bad setting message: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && ok || bad "error is not one line"
sed -i 's/^unsigned = maybe/unsigned = lower/' "$conf"
echo "gone = allowlists/absent.txt" >>"$conf"
expect_rc 1 "missing allowlist" "$bin" policy show --home "$home"
grep -q "allowlists.gone: .*absent.txt" "$tmp/err" && ok || bad "allowlist error: $(cat "$tmp/err")"

finish policy
