#include "celltrial/model/model.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <type_traits>

#include "celltrial/core/error.hpp"
#include "celltrial/core/fastmath.hpp"
#include "celltrial/model/subgroups.hpp"
#include "celltrial/model/truth.hpp"
#include "celltrial/scenario/interims.hpp"

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

void TrialData::resize_visits(std::size_t v) {
  const std::size_t n = size();
  visits = v;
  visit_change.resize(n * v);
  hypothetical.resize(n * v);
  status.resize(n * v);
  dropout_month.resize(n);
  event_month.resize(n);
  event_kind.resize(n);
  treated_month.resize(n);
}

double Model::dose_unit(ProductType p) { return p == ProductType::ucb ? 1e7 : 1e6; }

namespace {
// A GMFM-66 score kept within [0, 100]: the same values as std::clamp, without branches.
inline double clamp_score(double x) { return std::min(std::max(x, 0.0), 100.0); }

// Model's number of arms, checked before any component sizes its arrays by it.
std::size_t checked_arms(const Scenario& s) {
  CELLTRIAL_ASSERT(s.arms.size() >= 2 && s.arms.size() <= kMaxArms);
  return s.arms.size();
}

// The visits the model simulates: every visit up to the primary when dropout depends on observed
// progress (cp model), else the primary visit alone (the generic model's other visits are
// GenericVisits').
std::vector<double> simulated_visits(const Scenario& s) {
  std::vector<double> months;
  const double primary = s.analysis.primary_visit_months;
  if (s.design.dropout_per_point != 0 && s.population.outcome_model == OutcomeModel::cp) {
    for (double v : s.design.visits_months)
      if (v <= primary) months.push_back(v);
  } else {
    months.push_back(primary);
  }
  CELLTRIAL_ASSERT(!months.empty() && months.size() <= kMaxVisits);
  return months;
}

std::array<std::int64_t, kMaxArms> count_arms(const std::vector<std::uint8_t>& sequence) {
  std::array<std::int64_t, kMaxArms> counts{};
  for (std::uint8_t a : sequence) counts[a] += 1;
  return counts;
}

}  // namespace

Model::Model(const Scenario& s, const PreRunSizes& pre_run, bool every_visit)
    : sc_(s),
      pre_run_(pre_run),
      arms_(checked_arms(s)),
      visit_months_(simulated_visits(s)),
      visits_(visit_months_.size()),
      arm_sequence_(fixed_arm_sequence(s, s.design.sample_size)),
      arm_counts_(count_arms(arm_sequence_)),
      dosing_(s),
      population_(s, dosing_),
      effect_(s, visit_months_, visit_months_.size() - 1),
      trajectory_(s, visit_months_),
      dropout_(s, visit_months_),
      safety_(s, arm_counts_) {
  const bool cp = s.population.outcome_model == OutcomeModel::cp;
  const bool adjust_gmfcs = std::find(s.analysis.adjust_for.begin(), s.analysis.adjust_for.end(), Covariate::gmfcs) !=
                            s.analysis.adjust_for.end();
  strata_ = adjust_gmfcs ? kGmfcsLevels : 1;

  const double wsum = std::accumulate(s.arms.begin(), s.arms.end(), 0.0,
                                      [](double acc, const Arm& a) { return acc + a.allocation; });
  double c = 0;
  for (const auto& a : s.arms) alloc_cdf_.push_back(c += a.allocation / wsum);
  alloc_cdf_.back() = 1.0;

  // Every scheduled visit when asked or when the scenario's follow-up changes anything.
  if (every_visit || needs_follow_up(s)) follow_.emplace(s, visit_months_, dropout_.rate_per_month());
  if (!cp) {
    const auto& m = s.design.visits_months;
    const auto primary = static_cast<std::size_t>(std::find(m.begin(), m.end(), s.analysis.primary_visit_months) - m.begin());
    CELLTRIAL_ASSERT(primary < m.size());
    generic_intercept_ = s.population.generic.intercept_at(primary);
    generic_sd_ = s.population.generic.residual_sd_at(primary);
  }
  // The common case has a loop of its own, when the components say it applies: uniform ages and
  // no weight (population), no products (dosing), an effect fixed by arm and level (effect), no
  // decline and curve exponents inside fast_exp_in_range()'s range (trajectory), only the primary
  // visit simulated, and no follow-up (which needs each child's latent values, kept by simulate_cp()).
  const double age_min = population_.age_min();
  plain_ = cp && population_.age_uniform() && !population_.needs_weight() && !dosing_.any_product() &&
           effect_.fixed_by_level() && !trajectory_.decline_on() &&
           trajectory_.fast_exp_covers(age_min, age_min + population_.age_span()) && visits_ == 1 && !follow_;
  if (s.design.accrual.modelled()) accrual_.emplace(s.design.accrual);
  if (s.design.accrual.modelled() && s.design.interims.active() && s.design.interims.pause_enrolment)
    for (std::int64_t m : interim_children(s)) pauses_.push_back(static_cast<std::size_t>(m));
  truth_ = compute_truth(*this);
  add_follow_up_to_truth(*this, truth_);
  truth_.subgroups = subgroup_truth(*this);
}

