// Fuzz target: the --set key.path=value override parser. Each line of the input is one override,
// applied to the shipped default scenario (scenarios/default.yaml, compiled in) as
// `celltrial simulate --set LINE --set LINE ...` would. Every input either loads or is refused with
// a located celltrial::Error of kind data; what loads must round-trip and run (fuzz_support.cpp).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "celltrial/scenario/io.hpp"
#include "fuzz_default_scenario.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace celltrial;
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> overrides;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) overrides.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  Scenario s;
  try {
    s = load_scenario_text(fuzz::kDefaultScenario, "default.yaml", overrides);
  } catch (const Error& e) {
    fuzz::expect_user_error(e, {ExitCode::data});
    return 0;
  }
  fuzz::check_accepted(s);
  return 0;
}
