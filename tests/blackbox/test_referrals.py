"""Referrals against a real `kith serve` and a real SMTP server (aiosmtpd on
loopback), on SQLite or PostgreSQL (KITH_TEST_BACKEND).

A link worker refers someone through the JSON API; the receiving
organisation's organiser moves it on with their own API token (accepted,
contacted, attended: the last two with the day they happened and how, a bad
way refused by name). Each email arrives where it should (the organisation
on a new referral; the person on accepted and contacted, as they agreed to
be contacted; the referrer on attended, as the person agreed to share how it
went) and none of them, nor the server's log, holds the person's name, the
reason in their words, the needs, the service's name or the NHS number.
FHIR over HTTP: the CapabilityStatement, a ServiceRequest received and
read back, the Task following the loop, and refusals as OperationOutcome.
"""
import datetime
import json
import re
import time
import zoneinfo

import pytest
import requests

from conftest import SmtpSink, kith, mailing_server, sql, stop_clean

PASSWORD = "granite-lantern-orchard-41"
ORG = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
OTHER_ORG = "4f2504e0-4f89-41d3-9a0c-0305e82c3302"
SERVICE = "5a2504e0-4f89-41d3-9a0c-0305e82c3303"
OTHER_SERVICE = "6b2504e0-4f89-41d3-9a0c-0305e82c3304"
SERVICE_NAME = "Riverside Wednesday Walk"
PERSON = "Annie Otterburn"
PERSON_EMAIL = "annie.o@example.net"
NHS = "9434765919"
REASON = "Since my husband died I hardly leave the flat"
NEEDS = ["loneliness", "bereavement"]
NEED_NAMES = ["Loneliness and isolation", "Bereavement and loss"]
FHIR = "application/fhir+json"


