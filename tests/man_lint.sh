#!/bin/sh
# The man pages the .deb installs render without a warning (man --warnings,
# what lintian's groff check runs) and have a NAME section whatis can read
# (lexgrog). Skipped (exit 77) without man-db.
# Usage: tests/man_lint.sh PAGE...
set -u
for tool in man lexgrog; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIPPED: $tool is not installed (man-db)"
        exit 77
    fi
done
fails=0
for page in "$@"; do
    warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
    if [ -n "$warnings" ]; then
        echo "not ok - $page renders with warnings:"
        echo "$warnings" | sed 's/^/    /'
        fails=$((fails + 1))
    else
        echo "ok - $page renders without warnings"
    fi
    if lexgrog "$page" >/dev/null 2>&1; then
        echo "ok - lexgrog reads $page: $(lexgrog "$page" | cut -d: -f2-)"
    else
        echo "not ok - lexgrog cannot read the NAME section of $page"
        fails=$((fails + 1))
    fi
done
[ "$fails" -eq 0 ]
