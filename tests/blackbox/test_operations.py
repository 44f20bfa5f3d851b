"""The command line and the process: start-up checks, configuration,
migrations, backup, signals, the database going away."""
import os
import signal
import sqlite3
import subprocess
import time
import urllib.parse
import uuid

import pytest
import requests

from conftest import BACKEND, BIN, Server, kith, psql


def test_version_and_help():
    r = kith("version")
    assert r.returncode == 0 and r.stdout.startswith("kith ")
    r = kith("help")
    assert r.returncode == 0
    for word in ("serve", "migrate", "demo", "backup", "check-config",
                 "smtp_url", "KITH_SMTP_URL", "--smtp-url", "KITH_DB", "--db"):
        assert word in r.stdout, "kith help does not mention %s" % word


def test_unknown_command_and_setting_refused():
    r = kith("frobnicate")
    assert r.returncode == 2 and "unknown command" in r.stderr
    r = kith("serve", "--no-such-setting", "1")
    assert r.returncode == 2
    r = kith("check-config", "--threads", "many")
    assert r.returncode == 2 and "threads" in r.stderr
    r = kith("check-config", "--db", "mysql://nope")
    assert r.returncode == 2 and "db" in r.stderr


def test_config_file_env_and_flags(db, tmp_path):
    conf = tmp_path / "kith.conf"
    conf.write_text("site_name = From File\nthreads = 3\nrate_limit = 99\n")
    env = dict(os.environ, KITH_THREADS="5")
    r = subprocess.run([BIN, "check-config",
                        "--db", db.url, "--rate-limit", "7"], capture_output=True, text=True,
                       cwd=tmp_path, env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "site_name = From File" in r.stdout      # ./kith.conf is read
    assert "threads = 5" in r.stdout                 # env beats file
    assert "rate_limit = 7" in r.stdout              # flag beats file
    conf.write_text("colour = blue\n")
    r = subprocess.run([BIN, "check-config", "--db", db.url],
                       capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert r.returncode == 2 and "colour" in r.stderr and "kith.conf:1" in r.stderr


def test_migrate_is_idempotent(db):
    r = kith("migrate", db=db)
    assert r.returncode == 0, r.stderr
    r2 = kith("migrate", db=db)
    assert r2.returncode == 0 and "0 migration(s) applied" in r2.stdout


def test_serve_without_migration_is_refused_clearly(db):
    s = Server(db, "--migrate-on-start", "false")
    s.start(wait=False)
    rc = s.proc.wait(timeout=20)
    assert rc != 0
    assert "kith migrate" in s.logs()


def test_demo_then_check_config(db):
    r = kith("demo", db=db)
    assert r.returncode == 0, r.stderr
    r = kith("demo", db=db)           # refreshing is fine
    assert r.returncode == 0, r.stderr
    r = kith("check-config", db=db)
    assert r.returncode == 0
    assert "demo database" in r.stdout
    assert "0 migration(s) pending" in r.stdout


def test_sigterm_finishes_and_exits_zero(server):
    with requests.Session() as s:
        assert s.get(server.url + "/", timeout=5).status_code == 200
        # An idle keep-alive connection must not hold up shutdown.
        t0 = time.time()
        rc = server.stop(signal.SIGTERM)
        assert rc == 0
        assert time.time() - t0 < 5
    assert "stopped" in server.logs()


def test_sigint_exits_zero(db):
    s = Server(db).start()
    assert s.get("/healthz").status_code == 200
    assert s.stop(signal.SIGINT) == 0


@pytest.mark.skipif(BACKEND != "sqlite", reason="SQLite backup API")
def test_backup_sqlite(db, tmp_path):
    s = Server(db).start()
    try:
        assert kith("demo", db=db).returncode == 0
        out = tmp_path / "copy.db"
        r = kith("backup", str(out), db=db)   # while the server runs
        assert r.returncode == 0, r.stderr
        con = sqlite3.connect(str(out))
        assert con.execute("SELECT value FROM meta WHERE key='demo_seeded_at'").fetchone()
        assert con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] >= 1
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.close()
        r = kith("backup", str(out), db=db)   # never overwrites
        assert r.returncode == 1 and "exists" in r.stderr
        r = kith("backup", db=db)
        assert r.returncode == 2
    finally:
        assert s.stop() == 0


@pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL message")
def test_backup_postgresql_names_pg_dump(db, tmp_path):
    assert kith("migrate", db=db).returncode == 0
    r = kith("backup", str(tmp_path / "x.db"), db=db)
    assert r.returncode == 1 and "pg_dump" in r.stderr


@pytest.mark.skipif(BACKEND != "postgresql", reason="needs a database server to take away")
def test_database_outage_is_503_and_recovers(dedicated_db):
    db = dedicated_db
    # The database's password is what the logs must never show. The test
    # cluster (scripts/pg.sh) trusts loopback and its URL has none, so one
    # is added: not needed to connect, there to be searched for.
    u = urllib.parse.urlsplit(db.url)
    secret = u.password
    if not secret:
        secret = "pw-" + uuid.uuid4().hex
        host = u.netloc.rpartition("@")[2]
        db.url = urllib.parse.urlunsplit(u._replace(netloc="%s:%s@%s" % (u.username, secret, host)))
    s = Server(db).start()
    try:
        assert s.get("/healthz").status_code == 200
        psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '%s' "
             "AND pid <> pg_backend_pid()" % db.name)
        psql("ALTER DATABASE %s WITH ALLOW_CONNECTIONS false" % db.name)
        psql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '%s'" % db.name)
        codes = [s.get("/healthz").status_code for _ in range(3)]
        assert 503 in codes, codes
        r = s.get("/healthz")
        assert r.status_code == 503 and r.json()["status"] == "unavailable"
        assert "Retry-After" in r.headers
        assert s.get("/").status_code == 200            # pages without the database still work
        assert s.proc.poll() is None                     # and the process is alive
        psql("ALTER DATABASE %s WITH ALLOW_CONNECTIONS true" % db.name)
        # Each server thread reconnects on its own (after a 1 s back-off
        # once a reconnect has failed), so recovery is when every thread
        # answers: several 200s in a row.
        deadline = time.time() + 15
        streak = 0
        while time.time() < deadline and streak < 8:
            streak = streak + 1 if s.get("/healthz").status_code == 200 else 0
            time.sleep(0.1)
        assert streak >= 8
        logs = s.logs()
        # The lost connection is logged with the database's URL: the
        # password in it is hidden, and nowhere else either.
        assert ":***@" in logs, logs
        assert secret not in logs, "the database password is in the log"
    finally:
        psql("ALTER DATABASE %s WITH ALLOW_CONNECTIONS true" % db.name)
        assert s.stop() == 0


