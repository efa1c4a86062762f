#pragma once
// The analysis of a trial's own data (analysis/long_data.hpp) as a terminal table and as JSON.
#include <string>

#include <nlohmann/json.hpp>

#include "celltrial/analysis/long_data.hpp"

namespace celltrial {

/// The data used and dropped, the model, the comparison with its test and interval, and the
/// covariance estimate by visit.
std::string data_analysis_table(const DataAnalysis& a);

/// {"estimate", "se", "df", "t", "p_value", "ci_lower", "ci_upper", "covariance"}: the comparison,
/// its two-sided p-value and the interval at 1 - alpha, and the covariance (a list of rows: V x V
/// over the mixed model's visits; [[residual variance]] for the ANCOVA). Numbers read back to the
/// same doubles.
nlohmann::ordered_json data_analysis_json(const DataAnalysis& a);

}  // namespace celltrial
