"""The timebank's ledger through crashes (issue 14): transfers from 32
concurrent clients while kith is killed with SIGKILL at random moments,
restarted, ten times. Afterwards every transfer answered 201 is there
exactly once, with what was asked; a request whose answer was lost is
sent again with its idempotency key and is then there exactly once too;
`kith timebank check` proves every balance equals its movements and all
of them sum to zero; and on SQLite the integrity check passes. Both
backends (KITH_TEST_BACKEND). Bounded: ten rounds of at most 1.2 s of
load, on 127.0.0.1 only."""
import random
import re
import signal
import threading
import time
import uuid

import requests

from conftest import BACKEND, Server, kith, scalar, sql

PEOPLE = 8
CLIENTS = 32
ROUNDS = 10
PASSWORD = "correct horse battery staple 42"


def people(db):
    """PEOPLE members with confirmed emails and API tokens."""
    assert kith("migrate", db=db).returncode == 0
    tokens = []
    for i in range(PEOPLE):
        email = "giver%d@example.org" % i
        r = kith("user", "add", "--email", email, "--name", "Giver %d" % i, "--role", "member",
                 "--password-stdin", db=db, input=PASSWORD + "\n")
        assert r.returncode == 0, r.stderr
        r = kith("token", "create", "--for", email, "--name", "Crash test", db=db)
        tokens.append(re.search(r"kt_[0-9a-f]{64}", r.stdout).group(0))
    sql(db, "UPDATE person SET email_verified_at = %d" % int(time.time()))
    return tokens


def send(url, token, req):
    return requests.post(url + "/api/v1/timebank/transfers", json=req, timeout=5,
                         headers={"Authorization": "Bearer " + token})


def test_transfers_survive_sigkill(db):
    tokens = people(db)
    server = Server(db, "--threads", "4").start()
    accounts = []
    for t in tokens:
        r = requests.get(server.url + "/api/v1/timebank/account", headers={"Authorization": "Bearer " + t},
                         timeout=5)
        assert r.status_code == 200, r.text
        accounts.append(r.json()["id"])
    rng = random.Random(20261208)
    answered = {}          # key -> (person index, request, transfer id): answered 201
    lost = {}              # key -> (person index, request): no answer (the server died)
    refused = []           # anything else (there should be none but floors)
    lock = threading.Lock()

    def client(seed, url, stop):
        r = random.Random(seed)
        while not stop.is_set():
            i = r.randrange(PEOPLE)
            j = r.randrange(PEOPLE - 1)
            j += j >= i
            req = {"from": accounts[i], "to": accounts[j], "minutes": r.randint(1, 5),
                   "idempotency_key": uuid.UUID(int=r.getrandbits(128)).hex}
            try:
                resp = send(url, tokens[i], req)
            except requests.RequestException:
                with lock:
                    lost[req["idempotency_key"]] = (i, req)
                time.sleep(0.02)
                continue
            with lock:
                if resp.status_code == 201:
                    answered[req["idempotency_key"]] = (i, req, resp.json()["id"])
                else:
                    refused.append((resp.status_code, resp.text))

    try:
        for rnd in range(ROUNDS):
            stop = threading.Event()
            threads = [threading.Thread(target=client, args=(rnd * 1000 + c, server.url, stop))
                       for c in range(CLIENTS)]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.3, 1.2))
            server.proc.send_signal(signal.SIGKILL)
            server.proc.wait(timeout=10)
            stop.set()
            for t in threads:
                t.join(timeout=15)
                assert not t.is_alive(), "a client did not stop"
            server.log.close()
            server = Server(db, "--threads", "4").start()
        # Every request whose answer was lost, once more with its key: it
        # was written once or not at all, and now is written exactly once.
        for key, (i, req) in list(lost.items()):
            resp = send(server.url, tokens[i], req)
            if resp.status_code == 201:
                answered[key] = (i, req, resp.json()["id"])
            else:
                assert resp.status_code == 409 and "lowest it can go" in resp.text, resp.text
    finally:
        server.stop()
    assert all(code == 409 and "lowest it can go" in text for code, text in refused), refused[:3]
    print("%d transfers answered 201, %d answers lost to a kill (sent again), %d refused at a floor"
          % (len(answered), len(lost), len(refused)))
    assert len(answered) > ROUNDS * 20, "too few transfers were made to show anything: %d" % len(answered)
    assert len(lost) >= 1, "no request was cut off by a kill"

    # Every answered transfer is there exactly once, as asked.
    rows = {}
    dump = scalar(db, "SELECT string_agg(idempotency_key || ':' || id || ':' || from_account || ':' || "
                      "to_account || ':' || minutes, ',') FROM timebank_transfer"
                  if BACKEND == "postgresql" else
                  "SELECT group_concat(idempotency_key || ':' || id || ':' || from_account || ':' || "
                  "to_account || ':' || minutes, ',') FROM timebank_transfer")
    for item in (dump or "").split(","):
        key, tid, frm, to, minutes = item.split(":")
        assert key not in rows, "transfer %s is there twice" % key
        rows[key] = (int(tid), int(frm), int(to), int(minutes))
    for key, (i, req, tid) in answered.items():
        assert key in rows, "transfer %s was answered 201 but is not there" % key
        assert rows[key] == (tid, req["from"], req["to"], req["minutes"]), (key, rows[key], req)
    # Nothing is there that was not asked for (a lost one resent is answered now).
    assert set(rows) <= set(answered) | set(lost)
    assert len(rows) == len(answered)

    r = kith("timebank", "check", db=db)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "the ledger is whole" in r.stdout
    assert scalar(db, "SELECT sum(balance) FROM timebank_account") == "0"
    if BACKEND == "sqlite":
        assert scalar(db, "PRAGMA integrity_check") == "ok"
