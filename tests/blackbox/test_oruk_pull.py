"""`kith directory pull` and `kith directory feed` against a local ORUK API
(oruk_feed_server.py): paged ORUK 3.0 and v1 lists built from the real
North Lincolnshire feed, full records fetched for summaries, ETags and
304s, 429 with Retry-After, 500 then success, an answer slower than the
timeout, a malformed page, a server that ignores ?page=; services that
disappear are marked for review (never deleted) and unmarked when they
come back; a failed pull changes nothing; a scheduled feed is pulled by
the server's background job. Delays are 0 (--delay 0, feed_delay_ms 0)
so the whole file runs in seconds."""
import json
import os
import re
import sqlite3
import subprocess
import time

import pytest

from conftest import BACKEND, ROOT, Server, kith, stop_clean
from oruk_feed_server import Feed

FEED_FILE = os.path.join(ROOT, "tests/data/oruk-feeds/north-lincolnshire-2024-12.json")
with open(FEED_FILE) as f:
    ALL = json.load(f)
# Services with a name and an organisation: every one imports.
GOOD = [s for s in ALL if s.get("name") and s.get("organization")][:25]
SUMMARY = re.compile(r"^Imported (\d+), updated (\d+), unchanged (\d+), rejected (\d+)\.$", re.M)
FAST = ["--delay", "0", "--per-page", "10"]


def query(db, statement):
    """Rows of a SELECT in the test's database."""
    if BACKEND == "postgresql":
        out = subprocess.run(["psql", "-At", "-F", "\t", db.url, "-c", statement], check=True,
                             capture_output=True, text=True).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]
    with sqlite3.connect("%s/kith.db" % db.dir, timeout=10) as c:
        return [tuple("" if v is None else str(v) for v in row) for row in c.execute(statement)]


def query_exec(db, statement):
    if BACKEND == "postgresql":
        db.sql(statement)
    else:
        with sqlite3.connect("%s/kith.db" % db.dir, timeout=10) as c:
            c.execute(statement)


def counts(out):
    m = SUMMARY.search(out)
    assert m, out
    return tuple(int(x) for x in m.groups())


@pytest.fixture
def feed():
    f = Feed(GOOD)
    yield f
    f.stop()


def pull(db, *args):
    return kith("directory", "pull", *args, db=db)


def test_pull_oruk3_pages_and_full_records(db, feed):
    r = pull(db, feed.url + "/v3", "--feed", "council", *FAST)
    assert r.returncode == 0, r.stderr + r.stdout
    assert "Pulled council (ORUK 3.0): 3 pages" in r.stdout
    assert "25 services listed" in r.stdout
    assert counts(r.stdout) == (25, 0, 0, 0)
    paths = feed.paths()
    assert [p for p in paths if "?" in p] == ["/v3/services?page=%d&per_page=10" % n for n in (1, 2, 3)]
    # The list gives summaries: each service's full record was fetched once.
    assert sorted(p for p in paths if "?" not in p) == sorted("/v3/services/" + s["id"] for s in GOOD)
    ua = feed.requests[0][1]["User-Agent"]
    assert ua.startswith("kith/") and "directory pull" in ua
    # The full record's fields arrived: the v1 audience became eligibility.
    rows = query(db, "SELECT count(*) FROM service WHERE state = 'published'")
    assert rows == [("25",)]
    listed = kith("directory", "feed", "list", db=db)
    assert "council  %s/v3  by hand only" % feed.url in listed.stdout
    assert "last pulled (ok):" in listed.stdout
    assert "last good pull: listed 25, imported 25, updated 0, unchanged 0, rejected 0, gone 0 (28 requests)" in listed.stdout


