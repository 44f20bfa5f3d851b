#!/bin/sh
# Install what kith needs to build, test, benchmark and run its demo, on
# Debian 12, idempotently: packages already present are left alone, so a
# second run costs a few dpkg queries and nothing else.
#
# Called by `make demo` and `make test`; safe to run by hand. Needs root for
# apt (it uses sudo when not root and sudo exists).
#
#   scripts/install-deps.sh        Debian packages, then npm packages
#   scripts/install-deps.sh npm    npm packages only (the Makefile's
#                                  node_modules rule, on a fresh clone)
set -eu

cd "$(dirname "$0")/.."

case "${1:-all}" in
all) only_npm=false ;;
npm) only_npm=true ;;
*) echo "usage: $0 [npm]" >&2; exit 2 ;;
esac

PKGS="build-essential pkg-config clang libclang-rt-dev ca-certificates
libmicrohttpd-dev libsqlite3-dev sqlite3 libpq-dev libjansson-dev
libsodium-dev libcurl4-openssl-dev libcmark-dev libinih-dev libcmocka-dev libical-dev
libcrack2-dev cracklib-runtime libstemmer-dev zlib1g-dev
postgresql postgresql-contrib nginx-light wrk procps curl time
python3 python3-pytest python3-requests python3-jsonschema python3-aiosmtpd
chromium fonts-dejavu-core nodejs npm faketime liblemon-dev
python3-icalendar python3-dateutil"

missing=""
$only_npm && PKGS=""
for p in $PKGS; do
	# A package counts as present only when dpkg says it is fully installed.
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case "$st" in
	ii*) ;;
	*)
		# nodejs/npm may come from another repository (nodesource bundles
		# npm into nodejs); a working binary is what matters.
		case "$p" in
		nodejs) command -v node >/dev/null 2>&1 && continue ;;
		npm) command -v npm >/dev/null 2>&1 && continue ;;
		esac
		missing="$missing $p"
		;;
	esac
done

if [ -n "$missing" ]; then
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO="sudo"
	echo "install-deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	# Installing postgresql or nginx must not leave their system services
	# holding ports: kith's scripts start their own on loopback.
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
		$SUDO chmod +x /usr/sbin/policy-rc.d
		trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
	fi
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing
fi

# npm packages: pinned in package.json/package-lock.json; node_modules is
# rebuilt only when the lock file is newer than the last install.
if [ ! -f node_modules/.kith-installed ] || [ package-lock.json -nt node_modules/.kith-installed ]; then
	if ! command -v npm >/dev/null 2>&1; then
		echo "install-deps: npm is missing: run scripts/install-deps.sh as root (it installs nodejs and npm)" >&2
		exit 1
	fi
	echo "install-deps: installing npm packages"
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.kith-installed
fi
