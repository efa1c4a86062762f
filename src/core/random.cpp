#include "celltrial/core/random.hpp"

#include <cmath>

namespace celltrial::detail {

namespace {
template <class G>
double slow_path(G& g, unsigned layer, double z, double sign) noexcept {
  for (;;) {
    const auto& t = kZiggurat;
    if (layer == 0) {
      // Tail beyond r (Marsaglia 1964): a = -ln(U1)/r, b = -ln(U2), accept when 2b > a^2.
      for (;;) {
        const double a = -std::log(1.0 - uniform01(g)) / ZigguratTables::r;
        const double b = -std::log(1.0 - uniform01(g));
        if (2 * b > a * a) return sign * (ZigguratTables::r + a);
      }
    }
    // Wedge: accept when a uniform height under the layer falls below the density at z.
    const double y = t.f[layer] + uniform01(g) * (t.f[layer + 1] - t.f[layer]);
    if (y < std::exp(-0.5 * z * z)) return sign * z;
    // Rejected: a fresh draw, as in std_normal().
    const std::uint64_t u = g();
    layer = static_cast<unsigned>(u & 0xFFu);
    sign = (u & 0x100u) ? -1.0 : 1.0;
    z = static_cast<double>(u >> 11) * 0x1.0p-53 * t.x[layer];
    if (z < t.x[layer + 1]) return sign * z;
  }
}

}  // namespace

double std_normal_slow(Engine& g, unsigned layer, double z, double sign) noexcept { return slow_path(g, layer, z, sign); }
double std_normal_slow(LocalEngine& g, unsigned layer, double z, double sign) noexcept { return slow_path(g, layer, z, sign); }

}  // namespace celltrial::detail
