// Fuzz target: the scenario loader with validation (celltrial validate / simulate / show).
// Every input either loads, or is refused with a located celltrial::Error of kind data; a
// scenario that loads must write out and load back unchanged and must run (fuzz_support.cpp).
#include <cstddef>
#include <cstdint>
#include <string>

#include "celltrial/scenario/io.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace celltrial;
  const std::string text(reinterpret_cast<const char*>(data), size);
  Scenario s;
  try {
    s = load_scenario_text(text, "fuzz.yaml");
  } catch (const Error& e) {
    fuzz::expect_user_error(e, {ExitCode::data});
    return 0;
  }
  fuzz::check_accepted(s);
  return 0;
}
