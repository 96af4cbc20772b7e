// `miglint test --format sarif`: the problem `test` found as a SARIF 2.1.0 result pointing at the
// offending migration, with the SARIF location helpers of this folder.
#include <nlohmann/json.hpp>

#include <filesystem>
#include <ostream>
#include <string>

#include "analyzer/report/down_report.hpp"
#include "sarif/sarif_report.hpp"

namespace miglint {

using Json = nlohmann::ordered_json;

void write_test_sarif(std::ostream& out, const TestView& view) {
  const std::filesystem::path root = find_repository_root();
  Json rules = Json::array();
  for (const TestRule& rule : test_rules()) {
    rules.push_back(Json{{"id", std::string(rule.id)},
                         {"name", std::string(rule.id)},
                         {"shortDescription", {{"text", std::string(rule.summary)}}},
                         {"fullDescription", {{"text", std::string(rule.summary)}}},
                         {"help", {{"text", std::string(rule.help)}, {"markdown", std::string(rule.help)}}},
                         {"defaultConfiguration", {{"level", "error"}}}});
  }
  Json results = Json::array();
  if (view.problem) {
    const TestProblemView& problem = *view.problem;
    std::string message = test_problem_text(problem);
    results.push_back(Json{
        {"ruleId", std::string(test_problem_rule(problem.kind))},
        {"level", "error"},
        {"message", {{"text", message}}},
        {"locations",
         {{{"physicalLocation",
            {{"artifactLocation", {{"uri", relative_uri(problem.file, root)}, {"uriBaseId", "%SRCROOT%"}}},
             {"region", {{"startLine", 1}}}}}}}}});
  }
  Json document{{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                {"version", "2.1.0"},
                {"runs",
                 {{{"tool",
                    {{"driver",
                      {{"name", "miglint"},
                       {"version", MIGLINT_VERSION},
                       {"semanticVersion", MIGLINT_VERSION},
                       {"rules", rules}}}}},
                   {"originalUriBaseIds", {{"%SRCROOT%", {{"uri", directory_file_uri(root)}}}}},
                   {"results", results}}}}};
  out << document.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
}

}  // namespace miglint
