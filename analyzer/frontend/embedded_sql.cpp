#include "analyzer/frontend/embedded_sql.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <tuple>

namespace miglint {

namespace {

// Where each line of a text starts, to find a line in log time: the directive comments of a file
// with tens of thousands of calls must not each count the newlines from the top.
std::vector<uint32_t> line_starts_of(std::string_view text) {
  std::vector<uint32_t> starts{0};
  for (std::size_t at = text.find('\n'); at != std::string_view::npos; at = text.find('\n', at + 1)) {
    starts.push_back(static_cast<uint32_t>(at + 1));
  }
  return starts;
}

// The start of the line holding `offset`.
uint32_t line_start_of(const std::vector<uint32_t>& starts, uint32_t offset) {
  return *(std::upper_bound(starts.begin(), starts.end(), offset) - 1);
}

// The largest of a range of call ends, in constant time after an n log n build (a sparse table).
class RangeMax {
 public:
  explicit RangeMax(std::vector<uint32_t> values) {
    levels_.push_back(std::move(values));
    for (std::size_t width = 1; width * 2 <= levels_[0].size(); width *= 2) {
      const std::vector<uint32_t>& below = levels_.back();
      std::vector<uint32_t> level(below.size() - width);
      for (std::size_t i = 0; i < level.size(); ++i) {
        level[i] = std::max(below[i], below[i + width]);
      }
      levels_.push_back(std::move(level));
    }
  }
  // max(values[first..last]), first <= last.
  uint32_t max(std::size_t first, std::size_t last) const {
    std::size_t level = std::bit_width(last - first + 1) - 1;
    return std::max(levels_[level][first], levels_[level][last + 1 - (std::size_t{1} << level)]);
  }

 private:
  std::vector<std::vector<uint32_t>> levels_;
};

bool is_name_byte(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// The names and values of `neutral` (a call's SQL with stand-ins) that hold a stand-in, each with
// the text the program wrote in its place (`source`, same length).
std::vector<std::pair<std::string, std::string>> stand_in_words_of(std::string_view source,
                                                                   std::string_view neutral,
                                                                   PlaceholderStyle style) {
  std::vector<std::pair<std::string, std::string>> words;
  for (const Placeholder& placeholder : find_placeholders(source, style)) {
    std::size_t begin = placeholder.begin;
    std::size_t end = placeholder.end;
    while (begin > 0 && is_name_byte(neutral[begin - 1])) {
      --begin;
    }
    while (end < neutral.size() && is_name_byte(neutral[end])) {
      ++end;
    }
    std::pair<std::string, std::string> word{std::string(neutral.substr(begin, end - begin)),
                                             std::string(source.substr(begin, end - begin))};
    if (word.first != word.second && std::find(words.begin(), words.end(), word) == words.end()) {
      words.push_back(std::move(word));
    }
  }
  // Longest first: `idx_p_` is replaced before `p_`.
  std::stable_sort(words.begin(), words.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  return words;
}

// `text` with every whole word equal (ignoring case: the parser folds names) to a stand-in word
// replaced by the program's text.
std::string replace_stand_ins(const std::string& text,
                              const std::vector<std::pair<std::string, std::string>>& words) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_name_byte(text[i]) || (i > 0 && is_name_byte(text[i - 1]))) {
      out += text[i++];
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && is_name_byte(text[end])) {
      ++end;
    }
    std::string_view word(text.data() + i, end - i);
    auto same = [&](const std::string& stand_in) {
      return stand_in.size() == word.size() &&
             std::equal(stand_in.begin(), stand_in.end(), word.begin(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) ==
                      std::tolower(static_cast<unsigned char>(b));
             });
    };
    auto found =
        std::find_if(words.begin(), words.end(), [&](const auto& entry) { return same(entry.first); });
    out += found != words.end() ? std::string_view(found->second) : word;
    i = end;
  }
  return out;
}

std::string_view style_example(PlaceholderStyle style) {
  switch (style) {
    case PlaceholderStyle::Fmt:
      return "fmt/std::format (`{}`)";
    case PlaceholderStyle::Printf:
      return "printf (`%s`)";
    case PlaceholderStyle::Question:
      return "`?`";
    case PlaceholderStyle::Colon:
      return "`:name`";
    case PlaceholderStyle::Dollar:
      break;
  }
  return "`$1`";
}

std::string_view style_name(PlaceholderStyle style) {
  switch (style) {
    case PlaceholderStyle::Fmt:
      return "fmt";
    case PlaceholderStyle::Printf:
      return "printf";
    case PlaceholderStyle::Question:
      return "question";
    case PlaceholderStyle::Colon:
      return "colon";
    case PlaceholderStyle::Dollar:
      break;
  }
  return "dollar";
}

}  // namespace

