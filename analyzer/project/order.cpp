#include "analyzer/project/order.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "analyzer/project/migration_layout.hpp"
#include "analyzer/text/ascii.hpp"

namespace miglint {

namespace {

bool is_digit(char c) {
  return is_ascii_digit(c);
}
bool is_alnum(char c) {
  return is_ascii_alnum(c);
}

using Segment = MigrationOrderKey::Segment;

class Segmenter {
 public:
  explicit Segmenter(std::string_view text) : text_(text) {}
  bool done() const { return pos_ >= text_.size(); }

  Segment next() {
    Segment segment;
    if (!is_digit(text_[pos_])) {
      std::size_t start = pos_;
      while (pos_ < text_.size() && !is_digit(text_[pos_])) {
        ++pos_;
      }
      segment.text = std::string(text_.substr(start, pos_ - start));
      return segment;
    }
    segment.numeric = true;
    bool leading = pos_ == 0 || !is_alnum(text_[pos_ - 1]);
    std::string digits = take_digits();
    // A dashed timestamp (diesel's YYYY-MM-DD-HHMMSS, or a YYYY-MM-DD date) at the start of a name
    // compares as its digits; what follows it (`-0000`) stays a separate segment.
    if (leading && digits.size() == 4) {
      std::size_t save = pos_;
      std::string joined = digits;
      constexpr std::size_t kGroupWidths[] = {2, 2, 6};
      std::size_t groups = 0;
      while (groups < 3 && pos_ + 1 < text_.size() && text_[pos_] == '-' && is_digit(text_[pos_ + 1])) {
        std::size_t group_start = pos_;
        ++pos_;
        std::string group = take_digits();
        if (group.size() != kGroupWidths[groups]) {
          pos_ = group_start;
          break;
        }
        joined += group;
        ++groups;
      }
      if (groups >= 2) {
        digits = joined;
      } else {
        pos_ = save;
      }
    }
    std::size_t first = digits.find_first_not_of('0');
    segment.text = first == std::string::npos ? std::string() : digits.substr(first);
    return segment;
  }

 private:
  std::string take_digits() {
    std::size_t start = pos_;
    while (pos_ < text_.size() && is_digit(text_[pos_])) {
      ++pos_;
    }
    return std::string(text_.substr(start, pos_ - start));
  }
  std::string_view text_;
  std::size_t pos_ = 0;
};

}  // namespace

MigrationOrderKey::MigrationOrderKey(std::string_view path) {
  bool down = is_down_migration_path(path);
  // A down migration takes its up migration's place: `x/down.sql` and `x.down.sql` compare as
  // `x/up.sql` and `x.up.sql`, and then come after them.
  std::string up_name;
  if (down) {
    std::size_t at = path.rfind("down");
    up_name = std::string(path.substr(0, at)) + "up" + std::string(path.substr(at + 4));
    path = up_name;
  }
  Segmenter segmenter(path);
  bool after_number = false;
  while (!segmenter.done()) {
    Segment segment = segmenter.next();
    bool number_before = after_number;
    after_number = segment.numeric;
    if (segment.numeric) {
      encoded_ += '\x01';
      encoded_ += static_cast<char>((segment.text.size() >> 8U) & 0xFFU);
      encoded_ += static_cast<char>(segment.text.size() & 0xFFU);
      encoded_ += segment.text;
    } else {
      std::size_t from = 0;
      if (number_before && segment.text.starts_with("__")) {
        // Flyway's separator right after a version (`V3__x` vs `V3.1__y`) ends the version: it sorts
        // before any other byte (as an escaped NUL, which no path holds), so V3 < V3.1 < V4.
        encoded_ += "\x02";
        encoded_ += '\0';
        from = 2;
      }
      for (char c : std::string_view(segment.text).substr(from)) {
        // Bytes 0-2 are escaped so that every byte of a name sorts after a number and the end.
        if (static_cast<unsigned char>(c) <= 2) {
          encoded_ += '\x02';
        }
        encoded_ += c;
      }
    }
  }
  encoded_ += '\x00';
  encoded_ += down ? '\x01' : '\x00';
  encoded_.shrink_to_fit();
}

bool operator<(const MigrationOrderKey& a, const MigrationOrderKey& b) {
  return a.encoded_ < b.encoded_;
}

bool operator==(const MigrationOrderKey& a, const MigrationOrderKey& b) {
  return a.encoded_ == b.encoded_;
}

bool migration_order_less(std::string_view a, std::string_view b) {
  MigrationOrderKey left(a);
  MigrationOrderKey right(b);
  return left < right || (left == right && a < b);  // ties by bytes
}

}  // namespace miglint
