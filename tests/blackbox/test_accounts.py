"""Accounts against a real server and a real SMTP sink, on SQLite or
PostgreSQL (KITH_TEST_BACKEND): register -> the confirmation email ->
its link -> confirmed; signing in and out; a forgotten password by email
(the new password works, the old does not, the link works once and
expires); the JSON API exactly as documented; rate limits; and what must
never leak: passwords and health words in emails, emails, tokens and
passwords in the server's log."""
import re
import subprocess
import time

import pytest
import requests

from conftest import Server, SmtpSink, kith, mailing_server, sql, stop_clean

PW1 = "purple kettle orbit 42"
PW2 = "lantern meadow quartz 17"
HEALTH_WORDS = ["diabetes", "cancer", "depress", "asthma", "copd", "dementia", "condition",
                "diagnos", "medic", "referral", "lonely", "wellbeing"]
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


@pytest.fixture
def site(db, smtp):
    """A server in development mode (cookies without Secure, as over plain
    http) that sends its email to the sink."""
    s = mailing_server(db, smtp, "--dev-mode", "true")
    yield s
    logs = stop_clean(s)
    # Operators' logs: never a password, an email address or a token.
    for secret in [PW1, PW2, "@example.org", "ks_", "kt_"]:
        assert secret not in logs, "the server log contains %r:\n%s" % (secret, logs)


def csrf(r):
    m = CSRF.search(r.text)
    assert m, "no form token in:\n" + r.text[:2000]
    return m.group(1)


def assert_clean(msg):
    text = SmtpSink.whole(msg).lower()
    for w in HEALTH_WORDS + [PW1, PW2]:
        assert w not in text, "an email contains %r:\n%s" % (w, text)


def browser():
    s = requests.Session()
    s.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) kith-blackbox"
    return s


def register(site, b, name, email, password=PW1):
    r = b.get(site.url + "/register", timeout=10)
    assert r.status_code == 200
    return b.post(site.url + "/register", data={"csrf_token": csrf(r), "name": name, "email": email,
                                                 "password": password},
                  allow_redirects=False, timeout=10)


def sign_in(site, b, email, password):
    r = b.get(site.url + "/login", timeout=10)
    return b.post(site.url + "/login", data={"csrf_token": csrf(r), "email": email, "password": password},
                  allow_redirects=False, timeout=10)


def sign_out(site, b):
    r = b.get(site.url + "/account", timeout=10)
    assert r.status_code == 200
    return b.post(site.url + "/logout", data={"csrf_token": csrf(r)}, allow_redirects=False, timeout=10)


def test_register_verify_sign_out_and_in(site):
    b = browser()
    r = register(site, b, "Dot Cotton", "dot@example.org")
    assert r.status_code == 303 and r.headers["Location"] == "/account?done=registered"
    assert "kith_session" in b.cookies
    r = b.get(site.url + r.headers["Location"], timeout=10)
    assert "We have sent a link to dot@example.org" in r.text
    assert "Not confirmed yet" in r.text

    msg = site.smtp.wait_for(1, to="dot@example.org")[0]
    assert "Confirm your email address" in msg["Subject"]
    assert_clean(msg)
    link = SmtpSink.link(msg, site.url + "/verify-email/")
    assert re.fullmatch(re.escape(site.url) + r"/verify-email/[0-9a-f]{64}", link)

    # Following the link shows a button; only the button confirms.
    r = b.get(link, timeout=10)
    assert r.status_code == 200 and "Confirm my email address" in r.text
    assert "Not confirmed yet" in b.get(site.url + "/account", timeout=10).text
    r = b.post(link, data={"csrf_token": csrf(b.get(link, timeout=10))}, allow_redirects=False, timeout=10)
    assert r.status_code == 303 and r.headers["Location"] == "/account?done=verified"
    r = b.get(site.url + "/account?done=verified", timeout=10)
    assert "Your email address is confirmed." in r.text and "Not confirmed yet" not in r.text
    # Once only.
    assert b.get(link, timeout=10).status_code == 404

    r = sign_out(site, b)
    assert r.status_code == 303 and r.headers["Location"] == "/signed-out"
    assert b.get(site.url + "/account", allow_redirects=False, timeout=10).status_code == 303
    r = sign_in(site, b, "DOT@example.org", PW2)
    assert r.status_code == 422 and "Enter a correct email address and password" in r.text
    assert PW2 not in r.text
    r = sign_in(site, b, "DOT@example.org", PW1)
    assert r.status_code == 303 and r.headers["Location"] == "/account"
    assert "Dot Cotton" in b.get(site.url + "/account", timeout=10).text
    assert sign_out(site, b).status_code == 303


