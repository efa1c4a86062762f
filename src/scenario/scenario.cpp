#include "celltrial/scenario/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <boost/math/distributions/normal.hpp>

#include "celltrial/core/error.hpp"

namespace celltrial {

std::size_t Scenario::control_arm() const {
  for (std::size_t i = 0; i < arms.size(); ++i)
    if (arms[i].role == ArmRole::control) return i;
  CELLTRIAL_ASSERT(false && "validated scenarios have a control arm");
  return 0;
}

Location closest_location(const std::map<std::string, Location>& locations, const std::string& path,
                          const std::string& fallback) {
  std::string p = path;
  while (true) {
    auto it = locations.find(p);
    if (it != locations.end()) return it->second;
    auto cut = p.find_last_of(".[");
    if (cut == std::string::npos) break;
    p = p.substr(0, cut);
  }
  return Location{fallback, 0, 0};
}

Location Scenario::where(const std::string& path) const { return closest_location(locations, path, source); }

std::vector<std::size_t> Scenario::active_arms() const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < arms.size(); ++i)
    if (arms[i].role == ArmRole::active) out.push_back(i);
  return out;
}

double age_eligibility_yield(const Population& p) {
  const double lo = p.eligibility.min_age_months, hi = p.eligibility.max_age_months;
  const auto& a = p.age;
  switch (a.distribution) {
    case AgeDistribution::uniform: {
      if (!(a.max_months > a.min_months)) return 0;
      const double overlap = std::min(hi, a.max_months) - std::max(lo, a.min_months);
      return std::max(0.0, overlap) / (a.max_months - a.min_months);
    }
    case AgeDistribution::normal: {
      if (!(a.sd_months > 0)) return 0;
      boost::math::normal_distribution<double> n(a.mean_months, a.sd_months);
      // Ages below 0 are redrawn, so condition on age >= 0.
      const double base = 1 - boost::math::cdf(n, 0.0);
      if (!(base > 0)) return 0;
      return std::max(0.0, boost::math::cdf(n, hi) - boost::math::cdf(n, std::max(lo, 0.0))) / base;
    }
    case AgeDistribution::lognormal: {
      if (!(a.sd_months > 0 && a.mean_months > 0)) return 0;
      const double s2 = std::log1p(a.sd_months * a.sd_months / (a.mean_months * a.mean_months));
      if (!(s2 > 0 && std::isfinite(s2))) return 0;  // validation bounds the mean and SD first
      const double mu = std::log(a.mean_months) - s2 / 2;
      boost::math::normal_distribution<double> n(mu, std::sqrt(s2));
      const double cl = lo > 0 ? boost::math::cdf(n, std::log(lo)) : 0.0;
      const double ch = boost::math::cdf(n, std::log(hi));
      return std::max(0.0, ch - cl);
    }
    case AgeDistribution::table: {
      double total = 0, inside = 0;
      for (std::size_t k = 0; k + 1 < a.table_edges.size() && k < a.table_weights.size(); ++k) {
        const double e0 = a.table_edges[k], e1 = a.table_edges[k + 1], w = a.table_weights[k];
        total += w;
        if (e1 > e0) inside += w * std::max(0.0, std::min(hi, e1) - std::max(lo, e0)) / (e1 - e0);
      }
      return total > 0 ? inside / total : 0.0;
    }
  }
  return 0;
}

std::vector<double> visit_correlation(const GenericModel& g, std::size_t visits) {
  std::vector<double> r(visits * visits, 0.0);
  for (std::size_t i = 0; i < visits; ++i)
    for (std::size_t j = 0; j < visits; ++j) {
      const std::size_t lag = i > j ? i - j : j - i;
      if (!g.correlation_matrix.empty()) r[i * visits + j] = g.correlation_matrix[i][j];
      else if (lag == 0) r[i * visits + j] = 1.0;
      else r[i * visits + j] = g.correlation_structure == VisitCorrelation::cs ? g.correlation
                                                                               : std::pow(g.correlation, static_cast<double>(lag));
    }
  return r;
}

