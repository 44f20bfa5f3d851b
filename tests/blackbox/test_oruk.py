"""The Open Referral UK 3.0 API against a real `kith serve`, on the chosen
backend (KITH_TEST_BACKEND).

The real North Lincolnshire feed (738 services, ORUK v1) is imported with
`kith directory import`, `kith demo` adds the demo town, and then every
endpoint's answers are validated offline against the ORUK 3.0 JSON schemas
shipped in data/oruk/3.0/schema (their https://openreferraluk.org/...
references resolved to those files through a referencing registry), with
formats checked (uuid, date-time, email). A second import reports every
record unchanged, and an export imported again does too.
"""
import datetime
import json
import os
import re

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from conftest import ROOT, Server, kith, stop_clean

FEED = os.path.join(ROOT, "tests/data/oruk-feeds/north-lincolnshire-2024-12.json")
SCHEMA_DIR = os.path.join(ROOT, "data/oruk/3.0/schema")
BASE = "https://openreferraluk.org/specifications/3.0/schema/"
SUMMARY = re.compile(r"^Imported (\d+), updated (\d+), unchanged (\d+), rejected (\d+)\.$", re.M)
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def load_schemas():
    out = {}
    for name in sorted(os.listdir(SCHEMA_DIR)):
        if name.endswith(".json"):
            with open(os.path.join(SCHEMA_DIR, name)) as f:
                out[name] = json.load(f)
    return out


SCHEMAS = load_schemas()
FORMATS = FormatChecker()
if "date-time" not in FORMATS.checkers:
    # Without rfc3339-validator jsonschema skips date-time: check it here.
    @FORMATS.checks("date-time")
    def _date_time(value):
        if not isinstance(value, str):
            return True
        if not RFC3339.match(value):
            return False
        datetime.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        return True

try:
    # jsonschema >= 4.18: a referencing registry.
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    REGISTRY = Registry().with_resources(
        (BASE + n, Resource.from_contents(c, default_specification=DRAFT202012)) for n, c in SCHEMAS.items())

    def validator(name):
        return Draft202012Validator(SCHEMAS[name], registry=REGISTRY, format_checker=FORMATS)
except ImportError:
    # Debian's jsonschema 4.10: a RefResolver whose store has every file.
    from jsonschema import RefResolver

    STORE = {BASE + n: c for n, c in SCHEMAS.items()}

    def validator(name):
        resolver = RefResolver(base_uri=BASE + name, referrer=SCHEMAS[name], store=STORE)
        return Draft202012Validator(SCHEMAS[name], resolver=resolver, format_checker=FORMATS)


