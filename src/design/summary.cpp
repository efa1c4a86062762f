#include "celltrial/design/summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "celltrial/core/error.hpp"
#include "celltrial/design/operating_characteristics.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/scenario/io.hpp"
#include "celltrial/version_info.hpp"

namespace celltrial {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();


}  // namespace

std::pair<double, double> wilson95(std::uint64_t x, std::uint64_t n) {
  if (n == 0) return {kNaN, kNaN};
  const double z = 1.959963984540054;
  const double dn = static_cast<double>(n), p = static_cast<double>(x) / dn;
  const double denom = 1 + z * z / dn;
  const double centre = (p + z * z / (2 * dn)) / denom;
  const double half = z * std::sqrt(p * (1 - p) / dn + z * z / (4 * dn * dn)) / denom;
  return {std::max(0.0, centre - half), std::min(1.0, centre + half)};
}

nlohmann::json summarise(const Scenario& s, const Accumulator& acc) { return summarise(s, acc, Model(s).truth()); }

nlohmann::json run_provenance(const Scenario& s) {
  return {{"format", "celltrial.run/1"},
          {"celltrial_version", build::version},
          {"git_commit", build::git_commit},
          {"seed", s.simulation.seed},
          {"trials", s.simulation.trials}};
}

nlohmann::json summarise(const Scenario& s, const Accumulator& acc, const Truth& truth) {
  return to_json(operating_characteristics(s, acc, truth));
}


}  // namespace celltrial
