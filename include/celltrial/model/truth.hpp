#pragma once
// The true average effect of each active arm at the primary visit in the enrolled population, and
// the screening yield (Truth in model.hpp), from the model's components.
#include "celltrial/model/model.hpp"

namespace celltrial {

/// Exact where every child has the arm's effect and everyone screened is eligible; else from a
/// pre-run of eligible children on the estimand stream (trial indices 0 and 1), whose sizes are
/// m.pre_run_sizes(). Throws Error(ExitCode::data) naming population.eligibility when no child, or
/// fewer than 1 in 10,000 screened, meets the eligibility criteria.
Truth compute_truth(const Model& m);

}  // namespace celltrial
