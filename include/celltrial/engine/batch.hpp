#pragma once
// Runs that span machines and survive kills.
//
// A run of T trials can be cut into N shards: shard K (1-based) owns the contiguous trials
// [floor((K-1)T/N), floor(KT/N)), whatever runs it (threads, an MPI rank, a job-array task).
// A shard's accumulated result is saved as a versioned, checksummed partial-result file; merging
// the N files in shard order gives exactly the accumulator of one run, because every sum is an
// exact integer (engine/accumulator.hpp).
//
// A run (a whole run or one shard) is computed in chunks of consecutive trials; after a chunk, its
// result is merged into the running total, and every few seconds the total is saved atomically as
// a checkpoint. Started again with the same scenario, seed, trial count and shard, the run
// continues after the last saved trial, so a killed run loses at most the chunk in flight and the
// final result is bit-identical to an uninterrupted run.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "celltrial/engine/accumulator.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

/// Trials [first, last).
struct TrialRange {
  std::uint64_t first = 0;
  std::uint64_t last = 0;
  std::uint64_t size() const { return last - first; }
  bool operator==(const TrialRange&) const = default;
};

/// Part k (1-based) of n of `r`: the trials r.first + [floor((k-1)s/n), floor(ks/n)), s = r.size().
/// Requires 1 <= k <= n.
TrialRange split_range(TrialRange r, std::uint64_t k, std::uint64_t n);

/// Shard k (1-based) of n of a run of `total` trials.
inline TrialRange shard_range(std::uint64_t total, std::uint64_t k, std::uint64_t n) {
  return split_range(TrialRange{0, total}, k, n);
}

/// K/N of --shard. The default, 1/1, is the whole run.
struct ShardSpec {
  std::uint64_t index = 1;  ///< K, 1-based
  std::uint64_t count = 1;  ///< N
  bool operator==(const ShardSpec&) const = default;
};

/// Parses "K/N" as given to --shard and checks it against the run's trial count. Throws
/// Error(ExitCode::usage) naming the option when K or N is malformed or out of range.
ShardSpec parse_shard(const std::string& text, std::uint64_t total_trials);

/// A 64-bit hash of `bytes` (SplitMix64 rounds over 8-byte words); not cryptographic.
std::uint64_t hash_bytes(std::string_view bytes);
/// 16 lowercase hex digits.
std::string hex64(std::uint64_t x);

/// Identity of a run: hash of the fully resolved scenario YAML, which includes the seed and the
/// trial count. Runs with equal hashes simulate exactly the same trials.
std::uint64_t scenario_hash(const Scenario& s);

/// File names inside a shard folder (K and N written in full, no padding).
std::string shard_file_name(ShardSpec shard);                         ///< "shard-3-of-4.json"
std::string shard_checkpoint_name(ShardSpec shard);                   ///< "checkpoint-shard-3-of-4.json"
inline constexpr const char* kRunCheckpointName = "checkpoint.json";  ///< unsharded run

/// The saved result of trials [range.first, completed_until) of one shard of a run: the content
/// of a shard file (complete) or of a checkpoint (possibly incomplete).
struct PartialResult {
  enum class Kind { shard, checkpoint };
  Kind kind = Kind::shard;
  std::string celltrial_version;
  std::string git_commit;
  std::string scenario_name;
  std::uint64_t scenario_hash = 0;
  std::uint64_t seed = 0;
  std::uint64_t total_trials = 0;
  ShardSpec shard;
  TrialRange range;                   ///< the trials the shard owns
  std::uint64_t completed_until = 0;  ///< trials [range.first, completed_until) are in `acc`
  Accumulator acc;
  std::string scenario_yaml;  ///< the fully resolved scenario (to_yaml)

  bool complete() const { return completed_until == range.last; }
  std::uint64_t completed() const { return completed_until - range.first; }
};

/// A partial result for shard `shard` of `s`, built by this celltrial, holding `acc`.
PartialResult make_partial(const Scenario& s, ShardSpec shard, PartialResult::Kind kind, const Accumulator& acc,
                           std::uint64_t completed_until);

/// Format name written to the files; readers accept this version only. Version 2 added the
/// subgroup, family and unadjusted-power counts to the accumulator state; version 3 the total
/// analysed per trial (for its MC standard error).
inline constexpr int kPartialFormatVersion = 3;

/// The file text: JSON with format name and version, provenance, identity, the accumulator
/// state, the resolved scenario and a checksum over all of it.
std::string partial_to_text(const PartialResult& p);

/// Parses and verifies a partial-result file. `path` names the file in messages. Throws
/// Error(ExitCode::data) when the text is not such a file, is of a newer format version, fails
/// its checksum (corrupted or truncated) or contradicts itself.
PartialResult partial_from_text(const std::string& text, const std::string& path);

/// Reads and verifies a file: Error(ExitCode::no_input) when it cannot be read, else as above.
PartialResult read_partial(const std::string& path);

/// Differences between the runs of two partial results ("seed 7 vs 8", "scenario differs", ...);
/// empty when they are parts of the same run, split the same way, by the same build.
std::vector<std::string> identity_differences(const PartialResult& a, const PartialResult& b);

