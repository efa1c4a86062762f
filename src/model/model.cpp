#include "celltrial/model/model.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "celltrial/core/error.hpp"

namespace celltrial {

void TrialData::resize(std::size_t n) {
  arm.resize(n);
  stratum.resize(n);
  baseline.resize(n);
  change.resize(n);
  observed.resize(n);
}

Model::Model(const Scenario& s) : sc_(s) {
  arms_ = s.arms.size();
  CELLTRIAL_ASSERT(arms_ >= 2 && arms_ <= kMaxArms);
  const bool adjust_gmfcs = std::find(s.analysis.adjust_for.begin(), s.analysis.adjust_for.end(), Covariate::gmfcs) !=
                            s.analysis.adjust_for.end();
  strata_ = adjust_gmfcs ? kGmfcsLevels : 1;
  primary_ = s.analysis.primary_visit_months;

  // Fixed allocation: largest-remainder rounding of N * w_a / sum(w), ties to the earlier arm.
  const double wsum = std::accumulate(s.arms.begin(), s.arms.end(), 0.0,
                                      [](double acc, const Arm& a) { return acc + a.allocation; });
  const auto n = s.design.sample_size;
  fixed_counts_.assign(arms_, 0);
  std::vector<std::pair<double, std::size_t>> rem;
  std::int64_t used = 0;
  for (std::size_t a = 0; a < arms_; ++a) {
    const double exact = static_cast<double>(n) * s.arms[a].allocation / wsum;
    fixed_counts_[a] = static_cast<std::int64_t>(std::floor(exact));
    used += fixed_counts_[a];
    rem.emplace_back(-(exact - std::floor(exact)), a);
  }
  std::stable_sort(rem.begin(), rem.end());
  for (std::size_t k = 0; used < n; ++k, ++used) fixed_counts_[rem[k % arms_].second]++;

  double c = 0;
  for (const auto& a : s.arms) alloc_cdf_.push_back(c += a.allocation / wsum);
  alloc_cdf_.back() = 1.0;

  for (std::size_t a = 0; a < arms_; ++a)
    effect_primary_[a] = s.arms[a].role == ArmRole::active ? effect_at(s.arms[a], primary_) : 0.0;

  c = 0;
  for (int l = 0; l < kGmfcsLevels; ++l) {
    const auto i = static_cast<std::size_t>(l);
    mix_cdf_[i] = (c += s.population.cp.mix[i]);
    rate_months_[i] = s.population.cp.curves[i].age90_years * 12.0 / std::log(10.0);
    gain_fraction_[i] = 1.0 - std::exp(-primary_ / rate_months_[i]);
  }
  mix_cdf_.back() = 1.0;

  // Constant hazard of loss from randomisation to the last visit: P(lost by t) = 1-(1-p)^(t/T).
  const double last = s.design.visits_months.back();
  missing_threshold_ = 1.0 - std::pow(1.0 - s.design.dropout_by_last_visit, primary_ / last);

  const auto& age = s.population.age;
  if (age.distribution == AgeDistribution::lognormal) {
    const double s2 = std::log1p(age.sd_months * age.sd_months / (age.mean_months * age.mean_months));
    lognormal_sigma_ = std::sqrt(s2);
    lognormal_mu_ = std::log(age.mean_months) - s2 / 2;
  }
}

double Model::draw_age(Engine& g) const {
  const auto& a = sc_.population.age;
  switch (a.distribution) {
    case AgeDistribution::uniform:
      return a.min_months + (a.max_months - a.min_months) * uniform01(g);
    case AgeDistribution::normal:
      for (;;) {  // ages below 0 are redrawn; validation guarantees this terminates quickly
        const double x = a.mean_months + a.sd_months * std_normal(g);
        if (x >= 0) return x;
      }
    case AgeDistribution::lognormal:
      return std::exp(lognormal_mu_ + lognormal_sigma_ * std_normal(g));
  }
  return 0;
}

void Model::assign_arms(std::uint64_t seed, std::uint64_t trial, TrialData& out) const {
  const std::size_t n = out.size();
  if (sc_.design.randomisation == Randomisation::fixed) {
    // Exact arm sizes. Children are exchangeable, so listing arms in blocks is equivalent to a
    // random permutation and draws no random numbers.
    std::size_t j = 0;
    for (std::size_t a = 0; a < arms_; ++a)
      for (std::int64_t k = 0; k < fixed_counts_[a]; ++k) out.arm[j++] = static_cast<std::uint8_t>(a);
    return;
  }
  Engine g = make_stream(seed, trial, Purpose::randomisation);
  for (std::size_t j = 0; j < n; ++j) {
    const double u = uniform01(g);
    std::size_t a = 0;
    while (a + 1 < arms_ && u >= alloc_cdf_[a]) ++a;
    out.arm[j] = static_cast<std::uint8_t>(a);
  }
}

void Model::simulate(std::uint64_t seed, std::uint64_t trial, TrialData& out) const {
  const std::size_t n = static_cast<std::size_t>(sc_.design.sample_size);
  out.resize(n);
  assign_arms(seed, trial, out);

  Engine pop = make_stream(seed, trial, Purpose::population);
  Engine outc = make_stream(seed, trial, Purpose::outcomes);
  const auto& P = sc_.population;

  if (P.outcome_model == OutcomeModel::generic) {
    const auto& G = P.generic;
    out.screened = n;
    for (std::size_t j = 0; j < n; ++j) {
      const double x = G.baseline_mean + G.baseline_sd * std_normal(pop);
      const double y = G.intercept + G.slope * x + effect_primary_[out.arm[j]] + G.residual_sd * std_normal(outc);
      out.baseline[j] = x;
      out.change[j] = y - x;
      out.stratum[j] = 0;
    }
  } else {
    const auto& C = P.cp;
    const double lo = P.eligibility.min_age_months, hi = P.eligibility.max_age_months;
    std::uint64_t screened = 0;
    for (std::size_t j = 0; j < n; ++j) {
      double age;
      do {
        age = draw_age(pop);
        ++screened;
      } while (age < lo || age > hi);
      const double u = uniform01(pop);
      std::size_t level = 0;
      while (level + 1 < static_cast<std::size_t>(kGmfcsLevels) && u >= mix_cdf_[level]) ++level;
      const double limit = std::clamp(C.curves[level].limit + C.child_limit_sd * std_normal(outc), 0.0, 100.0);
      const double progress = C.progress_sd_per_year * std_normal(outc);
      const double e0 = C.measurement_sd * std_normal(outc);
      const double e1 = C.measurement_sd * std_normal(outc);
      // Stable-limit curve: score(a) = limit (1 - exp(-a/r)); the gain over t months is
      // limit exp(-a/r) (1 - exp(-t/r)).
      const double remaining = limit * std::exp(-age / rate_months_[level]);
      const double true0 = limit - remaining;
      const double gain = remaining * gain_fraction_[level] + progress * primary_ / 12.0;
      out.baseline[j] = true0 + e0;
      out.change[j] = gain + effect_primary_[out.arm[j]] + e1 - e0;
      out.stratum[j] = static_cast<std::uint8_t>(strata_ > 1 ? level : 0);
    }
    out.screened = screened;
  }

  if (missing_threshold_ > 0) {
    Engine drop = make_stream(seed, trial, Purpose::dropout);
    for (std::size_t j = 0; j < n; ++j) out.observed[j] = uniform01(drop) >= missing_threshold_ ? 1 : 0;
  } else {
    std::fill(out.observed.begin(), out.observed.end(), std::uint8_t{1});
  }
}

}  // namespace celltrial
