#include "celltrial/analysis/interim.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <string>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include "celltrial/core/error.hpp"
#include "celltrial/scenario/interims.hpp"
#include "celltrial/stats/arm_selection.hpp"
#include "celltrial/stats/enrichment.hpp"
#include "celltrial/stats/multiplicity.hpp"
#include "celltrial/stats/reestimation.hpp"

namespace celltrial {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Entries [first * per, last * per) of v when it holds per entries for each of the trial's children,
// else v as it is (a field the model did not fill).
template <class T>
void range(const std::vector<T>& v, std::size_t children, std::size_t first, std::size_t last, std::size_t per,
           std::vector<T>& out) {
  if (v.size() == children * per && per > 0)
    out.assign(v.begin() + static_cast<std::ptrdiff_t>(first * per), v.begin() + static_cast<std::ptrdiff_t>(last * per));
  else
    out = v;
}

// a's entries (na children), then b's for children [na, n) (b holds nb >= n children), when both
// hold per entries a child; else a as it is.
template <class T>
void extend(const std::vector<T>& a, std::size_t na, const std::vector<T>& b, std::size_t nb, std::size_t n,
            std::size_t per, std::vector<T>& out) {
  if (per > 0 && a.size() == na * per && b.size() == nb * per) {
    out.assign(a.begin(), a.end());
    out.insert(out.end(), b.begin() + static_cast<std::ptrdiff_t>(na * per), b.begin() + static_cast<std::ptrdiff_t>(n * per));
  } else {
    out = a;
  }
}

// Applies f(field of a, field of b, field of out, entries per child) to every per-child field of
// TrialData (b: a second trial of the same scenario, or a again).
template <class F>
void each_child_field(const TrialData& a, const TrialData& b, TrialData& out, F&& f) {
  const std::size_t V = a.visits;
  f(a.arm, b.arm, out.arm, 1);
  f(a.stratum, b.stratum, out.stratum, 1);
  f(a.level, b.level, out.level, 1);
  f(a.age, b.age, out.age, 1);
  f(a.dose, b.dose, out.dose, 1);
  f(a.planned_dose, b.planned_dose, out.planned_dose, 1);
  f(a.male, b.male, out.male, 1);
  f(a.hla, b.hla, out.hla, 1);
  f(a.baseline, b.baseline, out.baseline, 1);
  f(a.change, b.change, out.change, 1);
  f(a.observed, b.observed, out.observed, 1);
  f(a.screens, b.screens, out.screens, 1);
  f(a.month, b.month, out.month, 1);
  f(a.latent, b.latent, out.latent, 1);
  f(a.visit_change, b.visit_change, out.visit_change, V);
  f(a.hypothetical, b.hypothetical, out.hypothetical, V);
  f(a.status, b.status, out.status, V);
  f(a.dropout_month, b.dropout_month, out.dropout_month, 1);
  f(a.event_month, b.event_month, out.event_month, 1);
  f(a.event_kind, b.event_kind, out.event_kind, 1);
  f(a.treated_month, b.treated_month, out.treated_month, 1);
}

// The totals of out's children, all but the safety counts (which the model draws per arm).
TrialData::Totals child_totals(TrialData& out, const Scenario& s) {
  const std::size_t n = out.size();
  TrialData::Totals t{};
  if (s.arms.size() == 2) {
    // Two arms, the common case: every sum in a register of its own (the same additions in the
    // same order as the general loop below, so the same totals).
    std::int64_t n1 = 0, under_5 = 0, gmfcs_1_3 = 0;
    double dose0 = 0, dose1 = 0, age = 0;
    for (std::size_t j = 0; j < n; ++j) {
      const bool in1 = out.arm[j] != 0;
      n1 += in1;
      if (in1) dose1 += out.dose[j];
      else dose0 += out.dose[j];
      age += out.age[j];
      under_5 += out.age[j] < 60;
      gmfcs_1_3 += out.level[j] <= 2;
    }
    t.n[0] = static_cast<std::int64_t>(n) - n1;
    t.n[1] = n1;
    t.dose[0] = dose0;
    t.dose[1] = dose1;
    t.age = age;
    t.under_5 = under_5;
    t.gmfcs_1_3 = gmfcs_1_3;
    if (s.population.outcome_model == OutcomeModel::generic) t.under_5 = t.gmfcs_1_3 = static_cast<std::int64_t>(n);
    return t;
  }
  for (std::size_t j = 0; j < n; ++j) {
    const std::size_t a = out.arm[j];
    t.n[a] += 1;
    t.dose[a] += out.dose[j];
    t.age += out.age[j];
    t.under_5 += out.age[j] < 60;
    t.gmfcs_1_3 += out.level[j] <= 2;
  }
  if (s.population.outcome_model == OutcomeModel::generic) t.under_5 = t.gmfcs_1_3 = static_cast<std::int64_t>(n);
  return t;
}

std::uint64_t screens_of(const TrialData& out) {
  std::uint64_t screened = 0;
  for (std::uint32_t k : out.screens) screened += k;
  return screened;
}

void set_times(TrialData& out, const Scenario& s) {
  const std::size_t n = out.size();
  out.accrual_months = out.month[n - 1] - out.month[0];
  out.duration_months = out.month[n - 1] + s.analysis.primary_visit_months;
}

// The model draws adverse events as per-arm counts, not per child: an arm's count over `of` children
// scaled to `kept` of them and rounded (0 for an arm without children).
std::int64_t scaled(std::int64_t count, std::int64_t kept, std::int64_t of) {
  return of > 0 ? std::llround(static_cast<double>(count) * (static_cast<double>(kept) / static_cast<double>(of))) : 0;
}
}  // namespace

