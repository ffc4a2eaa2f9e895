#!/usr/bin/env bash
# End-to-end: `entente peer` on a fresh home - both sides of a peer, the
# checks on every option, secrets kept out of the store and the output.
# Usage: peer_cli.sh ENTENTE_BINARY TEST_DATA_DIR SHARED_DIR
set -u
bin=$1
. "$(dirname "$0")/lib/tally.bash"
home=$tmp/home
one_line_error() { # the error is one line starting "entente peer: "
	[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "^entente peer: " "$tmp/err" && ok ||
		bad "$1: error is not one 'entente peer:' line: $(cat "$tmp/err")"
}

expect_rc 0 "peer --help" "$bin" peer --help
grep -q "^Usage: entente peer" "$tmp/out" && ok || bad "peer --help prints no usage"
for sub in add set allow deny list show remove; do
	expect_rc 0 "peer $sub --help" "$bin" peer "$sub" --help
	grep -q "^Usage: entente peer $sub" "$tmp/out" && ok || bad "peer $sub --help"
done
expect_rc 2 "unknown subcommand" "$bin" peer frob
expect_rc 3 "missing home" "$bin" peer list --home "$home"

"$bin" init --home "$home" --name node-a >/dev/null 2>&1 || bad "init"
[ "$(stat -c %a "$home/tls.key")" = 600 ] && ok || bad "tls.key mode is not 600"
[ "$(stat -c %a "$home/tls.crt")" = 644 ] && ok || bad "tls.crt mode is not 644"
grep -q "BEGIN CERTIFICATE" "$home/tls.crt" && ok || bad "tls.crt is not PEM"

(umask 077 && printf 'their-password\n' >"$tmp/out-pw" && printf 'our-password-for-b\n' >"$tmp/in-pw")
pub=$(cat "$home/node.pub")

# add: the outgoing side
expect_rc 0 "add" "$bin" peer add cert-b --home "$home" --trust 70 \
	--url https://127.0.0.1:8443/taxii2/ --user node-a --password-file "$tmp/out-pw" \
	--ca "$home/tls.crt" --key "$pub" --groups community,partners
[ "$(stat -c %a "$home/peers/cert-b.secret")" = 600 ] && ok || bad "peers/cert-b.secret mode"
[ "$(cat "$home/peers/cert-b.secret")" = their-password ] && ok || bad "secret not copied"
expect_rc 1 "add twice" "$bin" peer add cert-b --home "$home" --trust 1
one_line_error "add twice"
expect_rc 0 "add, minimal" "$bin" peer add isp-c --home "$home" --trust 0

# the checks: each a one-line error, exit 2 (usage) or 1 (bad value)
expect_rc 2 "add without --trust" "$bin" peer add x --home "$home"
one_line_error "add without --trust"
expect_rc 1 "trust out of range" "$bin" peer add x --home "$home" --trust 101
one_line_error "trust out of range"
expect_rc 1 "trust not a number" "$bin" peer add x --home "$home" --trust 5x
expect_rc 1 "url not http(s)" "$bin" peer add x --home "$home" --trust 5 --url ftp://a/
one_line_error "url not http(s)"
expect_rc 1 "key not 32 bytes" "$bin" peer add x --home "$home" --trust 5 --key AAAA
one_line_error "key not 32 bytes"
expect_rc 1 "ca not PEM" "$bin" peer add x --home "$home" --trust 5 --ca "$home/entente.conf"
one_line_error "ca not PEM"
expect_rc 1 "ca missing" "$bin" peer add x --home "$home" --trust 5 --ca "$tmp/none.pem"
expect_rc 1 "bad group" "$bin" peer add x --home "$home" --trust 5 --groups "A B"
expect_rc 2 "bad name" "$bin" peer add "x/y" --home "$home" --trust 5
expect_rc 1 "user without password" "$bin" peer add x --home "$home" --trust 5 --user u
expect_rc 2 "option of another command" "$bin" peer list --home "$home" --trust 5
chmod 644 "$tmp/out-pw"
expect_rc 1 "readable secret" "$bin" peer add x --home "$home" --trust 5 --user u \
	--password-file "$tmp/out-pw"
grep -q "chmod 600" "$tmp/err" && ok || bad "readable-secret message"
chmod 600 "$tmp/out-pw"
expect_rc 1 "show of a refused peer" "$bin" peer show x --home "$home"

# allow: the incoming side, only hashes kept
expect_rc 0 "allow basic" "$bin" peer allow cert-b --home "$home" --user cert-b \
	--password-file "$tmp/in-pw"
expect_rc 0 "allow token (made)" "$bin" peer allow cert-b --home "$home" --token-file "$tmp/tok"
[ "$(stat -c %a "$tmp/tok")" = 600 ] && ok || bad "token file mode"
grep -Eq '^ent_[a-z0-9]{16}_[A-Za-z0-9_-]{43}$' "$tmp/tok" && ok || bad "token form: $(cat "$tmp/tok")"
tokid=$(cut -c1-20 "$tmp/tok")
expect_rc 1 "allow for an unknown peer" "$bin" peer allow nobody --home "$home" \
	--token-file "$tmp/tok2"
[ ! -e "$tmp/tok2" ] && ok || bad "token file made for an unknown peer"
(umask 077 && echo "not-a-token" >"$tmp/badtok")
expect_rc 1 "allow a foreign token" "$bin" peer allow cert-b --home "$home" --token-file "$tmp/badtok"
expect_rc 1 "user of another peer" "$bin" peer allow isp-c --home "$home" --user cert-b \
	--password-file "$tmp/in-pw"
expect_rc 2 "allow without credentials" "$bin" peer allow cert-b --home "$home"

# no secret anywhere in the store or in what show and list print
for s in our-password-for-b their-password "$(cut -c22- "$tmp/tok")"; do
	grep -qF -- "$s" "$home/store.db" && bad "secret '$s' in store.db" || ok
done
expect_rc 0 "show" "$bin" peer show cert-b --home "$home"
grep -q "^trust *70$" "$tmp/out" && ok || bad "show: trust"
grep -q "^account *basic cert-b" "$tmp/out" && ok || bad "show: basic account"
grep -q "^account *token $tokid" "$tmp/out" && ok || bad "show: token account"
grep -q "password" "$tmp/out" && bad "show prints a password" || ok
expect_rc 0 "show --json" "$bin" peer show cert-b --home "$home" --json
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["trust"]==70 and d["groups"]=="community,partners" and len(d["accounts"])==2 and d["key"] and d["auth"]=="basic", d' \
	<"$tmp/out" && ok || bad "show --json content"
grep -q "password" "$tmp/out" && bad "show --json prints a password" || ok
expect_rc 0 "list" "$bin" peer list --home "$home"
[ "$(wc -l <"$tmp/out")" -eq 2 ] && ok || bad "list: two peers"
grep -q "^cert-b	70	https://127.0.0.1:8443/taxii2/	basic	community,partners	2$" "$tmp/out" &&
	ok || bad "list line: $(head -1 "$tmp/out")"
expect_rc 0 "list --json" "$bin" peer list --home "$home" --json
[ "$(python3 -c 'import json,sys; print(sum(1 for l in sys.stdin if json.loads(l)["name"]))' <"$tmp/out")" = 2 ] &&
	ok || bad "list --json"

# set
expect_rc 0 "set" "$bin" peer set cert-b --home "$home" --trust 40 --groups partners --ca ''
expect_rc 0 "show after set" "$bin" peer show cert-b --home "$home" --json
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["trust"]==40 and d["groups"]=="partners" and d["ca"] is None and d["url"], d' \
	<"$tmp/out" && ok || bad "set did not apply"
expect_rc 0 "set token auth" "$bin" peer set cert-b --home "$home" --token-file "$tmp/tok"
[ "$(cat "$home/peers/cert-b.secret")" = "$(cat "$tmp/tok")" ] && ok || bad "set: token not copied"
expect_rc 1 "set bad trust" "$bin" peer set cert-b --home "$home" --trust -1
expect_rc 1 "set unknown peer" "$bin" peer set nobody --home "$home" --trust 1

# deny
expect_rc 0 "deny one" "$bin" peer deny cert-b --home "$home" --user "$tokid"
grep -q "1 account removed" "$tmp/out" && ok || bad "deny one: $(cat "$tmp/out")"
expect_rc 1 "deny unknown user" "$bin" peer deny cert-b --home "$home" --user "$tokid"
expect_rc 0 "deny all" "$bin" peer deny cert-b --home "$home"
expect_rc 0 "show after deny" "$bin" peer show cert-b --home "$home"
grep -q "^account" "$tmp/out" && bad "accounts left after deny" || ok

# remove
expect_rc 0 "remove" "$bin" peer remove cert-b --home "$home"
[ ! -e "$home/peers/cert-b.secret" ] && ok || bad "remove left the secret file"
expect_rc 1 "remove again" "$bin" peer remove cert-b --home "$home"
one_line_error "remove again"
expect_rc 0 "list after remove" "$bin" peer list --home "$home"
[ "$(cut -f1 "$tmp/out")" = isp-c ] && ok || bad "list after remove: $(cat "$tmp/out")"

finish peer_cli
