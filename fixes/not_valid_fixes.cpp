// constraint-missing-not-valid and adding-foreign-key-constraint: `ADD CONSTRAINT name CHECK (...)` /
// `FOREIGN KEY ...` gets NOT VALID, and the constraint is validated by a statement of its own that
// never runs in the transaction that added it:
//  - after the statement, when it runs on its own (no transaction around it);
//  - after the COMMIT of the file's own BEGIN ... COMMIT that holds it;
//  - in a transaction the migration tool or runner opens around the whole file, nowhere in the file:
//    the fix's follow-up, printed for the next migration.
// VALIDATE CONSTRAINT needs the constraint's name: an unnamed one (`ADD FOREIGN KEY (c) ...`,
// `ADD CHECK (...)`) is given the name PostgreSQL would have chosen (fixes/constraint_names.hpp).
// REFERENCES in ADD COLUMN has no NOT VALID form: the column is added without it, and the foreign
// key by an `ADD CONSTRAINT name FOREIGN KEY (c) REFERENCES ... NOT VALID` of the same statement.
#include <fmt/format.h>

#include "analyzer/sql/pg_nodes.hpp"
#include "fixes/not_valid_fixes.hpp"

namespace miglint {

namespace {

// The tokens [begin, ...) that spell a possibly qualified name: `a`, `s.a`, `"S"."a"`.
std::string written_name(const Statement& statement, uint32_t begin) {
  const std::vector<Token>& tokens = statement.tokens();
  std::string name;
  bool want_part = true;
  for (const Token& token : tokens) {
    if (token.begin < begin) {
      continue;
    }
    if (want_part) {
      if (token.is(TokenKind::Dot) || token.is(TokenKind::OpenParen) || token.is(TokenKind::Comma)) {
        break;
      }
      name.append(token_text(statement, token));
      want_part = false;
    } else if (token.is(TokenKind::Dot)) {
      name += '.';
      want_part = true;
    } else {
      break;
    }
  }
  return name;
}

// The written text of the token that starts at `offset` (a name as written: `c`, `"C"`).
std::string written_token_at(const Statement& statement, uint32_t offset) {
  for (const Token& token : statement.tokens()) {
    if (token.begin == offset) {
      return std::string(token_text(statement, token));
    }
  }
  return {};
}

// The edits of a constraint of ADD CONSTRAINT: its name when it has none, NOT VALID at the end.
// Sets `*name` to the name VALIDATE CONSTRAINT uses.
bool add_constraint_edits(const Statement& statement, pg::AlterTableStmt alter, pg::Constraint constraint,
                          ByteSpan command_span, const FileFixContext& context, Fix& fix, std::string* name) {
  const SourceFile& source = statement.file();
  if (!constraint.conname().empty()) {
    // The name as written: the token after CONSTRAINT.
    const std::vector<Token>& tokens = statement.tokens();
    for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
      if (tokens[i].begin >= command_span.begin && tokens[i].end <= command_span.end &&
          is_word(statement, tokens[i], "constraint")) {
        *name = std::string(token_text(statement, tokens[i + 1]));
        break;
      }
    }
  } else {
    std::optional<std::string> generated =
        unnamed_constraint_name(alter.relation().relname(), constraint, {});
    uint32_t at = statement.offset_of(constraint);
    if (!generated || !context.constraint_names_known ||
        context.constraint_names.claims(alter.relation().schemaname(), *generated) != 1 ||
        at < command_span.begin || at >= command_span.end) {
      return false;
    }
    *name = sql_identifier(*generated);
    fix.edits.push_back(make_edit(source, ByteSpan{at, at}, "CONSTRAINT " + *name + " "));
  }
  if (name->empty()) {
    return false;
  }
  fix.edits.push_back(make_edit(source, ByteSpan{command_span.end, command_span.end}, " NOT VALID"));
  return true;
}

// The edits that take REFERENCES out of `ADD COLUMN c type ... REFERENCES u (id) ...` and add the
// foreign key by a sub-command of its own, NOT VALID. Sets `*name` to its name.
bool split_column_reference_edits(const Statement& statement, pg::AlterTableStmt alter, pg::AlterTableCmd cmd,
                                  ByteSpan command_span, const FileFixContext& context, Fix& fix,
                                  std::string* name) {
  auto column = cmd.def().as<pg::ColumnDef>();
  if (!column || cmd.missing_ok()) {
    return false;  // ADD COLUMN IF NOT EXISTS: the foreign key would be added for a column it skipped
  }
  // The foreign key's text runs from its first token (CONSTRAINT name, or REFERENCES) through the
  // attributes that follow it (DEFERRABLE, INITIALLY ...), to the next constraint or COLLATE.
  pg::Constraint reference;
  uint32_t reference_end = command_span.end;
  for (pg::AnyNode item : column.constraints()) {
    auto constraint = item.as<pg::Constraint>();
    pg::ConstrType type = constraint.contype().value();
    bool attribute = type == pg::ConstrType::CONSTR_ATTR_DEFERRABLE ||
                     type == pg::ConstrType::CONSTR_ATTR_NOT_DEFERRABLE ||
                     type == pg::ConstrType::CONSTR_ATTR_DEFERRED ||
                     type == pg::ConstrType::CONSTR_ATTR_IMMEDIATE;
    if (type == pg::ConstrType::CONSTR_FOREIGN) {
      if (reference) {
        return false;  // two foreign keys on one new column: rare enough to leave to the author
      }
      reference = constraint;
    } else if (reference && !attribute && reference_end == command_span.end) {
      reference_end = statement.offset_of(constraint);
    }
  }
  if (!reference) {
    return false;
  }
  const uint32_t reference_begin = statement.offset_of(reference);
  if (auto collate = column.coll_clause(); collate && statement.offset_of(collate) > reference_begin) {
    reference_end = std::min(reference_end, statement.offset_of(collate));
  }
  if (reference_begin <= command_span.begin || reference_begin >= reference_end ||
      reference_end > command_span.end) {
    return false;
  }
  // REFERENCES and what follows, as written; the name as written when the key has one.
  uint32_t references_at = 0;
  const std::vector<Token>& tokens = statement.tokens();
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].begin < reference_begin || tokens[i].end > reference_end) {
      continue;
    }
    if (is_word(statement, tokens[i], "references")) {
      references_at = tokens[i].begin;
      break;
    }
    if (is_word(statement, tokens[i], "constraint") && i + 1 < tokens.size()) {
      *name = std::string(token_text(statement, tokens[i + 1]));
    }
  }
  std::string_view text = statement.file().text();
  uint32_t clause_end = reference_end;
  while (clause_end > references_at && (text[clause_end - 1] == ' ' || text[clause_end - 1] == '\t' ||
                                        text[clause_end - 1] == '\n' || text[clause_end - 1] == '\r')) {
    --clause_end;
  }
  if (references_at == 0 || clause_end <= references_at) {
    return false;
  }
  if (name->empty()) {
    std::optional<std::string> generated =
        unnamed_constraint_name(alter.relation().relname(), reference, column.colname());
    if (!generated || !context.constraint_names_known ||
        context.constraint_names.claims(alter.relation().schemaname(), *generated) != 1) {
      return false;
    }
    *name = sql_identifier(*generated);
  }
  std::string column_name = written_token_at(statement, statement.offset_of(column));
  if (column_name.empty()) {
    return false;
  }
  std::string added = ", ADD CONSTRAINT " + *name + " FOREIGN KEY (" + column_name + ") " +
                      std::string(text.substr(references_at, clause_end - references_at)) + " NOT VALID";
  const SourceFile& source = statement.file();
  if (reference_end == command_span.end) {
    // The key ends the column: it goes with the blanks before it, and the new sub-command follows.
    uint32_t removed_begin = reference_begin;
    while (removed_begin > command_span.begin &&
           (text[removed_begin - 1] == ' ' || text[removed_begin - 1] == '\t')) {
      --removed_begin;
    }
    fix.edits.push_back(make_edit(source, ByteSpan{removed_begin, command_span.end}, added));
  } else {
    fix.edits.push_back(make_edit(source, ByteSpan{reference_begin, reference_end}, ""));
    fix.edits.push_back(make_edit(source, ByteSpan{command_span.end, command_span.end}, added));
  }
  return true;
}

}  // namespace

