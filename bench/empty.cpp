// The start-up floor of bench/start: a C++ program that does nothing, linked as g++ links C++ by
// default (dynamically, with libstdc++). What any C++ linter pays before its first instruction.
//
// Build: g++ -std=c++20 -O2 bench/empty.cpp -o empty   (bench/start does this)
#include <string>

int main(int argc, char** argv) {
  // One std::string use, so that libstdc++ is really linked (--as-needed drops an unused one).
  std::string name = argc > 0 ? argv[0] : "";
  return name.empty() ? 1 : 0;
}
