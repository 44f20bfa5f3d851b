#!/bin/bash
# bench/timebank.sh - durable transfers a second through the timebank's
# ledger (issue 14), against this machine's raw fdatasync rate measured in
# the same run.
#
#   bench/timebank.sh [--record] [--seconds N] [--clients N] [--threads N] [--no-pg]
#
# 1. fdatasync: a 4 KiB write and fdatasync, in a loop, for --seconds
#    (10), in the bench's directory (the disk the databases are on):
#    appending, and overwriting a file already written; the quicker is the
#    anchor, what one durable commit at a time can reach.
# 2. kith on SQLite with synchronous=FULL (every commit reaches the disk
#    before it is answered), --threads request threads (0: kith's
#    default), and wrk with --clients (32) connections POSTing transfers
#    to /api/v1/timebank/transfers for --seconds: each connection a pair
#    of people (of 2 x --clients) giving each other a minute in turn
#    (bench/timebank_transfers.lua), each with an idempotency key of its
#    own. Only a 201 counts.
# 3. The same on PostgreSQL (a throwaway cluster, with fsync,
#    synchronous_commit and full_page_writes on).
# Target: transfers a second at least 1.0x fdatasync's on each (many
# transfers per sync: group commit). --record appends the table to
# bench/RESULTS.md with the date, machine and command.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER=10
CLIENTS=32
THREADS=0
PG=1
RECORD=0
ARGS="$*"
while [ $# -gt 0 ]; do
	case $1 in
	--record) RECORD=1 ;;
	--seconds) SECONDS_PER=$2; shift ;;
	--clients) CLIENTS=$2; shift ;;
	--threads) THREADS=$2; shift ;;
	--no-pg) PG=0 ;;
	*) echo "usage: $0 [--record] [--seconds N] [--clients N] [--threads N] [--no-pg]" >&2; exit 2 ;;
	esac
	shift
done

KITH=${KITH:-build/kith}
. bench/lib.sh
bench_setup kith-bench-timebank
PGPORT=$(free_port)
tb_cleanup() {
	scripts/pg.sh stop "$WORK/pg" >/dev/null 2>&1 || true
	bench_cleanup
}
trap tb_cleanup EXIT
PEOPLE=$((CLIENTS * 2))

# ---------------------------------------------------------------- 1. fdatasync
# Two ways, half the time each: appending (the file grows, as a journal
# does) and overwriting blocks of a file already written (as a reused
# write-ahead log does, usually quicker); the quicker is the anchor.
read -r FS_APPEND FS_OVER < <($PY - "$WORK/fsync.dat" "$SECONDS_PER" <<'PY'
import os, sys, time
path, secs = sys.argv[1], float(sys.argv[2]) / 2
block = b"k" * 4096

def rate(fd, offset_of):
    n, end = 0, time.monotonic() + secs
    while time.monotonic() < end:
        os.pwrite(fd, block, offset_of(n))
        os.fdatasync(fd)
        n += 1
    return n / secs

fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
append = rate(fd, lambda n: n * 4096)
os.ftruncate(fd, 0)
os.pwrite(fd, b"\0" * (1 << 22), 0)
os.fsync(fd)
over = rate(fd, lambda n: (n % 1024) * 4096)
os.close(fd)
print("%.0f %.0f" % (append, over))
PY
)
FSYNC=$(( FS_APPEND > FS_OVER ? FS_APPEND : FS_OVER ))
rm -f "$WORK/fsync.dat"
echo "fdatasync: $FS_APPEND a second appending, $FS_OVER overwriting; anchor $FSYNC"

# ---------------------------------------------------------------- 2, 3. transfers
# PEOPLE members in db, their email addresses confirmed (a member gives
# only once confirmed).
people() { # db
	"$KITH" migrate --db "$1" >/dev/null 2>>"$WORK/kith.log"
	for i in $(seq "$PEOPLE"); do
		"$KITH" user add --email "giver$i@example.org" --name "Giver $i" --role member --password-stdin \
			--db "$1" <<<"correct horse battery staple $i" >/dev/null 2>>"$WORK/kith.log"
	done
	case $1 in
	sqlite:*) $PY -c 'import sqlite3, sys, time; c = sqlite3.connect(sys.argv[1]); c.execute("UPDATE person SET email_verified_at = ?", (int(time.time()),)); c.commit()' "${1#sqlite:}" ;;
	*) scripts/pg.sh sql "$WORK/pg" "$PGPORT" kith_tb "UPDATE person SET email_verified_at = extract(epoch from now())::bigint" >/dev/null ;;
	esac
}

