#!/bin/bash
# bench/talk.sh - conversations under load (issue 13).
#
#   bench/talk.sh [--record] [--seconds N] [--rounds N] [--replies N] [--load-seconds N] [--rate N]
#                 [--readers N] [--read-ms N] [--threads N] [--no-pg]
#
# 1. A topic page of 500 replies against nginx serving the same bytes.
#    The demo town (`kith demo`, SQLite) and a topic with --replies (500)
#    replies written through the API (bench/talk_load.py seed). kith
#    (one thread, CPU 0, talk_posts_per_page 500 so the page holds every
#    reply) answers GET /talk/topics/ID to a signed-in member with
#    nothing of their own in the topic (the demo's Stan, a bearer
#    token: the page most readers get, topic_cache_web.h); those bytes go to nginx (one worker, CPU 0) as a static file;
#    wrk -t2 -c64 from CPU 1 loads each, alternating rounds, medians.
#    Targets: ratio >= 0.5x; p99 <= 10 ms: kith's own time for each
#    answer (its access log), since wrk's p99 at 64 connections is the
#    queue of 64 requests for a large page, whatever serves it.
# 2. Posting and reading at once, on SQLite and on PostgreSQL: --rate
#    (100) new replies a second through the API (4 paced keep-alive
#    connections) while wrk's --readers (64) connections read the topic
#    page (100 replies a page), for --load-seconds (60), as a member
#    with nothing of their own in the topic (the demo's Stan). Each
#    reader asks for the page every --read-ms (100) milliseconds
#    (bench/talk_readers.lua: ten pages a second each, 640 a second in
#    all; back to back, 64 connections would measure only their own
#    queue). kith with its
#    default threads, unpinned. Before the measured minute, the
#    PostgreSQL database is analysed (VACUUM ANALYZE, as autovacuum would
#    have done on a database in use) and readers read for WARM_S (3)
#    seconds, so that kith's connections are open and its statements
#    prepared. Targets: no errors, read p99 <= 20 ms.
# --record appends the tables to bench/RESULTS.md with the date, machine
# and command. Exits non-zero if kith answers anything but 2xx.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER=10
ROUNDS=3
REPLIES=500
LOAD_S=60
RATE=100
READERS=64
READ_MS=100
WARM_S=3
THREADS=0
PG=1
RECORD=0
ARGS="$*"
while [ $# -gt 0 ]; do
	case $1 in
	--record) RECORD=1 ;;
	--seconds) SECONDS_PER=$2; shift ;;
	--rounds) ROUNDS=$2; shift ;;
	--replies) REPLIES=$2; shift ;;
	--load-seconds) LOAD_S=$2; shift ;;
	--rate) RATE=$2; shift ;;
	--readers) READERS=$2; shift ;;
	--read-ms) READ_MS=$2; shift ;;
	--threads) THREADS=$2; shift ;;
	--no-pg) PG=0 ;;
	*) echo "usage: $0 [--record] [--seconds N] [--rounds N] [--replies N] [--load-seconds N] [--rate N] [--readers N] [--read-ms N] [--threads N] [--no-pg]" >&2; exit 2 ;;
	esac
	shift
done

KITH=${KITH:-build/kith}
. bench/lib.sh
bench_setup kith-bench-talk
PGPORT=$(free_port)
talk_cleanup() {
	scripts/pg.sh stop "$WORK/pg" >/dev/null 2>&1 || true
	bench_cleanup
}
trap talk_cleanup EXIT
LOAD=bench/talk_load.py

token() { # db email -> a bearer token
	"$KITH" token create --for "$2" --name bench --db "$1" 2>/dev/null | grep -Eo '[A-Za-z0-9_-]{40,}' | head -1
}

# kith on db at KPORT with extra settings; waits. Sets KITH_PID.
start() { # db cpus threads settings...
	local db=$1 cpus=$2 threads=$3
	shift 3
	taskset -c "$cpus" "$KITH" serve --db "$db" --listen "127.0.0.1:$KPORT" --threads "$threads" \
		--rate-limit 0 --per-ip-connections 256 "$@" 2>"$WORK/kith.log" &
	KITH_PID=$!
	for _ in $(seq 300); do curl -sf "http://127.0.0.1:$KPORT/healthz" >/dev/null && return; sleep 0.1; done
	echo "kith did not start:"; tail -5 "$WORK/kith.log"; exit 1
}
stop() { kill "$KITH_PID" 2>/dev/null; wait "$KITH_PID" 2>/dev/null || true; KITH_PID=""; }

