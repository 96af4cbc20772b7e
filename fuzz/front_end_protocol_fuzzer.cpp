// The frames miglint reads from its C++ front end process, and the front end from miglint
// (analyzer/cpp/front_end_protocol.hpp). The first byte picks the reader (0 hello, 1 extraction,
// 2 request); the rest is the frame. Besides not crashing or reading past the frame, whatever is
// accepted must encode back to bytes that read as the same thing.
#include <cstdint>
#include <string>

#include "analyzer/cpp/front_end_protocol.hpp"
#include "fuzz/fuzz_support.hpp"

using namespace miglint::cpp;
using miglint::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    return 0;
  }
  std::string frame(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0:
      if (std::optional<Hello> hello = decode_hello(frame)) {
        require(encode_hello(*hello) == frame, "an accepted hello does not encode back to its bytes");
      }
      break;
    case 1:
      if (std::optional<CppExtraction> extraction = decode_extraction(frame)) {
        std::string again = encode_extraction(*extraction);
        std::optional<CppExtraction> reread = decode_extraction(again);
        require(reread.has_value() && encode_extraction(*reread) == again,
                "an accepted extraction does not read back as itself");
      }
      break;
    default:
      if (std::optional<OwnedRequest> request = decode_request(frame)) {
        CppExtractRequest view{request->filesystem_path, request->contents, &request->settings};
        std::string again = encode_request(view);
        std::optional<OwnedRequest> reread = decode_request(again);
        require(reread.has_value() && reread->contents == request->contents &&
                    reread->settings.query_functions.size() == request->settings.query_functions.size(),
                "an accepted request does not read back as itself");
      }
      break;
  }
  return 0;
}
