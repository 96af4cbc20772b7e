#include "analyzer/alembic/alembic_front_end.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "analyzer/alembic/helper_process.hpp"
#include "analyzer/project/alembic_layout.hpp"
#include "analyzer/text/hash.hpp"
#include "analyzer/text/source_file.hpp"

namespace miglint::alembic {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

const AlembicSettings& settings_of(const FrontEndSettings* settings) {
  static const AlembicSettings kDefaults;
  const auto* own = dynamic_cast<const AlembicSettings*>(settings);
  return own != nullptr ? *own : kDefaults;
}

std::string normalized(const std::string& path) {
  std::error_code error;
  fs::path absolute = fs::absolute(path, error);
  return (error ? fs::path(path) : absolute).lexically_normal().string();
}

// What the helper said about one revision file.
struct RevisionAnswer {
  std::string file;
  std::string revision;
  std::vector<std::string> down_revisions;
  std::optional<std::pair<uint32_t, uint32_t>> error_position;  // line, column (1-based)
  std::string error;
  std::string mode;
  std::vector<EmbeddedCall> calls;
  std::vector<std::pair<uint32_t, std::string>> notes;  // line, text
  std::vector<DirectiveComment> directives;
  bool upgrade_changes_schema = false;
  bool downgrade_empty = false;
  uint32_t downgrade_line = 0;
  uint32_t alembic_import_line = 1;
};

struct ProjectAnswer {
  std::map<std::string, RevisionAnswer> revisions;  // by normalized path
  std::vector<std::string> order;                   // revision files, graph order
  std::string alembic_missing;                      // why Alembic could not be used, if it could not
  std::string interpreter;
};

std::vector<EmbeddedCall> read_calls(const json& calls) {
  std::vector<EmbeddedCall> out;
  for (const json& call : calls) {
    EmbeddedCall embedded;
    embedded.call_begin = call.at("call_begin").get<uint32_t>();
    embedded.call_end = call.at("call_end").get<uint32_t>();
    embedded.argument =
        ByteSpan{call.at("argument").at(0).get<uint32_t>(), call.at("argument").at(1).get<uint32_t>()};
    if (!call.at("transaction").is_null()) {
      embedded.transaction = call.at("transaction").get<uint64_t>();
    }
    embedded.down = call.at("down").get<bool>();
    embedded.dynamic = call.at("dynamic").get<bool>();
    embedded.sql = call.at("sql").get<std::string>();
    bool fixed = call.at("fixed").get<bool>();
    // Generated SQL parses as it is; SQL written by hand may hold `:name` binds.
    embedded.placeholders = fixed ? PlaceholderStyle::Dollar : PlaceholderStyle::Colon;
    const json& runs = call.at("runs");
    embedded.sql_offsets.resize(embedded.sql.size(), embedded.call_begin);
    for (std::size_t r = 0; r < runs.size(); ++r) {
      auto first = runs[r].at(0).get<std::size_t>();
      auto offset = runs[r].at(1).get<uint32_t>();
      std::size_t last = r + 1 < runs.size() ? runs[r + 1].at(0).get<std::size_t>() : embedded.sql.size();
      for (std::size_t i = first; i < last && i < embedded.sql.size(); ++i) {
        embedded.sql_offsets[i] = fixed ? offset : offset + static_cast<uint32_t>(i - first);
      }
    }
    out.push_back(std::move(embedded));
  }
  return out;
}

Expected<ProjectAnswer> parse_answer(const std::string& text) {
  ProjectAnswer answer;
  try {
    json root = json::parse(text);
    if (root.contains("fatal") && root["fatal"].is_string()) {
      return Error{root["fatal"].get<std::string>()};
    }
    if (root.contains("alembic_missing") && root["alembic_missing"].is_string()) {
      answer.alembic_missing = root["alembic_missing"].get<std::string>();
    }
    for (const json& revision : root.at("revisions")) {
      RevisionAnswer rev;
      rev.file = normalized(revision.at("file").get<std::string>());
      if (revision.at("revision").is_string()) {
        rev.revision = revision.at("revision").get<std::string>();
      }
      rev.down_revisions = revision.at("down_revisions").get<std::vector<std::string>>();
      if (!revision.at("error").is_null()) {
        const json& error = revision.at("error");
        rev.error = error.at("message").get<std::string>();
        rev.error_position = {error.at("line").get<uint32_t>(), error.at("column").get<uint32_t>()};
      }
      rev.mode = revision.at("mode").get<std::string>();
      rev.calls = read_calls(revision.at("calls"));
      for (const json& note : revision.at("notes")) {
        rev.notes.emplace_back(note.at("line").get<uint32_t>(), note.at("message").get<std::string>());
      }
      for (const json& directive : revision.at("directives")) {
        rev.directives.push_back(DirectiveComment{
            ByteSpan{directive.at("begin").get<uint32_t>(), directive.at("end").get<uint32_t>()},
            directive.at("whole_file").get<bool>(), 1U});
      }
      rev.upgrade_changes_schema = revision.at("upgrade_changes_schema").get<bool>();
      rev.downgrade_empty = revision.at("downgrade_empty").get<bool>();
      rev.downgrade_line = revision.value("downgrade_line", 0U);
      rev.alembic_import_line = revision.value("alembic_import_line", 1U);
      std::string key = rev.file;
      answer.revisions.emplace(std::move(key), std::move(rev));
    }
    for (const json& file : root.at("order")) {
      answer.order.push_back(normalized(file.get<std::string>()));
    }
  } catch (const json::exception& error) {
    return Error{fmt::format("the Alembic helper gave an answer miglint cannot read ({})", error.what())};
  }
  return answer;
}

// The revision file's contents as given (a staged version, standard input) when they are not the
// file's on disk: the helper reads that revision from them instead of the disk.
struct ContentOverride {
  std::string path;  // normalized
  std::string bytes;
};

std::string hex_of(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (char c : bytes) {
    auto byte = static_cast<unsigned char>(c);
    hex += kDigits[byte >> 4];
    hex += kDigits[byte & 0x0F];
  }
  return hex;
}

std::string request_for(const AlembicProject& project, const AlembicSettings& settings,
                        bool another_interpreter, const std::optional<ContentOverride>& content) {
  json request;
  request["another_interpreter"] = another_interpreter;
  if (content) {
    // Hex: the bytes exactly, whatever their encoding.
    request["contents"] = json::object({{content->path, hex_of(content->bytes)}});
  }
  request["versions"] = json::array({project.versions_directory});
  request["project"] = project.root;
  request["script_directory"] = project.script_directory;
  request["use_env"] = settings.use_env;
  // With use_env, env.py reads alembic.ini through context.config, as `alembic upgrade --sql` does.
  std::error_code error;
  fs::path ini = fs::path(project.root) / "alembic.ini";
  request["config"] =
      settings.use_env && fs::is_regular_file(ini, error) ? json(ini.string()) : json(nullptr);
  return request.dump();
}

// One helper run over a whole project, trying the interpreters in turn while they lack Alembic.
Expected<ProjectAnswer> run_project(const AlembicProject& project, const AlembicSettings& settings,
                                    const std::optional<ContentOverride>& content) {
  Expected<std::string> helper = helper_script();
  if (!helper) {
    return helper.error();
  }
  InterpreterChoice choice = interpreter_candidates(settings.python, project.root);
  std::optional<Expected<ProjectAnswer>> best;
  std::vector<std::string> failures;
  for (std::size_t k = 0; k < choice.candidates.size(); ++k) {
    const std::string& interpreter = choice.candidates[k];
    // An interpreter without Alembic answers at once when another one follows.
    std::string request = request_for(project, settings, k + 1 < choice.candidates.size(), content);
    Expected<HelperOutput> output = run_helper(interpreter, *helper, request);
    if (!output) {
      failures.push_back(output.error().message);
      continue;
    }
    if (output->out.empty()) {
      std::string last_line = output->err;
      while (!last_line.empty() && (last_line.back() == '\n' || last_line.back() == '\r')) {
        last_line.pop_back();
      }
      last_line =
          last_line.substr(last_line.rfind('\n') == std::string::npos ? 0 : last_line.rfind('\n') + 1);
      failures.push_back(fmt::format("{} could not run the Alembic helper (exit status {}{}{})", interpreter,
                                     output->exit_status, last_line.empty() ? "" : ": ", last_line));
      continue;
    }
    Expected<ProjectAnswer> answer = parse_answer(output->out);
    if (answer) {
      answer->interpreter = interpreter;
    }
    bool usable = answer && answer->alembic_missing.empty();
    best.emplace(
        std::move(answer));  // the last interpreter's answer reads the revisions even without Alembic
    if (usable) {
      break;
    }
  }
  if (!best) {
    return Error{
        fmt::format("no Python interpreter could run the Alembic helper: {} (name one with --python "
                    "or MIGLINT_PYTHON)",
                    fmt::join(failures, "; "))};
  }
  if (*best && (*best)->revisions.empty() && !(*best)->alembic_missing.empty()) {
    return Error{(*best)->alembic_missing};  // the interpreter that would have read them could not run
  }
  return std::move(*best);
}

// One run per project (and settings), shared by the revision files linted in parallel.
struct ProjectRun {
  std::once_flag once;
  std::optional<Expected<ProjectAnswer>> answer;
};

// With `content`, a run of its own for that revision's given contents (`lint --staged` when the staged
// version differs from the working tree's; a revision read from standard input): the project's other
// revisions as on disk.
const Expected<ProjectAnswer>& project_answer(const AlembicProject& project, const AlembicSettings& settings,
                                              const std::optional<ContentOverride>& content = std::nullopt) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<ProjectRun>> runs;
  std::shared_ptr<ProjectRun> run;
  {
    std::lock_guard lock(mutex);
    std::string key =
        fmt::format("{}\n{}\n{}", project.versions_directory, settings.python, settings.use_env);
    if (content) {
      key += fmt::format("\n{}\n{}", content->path, sha256_hex(content->bytes));
    }
    std::shared_ptr<ProjectRun>& slot = runs[key];
    if (!slot) {
      slot = std::make_shared<ProjectRun>();
    }
    run = slot;
  }
  std::call_once(run->once, [&] { run->answer.emplace(run_project(project, settings, content)); });
  return *run->answer;
}

