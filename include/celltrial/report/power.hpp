#pragma once
// `celltrial power` as JSON, terminal tables and power-curve files: the closed-form table
// (design/closed_form_power.hpp) and the simulated sample size of a scenario (design/sample_size.hpp).
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "celltrial/design/closed_form_power.hpp"
#include "celltrial/design/sample_size.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

/// A row as `celltrial power --json` prints it: test, sd, alpha, sides, allocation, dropout, delta,
/// n_total, power; solving N also target_power, n_total_exact, n_per_arm, n_total_randomised,
/// n_per_arm_randomised (and the group-sequential keys of sequential_sample_size_json); solving the
/// difference target_power; with a prior assurance, power_at_prior_mean and prior.
nlohmann::json power_row_json(const PowerRow& r, const PowerQuery& q);
/// The rows as --json prints them: the row itself when there is one, else an array.
nlohmann::json power_rows_json(const std::vector<PowerRow>& rows, const PowerQuery& q);
/// The terminal table.
std::string power_rows_table(const std::vector<PowerRow>& rows, const PowerQuery& q);
/// power_curve.csv, power_curve.json and the plot's files (render_line_plot): power against total N,
/// one line per row's effect. Returns the plot's note (empty when it was drawn).
std::string power_curve_files(const std::vector<PowerRow>& rows, const PowerQuery& q,
                              std::map<std::string, std::string>& files);

/// The simulated sample size's power_curve.json (format celltrial.power/1); `assurance` is null or
/// {estimate, mc_se, n_total, prior}.
nlohmann::json sample_size_json(const Scenario& s, const Scenario& conventional, double target, double confidence,
                                const SampleSizeResult& r, const nlohmann::json& assurance);
/// Its power_curve.csv, the plot's files and scenario.yaml; returns the plot's note.
std::string sample_size_files(const Scenario& s, double target, const SampleSizeResult& r, const nlohmann::json& j,
                              std::map<std::string, std::string>& files);
/// Its terminal table.
std::string sample_size_table(const Scenario& s, double target, double confidence, const SampleSizeResult& r,
                              const nlohmann::json& j);

}  // namespace celltrial
