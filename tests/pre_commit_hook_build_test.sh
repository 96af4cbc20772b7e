#!/usr/bin/env bash
# The `miglint` pre-commit hook in a fresh repository WITHOUT miglint on PATH: the real pre-commit runs
# `try-repo` against a committed snapshot of this checkout (its working tree, so the test needs no
# commit first), the hook builds miglint from scratch inside pre-commit's clone (ccache makes repeated
# test runs cheaper, but configure, build and link all run) and fails naming the finding. try-repo
# keeps no store between runs, so the cached path is tested as users run the hook: a
# .pre-commit-config.yaml naming the repository, a first run that builds and later runs that do not.
# Then: which installed miglint the hook accepts, and two first runs serialised.
#   tests/pre_commit_hook_build_test.sh
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
for tool in pre-commit cmake git flock; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "SKIP: $tool is not installed (ci/install-deps installs it); hook build test skipped"
    exit 77
  fi
done
passed=0 failed=0
check() {  # check "what" expected actual
  if [ "$2" == "$3" ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1: expected [$2], got [$3]"; fi
}
contains() { grep -q -- "$2" "$1" && echo yes || echo no; }  # contains FILE TEXT
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The hook repository: this checkout's files (tracked and new, not ignored) committed in a repository
# of their own, so that pre-commit clones exactly what is being tested.
mkdir "$work/hookrepo"
git -C "$ROOT" ls-files -z --cached --others --exclude-standard |
  (cd "$ROOT" && xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh) |
  (cd "$ROOT" && tar --null -T - -cf -) | tar -C "$work/hookrepo" -xf -
git -C "$work/hookrepo" init -q -b main && git -C "$work/hookrepo" add -A &&
  git -C "$work/hookrepo" -c user.email=t@example.com -c user.name=test commit -qm snapshot
export PRE_COMMIT_HOME="$work/pre-commit-home"  # a cache of pre-commit's own: the first run is cold

# PATH without any miglint. A system directory cannot be dropped (it holds git, cmake and the compiler);
# if one holds a miglint, a fake one reporting version 0.0.0 goes first, which the hook must also
# refuse (older than its own), so the build path runs either way.
clean_path=""
IFS=: read -ra dirs <<<"$PATH"
for d in "${dirs[@]}"; do
  [ -n "$d" ] || continue
  if [ -x "$d/miglint" ] && [ "$d" != /usr/bin ] && [ "$d" != /bin ] && [ "$d" != /usr/local/bin ]; then continue; fi
  clean_path="${clean_path:+$clean_path:}$d"
done
export PATH="$clean_path"
if command -v miglint >/dev/null 2>&1; then
  echo "note: $(command -v miglint) cannot be hidden; a fake miglint 0.0.0 shadows it"
  mkdir "$work/old-miglint"
  printf '#!/bin/sh\necho "miglint 0.0.0"\n' >"$work/old-miglint/miglint"
  chmod +x "$work/old-miglint/miglint"
  export PATH="$work/old-miglint:$PATH"
fi

mkdir "$work/project" && cd "$work/project" || exit 1
git init -q -b main . && git config user.email t@example.com && git config user.name test
mkdir migrations
printf 'CREATE TABLE t (a varchar(20));\n' >migrations/001_create.sql
printf 'ALTER TABLE t RENAME COLUMN a TO b;\n' >migrations/002_bad.sql
printf 'CREATE TABLE good (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);\n' >migrations/003_good.sql
git add migrations

# try-repo (a store of its own in a temporary directory each time, so always cold): builds, then fails
# on the finding.
start=$(date +%s)
pre-commit try-repo "$work/hookrepo" miglint --files migrations/002_bad.sql >try.log 2>&1
check "try-repo fails on the bad migration" 1 "$?"
echo "try-repo, hook built from scratch (configure + build + lint): $(($(date +%s) - start)) s"
check "try-repo says it builds, and why" yes "$(contains try.log 'no miglint on PATH: building miglint once')"
check "try-repo names the rule" yes "$(contains try.log renaming-column)"
check "try-repo names the file" yes "$(contains try.log migrations/002_bad.sql)"

# The hook as users install it: .pre-commit-config.yaml names the repository and revision; pre-commit
# clones it into its store (PRE_COMMIT_HOME), where the build stays for the next runs.
cat >.pre-commit-config.yaml <<CONFIG
repos:
  - repo: $work/hookrepo
    rev: $(git -C "$work/hookrepo" rev-parse HEAD)
    hooks:
      - id: miglint
CONFIG
git add .pre-commit-config.yaml
start=$(date +%s)
pre-commit run miglint --files migrations/002_bad.sql >cold.log 2>&1
check "first run fails on the bad migration" 1 "$?"
echo "first pre-commit run (hook built in the store's clone; ccache may hold the objects): $(($(date +%s) - start)) s"
check "first run builds" yes "$(contains cold.log 'building miglint once')"
clone_binary=$(find "$PRE_COMMIT_HOME" -path '*/build-hook/cli/miglint' -type f | head -n 1)
check "the build lives in pre-commit's clone" yes "$([ -n "$clone_binary" ] && echo yes || echo no)"

# Warm: the same clone, the build reused.
start=$(date +%s%N)
pre-commit run miglint --files migrations/002_bad.sql >warm.log 2>&1
check "warm run fails on the bad migration" 1 "$?"
echo "warm pre-commit run: $((($(date +%s%N) - start) / 1000000)) ms"
check "warm run does not build" no "$(contains warm.log 'building miglint')"
check "warm run names the rule" yes "$(contains warm.log renaming-column)"
pre-commit run miglint --files migrations/003_good.sql >good.log 2>&1
check "the good migration passes" 0 "$?"
pre-commit run miglint --all-files >all.log 2>&1
check "--all-files fails on the bad migration" 1 "$?"
check "--all-files names the rule" yes "$(contains all.log renaming-column)"
pre-commit install >/dev/null && git commit -qm "bad migration" >commit.log 2>&1
check "as a git hook, the commit is refused" 1 "$?"
check "naming the rule" yes "$(contains commit.log renaming-column)"
check "and nothing was committed" no "$(git rev-parse -q --verify HEAD >/dev/null && echo yes || echo no)"

# Which miglint on PATH the hook uses: a fake one answers FAKE-MIGLINT and exits 3 when it is run.
wanted=$(sed -n 's/^project(miglint VERSION \([0-9][0-9.]*\).*/\1/p' "$ROOT/CMakeLists.txt")
major=${wanted%%.*}
fake_with_version() {
  mkdir -p "$work/fake"
  printf '#!/bin/sh\nif [ "$1" = --version ]; then echo "miglint %s"; exit 0; fi\necho FAKE-MIGLINT "$@"; exit 3\n' "$1" \
    >"$work/fake/miglint"
  chmod +x "$work/fake/miglint"
}
hook_with_fake() {  # the hook script run directly, as pre-commit runs it, with the fake first on PATH
  PATH="$work/fake:$PATH" "$(dirname "$clone_binary")/../../ci/pre-commit-hook" migrations/002_bad.sql >fake.log 2>&1
  echo "$?:$(contains fake.log FAKE-MIGLINT)"
}
fake_with_version "$wanted"
check "an installed miglint of the same version is used" "3:yes" "$(hook_with_fake)"
check "with --with-history and the files" yes "$(contains fake.log 'FAKE-MIGLINT lint --with-history migrations/002_bad.sql')"
fake_with_version "$major.999.0"
check "a newer one of the same major is used" "3:yes" "$(hook_with_fake)"
fake_with_version "$((major + 1)).0.0"
check "another major is not used" "1:no" "$(hook_with_fake)"
fake_with_version "0.0.0"
if [ "$wanted" != 0.0.0 ]; then check "an older one is not used" "1:no" "$(hook_with_fake)"; fi

# Two first runs at once: the second waits for the first's lock and then uses its build instead of
# building again. The test holds the lock, plays the first run's finished build, then lets go.
shared="$work/shared-build"
mkdir -p "$shared"
exec 8>"$shared/.hook-build.lock"
flock 8
# (8>&-: the waiter must not inherit the test's hold of the lock.)
MIGLINT_HOOK_BUILD_DIR="$shared" "$(dirname "$clone_binary")/../../ci/pre-commit-hook" migrations/002_bad.sql \
  >waiting.log 2>&1 8>&- &
waiter=$!
sleep 2
check "a second first run waits for the lock" yes "$(kill -0 "$waiter" 2>/dev/null && echo yes || echo no)"
check "and does not build meanwhile" no "$([ -e "$shared/hook-build.log" ] && echo yes || echo no)"
mkdir -p "$shared/cli" && ln -s "$clone_binary" "$shared/cli/miglint" && touch "$shared/.hook-build-complete"
exec 8>&-
wait "$waiter"
check "after the lock it lints with the finished build" 1 "$?"
check "without building" no "$(contains waiting.log 'building miglint')"
check "and reports the finding" yes "$(contains waiting.log renaming-column)"

if [ "$failed" -ne 0 ]; then
  for f in try cold warm good all commit fake waiting; do echo "--- $f.log"; cat "$f.log" 2>/dev/null; done
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
