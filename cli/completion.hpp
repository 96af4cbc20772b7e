#pragma once

#include <CLI/CLI.hpp>

#include <map>
#include <string>
#include <vector>

namespace miglint {

// `miglint completion bash|zsh|fish` prints a completion script for that shell, generated from the
// command-line definition itself (subcommands, their options, the values a `--format` accepts), so
// that the scripts cannot drift from the flags. It is not a subcommand of the App (it would be built
// on every start-up and listed in --help): main() asks is_completion_request() first.
bool is_completion_request(int argc, char** argv);

// The words a command line takes where they are not file names.
struct CompletionWords {
  // Per subcommand, the words its positional argument takes (`explain`: the rule ids); other
  // positionals complete file names.
  std::map<std::string, std::vector<std::string>> positionals;
  // Per long option name (without dashes), the words its value takes as a comma-separated list
  // (`--select`, `--ignore`, `--rule`: the rule ids). Options with a fixed set of values checked by
  // CLI11 (`--format`) need no entry.
  std::map<std::string, std::vector<std::string>> option_lists;
};

// Writes the script for argv[2] to standard output. Returns the exit status (2, with one line on
// standard error, for an unknown shell).
int print_completion(const CLI::App& app, int argc, char** argv, const CompletionWords& words);

}  // namespace miglint
