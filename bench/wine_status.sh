#!/usr/bin/env bash
# Whole-process `svcclient.exe status` under Wine against the floor for a
# pipe client (bench/bench_pipe_floor.c: open the pipe, write one status
# frame, read one reply), run interleaved in one run against one svcd.exe in
# console mode in a private prefix. Prints the medians and their ratio.
#   bench/wine_status.sh WINDOWS_BUILD_DIR [RUNS]   (default 40 runs of each)
# Exits 77 (skipped) when Wine or the Windows build is missing.
set -uo pipefail
build=$(cd "${1:?usage: wine_status.sh WINDOWS_BUILD_DIR [RUNS]}" 2>/dev/null && pwd) || {
    echo "SKIPPED: no Windows build at $1 (cmake --preset windows)"
    exit 77
}
runs=${2:-40}
for tool in wine wineserver wineboot; do
    command -v "$tool" >/dev/null || {
        echo "SKIPPED: $tool is not installed"
        exit 77
    }
done
for exe in svcd.exe svcclient.exe bench/bench_pipe_floor.exe; do
    [ -f "$build/$exe" ] || {
        echo "SKIPPED: $build/$exe was not built (cmake --build --preset windows)"
        exit 77
    }
done

export WINEPREFIX="$build/bench-prefix"
export WINEDEBUG=-all
export WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY
if [ ! -f "$WINEPREFIX/system.reg" ]; then
    timeout -k 5 120 wineboot -i </dev/null >/dev/null 2>&1
    wineserver -k 2>/dev/null
    wineserver -w 2>/dev/null
fi
bin="$WINEPREFIX/drive_c/bench"
mkdir -p "$bin"
cp "$build/svcd.exe" "$build/svcclient.exe" "$build/bench/bench_pipe_floor.exe" "$bin/"
pipe='\\.\pipe\svcd-bench'

wine 'C:\bench\svcd.exe' run --endpoint "$pipe" --interval 1h </dev/null >"$build/bench-svcd.out" 2>&1 &
svcd=$!
trap 'kill $svcd 2>/dev/null; wait $svcd 2>/dev/null; wineserver -k 2>/dev/null' EXIT
for _ in $(seq 100); do
    wine 'C:\bench\svcclient.exe' --endpoint "$pipe" status </dev/null >/dev/null 2>&1 && break
    sleep 0.2
done

# us COMMAND...: one run's wall time in microseconds; fails the bench when
# the command fails (a floor that gets no reply measures nothing).
us() {
    local t0 t1
    t0=$(date +%s%N)
    "$@" </dev/null >/dev/null 2>&1 || {
        echo "bench: '$*' failed" >&2
        exit 1
    }
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000))
}
median() { sort -n | awk '{ v[NR] = $1 } END { printf "%.1f", v[int((NR + 1) / 2)] / 1000 }'; }

for _ in 1 2 3; do # warm the page cache and the wineserver
    us wine 'C:\bench\svcclient.exe' --endpoint "$pipe" status >/dev/null
    us wine 'C:\bench\bench_pipe_floor.exe' "$pipe" >/dev/null
done
: >"$build/bench-client.us"
: >"$build/bench-floor.us"
for _ in $(seq "$runs"); do
    us wine 'C:\bench\svcclient.exe' --endpoint "$pipe" status >>"$build/bench-client.us" || exit 1
    us wine 'C:\bench\bench_pipe_floor.exe' "$pipe" >>"$build/bench-floor.us" || exit 1
done
client=$(median <"$build/bench-client.us")
floor=$(median <"$build/bench-floor.us")
echo "== svcclient.exe status under $(wine --version 2>/dev/null), $runs runs each, interleaved"
printf '    svcclient.exe status     %8s ms (median wall time, whole process)\n' "$client"
printf '    pipe floor               %8s ms (open, one frame each way)\n' "$floor"
printf '    ratio                    %8.2fx   (target <= 1.30x)\n' "$(echo "$client / $floor" | bc -l)"