def add_user(db, email, name, *roles, org=None):
    args = ["user", "add", "--email", email, "--name", name, "--password-stdin"]
    for r in roles:
        args += ["--role", r]
    if org:
        args += ["--org", org]
    r = kith(*args, db=db, input=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    r = kith("token", "create", "--for", email, "--name", "Blackbox", db=db)
    assert r.returncode == 0, r.stderr
    return re.search(r"kt_[0-9a-f]{64}", r.stdout).group(0)


@pytest.fixture
def site(db, smtp, tmp_path):
    """A directory with two organisations and a service each, a link worker,
    an organiser of each organisation, a member (their emails confirmed),
    and a server sending email to the sink."""
    r = kith("migrate", db=db)
    assert r.returncode == 0, r.stderr
    feed = tmp_path / "feed.ndjson"
    feed.write_text("\n".join(json.dumps(s) for s in [
        {"id": SERVICE, "name": SERVICE_NAME, "description": "A gentle walk by the river.",
         "organization": {"id": ORG, "name": "Riverside Walkers"}},
        {"id": OTHER_SERVICE, "name": "Hilltop Choir", "description": "Singing for breathing.",
         "organization": {"id": OTHER_ORG, "name": "Hilltop Singers"}},
    ]) + "\n")
    r = kith("directory", "import", str(feed), db=db)
    assert r.returncode == 0, r.stdout + r.stderr
    tokens = {
        "lw": add_user(db, "lina@example.org", "Lina Worker", "link_worker"),
        "org": add_user(db, "olu@example.org", "Olu Organiser", "organiser", org=ORG),
        "other": add_user(db, "bea@example.org", "Bea Organiser", "organiser", org=OTHER_ORG),
        "member": add_user(db, "mo@example.org", "Mo Member"),
    }
    sql(db, "UPDATE person SET email_verified_at = %d" % int(time.time()))
    s = mailing_server(db, smtp)
    s.tokens = tokens
    yield s
    logs = stop_clean(s)
    # The operator's log never carries who was referred or why.
    for secret in [PERSON, PERSON_EMAIL, NHS, REASON, "kt_"] + NEED_NAMES:
        assert secret not in logs, "the server log contains %r:\n%s" % (secret, logs)


def call(site, method, path, who=None, body=None, ctype="application/json", accept=None):
    headers = {}
    if who:
        headers["Authorization"] = "Bearer " + site.tokens[who]
    if accept:
        headers["Accept"] = accept
    data = None
    if body is not None:
        headers["Content-Type"] = ctype
        data = body if isinstance(body, str) else json.dumps(body)
    return site.request(method, path, headers=headers, data=data)


def assert_clean(msg):
    text = SmtpSink.whole(msg)
    for secret in [PERSON, "Annie", NHS, REASON, "husband", SERVICE_NAME] + NEED_NAMES + NEEDS:
        assert secret.lower() not in text.lower(), "an email contains %r:\n%s" % (secret, text)


def referral_body():
    return {
        "person": {"name": PERSON, "email": PERSON_EMAIL, "contact_by": "email",
                   "nhs_number": NHS, "birth_date": "1947-06-30", "language": "en"},
        "consent": {"share": True, "contact": True, "outcome": True, "method": "verbal"},
        "target": {"type": "service", "id": SERVICE},
        "reason": REASON,
        "needs": NEEDS,
    }


def test_the_loop_by_api_and_its_emails(site):
    smtp = site.smtp
    r = call(site, "POST", "/api/v1/referrals", "lw", referral_body())
    assert r.status_code == 201, r.text
    ref = r.json()
    rid = ref["id"]
    assert ref["status"] == "sent" and r.headers["Location"] == "/api/v1/referrals/" + rid

    # New: the receiving organisation's organiser is told, and only them.
    [new] = smtp.wait_for(1, to="olu@example.org")
    assert_clean(new)
    assert site.url in SmtpSink.text(new)
    assert smtp.to("bea@example.org") == []

    # The other organisation, a member and a visitor cannot see it.
    assert call(site, "GET", "/api/v1/referrals/" + rid, "other").status_code == 404
    assert call(site, "GET", "/api/v1/referrals/" + rid, "member").status_code == 404
    r = call(site, "GET", "/api/v1/referrals/" + rid)
    assert r.status_code == 401 and r.headers["Content-Type"] == "application/problem+json"

    # The organiser moves it along with their own token.
    status = "/api/v1/referrals/%s/status" % rid
    r = call(site, "POST", status, "org", {"status": "attended"})
    assert r.status_code == 409, r.text
    r = call(site, "POST", status, "lw", {"status": "accepted"})
    assert r.status_code == 403, r.text
    r = call(site, "POST", status, "org", {"status": "accepted", "note": "We meet at the bridge"})
    assert r.status_code == 200 and r.json()["status"] == "accepted", r.text
    accepted = smtp.wait_for(1, to=PERSON_EMAIL)
    # Contact says when (a UK day) and how; a way not on the list is refused by name.
    today = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/London")).date().isoformat()
    r = call(site, "POST", status, "org", {"status": "contacted", "method": "carrier pigeon"})
    assert r.status_code == 422, r.text
    assert r.headers["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in r.json()["errors"]] == ["method"]
    r = call(site, "POST", status, "org", {"status": "contacted", "happened_on": "2999-01-01"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "happened_on", r.text
    r = call(site, "POST", status, "org", {"status": "contacted", "happened_on": today,
                                           "method": "phone"})
    assert r.status_code == 200, r.text
    contacted = smtp.wait_for(2, to=PERSON_EMAIL)
    r = call(site, "POST", status, "org", {"status": "attended", "method": "in_person"})
    assert r.status_code == 200 and r.json()["status"] == "attended", r.text
    ev = r.json()["events"]
    assert (ev[2]["happened_on"], ev[2]["method"], ev[2]["method_words"]) == (today, "phone", "By phone")
    assert (ev[3]["happened_on"], ev[3]["method"]) == (today, "in_person")
    assert r.json()["measures"]["days_to_attend"] in (0, 1)   # today (1 across midnight)
    attended = smtp.wait_for(1, to="lina@example.org")

    time.sleep(1.5)   # nothing more is on its way
    assert len(smtp.to(PERSON_EMAIL)) == 2
    assert len(smtp.to("lina@example.org")) == 1
    assert len(smtp.to("olu@example.org")) == 1
    for msg in [new] + accepted + contacted + attended:
        assert_clean(msg)
    assert len(smtp.messages) == 4

    # The history, as the referrer sees it.
    r = call(site, "GET", "/api/v1/referrals/" + rid, "lw")
    assert [e["to"] for e in r.json()["events"]] == ["sent", "accepted", "contacted", "attended"]
    r = call(site, "GET", "/api/v1/referrals?status=attended", "org")
    assert r.status_code == 200 and [i["id"] for i in r.json()["items"]] == [rid]
    r = call(site, "GET", "/api/v1/referrals?status=nowhere", "org")
    assert r.status_code == 400 and "withdrawn" in r.json()["detail"]

    # The same loop as a FHIR Task.
    r = call(site, "GET", "/fhir/Task/" + rid, "lw", accept=FHIR)
    assert r.status_code == 200 and r.headers["Content-Type"] == FHIR
    task = r.json()
    assert task["resourceType"] == "Task" and task["status"] == "in-progress"
    assert task["businessStatus"]["text"] == "attended"
    assert task["basedOn"] == [{"reference": "ServiceRequest/" + rid}]


def test_fhir_over_http(site):
    base = site.url
    r = call(site, "GET", "/fhir/metadata", accept=FHIR)
    assert r.status_code == 200 and r.headers["Content-Type"] == FHIR
    cap = r.json()
    assert cap["resourceType"] == "CapabilityStatement" and cap["fhirVersion"] == "4.0.1"
    assert cap["kind"] == "instance" and cap["status"] == "active" and cap["format"] == ["json"]
    [sr_res] = [x for x in cap["rest"][0]["resource"] if x["type"] == "ServiceRequest"]
    assert {i["code"] for i in sr_res["interaction"]} == {"read", "create"}
    assert base + "/fhir/sid/service" in sr_res["documentation"]

    sr = {
        "resourceType": "ServiceRequest", "status": "active", "intent": "order",
        "identifier": [{"system": "https://gp.example/referrals", "value": "GP-77"}],
        "contained": [{"resourceType": "Patient", "id": "p",
                       "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": NHS}],
                       "name": [{"given": ["Annie"], "family": "Otterburn"}],
                       "telecom": [{"system": "email", "value": PERSON_EMAIL}]}],
        "subject": {"reference": "#p"},
        "performer": [{"identifier": {"system": base + "/fhir/sid/service", "value": SERVICE}}],
        "reasonCode": [{"coding": [{"system": base + "/fhir/CodeSystem/need", "code": NEEDS[0]}]}],
        "note": [{"text": REASON}],
        "extension": [{"url": base + "/fhir/StructureDefinition/consent", "valueCode": "share"},
                      {"url": base + "/fhir/StructureDefinition/consent-method", "valueCode": "written"}],
    }
    # Without consent to share: refused, saying what is missing.
    no_consent = dict(sr, extension=[])
    r = call(site, "POST", "/fhir/ServiceRequest", "lw", no_consent, ctype=FHIR)
    assert r.status_code == 422 and r.headers["Content-Type"] == FHIR
    oo = r.json()
    assert oo["resourceType"] == "OperationOutcome"
    assert any("consent" in i["details"]["text"] and i["expression"] == ["ServiceRequest.extension"]
               for i in oo["issue"])
    # Without credentials, or as a member: 401, 403.
    r = call(site, "POST", "/fhir/ServiceRequest", None, sr, ctype=FHIR)
    assert r.status_code == 401 and r.json()["issue"][0]["code"] == "login"
    r = call(site, "POST", "/fhir/ServiceRequest", "member", sr, ctype=FHIR)
    assert r.status_code == 403 and r.json()["resourceType"] == "OperationOutcome"

    r = call(site, "POST", "/fhir/ServiceRequest", "lw", sr, ctype=FHIR)
    assert r.status_code == 201, r.text
    loc = r.headers["Location"]
    assert re.fullmatch(r"/fhir/ServiceRequest/[0-9a-f-]{36}", loc)
    got = call(site, "GET", loc, "lw", accept=FHIR).json()
    assert got["resourceType"] == "ServiceRequest" and got["intent"] == "order"
    assert got["status"] == "active"
    assert got["meta"]["profile"] == ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-ServiceRequest"]
    assert {"system": "http://snomed.info/sct", "code": "871731000000106",
            "display": "Referral to social prescribing service"} in got["code"]["coding"]
    assert got["contained"][0]["name"][0]["text"] == PERSON
    assert {"system": "https://gp.example/referrals", "value": "GP-77"} in got["identifier"]
    # The receiving organiser sees the person but not their NHS number; the
    # other organisation gets a 404 OperationOutcome.
    r = call(site, "GET", loc, "org", accept=FHIR)
    assert r.status_code == 200 and NHS not in r.text and PERSON in r.text
    r = call(site, "GET", loc, "other", accept=FHIR)
    assert r.status_code == 404 and r.json()["issue"][0]["code"] == "not-found"
    assert PERSON not in r.text
    r = call(site, "GET", loc, "lw", accept="application/fhir+xml")
    assert r.status_code == 406 and r.headers["Content-Type"] == FHIR

    # The organisation is told, without health detail.
    [msg] = site.smtp.wait_for(1, to="olu@example.org")
    assert_clean(msg)
