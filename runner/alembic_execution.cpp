#include "runner/alembic_execution.hpp"

#include "analyzer/engine/down_migrations.hpp"
#include "analyzer/text/source_file.hpp"

namespace miglint {

RunExecution alembic_run_execution(const std::string& path, const std::string& bytes) {
  const auto size = static_cast<uint32_t>(bytes.size());
  RunExecution execution{false, ByteSpan{0, size}};
  Expected<SourceFile> source = source_from_bytes(path, bytes, bytes.size() + 1);
  if (!source) {
    return execution;
  }
  // downgrade() after upgrade() (what Alembic's template writes): everything before it runs; before
  // upgrade(): everything after it.
  for (const ByteSpan& down : down_migration_spans(*source)) {
    if (down.end >= size) {
      execution.executed = ByteSpan{0, down.begin};
    } else if (down.begin == 0 || bytes.find("def upgrade(", down.end) != std::string::npos) {
      execution.executed = ByteSpan{down.end, size};
    }
  }
  return execution;
}

}  // namespace miglint