def test_forms_need_their_token(site):
    b = browser()
    b.get(site.url + "/login", timeout=10)
    r = b.post(site.url + "/login", data={"email": "dot@example.org", "password": PW1},
               allow_redirects=False, timeout=10)
    assert r.status_code == 403 and "reload the page" in r.text
    # A token from another browser does not work either.
    other = browser()
    token = csrf(other.get(site.url + "/register", timeout=10))
    r = b.post(site.url + "/register", data={"csrf_token": token, "name": "Dot Cotton",
                                              "email": "dot@example.org", "password": PW1},
               allow_redirects=False, timeout=10)
    assert r.status_code == 403


def test_password_reset_by_email(site, db):
    r = requests.post(site.url + "/api/v1/accounts",
                      json={"name": "Phil Mitchell", "email": "phil@example.org", "password": PW1}, timeout=10)
    assert r.status_code == 201
    site.smtp.wait_for(1, to="phil@example.org")

    b = browser()
    r = b.get(site.url + "/password-reset", timeout=10)
    r = b.post(site.url + "/password-reset", data={"csrf_token": csrf(r), "email": "Phil@Example.org"},
               allow_redirects=False, timeout=10)
    assert r.status_code == 303 and r.headers["Location"] == "/password-reset/sent"
    msgs = site.smtp.wait_for(2, to="phil@example.org")
    msg = [m for m in msgs if "Reset your password" in m["Subject"]][0]
    assert_clean(msg)
    assert "60 minutes" in SmtpSink.text(msg)
    link = SmtpSink.link(msg, site.url + "/password-reset/")

    r = b.get(link, timeout=10)
    assert r.status_code == 200 and "Choose a new password" in r.text
    r = b.post(link, data={"csrf_token": csrf(r), "password": PW2, "password_confirm": PW2},
               allow_redirects=False, timeout=10)
    assert r.status_code == 303 and r.headers["Location"] == "/account?done=password_reset"
    assert b.get(site.url + "/account", allow_redirects=False, timeout=10).status_code == 200
    changed = site.smtp.wait_for(3, to="phil@example.org")
    assert any("password" in m["Subject"].lower() and "changed" in m["Subject"].lower() for m in changed)
    for m in changed:
        assert_clean(m)

    # The new password works, the old one does not.
    r = requests.post(site.url + "/api/v1/sessions", json={"email": "phil@example.org", "password": PW1}, timeout=10)
    assert r.status_code == 401
    r = requests.post(site.url + "/api/v1/sessions", json={"email": "phil@example.org", "password": PW2}, timeout=10)
    assert r.status_code == 201

    # The link worked once.
    assert b.get(link, timeout=10).status_code == 404

    # A new link expires: an hour later it is refused.
    r = requests.post(site.url + "/api/v1/password-resets", json={"email": "phil@example.org"}, timeout=10)
    assert r.status_code == 202
    msg = site.smtp.wait_for(4, to="phil@example.org")[-1]
    link2 = SmtpSink.link(msg, site.url + "/password-reset/")
    assert b.get(link2, timeout=10).status_code == 200
    # (An hour passing: the link's expiry moved into the past.)
    sql(db, "UPDATE onetime SET expires_at = expires_at - 3601 "
            "WHERE purpose = 'reset_password' AND used_at IS NULL")
    r = b.get(link2, timeout=10)
    assert r.status_code == 404 and "has expired" in r.text


