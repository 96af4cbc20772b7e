#include "analyzer/project/approvals.hpp"

#include "analyzer/project/alembic_layout.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <toml++/toml.h>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "analyzer/project/config_table.hpp"

namespace miglint {

namespace fs = std::filesystem;

Expected<std::vector<Approval>> load_approvals(const std::string& path) {
  std::vector<Approval> approvals;
  std::error_code missing;
  if (!fs::exists(path, missing)) {
    return approvals;
  }
  Expected<toml::table> parsed = parse_toml_file(path);
  if (!parsed) {
    return parsed.error();
  }
  const toml::table& root = *parsed;
  auto fail = [&](const toml::node& node, const std::string& what) {
    return Error{
        fmt::format("{}:{}:{}: {}", path, node.source().begin.line, node.source().begin.column, what)};
  };
  for (const auto& [key, value] : root) {
    if (key.str() != "approval") {
      return fail(value, fmt::format("unknown key `{}` (only [[approval]] tables)", key.str()));
    }
    const toml::array* entries = value.as_array();
    if (entries == nullptr) {
      return fail(value, "`approval` must be an array of [[approval]] tables");
    }
    for (const toml::node& item : *entries) {
      const toml::table* table = item.as_table();
      if (table == nullptr) {
        return fail(item, "each [[approval]] must be a table");
      }
      Approval approval;
      for (const auto& [field, setting] : *table) {
        std::string name(field.str());
        std::string* target = name == "file"      ? &approval.file
                              : name == "sha256"  ? &approval.sha256
                              : name == "rule"    ? &approval.rule
                              : name == "reason"  ? &approval.reason
                              : name == "by"      ? &approval.by
                              : name == "date"    ? &approval.date
                              : name == "section" ? &approval.section
                                                  : nullptr;
        if (target == nullptr) {
          return fail(
              setting,
              fmt::format("unknown key `{}` in [[approval]] (file, sha256, rule, reason, by, date, section)",
                          name));
        }
        if (setting.is_date()) {
          const toml::date& date = setting.as_date()->get();
          *target = fmt::format("{:04}-{:02}-{:02}", date.year, date.month, date.day);
        } else if (setting.is_string()) {
          *target = *setting.value<std::string>();
        } else {
          return fail(setting, fmt::format("`{}` must be a string", name));
        }
      }
      for (const auto& [name, text] :
           {std::pair{"file", &approval.file}, std::pair{"sha256", &approval.sha256},
            std::pair{"rule", &approval.rule}, std::pair{"reason", &approval.reason}}) {
        if (text->empty()) {
          return fail(item, fmt::format("[[approval]] needs a non-empty `{}`", name));
        }
      }
      if (!approval.section.empty() && approval.section != kDownSection) {
        return fail(item, fmt::format("`section` must be \"{}\" (a dbmate file's down section) or absent",
                                      kDownSection));
      }
      approvals.push_back(std::move(approval));
    }
  }
  return approvals;
}

std::string toml_string(const std::string& text) {
  // toml++ writes the escapes; UTF-8 text stays readable (no \u escapes for non-ASCII), and one
  // line per value (no multi-line strings), as the file has always been written.
  std::ostringstream out;
  out << toml::toml_formatter{toml::value<std::string>{text}, toml::format_flags::allow_unicode_strings};
  return out.str();
}

Expected<bool> save_approvals(const std::string& path, const std::vector<Approval>& approvals) {
  std::vector<Approval> sorted = approvals;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Approval& a, const Approval& b) {
    return std::tie(a.file, a.section, a.rule) < std::tie(b.file, b.section, b.rule);
  });
  std::string text =
      "# Findings reviewed and approved for `miglint run` (written by `miglint approve`).\n"
      "# An approval holds for the file's contents with this sha256 only: editing the file voids it.\n";
  for (const Approval& approval : sorted) {
    text +=
        fmt::format("\n[[approval]]\nfile = {}\n{}sha256 = {}\nrule = {}\nreason = {}\nby = {}\ndate = {}\n",
                    toml_string(approval.file),
                    approval.section.empty() ? std::string()
                                             : fmt::format("section = {}\n", toml_string(approval.section)),
                    toml_string(approval.sha256), toml_string(approval.rule), toml_string(approval.reason),
                    toml_string(approval.by), toml_string(approval.date));
  }
  std::string temporary = fmt::format("{}.{}.tmp", path, getpid());
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::remove(temporary.c_str());
      return Error{fmt::format("{}: cannot write the approvals", path)};
    }
  }
  std::error_code error;
  fs::rename(temporary, path, error);
  if (error) {
    std::remove(temporary.c_str());
    return Error{fmt::format("{}: cannot write the approvals: {}", path, error.message())};
  }
  return true;
}

