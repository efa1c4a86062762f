#pragma once
// Checks shared by the fuzz targets: what counts as the expected refusal of bad input, and what
// is a bug (an internal error, an unexpected error kind, a message without a place or a problem,
// a scenario that validation accepts but that does not round-trip or cannot be run).
//
// A bug is reported on stderr and ends the process with abort(), which libFuzzer records as a
// crash and the replay program (replay_main.cpp) as a failure.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <string>

#include "celltrial/core/error.hpp"
#include "celltrial/engine/accumulator.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial::fuzz {

[[noreturn]] inline void bug(const std::string& what) {
  std::fprintf(stderr, "\ncelltrial fuzz: BUG: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

inline const char* code_name(ExitCode c) {
  switch (c) {
    case ExitCode::ok: return "ok";
    case ExitCode::validation_failed: return "validation_failed";
    case ExitCode::usage: return "usage";
    case ExitCode::data: return "data";
    case ExitCode::no_input: return "no_input";
    case ExitCode::software: return "software";
    case ExitCode::io: return "io";
    case ExitCode::interrupted: return "interrupted";
  }
  return "?";
}

/// An Error raised for bad input: one of the `allowed` kinds (never ExitCode::software, the
/// internal error), and every diagnostic says where and what.
inline void expect_user_error(const Error& e, std::initializer_list<ExitCode> allowed) {
  bool ok = false;
  for (ExitCode c : allowed) ok = ok || c == e.code();
  if (!ok) bug(std::string("unexpected error kind '") + code_name(e.code()) + "': " + e.what());
  if (e.diagnostics().empty()) bug(std::string("an error without diagnostics: ") + e.what());
  for (const Diagnostic& d : e.diagnostics()) {
    if (d.problem.empty()) bug("a diagnostic without a problem: " + d.str());
    if (d.where.file.empty()) bug("a diagnostic without a place: " + d.str());
  }
}

/// For a scenario that loaded without errors: what validation accepts must write out, load back
/// to the same scenario, and run (model set-up, a few trials analysed and summarised). Trials are
/// only simulated when the design is small enough to keep one execution to milliseconds.
void check_accepted(const Scenario& s);

/// An empty folder of this process for the target's files (`name` in its name), created on the first
/// call and removed when the process ends.
const std::filesystem::path& process_folder(const std::string& name);

/// For an accumulator read from files (a merge of shards): the summary of the scenario's trials
/// can be computed from it, as `celltrial merge` does.
void check_summary(const Scenario& s, const Accumulator& acc);

}  // namespace celltrial::fuzz
