#!/usr/bin/env bash
# The scan gives the same result on 1 to 4 threads, whatever path a record
# takes: the workers share the walk through a mapped capture (sensor/
# frame_index.c, blocks of records in a ring that is reused many times
# here), and read on their own past a damaged or unusual record, in a file
# that is not mapped, or after a file that is missing. The traffic comes
# from bench/gen_traffic with planted indicators, so the alerts of the
# intact capture are also known independently of entente.
# Usage: scan_threads.sh ENTENTE_BINARY TEST_DATA_DIR SHARED_DIR
set -u
bin=$1
data=$2
root=$(cd "$data/../.." && pwd)
gen=$(dirname "$bin")/bench/gen_traffic
. "$(dirname "$0")/lib/tally.bash"

# ~70,000 records: more than the ring holds (64 blocks of 512)
"$gen" --out "$tmp/t.pcap" --bytes 40M --seed 7 --flows 3000 --planted-stix "$tmp/planted.json" \
	--expected "$tmp/expected.tsv" 2>/dev/null || { echo "gen_traffic failed"; exit 1; }
home=$tmp/home
"$bin" init --home "$home" >/dev/null || exit 1
"$bin" import --home "$home" "$tmp/planted.json" >/dev/null || exit 1

# Derived captures: cut inside a record at 60%; one oversized record (more
# than the snapshot length: libpcap reads it, the index stops there) at 30%
# and the rest intact.
python3 - "$tmp" <<'PY' || { echo "deriving captures failed"; exit 1; }
import struct, sys
d = sys.argv[1]
raw = open(d + "/t.pcap", "rb").read()
offs, off = [], 24
while off + 16 <= len(raw):
    caplen = struct.unpack_from("<I", raw, off + 8)[0]
    offs.append(off)
    off += 16 + caplen
assert off == len(raw) and len(offs) > 64 * 512, (off, len(raw), len(offs))
cut = offs[len(offs) * 6 // 10] + 16 + 10
open(d + "/cut.pcap", "wb").write(raw[:cut])
at = offs[len(offs) * 3 // 10]
big = bytes(6) * 2 + b"\x88\xb5" + bytes(70000 - 14)  # not IP: counted, no flow
rec = struct.pack("<IIII", 1700000000, 0, len(big), len(big)) + big
open(d + "/odd.pcap", "wb").write(raw[:at] + rec + raw[at:])
PY

# what must not differ between thread counts: the summary without its
# timings, and the alerts as a set of lines
summarize() {
	python3 - "$1" "$2" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for k in ("elapsed_s", "compile_s"):
    s.pop(k, None)
print(json.dumps(s, sort_keys=True))
for line in sorted(open(sys.argv[2])):
    print(line, end="")
PY
}

scan_all() { # name, expected exit status, files...
	local name=$1 want=$2 t rc
	shift 2
	for t in 1 2 3 4; do
		# a hang in the shared walk is a failure, not a stuck suite
		timeout 300 "$bin" scan --home "$home" --threads $t --json --output "$tmp/$name.$t.alerts" "$@" \
			>"$tmp/$name.$t.summary" 2>"$tmp/$name.$t.err"
		rc=$?
		[ "$rc" -eq "$want" ] && ok || bad "$name, $t threads: exit $rc, not $want: $(head -c 300 "$tmp/$name.$t.err")"
		summarize "$tmp/$name.$t.summary" "$tmp/$name.$t.alerts" >"$tmp/$name.$t.norm" ||
			{ bad "$name, $t threads: no summary"; continue; }
		if [ "$t" -gt 1 ]; then
			if cmp -s "$tmp/$name.1.norm" "$tmp/$name.$t.norm" &&
				cmp -s "$tmp/$name.1.err" "$tmp/$name.$t.err"; then ok; else
				bad "$name: 1 and $t threads differ"
				diff "$tmp/$name.1.norm" "$tmp/$name.$t.norm" | head -5 | cut -c 1-200
				diff "$tmp/$name.1.err" "$tmp/$name.$t.err" | head -5
			fi
		fi
	done
}

scan_all intact 0 "$tmp/t.pcap"
for t in 1 4; do
	if python3 "$root/bench/check_alerts.py" "$tmp/expected.tsv" "$tmp/intact.$t.alerts" >"$tmp/check" 2>&1; then ok; else
		bad "alerts with $t thread(s) differ from the planted set:"
		sed 's/^/  | /' "$tmp/check" | head -10
	fi
done
python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["packets"] > 64 * 512 and s["alerts"] > 0 and s["files_failed"] == 0, s' "$tmp/intact.4.summary" && ok || bad "intact summary"

scan_all cut 1 "$tmp/cut.pcap"
grep -q "cut.pcap: truncated dump file.*(record [0-9]* at byte offset [0-9]*)" "$tmp/cut.1.err" && ok ||
	bad "cut: no precise error: $(cat "$tmp/cut.1.err")"
python3 -c '
import json, sys
cut, whole = (json.load(open(p)) for p in sys.argv[1:3])
assert whole["packets"] * 0.55 < cut["packets"] < whole["packets"] * 0.65, (cut, whole)' \
	"$tmp/cut.4.summary" "$tmp/intact.4.summary" && ok || bad "cut: not the records before the damage"

scan_all odd 0 "$tmp/odd.pcap"
python3 -c '
import json, sys
odd, whole = (json.load(open(p)) for p in sys.argv[1:3])
assert odd["packets"] == whole["packets"] + 1 and odd["alerts"] == whole["alerts"], (odd, whole)' \
	"$tmp/odd.4.summary" "$tmp/intact.4.summary" && ok || bad "odd: the records after the oversized one"

# several files in one scan: an index each, one missing in between
scan_all several 1 "$tmp/odd.pcap" "$tmp/missing.pcap" "$tmp/t.pcap" "$tmp/cut.pcap"
python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["files"] == 3 and s["files_failed"] == 2, s' "$tmp/several.4.summary" && ok ||
	bad "several: files and failures"

finish scan_threads