double effect_at(const Arm& arm, double month) { return interpolate_by_month(arm.effect_by_month, month); }

std::vector<double> estimated_months(const Scenario& s) {
  if (s.analysis.method == AnalysisMethod::mmrm && !s.analysis.mmrm.visits_months.empty()) return s.analysis.mmrm.visits_months;
  return {s.analysis.primary_visit_months};
}

double estimated_effect(const Scenario& s, const Arm& arm) {
  const auto months = estimated_months(s);
  double sum = 0;
  for (double m : months) sum += effect_at(arm, m);
  return sum / static_cast<double>(months.size());
}

Scenario without_priors(const Scenario& s) {
  Scenario out = s;
  for (auto& arm : out.arms) {
    const EffectPrior& q = arm.effect_prior;
    if (q.kind == PriorKind::none) continue;
    double mean = q.mean;
    if (q.kind == PriorKind::discrete) {
      double sum = 0, w = 0;
      for (std::size_t i = 0; i < q.values.size(); ++i) {
        sum += q.values[i] * q.weights[i];
        w += q.weights[i];
      }
      mean = sum / w;
    }
    const double base = effect_at(arm, s.analysis.primary_visit_months);
    for (auto& [month, e] : arm.effect_by_month) e *= mean / base;
    arm.effect_prior = EffectPrior{};
  }
  return out;
}

Scenario null_scenario(const Scenario& s) {
  Scenario out = s;
  for (auto& arm : out.arms) {
    for (auto& point : arm.effect_by_month) point.second = 0;
    arm.effect_prior = EffectPrior{};
    arm.heterogeneity = HeterogeneitySpec{};
  }
  return out;
}

double interpolate_by_month(const std::vector<std::pair<double, double>>& points, double month) {
  double prev_m = 0, prev_e = 0;
  for (const auto& [m, e] : points) {
    if (month <= m) {
      if (m == prev_m) return e;
      return prev_e + (e - prev_e) * (month - prev_m) / (m - prev_m);
    }
    prev_m = m;
    prev_e = e;
  }
  return prev_e;
}

