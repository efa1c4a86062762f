#pragma once
// A run's operating characteristics (design/summary.hpp) as CSV, a terminal table and a results folder.
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "celltrial/design/operating_characteristics.hpp"
#include "celltrial/design/summary.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

/// Tidy CSV: one row per (comparison, metric) with estimate and Monte Carlo SE.
std::string summary_csv(const OperatingCharacteristics& oc);

/// A terminal table of the main operating characteristics.
std::string summary_table(const OperatingCharacteristics& oc);

/// The same from summary.json (read with operating_characteristics_from_json: a missing or mistyped
/// key is an Error naming it).
std::string summary_csv(const nlohmann::json& summary);
std::string summary_table(const nlohmann::json& summary);

/// Writes a run's results folder atomically: summary.json, summary.csv, run.json and the resolved
/// scenario.yaml, and any `extra` files (name -> content) in the same step (see report/output.hpp
/// for the replacement rules).
void write_run_results(const std::string& dir, const Scenario& s, const nlohmann::json& summary,
                       const nlohmann::json& run, const std::map<std::string, std::string>& extra = {});

/// A CSV field, quoted when it holds a comma, quote or newline.
std::string csv_field(const std::string& s);

/// The JSON text exactly as written to summary.json.
std::string dump_json(const nlohmann::json& j);

}  // namespace celltrial
