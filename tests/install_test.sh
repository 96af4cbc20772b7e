#!/usr/bin/env bash
# `cmake --install` puts everything a user runs in the prefix, and the installed tree works from
# anywhere: installed to a temporary prefix, then MOVED, it lints SQL, lints C++ with the installed
# C++ front end (not the build tree's: the loader's log shows which module was loaded), starts the
# runner beside it, and ships a man page and bash/zsh/fish completions that say what the program says.
#   tests/install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

cmake --install "$build" --prefix "$work/installed" >"$work/install.log" || {
  cat "$work/install.log" >&2
  fail "cmake --install failed"
}
mv "$work/installed" "$work/moved"
prefix="$work/moved"
miglint="$prefix/bin/miglint"
for file in bin/miglint bin/miglint-runner bin/miglint-lsp share/doc/miglint/rules/require-concurrent-index-creation.md \
  share/man/man1/miglint.1.gz share/bash-completion/completions/miglint \
  share/zsh/vendor-completions/_miglint share/fish/vendor_completions.d/miglint.fish share/doc/miglint/README.md \
  share/doc/miglint/LICENSE share/miglint/miglint_alembic.py share/miglint/miglint_alembic_upgrade.py; do
  [ -f "$prefix/$file" ] || fail "the install has no $file"
