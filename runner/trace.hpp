#pragma once

// `miglint trace [FILES|DIR]` (docs/trace.md): applies migrations to a scratch database statement by
// statement and reports what each did there: the relations the session locked and how, the tables
// and indexes rewritten, the constraints added (valid or not), how long it took, the locks still
// held from earlier statements; compared with the static lock model, with the trace findings
// (rules tagged `trace`). Each file runs in one transaction rolled back at its end, or committed
// with --commit (so that later files see earlier ones). Statements that cannot run in a transaction
// run alone, their locks sampled from a second session; without --commit, a file that holds one
// runs committed in a temporary copy of the database (CREATE DATABASE ... TEMPLATE), dropped
// afterwards. A database that already holds a table the migrations create, or the runner's history
// table, is refused unless --commit.
#include <iosfwd>
#include <string>
#include <vector>

#include "runner/runner.hpp"

namespace miglint::runner {

struct TraceRequest {
  std::vector<std::string> paths;  // files and directories; none: the migrations directory
  bool commit = false;
  std::string format = "text";  // text, json, markdown, sarif
};

// 0 traced without findings, 1 trace findings or a statement failed, 2 usage error, refused
// database, or the database unreachable.
int trace_migrations(const RunSettingsResolved& settings, const TraceRequest& request, std::ostream& out,
                     std::ostream& err);

}  // namespace miglint::runner
