#include "cli/command_line.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer/text/message_text.hpp"

namespace miglint {

std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    std::ostringstream out;
    std::ostringstream err;
    int code = app.exit(error, out, err);
    std::cout << escape_each_line(out.str());
    std::cerr << escape_each_line(err.str());
    return code;
  }
  return std::nullopt;
}

std::filesystem::path companion_program(const char* name, const char* argv0) {
  std::error_code error;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  return (error ? std::filesystem::path(argv0) : self).parent_path() / name;
}

int exec_companion(const char* name, int argc, char** argv) {
  std::string program = companion_program(name, argv[0]).string();
  std::vector<char*> arguments(argv, argv + argc);
  arguments.push_back(nullptr);
  execv(program.c_str(), arguments.data());
  std::cerr << fmt::format("miglint: error: cannot start {}: {} (it is installed beside miglint)\n", program,
                           std::strerror(errno));
  return 2;
}

}  // namespace miglint