uint32_t line_offset(const SourceFile& source, uint32_t line, uint32_t column = 1) {
  std::string_view text = source.text();
  std::size_t at = 0;
  for (uint32_t l = 1; l < line; ++l) {
    std::size_t newline = text.find('\n', at);
    if (newline == std::string_view::npos) {
      return static_cast<uint32_t>(text.size());
    }
    at = newline + 1;
  }
  return static_cast<uint32_t>(std::min(text.size(), at + (column > 0 ? column - 1 : 0)));
}

ByteSpan line_span(const SourceFile& source, uint32_t line) {
  uint32_t begin = line_offset(source, line);
  std::size_t end = source.text().find('\n', begin);
  return ByteSpan{begin, static_cast<uint32_t>(end == std::string_view::npos ? source.text().size() : end)};
}

// A `# miglint-ignore rule, rule -- reason` comment read: its rules and reason.
struct IgnoreComment {
  std::vector<std::string> rules;
  std::string reason;
  bool whole_file = false;
  uint32_t line = 0;
};
IgnoreComment read_ignore(const SourceFile& source, const DirectiveComment& comment) {
  IgnoreComment out;
  out.whole_file = comment.whole_file;
  out.line = source.position(comment.span.begin).line;
  std::string_view text = source.text().substr(comment.span.begin, comment.span.end - comment.span.begin);
  std::size_t keyword = text.find("miglint-ignore");
  if (keyword == std::string_view::npos) {
    return out;
  }
  text.remove_prefix(keyword + (comment.whole_file ? 19 : 14));
  std::size_t dashes = text.find("--");
  std::string_view list = text.substr(0, dashes);
  if (dashes != std::string_view::npos) {
    std::string_view reason = text.substr(dashes + 2);
    while (!reason.empty() && reason.front() == ' ') {
      reason.remove_prefix(1);
    }
    out.reason = std::string(reason);
  }
  std::string current;
  for (char c : std::string(list) + " ") {
    if (c == ' ' || c == ',' || c == '\t' || c == ':') {
      if (!current.empty()) {
        out.rules.push_back(current);
      }
      current.clear();
    } else {
      current += c;
    }
  }
  return out;
}

