#pragma once

// The C++ front end's processes, as miglint uses them: miglint-cpp-front-end (the only program that
// links Clang) is started on the first C++ input, one process for each file being read at the same
// time (lint reads files on several threads), and each is kept for the next file until miglint
// exits. See front_end_protocol.hpp for why it is a process.
#include <string>

#include "analyzer/cpp/front_end.hpp"

namespace miglint::cpp {

// Whether the front end can be started (found, runs, speaks this version's protocol); when it
// cannot, why, in `why_not` (miglint built without Clang, the miglint-cpp package not installed).
// Starts the first process, which the next extraction then uses.
bool clang_front_end_available(std::string* why_not);

// What the front end extracted from the request's file. A front end that cannot be started, or
// that stops while reading the file (a crash inside Clang), gives `error` with the reason; the
// next file gets a new process.
CppExtraction extract_in_front_end(const CppExtractRequest& request);

}  // namespace miglint::cpp