void restrict_trial(const TrialData& d, std::size_t n, double month, const Scenario& s, TrialData& out) {
  const std::size_t N = d.size(), V = d.visits;
  CELLTRIAL_ASSERT(n >= 1 && n <= N && d.month.size() == N);
  each_child_field(d, d, out, [&](const auto& from, const auto&, auto& to, std::size_t per) { range(from, N, 0, n, per, to); });
  out.visits = V;
  out.effect_scale = d.effect_scale;
  const double primary = s.analysis.primary_visit_months;
  set_times(out, s);

  // Visits not yet due at `month` have no assessment.
  if (month < std::numeric_limits<double>::infinity()) {
    const auto& visits = s.design.visits_months;
    CELLTRIAL_ASSERT(V == 0 || V == visits.size());
    for (std::size_t j = 0; j < n; ++j) {
      if (out.month[j] + primary > month) out.observed[j] = 0;
      for (std::size_t v = 0; v < V; ++v)
        if (out.month[j] + visits[v] > month && out.status[j * V + v] == static_cast<std::uint8_t>(VisitStatus::observed))
          out.status[j * V + v] = static_cast<std::uint8_t>(VisitStatus::missed);
    }
  }

  // Totals of these children.
  TrialData::Totals t = child_totals(out, s);
  for (std::size_t a = 0; a < kMaxArms; ++a)
    if (d.totals.n[a] > 0) {
      t.sae[a] = scaled(d.totals.sae[a], t.n[a], d.totals.n[a]);
      t.infusion[a] = scaled(d.totals.infusion[a], t.n[a], d.totals.n[a]);
    }
  out.totals = t;
  out.screened = n == N ? d.screened : screens_of(out);
}

void select_children(const TrialData& d, std::size_t first, std::size_t last, const Scenario& s, TrialData& out) {
  const std::size_t N = d.size();
  CELLTRIAL_ASSERT(first < last && last <= N && d.month.size() == N);
  each_child_field(d, d, out,
                   [&](const auto& from, const auto&, auto& to, std::size_t per) { range(from, N, first, last, per, to); });
  out.visits = d.visits;
  out.effect_scale = d.effect_scale;
  set_times(out, s);
  TrialData::Totals t = child_totals(out, s);
  for (std::size_t a = 0; a < kMaxArms; ++a) {
    t.sae[a] = scaled(d.totals.sae[a], t.n[a], d.totals.n[a]);
    t.infusion[a] = scaled(d.totals.infusion[a], t.n[a], d.totals.n[a]);
  }
  out.totals = t;
  out.screened = first == 0 && last == N ? d.screened : screens_of(out);
}

void extend_trial(const TrialData& d, const TrialData& capped, std::size_t n, const Scenario& s, TrialData& out) {
  const std::size_t N = d.size(), M = capped.size();
  CELLTRIAL_ASSERT(N < n && n <= M && d.visits == capped.visits && d.month.size() == N && capped.month.size() == M);
  // The calendar goes on from d's last child: the model draws the months child by child.
  CELLTRIAL_ASSERT(capped.month[N - 1] == d.month[N - 1]);
  // Field by field: d's children, then capped's [N, n).
  each_child_field(d, capped, out,
                   [&](const auto& a, const auto& b, auto& to, std::size_t per) { extend(a, N, b, M, n, per, to); });
  out.visits = d.visits;
  out.effect_scale = d.effect_scale;
  set_times(out, s);
  TrialData::Totals t = child_totals(out, s);
  for (std::size_t a = 0; a < kMaxArms; ++a) {
    t.sae[a] = d.totals.sae[a] + scaled(capped.totals.sae[a], t.n[a] - d.totals.n[a], capped.totals.n[a]);
    t.infusion[a] = d.totals.infusion[a] + scaled(capped.totals.infusion[a], t.n[a] - d.totals.n[a], capped.totals.n[a]);
  }
  out.totals = t;
  out.screened = d.screened + screens_of(out) - screens_of(d);
}

void append_children(const TrialData& d, std::size_t kept, const TrialData& e, std::size_t m, const Scenario& s,
                     TrialData& out) {
  const std::size_t N = d.size(), M = e.size();
  CELLTRIAL_ASSERT(kept >= 1 && kept <= N && m <= M && d.visits == e.visits && d.month.size() == N && e.month.size() == M);
  each_child_field(d, e, out, [&](const auto& a, const auto& b, auto& to, std::size_t per) {
    if (per > 0 && a.size() == N * per && b.size() == M * per) {
      to.assign(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(kept * per));
      to.insert(to.end(), b.begin(), b.begin() + static_cast<std::ptrdiff_t>(m * per));
    } else {
      to = a;
    }
  });
  out.visits = d.visits;
  out.effect_scale = d.effect_scale;
  set_times(out, s);
  TrialData::Totals t = child_totals(out, s);
  TrialData::Totals from_e{};
  for (std::size_t j = kept; j < kept + m; ++j) from_e.n[out.arm[j]] += 1;
  for (std::size_t a = 0; a < kMaxArms; ++a) {
    const std::int64_t from_d = t.n[a] - from_e.n[a];
    t.sae[a] = scaled(d.totals.sae[a], from_d, d.totals.n[a]) + scaled(e.totals.sae[a], from_e.n[a], e.totals.n[a]);
    t.infusion[a] =
        scaled(d.totals.infusion[a], from_d, d.totals.n[a]) + scaled(e.totals.infusion[a], from_e.n[a], e.totals.n[a]);
  }
  out.totals = t;
  out.screened = screens_of(out);
}