bool is_own_rule(std::string_view rule) {
  return rule == kMultipleHeadsRule || rule == kBrokenChainRule || rule == kMissingDowngradeRule ||
         rule == kStaticReadingRule;
}

// The revision graph rules and the static-reading note of one revision, in its file.
std::vector<FrontEndProblem> graph_findings(const SourceFile& source, const ProjectAnswer& project,
                                            const RevisionAnswer& revision) {
  std::vector<FrontEndProblem> problems;
  RevisionHeader header = read_revision_header(source.path(), source.text());
  std::set<std::string> known;
  std::set<std::string> revised;
  for (const auto& [path, other] : project.revisions) {
    if (!other.revision.empty()) {
      known.insert(other.revision);
    }
    revised.insert(other.down_revisions.begin(), other.down_revisions.end());
  }
  for (const std::string& parent : revision.down_revisions) {
    if (known.count(parent) == 0) {
      problems.push_back(FrontEndProblem{
          line_span(source, header.down_revision_line),
          std::string(kBrokenChainRule),
          fmt::format(
              "`down_revision` names `{}`, which no revision file of this project has: Alembic cannot "
              "build the revision graph (`upgrade` fails with \"Can't locate revision\")",
              parent),
          "Point `down_revision` at the revision this one follows (`alembic history` lists them), or restore "
          "the "
          "missing revision file.",
          false,
          {}});
    }
  }
  // Heads: revisions no other revises. A second head is reported at every head after the first
  // in graph order.
  std::vector<std::string> heads;
  for (const std::string& path : project.order) {
    auto found = project.revisions.find(path);
    // A revision off a missing parent is alembic-broken-chain's, not a second head.
    bool broken = found != project.revisions.end() &&
                  std::any_of(found->second.down_revisions.begin(), found->second.down_revisions.end(),
                              [&](const std::string& parent) { return known.count(parent) == 0; });
    if (found != project.revisions.end() && !broken && !found->second.revision.empty() &&
        revised.count(found->second.revision) == 0) {
      heads.push_back(found->first);
    }
  }
  if (heads.size() > 1 && std::find(heads.begin() + 1, heads.end(), revision.file) != heads.end()) {
    std::vector<std::string> ids;
    for (const std::string& head : heads) {
      ids.push_back(project.revisions.at(head).revision);
    }
    std::string parents = revision.down_revisions.empty()
                              ? "the base"
                              : fmt::format("`{}`", fmt::join(revision.down_revisions, "`, `"));
    problems.push_back(FrontEndProblem{
        line_span(source, header.down_revision_line),
        std::string(kMultipleHeadsRule),
        fmt::format(
            "the project has {} heads ({}): this revision branches off {} beside another, and no merge "
            "revision joins them (`alembic upgrade head` refuses to run)",
            heads.size(), fmt::join(ids, ", "), parents),
        "Join the branches with a merge revision (`alembic merge heads -m \"merge\"`), or rebase this "
        "revision: "
        "set its `down_revision` to the other head.",
        false,
        {}});
  }
  if (revision.downgrade_empty && revision.upgrade_changes_schema) {
    uint32_t line = revision.downgrade_line > 0 ? revision.downgrade_line : header.revision_line;
    problems.push_back(FrontEndProblem{
        line_span(source, line),
        std::string(kMissingDowngradeRule),
        "`downgrade()` is empty (or `pass`) while `upgrade()` changes the schema: this revision cannot be "
        "rolled back with `alembic downgrade`",
        "Write the statements that undo `upgrade()`, or, if your team never downgrades, disable this note "
        "(`ignore = [\"missing-downgrade\"]` in miglint.toml).",
        false,
        {}});
  }
  for (const auto& [line, text] : revision.notes) {
    problems.push_back(FrontEndProblem{
        line_span(source, line),
        std::string(kStaticReadingRule),
        fmt::format("this revision was {}; only the SQL literals of its execute calls were linted", text),
        "Revisions that read data (op.get_bind(), loops on rowcount) cannot run without a database; keep "
        "their "
        "SQL in literals so that miglint can check it, and keep schema changes in revisions that run "
        "offline.",
        false,
        {}});
  }
  // Ignore comments naming these rules: on the line before, trailing the line, or the whole file.
  std::vector<IgnoreComment> ignores;
  for (const DirectiveComment& comment : revision.directives) {
    ignores.push_back(read_ignore(source, comment));
  }
  for (FrontEndProblem& problem : problems) {
    uint32_t line = source.position(problem.span.begin).line;
    for (const IgnoreComment& ignore : ignores) {
      bool names = std::find(ignore.rules.begin(), ignore.rules.end(), problem.rule) != ignore.rules.end() ||
                   std::find(ignore.rules.begin(), ignore.rules.end(), "all") != ignore.rules.end();
      if (names && (ignore.whole_file || ignore.line == line || ignore.line + 1 == line)) {
        problem.suppressed = true;
        problem.suppression_reason = ignore.reason;
      }
    }
  }
  return problems;
}

