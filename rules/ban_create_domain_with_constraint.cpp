#include "rules/rule_support.hpp"
#include "rules/type_names.hpp"

namespace miglint {

namespace {

// A domain's CHECK or NOT NULL constraint is cheap to create but expensive to live with: every later
// ALTER DOMAIN ... ADD CONSTRAINT or SET NOT NULL scans every column of the domain in every table,
// and converting an existing column to a constrained domain rewrites its table.
void check(const Statement& statement, const MigrationContext&, RuleOutput& out) {
  auto domain = statement.as<pg::CreateDomainStmt>();
  for (pg::AnyNode item : domain.constraints()) {
    auto contype = item.as<pg::Constraint>().contype();
    if (contype == pg::ConstrType::CONSTR_CHECK || contype == pg::ConstrType::CONSTR_NOTNULL) {
      out.report(
          statement.span(),
          fmt::format(
              "domain {} is created with a {} constraint: converting an existing column to it "
              "rewrites the table under ACCESS EXCLUSIVE, and replacing a constraint later (DROP, then "
              "ADD) re-checks every column of the domain in every table",
              quote_name(display_name_from_list(domain.domainname())),
              contype == pg::ConstrType::CONSTR_CHECK ? "CHECK" : "NOT NULL"),
          "Create the domain without constraints and put the CHECK (or NOT NULL) on the table columns, "
          "where it can be added `NOT VALID` and validated under SHARE UPDATE EXCLUSIVE.");
      return;
    }
  }
}

}  // namespace

extern const Rule kBanCreateDomainWithConstraint{
    .id = "ban-create-domain-with-constraint",
    .severity = Severity::Warning,
    .summary =
        "A constrained domain makes later column conversions rewrite and domain changes scan every table.",
    .tags = {"lock"},
    .check = check,
    .kinds = {NodeKind::CreateDomainStmt},
};

}  // namespace miglint
