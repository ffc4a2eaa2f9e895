#!/usr/bin/env bash
# entente export on the demo intelligence: each format holds exactly the
# active, exportable values: not the TLP:RED one (it never leaves), not the
# revoked or expired ones, not an allowlisted one; `--for public` only
# TLP:CLEAR. The files are checked by the tools that read them when they
# are installed (named-checkzone, nft -c).
# Usage: export.sh ENTENTE_BINARY TEST_DATA_DIR SHARED_DIR
set -u
bin=$1
data=$2
root=$(cd "$data/../.." && pwd)
. "$(dirname "$0")/lib/tally.bash"
home=$tmp/home
"$bin" init --home "$home" >/dev/null || exit 1
"$bin" import --home "$home" "$root/examples/demo/intel.json" >/dev/null || exit 1
# an allowlist that keeps one of the demo's addresses from being blocked
mkdir -p "$home/allowlists"
echo "198.51.100.23" >"$home/allowlists/ours.txt"
echo "ours = allowlists/ours.txt type:exact action:inform" >>"$home/entente.conf"

for f in rpz nftables suricata; do
	if "$bin" export --home "$home" --format "$f" --output "$tmp/$f" --json 2>"$tmp/$f.sum"; then ok; else
		bad "export $f: $(cat "$tmp/$f.sum")"
	fi
done
python3 - "$tmp" <<'PY' && ok || bad "contents"
import json, re, sys
d = sys.argv[1]
rpz, nft, sur = (open(f"{d}/{f}").read() for f in ("rpz", "nftables", "suricata"))
# what the demo bundle says is active and exportable (read here, not from entente)
active_domains = {"update.malware-c2.example", "login-portal.phish.example"}
for name in active_domains:
    assert f"\n{name} CNAME ." in rpz and f"\n*.{name} CNAME ." in rpz, name
    assert f'dns.query; content:"{name}"' in sur and f'tls.sni; content:"{name}"' in sur, name
assert "32.77.2.0.192.rpz-ip CNAME ." in rpz and "24.0.113.0.203.rpz-ip CNAME ." in rpz
for never in ("198.51.100.5",     # TLP:RED
              "198.51.100.200",   # expired
              "www.example.org",  # revoked
              "198.51.100.23"):   # allowlisted
    assert never not in rpz and never not in nft and never not in sur, never
assert "203.0.113.0/24" in nft and "192.0.2.77" in nft and "2001:db8:bad::/48" in nft
assert 'ja3.hash; content:"e7d705a3286e19ea42f587b344ee6865"' in sur
sids = re.findall(r"sid:(\d+);", sur)
assert len(sids) == len(set(sids)) == len([l for l in sur.splitlines() if l.startswith("alert")])
s = json.load(open(f"{d}/rpz.sum"))
assert s["kept_back"]["tlp"] == 1 and s["kept_back"]["allowlist"] == 1, s
PY

# --for public: TLP:CLEAR only, and the demo has none
"$bin" export --home "$home" --format rpz --for public --output "$tmp/public" 2>/dev/null || bad "export --for public"
grep -q "CNAME" "$tmp/public" && bad "--for public wrote non-CLEAR entries" || ok
# bad usage
"$bin" export --home "$home" --format xml >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "unknown format: not exit 2"
"$bin" export --home "$home" --format rpz --for peer:nobody >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "unknown peer: not exit 2"

if command -v named-checkzone >/dev/null; then
	named-checkzone rpz.entente "$tmp/rpz" >"$tmp/check" 2>&1 && ok || bad "named-checkzone: $(cat "$tmp/check")"
else
	echo "named-checkzone not installed: the zone's syntax is not checked"
fi
if command -v nft >/dev/null && nft -c -f /dev/null 2>/dev/null; then
	nft -c -f "$tmp/nftables" >"$tmp/check" 2>&1 && ok || bad "nft -c: $(cat "$tmp/check")"
else
	echo "nft cannot check here: the ruleset's syntax is not checked"
fi

finish export
