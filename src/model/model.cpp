#include "celltrial/model/model.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>
#include <type_traits>

#include "celltrial/core/error.hpp"
#include "celltrial/core/fastmath.hpp"
#include "celltrial/model/subgroups.hpp"
#include "celltrial/scenario/io.hpp"

namespace celltrial {

void TrialData::resize(std::size_t n) {
  arm.resize(n);
  stratum.resize(n);
  level.resize(n);
  age.resize(n);
  dose.resize(n);
  planned_dose.resize(n);
  male.resize(n);
  hla.resize(n);
  baseline.resize(n);
  change.resize(n);
  observed.resize(n);
  screens.resize(n);
}

double Model::dose_unit(ProductType p) { return p == ProductType::ucb ? 1e7 : 1e6; }

namespace {
bool trivial_modifiers(const Arm& a) {
  const auto& m = a.modifiers;
  bool t = m.age_breaks_months.empty() && m.age_multipliers.size() == 1 && m.age_multipliers[0] == 1;
  for (double x : m.gmfcs) t = t && x == 1;
  for (double x : m.hla_mismatch) t = t && x == 1;
  if (a.product == ProductType::msc) {
    t = t && a.msc.route_multiplier[static_cast<std::size_t>(a.msc.route)] == 1;
    t = t && (a.msc.dose_count_multiplier.empty() ||
              a.msc.dose_count_multiplier[static_cast<std::size_t>(a.msc.doses - 1)] == 1);
  }
  return t && a.dose_response.model == DoseResponseModel::none;
}

// A GMFM-66 score kept within [0, 100]: the same values as std::clamp, without branches.
inline double clamp_score(double x) { return std::min(std::max(x, 0.0), 100.0); }

// Draws an index from cumulative shares.
template <std::size_t N>
int pick(const std::array<double, N>& shares, double u) {
  double c = 0;
  for (std::size_t k = 0; k + 1 < N; ++k) {
    c += shares[k];
    if (u < c) return static_cast<int>(k);
  }
  return static_cast<int>(N - 1);
}

}  // namespace

Model::Model(const Scenario& s, const PreRunSizes& pre_run, bool every_visit) : sc_(s), pre_run_(pre_run) {
  arms_ = s.arms.size();
  CELLTRIAL_ASSERT(arms_ >= 2 && arms_ <= kMaxArms);
  const bool cp = s.population.outcome_model == OutcomeModel::cp;
  const bool adjust_gmfcs = std::find(s.analysis.adjust_for.begin(), s.analysis.adjust_for.end(), Covariate::gmfcs) !=
                            s.analysis.adjust_for.end();
  strata_ = adjust_gmfcs ? kGmfcsLevels : 1;
  const double primary = s.analysis.primary_visit_months;

  // Visits simulated: every visit up to the primary when dropout depends on observed progress.
  if (s.design.dropout_per_point != 0) {
    for (double v : s.design.visits_months)
      if (v <= primary) visit_months_.push_back(v);
  } else {
    visit_months_.push_back(primary);
  }
  CELLTRIAL_ASSERT(!visit_months_.empty() && visit_months_.size() <= kMaxVisits);
  visits_ = visit_months_.size();

  arm_sequence_ = fixed_arm_sequence(s, s.design.sample_size);
  for (std::uint8_t a : arm_sequence_) arm_counts_[a] += 1;
  const double wsum = std::accumulate(s.arms.begin(), s.arms.end(), 0.0,
                                      [](double acc, const Arm& a) { return acc + a.allocation; });
  double c = 0;
  for (const auto& a : s.arms) alloc_cdf_.push_back(c += a.allocation / wsum);
  alloc_cdf_.back() = 1.0;

  for (std::size_t a = 0; a < arms_; ++a)
    for (std::size_t k = 0; k < visits_; ++k)
      effect_visit_[a][k] = s.arms[a].role == ArmRole::active ? effect_at(s.arms[a], visit_months_[k]) : 0.0;
  for (std::size_t k = 0; k < visits_; ++k) sham_visit_[k] = interpolate_by_month(s.design.sham_effect_by_month, visit_months_[k]);

  c = 0;
  for (int l = 0; l < kGmfcsLevels; ++l) {
    const auto i = static_cast<std::size_t>(l);
    mix_cdf_[i] = (c += s.population.cp.mix[i]);
    rate_months_[i] = s.population.cp.curves[i].age90_years * 12.0 / std::log(10.0);
    for (std::size_t k = 0; k < visits_; ++k) gain_fraction_[i][k] = 1.0 - std::exp(-visit_months_[k] / rate_months_[i]);
  }
  mix_cdf_.back() = 1.0;
  for (std::size_t k = 0; k + 1 < kGmfcsLevels; ++k) mix_below_[k] = below_threshold(mix_cdf_[k]);
  mix_below_.back() = ~std::uint64_t{0};
  for (std::size_t b = 0; b < mix_guide_.size(); ++b) {
    std::uint8_t l = 0;
    while ((std::uint64_t{b} << 45) >= mix_below_[l]) ++l;
    mix_guide_[b] = l;
  }
  for (std::size_t l = 0; l < kGmfcsLevels; ++l) {
    mix_start_[l] = l ? mix_below_[l - 1] : 0;
    const std::uint64_t end = l + 1 < kGmfcsLevels ? mix_below_[l] : std::uint64_t{1} << 53;
    mix_inv_width_[l] = end > mix_start_[l] ? 1.0 / static_cast<double>(end - mix_start_[l]) : 0.0;
  }
  for (int l = 0; l < kGmfcsLevels; ++l) neg_inv_rate_[static_cast<std::size_t>(l)] = -1 / rate_months_[static_cast<std::size_t>(l)];
  for (std::size_t k = 0; k < visits_; ++k) visit_years_[k] = visit_months_[k] / 12.0;
  for (std::size_t a = 0; a < arms_; ++a) {
    const double primary_effect = effect_visit_[a][visits_ - 1];
    for (std::size_t k = 0; k < visits_; ++k) het_visit_[a][k] = primary_effect != 0 ? effect_visit_[a][k] / primary_effect : 1.0;
  }
  noise_sd_ = std::hypot(s.population.cp.measurement_sd, s.population.cp.occasion_sd);

  // Constant hazard of loss: P(lost by the last visit) = p, so lambda = -ln(1 - p) / T.
  const double lambda = -std::log1p(-s.design.dropout_by_last_visit) / s.design.visits_months.back();
  double prev = 0;
  for (std::size_t k = 0; k < visits_; ++k) {
    drop_hazard_[k] = lambda * (visit_months_[k] - prev);
    prev = visit_months_[k];
  }
  std::array<double, kGmfcsLevels> p_missing{};
  for (std::size_t l = 0; l < kGmfcsLevels; ++l)
    p_missing[l] = -std::expm1(-drop_hazard_[0] * s.design.dropout_gmfcs_multiplier[l]);
  p_missing_ = p_missing;
  missing_by_level_ = std::any_of(p_missing.begin(), p_missing.end(), [&](double x) { return x != p_missing[0]; });
  decline_on_ = cp && s.population.cp.decline.enabled;

  const auto& age = s.population.age;
  age_uniform_ = age.distribution == AgeDistribution::uniform;
  age_min_ = age.min_months;
  age_span_ = age.max_months - age.min_months;
  if (age.distribution == AgeDistribution::lognormal) {
    const double s2 = std::log1p(age.sd_months * age.sd_months / (age.mean_months * age.mean_months));
    lognormal_sigma_ = std::sqrt(s2);
    lognormal_mu_ = std::log(age.mean_months) - s2 / 2;
  }
  if (age.distribution == AgeDistribution::table) {
    double t = 0;
    for (double w : age.table_weights) age_table_cdf_.push_back(t += w);
    for (double& x : age_table_cdf_) x /= t;
  }

  for (std::size_t a = 0; a < arms_; ++a) {
    if (s.arms[a].product != ProductType::none) needs_weight_ = true;
    if (s.arms[a].product == ProductType::ucb && screening_ucb_arm_ < 0) screening_ucb_arm_ = static_cast<int>(a);
  }
  const auto& el = s.population.eligibility;
  for (std::size_t a = 0; a < arms_; ++a)
    if (s.arms[a].role == ArmRole::active && s.arms[a].product == ProductType::msc && planned_msc_arm_ < 0)
      planned_msc_arm_ = static_cast<int>(a);
  bool sex_subgroup = false;
  for (const auto& g : s.analysis.subgroups) sex_subgroup = sex_subgroup || g.sex >= 0;
  needs_weight_ = cp && (needs_weight_ || el.min_weight_kg > 0 || el.max_weight_kg < 1000);
  // With weights, sex is drawn with them at screening; without, only a subgroup needs it.
  sex_own_stream_ = cp && sex_subgroup && !needs_weight_;
  for (const auto& a : s.arms) any_prior_ = any_prior_ || a.effect_prior.kind != PriorKind::none;

  std::array<double, kMaxArms> sae_risk{}, infusion_risk{};
  for (std::size_t a = 0; a < arms_; ++a) {
    const Arm& arm = s.arms[a];
    ArmPlan& p = plan_[a];
    p.active = arm.role == ArmRole::active;
    p.product = arm.product;
    const auto& m = arm.modifiers;
    p.simple_multiplier = m.age_breaks_months.empty() && arm.dose_response.model == DoseResponseModel::none;
    // The factors in the order effect_multiplier() applies them, so both give the same value.
    for (std::size_t l = 0; l < kGmfcsLevels; ++l) {
      double mult = m.age_multipliers[0] * m.gmfcs[l];
      if (arm.product == ProductType::msc) {
        mult *= arm.msc.route_multiplier[static_cast<std::size_t>(arm.msc.route)];
        if (!arm.msc.dose_count_multiplier.empty())
          mult *= arm.msc.dose_count_multiplier[static_cast<std::size_t>(arm.msc.doses - 1)];
      }
      p.level_mult[l] = mult;
    }
    if (arm.product == ProductType::ucb) p.hla_mult = m.hla_mismatch;
    p.heterogeneity = arm.heterogeneity.model;
    p.het_sd = arm.heterogeneity.sd;
    p.responder_fraction = arm.heterogeneity.responder_fraction;
    sae_risk[a] = arm.safety.sae_risk;
    infusion_risk[a] = arm.safety.infusion_reaction_risk;
  }
  // Every scheduled visit when asked or when the scenario's follow-up changes anything.
  if (cp && (every_visit || needs_follow_up(s))) follow_.emplace(s, visit_months_, lambda);
  // The common case has a loop of its own: uniform ages, no weight, no products, no heterogeneity,
  // no decline, only the primary visit simulated, and no follow-up (which needs each child's
  // latent values, kept by simulate_cp()).
  plain_ = cp && age_uniform_ && !needs_weight_ && visits_ == 1 && !decline_on_ && !follow_;
  for (std::size_t a = 0; a < arms_; ++a)
    plain_ = plain_ && plan_[a].product == ProductType::none && plan_[a].simple_multiplier &&
             (!plan_[a].active || plan_[a].heterogeneity == Heterogeneity::none);
  // Its curve exponents age / rate stay inside fast_exp_in_range()'s range.
  for (std::size_t l = 0; l < kGmfcsLevels; ++l)
    plain_ = plain_ && std::fabs(age_min_) * -neg_inv_rate_[l] < 200 && std::fabs(age_min_ + age_span_) * -neg_inv_rate_[l] < 200;
  // Every draw passes screening when the ages cannot leave the age limits and every level that
  // can be drawn may enrol (ages grow with the draw within a level, up to at most min + span).
  all_eligible_ = age_min_ >= el.min_age_months && age_min_ + age_span_ <= el.max_age_months;
  for (std::size_t l = 0; l < kGmfcsLevels; ++l) all_eligible_ = all_eligible_ && (el.gmfcs[l] || mix_inv_width_[l] == 0);
  p_sae_ = sae_risk;
  p_infusion_ = infusion_risk;
  for (std::size_t a = 0; a < arms_; ++a) {
    sae_count_[a] = BinomialInverse(arm_counts_[a], p_sae_[a]).tabulated();
    infusion_count_[a] = BinomialInverse(arm_counts_[a], p_infusion_[a]).tabulated();
  }
  if (s.design.accrual.modelled()) accrual_.emplace(s.design.accrual);
  truth_ = compute_truth();
  truth_.subgroups = subgroup_truth(*this);
}

bool needs_follow_up(const Scenario& s) {
  const auto& d = s.design;
  const bool shift = std::any_of(d.mnar_shift_per_month.begin(), d.mnar_shift_per_month.end(), [](double x) { return x != 0; });
  return s.population.outcome_model == OutcomeModel::cp &&
         (!d.intercurrent_events.empty() || d.missed_visit > 0 || d.delayed_start_month > 0 || shift);
}

std::vector<std::uint8_t> fixed_arm_sequence(const Scenario& s, std::int64_t n) {
  const double wsum = std::accumulate(s.arms.begin(), s.arms.end(), 0.0,
                                      [](double acc, const Arm& a) { return acc + a.allocation; });
  std::vector<double> count(s.arms.size(), 0.0);
  std::vector<std::uint8_t> seq(static_cast<std::size_t>(n));
  for (std::size_t j = 0; j < seq.size(); ++j) {
    std::size_t best = 0;
    double best_gap = -1e300;
    for (std::size_t a = 0; a < s.arms.size(); ++a) {
      const double gap = static_cast<double>(j + 1) * s.arms[a].allocation / wsum - count[a];
      if (gap > best_gap + 1e-12) {
        best_gap = gap;
        best = a;
      }
    }
    count[best] += 1;
    seq[j] = static_cast<std::uint8_t>(best);
  }
  return seq;
}

double Model::draw_age_other(Engine& g) const {
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

double Model::median_weight(double age_months, bool male) const {
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

double Model::ucb_dose(const Arm& arm, const Child& c, Engine& dosing, int& hla) const {
  const auto& u = arm.ucb;
  const int source = pick(u.source_mix, uniform01(dosing));
  const auto& size = u.unit[static_cast<std::size_t>(source)];
  const double sigma = std::sqrt(std::log1p(size.cv * size.cv));
  const double per_kg = u.post_thaw_recovery / c.weight;
  double dose = size.median_tnc * std::exp(sigma * std_normal(dosing)) * per_kg;
  if (static_cast<UnitSource>(source) == UnitSource::public_bank && u.target_tnc_per_kg > 0) {
    // The bank offers further units until one reaches the target; else the largest is used.
    for (int k = 1; k < u.bank_choices && dose < u.target_tnc_per_kg; ++k)
      dose = std::max(dose, size.median_tnc * std::exp(sigma * std_normal(dosing)) * per_kg);
  }
  hla = static_cast<UnitSource>(source) == UnitSource::autologous ? 0 : pick(u.hla_mismatch_mix, uniform01(dosing));
  return dose;
}

double Model::msc_dose(const Arm& arm, const Child& c) const {
  return arm.msc.fixed_cells > 0 ? arm.msc.fixed_cells / c.weight : arm.msc.cells_per_kg;
}

double Model::dose_for(std::size_t a, const Child& c, Engine& dosing, int& hla) const {
  const Arm& arm = sc_.arms[a];
  if (arm.product == ProductType::ucb)
    return static_cast<int>(a) == screening_ucb_arm_ ? c.screening_dose : ucb_dose(arm, c, dosing, hla);
  if (arm.product == ProductType::msc) return msc_dose(arm, c);
  return 0.0;
}

double Model::planned_dose(const Child& c) const {
  if (screening_ucb_arm_ >= 0) return c.screening_dose;
  if (planned_msc_arm_ >= 0) return msc_dose(sc_.arms[static_cast<std::size_t>(planned_msc_arm_)], c);
  return 0.0;
}

double Model::dose_response(const Arm& arm, double dose) const {
  const auto& d = arm.dose_response;
  auto f = [&](double x) {
    switch (d.model) {
      case DoseResponseModel::none: return 1.0;
      case DoseResponseModel::step: return x >= d.threshold ? 1.0 : d.below_fraction;
      case DoseResponseModel::emax: {
        const double xh = std::pow(x, d.hill);
        return xh / (std::pow(d.ed50, d.hill) + xh);
      }
      case DoseResponseModel::loglinear:
        return std::max(0.0, 1.0 + d.slope_per_log * std::log(std::max(x, 1e-300) / d.reference_dose));
    }
    return 1.0;
  };
  const double ref = f(d.reference_dose);
  return ref > 0 ? f(dose) / ref : 0.0;
}

double Model::effect_multiplier(const Arm& arm, const Child& c, double dose, int hla) const {
  const auto& m = arm.modifiers;
  std::size_t band = 0;
  while (band < m.age_breaks_months.size() && c.age >= m.age_breaks_months[band]) ++band;
  double mult = m.age_multipliers[band] * m.gmfcs[static_cast<std::size_t>(c.level)];
  if (arm.product == ProductType::ucb) mult *= m.hla_mismatch[static_cast<std::size_t>(hla)];
  if (arm.product == ProductType::msc) {
    mult *= arm.msc.route_multiplier[static_cast<std::size_t>(arm.msc.route)];
    if (!arm.msc.dose_count_multiplier.empty())
      mult *= arm.msc.dose_count_multiplier[static_cast<std::size_t>(arm.msc.doses - 1)];
  }
  if (arm.dose_response.model != DoseResponseModel::none) mult *= dose_response(arm, dose);
  return mult;
}

double Model::decline(int level, double age_months) const {
  const auto& d = sc_.population.cp.decline;
  const auto i = static_cast<std::size_t>(level);
  if (!d.enabled || d.loss_points[i] <= 0) return 0;
  const double peak = d.peak_age_years[i] * 12, until = d.until_age_years * 12;
  return d.loss_points[i] * std::clamp((age_months - peak) / (until - peak), 0.0, 1.0);
}

inline std::size_t Model::level_of_draw(std::uint64_t u) const {
  // The number of cumulative shares at or below the draw, searched from the level where the draw's
  // 1/256 slice starts.
  std::size_t level = mix_guide_[u >> 45];
  while (u >= mix_below_[level]) ++level;
  return level;
}

inline void Model::draw_child(Engine& pop, Child& c) const {
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

inline bool Model::eligible(Child& c, Engine& dosing) const {
  const auto& el = sc_.population.eligibility;
  if (c.age < el.min_age_months || c.age > el.max_age_months) return false;
  if (!el.gmfcs[static_cast<std::size_t>(c.level)]) return false;
  if (needs_weight_ && (c.weight < el.min_weight_kg || c.weight > el.max_weight_kg)) return false;
  if (screening_ucb_arm_ >= 0) {
    c.screening_dose = ucb_dose(sc_.arms[static_cast<std::size_t>(screening_ucb_arm_)], c, dosing, c.hla);
    if (c.screening_dose < el.min_ucb_tnc_per_kg) return false;
  }
  return true;
}

inline std::uint64_t Model::screen_child(Engine& pop, Engine& dosing, Child& c) const {
  constexpr std::uint64_t kCap = 100000000;  // unreachable once the yield check has passed
  for (std::uint64_t screened = 1; screened <= kCap; ++screened) {
    draw_child(pop, c);
    if (eligible(c, dosing)) return screened;
  }
  return 0;
}

std::uint64_t Model::screen(Engine& pop, Engine& dosing, Child& c) const { return screen_child(pop, dosing, c); }

Truth Model::compute_truth() const {
  Truth t;
  const auto active = sc_.active_arms();
  const double primary = sc_.analysis.primary_visit_months;
  for (std::size_t a : active) t.effect.push_back(effect_at(sc_.arms[a], primary));
  t.effect_mc_se.assign(active.size(), 0.0);
  if (sc_.population.outcome_model != OutcomeModel::cp) return t;

  const auto& el = sc_.population.eligibility;
  bool exact = true;
  for (std::size_t a : active) exact = exact && trivial_modifiers(sc_.arms[a]);
  const bool restrictive = el.min_weight_kg > 0 || el.max_weight_kg < 1000 || el.min_ucb_tnc_per_kg > 0 ||
                           std::find(el.gmfcs.begin(), el.gmfcs.end(), false) != el.gmfcs.end();
  if (exact && !restrictive) return t;

  // Pre-run on a dedicated stream: the mean expected effect over eligible children, and the
  // screening yield.
  Engine pop = make_stream(sc_.simulation.seed, 0, Purpose::estimand);
  Engine dosing = make_stream(sc_.simulation.seed, 1, Purpose::estimand);
  const std::uint64_t want = exact ? pre_run_.eligible_exact : pre_run_.eligible, max_screened = pre_run_.max_screened;
  std::uint64_t screened = 0, eligible = 0;
  std::vector<double> sum(active.size(), 0.0), sum2(active.size(), 0.0);
  Child c;
  while (eligible < want && screened < max_screened) {
    // Screen one child at a time so that the yield is counted exactly.
    draw_child(pop, c);
    ++screened;
    if (!this->eligible(c, dosing)) continue;
    ++eligible;
    for (std::size_t k = 0; k < active.size(); ++k) {
      const Arm& arm = sc_.arms[active[k]];
      int hla = c.hla;
      const double dose = dose_for(active[k], c, dosing, hla);
      const double e = t.effect[k] * effect_multiplier(arm, c, dose, hla);
      sum[k] += e;
      sum2[k] += e * e;
    }
  }
  t.screening_yield = screened ? static_cast<double>(eligible) / static_cast<double>(screened) : 0.0;
  if (eligible == 0 || t.screening_yield < 1e-4) {
    const std::string what =
        eligible == 0 ? "no child meets the eligibility criteria (0 of " + std::to_string(screened) + " screened)."
                      : "only " + format_number(t.screening_yield) +
                            " of screened children meet the eligibility criteria (fewer than 1 in 10,000).";
    throw Error(ExitCode::data,
                Diagnostic{sc_.where("population.eligibility"), "population.eligibility", what,
                           "relax the age, GMFCS, weight or dose limits, or change the unit sizes (a dose floor may be "
                           "out of reach of the units' TNC)."});
  }
  if (!exact) {
    t.exact = false;
    const double n = static_cast<double>(eligible);
    for (std::size_t k = 0; k < active.size(); ++k) {
      const double mean = sum[k] / n;
      t.effect[k] = mean;
      t.effect_mc_se[k] = std::sqrt(std::max(0.0, sum2[k] / n - mean * mean) / n);
    }
  }
  return t;
}

void Model::draw_effect_scales(std::uint64_t seed, std::uint64_t trial, TrialData& out) const {
  out.effect_scale.fill(1.0);
  if (!any_prior_) return;
  Engine g = make_stream(seed, trial, Purpose::prior);
  for (std::size_t a = 0; a < arms_; ++a) {
    const Arm& arm = sc_.arms[a];
    const EffectPrior& q = arm.effect_prior;
    if (q.kind == PriorKind::none) continue;
    double e = q.mean;
    switch (q.kind) {
      case PriorKind::none: break;
      case PriorKind::normal: e = q.mean + q.sd * std_normal(g); break;
      case PriorKind::truncated_normal:
        do e = q.mean + q.sd * std_normal(g);  // validation keeps at least 0.1 % of the mass
        while (e < q.lower || e > q.upper);
        break;
      case PriorKind::discrete: {
        double total = 0;
        for (double w : q.weights) total += w;
        const double u = uniform01(g) * total;
        double c = 0;
        std::size_t k = 0;
        for (; k + 1 < q.values.size(); ++k)
          if (u < (c += q.weights[k])) break;
        e = q.values[k];
        break;
      }
    }
    out.effect_scale[a] = e / effect_visit_[a][visits_ - 1];
  }
}

void Model::simulate_cp(std::uint64_t seed, std::uint64_t trial, TrialData& out) const {
  if (plain_) {
    simulate_plain(seed, trial, out);
    safety(seed, trial, out);
    return;
  }
  const std::size_t n = out.size();
  const auto& C = sc_.population.cp;
  Engine pop = make_stream(seed, trial, Purpose::population);
  LocalEngine outc{make_stream(seed, trial, Purpose::outcomes)};
  Engine dosing = make_stream(seed, trial, Purpose::dosing);
  Engine eff = make_stream(seed, trial, Purpose::effect);
  Engine drop = make_stream(seed, trial, Purpose::dropout);
  // Constants and output arrays in locals: the byte stores below could otherwise alias them, and
  // the compiler would reload them for every child.
  const std::size_t visits = visits_, last = visits_ - 1;
  const bool mar = visits > 1, decline_on = decline_on_, by_level = strata_ > 1, follow = follow_.has_value();
  const double limit_sd = C.child_limit_sd, progress_sd = C.progress_sd_per_year, noise_sd = noise_sd_;
  const bool sex_own = sex_own_stream_;
  const double male_fraction = sc_.population.male_fraction;
  Engine sex = make_stream(seed, trial, Purpose::sex);
  const std::uint8_t* arm_of = out.arm.data();
  std::uint8_t *stratum = out.stratum.data(), *level_of = out.level.data(), *male = out.male.data(),
               *hla_of = out.hla.data(), *observed = out.observed.data();
  std::uint32_t* screens = out.screens.data();
  double *age = out.age.data(), *dose_of = out.dose.data(), *planned = out.planned_dose.data(),
         *baseline = out.baseline.data(), *change = out.change.data();
  std::array<double, kMaxVisits> obs{};
  std::array<double, kMaxArms> dose_sum{};
  double age_sum = 0;
  std::int64_t under_5 = 0, gmfcs_1_3 = 0;
  std::uint64_t screened = 0;
  for (std::size_t j = 0; j < n; ++j) {
    Child c;
    const std::uint64_t k = screen_child(pop, dosing, c);
    CELLTRIAL_ASSERT(k > 0);
    screened += k;
    screens[j] = static_cast<std::uint32_t>(k);
    const std::size_t a = arm_of[j];
    const ArmPlan& p = plan_[a];
    const auto level = static_cast<std::size_t>(c.level);

    // Dose of the child's own arm, and the expected effect multiplier.
    int hla = c.hla;
    const double dose = dose_for(a, c, dosing, hla);
    // Between-child heterogeneity, scaled over visits like the base effect.
    double het = 0, scale = out.effect_scale[a];
    if (p.active) {
      const double mult = p.simple_multiplier ? p.level_mult[level] * p.hla_mult[static_cast<std::size_t>(hla)]
                                              : effect_multiplier(sc_.arms[a], c, dose, hla);
      scale = mult * out.effect_scale[a];
      if (p.heterogeneity == Heterogeneity::normal) het = p.het_sd * std_normal(eff);
      if (p.heterogeneity == Heterogeneity::responders)
        scale = uniform01(eff) < p.responder_fraction ? scale / p.responder_fraction : 0.0;
    }

    // The child's own curve, deviation in progress, and assessments.
    const double limit = clamp_score(C.curves[level].limit + limit_sd * std_normal(outc));
    const double progress = progress_sd * std_normal(outc);
    const double remaining = limit * fast_exp(c.age * neg_inv_rate_[level]);
    const double d0 = decline_on ? decline(c.level, c.age) : 0.0;
    const double e0 = noise_sd * std_normal(outc);
    auto observe = [&](std::size_t v) {
      const double lost = decline_on ? decline(c.level, c.age + visit_months_[v]) - d0 : 0.0;
      const double gain = remaining * gain_fraction_[level][v] - lost + progress * visit_years_[v];
      return gain + effect_visit_[a][v] * scale + het * het_visit_[a][v] + sham_visit_[v] +
             noise_sd * std_normal(outc) - e0;
    };
    double primary = 0;
    std::uint32_t drop_visit = static_cast<std::uint32_t>(visits);
    if (mar) {
      for (std::size_t v = 0; v < visits; ++v) obs[v] = observe(v);
      primary = obs[last];
      // Loss to follow-up: constant hazard by interval, times the GMFCS multiplier, times
      // exp(beta * observed change at the previous visit).
      const double gm = sc_.design.dropout_gmfcs_multiplier[level];
      bool present = true;
      for (std::size_t v = 0; v < visits && present; ++v) {
        const double prev = v ? obs[v - 1] : 0.0;
        const double h = drop_hazard_[v] * gm * std::exp(sc_.design.dropout_per_point * prev);
        present = uniform01(drop) >= -std::expm1(-h);
        if (!present) drop_visit = static_cast<std::uint32_t>(v);
      }
      observed[j] = present;
    } else {
      primary = observe(0);  // only the primary visit is simulated; dropout in missing_mcar()
    }
    baseline[j] = limit - remaining - d0 + e0;
    change[j] = primary;
    if (follow) {
      out.latent[j] = TrialData::Latent{remaining, progress, d0, e0, scale, het, c.weight, drop_visit};
      if (mar) std::copy(obs.begin(), obs.begin() + static_cast<std::ptrdiff_t>(visits), out.visit_change.begin() + static_cast<std::ptrdiff_t>(j * out.visits));
    }
    stratum[j] = static_cast<std::uint8_t>(by_level ? level : 0);
    level_of[j] = static_cast<std::uint8_t>(level);
    age[j] = c.age;
    dose_of[j] = dose;
    planned[j] = planned_dose(c);
    male[j] = sex_own ? uniform01(sex) < male_fraction : c.male;
    hla_of[j] = static_cast<std::uint8_t>(c.hla);

    dose_sum[a] += dose;
    age_sum += c.age;
    under_5 += c.age < 60;
    gmfcs_1_3 += level <= 2;
  }
  out.totals.dose = dose_sum;
  out.totals.age = age_sum;
  out.totals.under_5 = under_5;
  out.totals.gmfcs_1_3 = gmfcs_1_3;
  out.screened = screened;
  if (!mar) missing_mcar(seed, trial, out);
  safety(seed, trial, out);
}

void Model::simulate_plain(std::uint64_t seed, std::uint64_t trial, TrialData& out) const {
  const std::size_t n = out.size();
  const auto& C = sc_.population.cp;
  const auto& el = sc_.population.eligibility;
  const std::uint8_t* arm_of = out.arm.data();
  std::uint8_t *stratum = out.stratum.data(), *level_of = out.level.data();
  std::uint32_t* screens = out.screens.data();
  double *age = out.age.data(), *baseline = out.baseline.data(), *change = out.change.data();

  // Constants in locals: the byte stores below could otherwise alias them, and the compiler would
  // reload them for every child.
  const std::array<std::uint64_t, kGmfcsLevels> start = mix_start_;
  const std::array<double, kGmfcsLevels> inv_width = mix_inv_width_;
  const double age_min = age_min_, age_span = age_span_, min_age = el.min_age_months, max_age = el.max_age_months;
  const std::uint8_t stratum_mask = strata_ > 1 ? 0xFF : 0;
  // The age within a level from the draw: draws below 2^53 convert exactly through int64.
  auto age_of = [&](std::uint64_t u, std::size_t level) {
    return age_min + age_span * (static_cast<double>(static_cast<std::int64_t>(u - start[level])) * inv_width[level]);
  };
  // Outcomes: simulate_cp()'s arithmetic without the terms that are 0 here (dose, heterogeneity,
  // decline), so that both give the same values. Per arm and level, the effect at the primary visit.
  std::array<std::array<double, kGmfcsLevels>, kMaxArms> effect{};
  for (std::size_t a = 0; a < arms_; ++a)
    for (std::size_t l = 0; l < kGmfcsLevels; ++l) {
      const ArmPlan& p = plan_[a];
      const double scale = p.active ? p.level_mult[l] * p.hla_mult[0] * out.effect_scale[a] : out.effect_scale[a];
      effect[a][l] = effect_visit_[a][0] * scale;
    }
  std::array<double, kGmfcsLevels> limit_mean{}, gain_fraction{};
  for (std::size_t l = 0; l < kGmfcsLevels; ++l) {
    limit_mean[l] = C.curves[l].limit;
    gain_fraction[l] = gain_fraction_[l][0];
  }
  const std::array<double, kGmfcsLevels> neg_inv_rate = neg_inv_rate_;
  const double limit_sd = C.child_limit_sd, progress_sd = C.progress_sd_per_year, noise_sd = noise_sd_;
  const double years = visit_years_[0], sham = sham_visit_[0];
  // Who enrols: the draws of draw_child() and the limits of eligible().
  LocalEngine pop{make_stream(seed, trial, Purpose::population)};
  std::uint64_t screened = n;
  double age_sum = 0;
  std::int64_t under_5 = 0, gmfcs_1_3 = 0;
  // Enrolment and outcomes in one pass (their streams are separate, so the draws are those of
  // simulate_cp()); two copies of the loop, with and without screening, so that the common one has
  // no test of it.
  LocalEngine outc{make_stream(seed, trial, Purpose::outcomes)};
  auto enrol = [&](auto screening) {
    for (std::size_t j = 0; j < n; ++j) {
      std::uint64_t u = pop() >> 11;
      std::size_t level = level_of_draw(u);
      double a_j = age_of(u, level);
      if constexpr (decltype(screening)::value) {
        std::uint32_t tries = 1;
        for (; !(a_j >= min_age && a_j <= max_age && el.gmfcs[level]); ++tries) {
          CELLTRIAL_ASSERT(tries < 100000000);  // unreachable once the yield check has passed
          ++screened;
          u = pop() >> 11;
          level = level_of_draw(u);
          a_j = age_of(u, level);
        }
        screens[j] = tries;
      }
      stratum[j] = static_cast<std::uint8_t>(level) & stratum_mask;
      level_of[j] = static_cast<std::uint8_t>(level);
      age[j] = a_j;
      age_sum += a_j;
      under_5 += a_j < 60;
      gmfcs_1_3 += level <= 2;
      // The child's own curve, deviation in progress, and the assessment at the primary visit.
      const double limit = clamp_score(limit_mean[level] + limit_sd * std_normal(outc));
      const double progress = progress_sd * std_normal(outc);
      const double remaining = limit * fast_exp_in_range(a_j * neg_inv_rate[level]);
      const double e0 = noise_sd * std_normal(outc);
      const double gain = remaining * gain_fraction[level] + progress * years;
      baseline[j] = limit - remaining + e0;
      change[j] = gain + effect[arm_of[j]][level] + sham + noise_sd * std_normal(outc) - e0;
    }
  };
  if (all_eligible_) {
    enrol(std::false_type{});
    std::fill(out.screens.begin(), out.screens.end(), std::uint32_t{1});
  } else {
    enrol(std::true_type{});
  }

  // Who is assessed at the primary visit (its own stream).
  missing_mcar(seed, trial, out);

  // No products: no doses, and the defaults of Child for sex (unless a subgroup needs it) and HLA.
  std::fill(out.dose.begin(), out.dose.end(), 0.0);
  std::fill(out.planned_dose.begin(), out.planned_dose.end(), 0.0);
  if (sex_own_stream_) {
    Engine sex = make_stream(seed, trial, Purpose::sex);
    for (std::size_t j = 0; j < n; ++j) out.male[j] = uniform01(sex) < sc_.population.male_fraction;
  } else {
    std::fill(out.male.begin(), out.male.end(), std::uint8_t{Child{}.male});
  }
  std::fill(out.hla.begin(), out.hla.end(), std::uint8_t{0});
  out.totals.dose.fill(0.0);
  out.totals.age = age_sum;
  out.totals.under_5 = under_5;
  out.totals.gmfcs_1_3 = gmfcs_1_3;
  out.screened = screened;
}

namespace {
// Calls event(k) for each k < count whose Bernoulli(p) trial succeeds, at a cost per success
// rather than per trial: the number of failures before the next success is geometric,
// floor(log(U) / log(1 - p)) for U uniform on (0, 1]. One draw per success, and one more for the
// first gap past the end. No branch depends on the draws except the loop's exit.
template <class Event>
void bernoulli_runs(Engine& g, std::size_t count, double p, Event event) {
  if (!(p > 0)) return;
  if (p >= 1) {
    for (std::size_t k = 0; k < count; ++k) event(k);
    return;
  }
  const double inv_log_q = 1 / std::log1p(-p);  // < 0
  for (std::size_t k = 0;;) {
    const double u = static_cast<double>((g() >> 11) + 1) * 0x1.0p-53;  // (0, 1]
    const double gap = fast_log(u) * inv_log_q;                         // >= 0
    if (!(gap < static_cast<double>(static_cast<std::int64_t>(count - k)))) return;
    k += static_cast<std::size_t>(static_cast<std::int64_t>(gap));  // truncation: floor for gap >= 0
    event(k);
    ++k;
  }
}
}  // namespace

void Model::group_by(const std::uint8_t* category, std::size_t n, std::size_t categories,
                     std::vector<std::uint32_t>& order, std::array<std::size_t, kMaxArms + 1>& start) {
  CELLTRIAL_ASSERT(categories <= kMaxArms);
  start.fill(0);
  for (std::size_t j = 0; j < n; ++j) start[category[j] + 1u] += 1;
  for (std::size_t c = 0; c < categories; ++c) start[c + 1] += start[c];
  std::array<std::size_t, kMaxArms + 1> next = start;
  order.resize(n);
  for (std::size_t j = 0; j < n; ++j) order[next[category[j]]++] = static_cast<std::uint32_t>(j);
}

void Model::missing_mcar(std::uint64_t seed, std::uint64_t trial, TrialData& out) const {
  // By level when the levels differ, in the order level 0, 1, ...
  const std::size_t n = out.size();
  std::uint8_t* observed = out.observed.data();
  std::fill(out.observed.begin(), out.observed.end(), std::uint8_t{1});
  Engine drop = make_stream(seed, trial, Purpose::dropout);
  if (!missing_by_level_) {
    bernoulli_runs(drop, n, p_missing_[0], [&](std::size_t j) { observed[j] = 0; });
  } else {
    std::array<std::size_t, kMaxArms + 1> start{};
    group_by(out.level.data(), n, kGmfcsLevels, out.order, start);
    const std::uint32_t* order = out.order.data();
    for (std::size_t l = 0; l < kGmfcsLevels; ++l)
      bernoulli_runs(drop, start[l + 1] - start[l], p_missing_[l], [&](std::size_t k) { observed[order[start[l] + k]] = 0; });
  }
}

void Model::safety(std::uint64_t seed, std::uint64_t trial, TrialData& out) const {
  // Each child of an arm has an event independently with the arm's risk, so the arm's count is
  // Binomial(children in the arm, risk): one draw per arm and kind of event, by inversion. Serious
  // adverse events, then infusion reactions, each arm in turn.
  const bool fixed = sc_.design.randomisation == Randomisation::fixed;
  Engine saf = make_stream(seed, trial, Purpose::safety);
  auto counts = [&](const std::array<BinomialInverse, kMaxArms>& fixed_count, const std::array<double, kMaxArms>& risk,
                    std::array<std::int64_t, kMaxArms>& total) {
    for (std::size_t a = 0; a < arms_; ++a) {
      const double u = uniform01(saf);
      total[a] = fixed ? fixed_count[a](u) : BinomialInverse(out.totals.n[a], risk[a])(u);
    }
  };
  counts(sae_count_, p_sae_, out.totals.sae);
  counts(infusion_count_, p_infusion_, out.totals.infusion);
}

void Model::simulate_generic(std::uint64_t seed, std::uint64_t trial, TrialData& out) const {
  const std::size_t n = out.size();
  LocalEngine pop{make_stream(seed, trial, Purpose::population)};
  LocalEngine outc{make_stream(seed, trial, Purpose::outcomes)};
  const auto& G = sc_.population.generic;
  out.screened = n;
  std::fill(out.screens.begin(), out.screens.end(), std::uint32_t{1});
  const double primary_effect_sham = sham_visit_[0];
  for (std::size_t j = 0; j < n; ++j) {
    const double x = G.baseline_mean + G.baseline_sd * std_normal(pop);
    const double y = G.intercept + G.slope * x + effect_visit_[out.arm[j]][0] * out.effect_scale[out.arm[j]] +
                     primary_effect_sham +
                     G.residual_sd * std_normal(outc);
    out.baseline[j] = x;
    out.change[j] = y - x;
  }
  std::fill(out.stratum.begin(), out.stratum.end(), std::uint8_t{0});
  std::fill(out.level.begin(), out.level.end(), std::uint8_t{0});
  std::fill(out.age.begin(), out.age.end(), 0.0);
  std::fill(out.dose.begin(), out.dose.end(), 0.0);
  std::fill(out.planned_dose.begin(), out.planned_dose.end(), 0.0);
  std::fill(out.male.begin(), out.male.end(), std::uint8_t{0});
  std::fill(out.hla.begin(), out.hla.end(), std::uint8_t{0});
  if (drop_hazard_[0] > 0) {
    Engine drop = make_stream(seed, trial, Purpose::dropout);
    const double p_missing = -std::expm1(-drop_hazard_[0]);
    for (std::size_t j = 0; j < n; ++j) out.observed[j] = uniform01(drop) >= p_missing ? 1 : 0;
  } else {
    std::fill(out.observed.begin(), out.observed.end(), std::uint8_t{1});
  }

  // Safety as in the cp model; no ages, levels or doses.
  out.totals.under_5 = out.totals.gmfcs_1_3 = static_cast<std::int64_t>(n);
  safety(seed, trial, out);
}

void Model::simulate(std::uint64_t seed, std::uint64_t trial, TrialData& out) const {
  const std::size_t n = static_cast<std::size_t>(sc_.design.sample_size);
  out.resize(n);
  draw_effect_scales(seed, trial, out);
  out.totals = TrialData::Totals{};
  if (sc_.design.randomisation == Randomisation::fixed) {
    std::copy(arm_sequence_.begin(), arm_sequence_.end(), out.arm.begin());
    out.totals.n = arm_counts_;
  } else {
    Engine g = make_stream(seed, trial, Purpose::randomisation);
    for (std::size_t j = 0; j < n; ++j) {
      const double u = uniform01(g);
      std::size_t a = 0;
      while (a + 1 < arms_ && u >= alloc_cdf_[a]) ++a;
      out.arm[j] = static_cast<std::uint8_t>(a);
      out.totals.n[a] += 1;
    }
  }

  if (follow_) {
    out.visits = follow_->visits();
    out.latent.resize(n);
    out.visit_change.resize(n * out.visits);
  } else {
    out.visits = 0;
  }
  if (sc_.population.outcome_model == OutcomeModel::cp)
    simulate_cp(seed, trial, out);
  else
    simulate_generic(seed, trial, out);
  if (follow_) follow_->run(*this, seed, trial, out);
  apply_endpoint(out);
  accrue(seed, trial, out);
}

double Model::expected_change(int level, double age_months, double months) const {
  const auto l = static_cast<std::size_t>(level);
  const double rate = rate_months_[l];
  const double gain = sc_.population.cp.curves[l].limit * std::exp(-age_months / rate) * -std::expm1(-months / rate);
  return gain - (decline(level, age_months + months) - decline(level, age_months));
}

void Model::apply_endpoint(TrialData& out) const {
  const std::size_t n = out.size();
  switch (sc_.analysis.endpoint) {
    case Endpoint::change: return;
    case Endpoint::value:
      for (std::size_t j = 0; j < n; ++j) out.change[j] += out.baseline[j];
      return;
    case Endpoint::excess_over_expected: {
      const double months = sc_.analysis.primary_visit_months;
      for (std::size_t j = 0; j < n; ++j) out.change[j] -= expected_change(out.level[j], out.age[j], months);
      return;
    }
  }
}

const char* to_string(VisitStatus v) {
  switch (v) {
    case VisitStatus::observed: return "observed";
    case VisitStatus::missed: return "missed";
    case VisitStatus::dropped_out: return "dropped_out";
  }
  return "observed";
}

void Model::accrue(std::uint64_t seed, std::uint64_t trial, TrialData& out) const {
  if (!accrual_) {
    out.month.clear();
    out.accrual_months = out.duration_months = std::numeric_limits<double>::quiet_NaN();
    return;
  }
  const std::size_t n = out.size();
  out.month.resize(n);
  Engine g = make_stream(seed, trial, Purpose::accrual);
  accrual_->randomisation_months(g, out.screens.data(), n, out.month.data(), out.site_count);
  // Children are randomised in order, so the first and last months are the ends.
  out.accrual_months = out.month[n - 1] - out.month[0];
  out.duration_months = out.month[n - 1] + sc_.analysis.primary_visit_months;
}

}  // namespace celltrial