void add_approval(std::vector<Approval>& approvals, Approval approval) {
  std::erase_if(approvals, [&](const Approval& old) {
    return old.file == approval.file && old.rule == approval.rule && old.section == approval.section;
  });
  approvals.push_back(std::move(approval));
}

bool is_approved(const std::vector<Approval>& approvals, const std::string& file, const std::string& sha256,
                 const std::string& rule, const std::string& section) {
  return find_approval(approvals, file, sha256, rule, section) != nullptr;
}

const Approval* find_approval(const std::vector<Approval>& approvals, const std::string& file,
                              const std::string& sha256, const std::string& rule,
                              const std::string& section) {
  auto found = std::find_if(approvals.begin(), approvals.end(), [&](const Approval& approval) {
    return approval.file == file && approval.sha256 == sha256 && approval.rule == rule &&
           approval.section == section;
  });
  return found == approvals.end() ? nullptr : &*found;
}

const Approval* find_stale_approval(const std::vector<Approval>& approvals, const std::string& file,
                                    const std::string& sha256, const std::string& rule,
                                    const std::string& section) {
  auto found = std::find_if(approvals.begin(), approvals.end(), [&](const Approval& approval) {
    return approval.file == file && approval.sha256 != sha256 && approval.rule == rule &&
           approval.section == section;
  });
  return found == approvals.end() ? nullptr : &*found;
}

std::string approvals_directory_for(const std::string& file,
                                    const std::optional<std::string>& run_directory) {
  std::error_code error;
  fs::path absolute = fs::absolute(file, error).lexically_normal();
  // An Alembic revision: its project's root (beside alembic.ini), however `run` or `approve` names
  // the project, so that `lint`, `approve` and `run` read one approvals file.
  if (file.ends_with(".py")) {
    if (std::optional<AlembicProject> project = alembic_project_of(absolute.string())) {
      return fs::absolute(project->root, error).lexically_normal().string();
    }
  }
  if (run_directory) {
    fs::path configured = fs::absolute(*run_directory, error).lexically_normal();
    std::string inside = absolute.lexically_relative(configured).generic_string();
    if (!inside.empty() && inside != "." && !inside.starts_with("..")) {
      return configured.string();
    }
  }
  fs::path directory = absolute.parent_path();
  if (absolute.filename() == "up.sql" || absolute.filename() == "down.sql") {
    directory = directory.parent_path();  // diesel: <version>_name/up.sql
  }
  return directory.string();
}

Expected<FileApprovals> ApprovalsCache::for_file(const std::string& file) {
  std::string directory = approvals_directory_for(file, run_directory_);
  std::error_code error;
  FileApprovals found;
  found.relative_path =
      fs::absolute(file, error).lexically_normal().lexically_relative(directory).generic_string();
  std::lock_guard lock(mutex_);
  auto [entry, added] = loaded_.try_emplace(directory);
  if (added) {
    Expected<std::vector<Approval>> approvals =
        load_approvals((fs::path(directory) / kApprovalsFileName).string());
    entry->second = std::make_shared<const std::vector<Approval>>(approvals ? std::move(*approvals)
                                                                            : std::vector<Approval>{});
    if (!approvals) {
      return approvals.error();
    }
  }
  found.list = entry->second;
  return found;
}

std::vector<std::string> ApprovalsCache::directories_with_approvals() {
  std::lock_guard lock(mutex_);
  std::vector<std::string> directories;
  for (const auto& [directory, list] : loaded_) {
    if (list && !list->empty()) {
      directories.push_back(directory);
    }
  }
  std::sort(directories.begin(), directories.end());
  return directories;
}

}  // namespace miglint
