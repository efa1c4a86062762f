#pragma once
// The slurm service: what `celltrial slurm` does, for any host program. It writes a job folder
// with a Slurm job array whose task K runs shard K of N of a run (`celltrial simulate --shard K/N`),
// a merge job that starts when every task succeeded, submit.sh and the resolved scenario. The
// merged results are byte-identical to one unsharded run (docs/cluster.md).
// Failures throw celltrial::Error with the command line's located message and exit code.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "celltrial/scenario/scenario.hpp"

namespace celltrial::services {

struct SlurmRequest {
  std::string scenario_file;            ///< empty: the built-in default scenario (or scenario_text)
  std::string scenario_text;            ///< YAML text to use instead (scenario_file then only names it)
  std::vector<std::string> overrides;   ///< "key.path=value", as --set
  std::optional<std::uint64_t> trials;  ///< overrides simulation.trials
  std::optional<std::uint64_t> seed;    ///< overrides simulation.seed
  std::uint64_t shards = 1;             ///< array tasks, one shard each (at most the trials)
  int cpus = 1;                         ///< CPUs (threads) per array task
  std::string partition, time, account; ///< #SBATCH values; empty: the cluster's defaults
  std::string out;                      ///< job folder; empty: results/<name>-slurm/
  std::string program = "celltrial";    ///< the program the jobs run, as the compute nodes see it
};

struct SlurmResult {
  Scenario scenario;    ///< resolved, with trials and seed
  std::string dir;      ///< the job folder (absolute)
  std::uint64_t shards = 0;
  std::string submit;   ///< <dir>/submit.sh
};

/// Writes array.sbatch, merge.sbatch, submit.sh, scenario.yaml and an empty logs/ into the job
/// folder. Throws Error: bad scenario (data), bad option (usage: more shards than trials, a time,
/// partition or account Slurm would not take, a folder path #SBATCH cannot quote), a folder that
/// holds anything but an earlier, unsubmitted job's scripts, or cannot be written (io).
SlurmResult slurm(const SlurmRequest& request);

}  // namespace celltrial::services
