// Runs a scenario through the installed library and prints its summary.json, as
// `celltrial simulate SCENARIO --trials T --seed S --json` does.
//
//   consumer [SCENARIO] TRIALS SEED      (no scenario: the default one compiled into the library)
#include <iostream>
#include <string>
#include <vector>

#include "celltrial/cli/commands.hpp"
#include "celltrial/core/error.hpp"
#include "celltrial/design/summary.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/report/summary.hpp"
#include "celltrial/scenario/io.hpp"

int main(int argc, char** argv) {
  if (argc != 3 && argc != 4) {
    std::cerr << "usage: consumer [SCENARIO] TRIALS SEED\n";
    return 64;
  }
  const std::string file = argc == 4 ? argv[1] : "";
  const std::vector<std::string> set = {std::string("simulation.trials=") + argv[argc - 2],
                                        std::string("simulation.seed=") + argv[argc - 1]};
  try {
    const celltrial::Scenario s =
        file.empty() ? celltrial::load_scenario_text(celltrial::cli::default_scenario_text(), celltrial::cli::kDefaultScenarioName, set)
                     : celltrial::load_scenario_file(file, set);
    const celltrial::Accumulator acc = celltrial::run_trials(s, celltrial::EngineOptions{});
    std::cout << celltrial::dump_json(celltrial::summarise(s, acc));
  } catch (const celltrial::Error& e) {
    std::cerr << e.what() << "\n";
    return static_cast<int>(e.code());
  }
  return 0;
}
