"""Black-box fixtures: a real `kith serve` on 127.0.0.1 with a fresh database.

KITH_BIN picks the binary (build/kith or build/san/kith), KITH_TEST_BACKEND
the database ("sqlite" or "postgresql"; the latter needs KITH_TEST_PG_URL,
which scripts/test.sh sets after starting a throwaway cluster).
"""
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time
import uuid

import pytest
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, os.environ.get("KITH_BIN", "build/kith"))
BACKEND = os.environ.get("KITH_TEST_BACKEND", "sqlite")
PG_URL = os.environ.get("KITH_TEST_PG_URL", "")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def psql(sql, url=None):
    subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", url or PG_URL, "-c", sql],
                   check=True, capture_output=True)


_group_db = None


def _group_database():
    """One PostgreSQL database per test session; each test gets a schema."""
    global _group_db
    if _group_db is None:
        _group_db = "kith_bb_%d" % os.getpid()
        psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % _group_db)
        psql("CREATE DATABASE %s" % _group_db)
    return _group_db


def pytest_sessionfinish(session, exitstatus):
    if _group_db:
        psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % _group_db)


class Database:
    """A fresh, empty database on the chosen backend. On PostgreSQL that is
    a new schema in the session's database (search_path set in the URL), or
    with dedicated=True a database of its own (for tests that take it away)."""

    def __init__(self, dedicated=False):
        self.dir = tempfile.mkdtemp(prefix="kith-bb-")
        os.chmod(self.dir, 0o755)
        self.name = self.schema = None
        if BACKEND == "postgresql":
            if not PG_URL:
                pytest.skip("KITH_TEST_PG_URL is not set")
            base = PG_URL.rsplit("/", 1)[0]
            if dedicated:
                self.name = "kith_bb_" + uuid.uuid4().hex[:12]
                psql("CREATE DATABASE %s" % self.name)
                self.url = "%s/%s" % (base, self.name)
            else:
                self.schema = "s_" + uuid.uuid4().hex[:12]
                group = _group_database()
                psql("CREATE SCHEMA %s" % self.schema, url="%s/%s" % (base, group))
                self.url = "%s/%s?options=-csearch_path%%3D%s" % (base, group, self.schema)
                self.admin_url = "%s/%s" % (base, group)
        else:
            self.url = "sqlite:%s/kith.db" % self.dir

    def sql(self, statement):
        """Runs SQL inside this test's database (PostgreSQL)."""
        psql(statement, url=self.url)

    def drop(self):
        if self.name:
            psql("DROP DATABASE IF EXISTS %s WITH (FORCE)" % self.name)
        elif self.schema:
            psql("DROP SCHEMA IF EXISTS %s CASCADE" % self.schema, url=self.admin_url)
        shutil.rmtree(self.dir, ignore_errors=True)


def wait_listening(proc, port, name, logs, timeout=15):
    """Until something accepts on 127.0.0.1:port; RuntimeError with logs()
    when proc exits first or the time runs out."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("%s exited with %s:\n%s" % (name, proc.returncode, logs()))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("%s did not start listening:\n%s" % (name, logs()))


class Server:
    """One kith process. Use start(), then .url; stop() returns the exit code."""

    def __init__(self, db, *flags, env=None):
        self.db = db
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.flags = list(flags)
        self.env = env
        self.log_path = os.path.join(db.dir, "server-%d.log" % self.port)
        self.proc = None

    def start(self, wait=True):
        env = dict(os.environ)
        env.update(self.env or {})
        cmd = [BIN, "serve", "--db", self.db.url, "--listen", "127.0.0.1:%d" % self.port,
               "--migrate-on-start", "true", "--rate-limit", "0", "--threads", "2"] + self.flags
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.db.dir, env=env)
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=15):
        wait_listening(self.proc, self.port, "kith", self.logs, timeout)

    def logs(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ""

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.log.close()
        return rc

    def get(self, path, **kw):
        kw.setdefault("allow_redirects", False)
        kw.setdefault("timeout", 10)
        return requests.get(self.url + path, **kw)

    def request(self, method, path, **kw):
        kw.setdefault("allow_redirects", False)
        kw.setdefault("timeout", 10)
        return requests.request(method, self.url + path, **kw)


def kith(*args, db=None, input=None, cwd=None):
    """Runs a kith command; returns the CompletedProcess."""
    cmd = [BIN] + list(args)
    if db is not None:
        cmd += ["--db", db.url]
    return subprocess.run(cmd, capture_output=True, text=True, input=input, cwd=cwd, timeout=120)


@pytest.fixture
def db():
    d = Database()
    yield d
    d.drop()


@pytest.fixture
def dedicated_db():
    d = Database(dedicated=True)
    yield d
    d.drop()


def stop_clean(server):
    """Stops server and checks it went cleanly; returns its log."""
    rc = server.stop()
    logs = server.logs()
    # Sanitizer builds report leaks and errors on exit: a report is a failure.
    assert "ERROR: AddressSanitizer" not in logs and "runtime error:" not in logs, logs
    assert "ERROR: LeakSanitizer" not in logs, logs
    assert rc == 0, "kith exited with %s:\n%s" % (rc, logs)
    return logs


def sql(db, statement):
    """Runs SQL in the test's database (outside the server)."""
    if BACKEND == "postgresql":
        db.sql(statement)
    else:
        with sqlite3.connect("%s/kith.db" % db.dir, timeout=10) as c:
            c.execute(statement)


