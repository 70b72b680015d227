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
# Nobody waits for a long scan: status, p99, while a rare grep and a huge
# tail run at once, against status when idle (bench/bench_busy.c).
"$bin/bench/bench_busy" "$sock" "${BUSY_SECONDS:-10}"
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

# Many files (issue 13, case 4): `logs -n 1` over 10 000 small rotated
# files (rotate_keep allows that many), each query after the first against
# `tail -n 1` of the current file.
many=$build/bench-many
if [ ! -f "$many/.complete" ]; then
    rm -rf "$many"
    mkdir -p "$many"
    awk -v dir="$many" 'BEGIN {
        seq = 1
        for (f = 0; f < 10001; f++) {
            name = f < 10000 ? sprintf("%s/svcd.log.%012d", dir, seq) : dir "/svcd.log"
            for (i = 0; i < 3; i++) {
                t = seq
                printf "{\"seq\":%d,\"time\":\"2026-11-30T%02d:%02d:%02d.000000Z\",\"level\":\"info\",\"logger\":\"worker\",\"msg\":\"entry %d\"}\n", seq, int(t / 3600) % 24, int(t / 60) % 60, t % 60, seq > name
                seq++
            }
            close(name)
        }
    }'
    touch "$many/.complete"
fi
kill $svcd 2>/dev/null
wait $svcd 2>/dev/null || true
msock=$build/bench-many.sock
"$bin/svcd" run --state-dir "$many" --endpoint "$msock" --rotate-keep 10000 \
    --rotate-size 1G 2>/dev/null &
svcd=$!
for _ in $(seq 600); do "$bin/svcclient" --endpoint "$msock" status >/dev/null 2>&1 && break; sleep 0.05; done
mclient=("$bin/svcclient" --endpoint "$msock" --timeout 60)
sleep 1.2 # past LOGFILES_RACY_US since svcd's start touched the directory
cd "$many"
t_first=$(median_ms 1 "${mclient[@]}" logs -n 1)
t_ours=$(median_ms 21 "${mclient[@]}" logs -n 1)
t_base=$(median_ms 21 tail -n 1 svcd.log)
echo "    10 000 rotated files of 3 entries; the first query after start took $t_first ms"
row "svcclient logs -n 1 (10 000 files)" "$t_ours" "tail -n 1" "$t_base" 2
