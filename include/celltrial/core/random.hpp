#pragma once
// Random streams.
//
// Every random number in a trial comes from a stream that depends only on
// (master seed, trial index, purpose). Purposes are separate PCG-64 sequences (distinct
// increments); the trial index and seed choose the starting state through a SplitMix64-style
// mixing function. Nothing depends on threads, shards, MPI ranks or the clock, and adding a new
// purpose never shifts the numbers the others draw.
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include <pcg_random.hpp>

#include "celltrial/core/math_tables.hpp"

namespace celltrial {

/// Named substreams. Values are part of the reproducibility contract: never renumber.
enum class Purpose : std::uint64_t {
  population = 1,     ///< who is enrolled: age, GMFCS, weight, baseline
  randomisation = 2,  ///< arm assignment
  outcomes = 3,       ///< child-specific trajectories and measurement error
  dropout = 4,        ///< loss to follow-up
  safety = 5,         ///< adverse events
  dosing = 6,         ///< cell dose (unit size, recovery)
  effect = 7,         ///< between-child treatment-effect heterogeneity
  estimand = 8,       ///< pre-run computation of the true population effect
  prior = 9,          ///< effect drawn from a design prior (assurance)
  sex = 10,           ///< sex, when a subgroup needs it and no weight is simulated
  accrual = 11,       ///< calendar times of screening and randomisation (design.accrual)
  visits = 12,        ///< assessments at the visits the outcome model does not simulate itself (generic: their residuals)
  follow_up = 13,     ///< when a child drops out (the month), and dropout after the primary visit (generic model on progress: all of it)
  events = 14,        ///< intercurrent events (design.intercurrent_events)
  missed_visits = 15, ///< intermittent missed visits (design.dropout.missed_visit)
  delayed = 16,       ///< the delayed group's treatment effect (design.delayed_start_month)
  enrichment = 17,    ///< the children enrolled after an interim look restricts the trial to a subgroup (design.interims.enrichment)
  arm_selection = 18, ///< the children enrolled after an interim look drops arms (design.interims.arm_selection)
};

using Engine = pcg64;

/// SplitMix64 finaliser: a bijective, well-mixing 64-bit hash.
constexpr std::uint64_t mix64(std::uint64_t z) noexcept {
  z += 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// The stream for one purpose of one trial.
inline Engine make_stream(std::uint64_t seed, std::uint64_t trial, Purpose purpose) noexcept {
  const std::uint64_t p = static_cast<std::uint64_t>(purpose);
  const std::uint64_t a = mix64(seed ^ mix64(trial));
  const std::uint64_t b = mix64(a ^ mix64(p + 0x632BE59BD9B4E019ULL));
  const pcg_extras::pcg128_t state = (static_cast<pcg_extras::pcg128_t>(a) << 64) | b;
  const pcg_extras::pcg128_t stream = (static_cast<pcg_extras::pcg128_t>(mix64(p)) << 64) | p;
  return Engine(state, stream);
}

/// An Engine's state held in a loop's local variables. The same numbers as the Engine it was
/// taken from; GCC keeps an Engine's 128-bit state in memory even when it is a local, so a hot
/// loop that steps a LocalEngine avoids a store and a load per draw on its critical path.
class LocalEngine {
 public:
  explicit LocalEngine(const Engine& g) noexcept : state_(Access::state(g)), inc_(Access::increment(g)) {}
  /// The next output, exactly as Engine::operator() (pcg64 outputs the new state).
  std::uint64_t operator()() noexcept {
    state_ = state_ * kMultiplier + inc_;
    const auto hi = static_cast<std::uint64_t>(state_ >> 64), lo = static_cast<std::uint64_t>(state_);
    return std::rotr(hi ^ lo, static_cast<int>(hi >> 58));
  }

 private:
  using u128 = pcg_extras::pcg128_t;
  static constexpr u128 kMultiplier = pcg_detail::default_multiplier<u128>::multiplier();  // pcg64's
  // pcg64's state and increment are protected members; a derived class may name them.
  struct Access : Engine {
    static const u128& state(const Engine& g) noexcept { return g.*(&Access::state_); }
    static const u128& increment(const Engine& g) noexcept { return g.*(&Access::inc_); }
  };
  u128 state_, inc_;
};

/// Uniform on [0, 1) with 53 random bits.
template <class G>
  requires std::is_same_v<G, Engine> || std::is_same_v<G, LocalEngine>
inline double uniform01(G& g) noexcept {
  return static_cast<double>(g() >> 11) * 0x1.0p-53;
}

/// The integer t for which uniform01(g) < p exactly when (g() >> 11) < t, for p in [0, 1]
/// (p * 2^53 is exact, and k < x for an integer k exactly when k < ceil(x)).
inline std::uint64_t below_threshold(double p) noexcept {
  return static_cast<std::uint64_t>(std::ceil(p * 0x1.0p53));
}

namespace detail {
/// Tables of a 256-layer ziggurat for the standard normal (Marsaglia & Tsang 2000): layer i is
/// the rectangle [0, x[i]] x [f(x[i]), f(x[i+1])], each of area v; layer 0 also holds the tail
/// beyond r. The literals of core/math_tables.hpp, which GCC checks against their compile-time
/// evaluation (exp/log/sqrt exactly rounded), so the tables are the same bits on every machine and
/// for every compiler.
struct ZigguratTables {
  static constexpr double r = 3.6541528853610088;
  static constexpr double v = 0.00492867323399;
  std::array<double, 257> x{};
  std::array<double, 257> f{};
};
inline constexpr ZigguratTables kZiggurat{tables::kZigguratX, tables::kZigguratF};
#if defined(__GNUC__) && !defined(__clang__)
constexpr ZigguratTables make_ziggurat() {
  ZigguratTables t{};
  const double r = ZigguratTables::r, v = ZigguratTables::v;
  t.x[0] = v / __builtin_exp(-0.5 * r * r);
  t.x[1] = r;
  for (std::size_t i = 1; i < 255; ++i)
    t.x[i + 1] = __builtin_sqrt(-2.0 * __builtin_log(v / t.x[i] + __builtin_exp(-0.5 * t.x[i] * t.x[i])));
  t.x[256] = 0;
  for (std::size_t i = 0; i < 257; ++i) t.f[i] = __builtin_exp(-0.5 * t.x[i] * t.x[i]);
  return t;
}
static_assert(same_bits(make_ziggurat().x, kZiggurat.x) && same_bits(make_ziggurat().f, kZiggurat.f),
              "core/math_tables.hpp: the ziggurat table differs from its exactly rounded evaluation");
#endif

/// The rare cases: the tail beyond r (layer 0) and the wedges. Returns a deviate, drawing afresh
/// when the candidate is rejected.
double std_normal_slow(Engine& g, unsigned layer, double z, double sign) noexcept;
double std_normal_slow(LocalEngine& g, unsigned layer, double z, double sign) noexcept;

/// std_normal() for an Engine or a LocalEngine.
template <class G>
inline double std_normal(G& g) noexcept {
  const std::uint64_t u = g();
  const unsigned layer = static_cast<unsigned>(u & 0xFFu);
  const double z = static_cast<double>(u >> 11) * 0x1.0p-53 * kZiggurat.x[layer];
  // The sign is applied by flipping the sign bit (no data-dependent branch).
  const std::uint64_t sign_bit = (u & 0x100u) << 55;
  if (z < kZiggurat.x[layer + 1]) [[likely]]
    return std::bit_cast<double>(std::bit_cast<std::uint64_t>(z) ^ sign_bit);
  if constexpr (std::is_same_v<G, LocalEngine>) {
    // On a copy, so that the loop's engine never has its address taken.
    LocalEngine copy = g;
    const double x = std_normal_slow(copy, layer, z, sign_bit ? -1.0 : 1.0);
    g = copy;
    return x;
  } else {
    return std_normal_slow(g, layer, z, sign_bit ? -1.0 : 1.0);
  }
}
}  // namespace detail

/// Standard normal deviate by the ziggurat method. One 64-bit draw per deviate in about 99 % of
/// calls: bits 0-7 pick the layer, bit 8 the sign, bits 11-63 the position in the layer.
inline double std_normal(Engine& g) noexcept { return detail::std_normal(g); }

/// The same deviates from a LocalEngine, for hot loops.
inline double std_normal(LocalEngine& g) noexcept { return detail::std_normal(g); }

}  // namespace celltrial
