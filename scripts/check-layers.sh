#!/bin/bash
# check-layers.sh - the dependency rules of docs/ARCHITECTURE.md that an
# #include can break. Prints one line per broken rule, "file:line: why",
# and exits 1 when there is any; "check-layers: ok" and 0 otherwise.
#
#   1. src/search/, src/match/ and src/safety/ are libraries without I/O: their files
#      include only "core/..." and their own folder's of kith's, and none
#      of the libraries that do I/O or speak a format (jansson,
#      libmicrohttpd, SQLite, libpq, libcurl).
#   2. Only the edges know about HTTP and the application: a domain file
#      (any src/**/*.c or *.h outside src/http/, src/app/ and src/web/
#      whose name does not end in _web, _api or _feature) includes no
#      "http/..." and no "app/...". A feature's _feature.c registers it
#      (settings, jobs, events, commands): it is the edge the app opens.
#      Demo code is domain code (it writes data): it takes struct demo_opts
#      from core/demo.h.
#   3. Domain files do not name struct app, even as an opaque handle: rules
#      take what they use (a database handle, settings, struct directory,
#      struct mailer, struct links, struct referral_env, struct
#      freshness_env), which the edges build from the app. An include
#      rule cannot see a forward declaration, so this reads the text
#      (comments too: a comment that speaks of the app can say "the app").
#   4. cmark is read in one place, src/view/markdown.c: the options it
#      parses with and what of its tree reaches a page (no raw HTML, only
#      http(s)/mailto links, rel="nofollow ugc") are decided there, so no
#      other file includes <cmark.h> to render a post its own way.
#
# A header named like its handlers' file (x_web.h, x_api.h, x_feature.h) is
# an edge file too: it declares what only those files and their tests use.
set -euo pipefail
cd "$(dirname "$0")/.."

# file:line:#include "x" or <x>  ->  "file<TAB>line<TAB>x<TAB>quote"
includes() {
	grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]' "$@" /dev/null |
		sed -E 's/^([^:]+):([0-9]+):[[:space:]]*#[[:space:]]*include[[:space:]]*(["<])([^">]+)[">].*/\1\t\2\t\4\t\3/'
}

bad=0
report() {
	printf '%s:%s: %s\n' "$1" "$2" "$3"
	bad=1
}

# Rule 1: src/search/, src/match/ and src/safety/.
for lib in search match safety; do
	mapfile -t lib_files < <(find "src/$lib" -name '*.[ch]' 2>/dev/null | sort)
	[ ${#lib_files[@]} -gt 0 ] || continue
	while IFS=$'\t' read -r file line inc quote; do
		if [ "$quote" = '"' ]; then
			case "$inc" in
			core/*|"$lib"/*) ;;
			*) report "$file" "$line" "includes \"$inc\": src/$lib/ may include only core/ and $lib/" ;;
			esac
		else
			case "$inc" in
			jansson.h|microhttpd.h|sqlite3.h|libpq-fe.h|curl/*)
				report "$file" "$line" "includes <$inc>: src/$lib/ does no I/O and reads no format" ;;
			esac
		fi
	done < <(includes "${lib_files[@]}")
done

# Rule 2: domain files.
mapfile -t domain_files < <(find src -name '*.[ch]' \
	! -path 'src/http/*' ! -path 'src/app/*' ! -path 'src/web/*' \
	! -name '*_web.[ch]' ! -name '*_api.[ch]' ! -name '*_feature.[ch]' | sort)
if [ ${#domain_files[@]} -gt 0 ]; then
	while IFS=$'\t' read -r file line inc quote; do
		[ "$quote" = '"' ] || continue
		case "$inc" in
		http/*|app/*) report "$file" "$line" "includes \"$inc\": only *_web, *_api and *_feature files, src/http/, src/app/ and src/web/ may" ;;
		esac
	done < <(includes "${domain_files[@]}")
fi

# Rule 3: no struct app in domain files (not struct applied: a whole word).
if [ ${#domain_files[@]} -gt 0 ]; then
	while IFS=: read -r file line _; do
		report "$file" "$line" "names struct app: domain code takes what it needs (a settings struct, struct mailer, struct links, ...), built by an edge"
	done < <(grep -nE 'struct[[:space:]]+app([^_[:alnum:]]|$)' "${domain_files[@]}" /dev/null || true)
fi

# Rule 4: <cmark.h> in src/view/markdown.c only.
mapfile -t all_files < <(find src -name '*.[ch]' | sort)
while IFS=$'\t' read -r file line inc quote; do
	if [ "$quote" = '<' ] && [ "$inc" = cmark.h ] && [ "$file" != src/view/markdown.c ]; then
		report "$file" "$line" "includes <cmark.h>: posts' Markdown goes through view/markdown.h, which alone decides what of it reaches a page"
	fi
done < <(includes "${all_files[@]}")

if [ $bad -ne 0 ]; then
	echo "check-layers: the lines above break the layering (docs/ARCHITECTURE.md)" >&2
	exit 1
fi
echo "check-layers: ok"
