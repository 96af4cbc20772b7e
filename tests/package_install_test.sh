#!/usr/bin/env bash
# The Debian packages on this machine: ci/package builds them, apt-get installs them with the
# dependencies dpkg-shlibdeps computed, miglint lints SQL and C++ from /usr/bin, and apt-get removes
# them again. miglint alone first: it lints SQL without Clang, and says that C++ needs miglint-cpp.
# It installs system packages (as root or with sudo), so it runs only when asked:
#   MIGLINT_PACKAGE_TEST=1 tests/package_install_test.sh      (.ci/run does, as root)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${MIGLINT_PACKAGE_TEST:-}" != 1 ]; then
  echo "tests/package_install_test.sh installs and removes system packages: run it with MIGLINT_PACKAGE_TEST=1" >&2
  exit 2
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
for package in miglint miglint-cpp; do
  if dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    fail "$package is already installed here; this test removes what it installs, so it will not touch it"
  fi
done

build_dir=build-package
ci/package "$build_dir"
version=$(sed -n 's/^project(miglint VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
arch=$(dpkg --print-architecture)
miglint_deb="$PWD/$build_dir/miglint_${version}_${arch}.deb"
cpp_deb="$PWD/$build_dir/miglint-cpp_${version}_${arch}.deb"
[ -f "$miglint_deb" ] || fail "ci/package made no $miglint_deb"

# The dependencies were computed: libraries for miglint, Clang only for miglint-cpp.
miglint_depends=$(dpkg-deb --field "$miglint_deb" Depends)
echo "miglint Depends: $miglint_depends"
echo "$miglint_depends" | grep -q 'libc6' || fail "miglint's dependencies were not computed (no libc6)"
echo "$miglint_depends" | grep -q 'libpq5' || fail "miglint does not depend on libpq5 (miglint-runner)"
if echo "$miglint_depends" | grep -Eq 'clang|llvm'; then fail "miglint depends on Clang: $miglint_depends"; fi
if [ -f "$cpp_deb" ]; then
  cpp_depends=$(dpkg-deb --field "$cpp_deb" Depends)
  echo "miglint-cpp Depends: $cpp_depends"
  echo "$cpp_depends" | grep -qF "miglint (= $version)" || fail "miglint-cpp does not depend on miglint (= $version)"
  echo "$cpp_depends" | grep -q 'libclang-cpp16' || fail "miglint-cpp's Clang dependency was not computed"
fi

cleanup() {
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get remove -y -qq miglint miglint-cpp >/dev/null 2>&1 || true
}
trap cleanup EXIT
install_debs() {
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >"$build_dir/apt.log" 2>&1 ||
    fail "apt-get install $*: $(cat "$build_dir/apt.log")"
}

install_debs "$miglint_deb"
[ "$(command -v miglint)" = /usr/bin/miglint ] || fail "miglint is not /usr/bin/miglint but '$(command -v miglint)'"
[ -x /usr/bin/miglint-lsp ] || fail "the miglint package has no /usr/bin/miglint-lsp (miglint lsp)"
/usr/bin/miglint lsp --help | grep -q 'Language Server Protocol' || fail "/usr/bin/miglint lsp --help failed"
status=0
/usr/bin/miglint lint examples/migrations >"$build_dir/sql.out" 2>&1 || status=$?
[ "$status" -eq 1 ] || fail "/usr/bin/miglint lint examples/migrations exited with $status: $(cat "$build_dir/sql.out")"
grep -q ': warning: .*\[require-lock-timeout\]' "$build_dir/sql.out" || fail "no finding: $(cat "$build_dir/sql.out")"
echo "ok: /usr/bin/miglint lint examples/migrations: $(tail -n 2 "$build_dir/sql.out" | head -n 1)"
/usr/bin/miglint run --help >/dev/null || fail "/usr/bin/miglint run --help failed"
status=0
/usr/bin/miglint lint fixtures/cpp/escapes.cpp >"$build_dir/no-cpp.out" 2>&1 || status=$?
[ "$status" -eq 2 ] && grep -qF "C++ front end" "$build_dir/no-cpp.out" ||
  fail "without miglint-cpp, a C++ lint did not say what is missing (exit $status): $(cat "$build_dir/no-cpp.out")"
echo "ok: without miglint-cpp: $(head -n 1 "$build_dir/no-cpp.out")"
[ -f /usr/share/man/man1/miglint.1.gz ] && [ -f /usr/share/bash-completion/completions/miglint ] ||
  fail "the man page or the bash completion is not installed"

if [ -f "$cpp_deb" ]; then
  install_debs "$cpp_deb"
  read -r where rule severity <fixtures/cpp/escapes.cpp.snap
  status=0
  /usr/bin/miglint lint fixtures/cpp/escapes.cpp >"$build_dir/cpp.out" 2>&1 || status=$?
  [ "$status" -eq 1 ] && grep -qF "$where: $severity: " "$build_dir/cpp.out" && grep -qF "[$rule]" "$build_dir/cpp.out" ||
    fail "/usr/bin/miglint lint fixtures/cpp/escapes.cpp (exit $status) has no $rule at $where: $(cat "$build_dir/cpp.out")"
  echo "ok: /usr/bin/miglint lint fixtures/cpp/escapes.cpp: $rule at $where, with $(dpkg -L miglint-cpp | grep 'miglint-cpp-front-end$')"
fi

cleanup
trap - EXIT
if dpkg-query -W -f='${Status}' miglint 2>/dev/null | grep -q "install ok installed"; then
  fail "apt-get remove left miglint installed"
fi
echo "ok: the packages were removed again"
