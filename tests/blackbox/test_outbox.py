"""The outbox against a real `kith serve` and a real SMTP server (aiosmtpd).

Rows go into the outbox table directly (as a committed transaction would
leave them), then kith delivers them: once, with the right headers and
both parts; after a kill -9 while the SMTP server was down; exactly once
with two kith processes on one database; not at all (failed, for admins)
after outbox_max_tries; at once as failed when the server refuses the
recipient; and as .eml files when no SMTP server is set (development).
The logs never carry an address, a subject or the SMTP password.
"""
import email
import email.policy
import os
import signal
import sqlite3
import subprocess
import time

import pytest

from conftest import BACKEND, Server, SmtpSink, free_port, kith, stop_clean

TO = "jane.doe@example.org"
SUBJECT = "Confirm your email address for Kith Caf\u00e9"
TEXT = "Hello Jane,\n\nOpen this link:\n\nhttps://kith.test/verify/t0k3n\n\n-- \nKith\n"
HTML = "<!DOCTYPE html>\n<html lang=\"en\"><body><h1>Confirm</h1>" \
       "<p><a href=\"https://kith.test/verify/t0k3n\">Confirm your email address</a></p></body></html>\n"


# ---------------------------------------------------------------- helpers

def lit(v):
    if v is None:
        return "NULL"
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("'", "''") + "'"


def sqlite_path(db):
    return db.url[len("sqlite:"):]


def query(db, sql):
    """Rows of a query as lists of strings (None for NULL)."""
    if BACKEND == "postgresql":
        r = subprocess.run(["psql", "-q", "-A", "-t", "-F", "\x1f", "-R", "\x1d", "-P", "null=\x1e",
                            "-v", "ON_ERROR_STOP=1", db.url, "-c", sql],
                           check=True, capture_output=True, text=True, timeout=30)
        return [[None if c == "\x1e" else c for c in rec.split("\x1f")]
                for rec in r.stdout.rstrip("\n").split("\x1d") if rec]
    con = sqlite3.connect(sqlite_path(db), timeout=10)
    try:
        return [[None if c is None else str(c) for c in row] for row in con.execute(sql).fetchall()]
    finally:
        con.close()


def execute(db, sql):
    if BACKEND == "postgresql":
        db.sql(sql)
        return
    con = sqlite3.connect(sqlite_path(db), timeout=10)
    try:
        con.executescript(sql)
    finally:
        con.close()


def migrate(db):
    r = kith("migrate", db=db)
    assert r.returncode == 0, r.stderr


def insert(db, n=1, to=TO, subject=SUBJECT, text=TEXT, html=HTML):
    """Queues n messages in one transaction; returns their ids."""
    now = int(time.time())
    values = ",\n".join("(%s, %s, %s, %s, 'verify_email', %d, %d, 0)" % (
        lit(to), lit(subject), lit(text), lit(html), now, now) for _ in range(n))
    execute(db, "BEGIN;\nINSERT INTO outbox (to_addr, subject, body_text, body_html, template, "
                "created_at, not_before, attempts) VALUES\n%s;\nCOMMIT;" % values)
    return [int(r[0]) for r in query(db, "SELECT id FROM outbox ORDER BY id DESC LIMIT %d" % n)][::-1]


def row(db, id):
    cols = ["attempts", "sent_at", "failed_at", "lease_owner", "last_error", "body_text"]
    r = query(db, "SELECT %s FROM outbox WHERE id = %d" % (", ".join(cols), id))
    assert r, "no outbox row %d" % id
    return dict(zip(cols, r[0]))


