#pragma once
// Small charts drawn as inline SVG for the HTML report: no external program, no remote resource
// (no xmlns attribute: inline SVG in HTML5 does not need one), deterministic text for the same
// input. Missing values (NaN) are left out of a chart, never drawn as zero.
#include <array>
#include <string>
#include <vector>

namespace celltrial {

/// The group-sequential boundaries on the Z scale with the distribution of the simulated Z paths.
struct BoundaryChart {
  std::vector<double> information;  ///< per analysis (the looks, then 1)
  std::vector<double> efficacy;     ///< critical values (Z), per analysis
  std::vector<double> futility;     ///< futility bounds (Z) per analysis; NaN or empty where none
  bool two_sided = false;           ///< draw -efficacy as the bound for harm
  /// Per analysis, the 5, 10, 25, 50, 75, 90 and 95 % quantiles of Z over the trials that made it
  /// (NaN when not known).
  std::vector<std::array<double, 7>> z_quantiles;
};
std::string svg_boundaries(const BoundaryChart& c);

/// Bars with 95 % Monte Carlo intervals (value +- 1.96 MC SE), grouped by category: one bar per
/// series in each group.
struct BarChart {
  std::string ylabel;
  std::vector<std::string> groups;                ///< category labels (x axis)
  std::vector<std::string> series;               ///< legend labels
  std::vector<std::vector<double>> value, mc_se;  ///< [series][group]; NaN: no bar
};
std::string svg_bars(const BarChart& c);

/// One horizontal box per row: whiskers from the 5 % to the 95 % quantile, the box from 25 % to
/// 75 %, a line at the median and a dot at the mean.
struct BoxRow {
  std::string label;
  std::array<double, 5> q{};  ///< 5, 25, 50, 75, 95 % quantiles
  double mean = 0;
};
std::string svg_boxes(const std::vector<BoxRow>& rows, const std::string& xlabel);

}  // namespace celltrial