def test_whole_council_feed_pulls_as_the_file_imports(db, dedicated_db, tmp_path):
    """The real feed, all 738, through the API: the same counts and the
    same directory as `kith directory import` of the file."""
    whole = Feed(ALL)
    try:
        r = pull(db, whole.url + "/v1", "--feed", "nl", "--delay", "0")
        again = pull(db, "--feed", "nl", "--delay", "0")
    finally:
        whole.stop()
    assert r.returncode == 0, r.stderr
    assert "Pulled nl (ORUK v1): 8 pages, 746 requests" in r.stdout
    assert "738 services listed" in r.stdout
    imported = kith("directory", "import", FEED_FILE, db=dedicated_db)
    assert counts(r.stdout) == counts(imported.stdout)
    assert "6 look like duplicates" in r.stdout and "6 look like duplicates" in imported.stdout
    assert again.returncode == 0, again.stderr
    assert "Pulled nl (ORUK v1): 8 pages, 8 requests (8 not modified, 0 retried)" in again.stdout
    assert counts(again.stdout) == (0, 0, 738, 0)
    kith("directory", "export", "--out", str(tmp_path / "pulled.ndjson"), db=db)
    kith("directory", "export", "--out", str(tmp_path / "imported.ndjson"), db=dedicated_db)
    pulled = (tmp_path / "pulled.ndjson").read_text().splitlines()
    assert len(pulled) > 700
    assert pulled == (tmp_path / "imported.ndjson").read_text().splitlines()


def test_second_pull_is_conditional_and_fetches_nothing_again(db, feed):
    assert pull(db, feed.url + "/v3", "--feed", "council", *FAST).returncode == 0
    feed.requests.clear()
    r = pull(db, "--feed", "council", *FAST)
    assert r.returncode == 0, r.stderr
    assert "3 pages, 3 requests (3 not modified, 0 retried)" in r.stdout
    assert counts(r.stdout) == (0, 0, 25, 0)
    for path, headers in feed.requests:
        assert headers.get("If-None-Match", "").startswith('"'), path
        assert headers.get("If-Modified-Since") == "Mon, 02 Dec 2024 10:00:00 GMT"
    # A changed service: its page changes, only its record is fetched again.
    feed.services[3] = dict(feed.services[3], name=feed.services[3]["name"] + " (renamed)")
    feed.requests.clear()
    r = pull(db, "--feed", "council", *FAST)
    assert r.returncode == 0, r.stderr
    assert counts(r.stdout) == (0, 1, 24, 0)
    assert [p for p in feed.paths() if "?" not in p] == ["/v3/services/" + feed.services[3]["id"]]


def test_disappeared_services_are_marked_for_review_then_cleared(db, feed):
    assert pull(db, feed.url + "/v3", "--feed", "council", *FAST).returncode == 0
    gone = [feed.services.pop(7), feed.services.pop(12)]
    r = pull(db, "--feed", "council", *FAST)
    assert r.returncode == 0, r.stderr
    assert "2 services are no longer in the feed: marked for review (nothing was deleted)." in r.stdout
    marked = query(db, "SELECT id, state FROM service WHERE feed_gone_at IS NOT NULL ORDER BY id")
    assert marked == sorted((s["id"], "published") for s in gone)
    assert query(db, "SELECT count(*) FROM service") == [("25",)]
    # Still marked after another pull, and counted once.
    r = pull(db, "--feed", "council", *FAST)
    assert "no longer in the feed" not in r.stdout
    assert len(query(db, "SELECT id FROM service WHERE feed_gone_at IS NOT NULL")) == 2
    # They come back: the marks go.
    feed.services.extend(gone)
    r = pull(db, "--feed", "council", *FAST)
    assert r.returncode == 0, r.stderr
    assert "2 services are back in the feed: the mark was cleared." in r.stdout
    assert query(db, "SELECT count(*) FROM service WHERE feed_gone_at IS NOT NULL") == [("0",)]


