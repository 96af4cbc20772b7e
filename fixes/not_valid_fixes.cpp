// constraint-missing-not-valid and adding-foreign-key-constraint: `ADD CONSTRAINT name CHECK (...)` /
// `FOREIGN KEY ...` gets NOT VALID, and the constraint is validated by a statement of its own that
// never runs in the transaction that added it:
//  - after the statement, when it runs on its own (no transaction around it);
//  - after the COMMIT of the file's own BEGIN ... COMMIT that holds it;
//  - in a transaction the migration tool or runner opens around the whole file, nowhere in the file:
//    the fix's follow-up, printed for the next migration.
// Only named constraints: PostgreSQL's generated name is not known to the fix. A REFERENCES of ADD
// COLUMN is not fixed either (the column and the constraint would have to be split).
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

}  // namespace

std::optional<Fix> fix_not_valid(const Finding& finding, const Statement& statement,
                                 const FileFixContext& context) {
  auto alter = statement.as<pg::AlterTableStmt>();
  if (!alter) {
    return std::nullopt;
  }
  std::optional<ByteSpan> command_span;
  std::size_t index = 0;
  for (pg::AnyNode item : alter.cmds()) {
    auto cmd = item.as<pg::AlterTableCmd>();
    ByteSpan span = statement.subcommand_span(index++);
    if (span.begin == finding.span.begin && span.end == finding.span.end &&
        cmd.subtype() == pg::AlterTableType::AT_AddConstraint && cmd.def().as<pg::Constraint>()) {
      command_span = span;
    }
  }
  if (!command_span) {
    return std::nullopt;
  }
  // The constraint's name as written: the token after CONSTRAINT.
  std::string constraint;
  const std::vector<Token>& tokens = statement.tokens();
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    if (tokens[i].begin >= command_span->begin && tokens[i].end <= command_span->end &&
        is_word(statement, tokens[i], "constraint")) {
      constraint = std::string(token_text(statement, tokens[i + 1]));
      break;
    }
  }
  if (constraint.empty() || !alter.relation() || alter.relation().location() < 0) {
    return std::nullopt;
  }
  std::string table = written_name(statement, statement.offset_of(alter.relation()));
  if (table.empty()) {
    return std::nullopt;
  }
  const SourceFile& source = statement.file();
  Fix fix;
  fix.description = "add NOT VALID and validate the constraint in a transaction of its own";
  fix.edits.push_back(make_edit(source, ByteSpan{command_span->end, command_span->end}, " NOT VALID"));
  std::string validate = fmt::format("ALTER TABLE {} VALIDATE CONSTRAINT {};", table, constraint);
  const TransactionSegment* segment = segment_of(context.plan, statement.index());
  if (segment == nullptr) {
    return std::nullopt;
  }
  if (segment->kind == TransactionSegment::Kind::Wrapped) {
    fix.description = "add NOT VALID; validate the constraint in the next migration";
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
