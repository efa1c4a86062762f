#pragma once
// The outcome trajectory without treatment (cp model): each GMFCS level's mean motor curve, which
// approaches its limit with a rate set by age90, the decline after the peak age, and the
// measurement error of an assessment. Constants at the visits the model simulates are computed once.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <vector>

#include "celltrial/scenario/limits.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

class Trajectory {
 public:
  /// Constants at `visit_months` (at most kMaxVisits): the model's simulated visits, or every
  /// scheduled visit (FollowUp).
  Trajectory(const Scenario& s, const std::vector<double>& visit_months);

  /// Months for the curve to close 90 % of the gap to its limit, over ln 10: the curve's time constant.
  double rate_months(std::size_t level) const { return rate_months_[level]; }
  /// -1 / rate_months, per level.
  const std::array<double, kGmfcsLevels>& neg_inv_rates() const { return neg_inv_rate_; }
  double neg_inv_rate(std::size_t level) const { return neg_inv_rate_[level]; }
  /// 1 - exp(-t_k / rate): the share of the remaining curve gained by visit k.
  double gain_fraction(std::size_t level, std::size_t k) const { return gain_fraction_[level][k]; }
  /// Visit k in years.
  double visit_years(std::size_t k) const { return visit_years_[k]; }
  /// SD of an assessment's error (measurement and occasion).
  double noise_sd() const { return noise_sd_; }
  /// The decline after the peak age is simulated (cp model, enabled).
  bool decline_on() const { return decline_on_; }
  /// Points lost to the decline by `age_months` (0 before the peak age, or without decline).
  double decline(int level, double age_months) const {
    const auto& d = sc_.population.cp.decline;
    const auto i = static_cast<std::size_t>(level);
    if (!d.enabled || d.loss_points[i] <= 0) return 0;
    const double peak = d.peak_age_years[i] * 12, until = d.until_age_years * 12;
    return d.loss_points[i] * std::clamp((age_months - peak) / (until - peak), 0.0, 1.0);
  }
  /// A child's observed score at baseline, and its change from baseline at a visit, from its
  /// latent values: the curve still to gain (`remaining`) times the share gained by the visit, less
  /// the decline since baseline (`lost`), plus its own progress, the treatment (`effect`, and
  /// `het_term` for its deviation), the sham effect, and the visit's assessment error less the
  /// baseline's (`e0`). Every child loop of the model and the follow-up compute them here; the fast
  /// loop passes the terms it does not have (decline, heterogeneity) as constant zeros, so all give
  /// the same values for the same child.
  static double baseline_score(double limit, double remaining, double d0, double e0) { return limit - remaining - d0 + e0; }
  static double change(double remaining, double gain_fraction, double lost, double progress, double years, double effect,
                       double het_term, double sham, double error, double e0) {
    return remaining * gain_fraction - lost + progress * years + effect + het_term + sham + error - e0;
  }
  /// The change the mean curve of a child's GMFCS level predicts from `age_months` over `months`
  /// (analysis.endpoint excess_over_expected).
  double expected_change(int level, double age_months, double months) const;
  /// Whether the curve's exponent age / rate stays inside fast_exp_in_range()'s range for every
  /// level at the ages `lo` and `hi` (and so between them).
  bool fast_exp_covers(double lo, double hi) const {
    bool ok = true;
    for (std::size_t l = 0; l < kGmfcsLevels; ++l)
      ok = ok && std::fabs(lo) * -neg_inv_rate_[l] < 200 && std::fabs(hi) * -neg_inv_rate_[l] < 200;
    return ok;
  }

 private:
  const Scenario& sc_;
  std::array<double, kGmfcsLevels> rate_months_{};
  std::array<double, kGmfcsLevels> neg_inv_rate_{};  ///< -1 / rate_months_
  std::array<std::array<double, kMaxVisits>, kGmfcsLevels> gain_fraction_{};  ///< 1 - exp(-t_k / rate)
  std::array<double, kMaxVisits> visit_years_{};  ///< visit months / 12
  double noise_sd_ = 0;
  bool decline_on_ = false;
};

}  // namespace celltrial
