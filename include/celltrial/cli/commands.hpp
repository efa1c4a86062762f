#pragma once
// Shared pieces of the subcommands (internal to the cli layer).
#include <algorithm>
#include <atomic>
#include <iosfwd>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "celltrial/design/sweep.hpp"
#include "celltrial/scenario/io.hpp"
#include "celltrial/scenario/scenario.hpp"
#include "celltrial/services/run_time.hpp"
#include "celltrial/services/scenario_source.hpp"
#include "celltrial/services/sweep.hpp"
#include "celltrial/stats/group_sequential.hpp"

namespace celltrial::cli {

struct Streams {
  std::ostream& out;
  std::ostream& err;
};

/// Set by request_stop(); polled by long-running commands.
std::atomic<bool>& stop_flag();

// The scenario source is the services' (services/scenario_source.hpp).
using services::default_scenario_text;
using services::file_loader;
using services::kDefaultScenarioName;
using services::load;

/// For --out: an empty folder name is refused (it would silently mean the default folder).
inline const CLI::Validator kFolderName(
    [](std::string& s) {
      return s.find_first_not_of(" \t") == std::string::npos
                 ? std::string("the folder name is empty; name a folder, or leave --out out for the default one")
                 : std::string();
    },
    "", "FOLDER");

using services::check_grid_size;  // services/sweep.hpp

/// Each command adds itself to the app and returns the action to run when it was chosen.
using Action = std::function<int()>;
Action add_simulate(CLI::App& app, Streams io);
Action add_validate(CLI::App& app, Streams io);
Action add_show(CLI::App& app, Streams io);
Action add_schema(CLI::App& app, Streams io);
Action add_power(CLI::App& app, Streams io);
Action add_sweep(CLI::App& app, Streams io);
Action add_merge(CLI::App& app, Streams io);
Action add_slurm(CLI::App& app, Streams io);
Action add_report(CLI::App& app, Streams io);
Action add_study(CLI::App& app, Streams io);
Action add_analyse(CLI::App& app, Streams io);
Action add_completion(CLI::App& app, Streams io);
Action add_boundaries(CLI::App& app, Streams io);

/// Adds the group-sequential design options (--looks, --information, --boundary, --parameter,
/// --beta-spending, --beta-parameter, --binding) writing into `o` (boundaries and power --looks);
/// returns them so a command can tell which were given.
std::vector<CLI::Option*> add_design_options(CLI::App* cmd, stats::BoundariesOptions& o);

/// What a sweep needs (celltrial sweep, and simulate --sweep).
struct SweepArgs {
  std::string file;
  std::vector<std::string> sweeps;
  bool zip = false;
  std::int64_t trials = 0;
  std::int64_t seed = -1;
  int threads = 0;
  std::string out;
  std::vector<std::string> sets;
  bool json = false;
  bool quiet = false;
  bool yes = false;
  double max_hours = 1.0;
  std::string shard;  ///< "K/N": run shard K of every grid point
  std::string merge;  ///< folder of a sharded sweep to merge
};
/// Adds --sweep, --zip, --yes and --max-hours (and, with `with_common`, the scenario, --trials,
/// --seed, --threads, --set, --json, --quiet) to a command.
void add_sweep_options(CLI::App* cmd, SweepArgs& a, bool with_common);
/// Runs (or shards, or merges) a sweep and writes its results; returns the exit code.
int sweep_main(const SweepArgs& a, Streams io);

// Run-time guards (services/run_time.hpp).
using services::check_run_time;
using services::seconds_per_trial;

}  // namespace celltrial::cli
