#include "analyzer/cpp/cpp_lint.hpp"

#include <dlfcn.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "analyzer/cpp/cpp_text.hpp"
#include "analyzer/cpp/placeholders.hpp"

namespace miglint::cpp {

namespace {

std::atomic<bool> g_loaded{false};

// Where libmiglint_cpp.so may be: $MIGLINT_CPP_FRONT_END, beside the executable, the install's
// lib/miglint, and the build tree it was built in.
std::vector<std::string> front_end_candidates() {
  std::vector<std::string> candidates;
  if (const char* explicit_path = std::getenv("MIGLINT_CPP_FRONT_END");
      explicit_path != nullptr && *explicit_path) {
    candidates.emplace_back(explicit_path);
    return candidates;
  }
  std::error_code error;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    candidates.push_back((exe.parent_path() / "libmiglint_cpp.so").string());
    candidates.push_back(
        (exe.parent_path() / "../lib/miglint/libmiglint_cpp.so").lexically_normal().string());
  }
#ifdef MIGLINT_CPP_FRONT_END_BUILD_PATH
  candidates.emplace_back(MIGLINT_CPP_FRONT_END_BUILD_PATH);
#endif
  return candidates;
}

}  // namespace

const FrontEndApi* load_front_end(std::string* why_not) {
  static std::once_flag once;
  static const FrontEndApi* api = nullptr;
  static std::string failure;
  std::call_once(once, [] {
    std::vector<std::string> tried;
    for (const std::string& path : front_end_candidates()) {
      std::error_code error;
      if (!std::filesystem::exists(path, error)) {
        tried.push_back(path);
        continue;
      }
      void* handle = dlopen(path.c_str(), RTLD_LAZY | RTLD_LOCAL);
      if (handle == nullptr) {
        failure = fmt::format("cannot load the C++ front end {}: {}", path, dlerror());
        return;
      }
      auto entry = reinterpret_cast<const FrontEndApi* (*)()>(dlsym(handle, kFrontEndSymbol));
      const FrontEndApi* loaded = entry != nullptr ? entry() : nullptr;
      if (loaded == nullptr || loaded->abi_version != kFrontEndAbiVersion) {
        failure = fmt::format("{} is not a C++ front end of this miglint version", path);
        return;
      }
      api = loaded;
      g_loaded = true;
      return;
    }
    failure = fmt::format(
        "C++ sources need miglint's C++ front end (libmiglint_cpp.so, built when Clang 16 is found), "
        "which is not installed (looked at {})",
        fmt::join(tried, ", "));
  });
  if (api == nullptr && why_not != nullptr) {
    *why_not = failure;
  }
  return api;
}

bool front_end_loaded() {
  return g_loaded;
}

namespace {

// An ignore directive written as a C++ comment: `// miglint-ignore rule -- reason`.
bool is_ignore_comment(std::string_view comment, bool* whole_file) {
  std::string_view body = comment.substr(2);
  while (!body.empty() && (body.front() == ' ' || body.front() == '\t')) {
    body.remove_prefix(1);
  }
  if (!body.starts_with("miglint-ignore")) {
    return false;
  }
  *whole_file = body.starts_with("miglint-ignore-file");
  return true;
}

// Where each line of a text starts, to find a line in log time: the ignore comments of a file with
// tens of thousands of calls must not each count the newlines from the top.
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

}  // namespace

AssembledSql assemble_calls(std::string_view cpp_text, const std::vector<ExtractedCall>& calls) {
  AssembledSql out;
  auto append = [&](std::string_view text, uint32_t cpp_offset, bool advance) {
    for (std::size_t i = 0; i < text.size(); ++i) {
      out.text += text[i];
      out.offsets.push_back(cpp_offset + (advance ? static_cast<uint32_t>(i) : 0));
    }
  };
  // Copies a C++ comment as an SQL comment: `//` becomes `--` (same length, so every byte still
  // maps to its place in the C++ comment); `/* */` is SQL already.
  auto append_comment = [&](const CppComment& comment) {
    std::string text(cpp_text.substr(comment.begin, comment.end - comment.begin));
    if (comment.line_comment) {
      text[0] = '-', text[1] = '-';
    }
    append(text, comment.begin, true);
    append("\n", comment.end, false);
  };

  // Ignore comments: a whole-file one goes first; another applies to the call it is written in or
  // trails on the same line, else to the next call.
  std::vector<std::vector<CppComment>> call_comments(calls.size());
  if (cpp_text.find("miglint-ignore") != std::string_view::npos) {
    std::vector<uint32_t> line_starts = line_starts_of(cpp_text);
    std::optional<RangeMax> ends;
    if (!calls.empty()) {
      std::vector<uint32_t> call_ends;
      call_ends.reserve(calls.size());
      for (const ExtractedCall& call : calls) {
        call_ends.push_back(call.call_end);
      }
      ends.emplace(std::move(call_ends));
    }
    for (const CppComment& comment : scan_cpp_comments(cpp_text)) {
      bool whole_file = false;
      if (!is_ignore_comment(cpp_text.substr(comment.begin, comment.end - comment.begin), &whole_file)) {
        continue;
      }
      if (whole_file) {
        append_comment(comment);
        continue;
      }
      // The last call that begins before the comment and ends at or after the start of its line:
      // the comment is inside it, or trails it on its last line. Else the first call after it.
      uint32_t line_start = line_start_of(line_starts, comment.begin);
      auto begins_after =
          std::upper_bound(calls.begin(), calls.end(), comment.begin,
                           [](uint32_t at, const ExtractedCall& call) { return at < call.call_begin; });
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
            std::lower_bound(calls.begin(), calls.end(), comment.end,
                             [](const ExtractedCall& call, uint32_t at) { return call.call_begin < at; });
        if (next != calls.end()) {
          target = static_cast<std::size_t>(next - calls.begin());
        }
      }
      if (target) {
        call_comments[*target].push_back(comment);
      }
    }
  }

  for (std::size_t k = 0; k < calls.size(); ++k) {
    const ExtractedCall& call = calls[k];
    EmbeddedCallRegion region;
    region.transaction = call.transaction;
    region.directives.begin = static_cast<uint32_t>(out.text.size());
    for (const CppComment& comment : call_comments[k]) {
      append_comment(comment);
    }
    region.directives.end = static_cast<uint32_t>(out.text.size());
    region.sql.begin = static_cast<uint32_t>(out.text.size());
    if (call.dynamic) {
      // One stand-in byte that the dynamic-sql note (and an ignore of it) can point at.
      out.dynamic_arguments.emplace_back(static_cast<uint32_t>(out.text.size()),
                                         ByteSpan{call.argument_begin, call.argument_end});
      append(" ", call.argument_begin, false);
    } else {
      std::string sql = neutralize_placeholders(call.sql, call.placeholders);
      out.text += sql;
      out.offsets.insert(out.offsets.end(), call.sql_offsets.begin(), call.sql_offsets.end());
      out.offsets.resize(out.text.size(), call.argument_end);
    }
    region.sql.end = static_cast<uint32_t>(out.text.size());
    // The separator: a newline ends a trailing `--` comment, `;` ends the last statement.
    uint32_t after = call.sql_offsets.empty() ? call.argument_end : call.sql_offsets.back() + 1;
    append("\n;\n", after, false);
    out.plan.calls.push_back(region);
  }
  return out;
}

