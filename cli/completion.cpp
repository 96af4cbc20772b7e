#include "cli/completion.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <iostream>
#include <string_view>

namespace miglint {

namespace {

// What a shell needs to know about one option: its spellings, whether it takes a value, and the
// values it accepts when they are a fixed set.
struct OptionSpec {
  std::vector<std::string> short_names;  // without the dash: "j"
  std::vector<std::string> long_names;   // without the dashes: "jobs"
  bool takes_value = false;
  std::vector<std::string> choices;  // empty: any value (completed as a file name)
  bool comma_list = false;           // the value is a comma-separated list of choices
  std::string description;
};

struct CommandSpec {
  std::string name;  // empty for miglint itself
  std::string description;
  std::vector<OptionSpec> options;
  bool has_positional = false;
  bool positional_repeats = false;
  std::vector<std::string> positional_words;  // empty: file names
};

// The fixed set of values of an option checked with CLI::IsMember, or with a short CLI::Range: CLI11
// writes them into the type name as `TEXT:{text,json,sarif}` and `INT:INT in [10 - 19]`.
std::vector<std::string> choices_of(const CLI::Option& option) {
  constexpr int kMostNumbers = 32;  // a range of jobs (1-1024) is not worth listing
  std::string type = option.get_type_name();
  std::vector<std::string> choices;
  int low = 0;
  int high = 0;
  if (std::size_t range = type.find(" in [");
      range != std::string::npos && std::sscanf(type.c_str() + range, " in [%d - %d]", &low, &high) == 2 &&
      high >= low && high - low < kMostNumbers) {
    for (int number = low; number <= high; ++number) {
      choices.push_back(std::to_string(number));
    }
    return choices;
  }
  std::size_t open = type.find('{');
  std::size_t close = type.find('}', open);
  if (open == std::string::npos || close == std::string::npos) {
    return choices;
  }
  std::string_view list(type.data() + open + 1, close - open - 1);
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    choices.emplace_back(list.substr(0, comma));
    list.remove_prefix(comma == std::string_view::npos ? list.size() : comma + 1);
  }
  return choices;
}

CommandSpec command_spec(const CLI::App& app, const std::vector<std::string>* positional_words,
                         const std::map<std::string, std::vector<std::string>>& option_lists) {
  CommandSpec command;
  command.name = app.get_name();
  command.description = app.get_description();
  for (const CLI::Option* option : app.get_options()) {
    if (option->get_group().empty()) {
      continue;  // hidden
    }
    if (option->get_lnames().empty() && option->get_snames().empty()) {
      command.has_positional = true;
      command.positional_repeats = command.positional_repeats || option->get_items_expected_max() > 1;
      continue;
    }
    OptionSpec spec;
    spec.short_names = option->get_snames();
    spec.long_names = option->get_lnames();
    spec.takes_value = option->get_expected_max() > 0 && option->get_type_size_max() > 0;  // flags expect 0
    spec.choices = choices_of(*option);
    for (const std::string& name : spec.long_names) {
      if (auto list = option_lists.find(name); list != option_lists.end()) {
        spec.choices = list->second;
        spec.comma_list = true;
      }
    }
    spec.description = option->get_description();
    command.options.push_back(std::move(spec));
  }
  if (positional_words != nullptr) {
    command.positional_words = *positional_words;
  }
  return command;
}

std::vector<CommandSpec> subcommand_specs(const CLI::App& app, const CompletionWords& words) {
  std::vector<CommandSpec> commands;
  for (const CLI::App* sub :
       app.get_subcommands([](const CLI::App* sub) { return !sub->get_group().empty(); })) {
    auto positional = words.positionals.find(sub->get_name());
    commands.push_back(command_spec(
        *sub, positional == words.positionals.end() ? nullptr : &positional->second, words.option_lists));
  }
  return commands;
}

std::string joined(const std::vector<std::string>& words, std::string_view separator = " ") {
  return fmt::format("{}", fmt::join(words, separator));
}

std::vector<std::string> spellings(const OptionSpec& option) {
  std::vector<std::string> names;
  for (const std::string& name : option.short_names) {
    names.push_back("-" + name);
  }
  for (const std::string& name : option.long_names) {
    names.push_back("--" + name);
  }
  return names;
}

std::vector<std::string> words_of(const CommandSpec& command) {
  std::vector<std::string> words;
  for (const OptionSpec& option : command.options) {
    for (std::string& name : spellings(option)) {
      words.push_back(std::move(name));
    }
  }
  return words;
}

// A string in single quotes for bash, zsh and fish alike when it holds no quote; a quote closes,
// escapes and reopens (bash, zsh); fish takes \' inside single quotes.
std::string posix_quoted(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  }
  return out + "'";
}

