#!/usr/bin/env bash
# `miglint lint` must not load libpq (nor its Kerberos, LDAP and TLS libraries), even when it judges
# files as `miglint run` vets them (a miglint.toml with a [run] table, and approvals): the runner's
# libpq half lives in miglint-runner only.
set -euo pipefail
miglint="$1"
examples="$2"
. "$(dirname "$0")/static_executable.sh"
if is_static_executable "$miglint"; then
  # The default build: no shared library at all, libpq included (and no dlopen in miglint).
  echo "ok: $miglint is a static executable: it loads no shared library, libpq included"
  exit 0
fi
if ldd "$miglint" | grep -E 'libpq'; then
  echo "FAIL: $miglint links libpq" >&2
  exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$examples" "$work/migrations"
printf '[run]\nmigrations = "migrations"\n' >"$work/miglint.toml"
log="$work/loader"
(cd "$work" && LD_DEBUG=libs LD_DEBUG_OUTPUT="$log" "$miglint" lint migrations >/dev/null) || true
if cat "$log".* | grep -E 'calling init: .*libpq'; then
  echo "FAIL: miglint lint loaded libpq" >&2
  exit 1
fi
if ! cat "$log".* | grep -q 'calling init: .*libc.so'; then
  echo "FAIL: the loader log is empty (LD_DEBUG not honoured?)" >&2
  exit 1
fi
echo "ok: miglint lint loads no libpq"
