#pragma once
// Simulated trials as data (celltrial simulate --export-trials K): the first K trials of a run, one
// row per child and assessment, so that a statistician can open a simulated trial and see that it
// looks real.
#include <cstdint>
#include <string>

#include "celltrial/model/model.hpp"

namespace celltrial {

/// The most trials an export may hold (it is for looking at trials, not for storing a run).
inline constexpr std::uint64_t kMaxExportTrials = 10000;

/// The first `trials` trials of the run of `model`'s scenario (its seed), as CSV: trial, id, arm,
/// month_randomised (empty without design.accrual), visit_months, observed, change (empty when
/// missing), baseline, gmfcs, age_months, sex, dose_per_kg, hla_mismatches, screened. The same
/// children as the run's: trial t is simulated from the run's streams for t.
std::string trials_csv(const Model& model, std::uint64_t trials);

}  // namespace celltrial