std::optional<Fix> fix_not_valid(const Finding& finding, const Statement& statement,
                                 const FileFixContext& context) {
  auto alter = statement.as<pg::AlterTableStmt>();
  if (!alter || !alter.relation() || alter.relation().location() < 0) {
    return std::nullopt;
  }
  pg::AlterTableCmd command;
  ByteSpan command_span;
  std::size_t index = 0;
  for (pg::AnyNode item : alter.cmds()) {
    ByteSpan span = statement.subcommand_span(index++);
    if (span.begin == finding.span.begin && span.end == finding.span.end) {
      command = item.as<pg::AlterTableCmd>();
      command_span = span;
    }
  }
  if (!command) {
    return std::nullopt;
  }
  Fix fix;
  std::string deferred_description;  // when the VALIDATE is a follow-up
  std::string constraint;
  if (command.subtype() == pg::AlterTableType::AT_AddConstraint && command.def().as<pg::Constraint>()) {
    if (!add_constraint_edits(statement, alter, command.def().as<pg::Constraint>(), command_span, context,
                              fix, &constraint)) {
      return std::nullopt;
    }
    fix.description = "add NOT VALID and validate the constraint in a transaction of its own";
    deferred_description = "add NOT VALID; validate the constraint in the next migration";
  } else if (command.subtype() == pg::AlterTableType::AT_AddColumn) {
    if (!split_column_reference_edits(statement, alter, command, command_span, context, fix, &constraint)) {
      return std::nullopt;
    }
    fix.description =
        "add the column without REFERENCES, the foreign key NOT VALID, and validate it in a transaction of "
        "its own";
    deferred_description =
        "add the column without REFERENCES and the foreign key NOT VALID; validate it in the next migration";
  } else {
    return std::nullopt;
  }
  std::string table = written_name(statement, statement.offset_of(alter.relation()));
  if (table.empty()) {
    return std::nullopt;
  }
  const SourceFile& source = statement.file();
  std::string validate = fmt::format("ALTER TABLE {} VALIDATE CONSTRAINT {};", table, constraint);
  const TransactionSegment* segment = segment_of(context.plan, statement.index());
  if (segment == nullptr) {
    return std::nullopt;
  }
  if (segment->kind == TransactionSegment::Kind::Wrapped) {
    fix.description = deferred_description;
    fix.follow_up = validate;
    return fix;
  }
  std::string_view text = source.text();
  uint32_t end = 0;
  bool has_semicolon = false;
  if (segment->kind == TransactionSegment::Kind::Autocommit) {
    end = end_after_semicolon(statement, &has_semicolon);
  } else {
    std::size_t last = segment->last - 1;
    if (context.plan.statements[last].control != TransactionControl::Commit) {
      return std::nullopt;  // rolled back, or never committed: nothing to validate after
    }
    end = context.model.places[last].span(text).end;
    uint32_t next = skip_leading_trivia(text, end, static_cast<uint32_t>(text.size()));
    has_semicolon = next < text.size() && text[next] == ';';
    end = has_semicolon ? next + 1 : end;
  }
  fix.edits.push_back(make_edit(source, ByteSpan{end, end},
                                with_file_line_endings(source, (has_semicolon ? "\n" : ";\n") + validate)));
  return fix;
}

}  // namespace miglint
