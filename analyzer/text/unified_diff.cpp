#include "analyzer/text/unified_diff.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <vector>

namespace miglint {

namespace {

constexpr std::size_t kContext = 3;

// Lines with their "\n", so that a last line without one differs from the same line with one.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t newline = text.find('\n', start);
    std::size_t end = newline == std::string_view::npos ? text.size() : newline + 1;
    lines.push_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

enum class Op { Keep, Remove, Add };
struct Step {
  Op op;
  std::size_t line;  // index into the old lines (Keep, Remove) or the new ones (Add)
};

// Myers' O(ND) shortest edit script over lines. Fixes change few lines, so D (and the trace kept to
// walk the path back, D * (2D + 1) entries) stays small whatever the file's size.
std::vector<Step> edit_script(const std::vector<std::string_view>& a,
                              const std::vector<std::string_view>& b) {
  const long n = static_cast<long>(a.size());
  const long m = static_cast<long>(b.size());
  const long max = n + m;
  std::vector<std::vector<long>> trace;
  std::vector<long> v(2 * static_cast<std::size_t>(max) + 2, 0);
  const long offset = max + 1;
  long found_d = -1;
  for (long d = 0; d <= max && found_d < 0; ++d) {
    for (long k = -d; k <= d; k += 2) {
      long x = (k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])) ? v[offset + k + 1]
                                                                              : v[offset + k - 1] + 1;
      long y = x - k;
      while (x < n && y < m && a[x] == b[y]) {
        ++x;
        ++y;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found_d = d;
        break;
      }
    }
    trace.push_back(v);
  }
  std::vector<Step> steps;
  long x = n;
  long y = m;
  for (long d = found_d; d > 0; --d) {
    const std::vector<long>& previous = trace[d - 1];
    long k = x - y;
    long previous_k =
        (k == -d || (k != d && previous[offset + k - 1] < previous[offset + k + 1])) ? k + 1 : k - 1;
    long previous_x = previous[offset + previous_k];
    long previous_y = previous_x - previous_k;
    while (x > previous_x && y > previous_y) {
      steps.push_back(Step{Op::Keep, static_cast<std::size_t>(--x)});
      --y;
    }
    if (x == previous_x) {
      steps.push_back(Step{Op::Add, static_cast<std::size_t>(--y)});
    } else {
      steps.push_back(Step{Op::Remove, static_cast<std::size_t>(--x)});
    }
  }
  while (x > 0 && y > 0) {
    steps.push_back(Step{Op::Keep, static_cast<std::size_t>(--x)});
    --y;
  }
  std::reverse(steps.begin(), steps.end());
  return steps;
}

}  // namespace

std::string unified_diff(std::string_view path, std::string_view before, std::string_view after) {
  if (before == after) {
    return {};
  }
  std::vector<std::string_view> old_lines = split_lines(before);
  std::vector<std::string_view> new_lines = split_lines(after);
  std::vector<Step> steps = edit_script(old_lines, new_lines);
  std::string out = fmt::format("--- a/{}\n+++ b/{}\n", path, path);
  // Old and new line numbers before each step.
  std::vector<std::size_t> old_at(steps.size() + 1);
  std::vector<std::size_t> new_at(steps.size() + 1);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    old_at[i + 1] = old_at[i] + (steps[i].op != Op::Add ? 1 : 0);
    new_at[i + 1] = new_at[i] + (steps[i].op != Op::Remove ? 1 : 0);
  }
  auto print_line = [&](const Step& step) {
    bool is_new = step.op == Op::Add;
    std::string_view line = (is_new ? new_lines : old_lines)[step.line];
    out += step.op == Op::Keep ? ' ' : is_new ? '+' : '-';
    out.append(line);
    if (!line.ends_with('\n')) {
      out += "\n\\ No newline at end of file\n";
    }
  };
  std::size_t i = 0;
  std::size_t previous_end = 0;
  while (i < steps.size()) {
    if (steps[i].op == Op::Keep) {
      ++i;
      continue;
    }
    // A hunk: from kContext lines before this change to kContext lines after the last change that
    // is at most 2 * kContext unchanged lines from the next.
    std::size_t begin = std::max(previous_end, i >= kContext ? i - kContext : 0);
    std::size_t end = i;
    std::size_t last_change = i;
    while (end < steps.size()) {
      if (steps[end].op != Op::Keep) {
        last_change = end;
      } else if (end - last_change > 2 * kContext) {
        break;
      }
      ++end;
    }
    end = std::min(steps.size(), last_change + 1 + kContext);
    std::size_t old_count = old_at[end] - old_at[begin];
    std::size_t new_count = new_at[end] - new_at[begin];
    out += fmt::format("@@ -{},{} +{},{} @@\n", old_count == 0 ? old_at[begin] : old_at[begin] + 1, old_count,
                       new_count == 0 ? new_at[begin] : new_at[begin] + 1, new_count);
    for (std::size_t k = begin; k < end; ++k) {
      print_line(steps[k]);
    }
    i = end;
    previous_end = end;
  }
  return out;
}

}  // namespace miglint
