#include "analyzer/frontend/sql_front_end.hpp"

namespace miglint {

namespace {

class SqlFrontEnd final : public FrontEnd {
 public:
  std::string_view name() const override { return "sql"; }
  std::string_view language() const override { return "SQL"; }
  bool claims(std::string_view path, const FrontEndSettings* /*settings*/) const override {
    return path.ends_with(".sql");
  }
  std::vector<std::string> extensions(const FrontEndSettings* /*settings*/) const override {
    return {".sql"};
  }
  bool sql_as_written() const override { return true; }
  Expected<EmbeddedSource> extract(const SourceFile& /*source*/, const std::string& /*filesystem_path*/,
                                   const FrontEndSettings* /*settings*/) const override {
    return EmbeddedSource{};  // not called: the driver lints the text as written
  }
};

}  // namespace

const FrontEnd& sql_front_end() {
  static const SqlFrontEnd front_end;
  return front_end;
}

}  // namespace miglint
