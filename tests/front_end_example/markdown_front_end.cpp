#include "tests/front_end_example/markdown_front_end.hpp"

#include <optional>
#include <string>

namespace miglint::markdown {

namespace {

// One line of the file, without its line break (and without a '\r' before it).
struct Line {
  uint32_t begin = 0;
  uint32_t end = 0;   // past the line's text
  uint32_t next = 0;  // where the next line starts
};

Line line_at(std::string_view text, uint32_t begin) {
  std::size_t newline = text.find('\n', begin);
  uint32_t next = newline == std::string_view::npos ? static_cast<uint32_t>(text.size())
                                                    : static_cast<uint32_t>(newline + 1);
  uint32_t end = newline == std::string_view::npos ? next : static_cast<uint32_t>(newline);
  if (end > begin && text[end - 1] == '\r') {
    --end;
  }
  return Line{begin, end, next};
}

class MarkdownFrontEnd final : public FrontEnd {
 public:
  std::string_view name() const override { return "markdown"; }
  std::string_view language() const override { return "Markdown"; }
  bool claims(std::string_view path, const FrontEndSettings* /*settings*/) const override {
    return path.ends_with(".md");
  }
  std::vector<std::string> extensions(const FrontEndSettings* /*settings*/) const override { return {".md"}; }

  // Every block from a "```sql" line to the next "```" line is a call: its lines are its SQL, each
  // byte at its own offset in the file.
  Expected<EmbeddedSource> extract(const SourceFile& source, const std::string& /*filesystem_path*/,
                                   const FrontEndSettings* /*settings*/) const override {
    std::string_view text = source.text();
    EmbeddedSource embedded;
    std::optional<EmbeddedCall> open;
    for (uint32_t at = 0; at < text.size();) {
      Line line = line_at(text, at);
      std::string_view content = text.substr(line.begin, line.end - line.begin);
      if (!open && content == "```sql") {
        open.emplace();
        open->call_begin = line.begin;
        open->argument = ByteSpan{line.next, line.next};
        open->function = "```sql";
      } else if (open && content.starts_with("```")) {
        open->call_end = line.end;
        embedded.calls.push_back(std::move(*open));
        open.reset();
      } else if (open) {
        for (uint32_t i = line.begin; i < line.next; ++i) {
          open->sql.push_back(text[i]);
          open->sql_offsets.push_back(i);
        }
        open->argument.end = line.next;
      }
      at = line.next;
    }
    if (open) {
      Position opened = source.position(open->call_begin);
      return Error{"the ```sql block opened at line " + std::to_string(opened.line) + " is not closed"};
    }
    return embedded;
  }
};

}  // namespace

const FrontEnd& markdown_front_end() {
  static const MarkdownFrontEnd front_end;
  return front_end;
}

}  // namespace miglint::markdown
