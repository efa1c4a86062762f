#pragma once
// Helpers shared by the tests.
#include <string>

#include "celltrial/scenario/io.hpp"

namespace celltrial::test {

inline std::string source_path(const std::string& rel) { return std::string(CELLTRIAL_SOURCE_DIR) + "/" + rel; }

inline Scenario load_shipped(const std::string& rel, const std::vector<std::string>& overrides = {}) {
  return load_scenario_file(source_path(rel), overrides);
}

/// True when the full (release) statistical checks are requested: CELLTRIAL_FULL=1.
bool full_mode();

}  // namespace celltrial::test
