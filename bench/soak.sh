#!/bin/bash
# bench/soak.sh - a long mixed read load, directly and behind nginx.
#
#   bench/soak.sh [--minutes N] [--seconds N] [--connections N] [--only direct|nginx] [--record]
#
# kith serves the demo town (SQLite, one thread a core, rate limit off,
# trust_proxy on). wrk (-t2, 256 keep-alive connections by default) asks for
# pages chosen at random from the demo town - the home page, find pages,
# service pages, ORUK searches and ORUK service documents (bench/mixed.lua)
# - for N minutes (default 10) straight at kith, then as long through nginx
# running the block docs/OPERATIONS.md shows (bench/nginx_conf.py). kith's
# resident memory is sampled every SAMPLE seconds (default 5). For each leg:
# requests, errors (non-2xx/3xx answers and socket errors), p50 and p99
# latency, and memory at the start, at its peak and at the end; behind
# nginx, also the "upstream prematurely closed" lines in its error log.
# --record appends the table to bench/RESULTS.md with the date, machine and
# command. SOAK_KEEP=DIR copies the scratch directory (kith's, nginx's and
# wrk's output) to DIR at the end. Nothing is pinned: kith, nginx and wrk share the machine, as in
# production. Everything runs on 127.0.0.1 and stops by itself; any error
# makes the exit status 1.
set -euo pipefail
cd "$(dirname "$0")/.."

SECS=600
CONNS=256
SAMPLE=${SAMPLE:-5}
ONLY=""
RECORD=0
ARGS="$*"
while [ $# -gt 0 ]; do
	case $1 in
	--minutes) SECS=$(($2 * 60)); shift ;;
	--seconds) SECS=$2; shift ;;
	--connections) CONNS=$2; shift ;;
	--only) ONLY=$2; shift ;;
	--record) RECORD=1 ;;
	*) echo "usage: $0 [--minutes N] [--seconds N] [--connections N] [--only direct|nginx] [--record]" >&2; exit 2 ;;
	esac
	shift
done
case $ONLY in ""|direct|nginx) ;; *) echo "--only is direct or nginx" >&2; exit 2 ;; esac