/// Runs a range of trials. The default runs them with threads in this process (run_trials);
/// mpi_run.hpp has one that spreads each range over MPI ranks.
class ChunkRunner {
 public:
  virtual ~ChunkRunner() = default;
  /// Trials r of s, with `opt.threads`, `opt.stop` and `opt.progress` as given (first_trial and
  /// last_trial are set from r). Throws Error(ExitCode::interrupted) when stopped.
  virtual Accumulator run(const Scenario& s, TrialRange r, const EngineOptions& opt) = 0;
  /// Processes that share each range (chunks are sized for all of them).
  virtual int workers() const { return 1; }
};

/// Where run_batch saves its progress. The engine decides when to save; the store decides where
/// and how (run_batch itself writes no files).
class CheckpointStore {
 public:
  virtual ~CheckpointStore() = default;
  /// Saves the trials done so far, replacing the previous checkpoint of the run.
  virtual void save_checkpoint(const PartialResult& p) = 0;
  /// Saves a sharded run's finished result; the checkpoint it supersedes is removed.
  virtual void save_shard(const PartialResult& p) = 0;
};

/// The files of a plan (see BatchPlan): the checkpoint at checkpoint_path and the shard file at
/// shard_path, each written atomically.
class FolderCheckpointStore final : public CheckpointStore {
 public:
  FolderCheckpointStore(std::string checkpoint_path, std::string shard_path)
      : checkpoint_path_(std::move(checkpoint_path)), shard_path_(std::move(shard_path)) {}
  void save_checkpoint(const PartialResult& p) override;
  void save_shard(const PartialResult& p) override;

 private:
  std::string checkpoint_path_;
  std::string shard_path_;
};

/// The runner run_batch uses when given none: the trials with threads in this process.
std::unique_ptr<ChunkRunner> make_local_runner();

struct BatchOptions {
  ShardSpec shard;       ///< which part of the run; 1/1 is the whole run
  bool sharded = false;  ///< true: the result is a shard file in out_dir (also for 1/1)
  /// Folder of the checkpoint (and of the shard file when sharded). Empty: no files at all.
  std::string out_dir;
  int threads = 0;  ///< 0: all cores
  /// Seconds between checkpoints; 0: after every chunk; negative: never write one (an existing
  /// checkpoint of the same run is still resumed).
  double checkpoint_seconds = 5;
  /// Trials per chunk; 0 chooses chunks of about a second by the measured speed (longer when the
  /// model is slow to set up). Never changes results.
  std::uint64_t chunk_trials = 0;
  const std::atomic<bool>* stop = nullptr;
  /// Set to the number of the shard's trials done so far, including resumed ones.
  std::atomic<std::uint64_t>* progress = nullptr;
  ChunkRunner* runner = nullptr;  ///< null: threads in this process
  /// Where checkpoints and the shard file go. Null: the plan's files (FolderCheckpointStore).
  CheckpointStore* store = nullptr;
};

/// What a run starts from: found by plan_batch in the output folder.
struct BatchPlan {
  TrialRange range;             ///< the trials of the shard
  std::string checkpoint_path;  ///< empty when out_dir is empty
  std::string shard_path;       ///< sharded runs: where the shard file goes
  Accumulator acc;              ///< trials [range.first, resume_from), from a checkpoint
  std::uint64_t resume_from = 0;
  bool resumed = false;           ///< a checkpoint of this run was found
  bool already_complete = false;  ///< sharded: the shard file of this run already exists
  double setup_seconds = 0;       ///< measured cost of building the model (sizes the chunks)
};

/// Checks the output folder and finds where to start. Throws Error(ExitCode::io) when the folder
/// cannot be used or holds another run's files (naming them; nothing is changed), and
/// Error(ExitCode::data) when this run's own checkpoint or shard file there is corrupted. It creates
/// a shard folder that does not exist yet, and removes a checkpoint that this shard's finished
/// shard file supersedes; nothing else is changed.
BatchPlan plan_batch(const Scenario& s, const BatchOptions& opt);

/// Runs the rest of the plan's trials and returns the accumulator of the whole shard range. A
/// sharded run then writes its shard file and removes its checkpoint. When stopped, saves what is
/// complete and throws Error(ExitCode::interrupted) saying how far it got and how to continue.
Accumulator run_batch(const Scenario& s, const BatchPlan& plan, const BatchOptions& opt);

/// One merged run from shard files (paths of files, or of folders whose shard-*.json files are
/// all taken).
struct MergedRun {
  Scenario scenario;  ///< loaded from the shards' resolved scenario
  std::string scenario_yaml;
  Accumulator acc;                 ///< all trials, merged in shard order
  std::vector<std::string> files;  ///< the shard files, in shard order
  PartialResult first;             ///< shard 1 (provenance; its accumulator is not the total)
};

/// Reads, checks and merges. Throws one Error listing every problem found: unreadable inputs
/// (ExitCode::no_input), corrupted files, shards of other runs (naming what differs), duplicates,
/// and missing shards (listing them, with the progress of any checkpoint found for them)
/// (ExitCode::data).
MergedRun merge_shards(const std::vector<std::string>& inputs);

}  // namespace celltrial
