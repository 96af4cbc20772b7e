#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>

namespace miglint {

// A parameterised test's name from its string parameter (a fixture path, a rule id): GoogleTest
// takes letters, digits and '_' only, so every other byte becomes '_'.
inline std::string param_test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::replace_if(
      name.begin(), name.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) == 0; }, '_');
  return name;
}

}  // namespace miglint
