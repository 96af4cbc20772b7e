// Every file publishes its schema facts exactly once, however it ends: a file that cannot be read,
// has a syntax error, is too large, runs out of memory or throws must not make the files after it
// wait forever for its facts (PublicationGuard, analyzer/model/schema.hpp). A missing publication
// hangs these tests: ctest's TIMEOUT catches that; no wall-clock time is asserted.
#include <gtest/gtest.h>

#include <new>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "analyzer/engine/linter.hpp"
#include "analyzer/model/publication_guard.hpp"
#include "rules/registry.hpp"

using namespace miglint;

namespace {

// Throws, before the rules run, on the files it is given for.
class ThrowingReview : public FileReview {
 public:
  explicit ThrowingReview(bool out_of_memory) : out_of_memory_(out_of_memory) {}
  void before(const SourceFile& /*source*/, LintOptions& /*options*/) override {
    if (out_of_memory_) {
      throw std::bad_alloc();
    }
    throw std::runtime_error("a review that fails");
  }
  void after(const SourceFile& /*source*/, FileResult& /*result*/) override {}

 private:
  bool out_of_memory_;
};

LintInput in_memory(const std::string& path, const std::string& text) {
  return LintInput{path, path, text, true};
}

TEST(PublicationGuard, PublishesNothingWhenTheFileEndsWithoutPublishing) {
  SchemaHistory history(2);
  std::thread waiter([&] { history.wait_for_files_before(1); });  // returns once file 0 has published
  try {
    PublicationGuard publication(history, 0);
    throw std::runtime_error("the file's work fails");
  } catch (const std::runtime_error&) {
  }
  waiter.join();
  // A second guard for a file that has published already publishes nothing more.
  { PublicationGuard again(history, 0); }
  EXPECT_TRUE(history.facts_before("public.t", 1).column_types.empty());
}

TEST(PublicationGuard, KeepsTheFactsAFilePublished) {
  SchemaHistory history(2);
  {
    PublicationGuard publication(history, 0);
    LintOptions options;
    RuleSet rules(all_rules(), {}, {});
    Expected<SourceFile> source = source_from_bytes("0.sql", "CREATE TABLE t (id int);");
    ASSERT_TRUE(source.has_value());
    lint_source(*source, options, rules, &history, 0);
  }
  EXPECT_FALSE(history.facts_before("public.t", 1).column_types.empty());
}

// Failing files between good ones, linted on four threads: every file gets its result, in order,
// and the files after the failures are linted as usual.
TEST(PublicationGuard, FailingFilesDoNotStallTheFilesAfterThem) {
  const std::string create = "CREATE TABLE t (id int);\n";
  const std::string index = "CREATE INDEX t_id ON t (id);\n";
  std::vector<LintInput> inputs{
      in_memory("db/001_create.sql", create),
      LintInput{"db/002_unreadable.sql", "/nonexistent/miglint/002_unreadable.sql", std::nullopt, true},
      in_memory("db/003_syntax.sql", "CREATE TABLE (;\n"),
      in_memory("db/004_too_large.sql", std::string(4096, ' ') + create),
      in_memory("db/005_throws.sql", create),
      in_memory("db/006_out_of_memory.sql", create),
  };
  for (int i = 0; i < 24; ++i) {
    inputs.push_back(in_memory("db/1" + std::to_string(10 + i) + "_index.sql", index));
  }
  auto shared_rules =
      std::make_shared<const RuleSet>(all_rules(), std::set<std::string>{}, std::set<std::string>{});
  auto setup_for = [&](const std::string& path) {
    FileSetup setup;
    setup.rules = shared_rules;
    if (path.ends_with("004_too_large.sql")) {
      setup.options.max_file_size = 1024;
    }
    if (path.ends_with("005_throws.sql")) {
      setup.review = std::make_shared<ThrowingReview>(false);
    }
    if (path.ends_with("006_out_of_memory.sql")) {
      setup.review = std::make_shared<ThrowingReview>(true);
    }
    return setup;
  };
  std::vector<FileResult> results;
  lint_inputs(inputs, 4, setup_for, [&](FileResult&& result) { results.push_back(std::move(result)); });

  ASSERT_EQ(results.size(), inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    EXPECT_EQ(results[i].path, inputs[i].display_path);
  }
  EXPECT_TRUE(results[0].errors.empty());
  ASSERT_EQ(results[1].errors.size(), 1U);  // cannot be read
  ASSERT_FALSE(results[2].findings.empty());
  EXPECT_EQ(results[2].findings.front().rule, "syntax-error");
  ASSERT_EQ(results[3].errors.size(), 1U);  // larger than max_file_size
  ASSERT_EQ(results[4].errors.size(), 1U);
  EXPECT_NE(results[4].errors.front().message.find("internal error"), std::string::npos);
  ASSERT_EQ(results[5].errors.size(), 1U);
  EXPECT_NE(results[5].errors.front().message.find("out of memory"), std::string::npos);
  for (std::size_t i = 6; i < results.size(); ++i) {
    EXPECT_TRUE(results[i].errors.empty()) << results[i].path;
    bool fired = false;
    for (const Finding& finding : results[i].findings) {
      fired = fired || finding.rule == "require-concurrent-index-creation";
    }
    EXPECT_TRUE(fired) << results[i].path;
  }
}

// `miglint locks` reads files one by one with the same history: an unreadable or too large file
// between two good ones does not stall the next.
TEST(PublicationGuard, LockExplanationGoesOnPastFailingFiles) {
  std::vector<LintInput> inputs{
      in_memory("db/001_create.sql", "CREATE TABLE t (id int);\n"),
      LintInput{"db/002_unreadable.sql", "/nonexistent/miglint/002_unreadable.sql", std::nullopt, true},
      in_memory("db/003_too_large.sql", std::string(4096, ' ') + "SELECT 1;\n"),
      in_memory("db/004_index.sql", "CREATE INDEX t_id ON t (id);\n"),
  };
  RuleSet rules(all_rules(), {}, {});
  std::vector<std::string> explained;
  explain_locks_in_order(
      inputs, rules,
      [](const std::string& path) {
        LintOptions options;
        if (path.ends_with("003_too_large.sql")) {
          options.max_file_size = 1024;
        }
        return options;
      },
      [&](const std::string& path, Expected<FileLocks>&& locks) {
        explained.push_back(path + (locks ? " ok" : " error"));
      });
  EXPECT_EQ(explained, (std::vector<std::string>{"db/001_create.sql ok", "db/002_unreadable.sql error",
                                                 "db/003_too_large.sql error", "db/004_index.sql ok"}));
}

}  // namespace
