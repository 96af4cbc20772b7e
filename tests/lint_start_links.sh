#!/usr/bin/env bash
# What a one-file lint pays before main() runs is mostly the dynamic loader's work (mapping and
# relocating shared libraries; the README's Performance section has the figures). This checks that
# the choices that keep it small still hold: `miglint` is not position-independent (no relocation
# of its own tables at start-up) and loads no shared library that the build links statically
# (libpg_query, fmt, toml++, nettle, and simdjson and the C++ runtime when the build compiled simdjson
# from its source tarball) nor libcrypto, libpq or Clang.
#
# Usage: lint_start_links.sh MIGLINT SQL_FILE static-cxx-runtime|shared-cxx-runtime
# (shared-cxx-runtime: the build fell back to Debian's shared libsimdjson, which needs the shared
# libstdc++ and libgcc_s; cmake/Simdjson.cmake says when.)
set -euo pipefail
miglint="$1"
sql="$2"
runtime="${3:-static-cxx-runtime}"
fail=0
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