# kith's own time for each answer to a route (its access log names the
# route's pattern), "median p99 n".
handler_times() { # route
	$PY - "$WORK/kith.log" "$1" <<'PY'
import re, statistics, sys
pat = re.compile(r"GET " + re.escape(sys.argv[2]) + r" 200 \d+ (\d+)us")
t = sorted(int(m.group(1)) for m in map(pat.search, open(sys.argv[1], errors="replace")) if m)
if not t:
    print("0 0 0")
else:
    print("%.2f %.2f %d" % (statistics.median(t) / 1000, t[min(len(t) - 1, int(len(t) * 0.99))] / 1000, len(t)))
PY
}

# ---------------------------------------------------------------- 1. a topic page of 500 replies
"$KITH" demo --db "sqlite:$WORK/talk.db" >/dev/null 2>"$WORK/demo.log"
WTOK=$(token "sqlite:$WORK/talk.db" member@demo.kith.test)
RTOK=$(token "sqlite:$WORK/talk.db" stan.ask@demo.kith.test)
[ -n "$WTOK" ] && [ -n "$RTOK" ] || { echo "could not make API tokens"; exit 1; }
start "sqlite:$WORK/talk.db" 0 1 --talk-posts-per-page 500
TOPIC=$($PY "$LOAD" seed "http://127.0.0.1:$KPORT" "$WTOK" "$REPLIES")
PAGE="/talk/topics/$TOPIC"
WRK_HDR=(-H "Authorization: Bearer $RTOK")
curl -sf -D "$WORK/headers" -H "Authorization: Bearer $RTOK" "http://127.0.0.1:$KPORT$PAGE" -o "$WORK/www/topic.html" ||
	{ echo "kith did not answer $PAGE with 2xx"; exit 1; }
CTYPE=$(awk -F': ' 'tolower($1) == "content-type" {sub(/\r$/, "", $2); print $2}' "$WORK/headers")
BYTES=$(stat -c %s "$WORK/www/topic.html")
SHOWN=$(grep -o 'id="post-[0-9]*"' "$WORK/www/topic.html" | wc -l)
[ "$SHOWN" -ge "$REPLIES" ] || { echo "the page shows $SHOWN posts, not the $REPLIES replies and the opening"; exit 1; }
nginx_serve "location = $PAGE { default_type \"$CTYPE\"; try_files /topic.html =404; }" "$PAGE" "$WORK/www/topic.html"
bench_compare "http://127.0.0.1:$KPORT$PAGE" "http://127.0.0.1:$NPORT$PAGE"
read -r HMED HP99 HN < <(handler_times "/talk/topics/{id:int}")
RSS=$(awk '/VmRSS/ {print $2}' /proc/$KITH_PID/status)
stop
kill "$NGINX_PID" 2>/dev/null; wait "$NGINX_PID" 2>/dev/null || true; NGINX_PID=""
unset WRK_HDR

PAGE_TABLE=$($PY - "$KR" "$KP" "$NR" "$NP" "$HMED" "$HP99" "$HN" "$SHOWN" "$BYTES" "$RSS" <<'PY'
import sys
kr, kp, nr, np_, hm, hp, hn, shown, b, rss = map(float, sys.argv[1:])
ratio = kr / nr
mark = lambda ok: "ok" if ok else "MISSED"
print("| page | kith req/s | nginx req/s | ratio | kith p99 (wrk, 64 conns) | nginx p99 | kith's time per answer: median, p99 | RSS after |")
print("|---|---|---|---|---|---|---|---|")
print("| a topic of %d posts, %.0f kB | %.0f | %.0f | %.2fx | %.2f ms | %.2f ms | %.2f ms, %.2f ms (%d answers) | %.0f MB |"
      % (shown, b / 1024, kr, nr, ratio, kp, np_, hm, hp, hn, rss / 1024))
print()
print("Targets: ratio >= 0.5x %s; p99 <= 10 ms (kith's time per answer) %s." % (mark(ratio >= 0.5), mark(hp <= 10)))
PY
)
echo "$PAGE_TABLE"

