#pragma once
// Shared pieces of the subcommands (internal to the cli layer).
#include <atomic>
#include <iosfwd>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "celltrial/scenario/scenario.hpp"

namespace celltrial::cli {

struct Streams {
  std::ostream& out;
  std::ostream& err;
};

/// Set by request_stop(); polled by long-running commands.
std::atomic<bool>& stop_flag();

/// The built-in copy of scenarios/default.yaml.
const char* default_scenario_text();
inline constexpr const char* kDefaultScenarioName = "scenarios/default.yaml (built in)";

/// Loads `path`, or the built-in default when `path` is empty, applying --set overrides.
Scenario load(const std::string& path, const std::vector<std::string>& overrides);

/// Each command adds itself to the app and returns the action to run when it was chosen.
using Action = std::function<int()>;
Action add_simulate(CLI::App& app, Streams io);
Action add_validate(CLI::App& app, Streams io);
Action add_show(CLI::App& app, Streams io);
Action add_power(CLI::App& app, Streams io);
Action add_sweep(CLI::App& app, Streams io);
Action add_merge(CLI::App& app, Streams io);
Action add_slurm(CLI::App& app, Streams io);
Action add_report(CLI::App& app, Streams io);
Action add_study(CLI::App& app, Streams io);

/// Seconds per trial of `s` here, from a short timing run (for run-time estimates).
double seconds_per_trial(const Scenario& s, int threads);
/// Throws Error(ExitCode::usage) asking for --yes when `hours` exceeds `max_hours`.
void check_run_time(double hours, double max_hours, bool yes, const std::string& what, const std::string& option);

}  // namespace celltrial::cli
