// miglint.approvals.toml: the loader, the look-ups `lint` and `run` make, and the writer `miglint
// approve` uses, whose output must read back as the same approvals.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "analyzer/project/approvals.hpp"
#include "fuzz/fuzz_support.hpp"

using namespace miglint;
using miglint::fuzz::require;

namespace {

bool same(const Approval& a, const Approval& b) {
  return a.file == b.file && a.sha256 == b.sha256 && a.rule == b.rule && a.reason == b.reason &&
         a.by == b.by && a.date == b.date;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const fuzz::ScratchFile file(kApprovalsFileName);
  static const fuzz::ScratchFile written(kApprovalsFileName);
  file.write(fuzz::as_text(data, size));
  Expected<std::vector<Approval>> approvals = load_approvals(file.path());
  if (!approvals) {
    require(approvals.error().message.starts_with(file.path() + ":"),
            "an approvals error that does not name the file");
    return 0;
  }
  for (const Approval& approval : *approvals) {
    require(find_approval(*approvals, approval.file, approval.sha256, approval.rule) != nullptr,
            "a loaded approval is not found");
    find_stale_approval(*approvals, approval.file, approval.sha256 + "0", approval.rule);
    toml_string(approval.reason);
  }
  // The writer's output reads back as the same approvals (one per file and rule, as add_approval keeps them).
  std::vector<Approval> unique;
  for (const Approval& approval : *approvals) {
    add_approval(unique, approval);
  }
  Expected<bool> saved = save_approvals(written.path(), unique);
  require(saved.has_value(), "the approvals could not be written");
  Expected<std::vector<Approval>> reread = load_approvals(written.path());
  if (!reread) {
    require(false, ("written approvals do not read back: " + reread.error().message).c_str());
  }
  require(reread->size() == unique.size(), "written approvals read back as another number of approvals");
  for (const Approval& approval : unique) {
    require(std::any_of(reread->begin(), reread->end(),
                        [&](const Approval& back) { return same(approval, back); }),
            "a written approval reads back changed");
  }
  return 0;
}
