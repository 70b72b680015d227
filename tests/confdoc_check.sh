#!/bin/sh
# docs/configuration.md's table of keys must be what gen_confdoc makes of
# service/config.c's key table (the one `svcd run --help` prints).
# Usage: tests/confdoc_check.sh GEN_CONFDOC SOURCE_DIR WORK_DIR
set -eu
gen=$1 src=$2 work=$3
mkdir -p "$work"
"$gen" markdown "$src/docs/configuration.md" "$work/configuration.md"
if ! diff -u "$src/docs/configuration.md" "$work/configuration.md"; then
    echo "docs/configuration.md differs from service/config.c's key table (diff above):"
    echo "regenerate it with 'cmake --build --preset native --target confdoc' and commit it"
    exit 1
fi
echo "docs/configuration.md matches service/config.c's key table"