std::string fish_quoted(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + "'";
}

// Text inside a zsh _arguments `[description]` or a `_describe` entry: brackets and colons escaped.
std::string zsh_text(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '[' || c == ']' || c == ':' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out;
}

std::string bash_script(const CommandSpec& top, const std::vector<CommandSpec>& commands) {
  std::vector<std::string> names;
  for (const CommandSpec& command : commands) {
    names.push_back(command.name);
  }
  std::string out = "# bash completion for miglint (generated by `miglint completion bash`)\n";
  out += "_miglint() {\n";
  out += "  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} command= i\n";
  out += "  for ((i = 1; i < COMP_CWORD; i++)); do\n";
  out += fmt::format("    case ${{COMP_WORDS[i]}} in {}) command=${{COMP_WORDS[i]}}; break ;; esac\n",
                     joined(names, "|"));
  out += "  done\n";
  out += "  COMPREPLY=()\n";
  out += "  case $command in\n";
  out += fmt::format("    '') COMPREPLY=($(compgen -W {} -- \"$cur\")) ;;\n",
                     posix_quoted(joined(names) + " " + joined(words_of(top))));
  for (const CommandSpec& command : commands) {
    out += fmt::format("    {})\n", command.name);
    out += "      case $prev in\n";
    for (const OptionSpec& option : command.options) {
      if (!option.takes_value) {
        continue;
      }
      // Returning with no reply lets `complete -o default` complete a file name.
      // A comma-separated list: the words already typed stay, the last one is completed.
      std::string reply = option.choices.empty() ? std::string("return")
                          : option.comma_list
                              ? fmt::format(
                                    "local done=\"${{cur%\"${{cur##*,}}\"}}\"; "
                                    "COMPREPLY=($(compgen -P \"$done\" -W {} -- \"${{cur##*,}}\")); return",
                                    posix_quoted(joined(option.choices)))
                              : fmt::format("COMPREPLY=($(compgen -W {} -- \"$cur\")); return",
                                            posix_quoted(joined(option.choices)));
      out += fmt::format("        {}) {} ;;\n", joined(spellings(option), "|"), reply);
    }
    out += "      esac\n";
    out += fmt::format("      if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W {} -- \"$cur\"))\n",
                       posix_quoted(joined(words_of(command))));
    if (!command.positional_words.empty()) {
      out += fmt::format("      else COMPREPLY=($(compgen -W {} -- \"$cur\"))\n",
                         posix_quoted(joined(command.positional_words)));
    }
    out += "      fi ;;\n";
  }
  out += "  esac\n";
  out += "}\n";
  out += "complete -o default -F _miglint miglint\n";
  return out;
}

std::string zsh_option_specs(const CommandSpec& command, std::string_view indent) {
  std::string out;
  for (const OptionSpec& option : command.options) {
    std::vector<std::string> names = spellings(option);
    std::string exclusive = names.size() > 1 ? fmt::format("({})", joined(names)) : std::string();
    std::string value;
    if (option.takes_value) {
      value = option.choices.empty() ? std::string(":value:_files")
              : option.comma_list    ? fmt::format(":value:_values -s , rule {}", joined(option.choices))
                                     : fmt::format(":value:({})", joined(option.choices));
    }
    for (const std::string& name : names) {
      out += fmt::format("{}{} \\\n", indent,
                         posix_quoted(exclusive + name + "[" + zsh_text(option.description) + "]" + value));
    }
  }
  if (command.has_positional) {
    std::string action = command.positional_words.empty()
                             ? std::string("_files")
                             : fmt::format("({})", joined(command.positional_words));
    out += fmt::format("{}{} \\\n", indent,
                       posix_quoted((command.positional_repeats ? "*:argument:" : ":argument:") + action));
  }
  return out;
}

