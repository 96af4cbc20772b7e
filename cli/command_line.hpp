#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <optional>

namespace miglint {

// Parses the command line into `app`. On a parse error, or on --help/--version, prints what CLI11
// prints with every line escaped (it echoes the offending argument, which may be a hostile file
// name) and returns CLI11's exit code (0 for help); nullopt when the command should run.
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv);

// A program installed beside this executable (miglint-runner, miglint-lsp): found through
// /proc/self/exe, or beside `argv0` when that cannot be read.
std::filesystem::path companion_program(const char* name, const char* argv0);

// Replaces the process with the companion program `name`, passing miglint's own argv (argv[0]
// stays miglint's, so its help and errors name the command the user typed); returns 2 after one
// error line when it cannot be started.
int exec_companion(const char* name, int argc, char** argv);

}  // namespace miglint
