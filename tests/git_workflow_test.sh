#!/usr/bin/env bash
# --since, --staged and the pre-commit hook, in a real temporary git repository.
#   tests/git_workflow_test.sh MIGLINT_BINARY
set -u
MIGLINT=$(realpath "$1")
ROOT=$(cd "$(dirname "$0")/.." && pwd)
passed=0 failed=0
check() {  # check "what" expected actual
  if [ "$2" == "$3" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1: expected [$2], got [$3]"; fi
}
repo=$(mktemp -d)
trap 'rm -rf "$repo"' EXIT
cd "$repo"
git init -q -b main . && git config user.email t@example.com && git config user.name test
mkdir -p migrations other
printf 'CREATE TABLE t (a varchar(20));\n' > migrations/001_create.sql
printf 'CREATE INDEX i ON t (a);\n' > migrations/002_index.sql
printf 'DROP TABLE elsewhere;\n' > other/001_drop.sql
git add . && git commit -qm base

# --since: only what changed since the ref (untracked files too), filtered to the given paths;
# earlier migrations still teach their facts (varchar(20) -> varchar(50) is binary-coercible).
printf 'ALTER TABLE t ALTER COLUMN a TYPE varchar(50);\nDROP TABLE old;\n' > migrations/003_widen.sql
out=$("$MIGLINT" lint --format json --select changing-column-type,ban-drop-table,require-concurrent-index-creation --since HEAD migrations)
status=$?
check "--since exit status" 1 "$status"
check "--since reports only the new file" "migrations/003_widen.sql:2:ban-drop-table" \
  "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(";".join("%s:%d:%s" % (f["path"], f["start"]["line"], f["rule"]) for f in d["findings"]))' <<<"$out")"
# The same file alone, without its history, does not know the column's type.
alone=$("$MIGLINT" lint --format json --select changing-column-type migrations/003_widen.sql | grep -c changing-column-type)
check "without history the type is unknown" 1 "$alone"
# Nothing changed under other/: clean.
"$MIGLINT" lint --since HEAD other >/dev/null; check "--since with nothing changed" 0 "$?"

# --staged: the staged version of staged files, not the working tree's.
printf 'DROP TABLE staged_drop;\n' > migrations/002_index.sql
git add migrations/002_index.sql
printf 'CREATE TABLE harmless (id bigint);\n' > migrations/002_index.sql
out=$("$MIGLINT" lint --format json --select ban-drop-table --staged)
check "--staged lints the staged contents" "migrations/002_index.sql:ban-drop-table:staged_drop" \
  "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(";".join("%s:%s:%s" % (f["path"], f["rule"], f["message"].split(chr(34))[1]) for f in d["findings"]))' <<<"$out")"
git checkout -q -- migrations/002_index.sql; git reset -q

# --staged on an Alembic project: the staged version of a revision file is what the Alembic helper
# runs, not the working tree's (the helper is given the staged bytes).
if python3 -c 'import alembic' >/dev/null 2>&1 || /usr/bin/python3 -c 'import alembic' >/dev/null 2>&1; then
  cp -r "$ROOT/fixtures/alembic/clean" shop
  git add shop && git commit -qm shop
  revision=shop/migrations/versions/7d3e2f1a0b9c_add_users_nickname.py
  original=$(cat "$revision")
  # Staged: upgrade() also drops orders (line 17); the working tree keeps the original.
  python3 - "$revision" <<'PY'
import sys
path = sys.argv[1]
lines = open(path).read().split("\n")
lines.insert(16, '    op.drop_table("orders")')
open(path, "w").write("\n".join(lines))
PY
  git add "$revision"
  printf '%s\n' "$original" > "$revision"
  out=$("$MIGLINT" lint --format json --select ban-drop-table --staged shop)
  check "--staged Alembic exit status" 1 "$?"
  check "--staged lints the staged revision" "$revision:17:ban-drop-table" \
    "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(";".join("%s:%d:%s" % (f["path"], f["start"]["line"], f["rule"]) for f in d["findings"]))' <<<"$out")"
  # The other way round: the drop only in the working tree, a harmless staged change.
  git checkout -q HEAD -- "$revision"
  printf '# reviewed\n' >> "$revision"
  git add "$revision"
  python3 - "$revision" <<'PY'
import sys
path = sys.argv[1]
lines = open(path).read().split("\n")
lines.insert(16, '    op.drop_table("orders")')
open(path, "w").write("\n".join(lines))
PY
  out=$("$MIGLINT" lint --format json --select ban-drop-table --staged shop)
  check "--staged Alembic ignores the working tree's drop" 0 "$?"
  check "--staged Alembic: no finding" "" \
    "$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(";".join(f["rule"] for f in d["findings"]))' <<<"$out")"
  git checkout -q HEAD -- "$revision"; git reset -q
else
  echo "SKIP: python3 with Alembic is not installed; the --staged Alembic check skipped"
fi

# The pre-commit hook, run by the real pre-commit, against this repository.
if ! command -v pre-commit >/dev/null 2>&1; then
  echo "SKIP: pre-commit is not installed (ci/install-deps installs the Debian package); hook test skipped"
else
  export PATH="$(dirname "$MIGLINT"):$PATH"
  printf 'ALTER TABLE t RENAME COLUMN a TO b;\n' > migrations/004_bad.sql
  printf 'CREATE TABLE good (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);\n' > migrations/005_good.sql
  git add migrations/004_bad.sql migrations/005_good.sql
  pre-commit try-repo "$ROOT" miglint --files migrations/004_bad.sql >hook.log 2>&1
  check "pre-commit fails on the bad migration" 1 "$?"
  grep -q "renaming-column" hook.log; check "the hook names the rule" 0 "$?"
  pre-commit try-repo "$ROOT" miglint --files migrations/005_good.sql >hook.log 2>&1
  check "pre-commit passes the good migration" 0 "$?"
  [ "$failed" -eq 0 ] || cat hook.log
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
