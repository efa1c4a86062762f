#pragma once
// Helpers shared by the tests.
#include <string>
#include <vector>

#include "celltrial/core/error.hpp"
#include "celltrial/scenario/io.hpp"

namespace celltrial::test {

inline std::string source_path(const std::string& rel) { return std::string(CELLTRIAL_SOURCE_DIR) + "/" + rel; }

inline Scenario load_shipped(const std::string& rel, const std::vector<std::string>& overrides = {}) {
  return load_scenario_file(source_path(rel), overrides);
}

/// True when the full (release) statistical checks are requested: CELLTRIAL_FULL=1.
bool full_mode();

/// The bytes of a file ("" when it cannot be read).
std::string read_text(const std::string& path);

/// A small valid scenario for tests of input mistakes; messages name it "s.yaml", and the tests
/// rely on the line of each of its keys (alpha is on line 14).
extern const std::string kSmallScenario;
/// kSmallScenario with its first `from` replaced by `to` (the test fails when there is none).
std::string small_scenario_with(const std::string& from, const std::string& to);
/// The error of loading `text` as "s.yaml" with these overrides, which must be a data error
/// (the test fails when the text loads).
Error data_error(const std::string& text, const std::vector<std::string>& overrides = {},
                 const std::vector<std::string>& variant = {});

}  // namespace celltrial::test
