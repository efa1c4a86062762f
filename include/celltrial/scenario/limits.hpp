#pragma once
// The largest designs the model, the analysis and the engine can run. Declared here, in the scenario
// layer, so that validation refuses a scenario beyond them with a located message (the layers above
// size their fixed arrays by the same constants).
#include <cstddef>

namespace celltrial {

inline constexpr std::size_t kMaxArms = 8;        ///< arms, the control included
inline constexpr std::size_t kMaxVisits = 32;     ///< scheduled visits (design.visits_months)
inline constexpr std::size_t kMaxSubgroups = 32;  ///< subgroups (analysis.subgroups)

}  // namespace celltrial
