// The one table of output formats. Each format lives in its own file (SARIF in the top-level sarif/,
// compiled into this library) and is listed here once; see README.md beside this file.
#include <algorithm>

#include "analyzer/report/format.hpp"

namespace miglint {

// Each format's factory, defined in the format's own file.
std::unique_ptr<Reporter> make_text_format(std::ostream& out, const ReportSettings& settings);
std::unique_ptr<Reporter> make_json_format(std::ostream& out, const ReportSettings& settings);
std::unique_ptr<Reporter> make_sarif_format(std::ostream& out, const ReportSettings& settings);
std::unique_ptr<Reporter> make_github_format(std::ostream& out, const ReportSettings& settings);
std::unique_ptr<LocksReporter> make_locks_text_format(std::ostream& out);
std::unique_ptr<LocksReporter> make_locks_json_format(std::ostream& out);

namespace {

constexpr ReportFormat kReportFormats[] = {
    {.name = "text", .wants_colour = true, .make = make_text_format},
    {.name = "json", .make = make_json_format},
    {.name = "sarif", .needs_statement_keys = true, .supports_suppressed = true, .make = make_sarif_format},
    {.name = "github", .make = make_github_format},
};

constexpr LocksFormat kLocksFormats[] = {
    {.name = "text", .make = make_locks_text_format},
    {.name = "json", .make = make_locks_json_format},
};

template <typename Format>
const Format* find_format(std::span<const Format> formats, std::string_view name) {
  auto it =
      std::find_if(formats.begin(), formats.end(), [&](const Format& format) { return format.name == name; });
  return it != formats.end() ? &*it : nullptr;
}

template <typename Format>
std::vector<std::string> names_of(std::span<const Format> formats) {
  std::vector<std::string> names;
  for (const Format& format : formats) {
    names.emplace_back(format.name);
  }
  return names;
}

}  // namespace

std::span<const ReportFormat> report_formats() {
  return kReportFormats;
}

const ReportFormat* find_report_format(std::string_view name) {
  return find_format(report_formats(), name);
}

std::vector<std::string> report_format_names() {
  return names_of(report_formats());
}

std::span<const LocksFormat> locks_formats() {
  return kLocksFormats;
}

const LocksFormat* find_locks_format(std::string_view name) {
  return find_format(locks_formats(), name);
}

std::vector<std::string> locks_format_names() {
  return names_of(locks_formats());
}

}  // namespace miglint
