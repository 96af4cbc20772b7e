#!/usr/bin/env python3
"""Runs action.yml's own shell steps here, as GitHub's runner would, in three jobs: a cache miss (builds,
installs into the cached prefix, saves it), a cache hit in a fresh job (restores it, installs only
runtime packages, builds nothing) and a job with an installed miglint on PATH (neither restores nor
builds). The `uses:` steps are played locally: actions/cache/restore and save by a directory per key,
the SARIF upload skipped. Then `cpp: true` on a C++ source: its own cache miss (Clang installed, the
C++ front end built) and hit, and the SQL-only tree's clear error on the same source. Prints each job's time: the equivalent of the Action's cold and warm runs
without the download and upload of the cache.
  tests/action_steps_test.py [CCACHE]   CCACHE: use ccache for the miss's build (repeated test runs)"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

CHECKOUT = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((CHECKOUT / "action.yml").read_text(encoding="utf-8"))
ROOT = None  # the action's directory: a copy of the checkout's files, as the runner downloads it
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


class Job:
    def __init__(self, work, store, inputs, path):
        self.temp = Path(tempfile.mkdtemp(dir=work, prefix="runner-temp-"))  # a fresh job: a fresh RUNNER_TEMP
        self.store, self.path = store, path
        self.inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
        self.inputs.update(inputs)
        self.outputs = {}  # step id -> {name: value}
        self.ran = []      # names of the steps that ran

    def value(self, expression):
        """One expression of the forms action.yml uses: contexts, == and != against literals, && and ||."""
        def context(match):
            name = match.group(0)
            if name.startswith("inputs."):
                return repr(self.inputs[name[len("inputs."):]])
            if name == "github.action_path":
                return repr(str(ROOT))
            step, _, output = name[len("steps."):].partition(".outputs.")
            return repr(self.outputs.get(step, {}).get(output, ""))
        python = re.sub(r"(inputs|steps|github)\.[A-Za-z0-9_.-]+", context, expression)
        python = python.replace("&&", " and ").replace("||", " or ").replace("always()", "True")
        return eval(python, {})  # only the action's own expressions, rewritten above

    def expand(self, text):
        return EXPRESSION.sub(lambda m: str(self.value(m.group(1))), str(text))

    def run(self):
        status = 0
        for step in ACTION["runs"]["steps"]:
            condition = step.get("if", "${{ success() }}")
            condition = condition.replace("success()", "True" if status == 0 else "False")
            condition = EXPRESSION.sub(lambda m: m.group(1), condition) if "${{" in condition else condition
            if not self.value(condition):
                continue
            self.ran.append(step["name"])
            outputs = {}
            if "run" in step:
                output_file = self.temp / "github-output"
                output_file.write_text("")
                env = dict(os.environ, PATH=self.path, RUNNER_TEMP=str(self.temp), GITHUB_OUTPUT=str(output_file))
                env.update({k: self.expand(v) for k, v in step.get("env", {}).items()})
                result = subprocess.run(["bash", "-e", "-c", step["run"]], env=env, cwd=ROOT,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                if step["name"].startswith("Build"):
                    shutil.rmtree(ROOT / "build-action", ignore_errors=True)  # the next job's checkout is fresh
                self.log = getattr(self, "log", "") + f"--- {step['name']} ({result.returncode})\n{result.stdout}"
                for line in output_file.read_text().splitlines():
                    name, _, value = line.partition("=")
                    outputs[name] = value
                if result.returncode != 0:
                    status = result.returncode
            else:
                uses, given = step["uses"], {k: self.expand(v) for k, v in step.get("with", {}).items()}
                if uses.startswith("actions/cache/restore@"):
                    stored = self.store / given["key"]
                    if stored.is_dir():
                        shutil.copytree(stored, given["path"], symlinks=True)
                    outputs["cache-hit"] = "true" if stored.is_dir() else ""
                elif uses.startswith("actions/cache/save@"):
                    shutil.copytree(given["path"], self.store / given["key"], symlinks=True)
            if "id" in step:
                self.outputs[step["id"]] = outputs
        self.status = status
        return self


def main():
    passed = failed = 0

    def check(what, expected, actual):
        nonlocal passed, failed
        if expected == actual:
            passed += 1
        else:
            failed += 1
            print(f"FAIL: {what}: expected [{expected}], got [{actual}]")

    global ROOT
    work = Path(tempfile.mkdtemp(prefix="miglint-action-"))
    try:
        ROOT = work / "action"
        files = subprocess.run(["git", "-C", str(CHECKOUT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                               check=True, stdout=subprocess.PIPE).stdout.decode().split("\0")
        for name in filter(None, files):
            if (CHECKOUT / name).is_file():
                (ROOT / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(CHECKOUT / name, ROOT / name)
        store = work / "cache-store"
        store.mkdir()
        # PATH without any miglint (the build trees of checkouts put theirs on PATH).
        path = ":".join(d for d in os.environ["PATH"].split(":") if d and not (Path(d) / "miglint").exists())
        if len(sys.argv) > 1 and sys.argv[1] == "CCACHE" and shutil.which("ccache"):
            os.environ["CMAKE_CXX_COMPILER_LAUNCHER"] = os.environ["CMAKE_C_COMPILER_LAUNCHER"] = "ccache"
            os.environ["CCACHE_BASEDIR"] = str(ROOT)  # the hook's builds share these objects
        inputs = {"paths": "examples/migrations", "upload-sarif": "false", "sarif-file": str(work / "out.sarif")}
        build_steps = {"Build and install miglint (cache miss)", "Save miglint to the cache"}

        start = time.monotonic()
        miss = Job(work, store, inputs, path).run()
        cold = time.monotonic() - start
        check("miss: builds and saves", True, build_steps <= set(miss.ran))
        check("miss: no runtime-package step", False, "Install the runtime packages (cache hit)" in miss.ran)
        check("miss: lint ran and the job fails on the examples' findings", (True, 1),
              ("Lint" in miss.ran, miss.status))
        check("miss: lint status 1", "1", miss.outputs.get("lint", {}).get("status"))
        check("miss: SARIF written", True, '"ruleId"' in (work / "out.sarif").read_text())
        check("miss: one cache entry", 1, len(list(store.iterdir())))
        entry = next(store.iterdir())
        check("the cache holds an install tree", True, (entry / "prefix/bin/miglint").is_file())
        packages = (entry / "runtime-packages").read_text().split()
        check("runtime packages are recorded, libc among them", True, any(p.startswith("libc6") for p in packages))

        (work / "out.sarif").unlink()
        start = time.monotonic()
        hit = Job(work, store, inputs, path).run()
        warm = time.monotonic() - start
        check("hit: restored", "true", hit.outputs.get("restore", {}).get("cache-hit"))
        check("hit: neither builds nor saves", set(), build_steps & set(hit.ran))
        check("hit: installs runtime packages only", True, "Install the runtime packages (cache hit)" in hit.ran)
        check("hit: the same lint result", ("1", True),
              (hit.outputs.get("lint", {}).get("status"), '"ruleId"' in (work / "out.sarif").read_text()))

        installed_dir = Path(tempfile.mkdtemp(dir=work, prefix="installed-"))
        os.symlink(entry / "prefix/bin/miglint", installed_dir / "miglint")
        start = time.monotonic()
        installed = Job(work, store, inputs, f"{installed_dir}:{path}").run()
        on_path = time.monotonic() - start
        check("installed: found on PATH", str(installed_dir / "miglint"), installed.outputs["find"].get("miglint"))
        check("installed: no cache, no build", [], [s for s in installed.ran if "cache" in s.lower() or "Build" in s])
        check("installed: the same lint status", "1", installed.outputs.get("lint", {}).get("status"))

        # cpp: true, a cache miss of its own (the key names the front ends): installs the full build
        # dependencies (Clang 16), builds the C++ front end too and lints a C++ source; without it the
        # same source is a clear error of the SQL-only tree, not a silent pass.
        cpp_inputs = dict(inputs, paths="fixtures/cpp/libpq_style.cpp")
        (work / "out.sarif").unlink(missing_ok=True)
        sql_only = Job(work, store, cpp_inputs, path).run()
        check("cpp: false on a C++ source: restored, not rebuilt", ("true", set()),
              (sql_only.outputs.get("restore", {}).get("cache-hit"), build_steps & set(sql_only.ran)))
        check("cpp: false on a C++ source: lint fails with a usage error, not findings", "2",
              sql_only.outputs.get("lint", {}).get("status"))
        check("cpp: false on a C++ source: the log says the C++ front end is missing", True,
              "C++" in getattr(sql_only, "log", ""))
        (work / "out.sarif").unlink(missing_ok=True)
        start = time.monotonic()
        cpp = Job(work, store, dict(cpp_inputs, cpp="true"), path).run()
        cpp_cold = time.monotonic() - start
        check("cpp: its own cache key", True, "-cpp-true-" in cpp.outputs.get("find", {}).get("key", ""))
        check("cpp: a miss that builds and saves", (True, ""),
              (build_steps <= set(cpp.ran), cpp.outputs.get("restore", {}).get("cache-hit")))
        check("cpp: two cache entries now", 2, len(list(store.iterdir())))
        sarif = (work / "out.sarif").read_text() if (work / "out.sarif").exists() else ""
        check("cpp: findings in the C++ source, at the literal's line and column", (True, True, "1"),
              ('"require-concurrent-index-creation"' in sarif, '"startLine": 12' in sarif and '"startColumn": 17' in sarif,
               cpp.outputs.get("lint", {}).get("status")))
        cpp_entry = next(e for e in store.iterdir() if "-cpp-true-" in e.name)
        check("cpp: the cached tree holds the C++ front-end program", True,
              any(f.name == "miglint-cpp-front-end" and f.is_file() for f in (cpp_entry / "prefix").rglob("*")))
        (work / "out.sarif").unlink(missing_ok=True)
        cpp_hit = Job(work, store, dict(cpp_inputs, cpp="true"), path).run()
        check("cpp: a later job restores the C++ tree and builds nothing", ("true", set(), "1"),
              (cpp_hit.outputs.get("restore", {}).get("cache-hit"), build_steps & set(cpp_hit.ran),
               cpp_hit.outputs.get("lint", {}).get("status")))

        print(f"cold (miss: install-deps, configure, build, install, save): {cold:.1f} s")
        print(f"cold with cpp: true (Clang front end too): {cpp_cold:.1f} s")
        print(f"warm (hit: restore, runtime packages, lint): {warm:.2f} s; installed miglint: {on_path:.2f} s")
        print(f"cached install tree: {sum(f.stat().st_size for f in entry.rglob('*') if f.is_file()) // 1024} KiB")
        if failed:
            for job in (miss, hit, installed, sql_only, cpp, cpp_hit):
                print(getattr(job, "log", ""))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