bool needs_follow_up(const Scenario& s) {
  const auto& d = s.design;
  if (s.analysis.method == AnalysisMethod::mmrm) return true;
  if (s.population.outcome_model == OutcomeModel::cp)
    return !d.intercurrent_events.empty() || d.missed_visit > 0 || d.delayed_start_month > 0 || d.mnar();
  // Generic: dropout on progress changes who is assessed at the primary visit only when a visit
  // comes before it (the first interval's hazard has no change to depend on).
  const bool earlier_visit = !d.visits_months.empty() && d.visits_months.front() < s.analysis.primary_visit_months;
  return d.missed_visit > 0 || d.mnar() || (d.dropout_per_point != 0 && earlier_visit);
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

void Model::simulate_cp(std::uint64_t seed, std::uint64_t trial, TrialData& out) const {
  if (plain_) {
    simulate_plain(seed, trial, out);
    safety_.draw(seed, trial, out);
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
  const bool mar = visits > 1, decline_on = trajectory_.decline_on(), by_level = strata_ > 1, follow = follow_.has_value();
  const double limit_sd = C.child_limit_sd, progress_sd = C.progress_sd_per_year, noise_sd = trajectory_.noise_sd();
  const bool sex_own = population_.sex_own_stream();
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
    const std::uint64_t k = population_.screen_child(pop, dosing_, dosing, c);
    CELLTRIAL_ASSERT(k > 0);
    screened += k;
    screens[j] = static_cast<std::uint32_t>(k);
    const std::size_t a = arm_of[j];
    const EffectModel::ArmPlan& p = effect_.plan(a);
    const auto level = static_cast<std::size_t>(c.level);

    // Dose of the child's own arm, and the expected effect multiplier.
    int hla = c.hla;
    const double dose = dosing_.dose_for(a, c, dosing, hla);
    // Between-child heterogeneity, scaled over visits like the base effect.
    double het = 0, scale = out.effect_scale[a];
    if (p.active) {
      const double mult = p.simple_multiplier ? p.level_mult[level] * p.hla_mult[static_cast<std::size_t>(hla)]
                                              : EffectModel::multiplier(sc_.arms[a], c, dose, hla);
      scale = EffectModel::individual(p, mult * out.effect_scale[a], eff, het);
    }

    // The child's own curve, deviation in progress, and assessments.
    const double limit = clamp_score(C.curves[level].limit + limit_sd * std_normal(outc));
    const double progress = progress_sd * std_normal(outc);
    const double remaining = limit * fast_exp(c.age * trajectory_.neg_inv_rate(level));
    const double d0 = decline_on ? trajectory_.decline(c.level, c.age) : 0.0;
    const double e0 = noise_sd * std_normal(outc);
    auto observe = [&](std::size_t v) {
      const double lost = decline_on ? trajectory_.decline(c.level, c.age + visit_months_[v]) - d0 : 0.0;
      const double error = noise_sd * std_normal(outc);
      return Trajectory::change(remaining, trajectory_.gain_fraction(level, v), lost, progress, trajectory_.visit_years(v),
                                effect_.at_visit(a, v) * scale, het * effect_.het_at_visit(a, v), effect_.sham_at_visit(v),
                                error, e0);
    };
    double primary = 0;
    std::uint32_t drop_visit = static_cast<std::uint32_t>(visits);
    if (mar) {
      for (std::size_t v = 0; v < visits; ++v) obs[v] = observe(v);
      primary = obs[last];
      // Loss to follow-up: constant hazard by interval, times the GMFCS multiplier, times
      // exp(beta * observed change at the previous visit).
      const double gm = dropout_.level_multiplier(level);
      bool present = true;
      for (std::size_t v = 0; v < visits && present; ++v) {
        const double prev = v ? obs[v - 1] : 0.0;
        const double h = dropout_.hazard(v, gm, prev);
        present = uniform01(drop) >= -std::expm1(-h);
        if (!present) drop_visit = static_cast<std::uint32_t>(v);
      }
      observed[j] = present;
    } else {
      primary = observe(0);  // only the primary visit is simulated; dropout in missing_mcar()
    }
    baseline[j] = Trajectory::baseline_score(limit, remaining, d0, e0);
    change[j] = primary;
    if (follow) {
      out.latent[j] = TrialData::Latent{remaining, progress, d0, e0, scale, het, c.weight, drop_visit};
      if (mar) std::copy(obs.begin(), obs.begin() + static_cast<std::ptrdiff_t>(visits), out.visit_change.begin() + static_cast<std::ptrdiff_t>(j * out.visits));
    }
    stratum[j] = static_cast<std::uint8_t>(by_level ? level : 0);
    level_of[j] = static_cast<std::uint8_t>(level);
    age[j] = c.age;
    dose_of[j] = dose;
    planned[j] = dosing_.planned_dose(c);
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
  if (!mar) dropout_.missing_mcar(seed, trial, out);
  safety_.draw(seed, trial, out);
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
  const std::array<std::uint64_t, kGmfcsLevels> start = population_.mix_start();
  const std::array<double, kGmfcsLevels> inv_width = population_.mix_inv_width();
  const double age_min = population_.age_min(), age_span = population_.age_span(), min_age = el.min_age_months, max_age = el.max_age_months;
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
      const EffectModel::ArmPlan& p = effect_.plan(a);
      const double scale = p.active ? p.level_mult[l] * p.hla_mult[0] * out.effect_scale[a] : out.effect_scale[a];
      effect[a][l] = effect_.at_visit(a, 0) * scale;
    }
  std::array<double, kGmfcsLevels> limit_mean{}, gain_fraction{};
  for (std::size_t l = 0; l < kGmfcsLevels; ++l) {
    limit_mean[l] = C.curves[l].limit;
    gain_fraction[l] = trajectory_.gain_fraction(l, 0);
  }
  const std::array<double, kGmfcsLevels> neg_inv_rate = trajectory_.neg_inv_rates();
  const double limit_sd = C.child_limit_sd, progress_sd = C.progress_sd_per_year, noise_sd = trajectory_.noise_sd();
  const double years = trajectory_.visit_years(0), sham = effect_.sham_at_visit(0);
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
      std::size_t level = population_.level_of_draw(u);
      double a_j = age_of(u, level);
      if constexpr (decltype(screening)::value) {
        std::uint32_t tries = 1;
        for (; !(a_j >= min_age && a_j <= max_age && el.gmfcs[level]); ++tries) {
          CELLTRIAL_ASSERT(tries < 100000000);  // unreachable once the yield check has passed
          ++screened;
          u = pop() >> 11;
          level = population_.level_of_draw(u);
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
      const double error = noise_sd * std_normal(outc);
      baseline[j] = Trajectory::baseline_score(limit, remaining, 0.0, e0);
      // No decline (x - 0.0 is x) and no heterogeneity (x + -0.0 is x, for every x): the compiler
      // drops both terms, and the values are the general loop's.
      change[j] = Trajectory::change(remaining, gain_fraction[level], 0.0, progress, years, effect[arm_of[j]][level], -0.0,
                                     sham, error, e0);
    }
  };
  if (population_.all_eligible()) {
    enrol(std::false_type{});
    std::fill(out.screens.begin(), out.screens.end(), std::uint32_t{1});
  } else {
    enrol(std::true_type{});
  }

  // Who is assessed at the primary visit (its own stream).
  dropout_.missing_mcar(seed, trial, out);

  // No products: no doses, and the defaults of Child for sex (unless a subgroup needs it) and HLA.
  std::fill(out.dose.begin(), out.dose.end(), 0.0);
  std::fill(out.planned_dose.begin(), out.planned_dose.end(), 0.0);
  if (population_.sex_own_stream()) {
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

void Model::simulate_generic(std::uint64_t seed, std::uint64_t trial, TrialData& out) const {
  const std::size_t n = out.size();
  LocalEngine pop{make_stream(seed, trial, Purpose::population)};
  LocalEngine outc{make_stream(seed, trial, Purpose::outcomes)};
  const auto& G = sc_.population.generic;
  out.screened = n;
  std::fill(out.screens.begin(), out.screens.end(), std::uint32_t{1});
  const double primary_effect_sham = effect_.sham_at_visit(0);
  const double intercept = generic_intercept_, residual_sd = generic_sd_;
  // Two copies of the loop: following every visit, GenericVisits draws the other visits given the
  // primary residual each child keeps; the common loop has no test of it.
  auto draw = [&](auto follow) {
    for (std::size_t j = 0; j < n; ++j) {
      const double x = G.baseline_mean + G.baseline_sd * std_normal(pop);
      const double z = std_normal(outc);
      const double y = intercept + G.slope * x + effect_.at_visit(out.arm[j], 0) * out.effect_scale[out.arm[j]] +
                       primary_effect_sham +
                       residual_sd * z;
      out.baseline[j] = x;
      out.change[j] = y - x;
      if constexpr (decltype(follow)::value) out.latent[j].residual = z;
    }
  };
  if (out.visits > 0) draw(std::true_type{});
  else draw(std::false_type{});
  std::fill(out.stratum.begin(), out.stratum.end(), std::uint8_t{0});
  std::fill(out.level.begin(), out.level.end(), std::uint8_t{0});
  std::fill(out.age.begin(), out.age.end(), 0.0);
  std::fill(out.dose.begin(), out.dose.end(), 0.0);
  std::fill(out.planned_dose.begin(), out.planned_dose.end(), 0.0);
  std::fill(out.male.begin(), out.male.end(), std::uint8_t{0});
  std::fill(out.hla.begin(), out.hla.end(), std::uint8_t{0});
  dropout_.missing_generic(seed, trial, out);

  // Safety as in the cp model; no ages, levels or doses.
  out.totals.under_5 = out.totals.gmfcs_1_3 = static_cast<std::int64_t>(n);
  safety_.draw(seed, trial, out);
}

void Model::simulate(std::uint64_t seed, std::uint64_t trial, TrialData& out) const {
  const std::size_t n = static_cast<std::size_t>(sc_.design.sample_size);
  out.resize(n);
  effect_.draw_scales(seed, trial, out.effect_scale);
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
  if (pauses_.empty()) {
    accrual_->randomisation_months(g, out.screens.data(), n, out.month.data(), out.site_count);
  } else {
    // Enrolment stops after each look's children and resumes at the look: the month the last of
    // them reaches the primary visit.
    AccrualModel::State st;
    st.site_count = std::move(out.site_count);
    accrual_->start(st);
    std::size_t done = 0;
    for (std::size_t m : pauses_) {
      const std::size_t upto = std::min(m, n);
      accrual_->advance(g, st, out.screens.data() + done, upto - done, out.month.data() + done);
      done = upto;
      if (done > 0 && done < n) accrual_->skip_to(st, out.month[done - 1] + sc_.analysis.primary_visit_months);
    }
    accrual_->advance(g, st, out.screens.data() + done, n - done, out.month.data() + done);
    out.site_count = std::move(st.site_count);
  }
  // Children are randomised in order, so the first and last months are the ends.
  out.accrual_months = out.month[n - 1] - out.month[0];
  out.duration_months = out.month[n - 1] + sc_.analysis.primary_visit_months;
}

void Model::accrue_after(std::uint64_t seed, std::uint64_t trial, const TrialData& d, std::size_t kept, double from,
                         Engine& g, const std::uint32_t* screens, std::size_t n, double* month) const {
  CELLTRIAL_ASSERT(accrual_ && kept <= d.size() && d.screens.size() == d.size());
  AccrualModel::State st;
  accrual_->start(st);
  Engine a = make_stream(seed, trial, Purpose::accrual);
  thread_local std::vector<double> replayed;
  replayed.resize(kept);
  accrual_->advance(a, st, d.screens.data(), kept, replayed.data());
  CELLTRIAL_ASSERT(kept == 0 || (replayed[kept - 1] == d.month[kept - 1] && from >= st.t));
  accrual_->skip_to(st, from);
  accrual_->advance(g, st, screens, n, month);
}

}  // namespace celltrial
