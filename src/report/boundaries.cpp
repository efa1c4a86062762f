#include "celltrial/report/boundaries.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

namespace celltrial {

namespace {

/// A number for the table: `prec` decimals, or "inf".
std::string fixed(double x, int prec) {
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", prec, x);
  return buf;
}

/// Six significant digits (probabilities span many decades).
std::string g6(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return buf;
}

/// A JSON array of per-look values; infinities (a look that spends nothing) as null.
nlohmann::ordered_json per_look(const std::vector<double>& xs) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (double x : xs) a.push_back(std::isfinite(x) ? nlohmann::ordered_json(x) : nlohmann::ordered_json());
  return a;
}

nlohmann::ordered_json optional_number(const std::optional<double>& x) {
  return x ? nlohmann::ordered_json(*x) : nlohmann::ordered_json();
}

/// "spending-hsd (gamma -4)", "pocock".
std::string family(const std::string& name, const std::optional<double>& parameter) {
  return parameter ? name + " (" + g6(*parameter) + ")" : name;
}

}  // namespace

std::string boundaries_table(const stats::Boundaries& b) {
  const stats::GroupSequentialDesign& d = b.design;
  const bool futility = d.futility != stats::Futility::none;
  std::ostringstream os;
  os << "Group-sequential boundaries: " << family(b.boundary, b.parameter) << ", " << (d.sides == 1 ? "one" : "two")
     << "-sided alpha " << g6(d.alpha) << ", " << d.critical_values.size()
     << (d.critical_values.size() == 1 ? " look" : " looks") << "\n";
  if (futility)
    os << "Futility: " << family(b.beta_spending, b.beta_parameter) << " beta spending, beta " << g6(d.beta) << ", "
       << (d.futility == stats::Futility::binding ? "binding" : "non-binding") << "; power " << g6(1.0 - d.beta)
       << " at drift " << fixed(d.drift, 4) << " (expected final Z)\n";
  char line[160];
  std::snprintf(line, sizeof line, "%5s %12s %10s %14s %12s", "look", "information", "critical", "nominal alpha",
                "alpha spent");
  os << line << (futility ? "   futility   beta spent" : "") << "\n";
  for (std::size_t k = 0; k < d.critical_values.size(); ++k) {
    std::snprintf(line, sizeof line, "%5zu %12s %10s %14s %12s", k + 1, fixed(d.information_fractions[k], 4).c_str(),
                  fixed(d.critical_values[k], 4).c_str(), g6(d.nominal_alpha[k]).c_str(),
                  g6(d.cumulative_alpha[k]).c_str());
    os << line;
    if (futility) {
      std::snprintf(line, sizeof line, " %10s %12s", fixed(d.futility_bounds[k], 4).c_str(),
                    g6(d.cumulative_beta[k]).c_str());
      os << line;
    }
    os << "\n";
  }
  os << "Reject at look k when Z_k >= critical" << (d.sides == 2 ? " or Z_k <= -critical" : "")
     << (futility ? "; stop for futility when Z_k <= futility" : "")
     << " (Z > 0 favours the active arm). Nominal alpha: the level of each look on its own.\n";
  return os.str();
}

nlohmann::ordered_json boundaries_json(const stats::Boundaries& b) {
  const stats::GroupSequentialDesign& d = b.design;
  nlohmann::ordered_json j;
  j["boundary"] = b.boundary;
  j["parameter"] = optional_number(b.parameter);
  j["looks"] = d.critical_values.size();
  j["alpha"] = d.alpha;
  j["sides"] = d.sides;
  j["information"] = d.information_fractions;
  j["critical"] = per_look(d.critical_values);
  j["nominal_alpha"] = d.nominal_alpha;
  j["alpha_spent"] = d.cumulative_alpha;
  if (d.futility != stats::Futility::none) {
    j["beta_spending"] = b.beta_spending;
    j["beta_parameter"] = optional_number(b.beta_parameter);
    j["beta"] = d.beta;
    j["binding"] = d.futility == stats::Futility::binding;
    j["futility"] = per_look(d.futility_bounds);
    j["beta_spent"] = d.cumulative_beta;
    j["drift"] = d.drift;
  }
  return j;
}

nlohmann::ordered_json sequential_sample_size_json(const stats::SequentialSampleSize& s) {
  const stats::Boundaries& b = s.boundaries;
  nlohmann::ordered_json j;
  j["looks"] = b.design.critical_values.size();
  j["boundary"] = b.boundary;
  j["parameter"] = optional_number(b.parameter);
  if (b.design.futility != stats::Futility::none) {
    j["beta_spending"] = b.beta_spending;
    j["beta_parameter"] = optional_number(b.beta_parameter);
    j["binding"] = b.design.futility == stats::Futility::binding;
  }
  j["inflation_factor"] = s.inflation_factor;
  j["n_fixed_exact"] = s.n_fixed_exact;
  j["n_max_exact"] = s.n_max_exact;
  j["n_max_per_arm"] = s.n_max_per_arm;
  j["n_max"] = s.n_max;
  j["n_max_per_arm_randomised"] = s.n_max_per_arm_randomised;
  j["n_max_randomised"] = s.n_max_randomised;
  j["expected_n_h0"] = s.expected_n_h0;
  j["expected_n_h1"] = s.expected_n_h1;
  return j;
}

}  // namespace celltrial
