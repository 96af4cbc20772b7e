// The streamed walk (open_inputs) yields exactly what discover_inputs yields (the global sort of
// every display path), and says correctly when a migration set is finished.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "analyzer/project/discover.hpp"
#include "analyzer/project/input_source.hpp"

namespace fs = std::filesystem;
using namespace miglint;

namespace {

struct Drained {
  std::vector<std::string> display;
  std::vector<std::string> filesystem;
  std::vector<std::string> errors;
};

// Pulls every input, checking that no input belongs to a set already reported finished.
Drained drain(InputSource& source) {
  Drained out;
  std::set<std::string> finished;
  std::vector<std::string> sets;
  while (true) {
    sets.clear();
    std::optional<LintInput> input = source.next(sets);
    finished.insert(sets.begin(), sets.end());
    if (!input) {
      break;
    }
    EXPECT_FALSE(finished.contains(std::string(migration_set_of(input->display_path))))
        << input->display_path << " comes after its set was finished";
    out.display.push_back(input->display_path);
    out.filesystem.push_back(input->filesystem_path);
  }
  for (const InputError& error : source.errors()) {
    out.errors.push_back(error.path + ": " + error.message);
  }
  return out;
}

Drained collected(const std::vector<std::string>& paths) {
  DiscoveredInputs discovered = discover_inputs(paths, "stdin.sql");
  VectorInputSource source(std::move(discovered.inputs), std::move(discovered.errors));
  return drain(source);
}

class InputSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("miglint-walk-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    fs::current_path(saved_);
    fs::remove_all(dir_);
  }
  void touch(const std::string& name) {
    fs::create_directories((dir_ / name).parent_path());
    std::ofstream(dir_ / name) << "SELECT 1;\n";
  }
  // The walk and the collected sort agree, and the walk was used (not the fallback) when `walked`.
  void expect_same(const std::vector<std::string>& paths, bool walked) {
    std::unique_ptr<InputSource> source = open_inputs(paths, "stdin.sql");
    EXPECT_EQ(dynamic_cast<VectorInputSource*>(source.get()) == nullptr, walked);
    Drained streamed = drain(*source);
    Drained expected = collected(paths);
    EXPECT_EQ(streamed.display, expected.display);
    EXPECT_EQ(streamed.filesystem, expected.filesystem);
    EXPECT_EQ(streamed.errors, expected.errors);
  }
  fs::path dir_;
  fs::path saved_ = fs::current_path();
};

}  // namespace

TEST_F(InputSourceTest, EdgeCasesOfTheOrder) {
  for (const char* name : {"m/2024-01-15-100000_x/up.sql",
                           "m/2024-01-15-100000_x/down.sql",
                           "m/20240115100000_y/up.sql",
                           "m/2024-01-15-100000_x/extra.sql",
                           "m/0003_x.up.sql",
                           "m/0003_x.down.sql",
                           "m/3_x.up.sql",
                           "m/003_x.sql",
                           "m/a.sql",
                           "m/a/b.sql",
                           "m/a-b/c.sql",
                           "m/a-b.sql",
                           "m/01/z.sql",
                           "m/1/a.sql",
                           "m/001/m.sql",
                           "m/01/1/x.sql",
                           "m/1/01/y.sql",
                           "m/v1.2/a.sql",
                           "m/v1.10/a.sql",
                           "m/x_down.sql",
                           "m/x.sql",
                           "m/up.sql",
                           "m/down.sql"}) {
    touch(name);
  }
  touch("m/notes.txt");
  fs::create_directories(dir_ / "m/dir.sql");
  touch("m/dir.sql/inner.sql");
  // Symbolic links: a linked file is an input, a linked directory is not entered.
  fs::create_symlink(dir_ / "m/a.sql", dir_ / "m/linked.sql");
  fs::create_directory_symlink(dir_ / "m/a", dir_ / "m/linked_dir");
  expect_same({(dir_ / "m").string()}, true);
  expect_same({(dir_ / "m").string() + "/"}, true);
  expect_same({(dir_ / "m/a").string(), (dir_ / "m/a-b").string(), (dir_ / "m/a.sql").string()}, true);
  expect_same({(dir_ / "m/01").string(), (dir_ / "m/1").string()}, false);  // names tie: collected
  expect_same({(dir_ / "m").string(), (dir_ / "m/a").string()}, false);     // nested: collected
  expect_same({(dir_ / "m").string(), (dir_ / "missing").string()}, true);
  fs::current_path(dir_);
  expect_same({"."}, true);
  expect_same({"./m/../m"}, true);
  expect_same({"m/a", "m/v1.2", "m/0003_x.down.sql"}, true);
}