done
# No path into the build tree in the installed programs' run-time search paths.
for program in "$prefix"/bin/* $(find "$prefix" -name '*.so' -o -name miglint-cpp-front-end -type f); do
  if readelf -d "$program" | grep -E 'RPATH|RUNPATH' | grep -F "$build"; then
    fail "$program searches the build tree for libraries"
  fi
done

cd "$source_dir"

# LeakSanitizer cannot stop a traced process's threads (it ends it with exit code 86: "does not work
# under ptrace"): in a sanitizer build (ci/test --sanitize), a run under strace leaves leak checks to
# the runs that are not traced.
no_leak_check=()
if [ -n "${ASAN_OPTIONS:-}" ]; then
  no_leak_check=("ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0")
fi

# A SQL lint of the examples: findings, exit status 1.
status=0
"$miglint" lint examples/migrations >"$work/sql.out" 2>&1 || status=$?
[ "$status" -eq 1 ] || fail "miglint lint examples/migrations exited with $status, not 1: $(cat "$work/sql.out")"
grep -qE '^examples/migrations/[^:]+\.sql:[0-9]+:[0-9]+: warning: .*\[[a-z-]+\]$' "$work/sql.out" ||
  fail "no finding in the lint of examples/migrations: $(cat "$work/sql.out")"
echo "ok: the moved install lints examples/migrations (exit 1, $(grep -c ': warning: ' "$work/sql.out") findings)"

# A C++ lint, when the C++ front end is installed: the finding of the fixture's snapshot, at its
# file:line:col, read by the front end of the moved install (strace, when there is one, shows which
# front end program was started).
front_end=$(find "$prefix" -name miglint-cpp-front-end -type f)
if [ -n "$front_end" ]; then
  fixture=fixtures/cpp/escapes.cpp
  read -r where rule severity <"$fixture.snap"
  status=0
  tracer=()
  if command -v strace >/dev/null; then
    tracer=(env "${no_leak_check[@]}" strace -f -e trace=execve -o "$work/cpp.trace")
  fi
  "${tracer[@]}" "$miglint" lint "$fixture" >"$work/cpp.out" 2>&1 || status=$?
  [ "$status" -eq 1 ] || fail "miglint lint $fixture exited with $status, not 1: $(cat "$work/cpp.out")"
  grep -qF "$where: $severity: " "$work/cpp.out" && grep -qF "[$rule]" "$work/cpp.out" ||
    fail "the lint of $fixture has no $rule finding at $where: $(cat "$work/cpp.out")"
  if [ -f "$work/cpp.trace" ]; then
    started=$(sed -n 's/.*execve("\([^"]*miglint-cpp-front-end\)".*= 0$/\1/p' "$work/cpp.trace" | sort -u)
    [ "$started" = "$front_end" ] || fail "the C++ lint started '${started:-no front end}', not the installed $front_end"
    echo "ok: the moved install lints $fixture ($rule at $where) with its own $front_end"
  else
    echo "ok: the moved install lints $fixture ($rule at $where) (no strace: which front end ran is not checked)"
  fi
else
  echo "SKIPPED: the C++ lint: this build has no C++ front end (Clang 16 not found)"
fi

# An Alembic revision, with the helper installed in share/miglint (found relative to the moved
# executable), when a Python with Alembic is there.
if python3 -c 'import alembic' 2>/dev/null || /usr/bin/python3 -c 'import alembic' 2>/dev/null; then
  revision=fixtures/alembic/mistakes/migrations/versions/2b1c0a9f8e7d_index_items_name.py
  status=0
  tracer=()
  if command -v strace >/dev/null; then
    tracer=(env "${no_leak_check[@]}" strace -f -s 4096 -e trace=execve -o "$work/alembic.trace")
  fi
  "${tracer[@]}" "$miglint" lint "$revision" >"$work/alembic.out" 2>&1 || status=$?
  [ "$status" -eq 1 ] || fail "miglint lint $revision exited with $status, not 1: $(cat "$work/alembic.out")"
  grep -qF "$revision:14:5: warning: " "$work/alembic.out" ||
    fail "the lint of $revision has no finding at 14:5: $(cat "$work/alembic.out")"
  if [ -f "$work/alembic.trace" ]; then
    grep -qF "$prefix/share/miglint/miglint_alembic.py" "$work/alembic.trace" ||
      fail "the Alembic lint did not run the installed helper: $(grep execve "$work/alembic.trace")"
  fi
  echo "ok: the moved install lints $revision with its own share/miglint/miglint_alembic.py"
else
  echo "SKIPPED: the Alembic lint: no python3 with Alembic (python3-alembic)"
fi

# `miglint run` and friends start the miglint-runner installed beside miglint.
"$miglint" run --help >"$work/run-help.out" 2>&1 || fail "miglint run --help failed: $(cat "$work/run-help.out")"
grep -q -- '--lock-timeout' "$work/run-help.out" || fail "miglint run --help does not list --lock-timeout"
status=0
env -u MIGLINT_DATABASE_URL "$miglint" status --db 'postgresql://nobody@127.0.0.1:1/none?connect_timeout=2' \
  examples/migrations >"$work/status.out" 2>&1 || status=$?
if grep -q 'cannot start' "$work/status.out" || [ "$status" -ne 2 ]; then
  fail "miglint status did not reach the installed miglint-runner (exit $status): $(cat "$work/status.out")"
fi
echo "ok: miglint run --help, and miglint status runs the installed miglint-runner ($(head -c 80 "$work/status.out"))"

# `miglint lsp` starts the miglint-lsp installed beside miglint, which links its diagnostics to the
# rule docs of the moved install.
frame() {
  local LC_ALL=C
  printf 'Content-Length: %d\r\n\r\n%s' "${#1}" "$1"
}
open_params="{\"textDocument\":{\"uri\":\"file://$PWD/examples/lsp-install-test.sql\",\"languageId\":\"sql\",\"version\":1,\"text\":\"CREATE INDEX i ON t (c);\"}}"
{
  frame '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}'
  frame "{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":$open_params}"
  sleep 2
  frame '{"jsonrpc":"2.0","id":2,"method":"shutdown"}'
  frame '{"jsonrpc":"2.0","method":"exit"}'
} | timeout 30 "$miglint" lsp >"$work/lsp.out" 2>&1 || fail "miglint lsp failed: $(cat "$work/lsp.out")"
grep -qF "\"href\":\"file://$prefix/share/doc/miglint/rules/require-concurrent-index-creation.md\"" "$work/lsp.out" ||
  fail "miglint lsp published no diagnostic linked to the installed rule doc: $(cat "$work/lsp.out")"
echo "ok: miglint lsp runs the installed miglint-lsp, whose diagnostics link to the installed rule docs"

# The man page renders, and names every subcommand and every rule the program knows.
page="$prefix/share/man/man1/miglint.1.gz"
if command -v groff >/dev/null; then
  gzip -dc "$page" | groff -man -Tutf8 -ww -z 2>"$work/groff.err"
  [ ! -s "$work/groff.err" ] || fail "groff warns about miglint.1: $(cat "$work/groff.err")"
  if command -v man >/dev/null; then
    MANWIDTH=100 man -l "$page" >"$work/man.out" 2>&1 || fail "man -l miglint.1 failed: $(cat "$work/man.out")"
  else
    gzip -dc "$page" | groff -man -Tutf8 | sed 's/.\x08//g' >"$work/man.out"
  fi
  commands=$("$miglint" --help | sed -n '/^Subcommands:/,$p' | awk 'NR > 1 && NF { print $1 }')
  for name in $commands; do
    grep -qE "^ +miglint $name " "$work/man.out" || fail "the man page has no usage line for miglint $name"
  done
  for rule in $("$miglint" rules | awk '{ print $1 }'); do
    grep -qE "^ +$rule \(" "$work/man.out" || fail "the man page does not list the rule $rule"
  done
  echo "ok: miglint.1 renders without warnings and lists $(echo $commands | wc -w) commands and every rule"
else
  echo "SKIPPED: rendering miglint.1: neither man nor groff is installed (groff-base)"
fi

# The completions are valid scripts of their shells; bash's completes subcommands, flags and values.
completions="$prefix/share"
bash -n "$completions/bash-completion/completions/miglint" || fail "bash -n rejects the bash completion"
bash_complete() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _miglint; printf "%s\n" "${COMPREPLY[@]}"' \
    sh "$completions/bash-completion/completions/miglint" "$@"
}
[ "$(bash_complete miglint lin)" = lint ] || fail "bash completes 'miglint lin' as '$(bash_complete miglint lin)'"
[ "$(bash_complete miglint lint --form)" = --format ] || fail "bash does not complete 'miglint lint --form'"
[ "$(bash_complete miglint lint --format sa)" = sarif ] || fail "bash does not complete --format values"
[ "$(bash_complete miglint explain ban-drop-c)" = ban-drop-column ] || fail "bash does not complete rule ids"
[ "$(bash_complete miglint run --lock-t)" = --lock-timeout ] || fail "bash does not complete the runner's flags"
[ "$(bash_complete miglint lint --select ban-drop-c)" = ban-drop-column ] ||
  fail "bash does not complete rule ids after --select: '$(bash_complete miglint lint --select ban-drop-c)'"
[ "$(bash_complete miglint lint --ignore require-lock-timeout,ban-drop-c)" = require-lock-timeout,ban-drop-column ] ||
  fail "bash does not complete the last rule id of a list after --ignore"
[ "$(bash_complete miglint approve --rule ban-drop-c)" = ban-drop-column ] || fail "bash does not complete approve --rule"
echo "ok: the bash completion parses and completes subcommands, flags, --format values and rule ids (explain, --select, --ignore lists, --rule)"
for shell in zsh fish; do
  case $shell in
    zsh) file="$completions/zsh/vendor-completions/_miglint" ;;
    fish) file="$completions/fish/vendor_completions.d/miglint.fish" ;;
  esac
  if command -v $shell >/dev/null; then
    $shell -n "$file" || fail "$shell -n rejects $file"
    echo "ok: $shell -n accepts the $shell completion"
  else
    echo "SKIPPED: checking the $shell completion's syntax: $shell is not installed"
  fi
done