# kith on db, a token and an account for each person, and wrk POSTing
# transfers; kith timebank check afterwards. Prints "rps p99_ms non2xx".
transfers() { # db
	local db=$1 tokens="" accounts="" t a out
	for i in $(seq "$PEOPLE"); do
		t=$("$KITH" token create --for "giver$i@example.org" --name bench --db "$db" 2>/dev/null |
			grep -Eo 'kt_[0-9a-f]{64}' | head -1)
		[ -n "$t" ] || { echo "could not make a token for giver$i" >&2; exit 1; }
		tokens="$tokens${tokens:+,}$t"
	done
	"$KITH" serve --db "$db" --listen "127.0.0.1:$KPORT" --threads "$THREADS" --rate-limit 0 \
		--per-ip-connections 256 2>>"$WORK/kith.log" &
	KITH_PID=$!
	for _ in $(seq 300); do curl -sf "http://127.0.0.1:$KPORT/healthz" >/dev/null && break; sleep 0.1; done
	for t in ${tokens//,/ }; do
		a=$(curl -sf -H "Authorization: Bearer $t" "http://127.0.0.1:$KPORT/api/v1/timebank/account" |
			$PY -c 'import json, sys; print(json.load(sys.stdin)["id"])')
		accounts="$accounts${accounts:+,}$a"
	done
	out=$(TOKENS=$tokens ACCOUNTS=$accounts wrk -t"$CLIENTS" -c"$CLIENTS" -d"${SECONDS_PER}s" --latency \
		-s bench/timebank_transfers.lua "http://127.0.0.1:$KPORT/api/v1/timebank/transfers" 2>&1)
	kill "$KITH_PID" 2>/dev/null; wait "$KITH_PID" 2>/dev/null || true
	KITH_PID=""
	grep -m1 "timebank_transfers.lua:" <<<"$out" >&2 || true
	"$KITH" timebank check --db "$db" >/dev/null 2>>"$WORK/kith.log" ||
		{ echo "kith timebank check failed after the run:" >&2; tail -3 "$WORK/kith.log" >&2; exit 1; }
	$PY -c '
import re, sys
t = sys.stdin.read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
m = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", t)
v, u = float(m.group(1)), m.group(2)
p99 = v / 1000 if u == "us" else v * 1000 if u == "s" else v
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
print(rps, p99, bad.group(1) if bad else 0)' <<<"$out"
}

run_backend() { # label db -> a table row
	local label=$1 db=$2 rps p99 bad
	people "$db"
	read -r rps p99 bad < <(transfers "$db")
	$PY - "$label" "$rps" "$p99" "$bad" "$FSYNC" <<'PY'
import sys
label, rps, p99, bad, fs = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
ratio = rps / fs if fs else 0
print("| %s | %.0f | %.2f ms | %d | %.0f | %.2fx | %s |" % (label, rps, p99, bad, fs, ratio,
      "ok" if ratio >= 1.0 and bad == 0 else "MISSED"))
PY
}

HEAD="| backend | transfers a second (201s) | p99 | errors | fdatasync a second | ratio | target (1.0x, no errors) |
|---|---|---|---|---|---|---|"
ROW_SQLITE=$(run_backend "SQLite, synchronous=FULL" "sqlite:$WORK/tb.db")
ROW_PG=""
if [ "$PG" = 1 ]; then
	scripts/pg.sh start "$WORK/pg" "$PGPORT" >/dev/null
	for s in "fsync = on" "synchronous_commit = on" "full_page_writes = on"; do
		scripts/pg.sh sql "$WORK/pg" "$PGPORT" postgres "ALTER SYSTEM SET $s" >/dev/null
	done
	scripts/pg.sh sql "$WORK/pg" "$PGPORT" postgres "SELECT pg_reload_conf()" >/dev/null
	scripts/pg.sh createdb "$WORK/pg" "$PGPORT" kith_tb >/dev/null
	ROW_PG=$(run_backend "PostgreSQL, synchronous_commit=on" "postgresql://postgres@127.0.0.1:$PGPORT/kith_tb")
fi
TABLE=$(printf '%s\n%s\n%s' "$HEAD" "$ROW_SQLITE" "$ROW_PG")
echo
echo "$TABLE"

if [ "$RECORD" = 1 ]; then
	{
		echo
		echo "## $(date -u +%Y-%m-%d) timebank: durable transfers a second against fdatasync"
		echo
		echo "$(machine_line)Load average $(cut -d' ' -f1-3 /proc/loadavg) at the end (a shared machine: compare with fdatasync in the same run, as a ratio)."
		echo "Command: \`bench/timebank.sh $ARGS\` (kith \`$("$KITH" version)\`)."
		echo
		echo "fdatasync: a 4 KiB write and fdatasync in a loop, $FS_APPEND a second appending and $FS_OVER overwriting a written file (${SECONDS_PER}s in all); the quicker is the anchor. Transfers: kith with --threads $THREADS (0: its default), wrk -t$CLIENTS -c$CLIENTS for ${SECONDS_PER}s, each connection a pair of people (of $((CLIENTS * 2))) giving each other a minute in turn, each with its own idempotency key (bench/timebank_transfers.lua); kith timebank check passes after each run."
		echo
		echo "$TABLE"
	} >> bench/RESULTS.md
	echo "recorded in bench/RESULTS.md"
fi
