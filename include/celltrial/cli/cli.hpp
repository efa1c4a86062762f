#pragma once
// The command-line program. main() only calls run_cli(); every command lives in the library so
// that it can be tested without a process.
#include <iosfwd>

namespace celltrial {

/// Runs the program and returns its exit code (see ExitCode). Never throws.
int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

/// Requests a prompt stop of a running simulation (async-signal-safe).
void request_stop() noexcept;

}  // namespace celltrial
