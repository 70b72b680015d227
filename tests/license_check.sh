#!/usr/bin/env bash
# The license the packages name is the one at the root: the .deb's
# copyright file (installed as /usr/share/doc/svcd/copyright) says Expat,
# Debian's name for the MIT license, with LICENSE's very text; the MSI
# installs LICENSE itself as License.txt (checked by tests/wine/suite.sh).
#   license_check.sh SOURCE_DIR
set -euo pipefail
src=${1:?usage: license_check.sh SOURCE_DIR}
fail() { echo "license_check: $*" >&2; exit 1; }

head -1 "$src/LICENSE" | grep -qx 'MIT License' || fail "LICENSE is not the MIT License"
grep -qx 'License: Expat' "$src/packaging/linux/copyright" ||
    fail "packaging/linux/copyright names no 'License: Expat' (MIT)"
# The permission text: LICENSE after its copyright line, and the copyright
# file's stand-alone Expat paragraph (one leading space, "." for a blank line).
want=$(sed -n '/^Permission is hereby granted/,$p' "$src/LICENSE" | tr -s ' \n' ' ')
got=$(awk '/^License: Expat$/ { text = ""; on = 1; next } on && /^ / { text = text $0 "\n" }
    END { printf "%s", text }' "$src/packaging/linux/copyright" | sed 's/^ //; s/^\.$//' |
    tr -s ' \n' ' ')
[ -n "$want" ] && [ "${want% }" = "${got% }" ] ||
    fail "packaging/linux/copyright's Expat text differs from LICENSE's"
grep -q 'LICENSE msi-stage/License.txt' "$src/CMakeLists.txt" ||
    fail "the MSI build no longer stages LICENSE as License.txt"
echo "license_check: LICENSE (MIT) is what the .deb and the MSI carry"
