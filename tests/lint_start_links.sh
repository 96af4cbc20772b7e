#!/usr/bin/env bash
# What a one-file lint pays before main() runs is mostly the dynamic loader's work (mapping and
# relocating shared libraries; the README's Performance section has the figures). This checks that
# the choices that keep it small still hold. By default `miglint` is a static executable: no program
# interpreter, no shared library. Otherwise (-DMIGLINT_STATIC=OFF, or Debian's shared simdjson) it is
# not position-independent (no relocation of its own tables at start-up) and loads no shared library
# that the build links statically (libpg_query, fmt, toml++, nettle, and simdjson and the C++
# runtime when the build compiled simdjson from its source tarball) nor libcrypto, libpq or Clang.
#
# Usage: lint_start_links.sh MIGLINT SQL_FILE static|static-cxx-runtime|shared-cxx-runtime
# (shared-cxx-runtime: the build fell back to Debian's shared libsimdjson, which needs the shared
# libstdc++ and libgcc_s; cmake/Simdjson.cmake says when.)
set -euo pipefail
miglint="$1"
sql="$2"
runtime="${3:-static}"
fail=0
. "$(dirname "$0")/static_executable.sh"
if [ "$runtime" = static ]; then
  if ! is_static_executable "$miglint"; then
    echo "FAIL: $miglint is not a static executable: $(LC_ALL=C readelf -lW "$miglint" | grep -A1 INTERP | tail -1)" \
      "$(LC_ALL=C readelf -dW "$miglint" | grep '(NEEDED)' | tr -s ' ')" >&2
    exit 1
  fi
  status=0
  "$miglint" lint "$sql" >/dev/null 2>&1 || status=$?
  if [ "$status" -gt 1 ]; then
    echo "FAIL: the static $miglint could not lint $sql (exit $status)" >&2
    exit 1
  fi
  echo "ok: miglint is a static executable (no interpreter, no shared library) and lints $sql"
  exit 0
fi
# The libraries a one-file lint may load: the dynamic loader, the C runtime, and with the shared
# fallback the C++ runtime and libsimdjson.
expected() {
  case "$1" in
    libc.so.* | libm.so.* | ld-linux*) return 0 ;;
    libstdc++.so.* | libgcc_s.so.* | libsimdjson.so.*) [ "$runtime" = shared-cxx-runtime ] ;;
    *) return 1 ;;
  esac
}
if ! LC_ALL=C readelf -h "$miglint" | grep -Eq 'Type: +EXEC'; then
  echo "FAIL: $miglint is position-independent (readelf -h: $(LC_ALL=C readelf -h "$miglint" | grep 'Type:'))" >&2
  fail=1
fi
needed=$(LC_ALL=C readelf -d "$miglint" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort)
echo "NEEDED: $(echo $needed)"
for library in $needed; do
  if ! expected "$library"; then
    echo "FAIL: $miglint needs $library at start-up" >&2
    fail=1
  fi
done
# What the loader really loads for a one-file lint (also libraries needed by libraries).
log=$(mktemp)
trap 'rm -f "$log" "$log".*' EXIT
LD_DEBUG=libs LD_DEBUG_OUTPUT="$log" "$miglint" lint "$sql" >/dev/null || true
loaded=$(cat "$log".* | sed -n 's/.*calling init: \(.*\)/\1/p' | xargs -n1 basename | sort -u)
if [ -z "$loaded" ]; then
  echo "FAIL: the loader log is empty (LD_DEBUG not honoured?)" >&2
  exit 1
fi
echo "loaded: $(echo $loaded)"
for library in $loaded; do
  if ! expected "$library"; then
    echo "FAIL: a one-file lint loaded $library" >&2
    fail=1
  fi
done
[ "$fail" -eq 0 ] && echo "ok: miglint is not a PIE and loads only the libraries expected ($runtime)"
exit "$fail"
