#!/usr/bin/env bash
# A real log shipper against a real svcd: rsyslog (imfile on svcd.log ->
# mmjsonparse -> omfwd over TCP) ships to a second rsyslog (imtcp ->
# mmjsonparse -> omfile) on 127.0.0.1, with the configurations docs/log-format.md shows
# (packaging/linux/rsyslog/, read from there, only paths, host and port
# replaced). Scenarios: fast rotation (imfile inotify, then polling), kill -9
# plus a torn tail and a restart, a burst of audit entries, and (as root) the
# shipper as its own unprivileged user reading through svcd's log_group.
# After each, every entry in svcd's files (svcd.log and svcd.log.*) must have
# arrived exactly once as the same JSON object (matched by seq), and nothing
# else: no fragment, no line the shipper read that the files never held.
# Both rsyslogd run private (-n -f CONF -i PIDFILE, their own work directory,
# no imuxsock/imklog) in a temporary directory under BUILD_DIR; the machine's
# rsyslog service is never touched.
# Usage: tests/linux/shipper.sh BUILD_DIR     (exit 77: skipped, with the reason)
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=$(cd "${1:?usage: shipper.sh BUILD_DIR}" 2>/dev/null && pwd) || {
    echo "SKIPPED: no native build at $1"
    exit 77
}
svcd=$build/svcd
client=$build/svcclient
ship_conf=$src/packaging/linux/rsyslog/svcd-ship.conf
recv_conf=$src/packaging/linux/rsyslog/svcd-receive.conf
rsyslogd=$(command -v rsyslogd 2>/dev/null || echo /usr/sbin/rsyslogd)

skipped_scenarios=()
skip() {
    echo "SKIPPED: $*"
    exit 77
}
{ [ -x "$svcd" ] && [ -x "$client" ]; } || skip "no svcd/svcclient in $build (build it first)"
[ -x "$rsyslogd" ] || skip "rsyslogd is not installed (apt-get install rsyslog)"
command -v jq >/dev/null || skip "jq is not installed (apt-get install jq)"

tmp=$(mktemp -d "$build/shipper.XXXXXX") || skip "cannot create a directory in $build"
chmod 755 "$tmp" # the unprivileged shipper of the log_group scenario walks it
pids=()
temp_user=
temp_group=
cleanup() {
    local p
    for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    [ -n "$temp_user" ] && userdel "$temp_user" 2>/dev/null
    [ -n "$temp_group" ] && groupdel "$temp_group" 2>/dev/null
    if [ "${failed:-0}" -eq 0 ] && [ -z "${SVCD_SHIPPER_KEEP:-}" ]; then
        rm -rf "$tmp"
    else
        echo "(the scenarios' files are kept in $tmp)"
    fi
}
trap cleanup EXIT

# The modules the configurations load must exist: rsyslog's packaging splits
# some off (rsyslog-relp, rsyslog-gnutls...); these three are in rsyslog itself.
printf '%s\n' "global(workDirectory=\"$tmp\")" 'module(load="imfile" mode="inotify")' \
    'module(load="imtcp")' 'module(load="mmjsonparse")' \
    "input(type=\"imfile\" file=\"$tmp/none.log\" tag=\"t\")" \
    'input(type="imtcp" port="0" address="127.0.0.1")' 'action(type="mmjsonparse" cookie="")' \
    "action(type=\"omfile\" file=\"$tmp/modules.log\")" >"$tmp/modules.conf"
"$rsyslogd" -N1 -f "$tmp/modules.conf" >"$tmp/modules.out" 2>&1 ||
    skip "rsyslogd cannot load imfile, imtcp and mmjsonparse: $(tr '\n' ' ' <"$tmp/modules.out")"

passed=0
failed=0
ok() {
    echo "ok - $1"
    passed=$((passed + 1))
}
not_ok() {
    echo "not ok - $1"
    failed=$((failed + 1))
}

