#pragma once

// What `miglint run` knows and alembic_version cannot say: a revision that stopped after its
// autocommit_block() began (the statements before the block and those of the block that finished
// are committed, and Alembic records a revision only at its end). The runner keeps one row per such
// revision in <schema>.miglint_alembic_partial, so that `status` shows it as partial; the row goes
// when the revision is applied (a later `run`) or stamped (`baseline`).
#include <map>
#include <string>

#include "analyzer/text/expected.hpp"
#include "runner/database.hpp"

namespace miglint::runner {

inline constexpr const char* kAlembicPartialTable = "miglint_alembic_partial";

struct AlembicPartial {
  std::string failed_at;  // ISO 8601 UTC
  std::string error;
  std::string sqlstate;
  std::string statement;  // the statement that failed or was interrupted (truncated)
  std::string where;      // revision file:line of the call, when known
};

// Records (or replaces) the partial row of `revision`; an empty string, or why it could not.
std::string record_alembic_partial(PgSession& session, const std::string& schema, const std::string& revision,
                                   const AlembicPartial& partial);
// Removes the row of `revision`, if there is one (nothing when the table does not exist).
std::string clear_alembic_partial(PgSession& session, const std::string& schema, const std::string& revision);
// The rows by revision (none when the table does not exist).
Expected<std::map<std::string, AlembicPartial>> alembic_partials(PgSession& session,
                                                                 const std::string& schema);

}  // namespace miglint::runner
