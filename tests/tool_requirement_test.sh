#!/usr/bin/env bash
# No silent skips: a test that needs a tool it cannot find fails under CI=true and skips with one
# line elsewhere. Checked with a PostgreSQL-backed suite whose server is made unfindable (PGBIN
# pointing at a directory without initdb), and with the stand-in for suites not built without Clang.
#   tests/tool_requirement_test.sh PG_TEST_BINARY GTEST_FILTER TOOL_MISSING_SCRIPT
set -uo pipefail
pg_test=$1 filter=$2 tool_missing=$3
status=0
fail() {
  echo "FAIL: $*" >&2
  status=1
}
nowhere=$(mktemp -d)
trap 'rm -rf "$nowhere"' EXIT

# A PostgreSQL suite under CI without a server: it must fail, saying what cannot run and why.
out=$(env CI=true PGBIN="$nowhere" "$pg_test" --gtest_filter="$filter" 2>&1)
code=$?
[ "$code" -ne 0 ] || fail "CI=true without a server: $pg_test exited 0"
grep -q "CI=true, and .* cannot run: PGBIN=$nowhere holds no initdb" <<<"$out" ||
  fail "CI=true without a server: no failure naming what cannot run and why in: $out"
grep -q '\[  FAILED  \]' <<<"$out" || fail "CI=true without a server: no test reported FAILED in: $out"

# The same outside CI: a skip, with one line saying what was not tested and why.
out=$(env -u CI PGBIN="$nowhere" "$pg_test" --gtest_filter="$filter" 2>&1)
code=$?
[ "$code" -eq 0 ] || fail "without CI and without a server: $pg_test exited $code: $out"
grep -q "not tested: .*: PGBIN=$nowhere holds no initdb" <<<"$out" ||
  fail "without CI: no line saying what was not tested and why in: $out"
grep -q '\[  SKIPPED \]' <<<"$out" || fail "without CI: no test reported SKIPPED in: $out"
if grep -q '\[  FAILED  \]' <<<"$out"; then fail "without CI: a test failed: $out"; fi

# CI=false counts as not CI.
env CI=false PGBIN="$nowhere" "$pg_test" --gtest_filter="$filter" >/dev/null 2>&1 ||
  fail "CI=false without a server: $pg_test failed"

# The stand-in for the C++ front end's suites when Clang was not found at configure time.
out=$(env CI=true "$tool_missing" "the C++ front end" "Clang 16 was not found" 2>&1)
code=$?
[ "$code" -eq 1 ] || fail "tool_missing.sh under CI=true exited $code (want 1)"
grep -q "FAIL: CI=true, and the C++ front end cannot run: Clang 16 was not found" <<<"$out" ||
  fail "tool_missing.sh under CI=true said: $out"
out=$(env -u CI "$tool_missing" "the C++ front end" "Clang 16 was not found" 2>&1)
code=$?
[ "$code" -eq 77 ] || fail "tool_missing.sh without CI exited $code (want 77, a skip)"
[ "$(wc -l <<<"$out")" -eq 1 ] && grep -q "^SKIPPED: not tested: the C++ front end: Clang 16 was not found$" <<<"$out" ||
  fail "tool_missing.sh without CI printed: $out"

[ "$status" -eq 0 ] && echo "ok: missing tools fail under CI=true and skip with a reason elsewhere"
exit "$status"
