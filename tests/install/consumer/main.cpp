// Runs a scenario through the installed library's simulate service and prints its summary.json,
// as `celltrial simulate SCENARIO --trials T --seed S --json --out OUT` does (and writes the same
// results folder to OUT).
//
//   consumer [SCENARIO] TRIALS SEED OUT      (no scenario: the default one compiled into the library)
#include <iostream>
#include <string>

#include "celltrial/core/error.hpp"
#include "celltrial/report/summary.hpp"
#include "celltrial/services/simulate.hpp"

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) {
    std::cerr << "usage: consumer [SCENARIO] TRIALS SEED OUT\n";
    return 64;
  }
  celltrial::services::SimulateRequest request;
  request.scenario_file = argc == 5 ? argv[1] : "";
  request.trials = std::stoull(argv[argc - 3]);
  request.seed = std::stoull(argv[argc - 2]);
  request.out = argv[argc - 1];
  celltrial::services::Callbacks callbacks;
  std::uint64_t reports = 0;
  callbacks.progress = [&](const celltrial::services::Progress&) { ++reports; };
  callbacks.interrupted = [] { return false; };  // a host would check its own interrupt here
  try {
    const celltrial::services::SimulateResult result = celltrial::services::simulate(request, callbacks);
    if (reports == 0) {
      std::cerr << "consumer: no progress was reported\n";
      return 70;
    }
    std::cout << celltrial::dump_json(result.summary);
  } catch (const celltrial::Error& e) {
    std::cerr << e.what() << "\n";
    return static_cast<int>(e.code());
  }
  return 0;
}
