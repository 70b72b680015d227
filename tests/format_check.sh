#!/bin/sh
# Fails when a C source differs from what clang-format makes of it.
# Skipped (exit 77) where clang-format is not installed.
set -eu
cd "$1"
if ! command -v clang-format >/dev/null 2>&1; then
    echo "SKIPPED: clang-format is not installed"
    exit 77
fi
files=$(git ls-files '*.c' '*.h' 2>/dev/null || find common service client tests bench -name '*.[ch]')
clang-format --dry-run --Werror $files
echo "clang-format: $(echo "$files" | wc -w) files clean"
