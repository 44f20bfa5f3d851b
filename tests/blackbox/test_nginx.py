"""kith behind nginx configured exactly as docs/OPERATIONS.md shows, and the
per-address limits behind a proxy.

- 256 concurrent clients (wrk, 5 s) through the documented nginx block, on a
  mixed set of demo-town pages: no error answers, no socket errors, and
  nothing in nginx's error log (no "upstream prematurely closed
  connection"). nginx's configuration is generated from the docs by
  bench/nginx_conf.py, so the two cannot drift apart.
- Per-address caps: connections from a peer that is not a trusted proxy are
  capped at per_ip_connections; a trusted proxy's are not.
- X-Forwarded-For is believed only from trusted proxies: a visitor talking
  to kith directly cannot pick its rate-limit key.

Everything on 127.0.0.1 (127.0.0.2 plays a second machine), bounded in time.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from conftest import ROOT, Server, free_port, kith, stop_clean, wait_listening

sys.path.insert(0, os.path.join(ROOT, "bench"))
import nginx_conf  # noqa: E402

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
WRK = shutil.which("wrk")

pytestmark = pytest.mark.skipif(not WRK or not os.path.exists(NGINX),
                                reason="nginx and wrk come from scripts/install-deps.sh")


def get(url, headers=None, timeout=10):
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def demo_paths(url):
    """Home, find, service pages and the ORUK API, from the demo town."""
    status, body = get(url + "/api/oruk/services?per_page=20")
    assert status == 200
    ids = [s["id"] for s in json.loads(body)["contents"]]
    assert len(ids) == 20
    paths = ["/", "/find?q=walking&postcode=DN15+6AA", "/find?q=food",
             "/api/oruk/services?search=walking&per_page=10"]
    paths += ["/services/%s" % i for i in ids[:10]]
    paths += ["/api/oruk/services/%s" % i for i in ids[10:]]
    for p in paths:
        assert get(url + p)[0] == 200, p
    return paths


class Nginx:
    def __init__(self, workdir, kport):
        self.dir = os.path.join(workdir, "nginx")
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.conf = os.path.join(self.dir, "nginx.conf")
        with open(self.conf, "w") as f:
            f.write(nginx_conf.nginx_conf(self.dir, self.port, kport))
        self.error_log = os.path.join(self.dir, "error.log")
        self.proc = subprocess.Popen([NGINX, "-e", self.error_log, "-p", self.dir, "-c", self.conf],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_listening(self.proc, self.port, "nginx", self.errors, timeout=10)

    def errors(self):
        try:
            with open(self.error_log) as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()   # SIGTERM: fast shutdown
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def wrk(url, paths_file, connections=256, seconds=5):
    r = subprocess.run([WRK, "-t2", "-c%d" % connections, "-d%ds" % seconds, "--timeout", "5s",
                        "-s", os.path.join(ROOT, "bench", "mixed.lua"), url, "--", paths_file],
                       capture_output=True, text=True, timeout=seconds + 30)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    m = re.search(r"(\d+) requests in", out)
    requests = int(m.group(1)) if m else 0
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return requests, int(bad.group(1)) if bad else 0, sum(map(int, sock.groups())) if sock else 0, out


def test_documented_block_is_what_runs():
    block = nginx_conf.documented_block()
    # The parts that keep connections to kith alive and the timeouts in
    # the right order are in the block the docs show.
    assert re.search(r"keepalive \d+;", block)
    assert "proxy_http_version 1.1;" in block
    assert 'proxy_set_header Connection "";' in block
    assert "proxy_pass http://kith;" in block
    assert "X-Forwarded-For $remote_addr" in block
    nginx_idle = int(re.search(r"keepalive_timeout (\d+)s;", block).group(1))
    kith_head = int(re.search(r'"head_timeout".*?"(\d+)"', open(
        os.path.join(ROOT, "src", "app", "config.c")).read(), re.S).group(1))
    assert nginx_idle < kith_head, "nginx must let go of an idle connection before kith does"


def test_256_clients_through_documented_nginx(db, tmp_path):
    assert kith("demo", db=db).returncode == 0
    # The operator's guide's kith.conf says trust_proxy = true; the rate
    # limit is off because every wrk client is one visitor, 127.0.0.1.
    server = Server(db, "--trust-proxy", "true").start()
    ngx = None
    try:
        paths = demo_paths(server.url)
        paths_file = tmp_path / "paths"
        paths_file.write_text("\n".join(paths) + "\n")
        ngx = Nginx(str(tmp_path), server.port)
        for p in paths[:3]:
            assert get(ngx.url + p)[0] == 200, p
        requests, bad, sock, out = wrk(ngx.url, str(paths_file))
        assert requests > 1000, out
        assert bad == 0, out
        assert sock == 0, out
        # Still answering straight after the load: a server that stopped
        # reading requests (libmicrohttpd's epoll pool did, behind this
        # nginx, for the 20 s of head_timeout) would leave these hanging.
        for p in paths[:3]:
            assert get(ngx.url + p, timeout=3)[0] == 200, p
        errors = ngx.errors()
        assert "prematurely closed" not in errors, errors
        assert "[error]" not in errors and "[crit]" not in errors, errors
    finally:
        if ngx:
            ngx.stop()
        stop_clean(server)


def open_conns(n, source="127.0.0.1", port=0):
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind((source, 0))
        s.settimeout(5)
        s.connect(("127.0.0.1", port))
        socks.append(s)
    return socks


def answered(s):
    """Sends a GET on an open socket; True if kith answered it."""
    try:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def test_connection_cap_counts_visitors_not_the_proxy(db):
    # 127.0.0.2 is the proxy; 127.0.0.1 a visitor reaching kith directly.
    server = Server(db, "--trust-proxy", "true", "--trusted-proxies", "127.0.0.2",
                    "--per-ip-connections", "4").start()
    socks = []
    try:
        # The start-up probe's connection (from 127.0.0.1) must be gone
        # from the count before the visitor's four are opened.
        time.sleep(0.5)
        visitor = open_conns(4, "127.0.0.1", server.port)
        socks += visitor
        time.sleep(0.2)
        extra = open_conns(2, "127.0.0.1", server.port)
        socks += extra
        assert all(answered(s) for s in visitor)
        assert not any(answered(s) for s in extra), "a fifth connection from one visitor is refused"
        proxy = open_conns(20, "127.0.0.2", server.port)
        socks += proxy
        assert all(answered(s) for s in proxy), "the proxy's connections are not capped"
        # A visitor's place comes back when a connection closes.
        visitor[0].close()
        time.sleep(0.5)
        again = open_conns(1, "127.0.0.1", server.port)
        socks += again
        assert answered(again[0])
    finally:
        for s in socks:
            s.close()
        stop_clean(server)


def burst(port, source, xffs):
    """One request per X-Forwarded-For value, from source; the statuses."""
    out = []
    for xff in xffs:
        s = socket.socket()
        s.bind((source, 0))
        s.settimeout(5)
        s.connect(("127.0.0.1", port))
        s.sendall(("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: %s\r\n"
                   "Connection: close\r\n\r\n" % xff).encode())
        out.append(int(s.recv(64).split()[1]))
        s.close()
    return out


def test_forwarded_address_believed_only_from_trusted_proxies(db):
    # rate_limit 4 a minute: a burst of 2 per address.
    server = Server(db, "--trust-proxy", "true", "--trusted-proxies", "127.0.0.2",
                    "--rate-limit", "4").start()
    try:
        # Through the proxy, ten visitors each have their own budget.
        many = ["198.51.100.%d" % i for i in range(10)]
        assert burst(server.port, "127.0.0.2", many) == [200] * 10
        # A visitor's own X-Forwarded-For entries left of the proxy's are
        # not believed: these are all 203.0.113.1.
        spoof = ["10.0.0.%d, 203.0.113.1" % i for i in range(4)]
        assert 429 in burst(server.port, "127.0.0.2", spoof)
        # Direct to kith, a visitor cannot pick its key by sending the header.
        direct = ["192.0.2.%d" % i for i in range(4)]
        assert 429 in burst(server.port, "127.0.0.1", direct)
    finally:
        stop_clean(server)
