#pragma once

// A front end turns one kind of source file into the SQL miglint lints: a .sql file is SQL as
// written; a program (C++, ...) holds SQL in the calls that send it. Every front end implements
// FrontEnd and registers itself in its folder's CMakeLists.txt (miglint_register_front_end); the
// registry is generated from those registrations, and the driver and the CLI ask it which one reads
// a path. How to add one: README.md in this folder.
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/frontend/embedded_sql.hpp"
#include "analyzer/text/expected.hpp"
#include "analyzer/text/source_file.hpp"

namespace miglint {

// A front end's settings, read from its own miglint.toml table by the front end (the C++ front
// end's [cpp]).
struct FrontEndSettings {
  virtual ~FrontEndSettings() = default;
};
// Per front end name, its settings; a front end without an entry uses its defaults.
using FrontEndSettingsByName = std::map<std::string, std::shared_ptr<const FrontEndSettings>, std::less<>>;

// Command-line flags that front ends may take (`-p DIR`: where compile_commands.json is).
struct FrontEndFlags {
  std::string compile_commands_dir;
  std::string python;  // --python: the interpreter that runs Alembic revisions
};

class FrontEnd {
 public:
  virtual ~FrontEnd() = default;

  // Its name ("sql", "cpp"): the key of its settings, and of its miglint.toml table.
  virtual std::string_view name() const = 0;
  // The language its sources are in, for messages ("C++").
  virtual std::string_view language() const = 0;
  // Whether `path` is one of its sources (by its extension), under `settings` (null: the defaults).
  virtual bool claims(std::string_view path, const FrontEndSettings* settings) const = 0;
  // The extensions of its sources that directory walks collect, under `settings` (none when off).
  virtual std::vector<std::string> extensions(const FrontEndSettings* settings) const = 0;
  // True for the SQL front end: the file is linted as written (extract is not called).
  virtual bool sql_as_written() const { return false; }
  // The SQL that the file's calls send, with the directive comments of the file. An error is one
  // line: nothing could be read (the front end is missing, the file cannot be compiled...).
  // `filesystem_path` is where the file is (empty: read from stdin or git).
  virtual Expected<EmbeddedSource> extract(const SourceFile& source, const std::string& filesystem_path,
                                           const FrontEndSettings* settings) const = 0;
  // `configured` (null: defaults) with the command-line flags applied; null when unchanged.
  virtual std::shared_ptr<const FrontEndSettings> with_flags(const FrontEndSettings* configured,
                                                             const FrontEndFlags& flags) const {
    (void)configured, (void)flags;
    return nullptr;
  }
};

// The registered front ends, in registration order; the SQL front end is the one for every path
// no other claims (a .sql file, stdin, a file given by name).
class FrontEndRegistry {
 public:
  FrontEndRegistry(const FrontEnd& sql, std::vector<const FrontEnd*> others)
      : sql_(&sql), others_(std::move(others)) {}

  const FrontEnd& for_path(std::string_view path, const FrontEndSettingsByName& settings) const;
  const FrontEnd& sql() const { return *sql_; }
  std::span<const FrontEnd* const> others() const { return others_; }
  // The extensions directory walks collect besides `.sql`.
  std::vector<std::string> other_extensions(const FrontEndSettingsByName& settings) const;

 private:
  const FrontEnd* sql_;
  std::vector<const FrontEnd*> others_;
};

// A front end's settings in `settings` (null: its defaults).
const FrontEndSettings* settings_of(const FrontEndSettingsByName& settings, std::string_view front_end);

// Every front end miglint has: defined by the registry the program links (analyzer/front_ends.cpp over
// the generated list of registrations; cmake/FrontEnds.cmake).
const FrontEndRegistry& registered_front_ends();

}  // namespace miglint
