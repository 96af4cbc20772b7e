#pragma once

// `miglint lsp`: the language server is the program miglint-lsp installed beside miglint (lsp/),
// started in miglint's place so that a lint neither links nor loads it.
#include <CLI/CLI.hpp>

namespace miglint {

inline constexpr const char* kLspCommand = "lsp";

// Defines `lsp` for help and completions; its arguments are miglint-lsp's to parse.
void add_lsp_command_stub(CLI::App& app);

// Replaces the process with miglint-lsp (argv[0] stays miglint's); returns 2 after one error line
// when it cannot be started.
int exec_lsp(int argc, char** argv);

}  // namespace miglint