def test_rate_limit(db):
    # A flag given later wins over the fixture's --rate-limit 0.
    limited = Server(db, "--rate-limit", "8").start()
    try:
        codes = [limited.get("/privacy").status_code for _ in range(8)]
        assert codes[0] == 200 and 429 in codes, codes
        r = [limited.get("/privacy") for _ in range(2)][-1]
        assert r.status_code == 429
        assert int(r.headers["Retry-After"]) >= 1
    finally:
        assert limited.stop() == 0


def test_newer_database_refused(db):
    assert kith("migrate", db=db).returncode == 0
    if BACKEND == "sqlite":
        con = sqlite3.connect(db.url[len("sqlite:"):])
        con.execute("INSERT INTO schema_migrations(version, name, checksum, applied_at) "
                    "VALUES (9999, '9999_future.sql', 'x', 0)")
        con.commit()
        con.close()
    else:
        db.sql("INSERT INTO schema_migrations(version, name, checksum, applied_at) "
               "VALUES (9999, '9999_future.sql', 'x', 0)")
    r = kith("migrate", db=db)
    assert r.returncode == 1 and "newer" in r.stderr


def test_man_pages_document_every_setting_and_command():
    import os.path
    from conftest import ROOT
    gen = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "scripts/gen-kith-conf-man.py"), BIN, "-"],
                         capture_output=True, text=True, check=True).stdout
    with open(os.path.join(ROOT, "docs/kith.conf.5")) as f:
        assert f.read() == gen, "docs/kith.conf.5 is stale: run scripts/gen-kith-conf-man.py"
    with open(os.path.join(ROOT, "docs/kith.1")) as f:
        man1 = f.read()
    commands = kith("help").stdout.split("Commands:")[1].split("Settings")[0]
    words = [l.split()[0] for l in commands.splitlines() if l.startswith("  ")]
    assert "serve" in words and "backup" in words
    for word in words:
        assert ".B " + word.replace("-", "\\-") in man1 or ".BI " + word in man1 \
            or ".BR " + word in man1, "kith(1) does not describe %s" % word
