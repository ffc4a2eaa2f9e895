#!/usr/bin/env python3
"""A small TAXII 2.1 server for tests: it stands for "any other TAXII server".

Serves, over HTTPS on loopback, one API root with two collections:
  intel  (can_read)  the STIX objects of --objects, in file order, object i
                     added at --epoch + i seconds;
  inbox  (can_write) accepts add-objects envelopes and appends each object
                     received, one JSON line, to --inbox-log.

TAXII 2.1 behaviour it follows: discovery (4.1) with a relative default API
root, API root information (4.2), collections (5.1), get objects (5.3) with
limit / added_after / next, the envelope's more and next, and the
X-TAXII-Date-Added-First / -Last headers; add objects (5.4) answers 202 with
a status resource (4.3.1) whose successes list each object's id and version;
get status (4.3). Errors are TAXII error bodies (3.6.1) with a title.

Options:
  --user U --password P   require HTTP Basic (401 otherwise)
  --token T               require a bearer token
  --fail-after N          after N object pages served, fail the next
  --fail-count K          K object requests (default 1), then recover
  --fail-mode 500|drop    fail with HTTP 500, or close the connection
  --port-file F           where the chosen port is written (bind port 0)

The only dependency is the Python 3 standard library.
"""
import argparse
import base64
import datetime
import json
import os
import ssl
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MEDIA = "application/taxii+json;version=2.1"
INTEL = "9cfa669c-ee94-4ece-afd2-f8edac37d8fd"
INBOX = "2f6f3bbe-7a5c-4c1a-9b1e-1d6c1b2e8f10"


def ts(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (dt.microsecond // 1000)


def parse_ts(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        with open(args.objects) as f:
            doc = json.load(f)
        objs = doc["objects"] if isinstance(doc, dict) else doc
        epoch = parse_ts(args.epoch)
        self.objects = [(epoch + datetime.timedelta(seconds=i), o) for i, o in enumerate(objs)]
        self.pages_served = 0
        self.failures_left = args.fail_count
        self.statuses = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "taxii-fixture/1"

    def log_message(self, fmt, *a):
        if self.server.state.args.verbose:
            sys.stderr.write("fixture: " + fmt % a + "\n")

    def send_json(self, code, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", MEDIA)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def error(self, code, title):
        self.send_json(code, {"title": title, "http_status": str(code)})

    def authorized(self):
        a = self.server.state.args
        got = self.headers.get("Authorization", "")
        if a.user is not None:
            want = "Basic " + base64.b64encode(f"{a.user}:{a.password}".encode()).decode()
            return got == want
        if a.token is not None:
            return got == "Bearer " + a.token
        return True

    def route(self):
        if not self.authorized():
            self.error(401, "authentication required")
            return None
        return urlsplit(self.path)

    def do_GET(self):
        u = self.route()
        if u is None:
            return
        st = self.server.state
        p = u.path
        if p == "/taxii2/":
            self.send_json(200, {"title": "fixture", "default": "../api1/",
                                 "api_roots": ["/api1/"]})
        elif p == "/api1/":
            self.send_json(200, {"title": "fixture root", "versions": [MEDIA],
                                 "max_content_length": 10485760})
        elif p == "/api1/collections/":
            self.send_json(200, {"collections": [
                {"id": INTEL, "title": "Intel", "can_read": True, "can_write": False,
                 "media_types": [MEDIA]},
                {"id": INBOX, "title": "Inbox", "can_read": False, "can_write": True,
                 "media_types": [MEDIA]}]})
        elif p == f"/api1/collections/{INTEL}/objects/":
            self.get_objects(parse_qs(u.query))
        elif p.startswith("/api1/status/"):
            sid = p[len("/api1/status/"):].strip("/")
            with st.lock:
                s = st.statuses.get(sid)
            if s is None:
                self.error(404, "no such status")
            else:
                self.send_json(200, s)
        elif p == f"/api1/collections/{INBOX}/objects/":
            self.error(403, "the inbox cannot be read")
        else:
            self.error(404, "not found")

    def get_objects(self, q):
        st = self.server.state
        a = st.args
        with st.lock:
            if a.fail_after is not None and st.pages_served >= a.fail_after \
                    and st.failures_left > 0:
                st.failures_left -= 1
                fail = True
            else:
                fail = False
        if fail:
            if a.fail_mode == "drop":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            self.error(500, "induced failure")
            return
        limit = int(q.get("limit", ["100"])[0])
        limit = max(1, min(limit, a.max_page))
        objs = st.objects
        if "next" in q:
            try:
                start = int(q["next"][0])
            except ValueError:
                self.error(400, "bad next")
                return
            if start < 0 or start > len(objs):
                self.error(400, "bad next")
                return
        else:
            start = 0
            if "added_after" in q:
                after = parse_ts(q["added_after"][0])
                while start < len(objs) and objs[start][0] <= after:
                    start += 1
        page = objs[start:start + limit]
        end = start + len(page)
        body = {"more": end < len(objs)}
        if body["more"] and not a.no_next:
            body["next"] = str(end)
        if page:
            body["objects"] = [o for _, o in page]
        headers = {}
        if page:
            headers["X-TAXII-Date-Added-First"] = ts(page[0][0])
            headers["X-TAXII-Date-Added-Last"] = ts(page[-1][0])
        with st.lock:
            st.pages_served += 1
        self.send_json(200, body, headers)

    def do_POST(self):
        u = self.route()
        if u is None:
            return
        st = self.server.state
        if u.path != f"/api1/collections/{INBOX}/objects/":
            self.error(403 if u.path.endswith("/objects/") else 404, "cannot write here")
            return
        if not self.headers.get("Content-Type", "").startswith("application/taxii+json"):
            self.error(415, "unsupported media type")
            return
        n = int(self.headers.get("Content-Length", "0"))
        try:
            env = json.loads(self.rfile.read(n))
            objs = env["objects"]
        except (ValueError, KeyError, TypeError):
            self.error(400, "bad envelope")
            return
        successes = []
        with st.lock:
            with open(st.args.inbox_log, "a") as f:
                for o in objs:
                    f.write(json.dumps(o, sort_keys=True) + "\n")
                    successes.append({"id": o.get("id"), "version": o.get("modified")})
            sid = str(uuid.uuid4())
            status = {"id": sid, "status": "complete",
                      "request_timestamp": ts(datetime.datetime.now(datetime.timezone.utc)),
                      "total_count": len(objs), "success_count": len(objs),
                      "successes": successes, "failure_count": 0, "pending_count": 0}
            st.statuses[sid] = status
        self.send_json(202, status)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--objects", required=True)
    ap.add_argument("--inbox-log", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--epoch", default="2024-01-01T00:00:00.000Z")
    ap.add_argument("--user")
    ap.add_argument("--password")
    ap.add_argument("--token")
    ap.add_argument("--fail-after", type=int)
    ap.add_argument("--fail-count", type=int, default=1)
    ap.add_argument("--fail-mode", choices=["500", "drop"], default="500")
    ap.add_argument("--max-page", type=int, default=1000)
    ap.add_argument("--no-next", action="store_true",
                    help="never send next: clients page with added_after")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.state = State(args)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, args.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
