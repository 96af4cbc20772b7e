// miglint-lsp: the language server `miglint lsp` starts (lsp/server.hpp). A program of its own so
// that `miglint lint` links and loads nothing of it.
#include <signal.h>  // before the test of __GLIBC__, which a libc header defines
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <iostream>
#include <string_view>
#include <vector>

#include "analyzer/engine/scheduler.hpp"
#include "lsp/server.hpp"

namespace {

// The rule docs the diagnostics link to: installed beside the program (share/doc/miglint/rules),
// else the source tree it was built from.
std::string find_rule_docs() {
  std::error_code error;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  std::vector<std::filesystem::path> candidates;
  if (!error) {
    candidates.push_back(self.parent_path().parent_path() / MIGLINT_INSTALLED_RULE_DOCS);
  }
  candidates.emplace_back(MIGLINT_SOURCE_RULE_DOCS);
  for (const std::filesystem::path& candidate : candidates) {
    if (std::filesystem::is_directory(candidate, error)) {
      return std::filesystem::canonical(candidate, error).string();
    }
  }
  return {};
}

}  // namespace

// glibc's malloc kept from returning memory to the system after every lint, as miglint's own
// main does (cli/main.cpp, tune_malloc): each lint allocates and frees the same few MiB of parse
// trees, and by default the freed top of the heap went back to the system (madvise, TLB
// flushes) to be faulted in again by the next keystroke's lint: a quarter of the server's time.
static void tune_malloc() {
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_TOP_PAD, 16 << 20);
#endif
}

int main(int argc, char** argv) {
  // Started as `miglint lsp ...`: argv[1] is "lsp".
  int first = argc > 1 && std::string_view(argv[1]) == "lsp" ? 2 : 1;
  for (int i = first; i < argc; ++i) {
    std::string_view argument = argv[i];
    if (argument == "--help" || argument == "-h") {
      // CLI11's layout, which the man page is made from (cmake/make_man_page.py).
      std::cout << "A Language Server Protocol server over standard input and output for editors: "
                   "diagnostics, fixes and ignore comments as code actions, the locks of a statement on "
                   "hover (README.md, \"Editors\")\n"
                << "Usage: " << argv[0] << " lsp [OPTIONS]\n\n"
                << "Options:\n"
                << "  -h,--help                   Print this help message and exit\n"
                << "  --stdio                     Talk over standard input and output (the default)\n";
      return 0;
    }
    if (argument == "--version") {
      std::cout << "miglint " << MIGLINT_VERSION << "\n";
      return 0;
    }
    if (argument != "--stdio") {
      std::cerr << "miglint: error: lsp: unknown argument " << argument
                << " (the server talks over standard input and output; see --help)\n";
      return 2;
    }
  }
  // A client that goes away mid-write must not kill the server with SIGPIPE before it sees the
  // end of its input.
  signal(SIGPIPE, SIG_IGN);
  tune_malloc();
  miglint::set_trim_memory_after_sets(false);
  miglint::lsp::ServerOptions options;
  options.version = MIGLINT_VERSION;
  options.rule_docs_directory = find_rule_docs();
  miglint::lsp::Server server(options);
  return server.run();
}
