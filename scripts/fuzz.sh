#!/bin/bash
# fuzz.sh - build and run the libFuzzer targets (clang 14).
#
#   scripts/fuzz.sh build            compile every fuzz/fuzz_NAME.c
#   scripts/fuzz.sh run SECONDS [NAME...]
#                                    run each target for SECONDS; prints
#                                    "fuzz NAME: ok" or "fuzz NAME: FAILED"
#
# Each target links the whole kith library compiled with ASan+UBSan and
# fuzzer coverage. The committed corpus fuzz/corpus/NAME/ is read-only
# input: new inputs go to a scratch directory, so a run never dirties the
# repository. Crashes are written to build/fuzz/crashes/NAME/.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=build/fuzz
CLANG=${CLANG:-clang}
FLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined"
# The Makefile's PKGS, read from it so there is one list: every object is
# in the archive the targets link.
PKGS=$(sed -n 's/^PKGS := //p' Makefile)
[ -n "$PKGS" ] || { echo "fuzz.sh: no PKGS line in the Makefile" >&2; exit 1; }

build() {
	make -s build/gen/templates.c build/gen/migrations.c build/gen/assets.c build/gen/data.c
	mkdir -p "$OUT/obj"
	local cflags libs objs=() pids=()
	cflags="$(pkg-config --cflags $PKGS) -Isrc -DKITH_VERSION=\"fuzz\" -DKITH_REVISION=\"fuzz\" -std=c17 -D_GNU_SOURCE"
	libs="$(pkg-config --libs $PKGS) -lcrack -lstemmer -lpthread -lm"
	local srcs
	srcs=$(find src -name '*.c' ! -path src/app/main.c | sort; ls build/gen/*.c)
	for s in $srcs; do
		local o="$OUT/obj/${s//\//_}.o"
		objs+=("$o")
		if [ ! -f "$o" ] || [ "$s" -nt "$o" ] || [ -n "$(find src -name '*.h' -newer "$o" -print -quit)" ]; then
			$CLANG $FLAGS -fsanitize=fuzzer-no-link $cflags -c -o "$o" "$s" &
			pids+=($!)
			if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
		fi
	done
	for p in "${pids[@]}"; do wait "$p"; done
	for f in fuzz/fuzz_*.c; do
		local name
		name=$(basename "$f" .c)
		$CLANG $FLAGS -fsanitize=fuzzer $cflags -o "$OUT/$name" "$f" "${objs[@]}" $libs
	done
}

run() {
	local secs=$1
	shift
	local names=("$@") rc=0
	if [ ${#names[@]} -eq 0 ]; then
		for f in fuzz/fuzz_*.c; do names+=("$(basename "$f" .c | sed 's/^fuzz_//')"); done
	fi
	for n in "${names[@]}"; do
		local scratch log
		scratch=$(mktemp -d)
		log=$(mktemp)
		mkdir -p "$OUT/crashes/$n" "fuzz/corpus/$n"
		if "$OUT/fuzz_$n" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
			-print_final_stats=1 -artifact_prefix="$OUT/crashes/$n/" \
			"$scratch" "fuzz/corpus/$n" >"$log" 2>&1; then
			echo "fuzz $n: ok ($(grep -Eo 'Done [0-9]+ runs' "$log" | tail -1 | awk '{print $2}') runs in ${secs}s)"
		else
			echo "fuzz $n: FAILED"
			tail -40 "$log"
			rc=1
		fi
		rm -rf "$scratch" "$log"
	done
	return $rc
}

case "${1:-}" in
build) build ;;
run) shift; run "$@" ;;
*) echo "usage: $0 build | run SECONDS [NAME...]" >&2; exit 2 ;;
esac
