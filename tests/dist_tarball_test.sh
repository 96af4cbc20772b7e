#!/usr/bin/env bash
# ci/dist-tarball for real: pack the install tree of this build, unpack it elsewhere, and lint the
# examples with the unpacked bin/miglint: the same findings as the build's own miglint.
#   tests/dist_tarball_test.sh BUILD_DIR
set -u
build_dir=$(realpath "$1")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
passed=0 failed=0
check() {  # check "what" expected actual
  if [ "$2" == "$3" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1: expected [$2], got [$3]"; fi
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball=$("$ROOT/ci/dist-tarball" "$build_dir" "$work/out")
check "ci/dist-tarball succeeds" 0 "$?"
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build_dir/CMakeCache.txt")
check "the tarball's name" "miglint-$version-linux-$(uname -m).tar.gz" "$(basename "$tarball")"
mkdir "$work/unpacked"
tar -C "$work/unpacked" -xzf "$tarball"
check "one top directory" "miglint-$version" "$(ls "$work/unpacked")"
unpacked="$work/unpacked/miglint-$version"
check "bin/miglint runs" "miglint $version" "$("$unpacked/bin/miglint" --version)"
check "bin/miglint-runner is beside it" yes "$([ -x "$unpacked/bin/miglint-runner" ] && echo yes || echo no)"
cd "$ROOT" || exit 1
"$build_dir/cli/miglint" lint --format json examples >"$work/expected.json"
expected_status=$?
"$unpacked/bin/miglint" lint --format json examples >"$work/actual.json"
check "lint examples/ exits as the build's miglint does" "$expected_status" "$?"
check "lint examples/ finds something" yes "$(grep -q '"rule"' "$work/actual.json" && echo yes || echo no)"
check "the same findings as the build's miglint" "" "$(diff "$work/expected.json" "$work/actual.json")"
"$unpacked/bin/miglint" run --help >/dev/null 2>&1
check "miglint run --help (miglint-runner) works from the tree" 0 "$?"
"$unpacked/bin/miglint" lsp --help >/dev/null 2>&1
check "miglint lsp --help (miglint-lsp) works from the tree" 0 "$?"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
