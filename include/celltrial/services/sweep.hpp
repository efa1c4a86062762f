#pragma once
// The sweep service: what `celltrial sweep` (and `simulate --sweep`) does, for any host program.
// The scenario at every point of a grid of assumptions, on common random numbers: run whole, or
// one shard of every point (for a cluster), or the shards merged; the results folder holds
// sweep.csv (one tidy row per point, every estimate with its MC SE), sweep.json and the plots.
// Failures throw celltrial::Error with the command line's located message and exit code.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "celltrial/design/sweep.hpp"
#include "celltrial/scenario/scenario.hpp"
#include "celltrial/services/callbacks.hpp"

namespace celltrial::services {

struct SweepRequest {
  std::string scenario_file;            ///< empty: the built-in default scenario (or scenario_text)
  std::string scenario_text;            ///< YAML text to use instead (scenario_file then only names it)
  std::vector<std::string> overrides;   ///< "key.path=value" at every point, as --set
  std::vector<std::string> sweeps;      ///< "key.path=v1,v2,...", as --sweep; adds to (or replaces an axis of) the scenario's sweep section
  bool zip = false;                     ///< values in step instead of every combination
  std::optional<std::uint64_t> trials;  ///< per point (overrides simulation.trials)
  std::optional<std::uint64_t> seed;
  int threads = 0;
  std::string out;    ///< results folder (default results/<name>-sweep/), or with `shard` the shard folder
  std::string shard;  ///< "K/N": run only shard K of every point's trials
  std::string merge;  ///< merge the shards of every point found in this folder
  double max_hours = 1.0;  ///< refuse (usage error) a run estimated longer than this ...
  bool yes = false;        ///< ... unless yes
};

struct SweepResult {
  Scenario base;                 ///< the scenario before any point's values
  std::vector<SweepAxis> axes;   ///< the scenario's axes, then the request's
  bool zip = false;
  std::size_t points = 0;
  std::string out_dir;           ///< results folder, or the shard folder
  bool sharded = false;          ///< one shard of every point was run (no results folder)
  std::uint64_t shard_index = 1, shard_count = 1;
  nlohmann::json rows;           ///< [{point: {key: value}, summary: summary.json}] (not for a shard)
  nlohmann::json json;           ///< sweep.json: {run, rows}
  std::string plot_note;         ///< why a plot could not be drawn
};

/// Refuses (usage error, naming --sweep) a grid of more than kMaxSweepPoints points, before it is built.
void check_grid_size(const std::vector<SweepAxis>& axes, bool zip);

/// Runs the request. Progress counts trials over the whole grid; with a shard, each finished point
/// is also logged. Throws Error: bad scenario or sweep (data, usage), a run estimated longer than
/// max_hours (usage), missing or foreign shards when merging (no_input, data), interrupted.
SweepResult sweep(const SweepRequest& request, const Callbacks& callbacks = {});

}  // namespace celltrial::services
