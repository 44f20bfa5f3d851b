#!/bin/sh
# check-banned.sh - no banned function in src/, tests/ or fuzz/ (see
# STYLE.md). banned.h makes them compile errors in files that include
# core/common.h; this catches any file that does not.
set -eu
cd "$(dirname "$0")/.."
pattern='\b(strcpy|strcat|sprintf|vsprintf|strtok|gets|atoi|atol|sscanf|gmtime|localtime)[[:space:]]*\('
if grep -rnE "$pattern" src tests fuzz tools --include='*.c' --include='*.h' | grep -v 'banned'; then
	echo "check-banned: banned functions found (use buf_addf, str_copy, str_to_i64, gmtime_r)" >&2
	exit 1
fi
echo "check-banned: ok"
