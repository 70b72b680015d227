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
# What the tests need on top.
TEST_PACKAGES=(libcriterion-dev protobuf-compiler clang-format)

jobs() {
    nproc 2>/dev/null || echo 2
}