# ---------------------------------------------------------------- 2. posting and reading at once
load_run() { # label db [analyze command...] -> a table row
	local label=$1 db=$2 wtok rtok topic out w
	shift 2
	"$KITH" demo --db "$db" >/dev/null 2>>"$WORK/demo.log"
	wtok=$(token "$db" member@demo.kith.test)
	rtok=$(token "$db" stan.ask@demo.kith.test)
	start "$db" "0-$(($(nproc) - 1))" "$THREADS"
	topic=$($PY "$LOAD" seed "http://127.0.0.1:$KPORT" "$wtok" 100)
	# A database that has been running: its statistics gathered (on a
	# new PostgreSQL database autovacuum would analyse every table in
	# the measured minute, and every plan would be made again), kith's
	# connections open and its statements prepared.
	[ $# -gt 0 ] && "$@" >/dev/null
	wrk -t2 -c"$READERS" -d"${WARM_S}s" -H "Authorization: Bearer $rtok" \
		"http://127.0.0.1:$KPORT/talk/topics/$topic" >/dev/null 2>&1
	$PY "$LOAD" write "http://127.0.0.1:$KPORT" "$wtok" "$topic" "$RATE" "$LOAD_S" >"$WORK/write.out" &
	w=$!
	out=$(READ_MS=$READ_MS wrk -t2 -c"$READERS" -d"${LOAD_S}s" --latency -s bench/talk_readers.lua \
		-H "Authorization: Bearer $rtok" \
		"http://127.0.0.1:$KPORT/talk/topics/$topic" 2>&1)
	wait "$w"
	stop
	read -r hmed hp99 _ < <(handler_times "/talk/topics/{id:int}")
	$PY - "$label" "$RATE" "$LOAD_S" "$READERS" "$(cat "$WORK/write.out")" "$hmed" "$hp99" <<PY
import re, sys
label, rate, secs, readers, wr, hmed, hp99 = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7]
t = """$out"""
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
m = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", t)
v, u = float(m.group(1)), m.group(2)
p99 = v / 1000 if u == "us" else v * 1000 if u == "s" else v
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
bad = int(bad.group(1)) if bad else 0
errs = re.search(r"Socket errors: (.*)", t)
sent, werr, wp50, wp99 = wr.split()
ok = bad == 0 and not errs and int(werr) == 0 and p99 <= 20 and int(sent) >= rate * secs * 0.95
print("| %s | %s posts (%.1f/s), %s errors, p50 %s ms, p99 %s ms | %.0f pages/s, p99 %.2f ms (kith's own time: median %s ms, p99 %s ms), %d non-2xx%s | %s |"
      % (label, sent, int(sent) / secs, werr, wp50, wp99, rps, p99, hmed, hp99, bad,
         ", socket errors " + errs.group(1) if errs else "", "ok" if ok else "MISSED"))
PY
}

LOAD_HEAD="| backend | writing ($RATE a second for ${LOAD_S}s) | $READERS readers, each a page every $READ_MS ms | targets (no errors, read p99 <= 20 ms) |
|---|---|---|---|"
ROW_SQLITE=$(load_run SQLite "sqlite:$WORK/load.db")
ROW_PG=""
if [ "$PG" = 1 ]; then
	scripts/pg.sh start "$WORK/pg" "$PGPORT" >/dev/null
	scripts/pg.sh createdb "$WORK/pg" "$PGPORT" kith_talk >/dev/null
	ROW_PG=$(load_run PostgreSQL "postgresql://postgres@127.0.0.1:$PGPORT/kith_talk" \
		scripts/pg.sh sql "$WORK/pg" "$PGPORT" kith_talk "VACUUM ANALYZE")
fi
LOAD_TABLE=$(printf '%s\n%s\n%s' "$LOAD_HEAD" "$ROW_SQLITE" "$ROW_PG")
echo
echo "$LOAD_TABLE"

if [ "$RECORD" = 1 ]; then
	{
		echo
		echo "## $(date -u +%Y-%m-%d) conversations: a topic page of $REPLIES replies vs nginx; posting while reading"
		echo
		echo "$(machine_line)Load average $(cut -d' ' -f1-3 /proc/loadavg) at the end (a shared machine: compare kith with nginx in the same run, as a ratio)."
		echo "Command: \`bench/talk.sh $ARGS\` (kith \`$("$KITH" version)\`; nginx $(nginx -v 2>&1 | cut -d/ -f2))."
		echo
		echo "A topic page (the demo town, SQLite; kith one thread on CPU 0, talk_posts_per_page 500; nginx one worker on CPU 0 serving the same bytes; wrk -t2 -c64 on CPU 1 as a signed-in member with nothing of their own in the topic; medians of $ROUNDS rounds of ${SECONDS_PER}s, alternating):"
		echo
		echo "$PAGE_TABLE"
		echo
		echo "Posting while reading (kith with its default threads, unpinned; the PostgreSQL database analysed and readers reading for ${WARM_S}s before the measured minute; the writer posts through the API on 4 paced connections; wrk -t2 -c$READERS reads the topic's first page of 100 posts, each connection a reader asking again $READ_MS ms after each answer, bench/talk_readers.lua):"
		echo
		echo "$LOAD_TABLE"
	} >> bench/RESULTS.md
	echo "recorded in bench/RESULTS.md"
fi
