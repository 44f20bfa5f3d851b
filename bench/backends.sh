#!/bin/bash
# bench/backends.sh - the pages people and the ORUK API read most, on
# SQLite and on PostgreSQL, in the same run, and two kith processes on one
# PostgreSQL.
#
#   bench/backends.sh [--seconds N] [--rounds N] [--kith PATH] [--cached] [--record]
#
# The demo town (`kith demo`) is loaded into a SQLite file and into a
# throwaway PostgreSQL cluster (scripts/pg.sh on a free loopback port,
# durability off as for tests); its ids are the same in both. One kith on
# each (one thread, pinned to CPU 0 with the PostgreSQL server beside it,
# as SQLite works inside kith's own CPU), wrk -t2 -c64 from CPU 1,
# alternating rounds of SQLite and PostgreSQL per page; medians are
# printed with the ratio PostgreSQL/SQLite (target: at least 0.5x on
# every row, issue 10). Then a second kith process on the same
# PostgreSQL, both loaded at once (wrk -t1 -c32 against each): the
# combined rate and each process's share, with no errors. Exits non-zero
# if any kith answers anything but 2xx. --kith runs another binary (a
# build of an older commit, for before/after figures). The ORUK answer
# cache and the visitors' page cache are off (every request is made from
# the database, which is what is compared); --cached leaves them on.
# --record appends the table to bench/RESULTS.md with the date, machine
# and command.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER=10
ROUNDS=3
KITH=build/kith
CACHE_FLAGS=(--oruk-cache-mb 0 --page-cache-mb 0)
RECORD=0
ARGS="$*"
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) SECONDS_PER=$2; shift ;;
	--rounds) ROUNDS=$2; shift ;;
	--kith) KITH=$2; shift ;;
	--cached) CACHE_FLAGS=() ;;
	--record) RECORD=1 ;;
	*) echo "usage: $0 [--seconds N] [--rounds N] [--kith PATH] [--cached] [--record]" >&2; exit 2 ;;
	esac
	shift
done

. bench/lib.sh
bench_setup kith-bench-backends
PGPORT=$(free_port)
PPORT=$(free_port)
P2PORT=$(free_port)
PG_PID=""
P2_PID=""
backends_cleanup() {
	[ -n "$PG_PID" ] && kill "$PG_PID" 2>/dev/null && wait "$PG_PID" 2>/dev/null
	[ -n "$P2_PID" ] && kill "$P2_PID" 2>/dev/null && wait "$P2_PID" 2>/dev/null
	scripts/pg.sh stop "$WORK/pg" >/dev/null 2>&1 || true
	bench_cleanup
}
trap backends_cleanup EXIT

# ---------------------------------------------------------------- the databases
taskset -c 0 scripts/pg.sh start "$WORK/pg" "$PGPORT" >/dev/null
scripts/pg.sh createdb "$WORK/pg" "$PGPORT" kith_bench >/dev/null
PGURL="postgresql://postgres@127.0.0.1:$PGPORT/kith_bench"
"$KITH" demo --db "sqlite:$WORK/bench.db" >/dev/null 2>>"$WORK/demo.log"
"$KITH" demo --db "$PGURL" >/dev/null 2>>"$WORK/demo.log"

serve() { # db port -> pid in $!
	taskset -c 0 "$KITH" serve --db "$1" --listen "127.0.0.1:$2" --threads 1 --rate-limit 0 \
		${CACHE_FLAGS[@]+"${CACHE_FLAGS[@]}"} 2>>"$WORK/kith-$2.log" &
}
wait_up() { # port
	for _ in $(seq 300); do curl -sf "http://127.0.0.1:$1/healthz" >/dev/null && return; sleep 0.1; done
	echo "kith on port $1 did not start:"; tail -5 "$WORK/kith-$1.log"; exit 1
}
serve "sqlite:$WORK/bench.db" "$KPORT"; KITH_PID=$!
serve "$PGURL" "$PPORT"; PG_PID=$!
wait_up "$KPORT"; wait_up "$PPORT"

# A service with a place, the same id on both (the demo's ids are derived
# from its names).
SVC=$(curl -sf "http://127.0.0.1:$KPORT/api/oruk/services?search=walking&per_page=1" |
	$PY -c 'import json,sys; print(json.load(sys.stdin)["contents"][0]["id"])')
curl -sf -o /dev/null "http://127.0.0.1:$PPORT/services/$SVC" ||
	{ echo "PostgreSQL's kith has no service $SVC: the demo differs"; exit 1; }
PAGES=("/" "/services/$SVC" "/find?q=walking&postcode=DN15+6AA" "/api/oruk/services/$SVC"
	"/api/oruk/services?search=walking&per_page=10")

