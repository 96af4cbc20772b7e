#pragma once

// Tests that need a tool the machine may lack (a PostgreSQL server, Clang) must not pass green in CI
// without it: under CI (the CI environment variable set to true, as GitHub Actions, GitLab CI and
// most services set it) a missing tool fails the test. On a developer's machine the test is skipped
// instead, with one line saying what was not tested and why. Inputs that only exist beside CI's
// clone (../shared) are not tools: those tests keep skipping with a message (a user's CI has no
// ../shared).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <string>

namespace miglint::testenv {

// CI=true (also 1 or yes, any case).
inline bool running_in_ci() {
  const char* value = std::getenv("CI");
  if (value == nullptr) {
    return false;
  }
  std::string ci(value);
  std::transform(ci.begin(), ci.end(), ci.begin(), [](unsigned char c) { return std::tolower(c); });
  return ci == "true" || ci == "1" || ci == "yes";
}

}  // namespace miglint::testenv

// In a test body or a fixture's SetUp: when `available` is false, fails under CI and skips
// elsewhere, naming `what` was not tested and `why`.
#define MIGLINT_REQUIRE_TOOL(available, what, why)                                                 \
  do {                                                                                             \
    if (!(available)) {                                                                            \
      if (::miglint::testenv::running_in_ci()) {                                                   \
        FAIL() << "CI=true, and " << (what) << " cannot run: " << (why)                            \
               << ". CI must install what the tests need (ci/install-deps) rather than skip them"; \
      }                                                                                            \
      GTEST_SKIP() << "not tested: " << (what) << ": " << (why);                                   \
    }                                                                                              \
  } while (false)