// Random trees of names made to collide in migration order: digit runs with leading zeros, dashed
// timestamps, dashes, dots, diesel's up.sql/down.sql, `.up.sql`/`.down.sql`.
TEST_F(InputSourceTest, RandomTreesWalkInTheOrderOfTheGlobalSort) {
  std::mt19937 random(20261127);
  auto pick = [&](std::initializer_list<const char*> choices) {
    return std::string(
        *(choices.begin() + std::uniform_int_distribution<std::size_t>(0, choices.size() - 1)(random)));
  };
  auto stem = [&] {
    std::string name;
    int parts = std::uniform_int_distribution<int>(1, 3)(random);
    for (int p = 0; p < parts; ++p) {
      name += pick({"0",
                    "00",
                    "1",
                    "01",
                    "001",
                    "2",
                    "10",
                    "9",
                    "2024-01-15-100000",
                    "2024-01-15",
                    "20240115100000",
                    "a",
                    "b",
                    "ab",
                    "x",
                    "v",
                    "-",
                    "_",
                    ".",
                    "up",
                    "down",
                    "\x01",
                    "\x02"});
    }
    return name;
  };
  auto file_name = [&] {
    switch (std::uniform_int_distribution<int>(0, 6)(random)) {
      case 0:
        return std::string("up.sql");
      case 1:
        return std::string("down.sql");
      case 2:
        return stem() + ".up.sql";
      case 3:
        return stem() + ".down.sql";
      case 4:
        return stem() + "_down.sql";
      default:
        return stem() + ".sql";
    }
  };
  for (int round = 0; round < 150; ++round) {
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::vector<std::string> dirs{""};
    int files = std::uniform_int_distribution<int>(1, 40)(random);
    for (int f = 0; f < files; ++f) {
      std::string parent = dirs[std::uniform_int_distribution<std::size_t>(0, dirs.size() - 1)(random)];
      if (std::uniform_int_distribution<int>(0, 2)(random) == 0 &&
          std::count(parent.begin(), parent.end(), '/') < 4) {
        std::string name = stem();
        std::string sub = parent + (name == "." || name == ".." ? "d" + name : name) + "/";
        dirs.push_back(sub);
        parent = sub;
      }
      touch(parent + file_name());
    }
    expect_same({dir_.string()}, true);
    // Several roots: the walk when their names separate them, else the collected sort.
    std::vector<std::string> roots;
    int count = std::uniform_int_distribution<int>(2, 4)(random);
    for (int r = 0; r < count; ++r) {
      std::string sub = dirs[std::uniform_int_distribution<std::size_t>(0, dirs.size() - 1)(random)];
      roots.push_back((dir_ / sub).string());
    }
    std::unique_ptr<InputSource> source = open_inputs(roots, "stdin.sql");
    Drained streamed = drain(*source);
    Drained expected = collected(roots);
    EXPECT_EQ(streamed.display, expected.display);
    EXPECT_EQ(streamed.filesystem, expected.filesystem);
    if (HasFailure()) {
      break;
    }
  }
}

TEST_F(InputSourceTest, VectorSourceFinishesEachSetAfterItsLastFile) {
  std::vector<LintInput> inputs{{"m/1.sql", "m/1.sql", std::nullopt},
                                {"m/2/x.sql", "m/2/x.sql", std::nullopt},
                                {"m/3.sql", "m/3.sql", std::nullopt},
                                {"m/4_v/up.sql", "m/4_v/up.sql", std::nullopt},
                                {"n/1.sql", "n/1.sql", std::nullopt}};
  VectorInputSource source{std::span<const LintInput>(inputs)};
  std::vector<std::vector<std::string>> finished;
  std::vector<std::string> sets;
  while (true) {
    sets.clear();
    bool more = source.next(sets).has_value();
    finished.push_back(sets);
    if (!more) {
      break;
    }
  }
  std::vector<std::vector<std::string>> expected{{}, {}, {"m/2"}, {}, {"m"}, {"n"}};
  EXPECT_EQ(finished, expected);
}

TEST_F(InputSourceTest, DirectoryClosedByPermissionIsSkippedAsInDiscoverInputs) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "root can list any directory";
  }
  touch("m/a/1.sql");
  touch("m/b/2.sql");
  fs::permissions(dir_ / "m/a", fs::perms::none);
  std::unique_ptr<InputSource> source = open_inputs({(dir_ / "m").string()}, "stdin.sql");
  Drained streamed = drain(*source);
  fs::permissions(dir_ / "m/a", fs::perms::owner_all);
  // Like discover_inputs, a directory that permission keeps closed is skipped.
  EXPECT_EQ(streamed.display, std::vector<std::string>{(dir_ / "m/b/2.sql").string()});
}

TEST_F(InputSourceTest, DirectoryThatCannotBeListedIsReportedAndTheRestWalked) {
  touch("m/a/1.sql");
  touch("m/b/2.sql");
  touch("m/c/3.sql");
  std::unique_ptr<InputSource> source = open_inputs({(dir_ / "m").string()}, "stdin.sql");
  std::vector<std::string> sets;
  std::optional<LintInput> first = source->next(sets);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->display_path, (dir_ / "m/a/1.sql").string());
  fs::remove_all(dir_ / "m/b");  // gone before the walk lists it
  Drained rest = drain(*source);
  EXPECT_EQ(rest.display, std::vector<std::string>{(dir_ / "m/c/3.sql").string()});
  ASSERT_EQ(rest.errors.size(), 1U);
  EXPECT_TRUE(rest.errors[0].starts_with((dir_ / "m/b").string() + ": cannot list directory: "))
      << rest.errors[0];
}
