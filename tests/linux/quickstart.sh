#!/usr/bin/env bash
# README's quick start, as a new user runs it: on a fresh clone, `scripts/run`
# then `scripts/test --quick`, in that order. The second must still build and
# run the unit tests (an earlier scripts/run left SVCD_TESTS=OFF in the shared
# cache and the quick suite "passed" having run nothing), and a test tree
# with no tests must fail ctest rather than pass it.
# Usage: tests/linux/quickstart.sh            (exit 77: skipped, with the reason)
set -uo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)

fails=0 passed=0
ok() {
    echo "ok - $1"
    passed=$((passed + 1))
}
not_ok() {
    echo "not ok - $1"
    fails=$((fails + 1))
}
check() {
    local what=$1
    shift
    if "$@"; then ok "$what"; else not_ok "$what"; fi
}
contains() { [[ "$1" == *"$2"* ]] || {
    printf '    expected to find: %s\n    in: %s\n' "$2" "$(tail -20 <<<"$1")"
    return 1
}; }
lacks() { [[ "$1" != *"$2"* ]] || {
    printf '    did not expect: %s\n' "$2"
    return 1
}; }

if ! git -C "$repo" rev-parse --verify -q HEAD >/dev/null; then
    echo "skipped: $repo is not a git checkout with a commit, so there is nothing to clone"
    exit 77
fi
if [ -n "$(git -C "$repo" status --porcelain --untracked-files=no)" ]; then
    echo "    note: the clone is of the committed HEAD; uncommitted changes are not in it"
fi

tmp=$(mktemp -d /tmp/svcd-quickstart.XXXXXX)
runner=
cleanup() {
    [ -n "$runner" ] && kill "$runner" 2>/dev/null && wait "$runner" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
git clone -q "$repo" "$tmp/svcd" || exit 1
cd "$tmp/svcd" || exit 1
sock="$tmp/svcd.sock"

echo "==> scripts/run (in the background, on its own endpoint)"
scripts/run --endpoint "$sock" >"$tmp/run.out" 2>&1 &
runner=$!
for _ in $(seq 1 600); do
    [ -S "$sock" ] && break
    kill -0 "$runner" 2>/dev/null || break
    sleep 0.5
done
check "scripts/run starts svcd" [ -S "$sock" ]
out=$(build/run/svcclient --endpoint "$sock" status 2>&1)
check "the client it names reaches it" contains "$out" "State: running"
check "scripts/run says where the client is" contains "$(cat "$tmp/run.out")" \
    "$tmp/svcd/build/run/svcclient status"
kill -TERM "$runner"
wait "$runner"
rc=$?
runner=
check "Ctrl-C (SIGTERM) ends it cleanly" [ "$rc" -eq 0 ]
check "scripts/run left scripts/test's build tree alone" [ ! -e build/native ]

echo "==> scripts/test --quick, after scripts/run"
out=$(scripts/test --quick 2>&1)
rc=$?
check "scripts/test --quick: exit 0" [ "$rc" -eq 0 ]
check "it ran the unit tests" contains "$out" "tests passed, 0 tests failed out of"
check "and not zero of them" lacks "$out" "No tests were found"
n=$(sed -n 's/.* tests passed, 0 tests failed out of \([0-9]*\).*/\1/p' <<<"$out" | tail -1)
check "more than ten unit tests ($n)" [ "${n:-0}" -gt 10 ]

echo "==> a tree with no tests fails ctest"
# A new tree: a reconfigure keeps the CTestTestfile of the tests built before.
rm -rf build/native
cmake --preset native -DSVCD_TESTS=OFF >/dev/null 2>&1
out=$(ctest --preset native 2>&1)
rc=$?
check "ctest --preset native on zero tests: non-zero exit" [ "$rc" -ne 0 ]
check "and says why" contains "$out" "No tests were found"

echo "quickstart: $passed passed, $fails failed"
[ "$fails" -eq 0 ]
