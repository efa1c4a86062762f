#pragma once
// The study's figures, drawn by gnuplot (see plot.hpp): PNG and SVG plus the script.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "celltrial/design/operating_characteristics.hpp"
#include "celltrial/design/sweep.hpp"

namespace celltrial {

/// Power vs total sample size, one line per enrichment strategy (with MC error bars), and the target.
std::string plot_enrichment_power(const nlohmann::json& enrichment_rows, double target, const std::string& stem,
                                  std::map<std::string, std::string>& files);

/// Tornado: for each assumption a bar from power at its low value to power at its high value,
/// around a line at the base power; the largest swing on top.
std::string plot_tornado(const nlohmann::json& tornado, const std::string& stem, std::map<std::string, std::string>& files);

/// Heat map of power over the first two axes of a sweep (other axes at their first value), the
/// value printed in each cell.
std::string plot_heatmap(const nlohmann::json& sweep_rows, const std::vector<std::string>& axis_keys,
                         const std::vector<std::vector<std::string>>& axis_values, const std::string& stem,
                         std::map<std::string, std::string>& files);

/// A sweep's figures: power against the first axis when its values are numbers (one line per value
/// of the other axes, with MC error bars) as sweep_power.*, and with two or more axes of a
/// Cartesian grid the heat map sweep_heatmap.*. Returns the last plot's note (empty when drawn).
std::string plot_sweep(const nlohmann::json& sweep_rows, const std::vector<SweepAxis>& axes, bool zip,
                       const std::string& scenario_name, std::map<std::string, std::string>& files);

/// Forest plot: each subgroup's (and complement's) estimate with its CI in one simulated trial, and
/// beside it the sampling distribution over all trials (mean +- 1.96 empirical SD), with the true effects.
std::string plot_forest(const nlohmann::json& typical, const OperatingCharacteristics& summary, const std::string& stem,
                        std::map<std::string, std::string>& files);

}  // namespace celltrial
