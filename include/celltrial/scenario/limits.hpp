#pragma once
// The largest designs the model, the analysis and the engine can run. Declared here, in the scenario
// layer, so that validation refuses a scenario beyond them with a located message (the layers above
// size their fixed arrays by the same constants).
#include <cstddef>
#include <cstdint>

namespace celltrial {

inline constexpr std::size_t kMaxArms = 8;        ///< arms, the control included
inline constexpr std::size_t kMaxVisits = 32;     ///< scheduled visits (design.visits_months)
inline constexpr std::size_t kMaxSubgroups = 32;  ///< subgroups (analysis.subgroups)
inline constexpr std::int64_t kMaxSites = 10000;   ///< recruiting sites (design.accrual.sites)
inline constexpr double kMaxRampUpMonths = 600;     ///< months to open every site (design.accrual.ramp_up_months)
inline constexpr std::size_t kMaxEvents = 8;        ///< kinds of intercurrent event (design.intercurrent_events)
inline constexpr std::size_t kMaxInterims = 10;     ///< interim looks (design.interims.information)
inline constexpr std::size_t kMaxSelectionArms = 4; ///< active arms design.interims.arm_selection chooses among

// Limits of the input itself, so that no scenario makes a command build or expand without end.
inline constexpr std::size_t kMaxSweepPoints = 1000;      ///< points of a sweep grid (sweep.vary)
inline constexpr std::size_t kMaxScenarioValues = 100000;  ///< YAML values of a scenario, aliases expanded

// The smallest significance level: below it the tests' critical values are beyond what double
// precision represents (a level of 1e-320 overflows the t quantile).
inline constexpr double kMinAlpha = 1e-6;  ///< analysis.alpha and analysis.interaction_alpha

}  // namespace celltrial