help=$("$svcd" run --help 2>&1)
has_flag() { grep -q -- "^  $1 " <<<"$help"; }
min_age=()
if has_flag --rotate-min-age; then
    # 2 s, not the default 10 s, so that a short test sees several rotations;
    # still twice the polling shipper's 1 s interval, as docs/log-format.md asks.
    min_age=(--rotate-min-age 2s)
    echo "# svcd has --rotate-min-age: the rotation scenarios run with --rotate-min-age 2s"
else
    echo "# svcd has no --rotate-min-age yet: the rotation scenarios rotate as fast as rotate_size says"
fi

# The configurations docs/log-format.md shows must be the files this test runs.
in_docs() {
    awk 'NR == FNR { want[++n] = $0; next }
         { line[++m] = $0 }
         END {
             for (i = 1; i + n - 1 <= m; i++) {
                 for (j = 1; j <= n && line[i + j - 1] == want[j]; j++) {}
                 if (j > n) exit 0
             }
             exit 1
         }' "$1" "$src/docs/log-format.md"
}
for f in "$ship_conf" "$recv_conf"; do
    if in_docs "$f"; then
        ok "docs/log-format.md shows ${f#"$src"/} as it is"
    else
        not_ok "docs/log-format.md shows ${f#"$src"/} as it is (they drifted apart: copy the file into docs/log-format.md)"
    fi
done