def test_gone_services_are_on_the_review_list(db, feed):
    assert pull(db, feed.url + "/v3", "--feed", "council", *FAST).returncode == 0
    gone = feed.services.pop(0)
    assert pull(db, "--feed", "council", *FAST).returncode == 0
    r = kith("user", "add", "--email", "coord@example.org", "--name", "Coordinator", "--role", "coordinator",
             "--password-stdin", db=db, input="granite-lantern-orchard-41\n")
    assert r.returncode == 0, r.stderr
    server = Server(db, "--dev-mode", "true").start()     # cookies without Secure, over plain http
    try:
        import requests
        s = requests.Session()
        s.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) kith-blackbox"
        page = s.get(server.url + "/login", timeout=10)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        r = s.post(server.url + "/login", data={"csrf_token": token, "email": "coord@example.org",
                                                "password": "granite-lantern-orchard-41"},
                   allow_redirects=False, timeout=10)
        assert r.status_code == 303, r.text
        review = s.get(server.url + "/review", timeout=10)
        assert review.status_code == 200
        assert "No longer in the feed it was imported from" in review.text
        assert gone["name"].replace("&", "&amp;").replace('"', "&quot;") in review.text
    finally:
        stop_clean(server)


def test_failed_pull_changes_nothing(db, feed):
    assert pull(db, feed.url + "/v3", "--feed", "council", *FAST).returncode == 0
    feed.services.pop(0)
    feed.services.append(dict(GOOD[0], id="5d2c7a3e-0000-4000-8000-000000000001", name="A new service"))
    feed.fault("/v3/services?page=3", "malformed")
    r = pull(db, "--feed", "council", *FAST)
    assert r.returncode == 1
    assert "the pull of council failed: page 3 is not JSON" in r.stderr
    assert "Nothing was changed." in r.stderr
    assert query(db, "SELECT count(*) FROM service") == [("25",)]
    assert query(db, "SELECT count(*) FROM service WHERE feed_gone_at IS NOT NULL") == [("0",)]
    listed = kith("directory", "feed", "list", db=db).stdout
    assert "last tried (failed):" in listed and "error: page 3 is not JSON" in listed
    assert "last worked:" in listed


def test_a_fresh_pull_that_fails_saves_nothing(db, feed):
    feed.fault("/v3/services?page=2", "500")
    r = pull(db, feed.url + "/v3", "--feed", "council", *FAST, "--retries", "0")
    assert r.returncode == 1
    assert "page 2: the feed answered 500" in r.stderr
    assert query(db, "SELECT count(*) FROM service") == [("0",)]


def test_retries_429_with_retry_after_and_500_then_success(db, feed):
    feed.fault("/v3/services?page=1", "429")
    feed.fault("/v3/services?page=2", "500")
    started = time.time()
    r = pull(db, feed.url + "/v3", "--feed", "council", *FAST)
    took = time.time() - started
    assert r.returncode == 0, r.stderr
    assert "2 retried" in r.stdout
    assert counts(r.stdout) == (25, 0, 0, 0)
    assert took >= 1.0          # Retry-After: 1 was honoured
    paths = feed.paths()
    assert paths.count("/v3/services?page=1&per_page=10") == 2
    assert paths.count("/v3/services?page=2&per_page=10") == 2


def test_retry_after_past_the_time_limit_gives_up(db, feed):
    feed.fault("/v3/services?page=1", "429")
    r = pull(db, feed.url + "/v3", "--feed", "council", *FAST, "--time-limit", "1")
    assert r.returncode == 1
    assert "asked kith to wait 1 seconds (Retry-After), past the pull's time limit" in r.stderr


def test_slow_answer_times_out_then_is_retried(db, feed):
    feed.slow_seconds = 2
    feed.fault("/v3/services?page=1", "slow")
    started = time.time()
    r = pull(db, feed.url + "/v3", "--feed", "council", *FAST, "--timeout", "0.3", "--retries", "0")
    assert r.returncode == 1
    assert "page 1: no answer within 0.3 seconds" in r.stderr
    assert time.time() - started < 2
    feed.fault("/v3/services?page=1", "slow")
    r = pull(db, "--feed", "council", *FAST, "--timeout", "0.5")
    assert r.returncode == 0, r.stderr
    assert counts(r.stdout) == (25, 0, 0, 0)


