"""The HTTP surface of a real server: pages, errors, limits, headers,
assets, health and metrics, as a browser or curl sees them."""
import gzip
import re
import socket
import time

import requests

from conftest import Server, raw_http, status_of

SECURITY = ["Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy",
            "Permissions-Policy", "X-Request-Id"]


def test_home_page(server):
    r = server.get("/")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<html lang="en"' in r.text
    assert "Skip to main content" in r.text
    assert 'href="/accessibility"' in r.text and 'href="/privacy"' in r.text
    for h in SECURITY:
        assert h in r.headers, h
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in r.headers
    # No inline script or style anywhere on the page.
    assert "<script" not in r.text
    assert "style=" not in r.text


def test_keep_alive_is_kept(server):
    with requests.Session() as s:
        for _ in range(3):
            r = s.get(server.url + "/healthz", timeout=5)
            assert r.status_code == 200
            assert r.headers.get("Connection", "").lower() != "close"


def test_head_has_no_body(server):
    r = server.request("HEAD", "/")
    assert r.status_code == 200
    assert r.content == b""
    assert int(r.headers["Content-Length"]) > 500


def test_not_found_page_and_problem(server):
    r = server.get("/no/such/page")
    assert r.status_code == 404
    assert "text/html" in r.headers["Content-Type"]
    assert "Page not found" in r.text
    assert '<html lang="en"' in r.text
    r = server.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.headers["Content-Type"] == "application/problem+json"
    p = r.json()
    assert p["status"] == 404 and p["type"] == "/problems/not-found"
    assert p["title"] and p["detail"]
    assert p["request_id"] == r.headers["X-Request-Id"]


def test_problem_type_is_documented(server):
    p = server.get("/api/v1/nothing-here").json()
    r = server.get(p["type"])
    assert r.status_code == 200
    assert "404" in r.text


def test_method_not_allowed(server):
    r = server.request("PUT", "/privacy", data="x", headers={"Content-Type": "text/plain"})
    assert r.status_code == 405
    assert r.headers["Allow"] == "GET, HEAD"
    r = server.request("OPTIONS", "/")
    assert r.status_code == 405
    assert "Access-Control-Allow-Origin" not in r.headers


def test_body_too_large_is_refused_before_reading(server):
    # Content-Length over body_max: answered at once with 413, without the
    # body ever being sent.
    raw = raw_http(server.port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                                b"Content-Length: 50000000\r\n\r\n")
    assert status_of(raw) == 413, raw[:200]
    assert b"too large" in raw.lower()


def test_chunked_body_too_large(server):
    chunk = b"x" * 65536
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(20)) + b"0\r\n\r\n"
    raw = raw_http(server.port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                                b"Transfer-Encoding: chunked\r\n\r\n" + body)
    assert status_of(raw) == 413, raw[:200]


def test_uri_too_long(server):
    r = server.get("/?q=" + "a" * 5000)
    assert r.status_code == 414
    assert "too long" in r.text


def test_headers_too_large(server):
    r = server.get("/", headers={"X-Big": "b" * 20000})
    assert r.status_code == 431
    r = server.get("/", headers={"X-H%d" % i: "v" for i in range(80)})
    assert r.status_code == 431


