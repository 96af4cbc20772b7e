#include "analyzer/alembic/helper_process.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>

#include "analyzer/text/child_process.hpp"

namespace miglint::alembic {

namespace fs = std::filesystem;

namespace {

bool is_file(const fs::path& path) {
  std::error_code error;
  return fs::is_regular_file(path, error);
}

std::string getenv_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::string(value) : std::string();
}

}  // namespace

InterpreterChoice interpreter_candidates(const std::string& configured, const std::string& project_root) {
  InterpreterChoice choice;
  if (!configured.empty()) {
    choice.candidates.push_back(configured);
    choice.explicit_choice = true;
    return choice;
  }
  if (std::string from_env = getenv_or_empty("MIGLINT_PYTHON"); !from_env.empty()) {
    choice.candidates.push_back(from_env);
    choice.explicit_choice = true;
    return choice;
  }
  if (std::string venv = getenv_or_empty("VIRTUAL_ENV");
      !venv.empty() && is_file(fs::path(venv) / "bin/python")) {
    choice.candidates.push_back((fs::path(venv) / "bin/python").string());
    choice.explicit_choice = true;
    return choice;
  }
  for (const char* local : {".venv", "venv"}) {
    fs::path python = fs::path(project_root) / local / "bin/python";
    if (is_file(python)) {
      choice.candidates.push_back(python.string());
      choice.explicit_choice = true;
      return choice;
    }
  }
  choice.candidates.push_back("python3");
  // A python3 first on PATH may be a private interpreter (pyenv) without the system's packages:
  // the system's python3 is tried next when the first lacks Alembic.
  if (is_file("/usr/bin/python3")) {
    choice.candidates.push_back("/usr/bin/python3");
  }
  return choice;
}

Expected<std::string> helper_script() {
  std::vector<std::string> tried;
  if (std::string explicit_path = getenv_or_empty("MIGLINT_ALEMBIC_HELPER"); !explicit_path.empty()) {
    if (is_file(explicit_path)) {
      return explicit_path;
    }
    return Error{fmt::format("MIGLINT_ALEMBIC_HELPER names {}, which does not exist", explicit_path)};
  }
  std::error_code error;
  fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    for (fs::path candidate : {exe.parent_path() / "miglint_alembic.py",
                               exe.parent_path() / MIGLINT_ALEMBIC_HELPER_FROM_BIN / "miglint_alembic.py"}) {
      candidate = candidate.lexically_normal();
      if (is_file(candidate)) {
        return candidate.string();
      }
      tried.push_back(candidate.string());
    }
  }
#ifdef MIGLINT_ALEMBIC_HELPER_BUILD_PATH
  if (is_file(MIGLINT_ALEMBIC_HELPER_BUILD_PATH)) {
    return std::string(MIGLINT_ALEMBIC_HELPER_BUILD_PATH);
  }
  tried.emplace_back(MIGLINT_ALEMBIC_HELPER_BUILD_PATH);
#endif
  return Error{fmt::format("miglint's Alembic helper (miglint_alembic.py) is not installed (looked at {})",
                           fmt::join(tried, ", "))};
}

Expected<HelperOutput> run_helper(const std::string& interpreter, const std::string& helper,
                                  const std::string& request) {
  // -B: no __pycache__ written into the project's versions folder.
  Expected<ChildOutput> run = run_child({interpreter, "-B", helper}, request);
  if (!run) {
    return Error{fmt::format("cannot run the Python interpreter {}: {}", interpreter, run.error().message)};
  }
  return HelperOutput{std::move(run->out), std::move(run->err), run->exit_status};
}

}  // namespace miglint::alembic
