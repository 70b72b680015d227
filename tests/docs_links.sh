#!/usr/bin/env bash
# README.md and docs/*.md: every relative link names a file of the repository
# and, after '#', a heading of it (GitHub's anchors); no text names a path of
# a build machine or a place outside the repository.
# Usage: tests/docs_links.sh SOURCE_DIR
set -uo pipefail
src=$(cd "$1" && pwd)
cd "$src" || exit 1
fails=0 links=0
not_ok() {
    echo "not ok - $1"
    fails=$((fails + 1))
}

# The anchors of a markdown file: its headings outside code fences, as
# GitHub makes them (lower case; only letters, digits, '-', '_' and spaces
# kept; spaces become '-').
anchors() {
    awk '/^```/ { fence = !fence; next }
         !fence && /^#+ / {
             h = $0; sub(/^#+ +/, "", h); h = tolower(h)
             gsub(/[^a-z0-9 _-]/, "", h); gsub(/ /, "-", h); print h
         }' "$1"
}

docs=(README.md docs/*.md)
for doc in "${docs[@]}"; do
    dir=$(dirname "$doc")
    # Paths of our machines and pointers outside the repository.
    if grep -nE '/work/|/root/|\.\./shared' "$doc" >/tmp/svcd-docs-links.$$; then
        while IFS= read -r line; do not_ok "$doc:${line%%:*} names a machine's path: ${line#*:}"; done \
            </tmp/svcd-docs-links.$$
    fi
    rm -f /tmp/svcd-docs-links.$$
    while IFS= read -r target; do
        links=$((links + 1))
        case $target in
        http://* | https://* | mailto:*) continue ;;
        esac
        file=${target%%#*} anchor=
        [[ $target == *#* ]] && anchor=${target#*#}
        if [ -z "$file" ]; then
            path=$doc
        else
            path=$dir/$file
        fi
        if [ ! -e "$path" ]; then
            not_ok "$doc: link to $target: $path does not exist"
            continue
        fi
        real=$(realpath "$path")
        if [[ $real != "$src"/* && $real != "$src" ]]; then
            not_ok "$doc: link to $target leaves the repository"
            continue
        fi
        if [ -n "$anchor" ] && ! anchors "$path" | grep -qxF -- "$anchor"; then
            not_ok "$doc: link to $target: $path has no heading with the anchor #$anchor"
        fi
    done < <(awk '/^```/ { fence = !fence; next } !fence' "$doc" |
        grep -oE '\]\([^) ]+\)' | sed 's/^](//; s/)$//')
done
if [ "$fails" -eq 0 ]; then
    echo "ok - ${#docs[@]} documents, $links links: every relative link and anchor resolves"
fi
[ "$fails" -eq 0 ]
