# Shared helpers for scripts/run and scripts/test (sourced, not run).

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "error: '$*' needs root and sudo is not installed; run as root" >&2
        return 1
    fi
}

# Installs the Debian packages among "$@" that are not installed yet.
ensure_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "==> installing missing packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
}

# What every build needs.
BUILD_PACKAGES=(build-essential cmake pkg-config git protobuf-c-compiler libprotobuf-c-dev)
# What the tests need on top; rsyslog and jq for tests/linux/shipper.sh (which
# runs its own private rsyslogd, never the system's service).
TEST_PACKAGES=(libcriterion-dev protobuf-compiler clang-format strace bsdutils rsyslog jq zsh fish)

# As root svcd serves the system policy, whose control group (default svcd)
# must exist; a package creates it at install, these scripts do it here.
ensure_svcd_group() {
    [ "$(id -u)" -eq 0 ] || return 0
    getent group svcd >/dev/null || {
        echo "==> creating the system group svcd (members may control svcd)"
        groupadd --system svcd
    }
}

jobs() {
    nproc 2>/dev/null || echo 2
}

# The .deb test: dpkg-shlibdeps, systemd-analyze, groupadd.
LINUX_PACKAGES=(dpkg-dev systemd passwd lintian binutils init-system-helpers)

# The memory checker run over the integration tests.
VALGRIND_PACKAGES=(valgrind)

# clang and its libFuzzer runtime, whose package is named for clang's
# major version (libclang-rt-14-dev on Debian 12).
ensure_fuzz_packages() {
    ensure_packages clang
    local v
    v=$(clang -dumpversion | cut -d. -f1)
    ensure_packages "libclang-rt-$v-dev"
}

# Builds the MSI of a copy of this tree in build/$1 with version $2 (the
# version lives only in CMakeLists.txt's project(); the copy gets it there).
build_msi_copy() {
    local dir=build/$1 v=$2 cur src=build/$1/src
    cur=$(sed -n 's/^project(svcd VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
    rm -rf "$dir" && mkdir -p "$src"
    git ls-files -z | xargs -0 cp --parents -t "$src"
    sed -i "s/^project(svcd VERSION $cur/project(svcd VERSION $v/" "$src/CMakeLists.txt"
    cmake -S "$src" -B "$dir/windows" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSVCD_TESTS=OFF \
        -DCMAKE_TOOLCHAIN_FILE="$PWD/$src/cmake/toolchains/mingw-w64-x86_64.cmake" \
        -DSVCD_PROTOBUF_C_SOURCE="$PWD/build/third_party/protobuf-c" >/dev/null
    cmake --build "$dir/windows" -j "$(jobs)" --target msi >/dev/null
}

# Builds the MSI of this tree (build/windows), of the same tree with the next
# patch version (build/next), for the upgrade test, and of the same tree and
# version again (build/same: another ProductCode), for the same-version
# rebuild that must replace, not sit beside, the installed one.
build_msi_pair() {
    local v next
    cmake --build --preset windows -j "$(jobs)" --target msi
    v=$(sed -n 's/^project(svcd VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
    next=$(echo "$v" | awk -F. '{ printf "%d.%d.%d", $1, $2, $3 + 1 }')
    build_msi_copy next "$next"
    build_msi_copy same "$v"
    MSI_N="$PWD/build/windows/svcd-$v-x64.msi"
    MSI_NEXT="$PWD/build/next/windows/svcd-$next-x64.msi"
    MSI_SAME="$PWD/build/same/windows/svcd-$v-x64.msi"
}

# What the Windows cross build and its Wine tests need.
WINDOWS_PACKAGES=(mingw-w64 wine wine64 dpkg-dev wixl msitools)

# Makes `apt-get source` work: adds deb-src entries mirroring the deb ones
# when the machine has none.
ensure_deb_src() {
    local dir=/etc/apt/sources.list.d
    if grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list "$dir"; then
        return 0
    fi
    echo "==> adding deb-src entries (for apt-get source)"
    local f
    for f in "$dir"/*.sources; do
        [ -f "$f" ] || continue
        sed 's/^Types: deb$/Types: deb-src/' "$f" | as_root tee "$dir/svcd-src-$(basename "$f")" >/dev/null
    done
    if [ -f /etc/apt/sources.list ] && grep -q '^deb ' /etc/apt/sources.list; then
        sed -n 's/^deb /deb-src /p' /etc/apt/sources.list | as_root tee "$dir/svcd-src.list" >/dev/null
    fi
    as_root apt-get update -qq
}

# Unpacks Debian's protobuf-c source (the same version as the generator) for
# the Windows runtime into $1 unless it is already there.
fetch_protobuf_c_source() {
    local dest=$1 tmp
    [ -f "$dest/protobuf-c/protobuf-c.c" ] && return 0
    ensure_deb_src
    tmp=$(mktemp -d)
    echo "==> apt-get source protobuf-c"
    (cd "$tmp" && apt-get source -qq protobuf-c >/dev/null 2>&1) || {
        echo "error: apt-get source protobuf-c failed" >&2
        rm -rf "$tmp"
        return 1
    }
    mkdir -p "$(dirname "$dest")"
    rm -rf "$dest"
    mv "$tmp"/protobuf-c-*/ "$dest"
    rm -rf "$tmp"
}
