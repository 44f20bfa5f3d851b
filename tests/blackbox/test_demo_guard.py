"""kith demo adds accounts whose password it prints for anyone to read, so
on a database with real people in it (an email outside demo.kith.test) it
exits 1, says why and changes nothing; a new or demo database it fills."""
import requests

from conftest import Server, kith

PASSWORD = "granite-lantern-orchard-41"
DEMO_PASSWORD = "walk-talk-tea-2026"


def can_sign_in(server, email, password):
    r = requests.post(server.url + "/api/v1/sessions", json={"email": email, "password": password},
                      timeout=10)
    return r.status_code == 201


def test_demo_refuses_a_database_with_real_people(db):
    r = kith("user", "add", "--email", "cora@example.org", "--name", "Cora Lindqvist",
             "--password-stdin", db=db, input=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    r = kith("demo", db=db)
    assert r.returncode == 1, r.stdout
    assert "real people" in r.stderr and "demo.kith.test" in r.stderr
    assert "was not changed" in r.stderr
    assert DEMO_PASSWORD not in r.stdout
    s = Server(db).start()
    try:
        assert not can_sign_in(s, "admin@demo.kith.test", DEMO_PASSWORD)
        assert can_sign_in(s, "cora@example.org", PASSWORD)
    finally:
        assert s.stop() == 0


def test_demo_runs_on_a_new_database_and_again(db):
    r = kith("demo", db=db)
    assert r.returncode == 0, r.stderr
    r = kith("demo", db=db)
    assert r.returncode == 0, r.stderr
    assert "0 new" in r.stdout
    s = Server(db).start()
    try:
        assert can_sign_in(s, "admin@demo.kith.test", DEMO_PASSWORD)
    finally:
        assert s.stop() == 0
