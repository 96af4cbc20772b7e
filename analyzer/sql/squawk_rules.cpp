#include "analyzer/sql/squawk_rules.hpp"

#include <algorithm>
#include <array>

namespace miglint {

namespace {

// squawk 2.66's rules (the names `squawk --exclude` accepts, plus the opt-in require-table-schema).
// Same name, same hazard, unless a note says otherwise; tests/squawk_compat_test.cpp checks that
// every miglint id here exists and that a squawk-ignore comment with the squawk name silences it.
constexpr std::array kSquawkRules{
    SquawkRule{"adding-field-with-default", "adding-field-with-default", ""},
    SquawkRule{"adding-foreign-key-constraint", "adding-foreign-key-constraint", ""},
    SquawkRule{"adding-not-nullable-field", "adding-not-nullable-field", ""},
    SquawkRule{"adding-required-field", "adding-required-field", ""},
    SquawkRule{"adding-serial-primary-key-field", "adding-serial-primary-key-field", ""},
    SquawkRule{"ban-alter-domain-with-add-constraint", "ban-alter-domain-with-add-constraint", ""},
    SquawkRule{"ban-char-field", "ban-char-field", ""},
    SquawkRule{"ban-concurrent-index-creation-in-transaction", "ban-concurrent-index-creation-in-transaction",
               ""},
    SquawkRule{"ban-create-domain-with-constraint", "ban-create-domain-with-constraint", ""},
    SquawkRule{"ban-drop-column", "ban-drop-column", ""},
    SquawkRule{"ban-drop-database", "ban-drop-database", ""},
    SquawkRule{"ban-drop-not-null", "ban-drop-not-null", ""},
    SquawkRule{"ban-drop-table", "ban-drop-table", ""},
    SquawkRule{"ban-duplicate-column-assignments", "",
               "miglint has no rule for `UPDATE ... SET a = 1, a = 2` (PostgreSQL rejects it anyway)"},
    SquawkRule{"ban-truncate-cascade", "ban-truncate-cascade", ""},
    SquawkRule{"ban-uncommitted-transaction", "ban-uncommitted-transaction", ""},
    SquawkRule{"changing-column-type", "changing-column-type", ""},
    SquawkRule{"constraint-missing-not-valid", "constraint-missing-not-valid", ""},
    SquawkRule{"disallowed-unique-constraint", "disallowed-unique-constraint", ""},
    SquawkRule{"identifier-too-long", "identifier-too-long", ""},
    SquawkRule{"prefer-bigint-over-int", "prefer-bigint-over-int", ""},
    SquawkRule{"prefer-bigint-over-smallint", "prefer-bigint-over-smallint", ""},
    SquawkRule{"prefer-identity", "prefer-identity", ""},
    SquawkRule{"prefer-repack", "table-rewrite",
               "miglint's table-rewrite also covers SET TABLESPACE and SET LOGGED/UNLOGGED"},
    SquawkRule{"prefer-robust-stmts", "",
               "miglint does not ask for IF [NOT] EXISTS: its runner records what ran and resumes instead"},
    SquawkRule{"prefer-text-field", "prefer-text-field", ""},
    SquawkRule{"prefer-timestamp-tz", "prefer-timestamptz", "renamed"},
    SquawkRule{"renaming-column", "renaming-column", ""},
    SquawkRule{"renaming-table", "renaming-table", ""},
    SquawkRule{"require-concurrent-index-creation", "require-concurrent-index-creation", ""},
    SquawkRule{"require-concurrent-index-deletion", "require-concurrent-index-deletion", ""},
    SquawkRule{"require-concurrent-partition-detach", "require-concurrent-partition-detach", ""},
    SquawkRule{"require-concurrent-reindex", "require-concurrent-reindex", ""},
    SquawkRule{"require-enum-value-ordering", "require-enum-value-ordering", ""},
    SquawkRule{"require-lock-timeout", "require-lock-timeout", ""},
    SquawkRule{"require-statement-timeout", "require-statement-timeout", ""},
    SquawkRule{"require-table-schema", "", "miglint does not ask for schema-qualified table names"},
    SquawkRule{"syntax-error", "syntax-error", "cannot be silenced in either tool"},
    SquawkRule{"transaction-nesting", "transaction-nesting", ""},
    SquawkRule{"unused-ignore", "unused-ignore", ""},
};

}  // namespace

std::span<const SquawkRule> squawk_rules() {
  return kSquawkRules;
}

std::optional<SquawkRule> find_squawk_rule(std::string_view squawk_name) {
  auto found = std::find_if(kSquawkRules.begin(), kSquawkRules.end(),
                            [&](const SquawkRule& rule) { return rule.squawk == squawk_name; });
  return found == kSquawkRules.end() ? std::nullopt : std::optional(*found);
}

}  // namespace miglint
