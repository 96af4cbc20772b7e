#include "analyzer/text/line_endings.hpp"

#include "analyzer/text/hash.hpp"

namespace miglint {

std::string crlf_to_lf(std::string_view bytes) {
  std::string converted;
  converted.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') {
      continue;
    }
    converted += bytes[i];
  }
  return converted;
}

std::string lf_to_crlf(std::string_view bytes) {
  std::string converted;
  converted.reserve(bytes.size() + bytes.size() / 16);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r')) {
      converted += '\r';
    }
    converted += bytes[i];
  }
  return converted;
}

bool same_modulo_line_endings(std::string_view recorded_sha256, std::string_view bytes) {
  if (sha256_hex(bytes) == recorded_sha256) {
    return true;
  }
  // Only a file with line breaks can differ in them; each conversion is hashed only when it changes
  // the bytes.
  if (bytes.find('\n') == std::string_view::npos) {
    return false;
  }
  std::string as_lf = crlf_to_lf(bytes);
  if (as_lf.size() != bytes.size() && sha256_hex(as_lf) == recorded_sha256) {
    return true;
  }
  std::string as_crlf = lf_to_crlf(bytes);
  return as_crlf.size() != bytes.size() && sha256_hex(as_crlf) == recorded_sha256;
}

}  // namespace miglint
