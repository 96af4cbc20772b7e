#include "rules/rule_support.hpp"
#include "rules/type_names.hpp"

namespace miglint {

namespace {

// ALTER DOMAIN d ADD CONSTRAINT checks every column of the domain (and of domains over it) in every
// table and materialized view, holding SHARE on each of them until the transaction ends. NOT VALID
// skips that check.
void check(const Statement& statement, const MigrationContext& context, RuleOutput& out) {
  auto alter = statement.as<pg::AlterDomainStmt>();
  if (!alter || alter.subtype() != "C" || alter.def().as<pg::Constraint>().skip_validation() ||
      context.type_created_in_file(qualified_name_from_list(alter.type_name()))) {
    return;
  }
  out.report(statement.span(),
             fmt::format("adding a constraint to domain {} checks every column of the domain in every table, "
                         "holding a SHARE lock on each table, which blocks INSERT, UPDATE and DELETE, until "
                         "the transaction ends",
                         quote_name(display_name_from_list(alter.type_name()))),
             "Add a CHECK with `NOT VALID` (new and updated values are checked at once), then run `ALTER "
             "DOMAIN ... VALIDATE CONSTRAINT` in a later migration; better, put the constraint on the table "
             "columns instead of the domain.");
}

}  // namespace

extern const Rule kBanAlterDomainWithAddConstraint{
    .id = "ban-alter-domain-with-add-constraint",
    .severity = Severity::Warning,
    .summary =
        "ALTER DOMAIN ADD CONSTRAINT scans every column of the domain while blocking writes to its tables.",
    .tags = {"lock"},
    .check = check,
    .kinds = {NodeKind::AlterDomainStmt},
};

}  // namespace miglint