const char* to_string(PriorKind v) {
  switch (v) {
    case PriorKind::none: return "none";
    case PriorKind::normal: return "normal";
    case PriorKind::truncated_normal: return "truncated_normal";
    case PriorKind::discrete: return "discrete";
  }
  return "?";
}
const char* to_string(ProductType v) {
  switch (v) {
    case ProductType::none: return "none";
    case ProductType::ucb: return "ucb";
    case ProductType::msc: return "msc";
  }
  return "?";
}
const char* to_string(UnitSource v) {
  switch (v) {
    case UnitSource::autologous: return "autologous";
    case UnitSource::public_bank: return "public";
    case UnitSource::sibling: return "sibling";
  }
  return "?";
}
const char* to_string(Route v) { return v == Route::intravenous ? "intravenous" : "intrathecal"; }
const char* to_string(DoseResponseModel v) {
  switch (v) {
    case DoseResponseModel::none: return "none";
    case DoseResponseModel::step: return "step";
    case DoseResponseModel::emax: return "emax";
    case DoseResponseModel::loglinear: return "loglinear";
  }
  return "?";
}
const char* to_string(Heterogeneity v) {
  switch (v) {
    case Heterogeneity::none: return "none";
    case Heterogeneity::normal: return "normal";
    case Heterogeneity::responders: return "responders";
  }
  return "?";
}
const char* to_string(OutcomeModel v) { return v == OutcomeModel::cp ? "cp" : "generic"; }
const char* to_string(AgeDistribution v) {
  switch (v) {
    case AgeDistribution::uniform: return "uniform";
    case AgeDistribution::normal: return "normal";
    case AgeDistribution::lognormal: return "lognormal";
    case AgeDistribution::table: return "table";
  }
  return "?";
}
const char* to_string(ArmRole v) { return v == ArmRole::control ? "control" : "active"; }
const char* to_string(Randomisation v) { return v == Randomisation::fixed ? "fixed" : "simple"; }
const char* to_string(AnalysisMethod v) { return v == AnalysisMethod::mmrm ? "mmrm" : "ancova"; }
const char* to_string(CovarianceStructure v) {
  switch (v) {
    case CovarianceStructure::unstructured: return "unstructured";
    case CovarianceStructure::ar1: return "ar1";
    case CovarianceStructure::heterogeneous_ar1: return "heterogeneous-ar1";
    case CovarianceStructure::cs: return "cs";
    case CovarianceStructure::toeplitz: return "toeplitz";
  }
  return "unstructured";
}
const char* to_string(DfMethod v) {
  switch (v) {
    case DfMethod::satterthwaite: return "satterthwaite";
    case DfMethod::kenward_roger: return "kenward-roger";
    case DfMethod::between_within: return "between-within";
    case DfMethod::residual: return "residual";
  }
  return "satterthwaite";
}
const char* to_string(Estimand v) { return v == Estimand::hypothetical ? "hypothetical" : "treatment-policy"; }
const char* to_string(Endpoint v) {
  switch (v) {
    case Endpoint::change: return "change";
    case Endpoint::value: return "value";
    case Endpoint::excess_over_expected: return "excess_over_expected";
  }
  return "change";
}
const char* to_string(Direction v) { return v == Direction::greater ? "greater" : "less"; }
const char* to_string(Multiplicity v) {
  switch (v) {
    case Multiplicity::none: return "none";
    case Multiplicity::bonferroni: return "bonferroni";
    case Multiplicity::holm: return "holm";
    case Multiplicity::hochberg: return "hochberg";
    case Multiplicity::fixed_sequence: return "fixed_sequence";
    case Multiplicity::fallback: return "fallback";
    case Multiplicity::graphical: return "graphical";
  }
  return "?";
}
const char* to_string(Covariate) { return "gmfcs"; }
const char* to_string(InterimBoundary v) {
  switch (v) {
    case InterimBoundary::obrien_fleming: return "obrien-fleming";
    case InterimBoundary::pocock: return "pocock";
    case InterimBoundary::wang_tsiatis: return "wang-tsiatis";
    case InterimBoundary::haybittle_peto: return "haybittle-peto";
    case InterimBoundary::spending_obrien_fleming: return "spending-obrien-fleming";
    case InterimBoundary::spending_pocock: return "spending-pocock";
    case InterimBoundary::spending_hsd: return "spending-hsd";
    case InterimBoundary::spending_kim_demets: return "spending-kim-demets";
  }
  return "?";
}
const char* to_string(FutilityRule v) {
  switch (v) {
    case FutilityRule::none: return "none";
    case FutilityRule::z: return "z";
    case FutilityRule::conditional_power: return "conditional-power";
    case FutilityRule::beta_spending: return "beta-spending";
  }
  return "?";
}
const char* to_string(BetaSpending v) {
  switch (v) {
    case BetaSpending::obrien_fleming: return "obrien-fleming";
    case BetaSpending::pocock: return "pocock";
    case BetaSpending::hsd: return "hsd";
    case BetaSpending::kim_demets: return "kim-demets";
  }
  return "?";
}
const char* to_string(ReestimationRule v) {
  switch (v) {
    case ReestimationRule::none: return "none";
    case ReestimationRule::promising_zone: return "promising-zone";
    case ReestimationRule::conditional_power: return "conditional-power";
  }
  return "?";
}
const char* to_string(EnrichmentRule v) {
  switch (v) {
    case EnrichmentRule::none: return "none";
    case EnrichmentRule::threshold: return "threshold";
  }
  return "none";
}

const char* to_string(SelectionStatistic v) {
  switch (v) {
    case SelectionStatistic::estimate: return "estimate";
    case SelectionStatistic::z: return "z";
  }
  return "estimate";
}