const CalendarBoundaries::Critical& CalendarBoundaries::at(const Counts& held) const {
  {
    const std::shared_lock<std::shared_mutex> lock(mutex_);
    const auto it = cache_.find(held);
    if (it != cache_.end()) return it->second;
  }
  // Computed outside the lock; a second thread computing the same counts gets the same bits, and the
  // first entry stays (std::map's entries never move).
  const Critical c = compute(s_, held);
  const std::unique_lock<std::shared_mutex> lock(mutex_);
  return cache_.emplace(held, c).first->second;
}

std::shared_ptr<const CalendarBoundaries> CalendarBoundaries::shared(const Scenario& s) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const CalendarBoundaries>> caches;
  // compute() reads the boundary options, N and the number of looks.
  const std::string key = boundaries_key(interim_boundaries_options_at(s, {})) + "|" +
                          std::to_string(s.design.sample_size) + "|" + std::to_string(s.design.interims.looks());
  const std::lock_guard<std::mutex> lock(mutex);
  if (auto it = caches.find(key); it != caches.end()) return it->second;
  if (caches.size() >= 64) caches.clear();  // sweeps over many designs: bounded memory
  return caches[key] = std::make_shared<const CalendarBoundaries>(s);
}

std::size_t CalendarBoundaries::size() const {
  const std::shared_lock<std::shared_mutex> lock(mutex_);
  return cache_.size();
}

CalendarBoundaries::Critical CalendarBoundaries::compute(const Scenario& s, const Counts& held) {
  const std::size_t K = s.design.interims.looks();
  const double n = static_cast<double>(s.design.sample_size);
  std::vector<double> t;
  for (std::size_t k = 0; k < K; ++k)
    if (held[k] > 0) t.push_back(static_cast<double>(held[k]) / n);
  // The bounds of interim_boundaries_at(s, t) (the same computation), without their alpha columns.
  const std::vector<double> b = stats::critical_values(stats::group_sequential_options(interim_boundaries_options_at(s, t)));
  Critical c;
  c.fill(kNaN);
  std::size_t j = 0;
  for (std::size_t k = 0; k < K; ++k)
    if (held[k] > 0) c[k] = b[j++];
  c[K] = b.back();
  return c;
}

CalendarBoundaries::Counts InterimAnalyses::calendar_counts(const TrialData& d) const {
  const Interims& in = s_.design.interims;
  const std::int64_t N = s_.design.sample_size;
  // Fractions closer than 1e-4 cannot be told apart by the boundary computation (stats::
  // design_group_sequential refuses them): such a look is not held either (only for N > 10000).
  const auto apart = static_cast<std::int64_t>(std::ceil(1e-4 * static_cast<double>(N)));
  CalendarBoundaries::Counts held{};
  std::int64_t previous = 0;
  for (std::size_t k = 0; k < in.months.size(); ++k) {
    const double month = in.months[k];
    // Children are randomised in calendar order: those at their primary visit by the month are a prefix.
    const auto count = static_cast<std::int64_t>(
        std::partition_point(d.month.begin(), d.month.end(), [&](double x) { return !(x + primary_ > month); }) -
        d.month.begin());
    if (count > 0 && count - previous >= apart && N - count >= apart) {
      held[k] = count;
      previous = count;
    }
  }
  return held;
}

InterimAnalyses::InterimAnalyses(const Scenario& s, const TrialAnalysis& analysis)
    : s_(s),
      analysis_(analysis),
      bounds_(s.design.interims.calendar() ? stats::Boundaries{} : interim_boundaries(s)),
      children_(interim_children(s)),
      sign_(s.analysis.direction == Direction::greater ? 1.0 : -1.0),
      sides_(s.analysis.sides),
      primary_(s.analysis.primary_visit_months) {
  CELLTRIAL_ASSERT(s.design.interims.active() && s.design.accrual.modelled() && looks() <= kMaxInterims);
  const SampleSizeReestimation& r = s.design.interims.reestimation;
  CELLTRIAL_ASSERT(!r.active() || (r.max_sample_size > s.design.sample_size && s.analysis.method == AnalysisMethod::ancova));
  if (s.design.interims.calendar()) {
    CELLTRIAL_ASSERT(!r.active() && !s.design.interims.enrichment.active() && !s.design.interims.arm_selection.active() &&
                     !s.design.interims.pause_enrolment && !s.design.interims.binding &&
                     s.design.interims.futility != FutilityRule::beta_spending);
    calendar_ = CalendarBoundaries::shared(s);
    return;
  }
  // The weights of the combination test, fixed by the design: the last look's children n1 of N.
  w1_ = std::sqrt(static_cast<double>(children_.back()) / static_cast<double>(s.design.sample_size));
  w2_ = std::sqrt(1 - w1_ * w1_);
  if (s.design.interims.enrichment.active()) {
    CELLTRIAL_ASSERT(children_.size() == 1 && !r.active() && s.analysis.method == AnalysisMethod::ancova &&
                     s.active_arms().size() == 1);
    subgroup_ = enrichment_subgroup(s);
  }
  if (s.design.interims.arm_selection.active())
    CELLTRIAL_ASSERT(children_.size() == 1 && !r.active() && s.analysis.method == AnalysisMethod::ancova &&
                     s.active_arms().size() >= 2 && s.active_arms().size() <= kMaxSelectionArms);
  if (stagewise_ordering_applies(s)) {
    ci_level_ = s.analysis.ci_level;
    const double a = (1 - ci_level_) / 2;
    // Binding futility bounds belong to the design's continuation region; non-binding ones do not.
    const Interims& in = s.design.interims;
    const std::size_t K = bounds_.design.critical_values.size();
    std::vector<double> lower;
    if (sides_ == 2) {
      // Two-sided: a crossing of -c_k stops the trial (for harm), like a binding futility bound.
      for (double c : bounds_.design.critical_values) lower.push_back(-c);
    } else if (in.binding && in.futility == FutilityRule::z) {
      lower.assign(K, in.futility_threshold);
    } else if (in.binding && in.futility == FutilityRule::beta_spending) {
      lower = bounds_.design.futility_bounds;
    }
    if (!lower.empty()) lower.back() = -std::numeric_limits<double>::infinity();  // the final analysis decides
    ordering_ = stats::StagewiseOrdering::shared(bounds_.design.information_fractions, bounds_.design.critical_values,
                                                 lower, std::vector<double>{0.5, a, 1 - a});
  }
}

