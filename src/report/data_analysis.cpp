#include "celltrial/report/data_analysis.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "celltrial/scenario/io.hpp"

namespace celltrial {

namespace {

/// Six significant digits: the table is for reading (--json gives every digit).
std::string g6(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

std::string months(const std::vector<double>& xs) {
  std::string out;
  for (std::size_t i = 0; i < xs.size(); ++i) out += (i ? ", " : "") + format_number(xs[i]);
  return out;
}

std::string plural(std::int64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string padded(const std::string& s, std::size_t width) {
  return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' ');
}

}  // namespace

std::string data_analysis_table(const DataAnalysis& a) {
  const bool mmrm = a.method == AnalysisMethod::mmrm;
  const std::string up_to = mmrm ? "up to month " + format_number(a.primary) : "at month " + format_number(a.primary);
  std::ostringstream os;
  const auto row = [&](const std::string& label, const std::string& text) { os << "  " << padded(label, 14) << text << "\n"; };

  os << "Analysis of " << a.source << (a.trial.empty() ? "" : " (trial " + a.trial + ")") << "\n";
  row("children", std::to_string(a.children) + " in " + plural(a.rows, "row", "rows") + ": " + std::to_string(a.analysed) +
                      " analysed, " + std::to_string(a.children - a.analysed) + " dropped (no assessed visit " + up_to + ")");
  row("observations", std::to_string(a.observations) + (mmrm ? " assessed visits (months " + months(a.model_visits) + ")"
                                                             : " assessed at month " + format_number(a.primary)));
  for (std::size_t i = 0; i < a.arms.size(); ++i)
    row(i == 0 ? "arms" : "", a.arms[i] + (i == a.control ? " (control)" : "") + ": " + std::to_string(a.children_by_arm[i]) +
                                  " children, " + std::to_string(a.analysed_by_arm[i]) + " analysed");
  row("response", "column '" + a.response + "'" + (mmrm ? " at each visit" : " at month " + format_number(a.primary)));
  if (mmrm) {
    row("method", "mmrm: a mean per arm and visit, a baseline slope per visit" +
                      std::string(a.adjust.empty() ? "" : ", " + a.adjust + " effects common to the visits") + "; REML");
    std::string used = to_string(a.structure);
    if (a.fallback) {
      // The structures tried before the one that converged.
      std::string failed = to_string(a.requested);
      for (std::size_t i = 0; i < a.fallbacks.size() && a.fallbacks[i] != a.structure; ++i)
        failed += std::string(i + 2 == a.fallbacks.size() || a.fallbacks[i + 1] == a.structure ? " and " : ", ") +
                  to_string(a.fallbacks[i]);
      used += " (a fallback: " + failed + " did not converge)";
    }
    // No iterations: the unstructured REML in closed form (monotone dropout, Mmrm::fit).
    used += a.iterations == 0 ? std::string(", REML in closed form") : ", " + plural(a.iterations, "iteration", "iterations");
    row("covariance", used);
  } else {
    row("method", "ancova: " + a.response + " ~ arm + baseline" + std::string(a.adjust.empty() ? "" : " + " + a.adjust) +
                      ", children assessed at month " + format_number(a.primary));
  }
  if (!a.adjust.empty()) {
    std::string levels;
    for (std::size_t i = 0; i < a.levels.size(); ++i) levels += (i ? ", " : "") + a.levels[i];
    row("adjusted for", "column '" + a.adjust + "' (levels " + levels + "; the first is the reference)");
  }
  row("df method", to_string(a.df_method));
  if (mmrm) row("estimand", to_string(a.estimand));

  const std::string at = a.contrast_visits.size() == 1 ? "at month " + format_number(a.contrast_visits.front())
                                                       : "averaged over months " + months(a.contrast_visits);
  os << "\n" << a.arms[a.arm] << " vs " << a.arms[a.control] << " " << at << "\n";
  row("estimate", g6(a.estimate));
  row("SE", g6(a.se));
  row("df", g6(a.df));
  row("t", g6(a.t));
  row("p-value", g6(a.p_value) + " (two-sided)");
  row(g6(100 * (1 - a.alpha)) + "% CI", g6(a.ci_lower) + " to " + g6(a.ci_upper));

  const std::size_t V = a.covariance_size;
  if (mmrm) {
    os << "\nCovariance of a child's visits (" << to_string(a.structure) << ")\n";
    os << "  " << padded("month", 10);
    for (std::size_t v = 0; v < V; ++v) os << padded(format_number(a.model_visits[v]), 13);
    os << "\n";
    for (std::size_t r = 0; r < V; ++r) {
      os << "  " << padded(format_number(a.model_visits[r]), 10);
      for (std::size_t c = 0; c < V; ++c) os << padded(g6(a.covariance[r * V + c]), 13);
      os << "\n";
    }
  } else {
    os << "\nResidual variance " << g6(a.covariance.front()) << "\n";
  }
  return os.str();
}

nlohmann::ordered_json data_analysis_json(const DataAnalysis& a) {
  nlohmann::ordered_json j;
  j["estimate"] = a.estimate;
  j["se"] = a.se;
  j["df"] = a.df;
  j["t"] = a.t;
  j["p_value"] = a.p_value;
  j["ci_lower"] = a.ci_lower;
  j["ci_upper"] = a.ci_upper;
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  const std::size_t V = a.covariance_size;
  for (std::size_t r = 0; r < V; ++r) {
    nlohmann::ordered_json line = nlohmann::ordered_json::array();
    for (std::size_t c = 0; c < V; ++c) line.push_back(a.covariance[r * V + c]);
    rows.push_back(line);
  }
  j["covariance"] = rows;
  return j;
}

}  // namespace celltrial
