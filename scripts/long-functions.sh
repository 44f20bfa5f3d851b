#!/bin/bash
# long-functions.sh - functions in src/ longer than a screenful or two.
#
#   scripts/long-functions.sh [MAX] [DIR...]     (default 150 lines, src/)
#
# Prints "file:line: name is N lines" for every function of more than MAX
# lines, counted from its signature line to its closing brace, unless one
# of the three lines above the signature holds a comment with "long:"
# saying why it stays long:
#
#   /* long: one state machine over the template's bytes; split, its
#    * states would be spread over many functions. */
#   static enum err html_feed(...)
#
# Exits 1 when it printed anything, 0 otherwise. Counts braces in kith's
# style (a function's braces open and close in column 0), and also asks
# universal-ctags when it is installed (apt-get install universal-ctags).
set -euo pipefail
cd "$(dirname "$0")/.."

max=150
if [[ ${1:-} =~ ^[0-9]+$ ]]; then
	max=$1
	shift
fi
dirs=("$@")
[ ${#dirs[@]} -gt 0 ] || dirs=(src)

# "file<TAB>name<TAB>first line<TAB>last line" for every function.
functions_ctags() {
	find "${dirs[@]}" -name '*.c' -print0 | sort -z |
		xargs -0 ctags --languages=C --kinds-C=f --fields=+ne -o - |
		awk -F'\t' '{
			line = ""; end = ""
			for (i = 4; i <= NF; i++) {
				if ($i ~ /^line:/) line = substr($i, 6)
				if ($i ~ /^end:/) end = substr($i, 5)
			}
			if (line != "" && end != "") print $2 "\t" $1 "\t" line "\t" end
		}'
}

functions_braces() {
	find "${dirs[@]}" -name '*.c' -print0 | sort -z | xargs -0 awk '
		FNR == 1 { sig = 0; name = ""; open = 0 }
		# In column 0: a line with "(" begins a signature (its name is the
		# word before the "("); one ending in ";" or "}" is a declaration or
		# a one-line function; "{" alone opens the body, "}" closes it.
		!open && /^[A-Za-z_]/ {
			if ($0 ~ /[;}][[:space:]]*$/) {
				sig = 0; name = ""
			} else if (match($0, /[A-Za-z_][A-Za-z0-9_]*[[:space:]]*\(/)) {
				sig = FNR
				name = substr($0, RSTART, RLENGTH)
				sub(/[[:space:]]*\($/, "", name)
			}
			next
		}
		!open && /^\{/ && sig && name != "" { open = 1; next }
		open && /^\}/ { print FILENAME "\t" name "\t" sig "\t" FNR; open = 0; sig = 0; name = ""; next }
		!open && /^[^[:space:]]/ { sig = 0; name = "" }
		!open && /;[[:space:]]*$/ { sig = 0; name = "" }
	'
}

# Both when ctags is there: ctags reads any layout but loses its way in a
# few constructs (it missed two functions of referral.c), the brace count
# reads only kith's layout; a function either finds is listed once.
list=$(functions_braces)
if command -v ctags >/dev/null 2>&1 && ctags --version 2>/dev/null | grep -q 'Universal Ctags'; then
	list=$(printf '%s\n%s\n' "$list" "$(functions_ctags)")
fi

found=0
while IFS=$'\t' read -r file name first last; do
	[ -n "$file" ] || continue
	n=$((last - first + 1))
	[ "$n" -gt "$max" ] || continue
	from=$((first > 3 ? first - 3 : 1))
	if sed -n "${from},$((first - 1))p" "$file" | grep -q 'long:'; then
		continue
	fi
	echo "$file:$first: $name is $n lines"
	found=1
done < <(printf '%s\n' "$list" | sort -t$'\t' -k1,1 -k3,3n -u)

exit $found
