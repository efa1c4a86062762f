#include "celltrial/services/scenario_source.hpp"

namespace celltrial {
extern const char* const kDefaultScenarioText;  // generated/default_scenario.cpp
}

namespace celltrial::services {

const char* default_scenario_text() { return kDefaultScenarioText; }

Scenario load(const std::string& path, const std::vector<std::string>& overrides) {
  if (path.empty()) return load_scenario_text(default_scenario_text(), kDefaultScenarioName, overrides);
  return load_scenario_file(path, overrides);
}

}  // namespace celltrial::services
