"""The account commands against a real database and server: kith user add,
kith org add, kith token create/list/revoke, kith audit."""
import re

import requests

from conftest import Server, SmtpSink, kith

PASSWORD = "granite-lantern-orchard-41"


def add_user(db, email, name, *roles, password=PASSWORD, org=None):
    args = ["user", "add", "--email", email, "--name", name]
    for r in roles:
        args += ["--role", r]
    if org:
        args += ["--org", org]
    if password is not None:
        args.append("--password-stdin")
    return kith(*args, db=db, input=(password + "\n") if password is not None else None)


def sign_in(server, email, password=PASSWORD):
    r = requests.post(server.url + "/api/v1/sessions", json={"email": email, "password": password}, timeout=10)
    assert r.status_code == 201, r.text
    return r.json()["token"]


def test_user_add_with_password_and_roles(db):
    r = add_user(db, "Coordinator@Example.org", "Joan Baker", "coordinator")
    assert r.returncode == 0, r.stderr
    assert "coordinator" in r.stdout and "member" in r.stdout
    s = Server(db).start()
    try:
        token = sign_in(s, "coordinator@example.org")          # any case
        me = requests.get(s.url + "/api/v1/me", headers={"Authorization": "Bearer " + token}, timeout=10).json()
        assert me["name"] == "Joan Baker"
        assert sorted(me["roles"]) == ["coordinator", "member"]
    finally:
        assert s.stop() == 0
    again = add_user(db, "coordinator@EXAMPLE.org", "Someone Else")
    assert again.returncode == 1 and "already exists" in again.stderr


def test_user_add_refusals(db):
    r = add_user(db, "weak@example.org", "Weak Password", password="password123")
    assert r.returncode == 2 and "password" in r.stderr.lower()
    assert "password123" not in r.stderr
    r = add_user(db, "x@example.org", "X Person", "wizard")
    assert r.returncode == 2 and "unknown role" in r.stderr
    r = add_user(db, "o@example.org", "O Person", "organiser")
    assert r.returncode == 2 and "--org" in r.stderr
    r = add_user(db, "not-an-email", "Y Person")
    assert r.returncode == 2 and "email" in r.stderr.lower()
    r = add_user(db, "o@example.org", "O Person", "organiser", org="00000000-0000-4000-8000-000000000001")
    assert r.returncode == 1 and "no organisation" in r.stderr


def test_org_then_organiser(db):
    r = kith("org", "add", "--name", "Riverside Lunch Club", db=db)
    assert r.returncode == 0, r.stderr
    org = re.search(r"[0-9a-f-]{36}", r.stdout).group(0)
    r = add_user(db, "priya@example.org", "Priya Shah", "organiser", org=org)
    assert r.returncode == 0, r.stderr
    r = kith("org", "add", "--name", "Dup", "--id", org, db=db)
    assert r.returncode == 1 and "already exists" in r.stderr


def test_user_add_without_password_sends_set_password_email(db, smtp):
    r = kith("user", "add", "--email", "newbie@example.org", "--name", "New Bie",
             "--smtp-url", smtp.url, "--base-url", "https://kith.example.org", db=db)
    assert r.returncode == 0, r.stderr
    msg = smtp.wait_for(1, to="newbie@example.org")[0]
    link = SmtpSink.link(msg, "https://kith.example.org/set-password/")
    assert re.fullmatch(r"https://kith\.example\.org/set-password/[0-9a-f]{64}", link)
    body = SmtpSink.text(msg)
    assert "New Bie" in body


def test_tokens(db):
    assert add_user(db, "gp@example.org", "GP Practice System").returncode == 0
    r = kith("token", "create", "--for", "gp@example.org", "--name", "Surgery referrals", db=db)
    assert r.returncode == 0, r.stderr
    token = re.search(r"kt_[0-9a-f]{64}", r.stdout).group(0)
    tid = re.search(r"Token (\d+)", r.stdout).group(1)
    s = Server(db).start()
    try:
        h = {"Authorization": "Bearer " + token}
        assert requests.get(s.url + "/api/v1/me", headers=h, timeout=10).json()["name"] == "GP Practice System"
        r = kith("token", "list", db=db)
        assert r.returncode == 0 and "Surgery referrals" in r.stdout and token not in r.stdout
        r = kith("token", "revoke", tid, db=db)
        assert r.returncode == 0, r.stderr
        assert requests.get(s.url + "/api/v1/me", headers=h, timeout=10).status_code == 401
        assert kith("token", "revoke", tid, db=db).returncode == 1
        assert kith("token", "revoke", "nope", db=db).returncode == 2
    finally:
        assert s.stop() == 0
    r = kith("token", "create", "--for", "nobody@example.org", "--name", "x", db=db)
    assert r.returncode == 1 and "no account" in r.stderr


def test_audit_command(db):
    assert add_user(db, "a@example.org", "Alex Admin", "admin").returncode == 0
    r = kith("audit", db=db)
    assert r.returncode == 0
    assert "role.granted" in r.stdout and "register" in r.stdout
    r = kith("audit", "--action", "role.granted", "--limit", "1", db=db)
    assert r.returncode == 0 and "(1 of" in r.stdout
    assert kith("audit", "--since", "yesterday", db=db).returncode == 2
    assert kith("audit", "--limit", "0", db=db).returncode == 2
