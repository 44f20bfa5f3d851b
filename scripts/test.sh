#!/bin/bash
# test.sh - run every suite and print the totals.
#
# Called by `make test` after it has built build/ (release) and build/san
# (ASan+UBSan). Suites:
#   unit+request     cmocka binaries in build/tests, on SQLite and PostgreSQL
#   blackbox         pytest against a real `kith serve`, once per backend
#   browser          node --test with playwright-core and Debian's chromium
#   fuzz             every libFuzzer target for FUZZ_TEST_SECONDS (default 5)
#   san: unit+request and blackbox again under ASan+UBSan
# A throwaway PostgreSQL cluster is started on a free loopback port for the
# run and removed afterwards. The last line is "N passed, N failed".
#
# Environment: SUITES="unit blackbox browser fuzz san" to run a subset.
set -uo pipefail
cd "$(dirname "$0")/.."

PY=/usr/bin/python3
SUITES=${SUITES:-"unit blackbox browser fuzz san"}
[ -n "$SUITES" ] || SUITES="unit blackbox browser fuzz san"
FUZZ_TEST_SECONDS=${FUZZ_TEST_SECONDS:-5}
WORK=$(mktemp -d /tmp/kith-test.XXXXXX)
chmod 755 "$WORK"
LOGDIR=build/test-logs
mkdir -p "$LOGDIR"
TOTAL_PASS=0
TOTAL_FAIL=0
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

record() { # name pass fail
	TOTAL_PASS=$((TOTAL_PASS + $2))
	TOTAL_FAIL=$((TOTAL_FAIL + $3))
	SUMMARY+=("$(printf '%-28s %5d passed, %d failed' "$1" "$2" "$3")")
	echo "== $1: $2 passed, $3 failed"
}

# cmocka binaries with TAP output: count "ok" and "not ok" lines; a binary
# that dies without reporting counts as one failure.
run_cmocka() { # suite-name dir
	local name=$1 dir=$2 pass=0 fail=0
	for t in "$dir"/test_*; do
		[ -x "$t" ] || continue
		local log="$LOGDIR/$(basename "$dir")-$(basename "$t").log" p f
		CMOCKA_MESSAGE_OUTPUT=TAP timeout 600 "$t" >"$log" 2>&1
		local rc=$?
		p=$(grep -cE '^ok [0-9]+' "$log")
		f=$(grep -E '^not ok [0-9]+' "$log" | grep -vc '# SKIP')
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1
			echo "   $(basename "$t"): exited with status $rc without reporting a failure:"
			tail -20 "$log" | sed 's/^/     /'
		fi
		[ "$f" -gt 0 ] && { echo "   $(basename "$t"): $f failed"; grep -E '^not ok|error|Error|ERROR' "$log" | head -20 | sed 's/^/     /'; }
		pass=$((pass + p))
		fail=$((fail + f))
	done
	record "$name" "$pass" "$fail"
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
    print(t - f - sk, f)
except Exception:
    print(0, 1)
PYEOF
)
	set -- $counts
	[ "$2" -gt 0 ] && grep -E '^(FAILED|ERROR)|Error' "$LOGDIR/$(logname "$name").log" | head -30 | sed 's/^/     /'
	record "$name" "$1" "$2"
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

# Both builds first; a failed build fails the run but the other suites
# still report.
build_log="$LOGDIR/build.log"
if make -j"$(nproc)" all >"$build_log" 2>&1 && make -j"$(nproc)" san >>"$build_log" 2>&1; then
	record "build (release, san)" 1 0
else
	grep -E 'error|Error' "$build_log" | head -20
	record "build (release, san)" 0 1
fi

start_pg || record "postgresql-start" 0 1

for s in $SUITES; do
	case $s in
	unit)
		run_cmocka "unit+request" build/tests
		;;
	blackbox)
		run_pytest "blackbox/sqlite" build/kith sqlite
		[ -n "${KITH_TEST_PG_URL:-}" ] && run_pytest "blackbox/postgresql" build/kith postgresql
		;;
	browser)
		log="$LOGDIR/browser.log"
		KITH_BIN=$PWD/build/kith timeout 900 node --test --test-reporter=tap --test-concurrency=1 \
			tests/browser/ >"$log" 2>&1
		rc=$?
		p=$(grep -E '^# pass ' "$log" | awk '{print $3}' | tail -1)
		f=$(grep -E '^# fail ' "$log" | awk '{print $3}' | tail -1)
		c=$(grep -E '^# cancelled ' "$log" | awk '{print $3}' | tail -1)
		p=${p:-0}; f=$(( ${f:-0} + ${c:-0} ))
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; tail -30 "$log"; fi
		[ "$f" -gt 0 ] && grep -E '^\s*not ok' "$log" | head -20
		record "browser" "$p" "$f"
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
		record "fuzz" "$p" "$f"
		;;
	san)
		export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
		export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
		run_cmocka "san: unit+request" build/san/tests
		run_pytest "san: blackbox/sqlite" build/san/kith sqlite
		[ -n "${KITH_TEST_PG_URL:-}" ] && run_pytest "san: blackbox/postgresql" build/san/kith postgresql
		unset ASAN_OPTIONS UBSAN_OPTIONS
		;;
	*)
		echo "unknown suite $s"
		record "$s" 0 1
		;;
	esac
done

echo
echo "Summary (logs in $LOGDIR):"
for line in "${SUMMARY[@]}"; do echo "  $line"; done
echo "$TOTAL_PASS passed, $TOTAL_FAIL failed"
[ "$TOTAL_FAIL" -eq 0 ]
