# bench/lib.sh - what bench/run.sh and bench/oruk.sh share: a scratch
# directory, free loopback ports, nginx serving kith's own bytes, and wrk
# rounds that alternate kith and nginx. Source it after cd to the checkout:
#
#   bench_setup kith-bench           # $WORK, $KPORT, $NPORT, $PY; cleanup on exit
#   nginx_serve 'location = / { ... }' /path/that/answers file-it-must-equal
#   bench_compare URL_KITH URL_NGINX # sets KR KP NR NP (medians: req/s, p99 ms)
#   machine_line                     # "Machine: ..." for bench/RESULTS.md
#
# kith runs on CPU 0 (the caller starts it, pinned with taskset, and sets
# KITH_PID); nginx one worker on CPU 0; wrk -t2 -c64 on CPU 1. Rounds of
# SECONDS_PER seconds, ROUNDS of each, after a warm-up.

PY=/usr/bin/python3
# CPUs for the servers and for wrk (bench/oruk.sh --unpinned: both on every
# core, competing as they would on a small machine).
SERVER_CPUS=${SERVER_CPUS:-0}
LOAD_CPUS=${LOAD_CPUS:-1}

bench_setup() { # prefix
	WORK=$(mktemp -d "/tmp/$1.XXXXXX")
	chmod 755 "$WORK"
	mkdir -p "$WORK/www" "$WORK/nginx"
	KITH_PID=""
	NGINX_PID=""
	trap bench_cleanup EXIT
	KPORT=$(free_port)
	NPORT=$(free_port)
}

bench_cleanup() {
	[ -n "$KITH_PID" ] && kill "$KITH_PID" 2>/dev/null && wait "$KITH_PID" 2>/dev/null
	[ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
	rm -rf "$WORK"
}

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# nginx with the given location blocks over $WORK/www; waits until path
# answers and checks it answers exactly the bytes of file.
nginx_serve() { # locations path file
	cat >"$WORK/nginx/nginx.conf" <<NGINX
worker_processes 1;
user root;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log;
events { worker_connections 1024; }
http {
	access_log $WORK/nginx/access.log;
	keepalive_requests 1000000;
	server {
		listen 127.0.0.1:$NPORT;
		root $WORK/www;
		$1
	}
}
NGINX
	taskset -c "$SERVER_CPUS" nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
	NGINX_PID=$!
	for _ in $(seq 100); do curl -sf "http://127.0.0.1:$NPORT$2" >/dev/null && break; sleep 0.1; done
	cmp -s <(curl -sf "http://127.0.0.1:$NPORT$2") "$3" ||
		{ echo "nginx is not serving the same bytes"; exit 1; }
}

# wrk prints "Requests/sec: N" and, with --latency, a "99%" line. WRK_HDR
# (an array, may be unset) adds arguments: -H "Authorization: Bearer ...".
bench_load() { # url -> "rps p99_ms non2xx"
	taskset -c "$LOAD_CPUS" wrk -t2 -c64 -d"${SECONDS_PER}s" --latency ${WRK_HDR[@]+"${WRK_HDR[@]}"} "$1" 2>/dev/null | $PY -c '
import re, sys
t = sys.stdin.read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
m = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", t)
v, u = float(m.group(1)), m.group(2)
p99 = v / 1000 if u == "us" else v * 1000 if u == "s" else v
errs = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
print(rps, p99, errs.group(1) if errs else 0)'
}

median() { $PY -c 'import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }

# ROUNDS alternating rounds after a second's warm-up of each (a database
# just written, or files not yet in the page cache, made a cold first
# round read 0.3x where warm ones read 0.5x); kith answering anything but
# 2xx ends the run.
bench_compare() { # kith_url nginx_url -> KR KP NR NP
	local krps=() kp99=() nrps=() np99=() a b e
	taskset -c "$LOAD_CPUS" wrk -t2 -c64 -d1s ${WRK_HDR[@]+"${WRK_HDR[@]}"} "$1" >/dev/null 2>&1
	taskset -c "$LOAD_CPUS" wrk -t2 -c64 -d1s "$2" >/dev/null 2>&1
	for _ in $(seq "$ROUNDS"); do
		read -r a b e < <(bench_load "$1")
		[ "$e" = 0 ] || { echo "kith answered $e non-2xx responses on $1"; exit 1; }
		krps+=("$a"); kp99+=("$b")
		read -r a b e < <(bench_load "$2")
		nrps+=("$a"); np99+=("$b")
	done
	KR=$(median "${krps[@]}"); KP=$(median "${kp99[@]}")
	NR=$(median "${nrps[@]}"); NP=$(median "${np99[@]}")
}

machine_line() {
	echo "Machine: $(nproc) vCPU $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"). "
}

# The directory of N synthetic services (`kith demo --services N`) that
# oruk.sh and events_api.sh load, made once and kept in build/bench/ keyed
# on what it is made from (migrations, the directory's, ORUK's and
# search's sources, the demo's words); a copy goes to dest, so nothing a
# run does changes it. Sets GEN_S (seconds it took to make) and DB_MB.
bench_directory_db() { # kith services fresh dest
	local kith=$1 services=$2 fresh=$3 dest=$4 key cache t0 t1
	key=$(cat migrations/*.sql $(find src/directory src/oruk src/search data/demo -type f | sort) | sha256sum | cut -c1-16)
	cache="build/bench/oruk-$services-$key.db"
	if [ "$fresh" = 1 ] || [ ! -f "$cache" ]; then
		rm -f build/bench/oruk-"$services"-*.db build/bench/oruk-"$services"-*.txt
		echo "making $cache: kith demo --services $services ..."
		t0=$(date +%s.%N)
		"$kith" demo --services "$services" --db "sqlite:$WORK/gen.db" >"$WORK/demo.txt"
		t1=$(date +%s.%N)
		$PY -c "print('%.0f' % ($t1 - $t0))" >"${cache%.db}.txt"
		grep -E '^Directory:' "$WORK/demo.txt" || true
		mv "$WORK/gen.db" "$cache"
		rm -f "$WORK"/gen.db-*
	fi
	GEN_S=$(cat "${cache%.db}.txt" 2>/dev/null || echo "?")
	cp "$cache" "$dest"
	DB_MB=$(( $(stat -c %s "$cache") / 1048576 ))
}

# kith serving db on KPORT, one thread on SERVER_CPUS (0), waited for.
# Sets KITH_PID, START_S (seconds to ready: the index built) and
# RSS_IDLE (kB resident then).
bench_start_kith() { # kith db
	local t0 t1
	t0=$(date +%s.%N)
	taskset -c "${SERVER_CPUS:-0}" "$1" serve --db "sqlite:$2" --listen "127.0.0.1:$KPORT" \
		--threads 1 --rate-limit 0 --stale-months 60 2>"$WORK/kith.log" &
	KITH_PID=$!
	for _ in $(seq 1200); do curl -sf "http://127.0.0.1:$KPORT/healthz" >/dev/null && break; sleep 0.1; done
	curl -sf "http://127.0.0.1:$KPORT/healthz" >/dev/null || { echo "kith did not start:"; tail -5 "$WORK/kith.log"; exit 1; }
	t1=$(date +%s.%N)
	START_S=$($PY -c "print('%.1f' % ($t1 - $t0))")
	RSS_IDLE=$(awk '/VmRSS/ {print $2}' /proc/$KITH_PID/status)
}
