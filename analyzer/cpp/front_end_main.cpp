// miglint-cpp-front-end: the C++ front end as a process of its own (see front_end_protocol.hpp).
// miglint starts it with one end of a socket as standard input, and it answers each request on the
// same socket until the socket is closed. What Clang or LLVM might print goes to standard error:
// standard output is pointed there, so that nothing but frames is ever written on the socket.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "analyzer/cpp/clang_front_end.hpp"
#include "analyzer/cpp/front_end_protocol.hpp"

int main(int argc, char** argv) {
  using namespace miglint::cpp;
  if (argc > 1) {
    std::fprintf(stderr,
                 "%s: miglint's C++ front end; miglint starts it itself, with a socket as its standard "
                 "input (it takes no arguments)\n",
                 argv[0]);
    return 2;
  }
  int channel = dup(STDIN_FILENO);
  if (channel < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0) {
    std::perror("miglint-cpp-front-end");
    return 2;
  }
  int null_input = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_input >= 0) {
    dup2(null_input, STDIN_FILENO);
    close(null_input);
  }
  if (!write_frame(channel, encode_hello(Hello{kProtocolVersion, clang_version()}))) {
    return 1;
  }
  while (true) {
    bool clean_end = false;
    std::optional<std::string> frame = read_frame(channel, &clean_end);
    if (!frame) {
      return clean_end ? 0 : 1;
    }
    CppExtraction extraction;
    if (std::optional<OwnedRequest> request = decode_request(*frame)) {
      CppExtractRequest view;
      view.filesystem_path = request->filesystem_path;
      view.contents = request->contents;
      view.settings = &request->settings;
      extraction = extract_with_clang(view);
    } else {
      extraction.error = "the C++ front end received a malformed request (a miglint of another version?)";
    }
    if (!write_frame(channel, encode_extraction(extraction))) {
      return 1;
    }
  }
}
