#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace miglint {

// A text the front end cannot read within its limits: a statement nested deeper than the parser's
// stack or the parse tree's reader allow, or a run of operator characters that would keep
// PostgreSQL's lexer busy for minutes (analyzer/sql/lexer_cost.hpp). Thrown rather than reported as
// a finding (the statement may be valid SQL): the lint driver makes it the file's one error line.
// what() says why ("a statement is nested too deeply for the parser (...)"); `offset` is where.
class ParserLimit : public std::runtime_error {
 public:
  ParserLimit(const std::string& what, uint32_t offset) : std::runtime_error(what), offset_(offset) {}
  uint32_t offset() const { return offset_; }

 private:
  uint32_t offset_;
};

}  // namespace miglint
