#!/usr/bin/env bash
# The Linux package on this very machine: cpack builds the .deb, dpkg
# installs it, the files, the group and the unit are checked (systemd-analyze
# verify and security), the installed svcd serves its shipped configuration,
# then the package is removed and purged.
# Usage: tests/linux/package.sh BUILD_DIR     (exit 77: skipped, with the reason)
set -uo pipefail

build=$(cd "${1:?usage: package.sh BUILD_DIR}" 2>/dev/null && pwd) || {
    echo "SKIPPED: no native build at $1"
    exit 77
}
[ "$(id -u)" -eq 0 ] || {
    echo "SKIPPED: installing a .deb needs root (CI runs as root; run scripts/test as root)"
    exit 77
}
for tool in dpkg dpkg-deb cpack systemd-analyze readelf deb-systemd-helper; do
    command -v "$tool" >/dev/null || {
        echo "SKIPPED: $tool is not installed"
        exit 77
    }
done

passed=0
failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() { echo "not ok - $1"; failed=$((failed + 1)); }
check() {
    local what=$1
    shift
    if "$@"; then ok "$what"; else not_ok "$what"; fi
}

# Runs a command, showing its output only when it fails.
quiet() { "$@" >"$tmp/quiet.out" 2>&1 || {
    cat "$tmp/quiet.out"
    return 1
}; }

