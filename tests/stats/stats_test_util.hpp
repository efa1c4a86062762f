#pragma once
// Helpers for the stats tests.
#include <catch2/catch.hpp>

#include <string>

#include "celltrial/core/error.hpp"

namespace celltrial::stats::testing {

/// Runs f and requires a celltrial::Error (ExitCode::usage) whose message contains `text`.
template <class F>
void require_usage_error(F&& f, const std::string& text) {
  bool thrown = false;
  try {
    f();
  } catch (const celltrial::Error& e) {
    thrown = true;
    CHECK(e.code() == celltrial::ExitCode::usage);
    CHECK_THAT(std::string(e.what()), Catch::Contains(text));
    CHECK_FALSE(e.diagnostics().empty());
  }
  if (!thrown) FAIL("expected a celltrial::Error mentioning \"" << text << "\"");
}

}  // namespace celltrial::stats::testing
