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

Scenario load(const std::string& path, const std::string& text, const std::vector<std::string>& overrides) {
  if (text.empty()) return load(path, overrides);
  return load_scenario_text(text, source_name(path, text), overrides);
}

std::string source_name(const std::string& path, const std::string& text) {
  if (!text.empty()) return path.empty() ? kTextScenarioName : path;
  return path.empty() ? kDefaultScenarioName : path;
}

std::vector<std::string> with_trials_and_seed(std::vector<std::string> overrides, std::optional<std::uint64_t> trials,
                                              std::optional<std::uint64_t> seed) {
  if (trials) overrides.push_back("simulation.trials=" + std::to_string(*trials));
  if (seed) overrides.push_back("simulation.seed=" + std::to_string(*seed));
  return overrides;
}

}  // namespace celltrial::services
