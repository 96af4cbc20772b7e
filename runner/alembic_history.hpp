#pragma once

// `miglint baseline` and `miglint repair` on an Alembic project (docs/alembic.md, "Baseline and
// repair"). Alembic's alembic_version is the record, so `baseline --version REV` stamps it through
// Alembic (`alembic stamp REV`: recorded, nothing run), under the runner lock; `repair` forgets the
// partial state `run` recorded for revisions stopped inside their autocommit_block() (after they were
// finished or undone by hand): there are no checksums to re-record.
#include <iosfwd>

#include "analyzer/project/alembic_layout.hpp"
#include "runner/adopt.hpp"

namespace miglint::runner {

int baseline_alembic(const AlembicProject& project, const RunSettingsResolved& settings,
                     const BaselineRequest& request, std::ostream& out, std::ostream& err);
int repair_alembic(const AlembicProject& project, const RunSettingsResolved& settings,
                   const RepairRequest& request, std::ostream& out, std::ostream& err);

}  // namespace miglint::runner
