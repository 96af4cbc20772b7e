#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "analyzer/project/order.hpp"

using namespace miglint;

TEST(MigrationOrder, DigitRunsCompareAsNumbers) {
  EXPECT_TRUE(migration_order_less("v1.2/a.sql", "v1.10/a.sql"));
  EXPECT_TRUE(migration_order_less("9_x.sql", "10_x.sql"));
  EXPECT_FALSE(migration_order_less("10_x.sql", "9_x.sql"));
  EXPECT_TRUE(migration_order_less("V2__b.sql", "V10__a.sql"));
  EXPECT_TRUE(migration_order_less("0003_a.up.sql", "0003_b.up.sql"));
}

TEST(MigrationOrder, FlywayVersionsEndAtTheDoubleUnderscore) {
  // Flyway: 3 < 3.1 < 3.10 < 4, whatever the descriptions say.
  std::vector<std::string> paths = {"db/V4__a.sql", "db/V3.10__a.sql", "db/V3.1__z.sql", "db/V3__zz.sql",
                                    "db/V3.1.1__a.sql"};
  std::sort(paths.begin(), paths.end(),
            [](const auto& a, const auto& b) { return migration_order_less(a, b); });
  EXPECT_EQ(paths, (std::vector<std::string>{"db/V3__zz.sql", "db/V3.1__z.sql", "db/V3.1.1__a.sql",
                                             "db/V3.10__a.sql", "db/V4__a.sql"}));
}

TEST(MigrationOrder, DashedTimestampsCompareAsTheirDigits) {
  EXPECT_TRUE(migration_order_less("2017-08-31-143022_x/up.sql", "20170901000000_y/up.sql"));
  EXPECT_TRUE(migration_order_less("20170830000000_y/up.sql", "2017-08-31-143022_x/up.sql"));
  EXPECT_TRUE(
      migration_order_less("migrations/2019-02-26-002946_a/up.sql", "migrations/2019-03-03-163336_b/up.sql"));
  EXPECT_TRUE(migration_order_less("00000000000000_init/up.sql", "2019-02-26-002946_a/up.sql"));
}

TEST(MigrationOrder, TiesAreBrokenByBytes) {
  EXPECT_TRUE(migration_order_less("01_a.sql", "1_a.sql"));
  EXPECT_FALSE(migration_order_less("1_a.sql", "01_a.sql"));
  EXPECT_FALSE(migration_order_less("a.sql", "a.sql"));
}

TEST(MigrationOrder, EveryByteSortsAfterANumber) {
  // Bytes 0-2 too: keys then compare component by component (what the directory walk relies on).
  EXPECT_TRUE(migration_order_less("a1.sql", "a\x01.sql"));
  EXPECT_TRUE(migration_order_less("a1/x.sql", "a\x02/x.sql"));
  EXPECT_TRUE(migration_order_less("a\x01.sql", "a\x02.sql"));
  EXPECT_TRUE(migration_order_less("a\x02.sql", "a-.sql"));
}

TEST(MigrationOrder, DownMigrationsAreRecognised) {
  EXPECT_TRUE(is_down_migration_path("m/2019-01-01-000000_x/down.sql"));
  EXPECT_TRUE(is_down_migration_path("m/0003_add.down.sql"));
  EXPECT_FALSE(is_down_migration_path("m/0003_add.up.sql"));
  EXPECT_FALSE(is_down_migration_path("m/V3__shutdown.sql"));
}

namespace {

// The original paths of one project in the corpus manifest, in manifest order.
std::vector<std::string> corpus_paths(const std::string& repo) {
  std::ifstream manifest(std::string(MIGLINT_SOURCE_DIR) + "/../shared/corpus/sql/MANIFEST.tsv");
  std::vector<std::string> paths;
  std::string line;
  while (std::getline(manifest, line)) {
    std::istringstream fields(line);
    std::string name, commit, path;
    std::getline(fields, name, '\t');
    std::getline(fields, commit, '\t');
    std::getline(fields, path, '\t');
    if (name == repo) {
      paths.push_back(path);
    }
  }
  return paths;
}

bool shared_present() {
  return std::filesystem::exists(std::string(MIGLINT_SOURCE_DIR) + "/../shared/corpus/sql/MANIFEST.tsv");
}

}  // namespace

TEST(MigrationOrder, TemporalVersionsInTheCorpus) {
  if (!shared_present()) {
    GTEST_SKIP() << "../shared/corpus is absent (it exists only beside CI's clone); skipping";
  }
  std::vector<std::string> paths = corpus_paths("temporalio/temporal");
  ASSERT_GT(paths.size(), 20U);
  std::vector<std::string> sorted = paths;
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return migration_order_less(a, b); });
  auto position = [&](const std::string& needle) {
    return std::find_if(sorted.begin(), sorted.end(),
                        [&](const auto& p) { return p.find(needle) != p.npos; }) -
           sorted.begin();
  };
  // v1.2 comes before v1.10 although "v1.10" < "v1.2" as bytes.
  EXPECT_LT(position("versioned/v1.2/"), position("versioned/v1.10/"));
  EXPECT_LT(position("versioned/v1.9/"), position("versioned/v1.10/"));
  EXPECT_LT(position("versioned/v1.10/"), position("versioned/v1.11/"));
}

TEST(MigrationOrder, CratesIoTimestampsInTheCorpus) {
  if (!shared_present()) {
    GTEST_SKIP() << "../shared/corpus is absent (it exists only beside CI's clone); skipping";
  }
  std::vector<std::string> paths = corpus_paths("rust-lang/crates.io");
  ASSERT_GT(paths.size(), 100U);
  std::vector<std::string> sorted = paths;
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return migration_order_less(a, b); });
  // crates.io mixes `20170820180453_x` with `2017-08-31-230457_x` and `2025-11-19-091444-0000_x`:
  // migration order is the order of the 14 timestamp digits.
  auto timestamp = [](const std::string& path) {
    std::string digits;
    for (std::size_t i = path.find('/') + 1; i < path.size() && digits.size() < 14; ++i) {
      if (std::isdigit(static_cast<unsigned char>(path[i])) != 0) {
        digits += path[i];
      } else if (path[i] != '-') {
        break;
      }
    }
    return digits;
  };
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    EXPECT_LE(timestamp(sorted[i - 1]), timestamp(sorted[i])) << sorted[i - 1] << " vs " << sorted[i];
  }
  EXPECT_NE(sorted.front().find("00000000000000_diesel_initial_setup"), std::string::npos);
}

TEST(MigrationOrder, DownMigrationsFollowTheirUpMigration) {
  EXPECT_TRUE(migration_order_less("m/2019-01-01-000000_x/up.sql", "m/2019-01-01-000000_x/down.sql"));
  EXPECT_TRUE(migration_order_less("m/2019-01-01-000000_x/down.sql", "m/2019-01-02-000000_y/up.sql"));
  EXPECT_TRUE(migration_order_less("m/0002_change.up.sql", "m/0002_change.down.sql"));
  EXPECT_TRUE(migration_order_less("m/0002_change.down.sql", "m/0003_next.up.sql"));
  EXPECT_TRUE(migration_order_less("m/0002_change__up.sql", "m/0002_change__down.sql"));
}
