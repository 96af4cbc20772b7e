#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/model/finding.hpp"
#include "analyzer/project/discover.hpp"
#include "analyzer/project/migration_layout.hpp"  // migration_set_of

namespace miglint {

// The inputs of a run, pulled one at a time in migration order, so that a run over a tree of
// migrations need not hold every path at once.
class InputSource {
 public:
  virtual ~InputSource() = default;
  // The next input, or nullopt when there are no more. `finished_sets` receives the migration sets
  // (migration_set_of) that no input from this one on belongs to; at the end, every set is finished.
  virtual std::optional<LintInput> next(std::vector<std::string>& finished_sets) = 0;
  // How many inputs there are, when known up front.
  virtual std::optional<std::size_t> size_hint() const { return std::nullopt; }
  // Paths that do not exist or cannot be listed; complete once next() has returned nullopt.
  virtual const std::vector<InputError>& errors() const { return errors_; }
  // Entries of walked directories named like inputs but not linted (discover.hpp's walked_file):
  // FIFOs, devices, broken links, links out of the tree. Notes, not errors; complete at the end.
  virtual const std::vector<InputError>& skipped() const { return skipped_; }

 protected:
  std::vector<InputError> errors_;
  std::vector<InputError> skipped_;
};

// Inputs from a list already in migration order (borrowed, or owned).
class VectorInputSource final : public InputSource {
 public:
  explicit VectorInputSource(std::span<const LintInput> inputs, std::vector<InputError> errors = {});
  explicit VectorInputSource(std::vector<LintInput>&& inputs, std::vector<InputError> errors = {});
  // From a discovery, with the entries it skipped.
  explicit VectorInputSource(DiscoveredInputs&& discovered);
  std::optional<LintInput> next(std::vector<std::string>& finished_sets) override;
  std::optional<std::size_t> size_hint() const override { return inputs_.size(); }

 private:
  void find_last_files_of_sets();
  std::vector<LintInput> owned_;
  std::span<const LintInput> inputs_;
  std::vector<bool> last_of_set_;  // input i is the last of its migration set
  std::optional<std::string> finished_;
  std::size_t next_ = 0;
};

// The inputs `discover_inputs` would find, in the same order, without listing every directory up
// front: directories are walked depth first, one directory listed and sorted at a time. When the
// command-line paths cannot be walked one after another in migration order (one contains another,
// or their names tie), it falls back to `discover_inputs`.
// `other_extensions`: file name endings picked up in directories besides `*.sql` (C++ sources).
std::unique_ptr<InputSource> open_inputs(const std::vector<std::string>& paths, const std::string& stdin_name,
                                         const std::vector<std::string>& other_extensions = {});

// Only the inputs of `source` that `keep` accepts.
class FilteredInputSource final : public InputSource {
 public:
  FilteredInputSource(std::unique_ptr<InputSource> source, std::function<bool(const LintInput&)> keep);
  std::optional<LintInput> next(std::vector<std::string>& finished_sets) override;
  const std::vector<InputError>& errors() const override { return source_->errors(); }
  const std::vector<InputError>& skipped() const override { return source_->skipped(); }

 private:
  std::unique_ptr<InputSource> source_;
  std::function<bool(const LintInput&)> keep_;
};

}  // namespace miglint
