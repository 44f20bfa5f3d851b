#!/bin/bash
# bench/match.sh - the peer matching engine (`kith match solve`) against
# LEMON's NetworkSimplex (bench/match_lemon.cc, Debian's liblemon-dev) on
# the same instance, in the same run.
#
#   bench/match.sh [--record] [--people N] [--peers M] [--candidates D] [--rounds R]
#
# The instance (bench/match_gen.c: N people, M peers, D candidate peers
# each; default 100,000, 10,000 and 50, issue 11's size) is made once and
# kept in build/bench/. Each round runs kith and then LEMON, one at a
# time, each pinned to CPU 0 when taskset is there; each prints "matched
# N cost C solve_s T" and GNU time gives its peak resident memory. Both
# must find the same number matched and the same total cost (both are
# exact: a difference is a bug, and the run fails). Medians of R rounds
# (default 3) of the solve time and the peak memory are printed with the
# ratios kith/LEMON. Targets (issue 11): time <= 0.5x, memory < 1x.
# --record appends the table to bench/RESULTS.md with the date, machine and
# command.
set -euo pipefail
cd "$(dirname "$0")/.."

PEOPLE=100000
PEERS=10000
CANDS=50
ROUNDS=3
RECORD=0
ARGS="$*"
while [ $# -gt 0 ]; do
	case $1 in
	--record) RECORD=1 ;;
	--people) PEOPLE=$2; shift ;;
	--peers) PEERS=$2; shift ;;
	--candidates) CANDS=$2; shift ;;
	--rounds) ROUNDS=$2; shift ;;
	*) echo "usage: $0 [--record] [--people N] [--peers M] [--candidates D] [--rounds R]" >&2; exit 2 ;;
	esac
	shift
done

. bench/lib.sh
make -s all build/bench/match_gen build/bench/match_lemon >/dev/null
INST="build/bench/match-$PEOPLE-$PEERS-$CANDS.txt"
if [ ! -s "$INST" ]; then
	echo "making $INST ..."
	build/bench/match_gen "$PEOPLE" "$PEERS" "$CANDS" >"$INST.tmp"
	mv "$INST.tmp" "$INST"
fi
PIN=()
command -v taskset >/dev/null && PIN=(taskset -c 0)

run() { # name command... -> "matched cost solve_s peak_kb"
	local out
	out=$(/usr/bin/time -f 'peak_kb %M' "${PIN[@]}" "$@" 2>&1) ||
		{ echo "$1 failed: $out" >&2; exit 1; }
	$PY -c '
import re, sys
t = sys.stdin.read()
m = re.search(r"matched (\d+) cost (\d+) solve_s ([\d.]+)", t)
k = re.search(r"peak_kb (\d+)", t)
print(m.group(1), m.group(2), m.group(3), k.group(1))' <<<"$out"
}

KT=() KM=() LT=() LM=()
for r in $(seq "$ROUNDS"); do
	read -r km kc kt kk < <(run build/kith match solve "$INST")
	read -r lm lc lt lk < <(run build/bench/match_lemon "$INST")
	if [ "$km" != "$lm" ] || [ "$kc" != "$lc" ]; then
		echo "round $r: kith matched $km at cost $kc, LEMON $lm at cost $lc: they must agree" >&2
		exit 1
	fi
	echo "round $r: matched $km cost $kc; kith ${kt}s ${kk} KB, LEMON ${lt}s ${lk} KB"
	KT+=("$kt"); KM+=("$kk"); LT+=("$lt"); LM+=("$lk")
done
kt=$(median "${KT[@]}"); kk=$(median "${KM[@]}"); lt=$(median "${LT[@]}"); lk=$(median "${LM[@]}")
TABLE=$($PY - "$PEOPLE" "$PEERS" "$CANDS" "$km" "$kc" "$kt" "$kk" "$lt" "$lk" <<'PY'
import sys
people, peers, cands, matched, cost = sys.argv[1:6]
kt, kk, lt, lk = map(float, sys.argv[6:])
tr, mr = kt / lt, kk / lk
print("| instance | matched | total cost | kith solve | LEMON solve | time ratio | kith peak | LEMON peak | memory ratio |")
print("|---|---|---|---|---|---|---|---|---|")
print("| %s people, %s peers, %s candidates each | %s | %s | %.3f s | %.3f s | %.2fx%s | %.0f MB | %.0f MB | %.2fx%s |"
      % (people, peers, cands, matched, cost, kt, lt, tr, "" if tr <= 0.5 else " (MISSED 0.5x)",
         kk / 1024, lk / 1024, mr, "" if mr < 1 else " (MISSED: not less)"))
PY
)
echo
echo "$TABLE"
echo
echo "Same number matched and same total cost in every round. Targets: solve time <= 0.5x LEMON's, peak memory below LEMON's (whole process: reading the file and solving)."
if [ "$RECORD" = 1 ]; then
	{
		echo
		echo "## $(date -u +%Y-%m-%d) matching: kith match solve vs LEMON NetworkSimplex"
		echo
		machine_line
		echo "Command: \`bench/match.sh $ARGS\` (kith \`$(build/kith version)\`, LEMON 1.3.1 NetworkSimplex, each pinned to CPU 0 in turn; medians of $ROUNDS rounds; peak memory from GNU time)."
		echo
		echo "$TABLE"
	} >> bench/RESULTS.md
	echo "recorded in bench/RESULTS.md"
fi
