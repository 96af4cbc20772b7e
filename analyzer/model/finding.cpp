#include "analyzer/model/finding.hpp"

#include <algorithm>

namespace miglint {

std::string_view severity_name(Severity severity) {
  switch (severity) {
    case Severity::Note:
      return "note";
    case Severity::Warning:
      return "warning";
    case Severity::Error:
      return "error";
  }
  return "warning";
}

std::optional<Severity> parse_severity(std::string_view text) {
  if (text == "note") {
    return Severity::Note;
  }
  if (text == "warning") {
    return Severity::Warning;
  }
  if (text == "error") {
    return Severity::Error;
  }
  return std::nullopt;
}

namespace {

constexpr std::size_t kWholeLineBytes = 4096;     // lines up to this long are kept whole
constexpr std::size_t kExcerptBytesBefore = 256;  // else: this much before the start
constexpr std::size_t kExcerptBytesAfter = 1024;  // and this much after it

bool is_continuation_byte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0U) == 0x80U;
}

}  // namespace

void set_source_line(Finding& finding, const SourceFile& source) {
  std::string_view line = source.line_text(finding.start.line);
  finding.source_line_column = 1;
  if (line.size() <= kWholeLineBytes) {
    finding.source_line = line;
    return;
  }
  auto line_begin = static_cast<std::size_t>(line.data() - source.text().data());
  std::size_t at =
      std::clamp<std::size_t>(finding.span.begin, line_begin, line_begin + line.size()) - line_begin;
  std::size_t from = at > kExcerptBytesBefore ? at - kExcerptBytesBefore : 0;
  std::size_t to = std::min(line.size(), at + kExcerptBytesAfter);
  while (from > 0 && is_continuation_byte(line[from])) {
    --from;
  }
  while (to < line.size() && is_continuation_byte(line[to])) {
    ++to;
  }
  finding.source_line = line.substr(from, to - from);
  uint32_t skipped = count_code_points(line.substr(from, at - from));
  finding.source_line_column = finding.start.column > skipped ? finding.start.column - skipped : 1;
}

}  // namespace miglint
