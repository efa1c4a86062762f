#pragma once
// The patient-level model: who is enrolled, which arm they get, how they progress, who drops out.
//
// Model::simulate fills a TrialData for one trial from the trial's own random streams. Everything
// that does not change between trials (arm counts, curve rates, thresholds) is computed once in
// the constructor.
#include <array>
#include <cstdint>
#include <vector>

#include "celltrial/core/random.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

inline constexpr std::size_t kMaxArms = 8;

/// One trial's participants, structure-of-arrays. Only randomised children appear.
struct TrialData {
  std::vector<std::uint8_t> arm;       ///< arm index into Scenario::arms
  std::vector<std::uint8_t> stratum;   ///< GMFCS level 0..4 (cp model), 0 otherwise
  std::vector<double> baseline;        ///< observed baseline score
  std::vector<double> change;          ///< observed change from baseline at the primary visit
  std::vector<std::uint8_t> observed;  ///< 1 when assessed at the primary visit (not dropped out)
  std::uint64_t screened = 0;          ///< children screened to randomise these

  void resize(std::size_t n);
  std::size_t size() const { return arm.size(); }
};

class Model {
 public:
  explicit Model(const Scenario& s);

  /// Simulates trial `trial` of the run seeded with `seed`.
  void simulate(std::uint64_t seed, std::uint64_t trial, TrialData& out) const;

  /// True effect (active - control) of `arm` at the primary visit, averaged over the population.
  double true_effect(std::size_t arm) const { return effect_primary_[arm]; }
  /// Number of children randomised to each arm under fixed allocation.
  const std::vector<std::int64_t>& fixed_arm_counts() const { return fixed_counts_; }
  std::size_t arm_count() const { return arms_; }
  std::size_t strata() const { return strata_; }

 private:
  void assign_arms(std::uint64_t seed, std::uint64_t trial, TrialData& out) const;
  double draw_age(Engine& g) const;

  const Scenario& sc_;
  std::size_t arms_ = 0;
  std::size_t strata_ = 1;
  std::vector<std::int64_t> fixed_counts_;
  std::vector<double> alloc_cdf_;
  std::array<double, kMaxArms> effect_primary_{};
  std::array<double, kGmfcsLevels> mix_cdf_{};
  std::array<double, kGmfcsLevels> rate_months_{};
  std::array<double, kGmfcsLevels> gain_fraction_{};  ///< 1 - exp(-primary / rate)
  double primary_ = 12;
  double missing_threshold_ = 0;  ///< P(missing at the primary visit)
  double lognormal_mu_ = 0, lognormal_sigma_ = 1;
};

}  // namespace celltrial
