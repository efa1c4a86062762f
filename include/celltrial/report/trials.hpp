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

/// The first `trials` trials of the run of scenario `s` (its seed), as CSV, one row per child and
/// scheduled visit: trial, id, arm, month_randomised (empty without design.accrual), visit (month),
/// status (observed, missed, dropped_out), value (the score; empty unless observed), change (from
/// baseline; empty unless observed), baseline, gmfcs, age_months, sex, dose_per_kg, hla_mismatches,
/// screened, dropout_month, event (the first intercurrent event), event_month, treated_month (0 in
/// active arms, the delayed start in the control arm of a delayed-treatment design). The same
/// children as the run's: trial t is simulated from the run's streams for t, and every visit is
/// followed (Model's every_visit), which leaves the primary visit's data as the run has them.
/// Values are as they happened; analysis.endpoint changes only what the analysis compares.
std::string trials_csv(const Scenario& s, std::uint64_t trials);

}  // namespace celltrial
