#!/bin/bash
# bench/run.sh - kith against nginx serving the same bytes, in the same run.
#
#   bench/run.sh [--record] [--seconds N] [--rounds N] [--services N] [--fresh]
#
# For each endpoint: kith serves it (one thread, pinned to CPU 0), nginx
# serves a static file holding exactly the bytes kith returned (one worker,
# CPU 0), wrk loads each from CPU 1 (2 threads, 64 keep-alive connections).
# Rounds alternate kith and nginx; the median of each is reported, with the
# ratio kith/nginx, p99 latency, and kith's resident memory after the load.
# --record appends the table to bench/RESULTS.md with the date, machine and
# command. Everything runs on 127.0.0.1 and stops by itself.
#
# Then bench/events_bench.sh (the events query in process, --record passed
# on), bench/oruk.sh (the directory's ORUK search on --services N
# synthetic services, default 100,000) with the same options, and
# bench/events_api.sh (/api/v1/events on oruk.sh's database, so --fresh
# is not passed on: the database is made once). Before those,
# build/bench/crisis_bench: the crisis classifier's cost per post and its
# recall and precision on tests/data/crisis/.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PER=10
ROUNDS=3
RECORD=0
ORUK_ARGS=()
while [ $# -gt 0 ]; do
	case $1 in
	--record) RECORD=1; ORUK_ARGS+=(--record) ;;
	--seconds) SECONDS_PER=$2; ORUK_ARGS+=(--seconds "$2"); shift ;;
	--rounds) ROUNDS=$2; ORUK_ARGS+=(--rounds "$2"); shift ;;
	--services) ORUK_ARGS+=(--services "$2"); shift ;;
	--fresh) ORUK_ARGS+=(--fresh) ;;
	*) echo "usage: $0 [--record] [--seconds N] [--rounds N] [--services N] [--fresh]" >&2; exit 2 ;;
	esac
	shift
done

. bench/lib.sh
bench_setup kith-bench

build/kith demo --db "sqlite:$WORK/bench.db" >/dev/null
taskset -c 0 build/kith serve --db "sqlite:$WORK/bench.db" --listen "127.0.0.1:$KPORT" \
	--threads 1 --rate-limit 0 2>"$WORK/kith.log" &
KITH_PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$KPORT/healthz" >/dev/null && break; sleep 0.1; done

# The same bytes as static files for nginx.
curl -sf "http://127.0.0.1:$KPORT/" -o "$WORK/www/index.html"
curl -sf "http://127.0.0.1:$KPORT/healthz" -o "$WORK/www/healthz"

nginx_serve 'location = / { default_type "text/html; charset=utf-8"; try_files /index.html =404; }
		location = /healthz { default_type application/json; }' / "$WORK/www/index.html"

declare -A RESULT
for ep in / /healthz; do
	bench_compare "http://127.0.0.1:$KPORT$ep" "http://127.0.0.1:$NPORT$ep"
	RESULT[$ep]="$KR $KP $NR $NP"
done
RSS=$(awk '/VmRSS/ {print $2}' /proc/$KITH_PID/status)
HWM=$(awk '/VmHWM/ {print $2}' /proc/$KITH_PID/status)
BYTES=$(stat -c %s "$WORK/www/index.html")

TABLE=$(
	echo "| endpoint | kith req/s | nginx req/s | ratio | kith p99 | nginx p99 |"
	echo "|---|---|---|---|---|---|"
	for ep in / /healthz; do
		read -r kr kp nr np <<<"${RESULT[$ep]}"
		$PY -c "import sys; kr,kp,nr,np=map(float,sys.argv[2:]); print('| %s | %.0f | %.0f | %.2fx | %.2f ms | %.2f ms |' % (sys.argv[1], kr, nr, kr/nr, kp, np))" "$ep" "$kr" "$kp" "$nr" "$np"
	done
	echo
	echo "kith resident memory after the load: $((RSS / 1024)) MB (peak $((HWM / 1024)) MB). Home page: $BYTES bytes."
)
echo "$TABLE"

if [ "$RECORD" = 1 ]; then
	{
		echo
		echo "## $(date -u +%Y-%m-%d) foundation: home page and /healthz vs nginx"
		echo
		machine_line
		echo "Command: \`bench/run.sh --record --seconds $SECONDS_PER --rounds $ROUNDS\` (kith \`$(build/kith version)\`, one thread on CPU 0; nginx $(nginx -v 2>&1 | cut -d/ -f2), one worker on CPU 0; wrk -t2 -c64 on CPU 1; medians of $ROUNDS rounds of ${SECONDS_PER}s)."
		echo
		echo "$TABLE"
	} >> bench/RESULTS.md
	echo "recorded in bench/RESULTS.md"
fi

# The directory's ORUK search, with this part's servers stopped first.
bench_cleanup
KITH_PID=""
NGINX_PID=""
trap - EXIT
echo
if [ "$RECORD" = 1 ]; then bench/events_bench.sh --record; else bench/events_bench.sh; fi
echo
make -s -f Makefile -f bench/bench.mk build/bench/crisis_bench && build/bench/crisis_bench
echo
bench/oruk.sh "${ORUK_ARGS[@]}"
echo
EVENTS_ARGS=()
for a in "${ORUK_ARGS[@]}"; do [ "$a" = --fresh ] || EVENTS_ARGS+=("$a"); done
exec bench/events_api.sh "${EVENTS_ARGS[@]}"
