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

/// Adds to t.effect what the analysis.estimand's target has beyond the therapy's effect: the
/// shift after dropout (both estimands) and the intercurrent events (treatment policy), as mean
/// differences at the primary visit over a pre-run of the model's own trials (about
/// m.pre_run_sizes().eligible children, trial numbers from 2^40 on). Needs the follow-up.
void add_follow_up_to_truth(const Model& m, Truth& t);

}  // namespace celltrial