namespace {
/// The t value with the same one-sided tail as the normal value z: F_t^-1(Phi(z)) with df degrees of
/// freedom. The Cornish-Fisher expansion in 1/df to the fourth order (Abramowitz & Stegun 26.7.5)
/// where its error is below 1e-6 relative (measured against Boost: |z| <= 5 from 80 df, widening to
/// |z| <= 8 at 200 df; the error grows like z^10 / df^5), else Boost's quantile (about 100 times
/// slower).
double t_of_z(double z, double df) {
  if (df >= 80 && std::abs(z) <= std::min(8.0, 5 + (df - 80) / 40)) {
    const double z2 = z * z, z3 = z2 * z, z5 = z3 * z2, z7 = z5 * z2, z9 = z7 * z2;
    const double g1 = (z3 + z) / 4;
    const double g2 = (5 * z5 + 16 * z3 + 3 * z) / 96;
    const double g3 = (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / 384;
    const double g4 = (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / 92160;
    return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
  }
  const boost::math::students_t_distribution<double> t_dist(df);
  const boost::math::normal_distribution<double> normal;
  return z >= 0 ? boost::math::quantile(boost::math::complement(t_dist, boost::math::cdf(boost::math::complement(normal, z))))
                : boost::math::quantile(t_dist, boost::math::cdf(normal, z));
}
}  // namespace

void InterimAnalyses::adjust(std::size_t k, InterimResult& ir) const {
  const ComparisonResult& r = ir.at_stopping;
  ComparisonResult& x = ir.adjusted;
  x = r;
  x.reject = x.reject_favourable = x.reject_unadjusted_favourable = false;
  const double z = ir.z[k];
  x.estimable = r.estimable && std::isfinite(z) && r.df > 0 && r.se > 0;
  if (!x.estimable) return;
  const double s = std::sqrt(bounds_.design.information_fractions[k]);
  // The effect whose analysis would have Z = zeta at this look: se * F_t^-1(Phi(zeta)), oriented.
  auto effect = [&](double p) {
    const double zeta = ordering_->drift_at(k, z, p) * s;
    if (!std::isfinite(zeta)) return sign_ * zeta;
    return sign_ * r.se * t_of_z(zeta, r.df);
  };
  const double a = (1 - ci_level_) / 2;
  x.estimate = effect(0.5);
  const double e1 = effect(a), e2 = effect(1 - a);
  x.covered = std::min(e1, e2) <= r.truth && r.truth <= std::max(e1, e2);
  x.estimable = std::isfinite(x.estimate);
}

void InterimAnalyses::reestimate(double z, InterimResult& ir) const {
  const SampleSizeReestimation& r = s_.design.interims.reestimation;
  const std::int64_t n1 = children_.back(), planned = s_.design.sample_size;
  const double c = bounds_.design.critical_values.back();
  ir.conditional_power =
      stats::combination_conditional_power(z, static_cast<double>(n1), static_cast<double>(planned - n1), w1_, c);
  bool change = true;
  if (r.rule == ReestimationRule::promising_zone) {
    ir.zone = ir.conditional_power < r.zone_lower   ? InterimResult::Zone::unfavourable
              : ir.conditional_power < r.zone_upper ? InterimResult::Zone::promising
                                                    : InterimResult::Zone::favourable;
    change = ir.zone == InterimResult::Zone::promising;
  }
  ir.reestimated = change ? stats::reestimated_sample_size(z, n1, planned, r.max_sample_size, c, r.target_power) : planned;
  ir.increased = ir.reestimated > planned;
}

double InterimAnalyses::z_of(const ComparisonResult& r, double sign) {
  return r.estimable ? stats::z_from_t(sign * r.t, r.df) : kNaN;
}

double InterimAnalyses::conditional_power(double z, double t, double c) {
  // B(t) = z sqrt(t); the final B(1) = B(t) + N(theta (1 - t), 1 - t) with the drift theta = z / sqrt(t).
  const double x = (c - z / std::sqrt(t)) / std::sqrt(1 - t);
  return boost::math::cdf(boost::math::complement(boost::math::normal_distribution<double>(), x));
}

void InterimAnalyses::set_decision(TrialResult& out, bool reject, bool favourable) const {
  ComparisonResult& r = out.comparisons[0];
  r.reject = reject;
  r.reject_favourable = reject && favourable;
  // The family is the primary comparison alone (validation), and so is every claim over it.
  out.family_reject.assign(1, r.reject);
  out.family_favourable.assign(1, r.reject_favourable);
  for (auto& c : out.claims) c = r.reject_favourable;
}

const TrialData& InterimAnalyses::analyse(const TrialData& d, InterimWorkspace& ws, TrialResult& out,
                                          const CappedTrial& capped, const EnrichedTrial& enriched,
                                          const SelectedTrial& selected) const {
  if (s_.design.interims.enrichment.active()) return analyse_enrichment(d, ws, out, enriched);
  if (s_.design.interims.arm_selection.active()) return analyse_arm_selection(d, ws, out, selected);
  const Interims& in = s_.design.interims;
  const std::size_t K = looks(), N = d.size();
  const double planned = static_cast<double>(s_.design.sample_size);
  InterimResult ir;
  ir.used = true;
  ir.looks = static_cast<int>(K);
  ir.z.fill(kNaN);
  ir.look_month.fill(kNaN);
  ir.information.fill(kNaN);
  ir.critical.fill(kNaN);
  std::size_t stop_children = N;
  const bool prefix = analysis_.compares_alone();
  ws.sums = {};
  // Look k: its month (children are randomised in calendar order), the children randomised by then,
  // and its analysis.
  const auto analyse_look = [&](std::size_t k, InterimLook& look) {
    look.month = calendar_ ? in.months[k] : d.month[static_cast<std::size_t>(children_[k]) - 1] + primary_;
    // With enrolment paused at the look, those children exactly (the next one is randomised from
    // the look's month on).
    look.randomised =
        in.pause_enrolment
            ? static_cast<std::size_t>(children_[k])
            : static_cast<std::size_t>(std::upper_bound(d.month.begin(), d.month.end(), look.month) - d.month.begin());
    if (prefix) {
      // The ANCOVA of the look's data is that of the children at their primary visit by then, a
      // prefix of the trial's (calendar order): the sums so far carried forward, no copy.
      const double month = look.month;
      const auto assessed = static_cast<std::size_t>(
          std::partition_point(d.month.begin(), d.month.begin() + static_cast<std::ptrdiff_t>(look.randomised),
                               [&](double x) { return !(x + primary_ > month); }) -
          d.month.begin());
      analysis_.compare_prefix(d, assessed, ws.sums, ws.result);
      if (calendar_) look.sums = ws.sums;  // the looks after it carry them on before any stop
    } else {
      restrict_trial(d, look.randomised, look.month, s_, ws.look);
      analysis_.analyse(ws.look, ws.result);
    }
    look.result = ws.result.comparisons[0];
    look.z = z_of(look.result, sign_);
  };
  // The critical values: the design's, or with calendar looks those recomputed at the fractions the
  // trial's looks observed (index K: the final analysis). A calendar look is held when it has
  // children at the primary visit and its analysis estimates the effect: the looks are analysed
  // first, and one that estimates nothing (too few children in an arm, a model that does not fit)
  // is skipped like a look without children, so it spends no alpha.
  CalendarBoundaries::Counts held{};
  const double* crit = bounds_.design.critical_values.data();
  if (calendar_) {
    held = calendar_counts(d);
    for (std::size_t k = 0; k < K; ++k)
      if (held[k] > 0) {
        analyse_look(k, ws.calendar[k]);
        if (std::isnan(ws.calendar[k].z)) held[k] = 0;
      }
    crit = calendar_->at(held).data();
  }
  for (std::size_t k = 0; k < K; ++k) {
    if (calendar_ && held[k] == 0) continue;  // a calendar look not held
    if (!calendar_) analyse_look(k, ws.current);
    const InterimLook& look = calendar_ ? ws.calendar[k] : ws.current;
    const double month = look.month;
    const std::size_t randomised = look.randomised;
    ir.look_month[k] = month;
    // The look's information: its planned fraction, or the share of the planned children at their
    // primary visit by the calendar month.
    const double t = calendar_ ? static_cast<double>(held[k]) / planned : in.information[k];
    if (calendar_) ir.information[k] = t;
    ir.critical[k] = crit[k];
    const ComparisonResult& r = look.result;
    const double z = look.z;
    ir.z[k] = z;
    if (std::isnan(z)) continue;
    const double c = crit[k];
    if (z >= c || (sides_ == 2 && -z >= c)) {
      ir.stop = z >= c ? InterimResult::Stop::efficacy : InterimResult::Stop::harm;
      ir.rejected_at = static_cast<int>(k);
      ir.rejected_favourable = z >= c;
    } else if ((in.futility == FutilityRule::z && z <= in.futility_threshold) ||
               (in.futility == FutilityRule::beta_spending && z <= bounds_.design.futility_bounds[k]) ||
               (in.futility == FutilityRule::conditional_power &&
                conditional_power(z, t, crit[K]) < in.futility_threshold)) {
      ir.stop = InterimResult::Stop::futility;
    } else {
      // The trial goes on past the last look: the re-estimation, when asked for, decides its N.
      if (k + 1 == K && in.reestimation.active()) reestimate(z, ir);
      continue;
    }
    ir.stopped_at = static_cast<int>(k);
    ir.at_stopping = r;
    ir.duration_months = month;
    stop_children = randomised;
    // The final analysis carries the sums on from the stopping look (calendar looks were all analysed).
    if (calendar_ && prefix) ws.sums = look.sums;
    break;
  }

  const TrialData* final_data = &d;
  if (ir.stopped_at >= 0 && stop_children < N) {
    restrict_trial(d, stop_children, std::numeric_limits<double>::infinity(), s_, ws.final);
    final_data = &ws.final;
  } else if (ir.increased) {
    CELLTRIAL_ASSERT(capped);
    extend_trial(d, capped(), static_cast<std::size_t>(ir.reestimated), s_, ws.final);
    final_data = &ws.final;
  }
  // The final analysis's children (those randomised by a stop, or all) are a prefix of the trial's
  // and include every look's: the sums carry on, unless an increase added children.
  if (prefix && !ir.increased) analysis_.analyse_prefix(d, final_data->size(), ws.sums, *final_data, out);
  else analysis_.analyse(*final_data, out);
  ir.randomised = static_cast<std::int64_t>(final_data->size());
  if (ir.stopped_at < 0) {
    // The final analysis of every child (after an increase: pooled, the estimate reported).
    double z = z_of(out.comparisons[0], sign_);
    ir.at_stopping = out.comparisons[0];
    ir.duration_months = final_data->duration_months;
    if (ir.increased) {
      // The second stage: the children whose primary visit had not come at the last look (those
      // randomised in calendar order after the look's analysis set), analysed alone.
      const double look = ir.look_month[K - 1];
      const auto& m = final_data->month;
      const auto first = static_cast<std::size_t>(
          std::partition_point(m.begin(), m.end(), [&](double x) { return x + primary_ <= look; }) - m.begin());
      ir.z_pooled = z;
      ir.naive_rejected_favourable = !std::isnan(z) && z >= crit[K];
      // No second-stage child (months beyond what a double tells apart): not estimable.
      ir.z_stage2 = kNaN;
      if (first < final_data->size()) {
        select_children(*final_data, first, final_data->size(), s_, ws.stage2);
        analysis_.analyse(ws.stage2, ws.result);
        ir.z_stage2 = z_of(ws.result.comparisons[0], sign_);
      }
      ir.z_combined = w1_ * ir.z[K - 1] + w2_ * ir.z_stage2;
      z = ir.z_combined;
    }
    ir.z[K] = z;
    ir.critical[K] = crit[K];
    if (!std::isnan(z) && (z >= crit[K] || (sides_ == 2 && -z >= crit[K]))) {
      ir.rejected_at = static_cast<int>(K);
      ir.rejected_favourable = z >= crit[K];
    }
  }
  if (!ir.increased) ir.naive_rejected_favourable = ir.rejected_at >= 0 && ir.rejected_favourable;
  if (ordering_) adjust(ir.stopped_at >= 0 ? static_cast<std::size_t>(ir.stopped_at) : K, ir);
  set_decision(out, ir.rejected_at >= 0, ir.rejected_favourable);
  out.interim = ir;
  return *final_data;
}

std::pair<double, std::size_t> InterimAnalyses::first_look(const TrialData& d, InterimWorkspace& ws,
                                                           InterimResult& ir) const {
  ir.used = true;
  ir.looks = 1;
  ir.z.fill(kNaN);
  ir.look_month.fill(kNaN);
  const double look = d.month[static_cast<std::size_t>(children_[0]) - 1] + primary_;
  const auto randomised =
      static_cast<std::size_t>(std::upper_bound(d.month.begin(), d.month.end(), look) - d.month.begin());
  ir.look_month[0] = look;
  restrict_trial(d, randomised, look, s_, ws.look);
  analysis_.analyse(ws.look, ws.result);
  return {look, randomised};
}

const TrialData& InterimAnalyses::analyse_enrichment(const TrialData& d, InterimWorkspace& ws, TrialResult& out,
                                                    const EnrichedTrial& enriched) const {
  using Selection = EnrichmentResult::Selection;
  const std::size_t N = d.size();
  const auto& crit = bounds_.design.critical_values;  // the look's c_1, the final c_2
  const AdaptiveEnrichment& en = s_.design.interims.enrichment;
  const bool simes = en.intersection == IntersectionTest::simes;
  InterimResult ir;
  EnrichmentResult& er = ir.enrichment;

  // The look: everyone, the subgroup and its complement among the children at their primary visit.
  // Plain variables, not a structured binding: lambdas below capture them, which clang 14 refuses for bindings.
  const std::pair<double, std::size_t> at = first_look(d, ws, ir);
  const double look = at.first;
  const std::size_t randomised = at.second;
  const ComparisonResult& full = ws.result.comparisons[0];
  const SubgroupResult& sub = ws.result.subgroups[subgroup_];  // one active arm: slot g
  er.z_full1 = z_of(full, sign_);
  er.z_subgroup1 = z_of(sub.inside, sign_);
  er.z_complement1 = z_of(sub.outside, sign_);
  ir.z[0] = er.z_full1;
  const stats::StageZ s1 = stats::stage_z(er.z_full1, er.z_subgroup1, simes);
  const stats::ClosedDecision at_look = stats::closed_test_interim(s1, crit[0]);
  er.naive_full = er.z_full1 >= crit[0];
  er.naive_subgroup = er.z_subgroup1 >= crit[0];
  if (at_look.any()) {
    er.selection = Selection::efficacy;
    er.claim_full = at_look.full;
    er.claim_subgroup = at_look.subgroup;
    ir.stop = InterimResult::Stop::efficacy;
  } else {
    // The rule: everyone when the complement benefits, else the subgroup when it does, else stop.
    auto statistic = [&](const ComparisonResult& r, double z) {
      if (en.statistic == SelectionStatistic::z) return z;
      return r.estimable ? sign_ * r.estimate : kNaN;
    };
    const bool complement = statistic(sub.outside, er.z_complement1) >= en.complement_threshold;
    const bool subgroup = statistic(sub.inside, er.z_subgroup1) >= en.subgroup_threshold;
    er.selection = complement ? Selection::full : subgroup ? Selection::subgroup : Selection::futility;
    if (er.selection == Selection::futility) ir.stop = InterimResult::Stop::futility;
  }
  const bool stopped = ir.stop != InterimResult::Stop::none;
  if (stopped) {
    ir.stopped_at = 0;
    ir.at_stopping = full;
    ir.duration_months = look;
  }

  // The final data: the children randomised by a stop, followed up; the trial as planned; or its
  // children randomised by the look followed by children of the subgroup alone.
  const TrialData* final_data = &d;
  if (stopped && randomised < N) {
    restrict_trial(d, randomised, std::numeric_limits<double>::infinity(), s_, ws.final);
    final_data = &ws.final;
  } else if (er.selection == Selection::subgroup && randomised < N) {
    CELLTRIAL_ASSERT(enriched);
    append_children(d, randomised, enriched(randomised, look), N - randomised, s_, ws.final);
    final_data = &ws.final;
  }
  analysis_.analyse(*final_data, out);
  ir.randomised = static_cast<std::int64_t>(final_data->size());
  if (!stopped) {
    ir.at_stopping = out.comparisons[0];
    ir.duration_months = final_data->duration_months;
    // Stage 2: the children whose primary visit had not come at the look, analysed alone; a
    // population dropped keeps no stage-2 statistic.
    const auto& m = final_data->month;
    const auto first = static_cast<std::size_t>(
        std::partition_point(m.begin(), m.end(), [&](double x) { return x + primary_ <= look; }) - m.begin());
    stats::StageZ s2;
    if (first < final_data->size()) {
      select_children(*final_data, first, final_data->size(), s_, ws.stage2);
      analysis_.analyse(ws.stage2, ws.result);
      const double z_full = er.selection == Selection::full ? z_of(ws.result.comparisons[0], sign_) : kNaN;
      s2 = stats::stage_z(z_full, z_of(ws.result.subgroups[subgroup_].inside, sign_), simes);
    }
    er.z_full2 = s2.full;
    er.z_subgroup2 = s2.subgroup;
    const stats::ClosedDecision final_test = stats::closed_test_final(s1, s2, w1_, crit[1]);
    er.claim_full = final_test.full;
    er.claim_subgroup = final_test.subgroup;
    ir.z[1] = er.selection == Selection::full ? stats::combine(s1.full, s2.full, w1_) : stats::combine(s1.subgroup, s2.subgroup, w1_);
    // The naive tests: the pooled final analysis of the population continued, at c_2.
    if (er.selection == Selection::full) er.naive_full = er.naive_full || z_of(out.comparisons[0], sign_) >= crit[1];
    er.naive_subgroup = er.naive_subgroup || z_of(out.subgroups[subgroup_].inside, sign_) >= crit[1];
    if (final_test.any()) ir.rejected_at = 1;
  } else if (at_look.any()) {
    ir.rejected_at = 0;
  }
  ir.rejected_favourable = ir.rejected_at >= 0;
  ir.naive_rejected_favourable = er.naive_full || er.naive_subgroup;
  set_decision(out, er.claim_full, true);
  out.interim = ir;
  return *final_data;
}

unsigned select_arms(const ArmSelection& as, const double* stat, std::size_t m) {
  // A statistic that is not estimable (NaN) never keeps its arm.
  double best = -std::numeric_limits<double>::infinity();
  std::size_t best_arm = m;
  for (std::size_t c = 0; c < m; ++c)
    if (stat[c] > best) {
      best = stat[c];
      best_arm = c;
    }
  if (best_arm == m) return 0;
  const bool floor = std::isfinite(as.threshold);
  unsigned kept = 0;
  for (std::size_t c = 0; c < m; ++c) {
    bool keep = false;
    switch (as.rule) {
      case ArmSelectionRule::best: keep = c == best_arm; break;
      case ArmSelectionRule::threshold: keep = stat[c] >= as.threshold; break;
      case ArmSelectionRule::epsilon: keep = stat[c] >= best - as.epsilon; break;
      case ArmSelectionRule::none: break;
    }
    if (keep && (!floor || stat[c] >= as.threshold)) kept |= 1u << c;
  }
  return kept;
}

const TrialData& InterimAnalyses::analyse_arm_selection(const TrialData& d, InterimWorkspace& ws, TrialResult& out,
                                                        const SelectedTrial& selected) const {
  using Outcome = ArmSelectionResult::Outcome;
  const std::size_t N = d.size(), m = analysis_.comparisons();
  const auto& crit = bounds_.design.critical_values;  // the look's c_1, the final c_2
  const ArmSelection& as = s_.design.interims.arm_selection;
  const bool simes = as.intersection == IntersectionTest::simes;
  const unsigned all = (1u << m) - 1;
  InterimResult ir;
  ArmSelectionResult& ar = ir.arm_selection;

  // The look: each active arm against control among the children at their primary visit.
  // Plain variables, not a structured binding: lambdas below capture them, which clang 14 refuses for bindings.
  const std::pair<double, std::size_t> at = first_look(d, ws, ir);
  const double look = at.first;
  const std::size_t randomised = at.second;
  std::array<double, kMaxSelectionArms> stat{};
  for (std::size_t c = 0; c < m; ++c) {
    const ComparisonResult& r = ws.result.comparisons[c];
    ar.z1[c] = z_of(r, sign_);
    stat[c] = as.statistic == SelectionStatistic::z ? ar.z1[c] : r.estimable ? sign_ * r.estimate : kNaN;
    if (ar.z1[c] >= crit[0]) ar.naive |= static_cast<std::uint8_t>(1u << c);
  }
  ir.z[0] = ar.z1[0];
  const unsigned at_look = stats::closed_test_interim(ar.z1.data(), m, simes, crit[0]);
  unsigned kept = 0;
  if (at_look != 0) {
    ar.outcome = Outcome::efficacy;
    ar.claims = static_cast<std::uint8_t>(at_look);
    ir.stop = InterimResult::Stop::efficacy;
  } else {
    kept = select_arms(as, stat.data(), m);
    ar.outcome = kept != 0 ? Outcome::continued : Outcome::futility;
    if (kept == 0) ir.stop = InterimResult::Stop::futility;
  }
  ar.kept = static_cast<std::uint8_t>(kept);
  const bool stopped = ir.stop != InterimResult::Stop::none;
  if (stopped) {
    ir.stopped_at = 0;
    ir.at_stopping = ws.result.comparisons[0];
    ir.duration_months = look;
  }

  // The final data: the children randomised by a stop, followed up; the trial as planned (every arm
  // kept); or its children randomised by the look followed by children randomised among control and
  // the arms kept.
  const TrialData* final_data = &d;
  if (stopped && randomised < N) {
    restrict_trial(d, randomised, std::numeric_limits<double>::infinity(), s_, ws.final);
    final_data = &ws.final;
  } else if (!stopped && kept != all && randomised < N) {
    CELLTRIAL_ASSERT(selected);
    append_children(d, randomised, selected(kept, randomised, look), N - randomised, s_, ws.final);
    final_data = &ws.final;
  }
  analysis_.analyse(*final_data, out);
  ir.randomised = static_cast<std::int64_t>(final_data->size());
  if (!stopped) {
    ir.at_stopping = out.comparisons[0];
    ir.duration_months = final_data->duration_months;
    // Stage 2: the children whose primary visit had not come at the look, analysed alone; an arm
    // dropped keeps no stage-2 statistic.
    const auto& mo = final_data->month;
    const auto first = static_cast<std::size_t>(
        std::partition_point(mo.begin(), mo.end(), [&](double x) { return x + primary_ <= look; }) - mo.begin());
    if (first < final_data->size()) {
      select_children(*final_data, first, final_data->size(), s_, ws.stage2);
      analysis_.analyse(ws.stage2, ws.result);
      for (std::size_t c = 0; c < m; ++c)
        if (kept >> c & 1u) ar.z2[c] = z_of(ws.result.comparisons[c], sign_);
    }
    ar.claims = static_cast<std::uint8_t>(
        stats::closed_test_final(ar.z1.data(), ar.z2.data(), m, simes, w1_, crit[0], crit[1]));
    // The combination statistic of the first arm kept; the naive tests: the pooled final analysis of
    // each arm kept, at c_2.
    for (std::size_t c = 0; c < m; ++c)
      if (kept >> c & 1u) {
        if (std::isnan(ir.z[1])) ir.z[1] = stats::combine(ar.z1[c], ar.z2[c], w1_);
        if (z_of(out.comparisons[c], sign_) >= crit[1]) ar.naive |= static_cast<std::uint8_t>(1u << c);
      }
    if (ar.claims != 0) ir.rejected_at = 1;
  } else if (at_look != 0) {
    ir.rejected_at = 0;
  }
  ir.rejected_favourable = ir.rejected_at >= 0;
  ir.naive_rejected_favourable = ar.naive != 0;
  for (std::size_t c = 0; c < m; ++c) {
    ComparisonResult& r = out.comparisons[c];
    if (r.truth == 0) ar.null_arms |= static_cast<std::uint8_t>(1u << c);
    r.reject = r.reject_favourable = (ar.claims >> c & 1u) != 0;
  }
  // The family is the active arms' primary comparisons, in order (validation).
  out.family_reject.assign(m, 0);
  out.family_favourable.assign(m, 0);
  for (std::size_t c = 0; c < m; ++c) out.family_reject[c] = out.family_favourable[c] = out.comparisons[c].reject;
  out.interim = ir;
  return *final_data;
}

}  // namespace celltrial
