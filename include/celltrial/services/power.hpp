#pragma once
// The power services: what `celltrial power` does, for any host program.
//  - closed_form_power: closed-form power, sample size or detectable difference from flags, with
//    assurance under a prior, a group-sequential design's maximum and expected N, and power-curve
//    files;
//  - sample_size: the simulated sample size of a scenario for a target power (a search over N on
//    common random numbers), with assurance under the effect prior, written as a results folder.
// Failures throw celltrial::Error with the command line's located message and exit code.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "celltrial/core/estimate.hpp"
#include "celltrial/design/closed_form_power.hpp"
#include "celltrial/design/sample_size.hpp"
#include "celltrial/scenario/scenario.hpp"
#include "celltrial/services/callbacks.hpp"

namespace celltrial::services {

struct ClosedFormPowerRequest {
  PowerQuery query;
  std::string plot_dir;  ///< also write power-curve CSV/JSON/plot files here (empty: none)
};

struct ClosedFormPowerResult {
  std::vector<PowerRow> rows;
  std::string plot_note;  ///< why the plot could not be drawn (empty when it was, or no plot asked)
};

/// Throws Error(ExitCode::usage) for an invalid query (check_power_query), a group-sequential
/// design with a prior or a plot (fixed designs only), and Error(ExitCode::io) when the plot
/// folder cannot be written.
ClosedFormPowerResult closed_form_power(const ClosedFormPowerRequest& request);

struct SampleSizeRequest {
  std::string scenario_file;           ///< empty: the built-in default scenario (or scenario_text)
  std::string scenario_text;           ///< YAML text to use instead (scenario_file then only names it)
  std::vector<std::string> overrides;  ///< "key.path=value", as --set
  /// A prior on the first active arm's effect (as --prior: normal(m,s), truncnormal(m,s,lo,hi),
  /// discrete(v:w,...)); empty: the scenario's own effect_prior, if any.
  std::string prior;
  double target = 0.8;       ///< power to reach, in (alpha, 1)
  double confidence = 0.95;  ///< one-sided confidence that power(N) >= target, in (0.5, 1)
  std::uint64_t trials = 2000;
  std::uint64_t max_trials = 64000;
  std::int64_t n_max = 20000;
  int threads = 0;
  std::string out;  ///< results folder; empty: results/<name>-power/
};

struct SampleSizeReport {
  Scenario scenario;                ///< resolved, with the prior when one was given
  SampleSizeResult result;          ///< the search: curve, chosen N, its power and MC SE
  std::optional<Estimate> assurance;  ///< at the chosen N, when the scenario has an effect prior
  nlohmann::json json;              ///< power_curve.json
  std::string out_dir;
  std::string plot_note;
  std::string not_reached;  ///< when the target is not reached: what was found and what to do (else empty)
};

/// Runs the search and writes the results folder (also when the target is not reached:
/// result.reached says so). Throws Error: bad scenario, prior or confidence (data, usage), an
/// unusable folder (io, before the search), interrupted.
SampleSizeReport sample_size(const SampleSizeRequest& request, const Callbacks& callbacks = {});

/// The simulated sample size at every point of a grid (`celltrial power SCENARIO --target P
/// --sweep ...`): one row per point, as an enrichment table.
struct SampleSizeSweepRequest {
  SampleSizeRequest search;          ///< the scenario, target, confidence, trials, n_max, threads, out (default results/<name>-power-sweep/); no prior
  std::vector<std::string> sweeps;   ///< "key.path=v1,v2,...", as --sweep
  bool zip = false;
  double max_hours = 1.0;            ///< refuse a search estimated longer than this ...
  bool yes = false;                  ///< ... unless yes
};

struct SampleSizeSweepResult {
  Scenario base;
  nlohmann::json rows;     ///< one per grid point (run_enrichment's rows)
  std::size_t unreached = 0;  ///< points where the target is not reached with N up to n_max
  std::string out_dir;
  std::string plot_note;
  std::string not_reached;    ///< when some points did not reach the target: how many, what to do (else empty)
};

/// Runs the search at every point and writes sample_size_sweep.csv/.json, the plot and scenario.yaml.
/// Throws Error: a prior (usage: the search targets conventional power), bad confidence, sweep or
/// scenario, a search estimated longer than max_hours (usage), interrupted.
SampleSizeSweepResult sample_size_sweep(const SampleSizeSweepRequest& request, const Callbacks& callbacks = {});

}  // namespace celltrial::services
