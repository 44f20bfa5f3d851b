"""Bringing on an organisation with nobody on kith, against a real `kith
serve` and a real SMTP server, on SQLite or PostgreSQL (KITH_TEST_BACKEND).

A link worker refers someone through the JSON API to a service whose
organisation has nobody on kith: no "sign in to see it" email goes to its
address; the claim email does, once, without the person's name, reason or
needs. Someone from the organisation opens the link, creates an account
from the page, comes back and claims it; the link then works no more. The
token is never in the server's log, nor is who was referred.
"""
import json
import re
import time

from conftest import SmtpSink, kith, mailing_server, sql, stop_clean

PASSWORD = "granite-lantern-orchard-41"
ORG = "7c2504e0-4f89-41d3-9a0c-0305e82c3305"
SERVICE = "8d2504e0-4f89-41d3-9a0c-0305e82c3306"
ORG_MAIL = "hello@cafe.example.org"
PERSON = "Annie Otterburn"
REASON = "Since my husband died I hardly leave the flat"
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


def csrf(r):
    m = CSRF.search(r.text)
    assert m, "no form token in:\n" + r.text[:2000]
    return m.group(1)


def test_claim_by_email_link(db, smtp, tmp_path):
    import requests

    assert kith("migrate", db=db).returncode == 0
    feed = tmp_path / "feed.ndjson"
    feed.write_text(json.dumps({
        "id": SERVICE, "name": "Riverside Lunch", "description": "Soup and company.",
        "organization": {"id": ORG, "name": "Riverside Cafe", "email": ORG_MAIL}}) + "\n")
    r = kith("directory", "import", str(feed), db=db)
    assert r.returncode == 0, r.stdout + r.stderr
    r = kith("user", "add", "--email", "lina@example.org", "--name", "Lina Worker", "--role",
             "link_worker", "--password-stdin", db=db, input=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    r = kith("token", "create", "--for", "lina@example.org", "--name", "Blackbox", db=db)
    token = re.search(r"kt_[0-9a-f]{64}", r.stdout).group(0)
    sql(db, "UPDATE person SET email_verified_at = %d" % int(time.time()))
    site = mailing_server(db, smtp, "--dev-mode", "true")
    link = None
    try:
        body = {"person": {"name": PERSON, "email": "annie.o@example.net", "contact_by": "email"},
                "consent": {"share": True, "contact": True, "outcome": True, "method": "verbal"},
                "target": {"type": "service", "id": SERVICE}, "reason": REASON,
                "needs": ["loneliness"]}
        for name in [PERSON, "Bertie Otterburn"]:
            body["person"]["name"] = name
            body["person"]["email"] = name.split()[0].lower() + "@example.net"
            r = site.request("POST", "/api/v1/referrals", data=json.dumps(body), headers={
                "Authorization": "Bearer " + token, "Content-Type": "application/json"})
            assert r.status_code == 201, r.text

        # One claim email for two referrals, and no "sign in to see it".
        [mail] = smtp.wait_for(1, to=ORG_MAIL)
        time.sleep(1.5)
        assert len(smtp.to(ORG_MAIL)) == 1
        text = SmtpSink.whole(mail)
        assert "Riverside Cafe" in text and "claim" in text.lower()
        for secret in [PERSON, "Annie", "Bertie", REASON, "husband", "Loneliness"]:
            assert secret.lower() not in text.lower(), "the email contains %r" % secret
        link = SmtpSink.link(mail, site.url + "/claim/")
        path = link[len(site.url):]

        # Someone from the cafe: the page, an account made from it, back,
        # and the claim.
        b = requests.Session()
        r = b.get(link, timeout=10)
        assert r.status_code == 200 and "Claim Riverside Cafe" in r.text
        r = b.get(site.url + "/register?next=" + path, timeout=10)
        r = b.post(site.url + "/register", data={
            "csrf_token": csrf(r), "name": "Cass Cafe", "email": "cass@example.org",
            "password": PASSWORD, "next": path}, allow_redirects=False, timeout=10)
        assert r.status_code == 303 and r.headers["Location"] == path, r.text
        r = b.get(link, timeout=10)
        assert ">Claim Riverside Cafe</button>" in r.text
        r = b.post(link, data={"csrf_token": csrf(r)}, allow_redirects=False, timeout=10)
        assert r.status_code == 200 and "You are now the organiser for Riverside Cafe" in r.text
        r = b.get(site.url + "/referrals/inbox", timeout=10)
        assert r.status_code == 200 and PERSON in r.text and "Bertie Otterburn" in r.text
        # Used up.
        assert b.get(link, timeout=10).status_code == 404
    finally:
        logs = stop_clean(site)
    assert link
    secret = link.rsplit("/", 1)[1]
    for s in [secret, PERSON, REASON, ORG_MAIL]:
        assert s not in logs, "the server log contains %r:\n%s" % (s, logs)
    out = kith("audit", "--action", "org", db=db)
    assert "org.claim.sent" in out.stdout and "org.claimed" in out.stdout, out.stdout