def test_pull_oruk_v1(db, feed):
    r = pull(db, feed.url + "/v1/services", *FAST)
    assert r.returncode == 0, r.stderr
    # No --feed: a feed named after the host, remembered for next time.
    assert "Pulled 127.0.0.1 (ORUK v1): 3 pages" in r.stdout
    assert counts(r.stdout) == (25, 0, 0, 0)
    r = pull(db, feed.url + "/v1/services", *FAST)
    assert "Pulled 127.0.0.1" in r.stdout and "3 not modified" in r.stdout


def test_list_entries_only(db, feed):
    r = pull(db, feed.url + "/v1", "--feed", "v1", *FAST, "--no-details")
    assert r.returncode == 0, r.stderr
    assert counts(r.stdout) == (25, 0, 0, 0)
    assert all("?" in p for p in feed.paths())


def test_server_that_ignores_page_is_refused(db, feed):
    feed.fault("/v3/services?page=2", "ignore-page")
    r = pull(db, feed.url + "/v3", "--feed", "council", *FAST)
    assert r.returncode == 1
    assert "page 2 lists the same services as page 1: the feed seems to ignore ?page=" in r.stderr
    assert query(db, "SELECT count(*) FROM service") == [("0",)]


def test_max_pages(db, feed):
    r = pull(db, feed.url + "/v3", "--feed", "council", *FAST, "--max-pages", "2")
    assert r.returncode == 1
    assert "the feed has more than 2 pages" in r.stderr
    assert query(db, "SELECT count(*) FROM service") == [("0",)]


def test_a_feed_being_pulled_is_not_pulled_twice(db, feed):
    assert pull(db, feed.url + "/v3", "--feed", "council", *FAST).returncode == 0
    # As a kith server's job holds it while it pulls.
    query_exec(db, "UPDATE feed SET claimed_until = %d" % (time.time() + 600))
    r = pull(db, "--feed", "council", *FAST)
    assert r.returncode == 1
    assert "the feed council is being pulled now" in r.stderr


def test_answer_larger_than_the_limit(db):
    big = Feed(ALL)
    try:
        r = kith("directory", "pull", big.url + "/v1", "--feed", "big", "--delay", "0", "--per-page", "1000",
                 "--feed-max-bytes", "65536", db=db)
    finally:
        big.stop()
    assert r.returncode == 1
    assert "page 1: the answer was larger than 65536 bytes" in r.stderr


def test_service_without_organisation_goes_under_the_placeholder(db, feed):
    orphan = {k: v for k, v in GOOD[0].items() if k != "organization"}
    feed.services[0] = orphan
    r = pull(db, feed.url + "/v3", "--feed", "council", *FAST)
    assert r.returncode == 0, r.stderr
    assert "1 arrived without their organisation" in r.stdout
    assert query(db, "SELECT o.name, s.state FROM service s JOIN organisation o ON o.id = s.organisation_id "
                     "WHERE s.id = '%s'" % orphan["id"]) == [("Organisation to confirm (from council)", "draft")]


def test_an_empty_feed_marks_nothing(db, feed):
    assert pull(db, feed.url + "/v3", "--feed", "council", *FAST).returncode == 0
    feed.services.clear()
    r = pull(db, "--feed", "council", *FAST)
    assert r.returncode == 1
    assert "the feed listed no services" in r.stderr
    assert query(db, "SELECT count(*) FROM service WHERE feed_gone_at IS NOT NULL") == [("0",)]


@pytest.mark.parametrize("url, words", [
    ("ftp://example.org/services", "must start with http:// or https://"),
    ("file:///etc/passwd", "must start with http:// or https://"),
    ("http:///services", "has no host name"),
    ("https://example.org/ser vices", "has a space"),
])
def test_only_http_urls(db, url, words):
    r = pull(db, url)
    assert r.returncode == 2
    assert words in r.stderr


