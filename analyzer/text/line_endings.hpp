#pragma once

#include <string>
#include <string_view>

// Line endings are never a change of a migration: a checkout with `core.autocrlf` (or an editor that
// rewrites line endings) turns LF into CRLF or back without changing a statement. The history keeps the
// SHA-256 of a file's bytes as they were applied (so every history written before stays valid); a
// file whose bytes differ from those only in CRLF versus LF is the same migration.
namespace miglint {

// Every CRLF as LF (a lone CR stays).
std::string crlf_to_lf(std::string_view bytes);
// Every LF not already preceded by CR as CRLF.
std::string lf_to_crlf(std::string_view bytes);

// Whether `recorded_sha256` (64 lowercase hex digits) is the SHA-256 of `bytes` as they are, of
// `bytes` with every CRLF made LF, or of `bytes` with every LF made CRLF. A file applied with mixed
// line endings and checked out with uniform ones is not recognised (neither conversion gives its bytes
// back).
bool same_modulo_line_endings(std::string_view recorded_sha256, std::string_view bytes);

}  // namespace miglint
