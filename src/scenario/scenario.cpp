#include "celltrial/scenario/scenario.hpp"

#include <algorithm>
#include <cmath>

#include <boost/math/distributions/normal.hpp>

#include "celltrial/core/error.hpp"

namespace celltrial {

std::size_t Scenario::control_arm() const {
  for (std::size_t i = 0; i < arms.size(); ++i)
    if (arms[i].role == ArmRole::control) return i;
  CELLTRIAL_ASSERT(false && "validated scenarios have a control arm");
  return 0;
}

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
      const double mu = std::log(a.mean_months) - s2 / 2;
      boost::math::normal_distribution<double> n(mu, std::sqrt(s2));
      const double cl = lo > 0 ? boost::math::cdf(n, std::log(lo)) : 0.0;
      const double ch = boost::math::cdf(n, std::log(hi));
      return std::max(0.0, ch - cl);
    }
  }
  return 0;
}

double effect_at(const Arm& arm, double month) {
  double prev_m = 0, prev_e = 0;
  for (const auto& [m, e] : arm.effect_by_month) {
    if (month <= m) {
      if (m == prev_m) return e;
      return prev_e + (e - prev_e) * (month - prev_m) / (m - prev_m);
    }
    prev_m = m;
    prev_e = e;
  }
  return prev_e;
}

const char* to_string(OutcomeModel v) { return v == OutcomeModel::cp ? "cp" : "generic"; }
const char* to_string(AgeDistribution v) {
  switch (v) {
    case AgeDistribution::uniform: return "uniform";
    case AgeDistribution::normal: return "normal";
    case AgeDistribution::lognormal: return "lognormal";
  }
  return "?";
}
const char* to_string(ArmRole v) { return v == ArmRole::control ? "control" : "active"; }
const char* to_string(Randomisation v) { return v == Randomisation::fixed ? "fixed" : "simple"; }
const char* to_string(AnalysisMethod) { return "ancova"; }
const char* to_string(Direction v) { return v == Direction::greater ? "greater" : "less"; }
const char* to_string(Multiplicity v) {
  switch (v) {
    case Multiplicity::none: return "none";
    case Multiplicity::bonferroni: return "bonferroni";
    case Multiplicity::holm: return "holm";
  }
  return "?";
}
const char* to_string(Covariate) { return "gmfcs"; }

}  // namespace celltrial
