#!/bin/bash
# test.sh - run every suite and print the totals.
#
# Called by `make test` after it has built build/ (release) and build/san
# (ASan+UBSan). Suites:
#   unit+request     cmocka binaries in build/tests, on SQLite and PostgreSQL
#   timeshift        the same binaries again under faketime: a year ahead,
#                    five years ahead, and just before each UK clock change
#   blackbox         pytest against a real `kith serve`, once per backend
#   browser          node --test with playwright-core and Debian's chromium
#   fuzz             every libFuzzer target for FUZZ_TEST_SECONDS (default 5)
#   san: unit+request and blackbox again under ASan+UBSan
# A throwaway PostgreSQL cluster is started on a free loopback port for the
# run and removed afterwards. The last line is "N passed, N failed,
# N skipped".
#
# A suite whose build failed is not run (the binaries in build/ would be
# the previous build's): it counts as one failure. A suite that reports
# fewer tests than its floor (below) fails too, so a binary that stops
# half-way or a backend that is quietly skipped cannot pass unnoticed.
#
# Environment: SUITES="unit timeshift blackbox browser fuzz san" to run a
# subset (leave out timeshift for a quick local run).
set -uo pipefail
cd "$(dirname "$0")/.."

# The least number of tests each suite must report (passed + failed;
# skipped tests do not count). Set to what each reported when the floors
# were introduced, rounded down a little. Raise a floor when you add
# tests; lower it only when tests are removed on purpose.
declare -A FLOOR=(
	["unit+request"]=710
	["blackbox/sqlite"]=50
	["blackbox/postgresql"]=55
	["browser"]=60
	["fuzz"]=15
	["san: unit+request"]=710
	["san: blackbox/sqlite"]=50
	["san: blackbox/postgresql"]=55
	["unit+request @+1y"]=710
	["unit+request @+5y"]=710
	["unit+request @spring forward"]=710
	["unit+request @autumn back"]=710
)

PY=/usr/bin/python3
DEFAULT_SUITES="unit timeshift blackbox browser fuzz san"
SUITES=${SUITES:-$DEFAULT_SUITES}
[ -n "$SUITES" ] || SUITES=$DEFAULT_SUITES
FUZZ_TEST_SECONDS=${FUZZ_TEST_SECONDS:-5}
WORK=$(mktemp -d /tmp/kith-test.XXXXXX)
chmod 755 "$WORK"
LOGDIR=build/test-logs
mkdir -p "$LOGDIR"
TOTAL_PASS=0
TOTAL_FAIL=0
TOTAL_SKIP=0
SUMMARY=()

