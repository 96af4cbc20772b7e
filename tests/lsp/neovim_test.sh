#!/usr/bin/env bash
# Neovim (headless, its built-in LSP client, tests/lsp/init.lua) against `miglint lsp`: the
# diagnostics of a migration at their positions, a fix code action applied, the buffer then holding
# what `miglint lint --fix` writes for that rule. Skipped (77) when nvim is not installed.
# Usage: tests/lsp/neovim_test.sh MIGLINT_BINARY
set -euo pipefail
miglint="$(realpath "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v nvim >/dev/null 2>&1; then
  echo "skipped: nvim is not installed (ci/install-deps installs Debian's neovim)"
  exit 77
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/migrations" "$work/home" "$work/fixed"
printf -- '-- add an index\n/* é😀 */ CREATE INDEX orders_customer_idx ON orders (customer_id);\n' \
  >"$work/migrations/001_index.sql"
# What the fix gives, from the command line.
cp "$work/migrations/001_index.sql" "$work/fixed/001_index.sql"
(cd "$work/fixed" && "$miglint" lint --fix --select require-concurrent-index-creation 001_index.sql >/dev/null 2>&1) || true
if cmp -s "$work/migrations/001_index.sql" "$work/fixed/001_index.sql"; then
  echo "FAIL: lint --fix changed nothing" >&2
  exit 1
fi
# No user or system config: only the test's.
cd "$work"
HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share" \
  XDG_STATE_HOME="$work/home/.local/state" MIGLINT_BINARY="$miglint" \
  MIGLINT_LSP_FILE="$work/migrations/001_index.sql" MIGLINT_LSP_FIXED="$work/fixed/001_index.sql" \
  timeout 120 nvim --headless --noplugin -u "$here/init.lua" -i NONE </dev/null
