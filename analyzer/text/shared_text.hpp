#pragma once

#include <fmt/format.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace miglint {

// An immutable string that copies share: for a text that many objects hold the same, such as a
// rule's help under each of 100,000 findings (about 600 bytes each when every finding owned one).
// Reads as a `const std::string&`; an assignment or `+=` makes a new text, never changes a shared one.
class SharedText {
 public:
  SharedText() = default;
  SharedText(std::string text)  // NOLINT(google-explicit-constructor): reads as the string it replaced
      : text_(text.empty() ? nullptr : std::make_shared<const std::string>(std::move(text))) {}
  SharedText(const char* text) : SharedText(std::string(text)) {}  // NOLINT(google-explicit-constructor)

  const std::string& str() const { return text_ != nullptr ? *text_ : empty_text(); }
  operator const std::string&() const { return str(); }  // NOLINT(google-explicit-constructor)
  bool empty() const { return text_ == nullptr; }
  std::size_t size() const { return str().size(); }

  SharedText& operator+=(std::string_view more) {
    if (!more.empty()) {
      *this = SharedText(str() + std::string(more));
    }
    return *this;
  }

  // Whether the two hold the same text, by contents.
  friend bool operator==(const SharedText& a, const SharedText& b) {
    return a.text_ == b.text_ || a.str() == b.str();
  }
  friend bool operator==(const SharedText& a, std::string_view b) { return a.str() == b; }

 private:
  static const std::string& empty_text() {
    static const std::string kEmpty;
    return kEmpty;
  }

  std::shared_ptr<const std::string> text_;  // null: empty
};

}  // namespace miglint

template <>
struct fmt::formatter<miglint::SharedText> : fmt::formatter<std::string_view> {
  auto format(const miglint::SharedText& text, format_context& ctx) const {
    return fmt::formatter<std::string_view>::format(text.str(), ctx);
  }
};