class AlembicFrontEnd final : public FrontEnd {
 public:
  std::string_view name() const override { return "alembic"; }
  std::string_view language() const override { return "Python (Alembic)"; }
  // Every `.py` path: a walk collects revision files only (is_alembic_revision_path), and a Python
  // file named on the command line that is not one gets one clear error rather than SQL syntax errors.
  bool claims(std::string_view path, const FrontEndSettings* settings) const override {
    return settings_of(settings).enabled && path.ends_with(".py");
  }
  std::vector<std::string> extensions(const FrontEndSettings* settings) const override {
    return settings_of(settings).enabled ? std::vector<std::string>{".py"} : std::vector<std::string>{};
  }
  Expected<EmbeddedSource> extract(const SourceFile& source, const std::string& filesystem_path,
                                   const FrontEndSettings* settings) const override {
    const AlembicSettings& alembic = settings_of(settings);
    std::string path = normalized(filesystem_path.empty() ? source.path() : filesystem_path);
    std::optional<AlembicProject> project = alembic_project_of(path);
    if (!project) {
      return Error{
          "not in an Alembic project (a revision file is read in its project's versions folder, beside "
          "env.py; set `[alembic] script_location` for other layouts)"};
    }
    // The helper reads revisions from disk: contents that differ (a staged version) are passed to it.
    std::optional<ContentOverride> content;
    Expected<std::string> on_disk = read_file_bytes(path, source.text().size() + 1);
    if (!on_disk || *on_disk != source.text()) {
      content = ContentOverride{path, std::string(source.text())};
    }
    const Expected<ProjectAnswer>& answer = project_answer(*project, alembic, content);
    if (!answer) {
      return answer.error();
    }
    EmbeddedSource out;
    out.dynamic_sql_message =
        "the SQL passed here is built at run time: miglint cannot check it (only string literals are read in "
        "a "
        "revision that runs without a database)";
    out.dynamic_sql_help =
        "Pass the statement as a string literal (or text(\"...\")) so that it can be checked, or silence "
        "this note "
        "with `# miglint-ignore dynamic-sql -- reason` above the call.";
    auto found = answer->revisions.find(path);
    if (found == answer->revisions.end()) {
      out.warnings.push_back(fmt::format(
          "{}: not an Alembic revision (no `revision = \"...\"`): nothing to lint", source.path()));
      return out;
    }
    const RevisionAnswer& revision = found->second;
    if (!revision.error.empty()) {
      uint32_t line = revision.error_position ? revision.error_position->first : 1;
      uint32_t column = revision.error_position ? revision.error_position->second : 1;
      uint32_t at = line_offset(source, line, column);
      out.problems.push_back(FrontEndProblem{ByteSpan{at, at}, {}, revision.error, {}, false, {}});
      return out;
    }
    if (!answer->alembic_missing.empty()) {
      uint32_t at = line_offset(source, revision.alembic_import_line);
      out.problems.push_back(FrontEndProblem{ByteSpan{at, at}, {}, answer->alembic_missing, {}, false, {}});
    }
    out.calls = revision.calls;
    for (const DirectiveComment& comment : revision.directives) {
      // Comments that name only the front end's own rules are applied here (graph_findings), not
      // copied into the SQL, where they would be unused.
      IgnoreComment ignore = read_ignore(source, comment);
      bool own_only =
          !ignore.rules.empty() && std::all_of(ignore.rules.begin(), ignore.rules.end(), is_own_rule);
      if (!own_only) {
        out.directives.push_back(comment);
      }
    }
    std::vector<FrontEndProblem> graph = graph_findings(source, *answer, revision);
    out.problems.insert(out.problems.end(), graph.begin(), graph.end());
    return out;
  }
  std::shared_ptr<const FrontEndSettings> with_flags(const FrontEndSettings* configured,
                                                     const FrontEndFlags& flags) const override {
    if (flags.python.empty()) {
      return nullptr;
    }
    auto adjusted = std::make_shared<AlembicSettings>(settings_of(configured));
    adjusted->python = flags.python;
    return adjusted;
  }
};

