#pragma once
// Group-sequential boundaries (stats/group_sequential) and the group-sequential sample size
// (stats/sequential_sample_size) as a terminal table and as JSON.
#include <string>

#include <nlohmann/json.hpp>

#include "celltrial/stats/group_sequential.hpp"
#include "celltrial/stats/sequential_sample_size.hpp"

namespace celltrial {

/// One row per look: information fraction, critical value (Z), nominal alpha, cumulative alpha
/// spent, and with futility the futility bound and cumulative beta spent.
std::string boundaries_table(const stats::Boundaries& b);

/// {"boundary", "parameter", "looks", "alpha", "sides", "information", "critical", "nominal_alpha",
/// "alpha_spent"} and with futility {"beta_spending", "beta_parameter", "beta", "binding",
/// "futility", "beta_spent", "drift"}. Per-look arrays; a critical value of a look that spends
/// nothing (+infinity) is null. "parameter"/"beta_parameter" are null for families without one.
nlohmann::ordered_json boundaries_json(const stats::Boundaries& b);

/// The group-sequential keys of a `celltrial power --looks` row: {"looks", "boundary",
/// "parameter", "inflation_factor", "n_fixed_exact", "n_max_exact", "n_max_per_arm", "n_max",
/// "n_max_per_arm_randomised", "n_max_randomised", "expected_n_h0", "expected_n_h1"} and with
/// futility {"beta_spending", "beta_parameter", "binding"}.
nlohmann::ordered_json sequential_sample_size_json(const stats::SequentialSampleSize& s);

}  // namespace celltrial