def check(name, doc):
    errors = sorted(validator(name).iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, "%s: %s at %s" % (name, errors[0].message, list(errors[0].path))
    no_empty(doc)


def no_empty(doc, path="$"):
    """ORUK answers never carry null, "" or empty lists and objects (the
    paginated envelope's contents may be an empty list)."""
    if isinstance(doc, dict):
        for k, v in doc.items():
            assert v is not None, "%s.%s is null" % (path, k)
            if isinstance(v, str):
                assert v != "", "%s.%s is empty" % (path, k)
            if isinstance(v, (list, dict)) and k != "contents":
                assert v, "%s.%s is empty" % (path, k)
            no_empty(v, "%s.%s" % (path, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            no_empty(v, "%s[%d]" % (path, i))


def summary(out):
    m = SUMMARY.search(out)
    assert m, out
    return tuple(int(x) for x in m.groups())


def api(server, path, status=200):
    r = server.get("/api/oruk" + path)
    assert r.status_code == status, "%s: %s %s" % (path, r.status_code, r.text[:500])
    assert r.headers.get("Access-Control-Allow-Origin") == "*"
    if status >= 400:
        assert r.headers["Content-Type"] == "application/problem+json"
        return r.json()
    if r.headers["Content-Type"] == "application/x-ndjson":
        return [json.loads(line) for line in r.text.splitlines()]
    assert r.headers["Content-Type"] == "application/json"
    return r.json()


@pytest.fixture
def loaded(db):
    """A database with the council's feed and the demo town, and a server."""
    r = kith("directory", "import", FEED, db=db)
    assert r.returncode == 0, r.stderr
    imported, updated, unchanged, rejected = summary(r.stdout)
    assert imported + updated + unchanged + rejected == 738
    assert rejected == 0, r.stdout
    r = kith("demo", db=db)
    assert r.returncode == 0, r.stderr
    s = Server(db, "--base-url", "https://kith.example.org").start()
    yield s
    stop_clean(s)


def test_every_endpoint_is_valid_oruk(loaded):
    s = loaded
    check("api_details.json", api(s, ""))
    spec = api(s, "/openapi.json")
    assert spec["servers"][0]["url"] == "https://kith.example.org/api/oruk"

    # Services: every one, in every form.
    first = api(s, "/services?per_page=100")
    check("service_list.json", first)
    total = first["total_items"]
    assert total >= 738 + 300
    assert first["total_pages"] == (total + 99) // 100
    last = api(s, "/services?per_page=100&page=%d" % first["total_pages"])
    check("service_list.json", last)
    assert last["last_page"] and last["size"] == total - 100 * (first["total_pages"] - 1)
    # ndjson comes in pages of up to 1,000 lines; X-Total-Count says how many.
    every = []
    for page in range(1, (total + 999) // 1000 + 1):
        every += api(s, "/services?format=ndjson&full=true&page=%d" % page)
    assert len(every) == total
    assert len({d["id"] for d in every}) == total
    for doc in every:
        check("service.json", doc)
    flat = api(s, "/services?format=ndjson")
    assert len(flat) == min(total, 1000)
    assert s.get("/api/oruk/services?format=ndjson&per_page=1").headers["X-Total-Count"] == str(total)
    for doc in flat[:200]:
        check("service_list.json", {"contents": [doc]})
    check("service_list.json", api(s, "/services?minimal=true&per_page=1000"))
    for query in ("search=walking", "search=dementia+cafe&full=true", "postcode=DN15+6XX&proximity=3000",
                  "postcode=DN16", "modified_after=2024-12-01", "search=nothing-matches-this"):
        check("service_list.json", api(s, "/services?" + query))
    for doc in every[::50]:
        check("service.json", api(s, "/services/" + doc["id"]))

    # Where they happen.
    sals = api(s, "/service_at_locations?per_page=100")
    check("service_at_location_list.json", sals)
    assert sals["total_items"] >= 300
    full = api(s, "/service_at_locations?full=true&per_page=100&postcode=DN15+6XX&proximity=5000")
    check("service_at_location_list.json", full)
    assert full["size"] > 0
    for sal in full["contents"][:20]:
        check("service_at_location.json", api(s, "/service_at_locations/" + sal["id"]))

    # Organisations.
    orgs = api(s, "/organizations?per_page=100")
    check("organization_list.json", orgs)
    assert orgs["total_items"] >= 239
    check("organization_list.json", api(s, "/organizations?search=mind&full=true"))
    for org in orgs["contents"][:20]:
        check("organization.json", api(s, "/organizations/" + org["id"]))
    check("organization.json", api(s, "/organizations/%s?full_service=true" % orgs["contents"][0]["id"]))

    # Taxonomies and their terms.
    tax = api(s, "/taxonomies")
    check("taxonomy_list.json", tax)
    for t in tax["contents"]:
        check("taxonomy.json", api(s, "/taxonomies/" + t["id"]))
    terms = api(s, "/taxonomy_terms?per_page=100")
    check("taxonomy_term_list.json", terms)
    for t in terms["contents"]:
        check("taxonomy_term.json", api(s, "/taxonomy_terms/" + t["id"]))
    check("taxonomy_term_list.json", api(s, "/taxonomy_terms?top_only=true&search=walk"))


def test_search_and_errors(loaded):
    s = loaded
    walking = api(s, "/services?search=walking&per_page=10")
    assert 0 < walking["size"] <= 10
    assert walking["total_items"] >= walking["size"]
    near = api(s, "/services?postcode=DN15+6XX&proximity=2000&per_page=100")
    assert near["total_items"] > 0
    bad = api(s, "/services?per_page=500", 400)
    assert bad["detail"] == "The per_page parameter must be a whole number from 1 to 100."
    bad = api(s, "/services?taxonomy_term_id=walking", 400)
    assert "taxonomy_term_id" in bad["detail"]
    api(s, "/services/0f8fad5b-d9cb-469f-a165-70867728950e", 404)
    r = s.request("OPTIONS", "/api/oruk/services")
    assert r.status_code == 204 and r.headers["Access-Control-Allow-Origin"] == "*"
    # Nothing about the people who checked the feed's services.
    body = s.get("/api/oruk/services?format=ndjson&full=true").text
    assert "victoria.wall" not in body and "assured_by" not in body and "assurer_email" not in body


def test_reimport_and_export_are_unchanged(db, tmp_path):
    r = kith("directory", "import", FEED, db=db)
    assert r.returncode == 0, r.stderr
    assert summary(r.stdout) == (738, 0, 0, 0)
    r = kith("directory", "import", FEED, db=db)
    assert summary(r.stdout) == (0, 0, 738, 0)
    out = tmp_path / "export.ndjson"
    r = kith("directory", "export", "--out", str(out), db=db)
    assert r.returncode == 0, r.stderr
    assert "Exported 738 services" in r.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 738
    ids = [json.loads(line)["id"] for line in lines]
    assert ids == sorted(ids)
    for line in lines[:100]:
        check("service.json", json.loads(line))
    r = kith("directory", "import", str(out), db=db)
    assert summary(r.stdout) == (0, 0, 738, 0)
    # To standard output too.
    r = kith("directory", "export", db=db)
    assert r.returncode == 0 and len(r.stdout.splitlines()) == 738


def test_import_reports_every_rejection(db, tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([
        {"id": "738f94e0-aa6c-6a5c-2395-7b64421ba2a5", "name": "Good", "organization": {
            "id": "20da2f9a-59de-622c-3b63-78d899ba0d94", "name": "Org"}},
        {"id": "not-a-uuid", "name": "Bad id", "organization": {"id": "20da2f9a-59de-622c-3b63-78d899ba0d94"}},
        {"name": ""},
        "a string",
    ]))
    r = kith("directory", "import", str(feed), db=db)
    assert r.returncode == 0, r.stderr
    assert summary(r.stdout) == (1, 0, 0, 3)
    assert '  not-a-uuid "Bad id": its id is not a UUID' in r.stdout
    assert "  #3: has no id" in r.stdout
    assert "  #4: is not a JSON object" in r.stdout
    broken = tmp_path / "broken.json"
    broken.write_text("<html>not a feed</html>")
    r = kith("directory", "import", str(broken), db=db)
    assert r.returncode == 1
    assert "not JSON" in r.stderr and "Nothing was imported" in r.stderr
