#pragma once
// The Monte Carlo engine: runs trials [first, last) of a scenario in parallel and returns their
// accumulated results. Trial i uses only the streams (seed, i, purpose), and accumulation is
// exact, so the result is bit-identical for any thread count and any split of the range.
#include <atomic>
#include <cstdint>
#include <functional>

#include "celltrial/engine/accumulator.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

struct EngineOptions {
  std::uint64_t first_trial = 0;
  std::uint64_t last_trial = 0;  ///< exclusive; 0 means simulation.trials
  int threads = 0;               ///< 0: all cores
  /// Set to true (e.g. from a signal handler) to stop early; run() then throws
  /// Error(ExitCode::interrupted).
  const std::atomic<bool>* stop = nullptr;
  /// Incremented by the number of trials completed, as blocks finish.
  std::atomic<std::uint64_t>* progress = nullptr;
  std::uint64_t block_size = 256;  ///< trials per task; does not affect results
  /// When set, called after each trial with its index and result, on the thread that ran it:
  /// each index once, in no particular order (for per-trial outputs such as paired comparisons
  /// between runs; the accumulated result does not depend on it).
  std::function<void(std::uint64_t, const TrialResult&)> on_trial = {};
};

/// True effect of each active arm (in arm order) at the primary visit.
std::vector<double> true_effects(const Scenario& s);

class Model;
/// An empty accumulator shaped for the scenario (arms, subgroups, family, claims).
Accumulator make_accumulator(const Scenario& s);
Accumulator make_accumulator(const Model& m);

Accumulator run_trials(const Scenario& s, const EngineOptions& opt);

/// The same with a model built once by the caller (its set-up, including the pre-run for the
/// true effect, is then not repeated when a run is split into chunks).
Accumulator run_trials(const Model& model, const EngineOptions& opt);

/// Number of threads `threads` resolves to (0: all hardware threads).
int resolve_threads(int threads);

}  // namespace celltrial
