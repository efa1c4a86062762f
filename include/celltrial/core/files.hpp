#pragma once
// Writing a file so that readers see either the old content or the whole new content, never a
// partial file: the text goes to a temporary sibling, which is then renamed into place.
#include <string>

namespace celltrial {

/// Writes `content` to `path` atomically (temp file in the same folder, then rename).
/// Throws Error(ExitCode::io) with the path and the reason on failure.
void write_file_atomic(const std::string& path, const std::string& content);

/// What a results folder holds; each kind has its own default folder name (one table in files.cpp).
enum class ResultsKind {
  run,           ///< simulate, merge and study: <name>
  shards,        ///< simulate --shard: <name>-shards
  power,         ///< power SCENARIO --target: <name>-power
  power_sweep,   ///< power SCENARIO --target --sweep: <name>-power-sweep
  sweep,         ///< sweep: <name>-sweep
  sweep_shards,  ///< sweep --shard: <name>-sweep-shards
  slurm,         ///< slurm: <name>-slurm
};

/// The default folder name of a kind of results of a scenario: its name and the kind's suffix.
std::string results_folder_name(const std::string& scenario_name, ResultsKind kind);

/// The folder a command writes to: `out` when given (--out), else results/<results_folder_name>
/// relative to the working folder.
std::string results_folder(const std::string& out, const std::string& scenario_name, ResultsKind kind);

/// A suffix unique to this process and call ("<pid>-<n>"), for temporary names next to a target.
std::string unique_file_suffix();

}  // namespace celltrial
