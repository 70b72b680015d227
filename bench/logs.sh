#!/usr/bin/env bash
# Log query benchmarks over a 1 GiB history, each next to its baseline in
# the same run (called by bench/run; usage: bench/logs.sh BUILD_DIR [MIB]).
set -euo pipefail
build=$(cd "$1" && pwd)
mib=${2:-1024}
data=$build/bench-log
sock=$build/bench-log.sock
bin=$build

if [ ! -f "$data/.complete-$mib" ]; then
    rm -rf "$data"
    mkdir -p "$data"
    echo "generating a ${mib} MiB history in $data (one entry a second, 10 MiB files)"
    "$bin/bench/bench_genlog" "$data" "$mib" 10
    touch "$data/.complete-$mib"
fi
"$bin/svcd" run --state-dir "$data" --endpoint "$sock" --rotate-keep 10000 2>/dev/null &
svcd=$!
trap 'kill $svcd 2>/dev/null; wait $svcd 2>/dev/null' EXIT
for _ in $(seq 100); do "$bin/svcclient" --endpoint "$sock" status >/dev/null 2>&1 && break; sleep 0.05; done

# median_ms RUNS COMMAND...: median wall time of the command, in ms.
median_ms() {
    local runs=$1 t0 t1
    shift
    for _ in $(seq "$runs"); do
        t0=$(date +%s%N)
        "$@" >/dev/null || {
            echo "bench: '$*' failed" >&2
            exit 1
        }
        t1=$(date +%s%N)
        echo $(((t1 - t0) / 1000))
    done | sort -n | awk '{ v[NR] = $1 } END { printf "%.2f", v[int((NR + 1) / 2)] / 1000 }'
}

row() { # name ours baseline-name baseline target ("-": for reference only)
    local target="(target <= $5)"
    [ "$5" = "-" ] && target="(for reference)"
    printf '    %-34s %9s ms   %-28s %9s ms   %5.2fx  %s\n' "$1" "$2" "$3" "$4" \
        "$(echo "$2 / $4" | bc -l)" "$target"
}

cd "$data"
client=("$bin/svcclient" --endpoint "$sock" --timeout 60)
files=(svcd.log*)
echo "    $(du -ch "${files[@]}" | tail -1 | cut -f1) in ${#files[@]} files; medians of repeated runs"
t_ours=$(median_ms 21 "${client[@]}" logs --tail 20)
t_base=$(median_ms 21 tail -n 20 svcd.log)
row "svcclient logs --tail 20" "$t_ours" "tail -n 20" "$t_base" 2
t_ours=$(median_ms 5 "${client[@]}" logs --grep needle --tail all)
t_base=$(median_ms 5 grep -c needle "${files[@]}")
matches=$("${client[@]}" logs --grep needle --tail all | wc -l)
[ "$matches" -eq "$(cat "${files[@]}" | grep -c needle)" ] || {
    echo "bench: svcclient found $matches needles, grep more" >&2
    exit 1
}
row "svcclient logs --grep needle" "$t_ours" "grep -c needle (all files)" "$t_base" 2
t_ours=$(median_ms 21 "${client[@]}" logs --since 1m)
t_base=$(median_ms 21 tail -n 20 svcd.log)
row "svcclient logs --since 1m" "$t_ours" "tail -n 20" "$t_base" 3
# Nobody waits for a long scan: status calls while one runs, the worst of
# them against the median when idle.
status_ms() {
    local a b
    a=$(date +%s%N)
    "${client[@]}" status >/dev/null
    b=$(date +%s%N)
    echo $(((b - a) / 1000))
}
idle=()
for _ in $(seq 21); do idle+=("$(status_ms)"); done
idle_med=$(printf '%s\n' "${idle[@]}" | sort -n | sed -n "$(((${#idle[@]} + 1) / 2))p")
# status_during NAME COMMAND...: runs the command in the background and
# calls status until it ends.
status_during() {
    local name=$1 scan busy=() busy_max
    shift
    "$@" >/dev/null 2>&1 &
    scan=$!
    while kill -0 "$scan" 2>/dev/null; do busy+=("$(status_ms)"); done
    wait "$scan" || true
    busy_max=$(printf '%s\n' "${busy[@]}" | sort -n | tail -1)
    printf '    %-34s %9.2f ms   %-28s %9.2f ms   %5.2fx  (%d calls during it)\n' \
        "$name" "$(echo "${busy_max:-0} / 1000" | bc -l)" \
        "status, median when idle" "$(echo "$idle_med / 1000" | bc -l)" \
        "$(echo "${busy_max:-0} / $idle_med" | bc -l)" "${#busy[@]}"
}
# `--tail 1 --grep` for a string that is nowhere searches backwards through
# every file; a tail longer than the history counts every newline back to
# the first file (the client leaves after the first entry it gets).
status_during "status, worst during a rare grep" \
    "${client[@]}" logs --tail 1 --grep no-such-needle-anywhere
status_during "status, worst during a huge tail" \
    bash -c '"$@" | head -1' _ "${client[@]}" logs --tail 999999999
if command -v journalctl >/dev/null && [ -x /lib/systemd/systemd-journal-remote ]; then
    if [ ! -f "$data/journal/.complete-$mib" ]; then
        rm -rf "$data/journal"
        mkdir -p "$data/journal"
        echo "    converting the same entries to a journal (once; about 2 minutes per GiB)"
        "$bin/bench/bench_genlog" --export "$mib" |
            /lib/systemd/systemd-journal-remote --output="$data/journal/svcd.journal" - \
                >/dev/null 2>&1
        touch "$data/journal/.complete-$mib"
    fi
    t_j=$(median_ms 21 journalctl --file "$data/journal/*.journal" -n 20 --no-pager)
    t_ours=$(median_ms 21 "${client[@]}" logs --tail 20)
    row "svcclient logs --tail 20" "$t_ours" "journalctl --file -n 20" "$t_j" "-"
else
    echo "    journalctl --file -n 20: skipped, systemd-journal-remote is not installed"
fi
