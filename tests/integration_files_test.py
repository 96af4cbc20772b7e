#!/usr/bin/env python3
"""Structural checks of action.yml, ci/github-workflow-example.yml and .pre-commit-hooks.yaml:
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
        self.assertTrue(any(u.startswith("actions/cache@") for u in uses))
        scripts = "\n".join(step.get("run", "") for step in self.action["runs"]["steps"])
        self.assertIn("--format sarif", scripts)
        self.assertIn("ci/install-deps", scripts)


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


class PreCommitHookTest(unittest.TestCase):
    def test_hook(self):
        hooks = load(".pre-commit-hooks.yaml")
        hook = next(h for h in hooks if h["id"] == "miglint")
        self.assertEqual(hook["language"], "system")
        self.assertTrue(hook["entry"].startswith("miglint lint"))
        self.assertRegex("migrations/001_x.sql", hook["files"])


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=1).result
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
