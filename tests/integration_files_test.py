#!/usr/bin/env python3
"""Structural checks of action.yml, ci/github-workflow-example.yml, ci/release-workflow.yml and
.pre-commit-hooks.yaml:
nothing here can run GitHub Actions, so the files are checked for what can be checked offline."""
import re
import sys
import unittest
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def load(name):
    with open(ROOT / name, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


class ActionTest(unittest.TestCase):
    def setUp(self):
        self.action = load("action.yml")
        self.text = (ROOT / "action.yml").read_text(encoding="utf-8")

    def test_is_a_composite_action(self):
        self.assertEqual(self.action["runs"]["using"], "composite")
        self.assertIn("name", self.action)
        self.assertIn("description", self.action)

    def test_every_input_used_exists(self):
        declared = set(self.action.get("inputs", {}))
        used = set(re.findall(r"inputs\.([A-Za-z0-9_-]+)", self.text))
        self.assertTrue(used, "the action uses no inputs")
        self.assertLessEqual(used, declared, f"undeclared inputs used: {used - declared}")

    def test_inputs_reach_shell_steps_only_through_env(self):
        for step in self.action["runs"]["steps"]:
            script = step.get("run", "")
            self.assertNotRegex(script, r"\$\{\{\s*inputs\.", f"inputs expanded inside a run script: {step.get('name')}")
            self.assertNotRegex(script, r"\$\{\{\s*github\.(event|head_ref)", "untrusted context inside a run script")
            if "run" in step:
                self.assertIn("shell", step, f"composite run steps need a shell: {step.get('name')}")

    def test_uploads_sarif_and_builds_with_a_cache(self):
        uses = [step.get("uses", "") for step in self.action["runs"]["steps"]]
        self.assertTrue(any(u.startswith("github/codeql-action/upload-sarif@") for u in uses))
        # Restore and save are separate steps: actions/cache@'s own save runs only when the job
        # succeeds, and findings fail it.
        self.assertTrue(any(u.startswith("actions/cache/restore@") for u in uses))
        self.assertTrue(any(u.startswith("actions/cache/save@") for u in uses))
        scripts = "\n".join(step.get("run", "") for step in self.action["runs"]["steps"])
        self.assertIn("--format sarif", scripts)
        self.assertIn("ci/install-deps", scripts)

    def step(self, name_start):
        return next(s for s in self.action["runs"]["steps"] if s.get("name", "").startswith(name_start))

    def test_an_installed_miglint_skips_cache_and_build(self):
        find = self.step("Find miglint")
        self.assertIn("ci/usable-miglint", find["run"])
        # Every step that restores, installs or builds runs only when no installed miglint was found.
        for name in ("Restore", "Install the runtime packages", "Build and install", "Save"):
            self.assertIn("steps.find.outputs.build == 'true'", self.step(name)["if"], name)
        self.assertEqual(self.step("Lint")["env"]["MIGLINT"], "${{ steps.find.outputs.miglint }}")

    def test_the_cache_holds_an_install_tree_keyed_on_the_sources(self):
        restore, save = self.step("Restore"), self.step("Save")
        self.assertEqual(restore["with"], save["with"], "restore and save must name the same path and key")
        self.assertEqual(restore["with"]["key"], "${{ steps.find.outputs.key }}")
        find = self.step("Find miglint")["run"]
        for part in ("os-release", "uname -m", "sha256sum", "analyzer", "rules", "cli", "runner", "cmake"):
            self.assertIn(part, find, f"the cache key does not depend on {part}")
        build = self.step("Build and install")
        self.assertIn("cmake --install", build["run"])
        self.assertIn("ci/runtime-packages", build["run"])

    def test_a_hit_neither_installs_build_dependencies_nor_builds(self):
        hit = self.step("Install the runtime packages")
        self.assertIn("steps.restore.outputs.cache-hit == 'true'", hit["if"])
        self.assertNotIn("install-deps", hit["run"])
        self.assertNotIn("cmake", hit["run"])
        self.assertIn("runtime-packages", hit["run"])
        for name in ("Build and install", "Save"):
            self.assertIn("steps.restore.outputs.cache-hit != 'true'", self.step(name)["if"], name)
        # No step outside the miss path installs the build dependencies or runs cmake.
        for step in self.action["runs"]["steps"]:
            if not step.get("name", "").startswith("Build and install"):
                self.assertNotRegex(step.get("run", ""), r"(bash|^)\s*\"?\$ACTION_PATH/ci/install-deps", step.get("name"))
                self.assertNotRegex(step.get("run", ""), r"cmake (-S|--build|--install)", step.get("name"))


class WorkflowExampleTest(unittest.TestCase):
    def test_runs_in_debian_12_and_uses_the_action(self):
        workflow = load("ci/github-workflow-example.yml")
        job = next(iter(workflow["jobs"].values()))
        self.assertEqual(job["container"], "debian:12")
        uses = [step.get("uses", "") for step in job["steps"]]
        self.assertTrue(any("miglint" in u for u in uses))
        self.assertEqual(workflow["permissions"]["security-events"], "write")
        for step in job["steps"]:
            self.assertNotRegex(step.get("run", ""), r"\$\{\{\s*inputs\.")


class ReleaseWorkflowTest(unittest.TestCase):
    def setUp(self):
        self.workflow = load("ci/release-workflow.yml")
        self.job = next(iter(self.workflow["jobs"].values()))
        self.steps = self.job["steps"]
        self.scripts = [step.get("run", "") for step in self.steps]

    def test_runs_on_a_pushed_version_tag(self):
        trigger = self.workflow.get("on", self.workflow.get(True))  # YAML 1.1 reads a bare `on` as true
        self.assertEqual(trigger["push"]["tags"], ["v*"])
        self.assertNotIn("pull_request", trigger)
        self.assertEqual(self.workflow["permissions"]["contents"], "write")

    def test_builds_on_debian_12(self):
        self.assertEqual(self.job["container"], "debian:12")
        self.assertEqual(self.job["runs-on"], "ubuntu-latest")

    def index_of(self, command):
        found = [i for i, script in enumerate(self.scripts) if re.search(r"(^|\s)" + re.escape(command) + r"(\s|$)", script)]
        self.assertTrue(found, f"no step runs {command}")
        self.assertTrue((ROOT / command).is_file(), f"{command} does not exist")
        return found[0]

    def test_installs_tests_then_packages(self):
        install, test = self.index_of("ci/install-deps"), self.index_of("ci/test")
        package, tarball = self.index_of("ci/package"), self.index_of("ci/dist-tarball")
        self.assertLess(install, test)
        self.assertLess(test, package, "packages are built only after the tests pass")
        self.assertLess(test, tarball)
        checkout = next(i for i, s in enumerate(self.steps) if s.get("uses", "").startswith("actions/checkout@"))
        self.assertLess(checkout, install)

    def test_uploads_the_packages_and_the_tarball(self):
        upload = next(s for s in self.steps if s.get("uses", "").startswith("softprops/action-gh-release@"))
        self.assertGreater(self.steps.index(upload), self.index_of("ci/dist-tarball"))
        files = upload["with"]["files"].split()
        env = self.job["env"]
        self.assertIn(f"{env['PACKAGE_DIR']}/*.deb", files)
        self.assertIn(f"{env['TARBALL_DIR']}/miglint-*-linux-*.tar.gz", files)
        self.assertIn('ci/package "$PACKAGE_DIR"', self.scripts)
        self.assertIn('ci/dist-tarball "$TARBALL_DIR"', self.scripts)
        self.assertTrue(upload["with"].get("fail_on_unmatched_files"))

    def test_no_untrusted_context_in_scripts(self):
        for script in self.scripts:
            self.assertNotRegex(script, r"\$\{\{")


class PreCommitHookTest(unittest.TestCase):
    def setUp(self):
        self.hooks = {h["id"]: h for h in load(".pre-commit-hooks.yaml")}

    def test_the_miglint_hook_builds_when_needed(self):
        hook = self.hooks["miglint"]  # the id users already reference
        self.assertEqual(hook["language"], "script")
        script = ROOT / hook["entry"].split()[0]
        self.assertTrue(script.is_file() and script.stat().st_mode & 0o111, f"{script} is not an executable file")
        self.assertIn("lint --with-history", script.read_text(encoding="utf-8"))
        self.assertTrue(hook["require_serial"])

    def test_the_system_hook_uses_path(self):
        hook = self.hooks["miglint-system"]
        self.assertEqual(hook["language"], "system")
        self.assertTrue(hook["entry"].startswith("miglint lint --with-history"))

    def test_both_hooks_take_sql_files_only(self):
        for hook in self.hooks.values():
            self.assertRegex("migrations/001_x.sql", hook["files"])
            self.assertNotRegex("migrations/001_x.py", hook["files"])
            self.assertNotRegex("migrations/001_x.sql.bak", hook["files"])


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