cleanup() {
	[ -n "${PG_DIR:-}" ] && scripts/pg.sh stop "$PG_DIR" >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT

free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

logname() { echo "$1" | tr -c 'A-Za-z0-9+.\n' '-'; }

wants() { [[ " $SUITES " == *" $1 "* ]]; }

record() { # name pass fail skip
	local name=$1 pass=$2 fail=$3 skip=$4 floor=${FLOOR[$1]:-0} short=""

	if [ $((pass + fail)) -lt "$floor" ]; then
		short="suite $name reported $((pass + fail)) tests, expected at least $floor"
		echo "   $short"
		fail=$((fail + 1))
	fi
	TOTAL_PASS=$((TOTAL_PASS + pass))
	TOTAL_FAIL=$((TOTAL_FAIL + fail))
	TOTAL_SKIP=$((TOTAL_SKIP + skip))
	SUMMARY+=("$(printf '%-30s %5d passed, %d failed, %d skipped' "$name" "$pass" "$fail" "$skip")")
	[ -n "$short" ] && SUMMARY+=("    $short")
	echo "== $name: $pass passed, $fail failed, $skip skipped"
}

# A suite that cannot run (its build failed, or its tool is missing): one
# failure, whatever its floor.
not_run() { # name why
	TOTAL_FAIL=$((TOTAL_FAIL + 1))
	SUMMARY+=("$(printf '%-30s not run: %s' "$1" "$2")")
	echo "== $1: not run: $2"
}

# cmocka binaries with TAP output: count "ok", "not ok" and "# SKIP" lines;
# a binary that dies without reporting counts as one failure. Any words
# after the directory are a command to run each binary under (faketime).
# Prints what failed, then a last line "PASS FAIL SKIP" for record().
cmocka_counts() { # suite-name dir [wrapper...]
	local name=$1 dir=$2 pass=0 fail=0 skip=0 start=$SECONDS
	shift 2
	for t in "$dir"/test_*; do
		[ -x "$t" ] || continue
		local log="$LOGDIR/$(logname "$name")-$(basename "$t").log" p f s
		CMOCKA_MESSAGE_OUTPUT=TAP timeout 600 "$@" "$t" >"$log" 2>&1
		local rc=$?
		p=$(grep -E '^ok [0-9]+' "$log" | grep -vc '# SKIP')
		f=$(grep -E '^not ok [0-9]+' "$log" | grep -vc '# SKIP')
		s=$(grep -E '^(not )?ok [0-9]+' "$log" | grep -c '# SKIP')
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1
			echo "   $(basename "$t"): exited with status $rc without reporting a failure:"
			tail -20 "$log" | sed 's/^/     /'
		fi
		[ "$f" -gt 0 ] && { echo "   $(basename "$t"): $f failed"; grep -E '^not ok|error|Error|ERROR' "$log" | grep -v '# SKIP' | head -20 | sed 's/^/     /'; }
		pass=$((pass + p))
		fail=$((fail + f))
		skip=$((skip + s))
	done
	echo "   ($name took $((SECONDS - start)) s)"
	echo "$pass $fail $skip"
}

# The counts of a cmocka_counts output file, recorded under name (a run
# that did not get as far as its counts is one failure).
record_cmocka() { # name file
	local counts
	counts=$(tail -n 1 "$2")
	if [[ "$counts" =~ ^[0-9]+\ [0-9]+\ [0-9]+$ ]]; then
		sed '$d' "$2"
		# shellcheck disable=SC2086
		record "$1" $counts
	else
		cat "$2"
		record "$1" 0 1 0
	fi
}

run_cmocka() { # suite-name dir [wrapper...]
	local out
	out=$(mktemp "$WORK/cmocka.XXXXXX")
	cmocka_counts "$@" >"$out"
	record_cmocka "$1" "$out"
}

run_pytest() { # suite-name kith-binary backend
	local name=$1 bin=$2 backend=$3 xml="$WORK/$RANDOM.xml" counts
	KITH_BIN=$bin KITH_TEST_BACKEND=$backend timeout 1200 $PY -m pytest -q -p no:cacheprovider \
		--junitxml="$xml" tests/blackbox >"$LOGDIR/$(logname "$name").log" 2>&1
	counts=$($PY - "$xml" <<'PYEOF'
import sys, xml.etree.ElementTree as ET
try:
    r = ET.parse(sys.argv[1]).getroot()
    suites = [r] if r.tag == "testsuite" else list(r)
    t = sum(int(s.get("tests", 0)) for s in suites)
    f = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    sk = sum(int(s.get("skipped", 0)) for s in suites)
    print(t - f - sk, f, sk)
except Exception:
    print(0, 1, 0)
PYEOF
)
	set -- $counts
	[ "$2" -gt 0 ] && grep -E '^(FAILED|ERROR)|Error' "$LOGDIR/$(logname "$name").log" | head -30 | sed 's/^/     /'
	record "$name" "$1" "$2" "$3"
}

# The unit and request binaries with the clock moved. The dates a person
# sees (next Tuesday, "checked 3 weeks ago", how long a referral has
# waited, when a session or link expires) must not depend on the day the
# tests happen to run, nor break when UK clocks change. The clock-change
# runs start 30 minutes before 01:00 UTC on the last Sunday of March
# (GMT -> BST) and of October (BST -> GMT) 2027. faketime's "@" form sets
# where the clock starts; it then runs on, so timeouts and sleeps still
# work. TZ is UTC so that those times mean the same on every machine.
#
# DONT_FAKE_MONOTONIC=1: the monotonic clock only measures intervals
# (request timings, the worker's pthread_cond_timedwait on CLOCK_MONOTONIC,
# libpq's and SQLite's waits), never a date. Shifted by years, libfaketime
# would have to translate every such wait; left alone, those waits behave
# exactly as in the normal run, and only the wall clock moves. (Both ways
# passed when this was written; FAKETIME_NO_CACHE is not needed since the
# FAKETIME spec is fixed for each run.)
#
# Two runs at a time: the binaries spend most of their time waiting (on
# disk, on PostgreSQL), so a pair takes about two thirds of the time of
# one after the other, and each binary makes its own databases (named by
# pid), so they do not meet. Four runs add about five minutes to make test.
run_timeshift() {
	local shifts=(
		"unit+request @+1y|+1y"
		"unit+request @+5y|+5y"
		"unit+request @spring forward|@2027-03-28 00:30:00"
		"unit+request @autumn back|@2027-10-31 00:30:00"
	)
	local got drift entry i pids=()
	if ! command -v faketime >/dev/null 2>&1; then
		for entry in "${shifts[@]}"; do not_run "${entry%%|*}" "faketime is not installed (scripts/install-deps.sh)"; done
		return
	fi
	# faketime must move the clock, or these runs would quietly repeat
	# the normal one.
	got=$(TZ=UTC DONT_FAKE_MONOTONIC=1 faketime -f "@2027-03-28 00:30:00" date -u +%F 2>&1)
	drift=$(( $(date +%s) + 365 * 86400 ))
	drift=$(( $(TZ=UTC DONT_FAKE_MONOTONIC=1 faketime -f "+1y" date +%s 2>/dev/null || echo 0) - drift ))
	if [ "$got" != "2027-03-28" ] || [ "${drift#-}" -gt 60 ]; then
		for entry in "${shifts[@]}"; do not_run "${entry%%|*}" "faketime does not move the clock (got $got)"; done
		return
	fi
	for i in "${!shifts[@]}"; do
		entry=${shifts[$i]}
		cmocka_counts "${entry%%|*}" build/tests env TZ=UTC DONT_FAKE_MONOTONIC=1 \
			faketime -f "${entry#*|}" >"$WORK/timeshift.$i" &
		pids+=($!)
		if [ "${#pids[@]}" -ge 2 ]; then
			wait "${pids[0]}"
			pids=("${pids[@]:1}")
		fi
	done
	wait
	for i in "${!shifts[@]}"; do
		record_cmocka "${shifts[$i]%%|*}" "$WORK/timeshift.$i"
	done
}

start_pg() {
	PG_DIR="$WORK/pg"
	local port
	port=$(free_port)
	if ! KITH_TEST_PG_URL=$(scripts/pg.sh start "$PG_DIR" "$port"); then
		echo "could not start PostgreSQL for the tests"
		return 1
	fi
	export KITH_TEST_PG_URL
	echo "== PostgreSQL for tests at $KITH_TEST_PG_URL"
}

# The builds first, each on its own: a suite runs only on a build that
# succeeded this time, never on what an earlier build left in build/.
# The ASan+UBSan build is made only when the san suite is asked for.
build_log="$LOGDIR/build.log"
: >"$build_log"
RELEASE_OK=0
SAN_OK=0
if make -j"$(nproc)" all >>"$build_log" 2>&1; then
	RELEASE_OK=1
	record "build (release)" 1 0 0
else
	grep -E 'error|Error' "$build_log" | head -20
	record "build (release)" 0 1 0
fi
if wants san; then
	if make -j"$(nproc)" san >>"$build_log" 2>&1; then
		SAN_OK=1
		record "build (san)" 1 0 0
	else
		grep -E 'error|Error' "$build_log" | head -20
		record "build (san)" 0 1 0
	fi
fi

start_pg || record "postgresql-start" 0 1 0

NO_RELEASE="the release build failed (see $build_log)"
# The static checks: banned functions, the layering of includes,
# functions over 150 lines without a "long:" comment saying why, and
# gcc's -fanalyzer over the library (make check's; about 90 s on 2 cores).
checks_log="$LOGDIR/checks.log"
: >"$checks_log"       # this run's output only, not an earlier run's
checks_fail=0
run_check() {
	if [ "$1" = analyzer ]; then
		make -s BUILD=build/analyzer OPT="-O1 -fanalyzer" build/analyzer/libkith.a
	else
		bash "$1"
	fi
}
for c in scripts/check-banned.sh scripts/check-layers.sh scripts/long-functions.sh analyzer; do
	if ! run_check "$c" >>"$checks_log" 2>&1; then
		checks_fail=$((checks_fail + 1))
		echo "   $c failed:"
		grep -E "error:" "$checks_log" | tail -20 | sed 's/^/     /'
		tail -5 "$checks_log" | sed 's/^/     /'
	fi
done
record "static checks" $((4 - checks_fail)) "$checks_fail" 0

for s in $SUITES; do
	case $s in
	unit)
		if [ "$RELEASE_OK" -eq 1 ]; then
			run_cmocka "unit+request" build/tests
		else
			not_run "unit+request" "$NO_RELEASE"
		fi
		;;
	timeshift)
		if [ "$RELEASE_OK" -eq 1 ]; then
			run_timeshift
		else
			not_run "unit+request @timeshift" "$NO_RELEASE"
		fi
		;;
	blackbox)
		if [ "$RELEASE_OK" -eq 1 ]; then
			run_pytest "blackbox/sqlite" build/kith sqlite
			[ -n "${KITH_TEST_PG_URL:-}" ] && run_pytest "blackbox/postgresql" build/kith postgresql
		else
			not_run "blackbox" "$NO_RELEASE"
		fi
		;;
	browser)
		if [ "$RELEASE_OK" -ne 1 ]; then
			not_run "browser" "$NO_RELEASE"
			continue
		fi
		log="$LOGDIR/browser.log"
		KITH_BIN=$PWD/build/kith timeout 900 node --test --test-reporter=tap --test-concurrency=1 \
			tests/browser/ >"$log" 2>&1
		rc=$?
		p=$(grep -E '^# pass ' "$log" | awk '{print $3}' | tail -1)
		f=$(grep -E '^# fail ' "$log" | awk '{print $3}' | tail -1)
		c=$(grep -E '^# cancelled ' "$log" | awk '{print $3}' | tail -1)
		k=$(grep -E '^# skipped ' "$log" | awk '{print $3}' | tail -1)
		p=${p:-0}; f=$(( ${f:-0} + ${c:-0} )); k=${k:-0}
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; tail -30 "$log"; fi
		[ "$f" -gt 0 ] && grep -E '^\s*not ok' "$log" | head -20
		record "browser" "$p" "$f" "$k"
		;;
	fuzz)
		log="$LOGDIR/fuzz.log"
		if scripts/fuzz.sh build >"$log" 2>&1; then
			scripts/fuzz.sh run "$FUZZ_TEST_SECONDS" >>"$log" 2>&1
			p=$(grep -c ': ok' "$log")
			f=$(grep -c ': FAILED' "$log")
			[ "$f" -gt 0 ] && grep -A30 ': FAILED' "$log" | head -60
		else
			p=0; f=1; tail -30 "$log"
		fi
		record "fuzz" "$p" "$f" 0
		;;
	san)
		if [ "$SAN_OK" -ne 1 ]; then
			not_run "san" "the ASan+UBSan build failed (see $build_log)"
			continue
		fi
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
		export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
		run_cmocka "san: unit+request" build/san/tests
		run_pytest "san: blackbox/sqlite" build/san/kith sqlite
		[ -n "${KITH_TEST_PG_URL:-}" ] && run_pytest "san: blackbox/postgresql" build/san/kith postgresql
		unset ASAN_OPTIONS UBSAN_OPTIONS
		;;
	*)
		echo "unknown suite $s (known: $DEFAULT_SUITES)"
		record "$s" 0 1 0
		;;
	esac
done

echo
echo "Summary (logs in $LOGDIR):"
for line in "${SUMMARY[@]}"; do echo "  $line"; done
echo "$TOTAL_PASS passed, $TOTAL_FAIL failed, $TOTAL_SKIP skipped"
[ "$TOTAL_FAIL" -eq 0 ]
