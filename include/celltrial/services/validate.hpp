#pragma once
// The validate service: what `celltrial validate` checks for one scenario, for any host program.
// A scenario it accepts can be run by every command: it loads the scenario and every variant the
// scenario's enrichment, tornado and sweep sections define, and sets up the model as a run would
// before its first trial.
#include <string>
#include <vector>

#include "celltrial/scenario/scenario.hpp"

namespace celltrial::services {

struct ValidateRequest {
  std::string scenario_file;           ///< empty: the built-in default scenario (or scenario_text)
  std::string scenario_text;           ///< YAML text to use instead (scenario_file then only names it)
  std::vector<std::string> overrides;  ///< "key.path=value", as --set
};

/// The fully resolved scenario. Throws celltrial::Error listing every problem found (data), or an
/// unreadable file (no_input).
Scenario validate(const ValidateRequest& request);

}  // namespace celltrial::services