ByteSpan map_to_cpp(const AssembledSql& assembled, ByteSpan span) {
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

FileResult lint_extracted_calls(const SourceFile& source, const CppExtraction& extraction,
                                const LintOptions& options, const RuleSet& rules, SchemaHistory* history,
                                std::size_t file_order) {
  AssembledSql assembled = assemble_calls(source.text(), extraction.calls);
  const Rule* dynamic_rule = rules.find(kDynamicSqlRule);
  for (const auto& [stand_in, argument] : assembled.dynamic_arguments) {
    if (dynamic_rule == nullptr) {
      break;
    }
    Finding note;
    note.rule = kDynamicSqlRule;
    note.severity = dynamic_rule->severity;
    note.path = source.path();
    note.span = ByteSpan{stand_in, stand_in + 1};
    note.message =
        "the SQL passed here is built at run time: miglint cannot check it (only constant SQL is "
        "read: literals, constants, macros)";
    note.help =
        "Pass the statement as a literal or a constant so that it can be checked, or silence this note "
        "with `// miglint-ignore dynamic-sql -- reason` above the call.";
    assembled.plan.front_end_findings.push_back(std::move(note));
  }
  SourceFile sql_view(source.path(), assembled.text);
  FileResult result = lint_embedded_sql(sql_view, assembled.plan, options, rules, history, file_order);
  for (Finding& finding : result.findings) {
    // The stand-ins are in text order: found by binary search (a file may have 50,000 of them).
    auto dynamic =
        std::lower_bound(assembled.dynamic_arguments.begin(), assembled.dynamic_arguments.end(),
                         finding.span.begin, [](const auto& entry, uint32_t at) { return entry.first < at; });
    if (finding.rule == kDynamicSqlRule && dynamic != assembled.dynamic_arguments.end() &&
        dynamic->first == finding.span.begin) {
      finding.span = dynamic->second;
    } else {
      finding.span = map_to_cpp(assembled, finding.span);
    }
    finding.path = source.path();
    finding.start = source.position(finding.span.begin);
    finding.end = source.position(finding.span.end);
    set_source_line(finding, source);
  }
  std::stable_sort(result.findings.begin(), result.findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.start, a.end, a.rule) < std::tie(b.start, b.end, b.rule);
  });
  if (!extraction.incomplete.empty()) {
    result.warnings.push_back(fmt::format(
        "{}:{} (Clang could not read all of it; SQL was taken from what it could read, and calls in the "
        "rest may be missing)",
        source.path(), extraction.incomplete));
  }
  return result;
}

FileResult lint_cpp_source(const SourceFile& source, const std::string& filesystem_path,
                           const LintOptions& options, const RuleSet& rules, SchemaHistory* history,
                           std::size_t file_order) {
  auto fail = [&](std::string message) {
    if (history != nullptr) {
      history->publish(file_order, {});
    }
    FileResult failed;
    failed.path = source.path();
    failed.errors.push_back(InputError{source.path(), std::nullopt, std::move(message)});
    return failed;
  };
  std::string why_not;
  const FrontEndApi* api = load_front_end(&why_not);
  if (api == nullptr) {
    return fail(why_not);
  }
  static const CppSettings kDefaults;
  CppExtractRequest request;
  request.filesystem_path = filesystem_path.empty() ? source.path() : filesystem_path;
  request.contents = source.text();
  request.settings = options.cpp != nullptr ? options.cpp.get() : &kDefaults;
  CppExtraction extraction = api->extract(request);
  if (extraction.error) {
    return fail(*extraction.error);
  }
  return lint_extracted_calls(source, extraction, options, rules, history, file_order);
}

}  // namespace miglint::cpp