def wait_until(what, check, timeout=20, step=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        got = check()
        if got:
            return got
        time.sleep(step)
    raise AssertionError("timed out waiting for " + what)


def mail_server(db, smtp_url, *flags):
    s = Server(db, "--smtp-url", smtp_url, "--outbox-retry-base", "1", "--outbox-poll", "1",
               "--base-url", "http://kith.test", "--mail-from", "Kith <no-reply@kith.test>",
               "--smtp-timeout", "5", *flags)
    return s.start()


def assert_private(logs, *secrets):
    for s in (TO, "jane.doe", "t0k3n", "Confirm your email") + secrets:
        assert s not in logs, "%r is in the log:\n%s" % (s, logs)


def lf(s):
    return s.replace("\r\n", "\n")


def message_ids(sink):
    with sink.lock:
        return [m["Message-ID"] for m in sink.messages]


@pytest.fixture
def sink():
    s = SmtpSink()
    yield s
    s.stop()


# ------------------------------------------------------------------ tests

def test_delivered_once_with_headers_and_both_parts(db, smtp):
    migrate(db)
    [id] = insert(db)
    server = mail_server(db, smtp.url)
    try:
        [msg] = smtp.wait_for(1)
        time.sleep(1.5)                       # a second look sends nothing more
        assert len(smtp.messages) == 1
    finally:
        logs = stop_clean(server)
    mail_from, rcpts = smtp.envelopes[0]
    assert mail_from == "no-reply@kith.test" and rcpts == [TO]
    assert msg["Subject"] == SUBJECT
    assert msg["To"].addresses[0].addr_spec == TO
    assert msg["From"].addresses[0].addr_spec == "no-reply@kith.test"
    assert msg["From"].addresses[0].display_name == "Kith"
    assert msg["Message-ID"] == "<kith-outbox-%d@kith.test>" % id
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["MIME-Version"] == "1.0"
    assert msg["Date"].datetime is not None
    assert msg.get_content_type() == "multipart/alternative"
    assert lf(SmtpSink.text(msg)) == TEXT
    html = msg.get_body(preferencelist=("html",))
    assert html.get_content_type() == "text/html"
    assert html.get_content_charset() == "utf-8"
    assert lf(html.get_content()) == HTML
    assert SmtpSink.link(msg, "https://kith.test/verify/") == "https://kith.test/verify/t0k3n"
    r = row(db, id)
    assert r["sent_at"] and not r["failed_at"] and r["lease_owner"] is None
    assert r["body_text"] == ""               # the link does not stay in the database
    assert "outbox: message %d sent" % id in logs
    assert_private(logs, SUBJECT)


def test_kill9_before_delivery_sends_once_after_restart(db, sink):
    migrate(db)
    [id] = insert(db)
    # The SMTP server is down: the first attempt fails and the message
    # stays pending.
    first = mail_server(db, sink.url)
    try:
        wait_until("a failed attempt", lambda: (lambda r: int(r["attempts"]) >= 1 and
                                                r["lease_owner"] is None)(row(db, id)), step=0.02)
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(timeout=10)
    finally:
        first.stop()
    r = row(db, id)
    assert r["sent_at"] is None and r["failed_at"] is None and int(r["attempts"]) >= 1
    assert r["last_error"] == "Couldn't connect to server"
    sink.start()
    second = mail_server(db, sink.url)
    try:
        sink.wait_for(1)
        time.sleep(2)
        assert message_ids(sink) == ["<kith-outbox-%d@kith.test>" % id]
    finally:
        logs = stop_clean(second)
    assert row(db, id)["sent_at"]
    assert_private(logs + first.logs(), SUBJECT)


def test_two_processes_never_send_twice(db, smtp):
    migrate(db)
    a = mail_server(db, smtp.url)
    b = mail_server(db, smtp.url)
    try:
        # Both are running before the messages arrive, so both go for them.
        ids = insert(db, 50)
        smtp.wait_for(50, timeout=30)
        time.sleep(2)
        got = message_ids(smtp)
        assert len(got) == 50, "%d messages for 50 rows" % len(got)
        assert sorted(got) == sorted("<kith-outbox-%d@kith.test>" % i for i in ids)
    finally:
        logs_a = stop_clean(a)
        logs_b = stop_clean(b)
    assert query(db, "SELECT count(*) FROM outbox WHERE sent_at IS NULL")[0][0] == "0"
    sent_a, sent_b = logs_a.count(" sent\n"), logs_b.count(" sent\n")
    print("sent by each process:", sent_a, sent_b)
    assert sent_a + sent_b == 50, (sent_a, sent_b)
    assert "delivered twice" not in logs_a + logs_b


def test_gives_up_after_max_tries(db):
    migrate(db)
    [id] = insert(db)
    port = free_port()                        # nothing listens here
    server = mail_server(db, "smtp://kith:s3cr3t-pass@127.0.0.1:%d" % port, "--outbox-max-tries", "2")
    try:
        wait_until("the message to fail", lambda: row(db, id)["failed_at"], timeout=20)
        r = row(db, id)
        assert int(r["attempts"]) == 2 and r["sent_at"] is None
        assert r["last_error"] == "Couldn't connect to server"
        # What /admin/outbox lists as failed.
        assert query(db, "SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NOT NULL") == [[str(id)]]
        time.sleep(1.5)
        assert int(row(db, id)["attempts"]) == 2  # no more attempts
    finally:
        logs = stop_clean(server)
    assert "outbox: message %d failed (attempt 1 of 2)" % id in logs
    assert "outbox: message %d failed for good after 2 attempt(s)" % id in logs
    assert_private(logs, "s3cr3t-pass", SUBJECT)


class RefusingSink(SmtpSink):
    """Refuses one recipient at RCPT (550) and accepts the rest."""

    def __init__(self, refused):
        super().__init__()
        self.refused = refused

    def handler(self):
        sink = self

        class Handler(type(super().handler())):
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                if address == sink.refused:
                    return "550 5.1.1 No such user here"
                envelope.rcpt_tos.append(address)
                return "250 OK"

        return Handler()


def test_refused_recipient_fails_at_once(db):
    migrate(db)
    [bad] = insert(db, to="nobody@example.org")
    [good] = insert(db)
    refusing = RefusingSink("nobody@example.org").start()
    server = mail_server(db, refusing.url)
    try:
        refusing.wait_for(1)
        wait_until("the refused message to fail", lambda: row(db, bad)["failed_at"])
        r = row(db, bad)
        assert int(r["attempts"]) == 1
        assert "550" in r["last_error"] and "nobody" not in r["last_error"]
        # The sink has the good message before kith records it as sent.
        wait_until("the good message to be recorded as sent", lambda: row(db, good)["sent_at"])
        assert message_ids(refusing) == ["<kith-outbox-%d@kith.test>" % good]
    finally:
        logs = stop_clean(server)
        refusing.stop()
    assert "nobody@example.org" not in logs


class AuthSink(SmtpSink):
    """Accepts mail only after AUTH with one user name and password."""

    def __init__(self, user, password):
        super().__init__()
        self.user, self.password = user.encode(), password.encode()
        self.logins = []

    def controller_options(self):
        from aiosmtpd.smtp import AuthResult
        sink = self

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login == sink.user and auth_data.password == sink.password
            sink.logins.append((mechanism, ok))
            return AuthResult(success=ok)

        return {"authenticator": authenticator, "auth_required": True, "auth_require_tls": False}


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_authentication_from_the_url(db):
    migrate(db)
    [id] = insert(db)
    sink = AuthSink("kith", "s3cr3t-pass").start()
    url = "smtp://kith:s3cr3t-pass@127.0.0.1:%d" % sink.port
    server = mail_server(db, url, "--smtp-tls", "off")
    try:
        sink.wait_for(1)
        assert message_ids(sink) == ["<kith-outbox-%d@kith.test>" % id]
        assert sink.logins and all(ok for _, ok in sink.logins)
    finally:
        logs = stop_clean(server)
        sink.stop()
    assert_private(logs, "s3cr3t-pass", SUBJECT)


def test_smtp_tls_require_refuses_a_plain_server(db, smtp):
    migrate(db)
    [id] = insert(db)
    server = mail_server(db, smtp.url, "--smtp-tls", "require")
    try:
        wait_until("a failed attempt", lambda: row(db, id)["last_error"])
        assert row(db, id)["sent_at"] is None
        assert smtp.messages == []
    finally:
        stop_clean(server)
    # libcurl's words for "the server offers no STARTTLS".
    assert row(db, id)["last_error"] == "Requested SSL level failed"


def test_development_mode_writes_eml_files(db, tmp_path):
    migrate(db)
    [id] = insert(db)
    maildir = tmp_path / "mail"
    server = Server(db, "--mail-dir", str(maildir), "--base-url", "http://kith.test",
                    "--outbox-poll", "1").start()
    try:
        files = wait_until("an .eml file", lambda: sorted(maildir.glob("*.eml")) if maildir.exists() else None)
        time.sleep(1.5)
        files = sorted(os.listdir(maildir))
    finally:
        logs = stop_clean(server)
    assert len(files) == 1 and files[0].endswith("-%d.eml" % id), files
    assert (maildir.stat().st_mode & 0o777) == 0o700
    assert ((maildir / files[0]).stat().st_mode & 0o777) == 0o600
    raw = (maildir / files[0]).read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Subject"] == SUBJECT
    assert msg["Message-ID"] == "<kith-outbox-%d@kith.test>" % id
    assert lf(SmtpSink.text(msg)) == TEXT
    assert lf(msg.get_body(preferencelist=("html",)).get_content()) == HTML
    assert row(db, id)["sent_at"]
    assert "outbox: message %d written to mail_dir" % id in logs
    assert_private(logs, SUBJECT)
