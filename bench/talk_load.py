#!/usr/bin/python3
"""bench/talk_load.py - what bench/talk.sh needs of the conversations API.

  talk_load.py seed URL TOKEN N          a topic with N replies in the first
                                         condition space; prints the topic's id
  talk_load.py write URL TOKEN TOPIC RATE SECONDS
                                         posts RATE replies a second to TOPIC
                                         for SECONDS, paced, on 4 keep-alive
                                         connections; prints "sent errors p50_ms
                                         p99_ms" (errors: anything but 201)

Only the standard library (Debian's python3), and only 127.0.0.1.
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse

WORDS = ("Pacing myself on the hill by the church helped today. I stopped at "
         "the bench halfway, did my breathing and got to the top. Small wins. ")


def conn_of(url):
    u = urllib.parse.urlsplit(url)
    assert u.hostname == "127.0.0.1", "load goes to 127.0.0.1 only"
    return http.client.HTTPConnection(u.hostname, u.port, timeout=10)


def call(conn, token, method, path, body=None):
    headers = {"Authorization": "Bearer " + token, "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    r = conn.getresponse()
    raw = r.read()
    return r.status, (json.loads(raw) if raw and raw[:1] in b"{[" else None)


def seed(url, token, n):
    c = conn_of(url)
    st, spaces = call(c, token, "GET", "/api/v1/spaces")
    if st != 200:
        sys.exit("GET /api/v1/spaces answered %d" % st)
    space = next(s for s in spaces["spaces"] if s["kind"] == "condition")
    st, made = call(c, token, "POST", "/api/v1/spaces/%d/topics" % space["id"],
                    {"title": "Hills, stairs and pacing", "body": WORDS})
    if st != 201:
        sys.exit("POST topics answered %d: %s" % (st, made))
    topic = made["topic_id"]
    for i in range(n):
        st, r = call(c, token, "POST", "/api/v1/topics/%d/posts" % topic,
                     {"body": "Reply %d. %s" % (i + 1, WORDS)})
        if st != 201:
            sys.exit("reply %d answered %d: %s" % (i + 1, st, r))
    print(topic)


def write(url, token, topic, rate, seconds):
    lock = threading.Lock()
    lat, errors = [], [0]
    nthreads = 4
    per = rate / nthreads
    start = time.monotonic() + 0.2

    def run(k):
        c = conn_of(url)
        i = 0
        while True:
            due = start + (i + k / nthreads) / per
            if due - start >= seconds:
                return
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            t0 = time.monotonic()
            try:
                st, _ = call(c, token, "POST", "/api/v1/topics/%d/posts" % topic,
                             {"body": "Post %d.%d under load. %s" % (k, i, WORDS)})
            except OSError:
                st = 0
                c = conn_of(url)
            t1 = time.monotonic()
            with lock:
                lat.append(t1 - t0)
                if st != 201:
                    errors[0] += 1
            i += 1

    ts = [threading.Thread(target=run, args=(k,)) for k in range(nthreads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    lat.sort()
    p = lambda q: lat[min(len(lat) - 1, int(len(lat) * q))] * 1000 if lat else 0
    print(len(lat), errors[0], "%.2f" % p(0.5), "%.2f" % p(0.99))


if __name__ == "__main__":
    a = sys.argv[1:]
    if a and a[0] == "seed" and len(a) == 4:
        seed(a[1], a[2], int(a[3]))
    elif a and a[0] == "write" and len(a) == 6:
        write(a[1], a[2], int(a[3]), float(a[4]), float(a[5]))
    else:
        sys.exit(__doc__)
