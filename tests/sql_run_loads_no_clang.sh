#!/usr/bin/env bash
# A pure-SQL run of miglint must not start the C++ front end (miglint-cpp-front-end, the only
# program that links Clang) nor load Clang's libraries into miglint itself.
# Usage: sql_run_loads_no_clang.sh MIGLINT SQL_FILE CPP_FILE
set -euo pipefail
miglint="$1"
sql="$2"
cpp="$3"
. "$(dirname "$0")/static_executable.sh"
if ! is_static_executable "$miglint" && ldd "$miglint" | grep -E 'libclang|libLLVM'; then
  echo "FAIL: $miglint links Clang" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
front_end="$(dirname "$miglint")/miglint-cpp-front-end"
[ -x "$front_end" ] || { echo "FAIL: no C++ front end beside $miglint" >&2; exit 1; }
# A stand-in that notes each start, then becomes the real front end.
cat >"$work/front-end" <<SCRIPT
#!/bin/sh
echo started >>"$work/starts"
exec "$front_end" "\$@"
SCRIPT
chmod +x "$work/front-end"
MIGLINT_CPP_FRONT_END="$work/front-end" "$miglint" lint "$sql" >/dev/null || true
if [ -e "$work/starts" ]; then
  echo "FAIL: a .sql run started the C++ front end" >&2
  exit 1
fi
# The stand-in works: a C++ run starts it (once, for one file) and gets its findings.
status=0
MIGLINT_CPP_FRONT_END="$work/front-end" "$miglint" lint "$cpp" >"$work/cpp.out" 2>&1 || status=$?
if [ "$(cat "$work/starts" 2>/dev/null | wc -l)" -ne 1 ] || [ "$status" -ne 1 ]; then
  echo "FAIL: the C++ run did not start the front end once or found nothing (exit $status): $(cat "$work/cpp.out")" >&2
  exit 1
fi
echo "ok: a .sql run starts no C++ front end; a C++ run starts it once"