. bench/lib.sh
bench_setup kith-soak
SAMPLER_PID=""
soak_cleanup() {
	[ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null && wait "$SAMPLER_PID" 2>/dev/null
	# SOAK_KEEP=DIR keeps the logs (kith's, nginx's, wrk's) for a look.
	[ -n "${SOAK_KEEP:-}" ] && cp -r "$WORK" "$SOAK_KEEP"
	bench_cleanup
}
trap soak_cleanup EXIT
trap "exit 130" INT
trap "exit 143" TERM

for t in nginx wrk curl; do
	command -v $t >/dev/null || { echo "soak: $t is missing (scripts/install-deps.sh installs it)"; exit 1; }
done
[ -x build/kith ] || { echo "soak: build kith first (make)"; exit 1; }

build/kith demo --db "sqlite:$WORK/soak.db" >"$WORK/demo.log" 2>&1
build/kith serve --db "sqlite:$WORK/soak.db" --listen "127.0.0.1:$KPORT" \
	--rate-limit 0 --trust-proxy true 2>"$WORK/kith.log" &
KITH_PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$KPORT/healthz" >/dev/null && break; sleep 0.1; done

# The pages, from the demo town's own services.
curl -sf "http://127.0.0.1:$KPORT/api/oruk/services?per_page=20" | $PY -c '
import json, sys
ids = [s["id"] for s in json.load(sys.stdin)["contents"]]
paths = ["/", "/find?q=walking&postcode=DN15+6AA", "/find?q=food",
         "/api/oruk/services?search=walking&per_page=10"]
paths += ["/services/%s" % i for i in ids[:10]]
paths += ["/api/oruk/services/%s" % i for i in ids[10:]]
print("\n".join(paths))' >"$WORK/paths"
while read -r p; do
	curl -sf -o /dev/null "http://127.0.0.1:$KPORT$p" || { echo "soak: $p does not answer 200"; exit 1; }
done <"$WORK/paths"

mkdir -p "$WORK/nginx"
$PY bench/nginx_conf.py "$WORK/nginx" "$NPORT" "$KPORT" >"$WORK/nginx/nginx.conf"
nginx -e "$WORK/nginx/error.log" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
NGINX_PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$NPORT/healthz" >/dev/null && break; sleep 0.1; done

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$KITH_PID/status"; }

# One leg: wrk at URL for SECS while sampling kith's memory; prints a row.
leg() { # name url
	local name=$1 url=$2 start
	start=$(rss_kb)
	: >"$WORK/rss"
	(while :; do rss_kb >>"$WORK/rss"; sleep "$SAMPLE"; done) &
	SAMPLER_PID=$!
	wrk -t2 -c"$CONNS" -d"${SECS}s" --timeout 10s --latency -s bench/mixed.lua "$url" -- "$WORK/paths" \
		>"$WORK/wrk-$name.txt" 2>&1 || true
	kill "$SAMPLER_PID"; wait "$SAMPLER_PID" 2>/dev/null || true
	SAMPLER_PID=""
	rss_kb >>"$WORK/rss"
	$PY - "$name" "$start" "$WORK/rss" "$WORK/wrk-$name.txt" <<'PY'
import re, sys
name, start, rss_file, wrk_file = sys.argv[1:]
t = open(wrk_file).read()
rss = [int(x) for x in open(rss_file).read().split()]
def ms(label):
    m = re.search(r"^\s*%s\s+([\d.]+)(us|ms|s)\b" % re.escape(label), t, re.M)
    if not m:
        return float("nan")
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v
m = re.search(r"(\d+) requests in", t)
if not m:
    sys.exit("soak: wrk said:\n" + t)
reqs = int(m.group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
bad = int(bad.group(1)) if bad else 0
sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", t)
sock = sum(map(int, sock.groups())) if sock else 0
print("| %s | %d | %.0f | %d | %d | %.2f ms | %.2f ms | %d MB | %d MB | %d MB |" % (
    name, reqs, rps, bad, sock, ms("50%"), ms("99%"),
    round(int(start) / 1024), round(max(rss) / 1024), round(rss[-1] / 1024)))
PY
}

ROWS=()
[ "$ONLY" = nginx ] || ROWS+=("$(leg direct "http://127.0.0.1:$KPORT")")
[ "$ONLY" = direct ] || ROWS+=("$(leg "behind nginx" "http://127.0.0.1:$NPORT")")
PREMATURE=$(grep -c "upstream prematurely closed" "$WORK/nginx/error.log" || true)
NGINX_ERRORS=$(grep -c "\[error\]\|\[crit\]\|\[alert\]" "$WORK/nginx/error.log" || true)
HWM=$(awk '/VmHWM/ {print $2}' "/proc/$KITH_PID/status")

TABLE=$(
	echo "| path | requests | req/s | non-2xx/3xx | socket errors | p50 | p99 | RSS start | RSS peak | RSS end |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	printf '%s\n' "${ROWS[@]}"
	echo
	echo "nginx error log: $NGINX_ERRORS error lines, $PREMATURE \"upstream prematurely closed\". kith's peak resident memory over the whole run: $((HWM / 1024)) MB."
)
echo "$TABLE"
# When something went wrong, what wrk and nginx said about it.
for f in "$WORK"/wrk-*.txt; do
	grep -q "Socket errors\|Non-2xx" "$f" && { echo "${f##*/}:"; grep "Socket errors\|Non-2xx" "$f"; }
done
if [ "$NGINX_ERRORS" != 0 ]; then
	echo "nginx error log (first and last lines):"
	grep "\[error\]\|\[crit\]\|\[alert\]" "$WORK/nginx/error.log" | sed -n '1,3p;$p'
fi

if [ "$RECORD" = 1 ]; then
	{
		echo
		echo "## $(date -u +%Y-%m-%d) soak: $((SECS / 60)) minutes at $CONNS connections, mixed pages, direct and behind nginx"
		echo
		machine_line
		echo "Command: \`bench/soak.sh $ARGS\` (kith \`$(build/kith version)\`, SQLite demo town, $(nproc) threads, rate limit off; nginx $(nginx -v 2>&1 | cut -d/ -f2) with the block in docs/OPERATIONS.md; wrk -t2 -c$CONNS on the same cores, unpinned; pages at random from the home page, two find pages, ten service pages, an ORUK search and ten ORUK service documents; RSS sampled every ${SAMPLE}s)."
		echo
		echo "$TABLE"
	} >>bench/RESULTS.md
	echo "recorded in bench/RESULTS.md"
fi

printf '%s\n' "${ROWS[@]}" | awk -F'|' '$5 + 0 > 0 || $6 + 0 > 0 { bad = 1 } END { exit bad }' &&
	[ "$PREMATURE" = 0 ] || { echo "soak: errors (see above)"; exit 1; }
