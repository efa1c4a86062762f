#include "celltrial/stats/enrichment.hpp"

#include <algorithm>
#include <limits>

#include <boost/math/distributions/normal.hpp>

namespace celltrial::stats {

namespace {
const boost::math::normal_distribution<double> kNormal;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

double p_of_z(double z) {
  if (std::isnan(z)) return kNaN;
  if (z == std::numeric_limits<double>::infinity()) return 0;
  if (z == -std::numeric_limits<double>::infinity()) return 1;
  return boost::math::cdf(boost::math::complement(kNormal, z));
}

double z_of_p(double p) {
  if (std::isnan(p)) return kNaN;
  if (!(p > 0)) return std::numeric_limits<double>::infinity();
  if (!(p < 1)) return -std::numeric_limits<double>::infinity();
  // -Phi^-1(p) keeps the precision of a small p (1 - p would round to 1).
  return -boost::math::quantile(kNormal, p);
}

double intersection_p(double p1, double p2, bool simes) {
  if (std::isnan(p1) || std::isnan(p2)) return kNaN;
  const double lo = std::min(p1, p2), hi = std::max(p1, p2);
  return simes ? std::min(2 * lo, hi) : std::min(1.0, 2 * lo);
}

StageZ stage_z(double z_full, double z_subgroup, bool simes) {
  StageZ s{z_full, z_subgroup, kNaN};
  if (!std::isnan(z_full) && !std::isnan(z_subgroup))
    s.intersection = z_of_p(intersection_p(p_of_z(z_full), p_of_z(z_subgroup), simes));
  else
    s.intersection = std::isnan(z_full) ? z_subgroup : z_full;
  return s;
}

double combine(double z1, double z2, double w1) {
  if (std::isnan(z1) || std::isnan(z2)) return kNaN;
  return w1 * z1 + std::sqrt(1 - w1 * w1) * z2;
}

ClosedDecision closed_test_interim(const StageZ& s, double c1) {
  ClosedDecision d;
  const bool intersection = s.intersection >= c1;  // false for NaN
  d.full = intersection && s.full >= c1;
  d.subgroup = intersection && s.subgroup >= c1;
  return d;
}

ClosedDecision closed_test_final(const StageZ& s1, const StageZ& s2, double w1, double c) {
  ClosedDecision d;
  const bool intersection = combine(s1.intersection, s2.intersection, w1) >= c;
  d.full = intersection && combine(s1.full, s2.full, w1) >= c;
  d.subgroup = intersection && combine(s1.subgroup, s2.subgroup, w1) >= c;
  return d;
}

}  // namespace celltrial::stats