def scalar(db, statement):
    """The first column of the first row of a query in the test's database,
    as text."""
    if BACKEND == "postgresql":
        r = subprocess.run(["psql", "-qtA", "-v", "ON_ERROR_STOP=1", db.url, "-c", statement],
                           check=True, capture_output=True, text=True)
        return r.stdout.strip().split("\n")[0]
    with sqlite3.connect("%s/kith.db" % db.dir, timeout=10) as c:
        row = c.execute(statement).fetchone()
    return None if row is None else str(row[0])


@pytest.fixture
def server(db):
    s = Server(db).start()
    yield s
    stop_clean(s)


def raw_http(port, data, timeout=5):
    """Sends raw bytes and returns the raw response (for malformed requests)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        try:
            while True:
                c = s.recv(65536)
                if not c:
                    break
                chunks.append(c)
                if b"\r\n\r\n" in b"".join(chunks) and b"Connection: close" not in b"".join(chunks):
                    # keep-alive: headers plus Content-Length bytes is enough
                    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
                    for line in head.split(b"\r\n"):
                        if line.lower().startswith(b"content-length:"):
                            if len(body) >= int(line.split(b":")[1]):
                                return b"".join(chunks)
        except socket.timeout:
            pass
        return b"".join(chunks)


def status_of(raw):
    line = raw.split(b"\r\n", 1)[0]
    parts = line.split(b" ")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


class SmtpSink:
    """A real SMTP server (aiosmtpd) on a loopback port, in this process.
    Every message it accepts is kept in .messages as email.message objects,
    with the envelope in .envelopes. Can be stopped and started again on the
    same port to simulate an outage."""

    def __init__(self):
        import threading
        self.port = free_port()
        self.messages = []
        self.envelopes = []
        self.lock = threading.Lock()
        self.controller = None

    def keep(self, envelope):
        """Keeps a message the sink accepted, and its envelope."""
        import email
        import email.policy
        msg = email.message_from_bytes(envelope.original_content or envelope.content,
                                       policy=email.policy.default)
        with self.lock:
            self.messages.append(msg)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))

    def handler(self):
        """The aiosmtpd handler: every message is kept. Subclasses add
        hooks (handle_RCPT) to a subclass of its class."""
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                sink.keep(envelope)
                return "250 OK"

        return Handler()

    def controller_options(self):
        """More keyword arguments for aiosmtpd's Controller."""
        return {}

    def start(self):
        from aiosmtpd.controller import Controller
        self.controller = Controller(self.handler(), hostname="127.0.0.1", port=self.port,
                                     **self.controller_options())
        self.controller.start()
        return self

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    @property
    def url(self):
        return "smtp://127.0.0.1:%d" % self.port

    def wait_for(self, count=1, timeout=15, to=None):
        """Waits until at least count messages (to one address, if given)
        have arrived; returns them."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.to(to) if to else list(self.messages)
            if len(got) >= count:
                return got
            time.sleep(0.05)
        raise AssertionError("expected %d email(s)%s, got %d: %s" % (
            count, " to " + to if to else "", len(got), [m["Subject"] for m in self.messages]))

    def to(self, addr):
        with self.lock:
            return [m for m, (_, rcpts) in zip(self.messages, self.envelopes) if addr in rcpts]

    @staticmethod
    def text(msg):
        """The plain-text body."""
        part = msg.get_body(preferencelist=("plain",))
        return part.get_content() if part else ""

    @staticmethod
    def whole(msg):
        """Subject, plain text and HTML of a message, for checking what is in it."""
        parts = [msg["Subject"], SmtpSink.text(msg)]
        html = msg.get_body(preferencelist=("html",))
        if html:
            parts.append(html.get_content())
        return "\n".join(parts)

    @staticmethod
    def link(msg, prefix):
        """The first URL in the plain-text body that starts with prefix."""
        import re
        m = re.search(re.escape(prefix) + r"\S+", SmtpSink.text(msg))
        assert m, "no link starting %s in:\n%s" % (prefix, SmtpSink.text(msg))
        return m.group(0).rstrip(".")


@pytest.fixture
def smtp():
    s = SmtpSink().start()
    yield s
    s.stop()


def mailing_server(db, smtp, *flags):
    """A started server that sends its email to the sink smtp (as .smtp),
    retrying and polling every second, at its own address as base URL."""
    s = Server(db, "--smtp-url", smtp.url, "--outbox-retry-base", "1", "--outbox-poll", "1", *flags)
    s.flags += ["--base-url", "http://127.0.0.1:%d" % s.port]
    s.start()
    s.smtp = smtp
    return s


@pytest.fixture
def mailed_server(db, smtp):
    """A server that sends its email to the sink."""
    s = mailing_server(db, smtp)
    yield s
    stop_clean(s)
