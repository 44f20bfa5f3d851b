#!/bin/bash
# pg.sh - a throwaway PostgreSQL cluster for tests.
#
#   scripts/pg.sh start DIR PORT        initdb DIR if needed, start it on
#                                       127.0.0.1:PORT, print its URL
#   scripts/pg.sh stop DIR              stop it and remove DIR
#   scripts/pg.sh createdb DIR PORT NAME
#                                       create database NAME (if missing)
#   scripts/pg.sh sql DIR PORT NAME SQL run SQL in database NAME
#
# The cluster is for tests only: trust authentication, listening on the
# loopback address alone, its unix socket inside DIR, and durability off
# (fsync, synchronous_commit, full_page_writes) for speed. Its data lives
# in DIR/data and its log in DIR/log. Run as root, the server runs as the
# `postgres` user (PostgreSQL refuses root) and DIR is chowned to it.
#
# The binaries come from the newest /usr/lib/postgresql/*/bin, or PG_BIN.
# Every command is idempotent: start on a running cluster prints the URL,
# stop on a missing DIR does nothing.
set -eu

die() { echo "pg.sh: $*" >&2; exit 1; }

usage() {
	sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

find_bin() {
	if [ -n "${PG_BIN:-}" ]; then
		[ -x "$PG_BIN/pg_ctl" ] || die "PG_BIN=$PG_BIN has no pg_ctl"
		echo "$PG_BIN"
		return
	fi
	local newest
	newest=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null |
		sort -V | tail -n 1)
	if [ -z "$newest" ] || [ ! -x "$newest/pg_ctl" ]; then
		die "no PostgreSQL server binaries in /usr/lib/postgresql/*/bin (install postgresql, or set PG_BIN)"
	fi
	echo "$newest"
}

# Runs a server-side command as the postgres user when we are root.
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

check_port() {
	case "$1" in
	''|*[!0-9]*) die "PORT must be a number, not '$1'" ;;
	esac
	if [ "$1" -lt 1024 ] || [ "$1" -gt 65535 ]; then
		die "PORT must be between 1024 and 65535"
	fi
}

abs_dir() {
	[ -n "$1" ] || die "DIR is empty"
	case "$1" in
	/*) echo "$1" ;;
	*) echo "$PWD/$1" ;;
	esac
}

url() { echo "postgresql://postgres@127.0.0.1:$1/postgres"; }

running() { as_pg "$BIN/pg_ctl" -D "$1/data" status >/dev/null 2>&1; }

cmd_start() {
	local dir port
	[ $# -eq 2 ] || usage
	dir=$(abs_dir "$1")
	port=$2
	check_port "$port"
	case "$dir" in *[[:space:]\'\"]*) die "DIR must not contain spaces or quotes" ;; esac

	if [ -e "$dir" ] && [ ! -f "$dir/.kith-pg" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
		die "$dir exists and is not a pg.sh cluster; choose another DIR"
	fi
	mkdir -p "$dir"
	touch "$dir/.kith-pg"
	if [ "$(id -u)" = 0 ]; then
		id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' user"
		chown -R postgres: "$dir"
		as_pg test -w "$dir" ||
			die "the postgres user cannot write to $dir (is a parent directory private?)"
	fi
	chmod 700 "$dir"

	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_pg "$BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
			--locale=C >"$dir/initdb.log" 2>&1 ||
			die "initdb failed; see $dir/initdb.log"
		echo "include_if_exists = 'kith-test.conf'" >>"$dir/data/postgresql.conf"
	fi
	if running "$dir"; then
		local have
		have=$(sed -n 's/^port = //p' "$dir/data/kith-test.conf" 2>/dev/null || true)
		[ "$have" = "$port" ] || die "$dir is already running on port ${have:-?}; stop it first"
		url "$port"
		return
	fi
	# Rewritten on every start so the port may change between runs.
	cat >"$dir/data/kith-test.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
EOF
	[ "$(id -u)" = 0 ] && chown postgres: "$dir/data/kith-test.conf"
	as_pg "$BIN/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 30 start >/dev/null ||
		die "the server did not start; see $dir/log"
	local i=0
	until "$BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; do
		i=$((i + 1))
		[ $i -le 60 ] || die "the server is not ready after 30s; see $dir/log"
		sleep 0.5
	done
	url "$port"
}

cmd_stop() {
	local dir
	[ $# -eq 1 ] || usage
	dir=$(abs_dir "$1")
	[ -e "$dir" ] || return 0
	[ -f "$dir/.kith-pg" ] || die "$dir is not a pg.sh cluster; not removing it"
	if [ -f "$dir/data/PG_VERSION" ] && running "$dir"; then
		as_pg "$BIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null ||
			die "the server did not stop; see $dir/log"
	fi
	rm -rf "$dir"
}

cmd_createdb() {
	local dir port name
	[ $# -eq 3 ] || usage
	dir=$(abs_dir "$1")
	port=$2
	name=$3
	check_port "$port"
	[[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]{0,62}$ ]] ||
		die "NAME must be letters, digits and underscores"
	[ -f "$dir/.kith-pg" ] || die "$dir is not a pg.sh cluster"
	local have
	have=$("$BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAX \
		-c "SELECT 1 FROM pg_database WHERE datname = '$name'") ||
		die "cannot reach the server on port $port"
	[ "$have" = 1 ] && return 0
	"$BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres "$name"
}

cmd_sql() {
	local dir
	[ $# -eq 4 ] || usage
	dir=$(abs_dir "$1")
	check_port "$2"
	[ -f "$dir/.kith-pg" ] || die "$dir is not a pg.sh cluster"
	"$BIN/psql" -h 127.0.0.1 -p "$2" -U postgres -d "$3" -qX -v ON_ERROR_STOP=1 -c "$4"
}

[ $# -ge 1 ] || usage
BIN=$(find_bin)
cmd=$1
shift
case "$cmd" in
start) cmd_start "$@" ;;
stop) cmd_stop "$@" ;;
createdb) cmd_createdb "$@" ;;
sql) cmd_sql "$@" ;;
*) usage ;;
esac