def test_feed_add_list_remove(db, feed):
    r = kith("directory", "feed", "add", "council", feed.url + "/v3", "--every", "24h", db=db)
    assert r.returncode == 0, r.stderr
    assert "Added the feed council" in r.stdout and "every 24 hours" in r.stdout
    r = kith("directory", "feed", "add", "council", feed.url + "/v3", db=db)
    assert r.returncode == 1 and "already a feed called council" in r.stderr
    for bad, words in ((["--every", "5m"], "--every takes"), (["--daily", "25:00"], "--daily takes"),
                       (["--every", "1h", "--daily", "06:00"], "not both")):
        r = kith("directory", "feed", "add", "other", feed.url, *bad, db=db)
        assert r.returncode == 2 and words in r.stderr, r.stderr
    r = kith("directory", "feed", "add", "Bad Name", feed.url, db=db)
    assert r.returncode == 2 and "a feed's name" in r.stderr
    assert kith("directory", "feed", "add", "daily", feed.url + "/v1", "--daily", "06:30", "--no-details",
                db=db).returncode == 0
    listed = kith("directory", "feed", "list", db=db).stdout
    assert "daily  %s/v1  daily at 06:30, list entries only" % feed.url in listed
    feed.requests.clear()
    assert pull(db, "--feed", "daily", *FAST).returncode == 0
    assert all("?" in p for p in feed.paths())           # the feed's own choice: no full records
    assert "council  %s/v3  every 24 hours" % feed.url in listed
    assert "not pulled yet" in listed and "next due:" in listed
    assert pull(db, "--feed", "council", *FAST).returncode == 0
    r = kith("directory", "feed", "remove", "council", db=db)
    assert r.returncode == 0 and "Its services stay" in r.stdout
    assert query(db, "SELECT count(*) FROM service") == [("25",)]
    assert query(db, "SELECT count(*) FROM feed_service") == [("25",)]     # the other feed's
    assert kith("directory", "feed", "remove", "council", db=db).returncode == 1


def test_the_server_pulls_a_due_feed(db, feed):
    assert kith("directory", "feed", "add", "council", feed.url + "/v3", "--every", "1h", db=db).returncode == 0
    server = Server(db, "--feed-delay-ms", "0").start()
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            if query(db, "SELECT last_status FROM feed WHERE name = 'council'") == [("ok",)]:
                break
            time.sleep(0.2)
        assert query(db, "SELECT last_status, n_listed FROM feed") == [("ok", "25")]
        # The next pull is an hour away.
        (next_at, tried), = query(db, "SELECT next_at, last_tried_at FROM feed")
        assert int(next_at) - int(tried) == 3600
        # The server's search sees the pulled services (the sync job).
        deadline = time.time() + 10
        while time.time() < deadline:
            page = server.get("/api/oruk/services?per_page=50").json()
            if page.get("total_items") == 25:
                break
            time.sleep(0.2)
        assert page.get("total_items") == 25
    finally:
        logs = stop_clean(server)
    assert "feeds: pulled council: 25 listed" in logs


def test_stopping_the_server_abandons_a_pull(db, feed):
    """A pull waiting on a slow feed does not hold up a shutdown; the feed
    says why it failed and nothing was saved."""
    feed.slow_seconds = 30
    feed.fault("/v3/services?page=1", "slow")
    assert kith("directory", "feed", "add", "council", feed.url + "/v3", "--every", "1h", db=db).returncode == 0
    server = Server(db, "--feed-delay-ms", "0", "--feed-timeout", "120").start()
    deadline = time.time() + 20
    while time.time() < deadline and not feed.requests:
        time.sleep(0.1)
    assert feed.requests, server.logs()
    started = time.time()
    stop_clean(server)
    assert time.time() - started < 10
    assert query(db, "SELECT last_status, last_error FROM feed") == [("failed", "page 1: kith was stopping")]
    assert query(db, "SELECT count(*) FROM service") == [("0",)]


def test_no_request_outlives_the_time_limit(db, feed):
    feed.slow_seconds = 5
    feed.fault("/v3/services?page=1", "slow")
    started = time.time()
    r = pull(db, feed.url + "/v3", "--feed", "council", *FAST, "--timeout", "60", "--time-limit", "1")
    assert r.returncode == 1
    assert time.time() - started < 3
    assert "the pull took longer than its time limit (1 seconds) before page 1" in r.stderr