def test_api_as_documented(site):
    api = site.url + "/api/v1"
    r = requests.post(api + "/accounts", json={"name": "Kat Slater", "email": "kat@example.org", "password": PW1},
                      timeout=10)
    assert r.status_code == 201
    body = r.json()
    assert isinstance(body["id"], int) and body["email"] == "kat@example.org" and body["name"] == "Kat Slater"
    assert PW1 not in r.text

    r = requests.post(api + "/accounts", json={"name": "Kat Two", "email": "KAT@example.org", "password": PW2},
                      timeout=10)
    assert r.status_code == 409
    assert r.headers["Content-Type"] == "application/problem+json"

    r = requests.post(api + "/accounts", json={"name": "Weak One", "email": "weak@example.org",
                                               "password": "password1"}, timeout=10)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "password"
    assert "password1" not in r.text

    r = requests.post(api + "/sessions", json={"email": "kat@example.org", "password": PW2}, timeout=10)
    assert r.status_code == 401
    r = requests.post(api + "/sessions", json={"email": "kat@example.org", "password": PW1}, timeout=10)
    assert r.status_code == 201
    s = r.json()
    assert re.fullmatch(r"ks_[0-9a-f]{64}", s["token"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", s["expires_at"])
    assert s["person"] == {"id": body["id"], "name": "Kat Slater"}
    h = {"Authorization": "Bearer " + s["token"]}

    me = requests.get(api + "/me", headers=h, timeout=10)
    assert me.status_code == 200
    assert {k: me.json()[k] for k in ("id", "name", "email", "roles")} == {
        "id": body["id"], "name": "Kat Slater", "email": "kat@example.org", "roles": ["member"]}
    assert requests.get(api + "/people", headers=h, timeout=10).status_code == 403

    r = requests.delete(api + "/sessions/current", headers=h, timeout=10)
    assert r.status_code == 204 and r.content == b""
    assert requests.get(api + "/me", headers=h, timeout=10).status_code == 401
    assert requests.get(api + "/me", timeout=10).status_code == 401

    # Password resets: 202 whether or not the account exists, the same words.
    a = requests.post(api + "/password-resets", json={"email": "kat@example.org"}, timeout=10)
    b = requests.post(api + "/password-resets", json={"email": "nobody@example.org"}, timeout=10)
    assert a.status_code == b.status_code == 202
    assert a.json() == b.json()
    site.smtp.wait_for(2, to="kat@example.org")
    time.sleep(0.5)
    assert site.smtp.to("nobody@example.org") == []


def test_people_api_for_coordinators(site, db):
    r = kith("user", "add", "--email", "cora@example.org", "--name", "Cora Coord", "--role", "coordinator",
             "--password-stdin", db=db, input=PW1 + "\n")
    assert r.returncode == 0, r.stderr
    r = requests.post(site.url + "/api/v1/accounts",
                      json={"name": "Mo Member", "email": "mo@example.org", "password": PW2}, timeout=10)
    mo = r.json()["id"]
    tok = requests.post(site.url + "/api/v1/sessions", json={"email": "cora@example.org", "password": PW1},
                        timeout=10).json()["token"]
    h = {"Authorization": "Bearer " + tok}
    r = requests.get(site.url + "/api/v1/people?q=mo&per_page=10", headers=h, timeout=10)
    assert r.status_code == 200
    j = r.json()
    assert j["total"] == 1 and j["page"] == 1 and j["per_page"] == 10
    assert j["items"][0]["email"] == "mo@example.org"
    r = requests.get(site.url + "/api/v1/people?per_page=500", headers=h, timeout=10)
    assert r.status_code == 400 and "per_page" in r.json()["detail"]
    r = requests.post(site.url + "/api/v1/people/%d/roles" % mo, json={"role": "peer_supporter"},
                      headers=h, timeout=10)
    assert r.status_code == 201
    r = requests.post(site.url + "/api/v1/people/%d/roles" % mo, json={"role": "admin"}, headers=h, timeout=10)
    assert r.status_code == 403
    r = requests.delete(site.url + "/api/v1/people/%d/roles/peer_supporter" % mo, headers=h, timeout=10)
    assert r.status_code == 204


def test_rate_limits(db):
    s = Server(db, "--login-limit", "2", "--register-limit-ip", "1", "--reset-limit", "1", "--dev-mode", "true")
    s.start()
    try:
        api = s.url + "/api/v1"
        r = requests.post(api + "/accounts", json={"name": "Kat Slater", "email": "kat@example.org",
                                                   "password": PW1}, timeout=10)
        assert r.status_code == 201
        r = requests.post(api + "/accounts", json={"name": "Kat Two", "email": "kat2@example.org",
                                                   "password": PW1}, timeout=10)
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0

        for _ in range(2):
            r = requests.post(api + "/sessions", json={"email": "kat@example.org", "password": PW2}, timeout=10)
            assert r.status_code == 401
        r = requests.post(api + "/sessions", json={"email": "kat@example.org", "password": PW1}, timeout=10)
        assert r.status_code == 429 and 0 < int(r.headers["Retry-After"]) <= 900
        # The sign-in page says the same, in words.
        b = browser()
        r = sign_in(s, b, "kat@example.org", PW1)
        assert r.status_code == 429 and "Retry-After" in r.headers
        assert "too many times" in r.text

        r = requests.post(api + "/password-resets", json={"email": "kat@example.org"}, timeout=10)
        assert r.status_code == 202
        r = requests.post(api + "/password-resets", json={"email": "kat@example.org"}, timeout=10)
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0

        out = kith("audit", "--action", "login.rate_limited", db=db)
        assert out.returncode == 0 and "login.rate_limited" in out.stdout
        out = kith("audit", "--action", "register.rate_limited", db=db)
        assert out.returncode == 0 and "register.rate_limited" in out.stdout
    finally:
        assert s.stop() == 0
