#include "celltrial/scenario/interims.hpp"

#include <cmath>

namespace celltrial {

stats::BoundariesOptions interim_boundaries_options(const Scenario& s) {
  const Interims& in = s.design.interims;
  stats::BoundariesOptions o;
  o.information_fractions = in.information;
  o.information_fractions.push_back(1.0);
  o.looks = static_cast<int>(o.information_fractions.size());
  o.boundary = to_string(in.boundary);
  if (std::isfinite(in.parameter)) o.parameter = in.parameter;
  o.alpha = s.analysis.alpha;
  o.sides = s.analysis.sides;
  return o;
}

stats::Boundaries interim_boundaries(const Scenario& s) { return stats::compute_boundaries(interim_boundaries_options(s)); }

std::vector<std::int64_t> interim_children(const Scenario& s) {
  std::vector<std::int64_t> m;
  const double n = static_cast<double>(s.design.sample_size);
  // A fraction such as 0.3 of 1000 is 300 (not 301 from 300.00000000000006): round away the last bits.
  for (double t : s.design.interims.information) m.push_back(static_cast<std::int64_t>(std::ceil(t * n * (1 - 1e-12))));
  return m;
}

}  // namespace celltrial
