#!/usr/bin/env python3
"""bench/check_alerts.py - compares the alerts of `entente scan` with the
expected alerts written by bench/gen_traffic (--expected).

  check_alerts.py EXPECTED.tsv ALERTS.json [--without-kind KIND]... [--ignore-where]
                  [--show N] [--json]

An alert and an expected line are the same when they have the same flow
(protocol and the two endpoints, in either order), the same observable kind
and value (addresses compared as addresses) and, unless --ignore-where, the
same place ("flow.dst", "tls.sni", ...). Both sides are multisets: an alert
raised twice for one flow and indicator is a difference.

--without-kind leaves out expected lines of a kind whose indicators were not
imported (the planted CSV list has no JA3s: use --without-kind ja3 with it).

Exit status: 0 when the sets are equal, 1 when they differ, 2 on bad input.
"""
import argparse
import collections
import ipaddress
import json
import sys

IP_KINDS = ("ipv4", "ipv6")


def canon_ip(text):
    try:
        return ipaddress.ip_address(text).compressed
    except ValueError:
        return text


def key(proto, a_ip, a_port, b_ip, b_port, kind, value, where, ignore_where):
    ends = sorted([(canon_ip(a_ip), int(a_port)), (canon_ip(b_ip), int(b_port))])
    if kind in IP_KINDS:
        value = canon_ip(value)
    return (proto, ends[0][0], ends[0][1], ends[1][0], ends[1][1], kind, value,
            "" if ignore_where else where)


def read_expected(path, without, ignore_where):
    exp = collections.Counter()
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 8:
                sys.exit("check_alerts: %s:%d: expected 8 or more tab-separated columns" %
                         (path, no))
            proto, cip, cport, sip, sport, kind, value, where = cols[:8]
            if kind in without:
                continue
            exp[key(proto, cip, cport, sip, sport, kind, value, where, ignore_where)] += 1
    return exp


def read_alerts(path, ignore_where):
    got = collections.Counter()
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                a = json.loads(line)
            except ValueError as e:
                sys.exit("check_alerts: %s:%d: not JSON: %s" % (path, no, e))
            if a.get("event_type") != "alert":
                continue
            e = a.get("entente", {})
            proto = a.get("proto")
            got[key(str(proto), a.get("src_ip", ""), a.get("src_port", 0), a.get("dest_ip", ""),
                    a.get("dest_port", 0), e.get("kind", ""), e.get("value", ""),
                    e.get("where", ""), ignore_where)] += 1
    return got


def show(k):
    return "%s %s:%d <-> %s:%d  %s %s%s" % (k[0], k[1], k[2], k[3], k[4], k[5], k[6],
                                            "  (" + k[7] + ")" if k[7] else "")


def main():
    ap = argparse.ArgumentParser(description="compare entente alerts with expected alerts")
    ap.add_argument("expected")
    ap.add_argument("alerts")
    ap.add_argument("--without-kind", action="append", default=[],
                    help="leave out expected alerts of this kind (e.g. ja3)")
    ap.add_argument("--ignore-where", action="store_true",
                    help="do not compare where the observable was seen")
    ap.add_argument("--show", type=int, default=20, help="differences to print per side")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    a = ap.parse_args()
    try:
        exp = read_expected(a.expected, set(a.without_kind), a.ignore_where)
        got = read_alerts(a.alerts, a.ignore_where)
    except OSError as e:
        print("check_alerts: %s" % e, file=sys.stderr)
        return 2
    missing = exp - got
    extra = got - exp
    matched = sum((exp & got).values())
    summary = {"expected": sum(exp.values()), "alerts": sum(got.values()), "matched": matched,
               "missing": sum(missing.values()), "unexpected": sum(extra.values()),
               "equal": not missing and not extra}
    if a.json:
        print(json.dumps(summary))
    else:
        print("expected %(expected)d, alerts %(alerts)d, matched %(matched)d, "
              "missing %(missing)d, unexpected %(unexpected)d" % summary)
        for title, diff in (("missing (expected, not raised)", missing),
                            ("unexpected (raised, not expected)", extra)):
            if not diff:
                continue
            print("%s:" % title)
            for k in sorted(diff)[:a.show]:
                print("  %s%s" % (show(k), "  x%d" % diff[k] if diff[k] > 1 else ""))
            if len(diff) > a.show:
                print("  ... and %d more" % (len(diff) - a.show))
    return 0 if summary["equal"] else 1


if __name__ == "__main__":
    sys.exit(main())
