#include "cli/command_line.hpp"

#include <iostream>
#include <sstream>

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

}  // namespace miglint
