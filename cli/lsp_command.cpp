#include "cli/lsp_command.hpp"

#include "cli/command_line.hpp"

namespace miglint {

void add_lsp_command_stub(CLI::App& app) {
  CLI::App* command = app.add_subcommand(
      kLspCommand,
      "Language server over stdin/stdout for editors: diagnostics, fixes, ignore comments, locks on hover");
  command->prefix_command();  // the rest of the command line is miglint-lsp's
  command->set_help_flag();
}

// argv[1] stays "lsp": the server's help names the command the user typed.
int exec_lsp(int argc, char** argv) {
  return exec_companion("miglint-lsp", argc, argv);
}

}  // namespace miglint
