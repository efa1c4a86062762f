#include "celltrial/stats/reestimation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <boost/math/distributions/normal.hpp>

namespace celltrial::stats {

namespace {
const boost::math::normal_distribution<double> kNormal;
}

double combination_conditional_power(double z1, double n1, double m, double w1, double c) {
  const double w2 = std::sqrt(1 - w1 * w1);
  const double x = (c - w1 * z1) / w2 - z1 * std::sqrt(m / n1);
  return boost::math::cdf(boost::math::complement(kNormal, x));
}

double second_stage_for_power(double z1, double n1, double w1, double c, double target) {
  const double w2 = std::sqrt(1 - w1 * w1);
  // CP(m) >= target  <=>  z1 sqrt(m / n1) >= (c - w1 z1) / w2 + Phi^-1(target) =: b.
  const double b = (c - w1 * z1) / w2 + boost::math::quantile(kNormal, target);
  if (b <= 0) return 0;
  if (!(z1 > 0)) return std::numeric_limits<double>::infinity();
  const double r = b / z1;
  return n1 * r * r;
}

std::int64_t reestimated_sample_size(double z1, std::int64_t n1, std::int64_t planned, std::int64_t cap, double c,
                                     double target) {
  const double n1d = static_cast<double>(n1);
  const double w1 = std::sqrt(n1d / static_cast<double>(planned));
  const double m = second_stage_for_power(z1, n1d, w1, c, target);
  const double total = n1d + m;
  // Compare before converting: the total may be infinite or beyond any integer.
  if (!(total < static_cast<double>(cap))) return cap;
  // A total such as 250.00000000000003 from rounding is 250 children (round away the last bits).
  const auto n = static_cast<std::int64_t>(std::ceil(total * (1 - 1e-12)));
  return std::clamp(n, planned, cap);
}

}  // namespace celltrial::stats
