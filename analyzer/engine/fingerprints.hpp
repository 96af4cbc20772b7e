#pragma once

// The statement keys SARIF fingerprints are made of: a hash of each finding's statement text
// (normalised, so reformatting or re-commenting keeps it), and how many identical statements come
// before it in the file.
#include <vector>

#include "analyzer/model/finding.hpp"
#include "analyzer/sql/file_model.hpp"

namespace miglint {

// Fills statement_key and statement_occurrence. Units are the file's statements and then its
// failed statements (parse problems), as in Finding::statement_index; a unit's key is computed only
// when a finding needs it or when it could equal such a unit (the same statement kind).
void assign_statement_keys(const FileModel& model, std::vector<Finding>& findings);

}  // namespace miglint
