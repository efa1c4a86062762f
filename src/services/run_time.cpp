#include "celltrial/services/run_time.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "celltrial/core/error.hpp"
#include "celltrial/engine/engine.hpp"

namespace celltrial::services {

double seconds_per_trial(const Scenario& s, int threads) {
  Scenario probe = s;
  probe.simulation.trials = std::min<std::uint64_t>(probe.simulation.trials, 300);
  EngineOptions eo;
  eo.threads = threads;
  const auto t0 = std::chrono::steady_clock::now();
  run_trials(probe, eo);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() /
         static_cast<double>(probe.simulation.trials);
}

void check_run_time(double hours, double max_hours, bool yes, const std::string& what, const std::string& option) {
  if (hours <= max_hours || yes) return;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%s would take about %.1f hours here.", what.c_str(), hours);
  throw Error(ExitCode::usage, Diagnostic{{"command line", 0, 0}, option, buf,
                                          "add --yes to run it anyway, use fewer points or trials, or split it into "
                                          "shards on a cluster (docs/cluster.md)."});
}

}  // namespace celltrial::services
