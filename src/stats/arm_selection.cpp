#include "celltrial/stats/arm_selection.hpp"

#include <algorithm>
#include <utility>
#include <array>
#include <cmath>
#include <limits>

#include "celltrial/stats/enrichment.hpp"

namespace celltrial::stats {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The Z of the intersection over mask at one stage (NaN when none of its arms has a statistic).
double intersection_z(const double* z, std::size_t m, unsigned mask, bool simes) {
  std::array<double, kMaxClosedArms> p{};
  for (std::size_t j = 0; j < m; ++j) p[j] = (mask >> j & 1u) ? p_of_z(z[j]) : kNaN;
  return z_of_p(intersection_p(p.data(), m, mask, simes));
}

// Whether every intersection containing arm j is in `rejected` (indexed by mask).
bool all_containing(const std::array<bool, (1u << kMaxClosedArms)>& rejected, std::size_t m, std::size_t j) {
  for (unsigned mask = 1; mask < (1u << m); ++mask)
    if ((mask >> j & 1u) && !rejected[mask]) return false;
  return true;
}
}  // namespace

double intersection_p(const double* p, std::size_t m, unsigned mask, bool simes) {
  std::array<double, kMaxClosedArms> q{};
  std::size_t k = 0;
  for (std::size_t j = 0; j < m; ++j)
    if ((mask >> j & 1u) && !std::isnan(p[j])) q[k++] = p[j];
  if (k == 0) return kNaN;
  // Insertion sort of at most kMaxClosedArms values.
  for (std::size_t i = 1; i < k; ++i)
    for (std::size_t j = i; j > 0 && q[j] < q[j - 1]; --j) std::swap(q[j], q[j - 1]);
  const double n = static_cast<double>(k);
  if (!simes) return std::min(1.0, n * q[0]);
  double best = 1;
  for (std::size_t i = 0; i < k; ++i) best = std::min(best, n * q[i] / static_cast<double>(i + 1));
  return best;
}

unsigned closed_test_interim(const double* z1, std::size_t m, bool simes, double c1) {
  std::array<bool, (1u << kMaxClosedArms)> rejected{};
  for (unsigned mask = 1; mask < (1u << m); ++mask) rejected[mask] = intersection_z(z1, m, mask, simes) >= c1;
  unsigned claims = 0;
  for (std::size_t j = 0; j < m; ++j)
    if (all_containing(rejected, m, j)) claims |= 1u << j;
  return claims;
}

unsigned closed_test_final(const double* z1, const double* z2, std::size_t m, bool simes, double w1, double c1,
                           double c2) {
  std::array<bool, (1u << kMaxClosedArms)> rejected{};
  for (unsigned mask = 1; mask < (1u << m); ++mask) {
    const double s1 = intersection_z(z1, m, mask, simes);
    rejected[mask] = s1 >= c1 || combine(s1, intersection_z(z2, m, mask, simes), w1) >= c2;  // false for NaN
  }
  unsigned claims = 0;
  for (std::size_t j = 0; j < m; ++j)
    if (!std::isnan(z2[j]) && all_containing(rejected, m, j)) claims |= 1u << j;
  return claims;
}

}  // namespace celltrial::stats
