#pragma once
// How a host program follows and stops a long service call (services/*.hpp): progress, messages and
// interruption are callbacks, so a service never writes to the terminal and never exits the
// process. Every callback is optional and runs on the calling thread.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

namespace celltrial::services {

/// Where a run is: `done` of `total` trials (of the shard), `resumed` of them from a checkpoint
/// (they do not count towards the speed), after `seconds` of this call.
struct Progress {
  std::uint64_t done = 0;
  std::uint64_t total = 0;
  std::uint64_t resumed = 0;
  double seconds = 0;
  std::uint64_t points = 0;  ///< a grid's points, whose trials `total` counts (0: not a grid)
  /// Trials per second of this call (0 before the first finished trial).
  double rate() const { return seconds > 0 && done > resumed ? static_cast<double>(done - resumed) / seconds : 0.0; }
};

struct Callbacks {
  /// Called about every `progress_interval` seconds while trials run, and once when they are done.
  std::function<void(const Progress&)> progress;
  double progress_interval = 0.2;
  /// Notes for the user ("continuing from ...", "each MPI rank may run on only 1 core"), one line
  /// each, without a trailing newline.
  std::function<void(const std::string&)> log;
  /// Polled with the progress (also without a progress callback); returning true stops the run:
  /// the call then throws Error(ExitCode::interrupted) and writes no results (finished trials stay
  /// in the checkpoint). For hosts that check for an interrupt themselves (an R session).
  std::function<bool()> interrupted;
  /// The same through a flag another thread or a signal handler sets.
  const std::atomic<bool>* stop = nullptr;

  void say(const std::string& line) const {
    if (log) log(line);
  }
  /// True when the host asked to stop (either way).
  bool stop_requested() const { return (stop != nullptr && stop->load()) || (interrupted && interrupted()); }
};

}  // namespace celltrial::services
