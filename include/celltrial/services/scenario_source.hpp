#pragma once
// Where a service's scenario comes from: a YAML file, YAML text from a host program (an R list
// written as YAML), or the built-in copy of scenarios/default.yaml when neither is given, with
// `--set`-style overrides ("key.path=value").
#include <algorithm>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "celltrial/scenario/io.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial::services {

/// The built-in copy of scenarios/default.yaml (compiled in at configure time).
const char* default_scenario_text();
/// The name messages and run.json give the built-in scenario.
inline constexpr const char* kDefaultScenarioName = "scenarios/default.yaml (built in)";

/// Loads `path`, or the built-in default when `path` is empty, applying the overrides. Throws
/// celltrial::Error with the located messages of load_scenario_file.
Scenario load(const std::string& path, const std::vector<std::string>& overrides);

/// The name messages give scenario text that comes without one.
inline constexpr const char* kTextScenarioName = "scenario text";
/// load(path, overrides), or, when `text` is not empty, the scenario in that YAML text: `path` then
/// only names it in messages and run.json (empty: kTextScenarioName).
Scenario load(const std::string& path, const std::string& text, const std::vector<std::string>& overrides);
/// The name run.json records as a request's scenario_source.
std::string source_name(const std::string& path, const std::string& text);
/// The overrides followed by simulation.trials and simulation.seed when given (the services'
/// `trials` and `seed` fields, which apply to every variant a sweep or study loads).
std::vector<std::string> with_trials_and_seed(std::vector<std::string> overrides, std::optional<std::uint64_t> trials,
                                              std::optional<std::uint64_t> seed);

/// load(file, overrides) as a function of the overrides, for sweeps and study variants, which pass
/// the caller's `sets` followed by the variant's own: problems with the variant's values are
/// reported at the scenario's entries that hold them (see load_scenario_file).
/// With `text` not empty, the scenario in that text (named as in load).
inline std::function<Scenario(const std::vector<std::string>&)> file_loader(const std::string& file,
                                                                            const std::vector<std::string>& sets,
                                                                            const std::string& text = {}) {
  return [file, text, n = sets.size()](const std::vector<std::string>& overrides) {
    const auto split = overrides.begin() + static_cast<std::ptrdiff_t>(std::min(n, overrides.size()));
    const std::vector<std::string> given(overrides.begin(), split), variant(split, overrides.end());
    if (!text.empty()) return load_scenario_text(text, source_name(file, text), given, variant);
    if (file.empty()) return load_scenario_text(default_scenario_text(), kDefaultScenarioName, given, variant);
    return load_scenario_file(file, given, variant);
  };
}

}  // namespace celltrial::services
