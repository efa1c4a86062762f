#pragma once
// The design layer's results as CSV files and terminal tables: sweeps, enrichment and tornado.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "celltrial/design/sweep.hpp"

namespace celltrial {

/// One tidy CSV row per (grid point, comparison): the swept keys as columns, then the main
/// operating characteristics with their Monte Carlo SEs.
std::string sweep_csv(const nlohmann::json& rows, const std::vector<SweepAxis>& axes);

/// A sweep as a terminal table: a heading, then per point its power (MC SE), estimate, true effect,
/// children screened per randomised and the point's values.
std::string sweep_table(const nlohmann::json& rows, const std::vector<SweepAxis>& axes, const std::string& scenario_name,
                        std::uint64_t trials, std::uint64_t seed);

/// The rows of run_enrichment as CSV, each estimate followed by its MC SE.
std::string enrichment_csv(const nlohmann::json& rows);
/// designs.csv and the terminal table of the study's design comparison (rows of run_designs).
std::string designs_csv(const nlohmann::json& rows);
std::string designs_table(const nlohmann::json& rows);
/// The enrichment rows as a terminal table.
std::string enrichment_table(const nlohmann::json& rows,
                             const std::string& title = "Enrichment: sample size for the target power, by enrolment strategy");

/// The result of run_tornado as CSV, one row per assumption.
std::string tornado_csv(const nlohmann::json& t);

}  // namespace celltrial