std::string zsh_script(const CommandSpec& top, const std::vector<CommandSpec>& commands) {
  std::string out =
      "#compdef miglint\n# zsh completion for miglint (generated by `miglint completion zsh`)\n";
  out += "_miglint() {\n";
  out += "  local curcontext=$curcontext state line\n";
  out += "  typeset -A opt_args\n";
  out += "  _arguments -C \\\n";
  out += zsh_option_specs(top, "    ");
  out += "    ': :->command' \\\n";
  out += "    '*:: :->arguments'\n";
  out += "  case $state in\n";
  out += "    command)\n";
  out += "      local -a commands=(\n";
  for (const CommandSpec& command : commands) {
    out += fmt::format("        {}\n", posix_quoted(zsh_text(command.name) + ":" + command.description));
  }
  out += "      )\n";
  out += "      _describe -t commands 'miglint command' commands ;;\n";
  out += "    arguments)\n";
  out += "      case $line[1] in\n";
  for (const CommandSpec& command : commands) {
    out += fmt::format("        {})\n", command.name);
    out += "          _arguments \\\n";
    out += zsh_option_specs(command, "            ");
    out += "            ;;\n";
  }
  out += "      esac ;;\n";
  out += "  esac\n";
  out += "}\n";
  out += "_miglint \"$@\"\n";
  return out;
}

std::string fish_option_lines(const OptionSpec& option, std::string_view condition) {
  std::string line = fmt::format("complete -c miglint -n {}", fish_quoted(condition));
  for (const std::string& name : option.short_names) {
    line += " -s " + name;
  }
  for (const std::string& name : option.long_names) {
    line += " -l " + name;
  }
  if (option.takes_value) {
    line += option.choices.empty() ? std::string(" -r -F")
                                   : fmt::format(" -x -a {}", fish_quoted(joined(option.choices)));
  }
  return line + fmt::format(" -d {}\n", fish_quoted(option.description));
}

std::string fish_script(const CommandSpec& top, const std::vector<CommandSpec>& commands) {
  std::string out = "# fish completion for miglint (generated by `miglint completion fish`)\n";
  out += "complete -c miglint -f\n";
  for (const OptionSpec& option : top.options) {
    out += fish_option_lines(option, "__fish_use_subcommand");
  }
  for (const CommandSpec& command : commands) {
    out += fmt::format("complete -c miglint -n __fish_use_subcommand -a {} -d {}\n", command.name,
                       fish_quoted(command.description));
  }
  for (const CommandSpec& command : commands) {
    std::string condition = "__fish_seen_subcommand_from " + command.name;
    for (const OptionSpec& option : command.options) {
      out += fish_option_lines(option, condition);
    }
    if (!command.positional_words.empty()) {
      out += fmt::format("complete -c miglint -n {} -a {}\n", fish_quoted(condition),
                         fish_quoted(joined(command.positional_words)));
    } else if (command.has_positional) {
      out += fmt::format("complete -c miglint -n {} -F\n", fish_quoted(condition));
    }
  }
  return out;
}

}  // namespace

bool is_completion_request(int argc, char** argv) {
  return argc >= 2 && std::string_view(argv[1]) == "completion";
}

int print_completion(const CLI::App& app, int argc, char** argv, const CompletionWords& words) {
  std::string_view shell = argc == 3 ? std::string_view(argv[2]) : std::string_view();
  if (shell != "bash" && shell != "zsh" && shell != "fish") {
    std::cerr << "miglint: error: usage: miglint completion bash|zsh|fish\n";
    return 2;
  }
  CommandSpec top = command_spec(app, nullptr, words.option_lists);
  std::vector<CommandSpec> commands = subcommand_specs(app, words);
  std::cout << (shell == "bash"  ? bash_script(top, commands)
                : shell == "zsh" ? zsh_script(top, commands)
                                 : fish_script(top, commands));
  return 0;
}

}  // namespace miglint