# ---------------------------------------------------------------- one kith each
ROWS=()
for page in "${PAGES[@]}"; do
	sr=() pr=() sp=() pp=()
	taskset -c 1 wrk -t2 -c64 -d1s "http://127.0.0.1:$KPORT$page" >/dev/null 2>&1
	taskset -c 1 wrk -t2 -c64 -d1s "http://127.0.0.1:$PPORT$page" >/dev/null 2>&1
	sleep 1
	for _ in $(seq "$ROUNDS"); do
		read -r a b e < <(bench_load "http://127.0.0.1:$KPORT$page")
		[ "$e" = 0 ] || { echo "kith on SQLite answered $e non-2xx responses on $page"; exit 1; }
		sr+=("$a"); sp+=("$b")
		read -r a b e < <(bench_load "http://127.0.0.1:$PPORT$page")
		[ "$e" = 0 ] || { echo "kith on PostgreSQL answered $e non-2xx responses on $page"; exit 1; }
		pr+=("$a"); pp+=("$b")
	done
	ROWS+=("$page $(median "${sr[@]}") $(median "${sp[@]}") $(median "${pr[@]}") $(median "${pp[@]}")")
done

# ---------------------------------------------------------------- two kith on one PostgreSQL
serve "$PGURL" "$P2PORT"; P2_PID=$!
wait_up "$P2PORT"
two_load() { # page -> "rps1 rps2 errors"
	local o1 o2
	o1="$WORK/two-1.txt" o2="$WORK/two-2.txt"
	taskset -c 1 wrk -t1 -c32 -d"${SECONDS_PER}s" "http://127.0.0.1:$PPORT$1" >"$o1" 2>/dev/null &
	taskset -c 1 wrk -t1 -c32 -d"${SECONDS_PER}s" "http://127.0.0.1:$P2PORT$1" >"$o2" 2>/dev/null &
	wait %1 %2 2>/dev/null || wait
	$PY - "$o1" "$o2" <<'PY'
import re, sys
out = []
errs = 0
for f in sys.argv[1:]:
    t = open(f).read()
    out.append(float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
    errs += int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
    errs += sum(map(int, m.groups())) if m else 0
print(out[0], out[1], errs)
PY
}
TWO=()
for page in "${PAGES[@]}"; do
	# Warm the new process; then let its connections close, since kith
	# caps connections per address (64) and wrk's come from one.
	taskset -c 1 wrk -t1 -c32 -d1s "http://127.0.0.1:$P2PORT$page" >/dev/null 2>&1
	sleep 1
	read -r a b e < <(two_load "$page")
	[ "$e" = 0 ] || { echo "two kith on PostgreSQL: $e errors on $page"; cat "$WORK"/two-*.txt;
		tail -n 3 "$WORK/kith-$PPORT.log" "$WORK/kith-$P2PORT.log"; exit 1; }
	TWO+=("$page $a $b")
done

TABLE=$($PY - "$SVC" "${#ROWS[@]}" "${ROWS[@]}" "${TWO[@]}" <<'PY'
import sys
svc, n = sys.argv[1], int(sys.argv[2])
rows = [r.split() for r in sys.argv[3:3 + n]]
two = [r.split() for r in sys.argv[3 + n:]]
short = lambda p: p.replace(svc, "{id}")
print("| page | SQLite req/s | PostgreSQL req/s | PG/SQLite | SQLite p99 | PG p99 | two kith on one PG (each) |")
print("|---|---|---|---|---|---|---|")
missed = []
for (p, sr, sp, pr, pp), (_, a, b) in zip(rows, two):
    ratio = float(pr) / float(sr)
    if ratio < 0.5:
        missed.append(short(p))
    print("| `%s` | %.0f | %.0f | %.2fx | %.2f ms | %.2f ms | %.0f (%.0f + %.0f) |"
          % (short(p), float(sr), float(pr), ratio, float(sp), float(pp),
             float(a) + float(b), float(a), float(b)))
print()
print("Target PostgreSQL >= 0.5x SQLite on every row: %s" %
      ("ok" if not missed else "MISSED on " + ", ".join(missed)))
PY
)
CACHES=$([ ${#CACHE_FLAGS[@]} = 0 ] && echo "on (as installed)" || echo "off (${CACHE_FLAGS[*]}: every answer made from the database)")
echo "$TABLE"
echo "kith: $("$KITH" version); caches $CACHES; one thread each, kith and the PostgreSQL server on CPU 0, wrk on CPU 1; medians of $ROUNDS rounds of ${SECONDS_PER}s; two-process rows: one ${SECONDS_PER}s run, wrk -t1 -c32 against each at once."
if [ "$RECORD" = 1 ]; then
	{
		echo
		echo "## $(date -u +%Y-%m-%d) backends: SQLite and PostgreSQL, caches $CACHES"
		echo
		machine_line
		echo "Command: \`bench/backends.sh $ARGS\` (kith \`$("$KITH" version)\`, the demo town in each, one kith thread each with the PostgreSQL server beside it on CPU 0, wrk -t2 -c64 on CPU 1, medians of $ROUNDS rounds of ${SECONDS_PER}s alternating; two kith on one PostgreSQL: wrk -t1 -c32 against each at once, one ${SECONDS_PER}s run)."
		echo
		echo "$TABLE"
	} >> bench/RESULTS.md
	echo "recorded in bench/RESULTS.md"
fi
