#include "test_support.hpp"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

namespace celltrial::test {
bool full_mode() {
  const char* v = std::getenv("CELLTRIAL_FULL");
  return v && std::strcmp(v, "0") != 0 && *v;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string kSmallScenario = R"(schema_version: 1
name: t
description: a test
population:
  outcome_model: cp
  gmfcs_mix: {I: 0.5, II: 0.5}
arms:
  - {name: control, role: control}
  - {name: ucb, role: active, effect_by_month: {12: 1.4}}
design:
  sample_size: 100
  visits_months: [6, 12]
analysis:
  alpha: 0.05
simulation:
  trials: 100
  seed: 1
)";

std::string small_scenario_with(const std::string& from, const std::string& to) {
  std::string s = kSmallScenario;
  const auto pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  return s.replace(pos, from.size(), to);
}

Error data_error(const std::string& text, const std::vector<std::string>& overrides,
                 const std::vector<std::string>& variant) {
  try {
    load_scenario_text(text, "s.yaml", overrides, variant);
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::data);
    return e;
  }
  FAIL("expected an error");
  return Error(ExitCode::ok, "unreachable");
}
}  // namespace celltrial::test