void read_alembic(const ConfigTableReader& reader, const toml::node& value, AlembicSettings& settings) {
  const toml::table* table = value.as_table();
  if (table == nullptr) {
    reader.fail(value, "`alembic` must be a table ([alembic])");
  }
  for (const auto& [key, item] : *table) {
    std::string name(key.str());
    if (name == "enabled" || name == "use_env") {
      if (!item.is_boolean()) {
        reader.fail(item, fmt::format("`alembic.{}` must be true or false", name));
      }
      (name == "enabled" ? settings.enabled : settings.use_env) = *item.value<bool>();
    } else if (name == "script_location" || name == "python") {
      if (!item.is_string() || item.value<std::string>()->empty()) {
        reader.fail(item, fmt::format("`alembic.{}` must be a path", name));
      }
      fs::path given(*item.value<std::string>());
      bool is_path = name == "script_location" || given.has_parent_path();
      std::string resolved = is_path && !given.is_absolute()
                                 ? (fs::path(reader.config_directory()) / given).lexically_normal().string()
                                 : given.string();
      if (name == "script_location") {
        settings.script_location = resolved;
        add_alembic_script_location(resolved);
      } else {
        settings.python = resolved;
      }
    } else {
      reader.fail_key(
          key, fmt::format("unknown key `alembic.{}` (enabled, script_location, use_env, python)", name));
    }
  }
}

}  // namespace

const FrontEnd& alembic_front_end() {
  static const AlembicFrontEnd front_end;
  return front_end;
}

ConfigTable alembic_config_table() {
  return ConfigTable{"alembic", [](const ConfigTableReader& reader, const toml::node& value) {
                       auto settings = std::make_shared<AlembicSettings>();
                       read_alembic(reader, value, *settings);
                       return std::any(std::shared_ptr<const FrontEndSettings>(std::move(settings)));
                     }};
}

}  // namespace miglint::alembic
