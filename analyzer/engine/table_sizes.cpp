#include "analyzer/engine/table_sizes.hpp"

#include <fmt/format.h>

#include <cmath>
#include <iterator>
#include <set>

namespace miglint {

namespace {

// `value` with two significant digits below 10 ("4.8"), none above ("48", "480").
std::string two_digits(double value) {
  if (value < 9.95) {
    std::string text = fmt::format("{:.1f}", value);
    return text.ends_with(".0") ? text.substr(0, text.size() - 2) : text;
  }
  return fmt::format("{:.0f}", value);
}

// `"orders"`, as rules quote names in messages.
std::string quoted(const TableRef& table) {
  return "\"" + display_table(table) + "\"";
}

std::string with_thousands(int64_t value) {
  std::string digits = std::to_string(value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) {
      out += ',';
    }
    out += digits[i];
  }
  return out;
}

}  // namespace

std::string display_table(const TableRef& table) {
  return table.schema.empty() ? table.name : table.schema + "." + table.name;
}

std::string describe_row_estimate(int64_t rows) {
  if (rows < 1000) {
    return fmt::format("~{} row{}", rows, rows == 1 ? "" : "s");
  }
  static constexpr const char* kUnits[] = {"k", "M", "G", "T"};
  double value = static_cast<double>(rows) / 1000;
  std::size_t unit = 0;
  while (unit + 1 < std::size(kUnits) && value >= 999.5) {
    value /= 1000;
    ++unit;
  }
  return fmt::format("~{} {} rows", two_digits(value), kUnits[unit]);
}

std::string describe_table_bytes(int64_t bytes) {
  if (bytes < 1024) {
    return fmt::format("{} bytes", bytes);
  }
  static constexpr const char* kUnits[] = {"KB", "MB", "GB", "TB", "PB"};
  double value = static_cast<double>(bytes) / 1024;
  std::size_t unit = 0;
  while (unit + 1 < std::size(kUnits) && value >= 1023.5) {
    value /= 1024;
    ++unit;
  }
  return fmt::format("{} {}", two_digits(value), kUnits[unit]);
}

std::string describe_table_size(const TableSize& size) {
  if (!size.exists) {
    return "new table, not in the database";
  }
  std::string rows = size.rows ? describe_row_estimate(*size.rows) : "row count unknown (never analyzed)";
  std::string bytes = size.bytes ? describe_table_bytes(*size.bytes) : "size not readable";
  return rows + ", " + bytes;
}

std::vector<TableRef> tables_to_look_up(const std::vector<Finding>& findings) {
  std::vector<TableRef> tables;
  std::set<TableKey> seen;
  for (const Finding& finding : findings) {
    if (!finding.table.empty() && !finding.table.created_in_migration &&
        seen.insert(table_key(finding.table)).second) {
      tables.push_back(finding.table);
    }
  }
  return tables;
}

void apply_table_size(Finding& finding, const TableSizes& sizes, int64_t small_table_rows, bool lower) {
  const TableRef& table = finding.table;
  if (table.empty()) {
    return;
  }
  TableSize size;
  std::string described;
  if (table.created_in_migration) {
    described = "new table, created earlier in this migration";
  } else {
    auto found = sizes.find(table_key(table));
    if (found == sizes.end()) {
      return;  // not asked for (the caller looked up other findings' tables only)
    }
    size = found->second;
    described = describe_table_size(size);
  }
  std::string lowered_because;
  if (lower && table.scales_with_size && finding.severity > Severity::Note) {
    if (!size.exists) {
      lowered_because = "new table";
    } else if (size.rows && *size.rows < small_table_rows) {
      lowered_because = fmt::format("{} < small_table_rows {}", describe_row_estimate(*size.rows),
                                    with_thousands(small_table_rows));
    }
  }
  finding.message += fmt::format("; {}: {}", quoted(table), described);
  if (!lowered_because.empty()) {
    size.lowered = true;
    finding.severity = Severity::Note;
    finding.message += fmt::format(" (lowered to a note: {})", lowered_because);
  }
  finding.table_size = std::move(size);
}

void apply_table_sizes(std::vector<Finding>& findings, const TableSizes& sizes, int64_t small_table_rows,
                       bool lower) {
  for (Finding& finding : findings) {
    apply_table_size(finding, sizes, small_table_rows, lower);
  }
}

TableRef table_ref_of_relation(const std::string& qualified) {
  std::size_t dot = qualified.find('.');
  TableRef table;
  if (dot == std::string::npos) {
    table.name = qualified;
  } else {
    table.schema = qualified.substr(0, dot);
    table.name = qualified.substr(dot + 1);
  }
  return table;
}

}  // namespace miglint
