# tally.bash - what the end-to-end scripts share: a scratch directory that
# goes on exit ($tmp), counting checks (ok, bad), a command's exit status
# as a check (expect_rc), and the summary line (finish). Sourced after
# `set -u`; a script with its own exit trap sets it after sourcing.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
passes=0

ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

expect_rc() { # expected-rc description command...
	local want=$1 what=$2 got
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" -eq "$want" ]; then ok; else
		bad "$what: exit $got, expected $want"
		sed 's/^/  | /' "$tmp/err" | head -5
	fi
}

# finish NAME: prints the counts; succeeds when nothing failed
finish() {
	echo "$1: $passes passed, $fails failed"
	[ "$fails" -eq 0 ]
}