# Replaces every FROM with TO in the text in $conf; fails when FROM is absent
# (the configuration changed in a way this test does not know).
conf=
subst() {
    if [[ $conf != *"$1"* ]]; then
        echo "error: the configuration has no '$1' to replace; update tests/linux/shipper.sh" >&2
        return 1
    fi
    conf=${conf//"$1"/"$2"}
}

# Starts the receiving rsyslogd for scenario directory $1 (it writes $1/port).
start_receiver() {
    local d=$1
    mkdir -p "$d/recv-work"
    conf=$(cat "$recv_conf")
    subst 'port="514"' "port=\"0\" address=\"127.0.0.1\" listenPortFileName=\"$d/port\"" &&
        subst '/var/log/fleet/' "$d/fleet/" || return 1
    {
        echo "global(workDirectory=\"$d/recv-work\")"
        echo "$conf"
        echo "*.* action(type=\"omfile\" file=\"$d/recv-internal.log\")"
    } >"$d/receive.conf"
    "$rsyslogd" -n -f "$d/receive.conf" -i "$d/recv.pid" >"$d/recv.out" 2>&1 </dev/null &
    pids+=($!)
    recv_pid=$!
    local _
    for _ in $(seq 100); do
        [ -s "$d/port" ] && return 0
        sleep 0.1
    done
    echo "error: the receiving rsyslogd did not listen: $(cat "$d/recv.out")" >&2
    return 1
}

# Starts the shipping rsyslogd for scenario directory $1 on the log in $2,
# imfile mode $3 (inotify or polling), as user $4 (empty: as we are). An
# observer ruleset records every line imfile read (seen.log), then hands it
# to the configuration's own ruleset.
start_sender() {
    local d=$1 state=$2 mode=$3 user=$4 port _
    port=$(cat "$d/port")
    mkdir -p "$d/send"
    conf=$(cat "$ship_conf")
    subst 'target="logs.example.net"' 'target="127.0.0.1"' &&
        subst 'port="514"' "port=\"$port\"" &&
        subst '"/var/log/svcd/svcd.log"' "\"$state/svcd.log\"" &&
        subst 'ruleset="svcd_ship")' 'ruleset="test_observe")' || return 1
    if [ "$mode" = polling ]; then
        subst 'mode="inotify"' 'mode="polling" pollingInterval="1"' || return 1
    fi
    {
        echo "global(workDirectory=\"$d/send\")"
        echo "$conf"
        printf '%s\n' 'template(name="test_line" type="string" string="%msg%\n")'
        echo 'ruleset(name="test_observe") {'
        echo "    action(type=\"omfile\" file=\"$d/send/seen.log\" template=\"test_line\")"
        echo '    call svcd_ship'
        echo '}'
        echo "*.* action(type=\"omfile\" file=\"$d/send/internal.log\")"
    } >"$d/ship.conf"
    if [ -n "$user" ]; then
        chown -R "$user" "$d/send"
        setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups -- \
            "$rsyslogd" -n -f "$d/ship.conf" -i "$d/send/pid" >"$d/send.out" 2>&1 </dev/null &
    else
        "$rsyslogd" -n -f "$d/ship.conf" -i "$d/send/pid" >"$d/send.out" 2>&1 </dev/null &
    fi
    pids+=($!)
    send_pid=$!
    for _ in $(seq 100); do
        [ -s "$d/send/pid" ] && break
        sleep 0.1
    done
    # imfile sets its watch once its input thread runs, just after the pid file.
    sleep 1
    kill -0 "$send_pid" 2>/dev/null || {
        echo "error: the shipping rsyslogd exited: $(cat "$d/send.out")" >&2
        return 1
    }
}

# Starts svcd on state directory $1/state, endpoint $1/svcd.sock, with "$@".
# As root svcd refuses to start unless its control group exists; root's own
# group always does, even where no package made the svcd group.
svcd_group=()
[ "$(id -u)" -eq 0 ] && svcd_group=(--control-group "$(id -gn)")
start_svcd() {
    local d=$1 _
    shift
    rm -f "$d/svcd.sock"
    "$svcd" run --endpoint "$d/svcd.sock" --state-dir "$d/state" --rotate-keep 10000 \
        "${svcd_group[@]}" "$@" \
        >>"$d/svcd.out" 2>&1 </dev/null &
    pids+=($!)
    svcd_pid=$!
    for _ in $(seq 100); do
        [ -S "$d/svcd.sock" ] && return 0
        sleep 0.1
    done
    echo "error: svcd did not start: $(cat "$d/svcd.out")" >&2
    return 1
}

stop() { # pid [signal]
    kill "-${2:-TERM}" "$1" 2>/dev/null
    wait "$1" 2>/dev/null
    return 0
}

# Waits until nothing more arrives: the receiver's files and the lines the
# shipper read stay the same for $2 quarter seconds (default 6; the polling
# shipper, which looks once a second, needs 10) once svcd's last entry has
# arrived, or for four times as long if it never does (a loaded machine may
# stall a shipper for a while), at most 60 s.
wait_quiet() {
    local d=$1 need=${2:-6} last='' now i stable=0 final
    final=$(tail -n 1 "$d/state/svcd.log" 2>/dev/null | sed -n 's/.*"seq":\([0-9]*\).*/\1/p')
    for i in $(seq 240); do
        now=$(cat "$d"/fleet/*/* "$d/send/seen.log" 2>/dev/null | wc -c)
        if [ "$now" = "$last" ]; then
            stable=$((stable + 1))
            [ "$stable" -ge $((need * 4)) ] && return 0
            if [ "$stable" -ge "$need" ] && [ -n "$final" ] &&
                grep -q -E "\"seq\": ?${final}[,} ]" "$d"/fleet/*/svcd.json 2>/dev/null; then
                return 0
            fi
        else
            stable=0
            last=$now
        fi
        sleep 0.25
    done
    echo "# still receiving after 60 s"
}

# Each JSON object with a seq on stdin as "seq<TAB>object", keys sorted, so
# that two spellings of one object (rsyslog re-serializes it) compare equal.
entries() { jq -R -c -S 'fromjson? | objects | select(has("seq")) | [.seq, .]' |
    sed -E 's/^\[([0-9]+),(.*)\]$/\1\t\2/'; }
# The lines on stdin that are not a JSON object.
non_json() { jq -R -r 'select((try (fromjson | type) catch "none") != "object")'; }

# Compares what scenario directory $1 received with its svcd's files and
# prints one line of numbers; $2 names the scenario, $3 is the minimum
# number of rotated files that make it mean something.
check() {
    local d=$1 name=$2 min_rotated=$3 state=$1/state
    local files=() f
    for f in "$state"/svcd.log "$state"/svcd.log.*; do [ -f "$f" ] && files+=("$f"); done
    cat "${files[@]}" | entries >"$d/written.tsv"
    cat "${files[@]}" | non_json >"$d/written-other.txt"
    cat "$d"/fleet/*/svcd.json 2>/dev/null | entries >"$d/received.tsv"
    cat "$d"/fleet/*/svcd.json 2>/dev/null | non_json >"$d/received-other.txt"
    cat "$d"/fleet/*/unparsed.log 2>/dev/null >>"$d/received-other.txt"
    # Lines the shipper read that are not JSON and are no line of the files:
    # it read across a cut (a file that shrank under it).
    non_json <"$d/send/seen.log" 2>/dev/null | grep -v -x -F -f "$d/written-other.txt" \
        >"$d/torn-reads.txt"

    awk -F'\t' -v nother="$(wc -l <"$d/received-other.txt")" \
        -v ntorn="$(wc -l <"$d/torn-reads.txt")" -v rotated="$((${#files[@]} - 1))" '
        function ranges(list,    n, a, i, out, start, prev) {
            n = split(list, a, " ")
            if (n == 0) return "none"
            # numeric sort (insertion: the lists are short or already sorted)
            for (i = 2; i <= n; i++) { v = a[i] + 0; j = i - 1
                while (j > 0 && a[j] + 0 > v) { a[j + 1] = a[j]; j-- } a[j + 1] = v }
            out = ""; start = prev = a[1]
            for (i = 2; i <= n + 1; i++) {
                if (i <= n && a[i] == prev + 1) { prev = a[i]; continue }
                out = out (out == "" ? "" : ",") (start == prev ? start : start "-" prev)
                if (length(out) > 200) return out ",..."
                if (i <= n) start = prev = a[i]
            }
            return out
        }
        FILENAME == ARGV[1] { if (!($1 in obj)) { written++; obj[$1] = $2 } else wdup[$1]++
                    if (min == "" || $1 + 0 < min) min = $1 + 0
                    if ($1 + 0 > max) max = $1 + 0
                    next }
        { received++; got[$1]++
          if (!($1 in obj)) { unknown++; ulist = ulist " " $1 }
          else if (obj[$1] != $2) { altered++; if (altered == 1) { aseq = $1; aobj = $2 } } }
        END {
            for (s in obj) if (!(s in got)) { missing++; mlist = mlist " " s }
                           else if (got[s] > 1) { dup += got[s] - 1; dlist = dlist " " s }
            for (s in wdup) { wdups += wdup[s]; wdlist = wdlist " " s }
            gaps = (written ? max - min + 1 - written : 0)
            frag = nother + unknown + altered
            printf "written %d, received %d, missing %d, duplicated %d, fragments %d", \
                written, received, missing, dup, frag
            printf " (seqs %s-%s in %d rotated files + svcd.log)\n", min, max, rotated
            if (missing) print "    missing seqs: " ranges(mlist)
            if (dup) print "    duplicated seqs: " ranges(dlist)
            if (nother) print "    " nother " received record(s) not JSON"
            if (unknown) print "    " unknown " received object(s) with a seq no file holds: " ranges(ulist)
            if (altered) print "    " altered " received object(s) unlike the file'"'"'s, first seq " aseq ": " aobj "\n      file: " obj[aseq]
            if (ntorn) print "    the shipper read " ntorn " line(s) the files do not hold (it read across a cut)"
            if (wdups) print "    svcd'"'"'s files hold " wdups " seq(s) twice or more: " ranges(wdlist)
            if (gaps) print "    svcd'"'"'s files skip " gaps " seq(s) between " min " and " max
            bad = missing + dup + frag + ntorn + wdups + gaps
            if (written == 0) { print "    svcd wrote no entry"; bad++ }
            exit bad > 0
        }' "$d/written.tsv" "$d/received.tsv" >"$d/result.txt"
    local rc=$? rotated=$((${#files[@]} - 1))
    if [ "$rotated" -lt "$min_rotated" ]; then
        echo "    only $rotated rotated file(s), expected at least $min_rotated" >>"$d/result.txt"
        rc=1
    fi
    if [ "$rc" -eq 0 ]; then
        ok "$name: $(head -1 "$d/result.txt")"
    else
        not_ok "$name: $(head -1 "$d/result.txt")"
        tail -n +2 "$d/result.txt"
        for f in "$d/send/internal.log" "$d/recv-internal.log" "$d/send.out" "$d/recv.out"; do
            # (imfile's note that svcd.log did not exist yet when it started is expected)
            [ -s "$f" ] && grep -v 'does not exist but is configured in static file monitor' "$f" |
                sed "s|^|    ${f#"$d"/}: |" | tail -5
        done
    fi
    RESULTS+=("$name: $(head -1 "$d/result.txt")")
}
RESULTS=()

# A heartbeat message of 200 bytes: with rotate_size 4096 and 10 ms between
# heartbeats, about 7 rotations a second (the issue's polling loss was at 6).
pad=$(printf '%0200d' 0 | tr 0 x)
fast=(--interval 10ms --heartbeat-message "heartbeat {n} $pad" --rotate-size 4096)

# (a) steady heartbeats rotating fast, shipped by imfile in mode $1.
scenario_rotation() {
    local mode=$1 d=$tmp/rotation-$1
    mkdir -p "$d/state"
    echo "==> (a) fast rotation, imfile $mode"
    start_receiver "$d" && start_sender "$d" "$d/state" "$mode" "" &&
        start_svcd "$d" "${fast[@]}" "${min_age[@]}" || {
        not_ok "(a) fast rotation, imfile $mode: the pipeline did not start"
        return
    }
    sleep 6
    stop "$svcd_pid"
    if [ "$mode" = polling ]; then wait_quiet "$d" 10; else wait_quiet "$d"; fi
    stop "$send_pid"
    stop "$recv_pid"
    check "$d" "(a) fast rotation, imfile $mode" 2
}

# (b) kill -9, a torn tail appended by hand (half of a next line, no newline)
# while the shipper watches, then a restart that recovers the log.
scenario_kill() {
    local d=$tmp/kill last seq torn
    mkdir -p "$d/state"
    echo "==> (b) kill -9, a torn tail, a restart (imfile inotify)"
    start_receiver "$d" && start_sender "$d" "$d/state" inotify "" &&
        start_svcd "$d" --interval 20ms || {
        not_ok "(b) kill -9 + torn tail: the pipeline did not start"
        return
    }
    sleep 2.5
    stop "$svcd_pid" KILL
    sleep 1
    last=$(tail -n 1 "$d/state/svcd.log")
    seq=$(sed -n 's/.*"seq":\([0-9]*\).*/\1/p' <<<"$last")
    torn=${last/\"seq\":$seq/\"seq\":$((seq + 1))}
    torn=${torn:0:$((${#torn} / 2))}
    printf '%s' "$torn" >>"$d/state/svcd.log"
    echo "# after seq $seq appended the torn line '$torn'"
    sleep 1.5
    start_svcd "$d" --interval 20ms || {
        not_ok "(b) kill -9 + torn tail: svcd did not start again"
        return
    }
    sleep 2.5
    stop "$svcd_pid"
    wait_quiet "$d"
    stop "$send_pid"
    stop "$recv_pid"
    if cat "$d"/state/svcd.log* | grep -q -x -F -- "$torn"; then
        echo "# svcd kept the torn line and ended it with a newline (the file never shrank)"
    else
        echo "# svcd's files no longer hold the torn line (it was cut off: the file shrank)"
    fi
    check "$d" "(b) kill -9 + torn tail + restart" 0
}

# (c) a burst: 4 clients at once each send 15 pause/resume pairs (each
# request an audit entry or two, synced at once) over 10 ms heartbeats,
# rotating at 4 KiB.
scenario_burst() {
    local d=$tmp/burst w clients=()
    mkdir -p "$d/state"
    echo "==> (c) a burst of 120 pause/resume requests from 4 clients at once (imfile inotify)"
    start_receiver "$d" && start_sender "$d" "$d/state" inotify "" &&
        start_svcd "$d" --interval 10ms --rotate-size 4096 "${min_age[@]}" || {
        not_ok "(c) burst: the pipeline did not start"
        return
    }
    local t0=$SECONDS
    for w in 1 2 3 4; do
        (
            for i in $(seq 15); do
                "$client" --endpoint "$d/svcd.sock" pause >/dev/null 2>>"$d/client.err" &&
                    "$client" --endpoint "$d/svcd.sock" resume >/dev/null 2>>"$d/client.err" ||
                    echo "client $w: pause/resume $i failed" >>"$d/client.err"
            done
        ) &
        clients+=($!)
    done
    for w in "${clients[@]}"; do wait "$w"; done
    echo "# the 120 requests took $((SECONDS - t0)) s"
    # at least 3 s more: a file rotates only once rotate_min_age (2 s) old,
    # and the burst alone may be over well before that
    sleep 3
    stop "$svcd_pid"
    wait_quiet "$d"
    stop "$send_pid"
    stop "$recv_pid"
    [ -s "$d/client.err" ] && echo "# svcclient: $(sort "$d/client.err" | uniq -c | head -3)"
    check "$d" "(c) burst of pause/resume" 1
}

# Item 8: the shipper runs as its own unprivileged user, which reads the log
# only through svcd's log_group (a temporary user and group, removed after).
scenario_user() {
    local name="(d) shipper as its own user, through log_group"
    local d=$tmp/user f bad=0
    if [ "$(id -u)" -ne 0 ]; then
        echo "skip - $name: needs root (to create a user and run svcd as root)"
        skipped_scenarios+=("(d): needs root")
        return
    fi
    if ! has_flag --log-group; then
        not_ok "$name: svcd run has no --log-group"
        return
    fi
    for tool in useradd userdel groupadd groupdel setpriv; do
        command -v "$tool" >/dev/null || {
            echo "skip - $name: $tool is not installed"
            skipped_scenarios+=("(d): no $tool")
            return
        }
    done
    echo "==> $name"
    temp_group=svcdlog$$
    temp_user=svcdship$$
    groupadd --system "$temp_group" &&
        useradd --system --no-create-home --no-user-group --groups "$temp_group" \
            --home-dir /nonexistent --shell /usr/sbin/nologin "$temp_user" || {
        not_ok "$name: cannot create the user $temp_user and group $temp_group"
        return
    }
    mkdir -p "$d/state"
    start_receiver "$d" && start_sender "$d" "$d/state" inotify "$temp_user" &&
        start_svcd "$d" "${fast[@]}" "${min_age[@]}" --log-group "$temp_group" || {
        not_ok "$name: the pipeline did not start"
        return
    }
    sleep 5
    stop "$svcd_pid"
    wait_quiet "$d"
    stop "$send_pid"
    stop "$recv_pid"
    for f in "$d/state"/svcd.log*; do
        if [ "$(stat -c %G "$f")" != "$temp_group" ] || [ "$(($(stat -c %#a "$f") & 040))" -eq 0 ]; then
            echo "    $(basename "$f") is $(stat -c '%A %U:%G' "$f"), not readable by group $temp_group"
            bad=1
        fi
    done
    if [ "$bad" -eq 0 ]; then ok "$name: every file is readable by group $temp_group"; else not_ok "$name: every file is readable by group $temp_group"; fi
    check "$d" "$name" 0
}

scenario_rotation inotify
scenario_rotation polling
scenario_kill
scenario_burst
scenario_user

echo "==> per scenario (svcd's files against what the receiver wrote)"
for r in "${RESULTS[@]}"; do echo "    $r"; done
echo "shipper: $passed passed, $failed failed"
[ "$failed" -eq 0 ] || exit 1
# A scenario that could not run is a skip the summary of scripts/test names.
if [ "${#skipped_scenarios[@]}" -gt 0 ]; then
    echo "SKIPPED: ${skipped_scenarios[*]}"
    exit 77
fi
