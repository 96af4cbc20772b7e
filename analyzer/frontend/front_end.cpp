#include "analyzer/frontend/front_end.hpp"

namespace miglint {

const FrontEndSettings* settings_of(const FrontEndSettingsByName& settings, std::string_view front_end) {
  auto it = settings.find(front_end);
  return it != settings.end() ? it->second.get() : nullptr;
}

const FrontEnd& FrontEndRegistry::for_path(std::string_view path,
                                           const FrontEndSettingsByName& settings) const {
  for (const FrontEnd* front_end : others_) {
    if (front_end->claims(path, settings_of(settings, front_end->name()))) {
      return *front_end;
    }
  }
  return *sql_;
}

std::vector<std::string> FrontEndRegistry::other_extensions(const FrontEndSettingsByName& settings) const {
  std::vector<std::string> extensions;
  for (const FrontEnd* front_end : others_) {
    std::vector<std::string> own = front_end->extensions(settings_of(settings, front_end->name()));
    extensions.insert(extensions.end(), own.begin(), own.end());
  }
  return extensions;
}

}  // namespace miglint