def test_smuggling_signs_refused(server):
    raw = raw_http(server.port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                                b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    assert status_of(raw) == 400, raw[:200]
    raw = raw_http(server.port, b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                                b"Content-Length: 4\r\n\r\nabcd")
    assert status_of(raw) in (400, None), raw[:200]   # refused by us or by libmicrohttpd


def test_bad_escape_is_400(server):
    raw = raw_http(server.port, b"GET /acc%ZZ HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status_of(raw) == 400


def test_wrong_content_type_on_page_route(server):
    r = server.request("POST", "/", data="{}", headers={"Content-Type": "application/json"})
    assert r.status_code == 405


def test_assets(server):
    home = server.get("/").text
    css = re.search(r'href="(/assets/kith\.[0-9a-f]{12}\.css)"', home).group(1)
    r = server.get(css, headers={"Accept-Encoding": "identity"})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/css; charset=utf-8"
    assert "immutable" in r.headers["Cache-Control"]
    assert "max-age=31536000" in r.headers["Cache-Control"]
    assert "GDS Transport" not in r.text
    plain = r.content
    raw = requests.get(server.url + css, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=5)
    assert raw.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(raw.raw.read()) == plain
    r = server.get(css, headers={"If-None-Match": r.headers["ETag"]})
    assert r.status_code == 304
    assert server.get("/assets/kith.css").status_code == 404
    assert server.get("/assets/../../etc/passwd").status_code == 404
    assert server.get("/assets/%2e%2e%2fetc%2fpasswd").status_code == 404


def test_pages_gzipped_on_the_wire(server):
    # A page over 1 KB goes gzipped when asked, with a Content-Length that
    # is the compressed size and the same bytes after gunzip; q=0 and
    # HEAD get the plain page; Vary on all of them.
    plain = requests.get(server.url + "/find", headers={"Accept-Encoding": "identity"}, timeout=5)
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]
    assert len(plain.content) > 1024
    raw = requests.get(server.url + "/find", headers={"Accept-Encoding": "gzip"}, stream=True, timeout=5)
    assert raw.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in raw.headers["Vary"]
    body = raw.raw.read()
    assert int(raw.headers["Content-Length"]) == len(body) < len(plain.content)
    assert gzip.decompress(body) == plain.content
    r = requests.get(server.url + "/find", headers={"Accept-Encoding": "gzip;q=0"}, stream=True, timeout=5)
    assert "Content-Encoding" not in r.headers and r.raw.read() == plain.content
    r = requests.head(server.url + "/find", headers={"Accept-Encoding": "gzip"}, timeout=5)
    assert r.status_code == 200 and "Content-Encoding" not in r.headers
    assert "Accept-Encoding" in r.headers["Vary"]


def test_healthz(server):
    r = server.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


def test_metrics(server):
    server.get("/")
    server.get("/nope")
    r = server.get("/metrics")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    assert 'kith_http_requests_total{route="/",method="GET",status="200"}' in r.text
    assert 'kith_http_requests_total{route="unmatched",method="any",status="404"}' in r.text
    assert "kith_http_request_duration_seconds_bucket" in r.text
    assert "kith_build_info" in r.text
    # Through a proxy, the caller is not the local operator.
    r = server.get("/metrics", headers={"X-Forwarded-For": "203.0.113.5"})
    assert r.status_code == 401


def test_access_log_has_no_query_values(server):
    server.get("/?postcode=SECRET1&name=Alice")
    server.get("/api/v1/none?email=alice@example.org")
    logs = server.logs()
    assert "access [" in logs
    assert "SECRET1" not in logs and "alice@example.org" not in logs and "Alice" not in logs
    line = [l for l in logs.splitlines() if " access [" in l and " GET / " in l][0]
    assert re.search(r"access \[[0-9a-f]{16}\] GET / 200 \d+ \d+us$", line), line


def _held_for(port, seconds):
    """Sends a request line, then a header line every half second, for at
    most `seconds`; returns how long the server kept the connection."""
    start = time.time()
    with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
        s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        while time.time() - start < seconds:
            try:
                s.sendall(b"X-Slow: 1\r\n")
                s.settimeout(0.5)
                if s.recv(1) == b"":
                    break
            except socket.timeout:
                continue
            except OSError:
                break
    return time.time() - start


def test_slow_head_is_cut_off(db):
    """A head trickled in a line at a time has a total deadline, not only an
    idle timeout (which each line would reset)."""
    s = Server(db, "--head-timeout", "2", "--connection-timeout", "30").start()
    try:
        held = _held_for(s.port, 10)
        assert held < 5, "a slow head held the connection for %.1f s" % held
        # The server still answers, and a kept-alive connection that
        # sends its next request in good time is not cut.
        with requests.Session() as sess:
            for _ in range(2):
                assert sess.get(s.url + "/healthz", timeout=5).status_code == 200
                time.sleep(0.5)
    finally:
        assert s.stop() == 0, s.logs()
