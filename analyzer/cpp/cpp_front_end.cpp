#include "analyzer/cpp/cpp_front_end.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "analyzer/cpp/cpp_text.hpp"
#include "analyzer/cpp/front_end_process.hpp"

namespace miglint::cpp {

namespace {

namespace fs = std::filesystem;

// An ignore directive written as a C++ comment: `// miglint-ignore rule -- reason`.
bool is_ignore_comment(std::string_view comment, bool* whole_file) {
  std::string_view body = comment.substr(2);
  while (!body.empty() && (body.front() == ' ' || body.front() == '\t')) {
    body.remove_prefix(1);
  }
  if (!body.starts_with("miglint-ignore")) {
    return false;
  }
  *whole_file = body.starts_with("miglint-ignore-file");
  return true;
}

// The ignore comments of a C++ file, as directive comments (`//` is a line marker of two bytes).
std::vector<DirectiveComment> directive_comments(std::string_view cpp_text) {
  std::vector<DirectiveComment> directives;
  if (cpp_text.find("miglint-ignore") == std::string_view::npos) {
    return directives;
  }
  for (const CppComment& comment : scan_cpp_comments(cpp_text)) {
    bool whole_file = false;
    if (!is_ignore_comment(cpp_text.substr(comment.begin, comment.end - comment.begin), &whole_file)) {
      continue;
    }
    directives.push_back(
        DirectiveComment{ByteSpan{comment.begin, comment.end}, whole_file, comment.line_comment ? 2U : 0U});
  }
  return directives;
}

std::vector<EmbeddedCall> embedded_calls(std::vector<ExtractedCall> calls) {
  std::vector<EmbeddedCall> out;
  out.reserve(calls.size());
  for (ExtractedCall& call : calls) {
    EmbeddedCall embedded;
    embedded.call_begin = call.call_begin;
    embedded.call_end = call.call_end;
    embedded.argument = ByteSpan{call.argument_begin, call.argument_end};
    embedded.transaction = call.transaction;
    embedded.dynamic = call.dynamic;
    embedded.sql = std::move(call.sql);
    embedded.sql_offsets = std::move(call.sql_offsets);
    embedded.placeholders = call.placeholders;
    embedded.function = call.function;
    if (!call.placeholders_explicit && call.format_arguments &&
        call.placeholders == PlaceholderStyle::Dollar) {
      // `exec("DROP TABLE {}", name)`: the SQL is a format string. Read with the style it shows
      // (fmt first: `{}` never occurs outside quotes in SQL, while `%s` could be a modulo).
      // A printf conversion counts only without a space flag (`a % d` is a modulo).
      auto shows = [&](PlaceholderStyle style) {
        std::vector<Placeholder> found = find_placeholders(embedded.sql, style);
        return std::any_of(found.begin(), found.end(),
                           [&](const Placeholder& p) { return embedded.sql.find(' ', p.begin) >= p.end; });
      };
      for (PlaceholderStyle style : {PlaceholderStyle::Fmt, PlaceholderStyle::Printf}) {
        if (shows(style)) {
          embedded.placeholders = style;
          embedded.placeholders_assumed = true;
          break;
        }
      }
    }
    out.push_back(std::move(embedded));
  }
  return out;
}

// [cpp] enabled, extensions, compile_commands_dir, args, default_query_functions and
// [[cpp.query_functions]] name, sql_arg, placeholders, in_transaction.
void read_cpp(const ConfigTableReader& reader, const toml::node& value, const std::string& config_dir,
              CppSettings& settings) {
  const toml::table* table = value.as_table();
  if (table == nullptr) {
    reader.fail(value, "`cpp` must be a table ([cpp])");
  }
  bool keep_defaults = true;
  std::vector<QueryFunction> configured;
  for (const auto& [key, item] : *table) {
    std::string name(key.str());
    if (name == "enabled" || name == "default_query_functions") {
      if (!item.is_boolean()) {
        reader.fail(item, fmt::format("`cpp.{}` must be true or false", name));
      }
      (name == "enabled" ? settings.enabled : keep_defaults) = *item.value<bool>();
    } else if (name == "extensions") {
      settings.extensions = reader.strings(item, "cpp.extensions");
      for (std::string& extension : settings.extensions) {
        if (!extension.starts_with(".")) {
          extension = "." + extension;
        }
      }
    } else if (name == "args") {
      settings.extra_args = reader.strings(item, "cpp.args");
    } else if (name == "compile_commands_dir") {
      if (!item.is_string()) {
        reader.fail(item, "`cpp.compile_commands_dir` must be a string");
      }
      fs::path dir(*item.value<std::string>());
      settings.compile_commands_dir =
          (dir.is_absolute() ? dir : fs::path(config_dir) / dir).lexically_normal().string();
    } else if (name == "query_functions") {
      const toml::array* functions = item.as_array();
      if (functions == nullptr) {
        reader.fail(item, "`cpp.query_functions` must be an array of [[cpp.query_functions]] tables");
      }
      for (const toml::node& entry : *functions) {
        const toml::table* function = entry.as_table();
        if (function == nullptr) {
          reader.fail(entry, "each [[cpp.query_functions]] entry must be a table");
        }
        QueryFunction query;
        for (const auto& [field, setting] : *function) {
          std::string_view field_name = field.str();
          if (field_name == "name") {
            if (!setting.is_string() || setting.value<std::string>()->empty()) {
              reader.fail(setting, "`name` must be a function name such as \"myapp::db::run\"");
            }
            query.name = *setting.value<std::string>();
            while (query.name.starts_with("::")) {
              query.name.erase(0, 2);
            }
          } else if (field_name == "sql_arg") {
            auto index = setting.value<int64_t>();
            if (!setting.is_integer() || !index || *index < 0 || *index > 64) {
              reader.fail(setting, "`sql_arg` must be the 0-based index of the SQL argument");
            }
            query.sql_arg = static_cast<unsigned>(*index);
          } else if (field_name == "placeholders") {
            auto style =
                setting.is_string() ? parse_placeholder_style(*setting.value<std::string>()) : std::nullopt;
            if (!style) {
              reader.fail(
                  setting,
                  "`placeholders` must be one of \"dollar\", \"question\", \"colon\", \"printf\", \"fmt\"");
            }
            query.placeholders = *style;
            query.placeholders_explicit = true;
          } else if (field_name == "in_transaction") {
            if (!setting.is_boolean()) {
              reader.fail(setting, "`in_transaction` must be true or false");
            }
            query.in_transaction = *setting.value<bool>();
          } else {
            reader.fail_key(field, fmt::format("unknown key `{}` in [[cpp.query_functions]] (name, sql_arg, "
                                               "placeholders, in_transaction)",
                                               field_name));
          }
        }
        if (query.name.empty()) {
          reader.fail(entry, "[[cpp.query_functions]] needs `name`");
        }
        configured.push_back(std::move(query));
      }
    } else {
      reader.fail_key(key, fmt::format("unknown key `cpp.{}`", name));
    }
  }
  // The first function that matches a call is used: configured ones go first, so that an entry named
  // like a default (`exec`, with fmt placeholders) wins over it.
  if (!keep_defaults) {
    settings.query_functions.clear();
  }
  settings.query_functions.insert(settings.query_functions.begin(), configured.begin(), configured.end());
}

const CppSettings& cpp_settings_of(const FrontEndSettings* settings) {
  static const CppSettings kDefaults;
  const auto* own = dynamic_cast<const CppFrontEndSettings*>(settings);
  return own != nullptr ? own->cpp : kDefaults;
}

class CppFrontEnd final : public FrontEnd {
 public:
  std::string_view name() const override { return "cpp"; }
  std::string_view language() const override { return "C++"; }
  bool claims(std::string_view path, const FrontEndSettings* settings) const override {
    return is_cpp_path(path, cpp_settings_of(settings));
  }
  std::vector<std::string> extensions(const FrontEndSettings* settings) const override {
    const CppSettings& cpp = cpp_settings_of(settings);
    return cpp.enabled ? cpp.extensions : std::vector<std::string>{};
  }
  Expected<EmbeddedSource> extract(const SourceFile& source, const std::string& filesystem_path,
                                   const FrontEndSettings* settings) const override {
    CppExtractRequest request;
    request.filesystem_path = filesystem_path.empty() ? source.path() : filesystem_path;
    request.contents = source.text();
    request.settings = &cpp_settings_of(settings);
    CppExtraction extraction = extract_in_front_end(request);
    if (extraction.error) {
      return Error{*extraction.error};
    }
    return embedded_source(source, std::move(extraction));
  }
  std::shared_ptr<const FrontEndSettings> with_flags(const FrontEndSettings* configured,
                                                     const FrontEndFlags& flags) const override {
    if (flags.compile_commands_dir.empty()) {
      return nullptr;
    }
    auto adjusted = std::make_shared<CppFrontEndSettings>();
    adjusted->cpp = cpp_settings_of(configured);
    adjusted->cpp.compile_commands_dir = fs::absolute(flags.compile_commands_dir).string();
    return adjusted;
  }
};

}  // namespace

EmbeddedSource embedded_source(const SourceFile& source, CppExtraction extraction) {
  EmbeddedSource out;
  out.calls = embedded_calls(std::move(extraction.calls));
  out.directives = directive_comments(source.text());
  if (!extraction.incomplete.empty()) {
    out.warnings.push_back(fmt::format(
        "{}:{} (Clang could not read all of it; SQL was taken from what it could read, and calls in the "
        "rest may be missing)",
        source.path(), extraction.incomplete));
  }
  out.dynamic_sql_message =
      "the SQL passed here is built at run time: miglint cannot check it (only constant SQL is "
      "read: literals, constants, macros)";
  out.dynamic_sql_help =
      "Pass the statement as a literal or a constant so that it can be checked, or silence this note "
      "with `// miglint-ignore dynamic-sql -- reason` above the call.";
  return out;
}

AssembledSql assemble_calls(std::string_view cpp_text, const std::vector<ExtractedCall>& calls) {
  return miglint::assemble_calls(cpp_text, embedded_calls(calls), directive_comments(cpp_text));
}

ByteSpan map_to_cpp(const AssembledSql& assembled, ByteSpan span) {
  return map_to_source(assembled, span);
}

const FrontEnd& cpp_front_end() {
  static const CppFrontEnd front_end;
  return front_end;
}

ConfigTable cpp_config_table() {
  return ConfigTable{"cpp", [](const ConfigTableReader& reader, const toml::node& value) {
                       auto settings = std::make_shared<CppFrontEndSettings>();
                       read_cpp(reader, value, reader.config_directory(), settings->cpp);
                       return std::any(std::shared_ptr<const FrontEndSettings>(std::move(settings)));
                     }};
}

}  // namespace miglint::cpp
