#pragma once
// The screened population: each child's GMFCS level, age, sex and weight (from the population
// stream), and whether the child meets the eligibility criteria (with the cord blood unit found at
// screening, from the dosing stream). The level tables are built once; the draws are inline for the
// model's child loops.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "celltrial/core/random.hpp"
#include "celltrial/model/child.hpp"
#include "celltrial/model/dosing.hpp"
#include "celltrial/scenario/limits.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

class PopulationModel {
 public:
  /// `dosing` says whether any arm has a product (the children's weights are then simulated).
  PopulationModel(const Scenario& s, const Dosing& dosing);

  /// The GMFCS level of a 53-bit uniform draw.
  std::size_t level_of_draw(std::uint64_t u) const {
    // The number of cumulative shares at or below the draw, searched from the level where the draw's
    // 1/256 slice starts.
    std::size_t level = mix_guide_[u >> 45];
    while (u >= mix_below_[level]) ++level;
    return level;
  }
  /// Draws one screened child's age, level, sex and weight from the population stream.
  void draw_child(Engine& pop, Child& c) const;
  /// Whether a drawn child meets the screening limits (draws the screening unit of `dosing` from
  /// `dosing_stream` when there is one).
  bool eligible(Child& c, const Dosing& dosing, Engine& dosing_stream) const;
  /// Draws children until one is eligible; returns the number screened (capped; 0 if the cap
  /// was reached without an eligible child).
  std::uint64_t screen_child(Engine& pop, const Dosing& dosing, Engine& dosing_stream, Child& c) const {
    constexpr std::uint64_t kCap = 100000000;  // unreachable once the yield check has passed
    for (std::uint64_t screened = 1; screened <= kCap; ++screened) {
      draw_child(pop, c);
      if (eligible(c, dosing, dosing_stream)) return screened;
    }
    return 0;
  }
  /// Median weight in kg at an age, by sex (linear between the table's ages, flat beyond them).
  double median_weight(double age_months, bool male) const;

  /// Ages are uniform: one draw gives a child's level and age.
  bool age_uniform() const { return age_uniform_; }
  double age_min() const { return age_min_; }    ///< lowest age of the age distribution (months)
  double age_span() const { return age_span_; }  ///< uniform ages: max - min
  /// Where each level's draws start, and 1 / their number (0 for a level of share 0).
  const std::array<std::uint64_t, kGmfcsLevels>& mix_start() const { return mix_start_; }
  const std::array<double, kGmfcsLevels>& mix_inv_width() const { return mix_inv_width_; }
  /// Weights are simulated (a product, or weight limits), and sex with them.
  bool needs_weight() const { return needs_weight_; }
  /// Sex is drawn for each enrolled child from a stream of its own (a subgroup by sex, no weight).
  bool sex_own_stream() const { return sex_own_stream_; }
  /// Uniform ages: every draw passes screening (the ages stay within the age limits and every
  /// level that can be drawn may enrol; no weight or dose limits apply without weights and units).
  bool all_eligible() const { return all_eligible_; }

 private:
  double draw_age_other(Engine& g) const;

  const Scenario& sc_;
  std::array<double, kGmfcsLevels> mix_cdf_{};
  /// below_threshold(mix_cdf_[k]), then a sentinel above every draw; and the level at the start
  /// of each of 256 equal slices of the draws, where the search for a draw's level begins.
  std::array<std::uint64_t, kGmfcsLevels> mix_below_{};
  std::array<std::uint8_t, 256> mix_guide_{};
  /// Where each level's draws start, and 1 / their number: the position of a draw within its
  /// level's draws is uniform on [0, 1) and independent of the level.
  std::array<std::uint64_t, kGmfcsLevels> mix_start_{};
  std::array<double, kGmfcsLevels> mix_inv_width_{};
  bool age_uniform_ = true;
  double age_min_ = 0, age_span_ = 0;  ///< min and max - min of the age limits of the distribution
  double lognormal_mu_ = 0, lognormal_sigma_ = 1;
  std::vector<double> age_table_cdf_;
  bool needs_weight_ = false;
  bool sex_own_stream_ = false;
  bool all_eligible_ = false;
};

inline double PopulationModel::draw_age_other(Engine& g) const {
  const auto& a = sc_.population.age;
  switch (a.distribution) {
    case AgeDistribution::uniform:
      return age_min_ + age_span_ * uniform01(g);
    case AgeDistribution::normal:
      for (;;) {  // ages below 0 are redrawn; validation keeps this quick
        const double x = a.mean_months + a.sd_months * std_normal(g);
        if (x >= 0) return x;
      }
    case AgeDistribution::lognormal:
      return std::exp(lognormal_mu_ + lognormal_sigma_ * std_normal(g));
    case AgeDistribution::table: {
      const double u = uniform01(g), v = uniform01(g);
      std::size_t k = 0;
      while (k + 1 < age_table_cdf_.size() && u >= age_table_cdf_[k]) ++k;
      return a.table_edges[k] + v * (a.table_edges[k + 1] - a.table_edges[k]);
    }
  }
  return 0;
}

inline double PopulationModel::median_weight(double age_months, bool male) const {
  const auto& w = sc_.population.weight;
  const auto& kg = male ? w.boys_kg : w.girls_kg;
  const auto& m = w.table_months;
  if (age_months <= m.front()) return kg.front();
  if (age_months >= m.back()) return kg.back();
  const auto it = std::upper_bound(m.begin(), m.end(), age_months);
  const std::size_t k = static_cast<std::size_t>(it - m.begin());
  const double f = (age_months - m[k - 1]) / (m[k] - m[k - 1]);
  return kg[k - 1] + f * (kg[k] - kg[k - 1]);
}

inline void PopulationModel::draw_child(Engine& pop, Child& c) const {
  const auto& P = sc_.population;
  if (age_uniform_) {
    // One draw gives both: the level from where it falls among the cumulative shares, the age
    // from where it falls within that level's share.
    const std::uint64_t u = pop() >> 11;
    const std::size_t level = level_of_draw(u);
    c.level = static_cast<int>(level);
    c.age = age_min_ + age_span_ * (static_cast<double>(u - mix_start_[level]) * mix_inv_width_[level]);
  } else {
    c.age = draw_age_other(pop);
    c.level = static_cast<int>(level_of_draw(pop() >> 11));
  }
  if (needs_weight_) {
    c.male = uniform01(pop) < P.male_fraction;
    const auto i = static_cast<std::size_t>(c.level);
    const double med = median_weight(c.age, c.male);
    c.weight = std::max(0.3 * med, med * (1 + P.weight.cv * (std_normal(pop) + P.weight.gmfcs_z_shift[i])));
  }
}

inline bool PopulationModel::eligible(Child& c, const Dosing& dosing, Engine& dosing_stream) const {
  const auto& el = sc_.population.eligibility;
  if (c.age < el.min_age_months || c.age > el.max_age_months) return false;
  if (!el.gmfcs[static_cast<std::size_t>(c.level)]) return false;
  if (needs_weight_ && (c.weight < el.min_weight_kg || c.weight > el.max_weight_kg)) return false;
  if (dosing.screening_ucb_arm() >= 0) {
    c.screening_dose = dosing.ucb_dose(sc_.arms[static_cast<std::size_t>(dosing.screening_ucb_arm())], c, dosing_stream, c.hla);
    if (c.screening_dose < el.min_ucb_tnc_per_kg) return false;
  }
  return true;
}

}  // namespace celltrial
