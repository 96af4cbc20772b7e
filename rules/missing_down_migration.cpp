#include "rules/rule_support.hpp"

namespace miglint {

// Reported by the lint driver (analyzer/engine/missing_down.hpp), which knows where a file is: an up
// migration without its down migration, in a layout that has down migrations (golang-migrate,
// diesel, dbmate, Flyway with undo files). `miglint rollback` and `miglint test` need the down.
extern const Rule kMissingDownMigration{
    .id = "missing-down-migration",
    .severity = Severity::Warning,
    .summary =
        "An up migration has no down migration in a layout that has them (golang-migrate, diesel, dbmate, "
        "Flyway undo).",
    .tags = {"hygiene"},
    .check = nullptr,
};

}  // namespace miglint
