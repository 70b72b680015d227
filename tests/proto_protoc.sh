#!/bin/sh
# Compiles proto/svcd.proto with Google's protoc (C++ and Python outputs).
set -eu
if ! command -v protoc >/dev/null 2>&1; then
    echo "SKIPPED: protoc (Debian package protobuf-compiler) is not installed"
    exit 77
fi
mkdir -p "$2"
protoc -I"$1" --cpp_out="$2" --python_out="$2" "$1/svcd.proto"
test -s "$2/svcd.pb.cc"
echo "protoc $(protoc --version | cut -d' ' -f2) compiled svcd.proto"
