#pragma once
// Run-time guards of the long services (sweeps, studies, searches over a grid): a short timing run
// estimates the time, and a run longer than the caller allows is refused before it starts.
#include <string>

#include "celltrial/scenario/scenario.hpp"

namespace celltrial::services {

/// Seconds per trial of `s` here, from a short timing run (at most 300 trials).
double seconds_per_trial(const Scenario& s, int threads);

/// Throws Error(ExitCode::usage) naming `option` and asking for --yes when `hours` exceeds
/// `max_hours` (and `yes` is false). `what` begins the message ("the sweep has 12 points x ...").
void check_run_time(double hours, double max_hours, bool yes, const std::string& what, const std::string& option);

}  // namespace celltrial::services
