"""A local ORUK API for `kith directory pull` tests: http.server on
127.0.0.1 with a random port, in a thread of the test process.

It serves the services of tests/data/oruk-feeds (or any list given) as a
paged ORUK 3.0 list (/v3/services?page=N&per_page=M: contents, total_pages,
page_number, ...; list entries are summaries and /v3/services/{id} gives
the full record) or ORUK v1 (/v1/services?page=N: content, totalPages,
number, first, last; entries are whole). Every answer has an ETag and a
Last-Modified and honours If-None-Match (304). Misbehaviour is asked for
per path through .faults: a list of (path prefix, kind) consumed in order,
kind one of "429" (with Retry-After: 1), "500", "slow" (sleeps past the
client's timeout), "malformed" (not JSON), "ignore-page" (always page 1).
Every request is logged in .requests as (path, headers dict).
"""
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class Feed:
    def __init__(self, services):
        self.services = list(services)
        self.faults = []
        self.requests = []
        self.lock = threading.Lock()
        self.slow_seconds = 3
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def fault(self, prefix, kind):
        with self.lock:
            self.faults.append((prefix, kind))

    def take_fault(self, path):
        with self.lock:
            for i, (prefix, kind) in enumerate(self.faults):
                if path.startswith(prefix):
                    del self.faults[i]
                    return kind
        return None

    def paths(self):
        with self.lock:
            return [p for p, _ in self.requests]

    def _handler(self):
        feed = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def send_body(self, status, body, extra=()):
                data = body.encode() if isinstance(body, str) else body
                etag = '"%s"' % hashlib.sha256(data).hexdigest()[:32]
                if status == 200 and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                if status == 200:
                    self.send_header("ETag", etag)
                    self.send_header("Last-Modified", "Mon, 02 Dec 2024 10:00:00 GMT")
                for k, v in extra:
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                try:
                    self.answer()
                except (BrokenPipeError, ConnectionResetError):
                    pass            # the client gave up (a timeout under test)

            def answer(self):
                u = urlparse(self.path)
                with feed.lock:
                    feed.requests.append((self.path, dict(self.headers)))
                kind = feed.take_fault(self.path)
                if kind == "429":
                    return self.send_body(429, '{"error": "slow down"}', [("Retry-After", "1")])
                if kind == "500":
                    return self.send_body(500, '{"error": "oops"}')
                if kind == "slow":
                    time.sleep(feed.slow_seconds)
                if kind == "malformed":
                    return self.send_body(200, '{"contents": [{"id": "x", ')
                q = parse_qs(u.query)
                page = int(q.get("page", ["1"])[0])
                if kind == "ignore-page":
                    page = 1
                parts = u.path.strip("/").split("/")
                if len(parts) < 2 or parts[1] != "services":
                    return self.send_body(404, "{}")
                with feed.lock:
                    services = list(feed.services)
                if len(parts) == 3:
                    for s in services:
                        if s["id"] == parts[2]:
                            return self.send_body(200, json.dumps(s))
                    return self.send_body(404, "{}")
                per = int(q.get("per_page", ["10"])[0])
                total = max(1, (len(services) + per - 1) // per)
                chunk = services[(page - 1) * per:page * per]
                if parts[0] == "v3":
                    summary = [{k: v for k, v in s.items() if not isinstance(v, list)} for s in chunk]
                    body = {"total_items": len(services), "total_pages": total, "page_number": page,
                            "size": per, "first_page": page == 1, "last_page": page >= total,
                            "empty": not chunk, "contents": summary}
                else:
                    body = {"totalElements": len(services), "totalPages": total, "number": page,
                            "size": per, "first": page == 1, "last": page >= total, "content": chunk}
                return self.send_body(200, json.dumps(body))

        return Handler