AssembledSql assemble_calls(std::string_view source_text, const std::vector<EmbeddedCall>& calls,
                            const std::vector<DirectiveComment>& directives) {
  AssembledSql out;
  auto append = [&](std::string_view text, uint32_t source_offset, bool advance) {
    for (std::size_t i = 0; i < text.size(); ++i) {
      out.text += text[i];
      out.offsets.push_back(source_offset + (advance ? static_cast<uint32_t>(i) : 0));
    }
  };
  // Copies a directive comment as an SQL comment: its line marker becomes `--` (the marker's bytes
  // map to the marker; every other byte to its place in the comment); `/* */` is SQL already.
  auto append_comment = [&](const DirectiveComment& comment) {
    std::string_view text = source_text.substr(comment.span.begin, comment.span.end - comment.span.begin);
    if (comment.line_marker_length > 0) {
      for (uint32_t i = 0; i < 2; ++i) {
        out.text += '-';
        out.offsets.push_back(comment.span.begin + std::min(i, comment.line_marker_length - 1));
      }
      append(text.substr(comment.line_marker_length), comment.span.begin + comment.line_marker_length, true);
    } else {
      append(text, comment.span.begin, true);
    }
    append("\n", comment.span.end, false);
  };

  // A whole-file comment goes first; another applies to the call it is written in or trails on the
  // same line, else to the next call.
  std::vector<std::vector<const DirectiveComment*>> call_comments(calls.size());
  if (!directives.empty()) {
    std::vector<uint32_t> line_starts = line_starts_of(source_text);
    std::optional<RangeMax> ends;
    if (!calls.empty()) {
      std::vector<uint32_t> call_ends;
      call_ends.reserve(calls.size());
      for (const EmbeddedCall& call : calls) {
        call_ends.push_back(call.call_end);
      }
      ends.emplace(std::move(call_ends));
    }
    for (const DirectiveComment& comment : directives) {
      if (comment.whole_file) {
        append_comment(comment);
        continue;
      }
      // The last call that begins before the comment and ends at or after the start of its line:
      // the comment is inside it, or trails it on its last line. Else the first call after it.
      uint32_t line_start = line_start_of(line_starts, comment.span.begin);
      auto begins_after =
          std::upper_bound(calls.begin(), calls.end(), comment.span.begin,
                           [](uint32_t at, const EmbeddedCall& call) { return at < call.call_begin; });
      auto before = static_cast<std::size_t>(begins_after - calls.begin());  // calls[0..before) begin before
      std::optional<std::size_t> target;
      if (before > 0 && ends->max(0, before - 1) >= line_start) {
        // Binary search for the largest k with max(calls[k..before).call_end) >= line_start.
        std::size_t low = 0;
        std::size_t high = before - 1;
        while (low < high) {
          std::size_t middle = low + (high - low + 1) / 2;
          if (ends->max(middle, before - 1) >= line_start) {
            low = middle;
          } else {
            high = middle - 1;
          }
        }
        target = low;
      }
      if (!target) {
        auto next =
            std::lower_bound(calls.begin(), calls.end(), comment.span.end,
                             [](const EmbeddedCall& call, uint32_t at) { return call.call_begin < at; });
        if (next != calls.end()) {
          target = static_cast<std::size_t>(next - calls.begin());
        }
      }
      if (target) {
        call_comments[*target].push_back(&comment);
      }
    }
  }

  for (std::size_t k = 0; k < calls.size(); ++k) {
    const EmbeddedCall& call = calls[k];
    EmbeddedCallRegion region;
    region.transaction = call.transaction;
    region.down = call.down;
    region.directives.begin = static_cast<uint32_t>(out.text.size());
    for (const DirectiveComment* comment : call_comments[k]) {
      append_comment(*comment);
    }
    region.directives.end = static_cast<uint32_t>(out.text.size());
    region.sql.begin = static_cast<uint32_t>(out.text.size());
    if (call.dynamic) {
      // One stand-in byte that the dynamic-sql note (and an ignore of it) can point at.
      out.dynamic_arguments.emplace_back(static_cast<uint32_t>(out.text.size()), call.argument);
      append(" ", call.argument.begin, false);
    } else {
      std::string sql = neutralize_placeholders(call.sql, call.placeholders);
      ByteSpan in_text{static_cast<uint32_t>(out.text.size()),
                       static_cast<uint32_t>(out.text.size() + sql.size())};
      if (call.placeholders != PlaceholderStyle::Dollar) {
        auto words = stand_in_words_of(call.sql, sql, call.placeholders);
        for (const auto& word : words) {
          // Values (`000`) only within their own call: a number elsewhere is most likely a number.
          bool value = std::all_of(word.first.begin(), word.first.end(),
                                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
          if (!value && std::none_of(out.all_stand_in_words.begin(), out.all_stand_in_words.end(),
                                     [&](const auto& known) { return known.first == word.first; })) {
            out.all_stand_in_words.push_back(word);
          }
        }
        if (!words.empty()) {
          out.stand_in_words.push_back(AssembledSql::StandInWords{in_text, std::move(words)});
        }
      }
      if (call.placeholders_assumed && !out.assumed_style) {
        out.assumed_style = AssembledSql::AssumedStyle{in_text, call.placeholders, call.function};
      }
      out.text += sql;
      out.offsets.insert(out.offsets.end(), call.sql_offsets.begin(), call.sql_offsets.end());
      out.offsets.resize(out.text.size(), call.argument.end);
    }
    region.sql.end = static_cast<uint32_t>(out.text.size());
    // The separator: a newline ends a trailing `--` comment, `;` ends the last statement.
    uint32_t after = call.sql_offsets.empty() ? call.argument.end : call.sql_offsets.back() + 1;
    append("\n;\n", after, false);
    out.plan.calls.push_back(region);
  }
  std::stable_sort(out.all_stand_in_words.begin(), out.all_stand_in_words.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  return out;
}

ByteSpan map_to_source(const AssembledSql& assembled, ByteSpan span) {
  if (assembled.offsets.empty()) {
    return {};
  }
  auto at = [&](uint32_t i) {
    return assembled.offsets[std::min<std::size_t>(i, assembled.offsets.size() - 1)];
  };
  uint32_t begin = at(span.begin);
  uint32_t end = span.end > span.begin ? at(span.end - 1) + 1 : begin;
  return ByteSpan{begin, std::max(begin, end)};
}

void add_dynamic_sql_notes(AssembledSql& assembled, const std::string& path, const Rule* dynamic_rule,
                           const EmbeddedSource& source) {
  for (const auto& [stand_in, argument] : assembled.dynamic_arguments) {
    if (dynamic_rule == nullptr) {
      break;
    }
    Finding note;
    note.rule = kDynamicSqlRule;
    note.severity = dynamic_rule->severity;
    note.path = path;
    note.span = ByteSpan{stand_in, stand_in + 1};
    note.message = source.dynamic_sql_message;
    note.help = source.dynamic_sql_help;
    assembled.plan.front_end_findings.push_back(std::move(note));
  }
}

void add_placeholder_style_note(AssembledSql& assembled, const std::string& path, const Rule* rule) {
  if (rule == nullptr || !assembled.assumed_style) {
    return;
  }
  const AssembledSql::AssumedStyle& assumed = *assembled.assumed_style;
  std::string function = assumed.function.empty() ? "the query function" : "`" + assumed.function + "`";
  Finding note;
  note.rule = kPlaceholderStyleRule;
  note.severity = rule->severity;
  note.path = path;
  note.span = ByteSpan{assumed.sql.begin, std::min(assumed.sql.end, assumed.sql.begin + 1)};
  note.message = fmt::format(
      "the SQL passed to {} is read as a {} format string, because the call passes arguments after it "
      "(every call of this file that does so is read with the placeholder style its SQL shows)",
      function, style_example(assumed.style));
  note.help = fmt::format(
      "Say so in miglint.toml to make it certain (and silence this note): a [[cpp.query_functions]] entry "
      "with name = \"{}\", the SQL argument's 0-based index as sql_arg, and placeholders = \"{}\"",
      assumed.function.empty() ? "..." : assumed.function, style_name(assumed.style));
  assembled.plan.front_end_findings.push_back(std::move(note));
}

void map_findings_to_source(const AssembledSql& assembled, const SourceFile& source,
                            std::vector<Finding>& findings) {
  for (Finding& finding : findings) {
    if (!assembled.stand_in_words.empty()) {
      auto call = std::upper_bound(
          assembled.stand_in_words.begin(), assembled.stand_in_words.end(), finding.span.begin,
          [](uint32_t at, const AssembledSql::StandInWords& words) { return at < words.sql.begin; });
      // The finding's own call first (the same stand-in may stand for `{}` in one call and `%s` in
      // another), then every call's (a finding may name a table an earlier call changed).
      if (call != assembled.stand_in_words.begin() && finding.span.begin < std::prev(call)->sql.end) {
        finding.message = replace_stand_ins(finding.message, std::prev(call)->words);
        finding.help = replace_stand_ins(finding.help, std::prev(call)->words);
      }
      finding.message = replace_stand_ins(finding.message, assembled.all_stand_in_words);
      finding.help = replace_stand_ins(finding.help, assembled.all_stand_in_words);
    }
    // The stand-ins are in text order: found by binary search (a file may have 50,000 of them).
    auto dynamic =
        std::lower_bound(assembled.dynamic_arguments.begin(), assembled.dynamic_arguments.end(),
                         finding.span.begin, [](const auto& entry, uint32_t at) { return entry.first < at; });
    if (finding.rule == kDynamicSqlRule && dynamic != assembled.dynamic_arguments.end() &&
        dynamic->first == finding.span.begin) {
      finding.span = dynamic->second;
    } else {
      finding.span = map_to_source(assembled, finding.span);
    }
    finding.path = source.path();
    finding.start = source.position(finding.span.begin);
    finding.end = source.position(finding.span.end);
    set_source_line(finding, source);
  }
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.start, a.end, a.rule) < std::tie(b.start, b.end, b.rule);
  });
}

}  // namespace miglint
