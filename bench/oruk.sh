#!/bin/bash
# bench/oruk.sh - the ORUK API's search on a large directory, against nginx
# serving the same bytes, in the same run.
#
#   bench/oruk.sh [--record] [--seconds N] [--rounds N] [--services N] [--fresh] [--unpinned]
#
# A database with `kith demo --services N` (default 100,000 synthetic
# services across the UK, plus the demo town) is made once and cached in
# build/bench/, keyed by the SHA-256 of the migrations, the directory's
# sources and the demo's words (src/directory/, src/oruk/, src/search/,
# data/demo/: the generator, the normaliser and what is derived from a
# document); --fresh makes it again. Each run works on a copy, so nothing
# the server does changes the cache.
#
# kith serves it (one thread, pinned to CPU 0; the "last checked" limit is
# set beyond the demo's dates so the freshness job has nothing to send
# during the load); GET /api/oruk/services?search=walking&per_page=10 is
# fetched once and nginx (one worker, CPU 0) serves exactly those bytes as
# a static file with the same content type; wrk loads each from CPU 1
# (2 threads, 64 keep-alive connections), alternating rounds; medians are
# reported with the ratio, p99s and kith's resident memory (VmRSS, VmHWM)
# after the load. --unpinned lets kith, nginx and wrk run on every core,
# competing (the tail a small machine sees). Exits non-zero if kith
# answers anything but 2xx.
# Targets (issue 4): ratio >= 0.5, kith p99 <= 10 ms, RSS <= 64 MB.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER=10
ROUNDS=3
RECORD=0
SERVICES=100000
FRESH=0
while [ $# -gt 0 ]; do
	case $1 in
	--record) RECORD=1 ;;
	--seconds) SECONDS_PER=$2; shift ;;
	--rounds) ROUNDS=$2; shift ;;
	--services) SERVICES=$2; shift ;;
	--fresh) FRESH=1 ;;
	--unpinned) SERVER_CPUS=0-$(($(nproc) - 1)); LOAD_CPUS=$SERVER_CPUS ;;
	*) echo "usage: $0 [--record] [--seconds N] [--rounds N] [--services N] [--fresh] [--unpinned]" >&2; exit 2 ;;
	esac
	shift
done

ENDPOINT='/api/oruk/services?search=walking&per_page=10'
. bench/lib.sh
bench_setup kith-bench-oruk
mkdir -p build/bench

# ---------------------------------------------------------------- the database
bench_directory_db build/kith "$SERVICES" "$FRESH" "$WORK/oruk.db"

# ---------------------------------------------------------------- kith
bench_start_kith build/kith "$WORK/oruk.db"

# The bytes kith answers, once, for nginx to serve as a static file.
curl -sf -D "$WORK/headers" "http://127.0.0.1:$KPORT$ENDPOINT" -o "$WORK/www/services.json" ||
	{ echo "kith did not answer $ENDPOINT with 2xx"; exit 1; }
CTYPE=$(awk -F': ' 'tolower($1) == "content-type" {sub(/\r$/, "", $2); print $2}' "$WORK/headers")
BYTES=$(stat -c %s "$WORK/www/services.json")
MATCHES=$($PY -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d.get("total_items", "?"))' "$WORK/www/services.json")

nginx_serve "location = /api/oruk/services { default_type \"$CTYPE\"; try_files /services.json =404; }" \
	"$ENDPOINT" "$WORK/www/services.json"

bench_compare "http://127.0.0.1:$KPORT$ENDPOINT" "http://127.0.0.1:$NPORT$ENDPOINT"
RSS=$(awk '/VmRSS/ {print $2}' /proc/$KITH_PID/status)
HWM=$(awk '/VmHWM/ {print $2}' /proc/$KITH_PID/status)

TABLE=$($PY - "$KR" "$KP" "$NR" "$NP" "$RSS" "$HWM" "$RSS_IDLE" <<'PY'
import sys
kr, kp, nr, np_, rss, hwm, idle = map(float, sys.argv[1:])
ratio = kr / nr
def mark(ok): return "ok" if ok else "MISSED"
print("| endpoint | kith req/s | nginx req/s | ratio | kith p99 | nginx p99 | kith RSS after load (peak) |")
print("|---|---|---|---|---|---|---|")
print("| /api/oruk/services?search=walking&per_page=10 | %.0f | %.0f | %.2fx | %.2f ms | %.2f ms | %.0f MB (%.0f MB) |"
      % (kr, nr, ratio, kp, np_, rss / 1024, hwm / 1024))
print()
print("Targets: ratio >= 0.5x %s; p99 <= 10 ms %s; RSS <= 64 MB %s (peak %s)."
      % (mark(ratio >= 0.5), mark(kp <= 10), mark(rss / 1024 <= 64), mark(hwm / 1024 <= 64)))
PY
)
echo "$TABLE"
echo "Directory: $SERVICES synthetic services + the demo town; \"walking\" matches $MATCHES; response $BYTES bytes ($CTYPE)."
echo "kith: ready ${START_S}s after start (index built), RSS then $((RSS_IDLE / 1024)) MB; database $DB_MB MB, generated in ${GEN_S}s."

if [ "$RECORD" = 1 ]; then
	{
		echo
		echo "## $(date -u +%Y-%m-%d) directory: ORUK search on $SERVICES services vs nginx"
		echo
		machine_line
		echo "Command: \`bench/oruk.sh --record --seconds $SECONDS_PER --rounds $ROUNDS --services $SERVICES\` (kith \`$(build/kith version)\`, SQLite, one thread on CPU 0; nginx $(nginx -v 2>&1 | cut -d/ -f2), one worker on CPU 0, the same bytes as a static file; wrk -t2 -c64 on CPU 1; medians of $ROUNDS rounds of ${SECONDS_PER}s, alternating)."
		echo
		echo "$TABLE"
		echo
		echo "\`kith demo --services $SERVICES\`: ${GEN_S}s on SQLite, database $DB_MB MB. \"walking\" matches $MATCHES services; the response is $BYTES bytes. kith was ready ${START_S}s after starting (search index built from the database), with $((RSS_IDLE / 1024)) MB resident before the load."
	} >> bench/RESULTS.md
	echo "recorded in bench/RESULTS.md"
fi