version=$(sed -n 's/^#define SVCD_VERSION "\(.*\)"/\1/p' "$build/generated/version.h")
tmp=$(mktemp -d /tmp/svcd-pkg-XXXXXX)
cleanup() {
    [ -n "${svcd_pid:-}" ] && kill "$svcd_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

echo "==> cpack -G DEB"
(cd "$build" && cpack -G DEB >"$tmp/cpack.out" 2>&1)
deb="$build/packages/svcd_${version}_amd64.deb"
check "the package is built: $(basename "$deb")" [ -f "$deb" ]
check "it depends on what svcd links (dpkg-shlibdeps) and on passwd (groupadd)" \
    sh -c "dpkg-deb -f '$deb' Depends | grep -q 'libprotobuf-c1' && dpkg-deb -f '$deb' Depends | grep -q passwd"

echo "==> what a Debian maintainer checks"
if command -v lintian >/dev/null; then
    lintian --fail-on error,warning --display-info "$deb" >"$tmp/lintian.out" 2>&1
    lrc=$?
    sed 's/^/    lintian: /' "$tmp/lintian.out"
    check "lintian: no errors and no warnings" [ "$lrc" -eq 0 ]
else
    # CI installs lintian (scripts/lib.sh LINUX_PACKAGES); a bare machine says so.
    echo "    SKIPPED (lintian is not installed): lintian: no errors and no warnings"
fi
# Hardening, as Debian's hardening-check reads it from the ELF file.
x="$tmp/x"
mkdir -p "$x" && dpkg-deb -x "$deb" "$x"
for bin in svcd svcclient; do
    f="$x/usr/bin/$bin"
    check "$bin: PIE (ELF type DYN)" sh -c "readelf -h '$f' | grep -q 'Type:.*DYN'"
    check "$bin: full RELRO (GNU_RELRO and BIND_NOW)" sh -c \
        "readelf -lW '$f' | grep -q GNU_RELRO && readelf -dW '$f' | grep -Eq 'BIND_NOW|FLAGS_1.*NOW'"
    check "$bin: stack protector (__stack_chk_fail)" sh -c \
        "readelf --dyn-syms -W '$f' | grep -q __stack_chk_fail"
    check "$bin: stripped (no .symtab)" sh -c "! readelf -SW '$f' | grep -q '\.symtab'"
done
check "svcd: _FORTIFY_SOURCE (checked libc calls, __*_chk)" sh -c \
    "readelf --dyn-syms -W '$x/usr/bin/svcd' | grep -q '__[a-z]*_chk'"
check "the changelog's first entry is this version" sh -c \
    "zcat '$x/usr/share/doc/svcd/changelog.gz' | head -1 | grep -q '^svcd ($version) '"

echo "==> dpkg -i"
# The postinst must create the group: start without it (the suites that ran
# before made it; it is made again below either way).
getent group svcd >/dev/null && groupdel svcd
check "dpkg -i succeeds" quiet dpkg -i "$deb"
for f in /usr/bin/svcd /usr/bin/svcclient /usr/lib/systemd/system/svcd.service \
    /usr/share/man/man8/svcd.8.gz /usr/share/man/man1/svcclient.1.gz \
    /usr/share/man/man5/svcd.conf.5.gz /etc/svcd/svcd.conf /usr/share/doc/svcd/copyright /usr/share/doc/svcd/changelog.gz /usr/lib/sysusers.d/svcd.conf \
    /usr/share/bash-completion/completions/svcclient /usr/share/zsh/vendor-completions/_svcclient; do
    check "installed: $f" [ -f "$f" ]
done
wants=/etc/systemd/system/multi-user.target.wants/svcd.service
check "a first install enables the unit (deb-systemd-helper)" [ -L "$wants" ]
check "the svcd group exists (postinst made it)" quiet getent group svcd
check "svcd --version is the package's version" \
    sh -c "/usr/bin/svcd version | grep -q '$version'"
check "svcclient version is the package's version" \
    sh -c "/usr/bin/svcclient version | grep -q '$version'"
check "the installed bash completion is what the installed svcclient prints" sh -c \
    "/usr/bin/svcclient completion bash | cmp -s - /usr/share/bash-completion/completions/svcclient"
check "the installed zsh completion is what the installed svcclient prints" sh -c \
    "/usr/bin/svcclient completion zsh | cmp -s - /usr/share/zsh/vendor-completions/_svcclient"
check "the installed bash completion completes 'svcclient lo' to logs" bash -c \
    "source /usr/share/bash-completion/completions/svcclient && COMP_WORDS=(svcclient lo) &&
     COMP_CWORD=1 && _svcclient && [ \"\${COMPREPLY[*]}\" = logs ]"
check "the man pages carry the version" sh -c "zcat /usr/share/man/man8/svcd.8.gz | grep -q 'svcd $version'"
check "svcd.conf(5) carries the version" sh -c "zcat /usr/share/man/man5/svcd.conf.5.gz | grep -q 'svcd $version'"
# Every key the installed svcd takes (svcd run --help: '... [key: NAME]') has
# its entry in the installed svcd.conf(5).
keys=$(/usr/bin/svcd run --help | sed -n 's/.*\[key: \([a-z_]*\)\]$/\1/p')
missing=
for k in $keys; do
    zcat /usr/share/man/man5/svcd.conf.5.gz | grep -q "^\\\\fB$k\\\\fR = " || missing="$missing $k"
done
check "svcd.conf(5) documents each of the $(echo $keys | wc -w) keys of svcd run --help${missing:+ (missing:$missing)}" \
    sh -c '[ -n "$1" ] && [ -z "$2" ]' _ "$keys" "$missing"
check "man finds svcd.conf(5) by its section" sh -c "man -w 5 svcd.conf | grep -q /usr/share/man/man5/svcd.conf.5.gz"

echo "==> the unit"
check "systemd-analyze verify accepts the installed unit" \
    quiet systemd-analyze verify --man=no /usr/lib/systemd/system/svcd.service
score=$(systemd-analyze security --offline=true /usr/lib/systemd/system/svcd.service 2>/dev/null |
    sed -n 's/.*Overall exposure level for svcd.service: \([0-9.]*\).*/\1/p')
echo "    systemd-analyze security: exposure $score"
check "exposure level at most 2.0 (got $score)" awk "BEGIN { exit !($score <= 2.0) }"

echo "==> the installed svcd runs on its shipped configuration, as the unit starts it"
/usr/bin/svcd run --config /etc/svcd/svcd.conf --endpoint "$tmp/svcd.sock" \
    --state-dir "$tmp/log" >"$tmp/svcd.out" 2>&1 </dev/null &
svcd_pid=$!
for _ in $(seq 50); do [ -S "$tmp/svcd.sock" ] && break; sleep 0.1; done
check "svcclient status answers" quiet /usr/bin/svcclient --endpoint "$tmp/svcd.sock" status
kill "$svcd_pid"
wait "$svcd_pid" 2>/dev/null
svcd_pid=

echo "==> dpkg -r, then dpkg -P"
check "dpkg -r succeeds" quiet dpkg -r svcd
for f in /usr/bin/svcd /usr/bin/svcclient /usr/lib/systemd/system/svcd.service \
    /usr/share/man/man8/svcd.8.gz /usr/share/man/man5/svcd.conf.5.gz; do
    check "removed: $f" [ ! -e "$f" ]
done
check "the configuration is kept on remove (a conffile)" [ -f /etc/svcd/svcd.conf ]
check "the group is kept" quiet getent group svcd
check "a removed package's unit is masked, not started by a leftover link" \
    [ "$(readlink /etc/systemd/system/svcd.service)" = /dev/null ]
check "a reinstall after dpkg -r succeeds" quiet dpkg -i "$deb"
check "and enables the unit again" [ -L "$wants" ]
check "and unmasks it" [ ! -e /etc/systemd/system/svcd.service ]
systemctl disable svcd.service >/dev/null 2>&1 || rm -f "$wants"
deb-systemd-helper update-state svcd.service >/dev/null 2>&1
check "an administrator's disable survives a reinstall" sh -c \
    "dpkg -i '$deb' >/dev/null 2>&1 && [ ! -e '$wants' ]"
check "dpkg -r again" quiet dpkg -r svcd
check "dpkg -P succeeds" quiet dpkg -P svcd
check "purge deletes the configuration" [ ! -e /etc/svcd/svcd.conf ]
check "and the unit's enable state and mask" sh -c \
    "[ ! -e '$wants' ] && [ ! -e /etc/systemd/system/svcd.service ]"

echo "package: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
