#pragma once

#include <CLI/CLI.hpp>

#include <optional>

namespace miglint {

// Parses the command line into `app`. On a parse error, or on --help/--version, prints what CLI11
// prints with every line escaped (it echoes the offending argument, which may be a hostile file
// name) and returns CLI11's exit code (0 for help); nullopt when the command should run.
std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv);

}  // namespace miglint
