#pragma once
// Random streams.
//
// Every random number in a trial comes from a stream that depends only on
// (master seed, trial index, purpose). Purposes are separate PCG-64 sequences (distinct
// increments); the trial index and seed choose the starting state through a SplitMix64-style
// mixing function. Nothing depends on threads, shards, MPI ranks or the clock, and adding a new
// purpose never shifts the numbers the others draw.
#include <cstdint>

#include <boost/random/normal_distribution.hpp>
#include <pcg_random.hpp>

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

/// Uniform on [0, 1) with 53 random bits.
inline double uniform01(Engine& g) noexcept {
  return static_cast<double>(g() >> 11) * 0x1.0p-53;
}

/// Standard normal deviate (Boost's ziggurat, stateless so it may be created per call).
inline double std_normal(Engine& g) noexcept {
  boost::random::normal_distribution<double> n(0.0, 1.0);
  return n(g);
}

}  // namespace celltrial
