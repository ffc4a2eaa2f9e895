#!/usr/bin/env bash
# End-to-end, on the real captures of ../shared/corpus: indicators taken from
# tshark's truth files are imported; `entente scan` must raise alerts for
# them, every alert must be backed by the truth (the same value at the same
# frame in the same file), and 1 thread and 2 threads must give the same set.
# Usage: scan_corpus.sh ENTENTE_BINARY TEST_DATA_DIR SHARED_DIR
set -u
bin=$1
shared=$3
corpus=$shared/corpus
if [ ! -d "$corpus/pcap" ]; then
	echo "SKIPPED: $corpus is absent"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
home=$tmp/home
"$bin" init --home "$home" >/dev/null || exit 1

# indicators: every 3rd distinct DNS query name, SNI, HTTP host and IPv4 pair
# source of the truth, so some traffic matches and most does not
python3 - "$corpus/truth" >"$tmp/ind.txt" <<'PY'
import os, sys
vals = set()
for name in sorted(os.listdir(sys.argv[1])):
    if not name.endswith(".tsv") or name == "SUMMARY.tsv":
        continue
    for line in open(os.path.join(sys.argv[1], name), encoding="utf-8", errors="replace"):
        f = line.rstrip("\n").split("\t")
        if len(f) < 3 or f[0].startswith("#"):
            continue
        if f[1] in ("dns.qry.name", "tls.sni") and " " not in f[2] and f[2].count(".") >= 1 \
                and not f[2].startswith("<"):
            vals.add(f[2].lower().rstrip("."))
        elif f[1] == "ip.pair":
            vals.add(f[2])
picked = sorted(vals)[::3]
print("\n".join(picked))
PY
"$bin" import --home "$home" --source truth "$tmp/ind.txt" >/dev/null || { echo "import failed"; exit 1; }

pcaps=$(ls "$corpus"/pcap/* | sort)
# damaged captures make scan exit 1 after scanning what they hold
"$bin" scan --home "$home" --threads 1 --output "$tmp/a1.json" $pcaps 2>/dev/null
"$bin" scan --home "$home" --threads 2 --output "$tmp/a2.json" $pcaps 2>/dev/null

python3 - "$tmp/a1.json" "$tmp/a2.json" "$corpus/truth" <<'PY'
import json, os, sys
def load(p):
    out = set()
    for line in open(p):
        a = json.loads(line)
        e = a["entente"]
        out.add((os.path.basename(a["pcap_filename"]), a["flow_id"], e["indicator"], e["where"],
                 e["frame"], e["observed"]))
    return out
a1, a2 = load(sys.argv[1]), load(sys.argv[2])
fails = 0
if not a1:
    print("FAIL: no alerts at all"); fails += 1
if a1 != a2:
    print("FAIL: 1 and 2 threads differ: %d only in 1, %d only in 2" % (len(a1 - a2), len(a2 - a1)))
    for x in sorted(a1 ^ a2)[:30]:
        print("  ", x)
    fails += 1
# every alert is backed by tshark's truth at that frame
truth = {}
def truth_of(pcap):
    if pcap not in truth:
        rows = set()
        for line in open(os.path.join(sys.argv[3], pcap + ".tsv"), encoding="utf-8", errors="replace"):
            f = line.rstrip("\n").split("\t")
            if len(f) >= 3 and not f[0].startswith("#"):
                rows.add((int(f[0]), f[2].lower()))
                if len(f) >= 4:
                    rows.add((int(f[0]), f[3].lower()))
        truth[pcap] = rows
    return truth[pcap]
unbacked = [a for a in a1 if (a[4], a[5].lower().rstrip(".")) not in truth_of(a[0])
            and (a[4], a[5].lower()) not in truth_of(a[0])]
if unbacked:
    print("FAIL: %d alerts not backed by the truth, e.g. %s" % (len(unbacked), sorted(unbacked)[:3]))
    fails += 1
kinds = {a[3] for a in a1}
print("scan_corpus: %d alerts over %d files, where: %s" % (len(a1), len({a[0] for a in a1}), ",".join(sorted(kinds))))
print("scan_corpus: %d passed, %d failed" % (3 - fails, fails))
sys.exit(1 if fails else 0)
PY
