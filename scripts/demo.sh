#!/bin/sh
# demo.sh - seed a demo town and serve it on http://localhost:8080.
# Called by `make demo` after the build. The demo database lives in
# var/demo.db and is refreshed on every run; stop the server with Ctrl-C.
set -eu
cd "$(dirname "$0")/.."

DB=${KITH_DEMO_DB:-sqlite:var/demo.db}
LISTEN=${KITH_DEMO_LISTEN:-127.0.0.1:8080}

mkdir -p var
build/kith demo --db "$DB"
echo
echo "kith is starting on http://localhost:${LISTEN##*:} (Ctrl-C stops it)"
exec build/kith serve --db "$DB" --listen "$LISTEN" --dev-mode true
