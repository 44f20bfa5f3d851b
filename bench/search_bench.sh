#!/bin/bash
# bench/search_bench.sh - the directory's search index in process, against
# the naive SQLite plan (FTS5 MATCH joined to an R*Tree box, bm25) on the
# same corpus and the same 1,000 queries, in the same run.
#
#   bench/search_bench.sh [--record] [--n N] [--naive M] [--runs R]
#
# Runs build/bench/search_bench R times (default 3) with --n N (default
# 1,000,000: the issue's size for p99 <= 20 ms) and --naive M (default
# 100,000: where the naive plan is measured, and ours again beside it),
# prints the median of each figure over the runs and the tables of the
# median run. Pinned to one CPU when taskset is there. --record appends
# them to bench/RESULTS.md with the date, machine and command.
set -euo pipefail
cd "$(dirname "$0")/.."

N=1000000
NAIVE=100000
RUNS=3
RECORD=0
while [ $# -gt 0 ]; do
	case $1 in
	--record) RECORD=1 ;;
	--n) N=$2; shift ;;
	--naive) NAIVE=$2; shift ;;
	--runs) RUNS=$2; shift ;;
	*) echo "usage: $0 [--record] [--n N] [--naive M] [--runs R]" >&2; exit 2 ;;
	esac
	shift
done

make -s -f Makefile -f bench/bench.mk build/bench/search_bench
WORK=$(mktemp -d /tmp/kith-search-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
PIN=""
command -v taskset >/dev/null && PIN="taskset -c 0"

for r in $(seq "$RUNS"); do
	echo "run $r of $RUNS: search_bench --n $N --naive $NAIVE" >&2
	$PIN build/bench/search_bench --n "$N" --naive "$NAIVE" >"$WORK/run$r.txt"
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
# The run whose p99 is the median one is shown in full.
order = sorted(range(runs), key=lambda i: rows[i].get("p99", 0))
shown = order[(runs - 1) // 2]
n, at = int(med.get("n", 0)), int(med.get("at", 0))
print(f"Medians of {runs} runs.")
print()
print("| | services | median | p95 | p99 | max | CPU median | CPU p99 |")
print("|---|---|---|---|---|---|---|---|")
if n:
    print(f"| kith index | {n:,} | {med['med']:.3f} ms | {med['p95']:.3f} ms | {med['p99']:.3f} ms | "
          f"{med['max']:.3f} ms | {med['cpu_med']:.3f} ms | {med['cpu_p99']:.3f} ms |")
if at:
    print(f"| kith index | {at:,} | {med['ours_med']:.3f} ms | | {med['ours_p99']:.3f} ms | | "
          f"{med['ours_cpu_med']:.3f} ms | {med['ours_cpu_p99']:.3f} ms |")
    print(f"| naive SQLite plan | {at:,} | {med['naive_med']:.3f} ms | | {med['naive_p99']:.3f} ms | | "
          f"{med['naive_cpu_med']:.3f} ms | {med['naive_cpu_p99']:.3f} ms |")
    print(f"| **naive / kith** | {at:,} | **{med['naive_med'] / med['ours_med']:.0f}x** | | "
          f"**{med['naive_p99'] / med['ours_p99']:.0f}x** | | "
          f"{med['naive_cpu_med'] / med['ours_cpu_med']:.0f}x | {med['naive_cpu_p99'] / med['ours_cpu_p99']:.0f}x |")
print()
if n:
    print(f"Index at {n:,}: built in {med['build_s']:.1f} s, search_bytes {med['bytes'] / 1048576:.1f} MB "
          f"({med['bytes'] / n:.0f} bytes a service), resident memory +{med['rss_kb'] / 1024:.1f} MB. "
          f"Naive plan built in {med.get('naive_build_s', 0):.1f} s.")
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
		echo "## $(date -u +%Y-%m-%d) search: in-process index vs the naive SQLite plan"
		echo
		echo "Machine: $(nproc) vCPU $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(. /etc/os-release; echo "$PRETTY_NAME"), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end (a shared machine: CPU time is the cost of a query; wall time includes waiting for the CPU). "
		echo "Command: \`bench/search_bench.sh --record --n $N --naive $NAIVE --runs $RUNS\` (one thread$([ -n "$PIN" ] && echo ", pinned to CPU 0"); 1,000 queries: common words, rarer words, two words, a postcode alone and words with a postcode within 10 miles, filters with facets, sorts by distance, next session and name; SQLite $(/usr/bin/python3 -c 'import sqlite3; print(sqlite3.sqlite_version)'))."
		echo
		echo "$SUMMARY"
	} >> bench/RESULTS.md
	echo "recorded in bench/RESULTS.md"
fi
