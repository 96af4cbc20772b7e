#pragma once

#include <cstddef>

#include "analyzer/model/schema.hpp"

namespace miglint {

// Publishes nothing for a file, when it goes out of scope, unless the file has published its facts:
// held over all of a file's work, it makes every way out (an error, an exception) publish, so that
// the files after it never wait for it forever. The facts themselves are published as before.
class PublicationGuard {
 public:
  PublicationGuard(SchemaHistory& history, std::size_t file_order)
      : history_(history), file_order_(file_order) {}
  ~PublicationGuard() { history_.publish_if_unpublished(file_order_); }
  PublicationGuard(const PublicationGuard&) = delete;
  PublicationGuard& operator=(const PublicationGuard&) = delete;

 private:
  SchemaHistory& history_;
  std::size_t file_order_;
};

}  // namespace miglint
