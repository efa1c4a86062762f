#pragma once
// Typed errors and the exit codes they map to.
//
// User mistakes (bad scenario, bad option, unwritable folder) are always checked and reported as
// a celltrial::Error carrying one or more Diagnostics: where (file:line:column or the option), the
// key path, what is wrong and how to fix it. Programmer errors are assertions (CELLTRIAL_ASSERT).
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

namespace celltrial {

/// Exit codes follow sysexits.h so scripts can tell the kinds of failure apart.
enum class ExitCode : int {
  ok = 0,
  validation_failed = 1,  ///< `validate`: at least one scenario has problems
  usage = 64,             ///< bad command line
  data = 65,              ///< bad scenario content
  no_input = 66,          ///< a file does not exist or cannot be read
  software = 70,          ///< internal error (a bug: please report)
  io = 74,                ///< cannot write results
  interrupted = 130,      ///< stopped by Ctrl-C / SIGTERM; no results written
};

/// Where a problem is: a file position, or a command-line option.
struct Location {
  std::string file;  ///< file name, or "command line"
  int line = 0;      ///< 1-based; 0 when unknown
  int column = 0;    ///< 1-based; 0 when unknown
  std::string str() const;
};

struct Diagnostic {
  Location where;
  std::string key_path;  ///< e.g. "population.gmfcs_mix"; may be empty
  std::string problem;   ///< what is wrong
  std::string fix;       ///< what would be right; may be empty
  /// "file:line:col: error: population.gmfcs_mix: sums to 0.9. Fix: make the shares sum to 1."
  std::string str() const;
};

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, std::vector<Diagnostic> diagnostics);
  Error(ExitCode code, Diagnostic diagnostic);
  Error(ExitCode code, const std::string& message);
  ExitCode code() const noexcept { return code_; }
  const std::vector<Diagnostic>& diagnostics() const noexcept { return diagnostics_; }

 private:
  ExitCode code_;
  std::vector<Diagnostic> diagnostics_;
};

/// Throws Error(ExitCode::usage) for a request's option: "command line: OPTION: PROBLEM Fix: FIX".
[[noreturn]] void throw_usage(const std::string& option, const std::string& problem, const std::string& fix);


/// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(const std::string& a, const std::string& b);
/// The closest candidate if it is close enough to be a plausible typo, else "".
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

[[noreturn]] void assertion_failed(const char* expr, const char* file, int line);

}  // namespace celltrial

/// Invariant checks for programmer errors; active in every build (they are cheap and off the
/// per-participant hot path).
#define CELLTRIAL_ASSERT(expr) \
  ((expr) ? static_cast<void>(0) : ::celltrial::assertion_failed(#expr, __FILE__, __LINE__))
