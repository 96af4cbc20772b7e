#include "analyzer/text/text_edit.hpp"

#include <algorithm>

namespace miglint {

TextEdit make_edit(const SourceFile& source, ByteSpan range, std::string replacement) {
  return TextEdit{range, source.position(range.begin), source.position(range.end), std::move(replacement)};
}

bool edits_conflict(const TextEdit& a, const TextEdit& b) {
  if (a == b) {
    return false;
  }
  bool a_inserts = a.range.begin == a.range.end;
  bool b_inserts = b.range.begin == b.range.end;
  if (a_inserts && b_inserts) {
    return false;
  }
  if (a_inserts) {
    return a.range.begin > b.range.begin && a.range.begin < b.range.end;
  }
  if (b_inserts) {
    return b.range.begin > a.range.begin && b.range.begin < a.range.end;
  }
  return a.range.begin < b.range.end && b.range.begin < a.range.end;
}

FixSelection select_fixes(std::span<const Fix* const> fixes) {
  FixSelection selection;
  for (std::size_t i = 0; i < fixes.size(); ++i) {
    const Fix& fix = *fixes[i];
    bool conflicting = std::any_of(fix.edits.begin(), fix.edits.end(), [&](const TextEdit& edit) {
      return std::any_of(selection.edits.begin(), selection.edits.end(),
                         [&](const TextEdit& taken) { return edits_conflict(edit, taken); });
    });
    if (conflicting) {
      selection.conflicts.push_back(i);
      continue;
    }
    selection.applied.push_back(i);
    for (const TextEdit& edit : fix.edits) {
      if (std::find(selection.edits.begin(), selection.edits.end(), edit) != selection.edits.end()) {
        continue;
      }
      // After every taken edit that starts at or before it: insertions at one offset keep the
      // order they were taken in; an insertion goes before a replacement starting there.
      auto at = std::find_if(selection.edits.begin(), selection.edits.end(), [&](const TextEdit& taken) {
        return taken.range.begin > edit.range.begin ||
               (taken.range.begin == edit.range.begin && taken.range.end > taken.range.begin &&
                edit.range.begin == edit.range.end);
      });
      selection.edits.insert(at, edit);
    }
  }
  return selection;
}

std::string apply_edits(std::string_view text, std::span<const TextEdit> edits) {
  std::string out;
  out.reserve(text.size() + 64);
  std::size_t copied = 0;
  for (const TextEdit& edit : edits) {
    out.append(text.substr(copied, edit.range.begin - copied));
    out.append(edit.replacement);
    copied = std::max<std::size_t>(copied, edit.range.end);
  }
  out.append(text.substr(copied));
  return out;
}

std::string_view line_ending_of(std::string_view text) {
  std::size_t newline = text.find('\n');
  return newline != std::string_view::npos && newline > 0 && text[newline - 1] == '\r' ? "\r\n" : "\n";
}

}  // namespace miglint
