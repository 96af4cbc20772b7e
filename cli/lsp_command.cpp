#include "cli/lsp_command.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <vector>

namespace miglint {

void add_lsp_command_stub(CLI::App& app) {
  CLI::App* command = app.add_subcommand(
      kLspCommand,
      "Language server over stdin/stdout for editors: diagnostics, fixes, ignore comments, locks on hover");
  command->prefix_command();  // the rest of the command line is miglint-lsp's
  command->set_help_flag();
}

int exec_lsp(int argc, char** argv) {
  std::error_code error;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  std::filesystem::path server =
      (error ? std::filesystem::path(argv[0]) : self).parent_path() / "miglint-lsp";
  // argv[0] stays miglint's, argv[1] "lsp": the server's help names the command the user typed.
  std::vector<char*> arguments(argv, argv + argc);
  arguments.push_back(nullptr);
  std::string program = server.string();
  execv(program.c_str(), arguments.data());
  std::cerr << fmt::format("miglint: error: cannot start {}: {} (it is installed beside miglint)\n", program,
                           std::strerror(errno));
  return 2;
}

}  // namespace miglint
