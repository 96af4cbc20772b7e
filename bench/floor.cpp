// The benchmark's floor: the least work any libpg_query-based linter must do.
//
// For each file given (directories: every *.sql under them, recursively, in sorted order), one
// after the other on one core: read the file whole into memory, call pg_query_parse and
// pg_query_scan on it, free both results. Prints only the number of files (and of files libpg_query
// rejected), so the cost is the parser's, not the output's.
//
// Build: g++ -std=c++20 -O2 bench/floor.cpp -o floor -lpg_query   (bench/run does this)
#include <pg_query.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
    return 2;
  }
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::error_code error;
    if (fs::is_directory(argv[i], error)) {
      std::vector<std::string> found;
      for (fs::recursive_directory_iterator it(argv[i], error), end; !error && it != end;
           it.increment(error)) {
        if (it->path().extension() == ".sql" && it->is_regular_file()) {
          found.push_back(it->path().string());
        }
      }
      if (error) {
        std::fprintf(stderr, "floor: cannot list %s: %s\n", argv[i], error.message().c_str());
        return 2;
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.emplace_back(argv[i]);
    }
  }

  long parse_errors = 0;
  for (const std::string& path : files) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "floor: cannot read %s\n", path.c_str());
      return 2;
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

    PgQueryParseResult parsed = pg_query_parse(text.c_str());
    PgQueryScanResult scanned = pg_query_scan(text.c_str());
    if (parsed.error != nullptr) {
      ++parse_errors;
    }
    pg_query_free_parse_result(parsed);
    pg_query_free_scan_result(scanned);
  }
  std::printf("%zu files, %ld rejected by the parser\n", files.size(), parse_errors);
  return 0;
}
