#pragma once

// The Alembic front end: the SQL an Alembic revision file emits, obtained by running the revision's
// upgrade() and downgrade() under Alembic's offline mode through miglint's Python helper
// (miglint_alembic.py, one process per project), each statement placed at the `op.` call that
// produced it, or at the token inside the SQL literal it was written in. Revisions that cannot run
// offline are read statically. The revision graph rules (alembic-multiple-heads,
// alembic-broken-chain, missing-downgrade) are the front end's own findings. Its settings are
// miglint.toml's [alembic] table.
#include <string>

#include "analyzer/frontend/front_end.hpp"
#include "analyzer/project/config_table.hpp"

namespace miglint::alembic {

// [alembic]: enabled, script_location (made absolute relative to the config file), use_env, python.
struct AlembicSettings : FrontEndSettings {
  bool enabled = true;
  std::string script_location;
  bool use_env = false;
  std::string python;
};

const FrontEnd& alembic_front_end();
ConfigTable alembic_config_table();

// The ids of the front end's own rules.
inline constexpr std::string_view kMultipleHeadsRule = "alembic-multiple-heads";
inline constexpr std::string_view kBrokenChainRule = "alembic-broken-chain";
inline constexpr std::string_view kMissingDowngradeRule = "missing-downgrade";
inline constexpr std::string_view kStaticReadingRule = "alembic-static-reading";

}  // namespace miglint::alembic
