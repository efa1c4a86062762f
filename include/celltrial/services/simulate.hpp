#pragma once
// The simulate service: what `celltrial simulate` does, for any host program. It loads the
// scenario, runs its trials (resuming a checkpoint of the same run, or one shard of it), and writes
// the results folder (summary.json, summary.csv, run.json, scenario.yaml, ...) or the shard file.
// Failures throw celltrial::Error carrying the command line's located message and exit code; the
// service never writes to the terminal or exits (callbacks.hpp).
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "celltrial/design/operating_characteristics.hpp"
#include "celltrial/engine/mpi_run.hpp"
#include "celltrial/scenario/scenario.hpp"
#include "celltrial/services/callbacks.hpp"

namespace celltrial::services {

struct SimulateRequest {
  std::string scenario_file;             ///< empty: the built-in default scenario (or scenario_text)
  std::string scenario_text;             ///< YAML text to use instead (scenario_file then only names it)
  std::vector<std::string> overrides;    ///< "key.path=value", as --set
  std::optional<std::uint64_t> trials;   ///< overrides simulation.trials
  std::optional<std::uint64_t> seed;     ///< overrides simulation.seed
  int threads = 0;                       ///< 0: all cores (an MPI rank: its share of the node)
  std::string out;                       ///< results folder; empty: results/<name>/ (shards: results/<name>-shards/)
  std::string shard;                     ///< "K/N": run only shard K of N; empty: the whole run
  double checkpoint_seconds = 5;         ///< see BatchOptions::checkpoint_seconds
  std::uint64_t export_trials = 0;       ///< also write trials.csv with the first K trials
  /// An MPI session whose rank 0 this process is (the other ranks serve it); null: this process.
  mpi::Session* session = nullptr;
  // For the kill-and-resume tests only (--test-hold-after-checkpoint, --test-throttle):
  bool test_hold_after_checkpoint = false;  ///< after the first checkpoint, wait until stopped
  double test_throttle = 1;                 ///< every chunk takes this many times as long
};

struct SimulateResult {
  Scenario scenario;                 ///< fully resolved, overrides applied
  std::string out_dir;               ///< the results folder (sharded: the shard folder)
  bool sharded = false;
  bool already_complete = false;     ///< sharded: this shard's file was already there; nothing was run
  std::string shard_path;            ///< sharded: the shard file
  std::string checkpoint_path;       ///< the checkpoint a resumed run continued from
  std::uint64_t first_trial = 0;     ///< the trials run: [first_trial, last_trial)
  std::uint64_t last_trial = 0;
  std::uint64_t resumed = 0;         ///< of them, done before (from the checkpoint)
  std::uint64_t shard_count = 1;
  int threads = 0;                   ///< worker threads per process
  int mpi_ranks = 1;
  double seconds = 0;                ///< wall time of the run
  double trials_per_second = 0;      ///< of the trials run by this call
  /// The main operating characteristics, typed (each an Estimate{value, mc_se}); summary.json's
  /// comparisons are written from them. Empty for a shard.
  OperatingCharacteristics characteristics;
  nlohmann::json summary;            ///< summary.json, everything (empty for a shard)
  nlohmann::json run;                ///< run.json: provenance, timing, the resolved scenario (empty for a shard)
};

/// Runs the request. Throws celltrial::Error: bad scenario or overrides (data/no_input), bad
/// shard or export request (usage), an unusable results folder (io, before any trial runs),
/// interrupted (interrupted: nothing written but the checkpoint).
SimulateResult simulate(const SimulateRequest& request, const Callbacks& callbacks = {});

/// A program started by an MPI launcher (mpirun, srun): throws Error(usage) when the launcher
/// started several processes but this build has no MPI (each would run every trial), or when
/// `whole_in_one_process` names work that cannot be spread over ranks (such as "--sweep").
void check_launcher(const std::string& whole_in_one_process = "");

/// Runs `run` as each process of a launch must: without a launcher, or in a build without MPI,
/// `run(nullptr)`; under a launcher, rank 0 returns `run(session)` (the session spreads its trials)
/// and every other rank serves rank 0 with `threads` threads (0: its share of the node) and returns
/// rank 0's exit code. The other ranks end with rank 0, also when `run` throws.
int run_in_launch(int threads, const std::atomic<bool>* stop, const std::function<int(mpi::Session*)>& run);

}  // namespace celltrial::services
