#!/bin/bash
# bench/events_bench.sh - the events API's query in process: the sessions
# of the next 7 days within 5 miles of a point (search_sessions), on
# synthetic services spread over the UK as people are.
#
#   bench/events_bench.sh [--record] [--n N] [--queries Q] [--runs R]
#
# Runs build/bench/events_bench R times (default 3) with --n N (default
# 100,000 services) and --queries Q (default 2,000), prints the median of
# each figure over the runs and the tables of the median run (by p99).
# Pinned to one CPU when taskset is there. The target is p99 <= 5 ms.
# --record appends them to bench/RESULTS.md with the date, machine and
# command.
set -euo pipefail
cd "$(dirname "$0")/.."

N=100000
QUERIES=2000
RUNS=3
RECORD=0
while [ $# -gt 0 ]; do
	case $1 in
	--record) RECORD=1 ;;
	--n) N=$2; shift ;;
	--queries) QUERIES=$2; shift ;;
	--runs) RUNS=$2; shift ;;
	*) echo "usage: $0 [--record] [--n N] [--queries Q] [--runs R]" >&2; exit 2 ;;
	esac
	shift
done

make -s -f Makefile -f bench/bench.mk build/bench/events_bench
WORK=$(mktemp -d /tmp/kith-events-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
PIN=""
command -v taskset >/dev/null && PIN="taskset -c 0"

for r in $(seq "$RUNS"); do
	echo "run $r of $RUNS: events_bench --n $N --queries $QUERIES" >&2
	$PIN build/bench/events_bench --n "$N" --queries "$QUERIES" >"$WORK/run$r.txt"
done

SUMMARY=$(/usr/bin/python3 - "$WORK" "$RUNS" <<'PY'
import statistics, sys
work, runs = sys.argv[1], int(sys.argv[2])
rows, texts = [], []
for r in range(1, runs + 1):
    t = open(f"{work}/run{r}.txt").read()
    texts.append(t)
    line = [l for l in t.splitlines() if l.startswith("RESULT")][0]
    rows.append({k: float(v) for k, v in (kv.split("=") for kv in line.split()[1:])})
med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
order = sorted(range(runs), key=lambda i: rows[i]["p99"])
shown = order[(runs - 1) // 2]
ok = "met" if med["p99"] <= 5000 else "MISSED"
print(f"Medians of {runs} runs, {int(med['n']):,} services ({int(med['scheds']):,} schedules).")
print()
print("| next 7 days within 5 miles | p50 | p95 | p99 | max | CPU p99 | sessions a query: mean | max |")
print("|---|---|---|---|---|---|---|---|")
print(f"| every session | {med['p50']:.0f} µs | {med['p95']:.0f} µs | {med['p99']:.0f} µs | {med['max']:.0f} µs | "
      f"{med['cpu_p99']:.0f} µs | {med['sess_mean']:.0f} | {med['sess_max']:.0f} |")
print(f"| the first 100 | {med['page_p50']:.0f} µs | | {med['page_p99']:.0f} µs | | {med['page_cpu_p99']:.0f} µs | | |")
print()
print(f"Target p99 <= 5 ms: {ok}. The schedules make {int(med['year']):,} sessions in a year "
      f"({med['year'] / med['n']:.1f} a service).")
print()
print(f"Run {shown + 1} in full:")
print()
print("```")
print("\n".join(l for l in texts[shown].splitlines() if not l.startswith("RESULT")))
print("```")
PY
)
echo "$SUMMARY"

if [ "$RECORD" = 1 ]; then
	{
		echo
		echo "## $(date -u +%Y-%m-%d) events: sessions in the next 7 days within 5 miles (search_sessions)"
		echo
		echo "Machine: $(nproc) vCPU $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end (a shared machine: CPU time is the cost of a query; wall time includes waiting for the CPU). "
		echo "Command: \`bench/events_bench.sh --record --n $N --queries $QUERIES --runs $RUNS\` (one thread$([ -n "$PIN" ] && echo ", pinned to CPU 0"); half the points picked by population, half by area, one in 50 at a city centre; every session asked for, then a page of 100)."
		echo
		echo "$SUMMARY"
	} >> bench/RESULTS.md
	echo "recorded in bench/RESULTS.md"
fi
