#pragma once

// file:// URIs (RFC 8089 as editors send them) and filesystem paths.
#include <optional>
#include <string>
#include <string_view>

namespace miglint::lsp {

// The path of a file:// URI, percent-escapes decoded; nullopt for other schemes.
std::optional<std::string> path_of_file_uri(std::string_view uri);
// A file:// URI for an absolute path, with the bytes a URI may not hold percent-escaped.
std::string file_uri_of_path(std::string_view path);

}  // namespace miglint::lsp
