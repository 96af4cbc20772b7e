#!/usr/bin/env bash
# A pure-SQL run of miglint must not load libclang-cpp, libLLVM or the C++ front end module:
# neither linked (ldd) nor loaded at run time (the dynamic loader's own log).
set -euo pipefail
miglint="$1"
sql="$2"
if ldd "$miglint" | grep -E 'libclang|libLLVM|libmiglint_cpp'; then
  echo "FAIL: $miglint links Clang" >&2
  exit 1
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
LD_DEBUG=libs LD_DEBUG_OUTPUT="$log" "$miglint" lint "$sql" >/dev/null || true
if cat "$log".* | grep -E 'calling init: .*(libclang|libLLVM|libmiglint_cpp)'; then
  echo "FAIL: a .sql run loaded Clang" >&2
  exit 1
fi
if ! cat "$log".* | grep -q 'calling init: .*libpg_query\|calling init: .*libc.so'; then
  echo "FAIL: the loader log is empty (LD_DEBUG not honoured?)" >&2
  exit 1
fi
rm -f "$log".*
echo "ok: no Clang library loaded"