const char* to_string(IntersectionTest v) {
  switch (v) {
    case IntersectionTest::simes: return "simes";
    case IntersectionTest::bonferroni: return "bonferroni";
  }
  return "simes";
}
const char* to_string(ArmSelectionRule v) {
  switch (v) {
    case ArmSelectionRule::none: return "none";
    case ArmSelectionRule::best: return "best";
    case ArmSelectionRule::threshold: return "threshold";
    case ArmSelectionRule::epsilon: return "epsilon";
  }
  return "none";
}
const char* to_string(VisitCorrelation v) { return v == VisitCorrelation::cs ? "cs" : "ar1"; }

bool subgroup_applies(const Scenario& s, const Subgroup& g, std::size_t arm) {
  const Arm& a = s.arms[arm];
  if (a.role != ArmRole::active) return false;
  return !g.has_route || (a.product == ProductType::msc && a.msc.route == g.route);
}

std::vector<Hypothesis> all_hypotheses(const Scenario& s) {
  const auto active = s.active_arms();
  const bool one = active.size() == 1;
  std::vector<Hypothesis> out;
  for (std::size_t c = 0; c < active.size(); ++c) out.push_back({one ? "primary" : s.arms[active[c]].name, c, -1});
  for (std::size_t g = 0; g < s.analysis.subgroups.size(); ++g)
    for (std::size_t c = 0; c < active.size(); ++c)
      if (subgroup_applies(s, s.analysis.subgroups[g], active[c]))
        out.push_back({one ? s.analysis.subgroups[g].name : s.arms[active[c]].name + "/" + s.analysis.subgroups[g].name, c,
                       static_cast<int>(g)});
  return out;
}

std::vector<std::size_t> family(const Scenario& s) {
  const auto all = all_hypotheses(s);
  std::vector<std::size_t> out;
  if (!s.analysis.testing.hypotheses.empty()) {
    for (const auto& name : s.analysis.testing.hypotheses)
      for (std::size_t h = 0; h < all.size(); ++h)
        if (all[h].name == name) out.push_back(h);
    return out;
  }
  for (std::size_t h = 0; h < all.size(); ++h)
    if (all[h].subgroup < 0 || s.analysis.subgroups[static_cast<std::size_t>(all[h].subgroup)].confirmatory) out.push_back(h);
  return out;
}

namespace {
std::string fmt_num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}
std::string range_text(const char* what, double lo, double hi, const char* unit) {
  const bool has_lo = lo > 0, has_hi = hi < 1e300;
  std::string u = *unit ? std::string(" ") + unit : "";
  if (has_lo && has_hi) return fmt_num(lo) + " <= " + what + " < " + fmt_num(hi) + u;
  if (has_hi) return std::string(what) + " < " + fmt_num(hi) + u;
  return std::string(what) + " >= " + fmt_num(lo) + u;
}
}  // namespace

std::string describe(const Subgroup& g) {
  std::vector<std::string> parts;
  if (g.has_age) parts.push_back(range_text("age", g.age_min_months, g.age_max_months, "months"));
  if (g.has_gmfcs) {
    std::string t = "GMFCS ";
    bool first = true;
    for (int l = 0; l < kGmfcsLevels; ++l)
      if (g.gmfcs[static_cast<std::size_t>(l)]) {
        t += (first ? "" : ",") + std::string(kGmfcsNames[static_cast<std::size_t>(l)]);
        first = false;
      }
    parts.push_back(t);
  }
  if (g.has_dose) parts.push_back(range_text("planned dose", g.dose_min, g.dose_max, "per kg"));
  if (g.sex >= 0) parts.push_back(g.sex ? "boys" : "girls");
  if (g.has_hla) {
    std::string t = "HLA mismatches ";
    bool first = true;
    for (int k = 0; k < kHlaLevels; ++k)
      if (g.hla[static_cast<std::size_t>(k)]) {
        t += (first ? "" : ",") + std::string(k == 2 ? "2+" : std::to_string(k));
        first = false;
      }
    parts.push_back(t);
  }
  if (g.has_route) parts.push_back(std::string(to_string(g.route)) + " arms");
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out;
}

}  // namespace celltrial
