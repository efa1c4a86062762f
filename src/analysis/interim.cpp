#include "celltrial/analysis/interim.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <boost/math/distributions/normal.hpp>

#include "celltrial/core/error.hpp"
#include "celltrial/scenario/interims.hpp"
#include "celltrial/stats/multiplicity.hpp"

namespace celltrial {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The first n * per entries of v when it holds per entries for each of the trial's children, else v
// as it is (a field the model did not fill).
template <class T>
void prefix(const std::vector<T>& v, std::size_t children, std::size_t n, std::size_t per, std::vector<T>& out) {
  if (v.size() == children * per && per > 0) out.assign(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n * per));
  else out = v;
}
}  // namespace

void restrict_trial(const TrialData& d, std::size_t n, double month, const Scenario& s, TrialData& out) {
  const std::size_t N = d.size(), V = d.visits;
  CELLTRIAL_ASSERT(n >= 1 && n <= N && d.month.size() == N);
  prefix(d.arm, N, n, 1, out.arm);
  prefix(d.stratum, N, n, 1, out.stratum);
  prefix(d.level, N, n, 1, out.level);
  prefix(d.age, N, n, 1, out.age);
  prefix(d.dose, N, n, 1, out.dose);
  prefix(d.planned_dose, N, n, 1, out.planned_dose);
  prefix(d.male, N, n, 1, out.male);
  prefix(d.hla, N, n, 1, out.hla);
  prefix(d.baseline, N, n, 1, out.baseline);
  prefix(d.change, N, n, 1, out.change);
  prefix(d.observed, N, n, 1, out.observed);
  prefix(d.screens, N, n, 1, out.screens);
  prefix(d.month, N, n, 1, out.month);
  prefix(d.latent, N, n, 1, out.latent);
  out.visits = V;
  prefix(d.visit_change, N, n, V, out.visit_change);
  prefix(d.hypothetical, N, n, V, out.hypothetical);
  prefix(d.status, N, n, V, out.status);
  prefix(d.dropout_month, N, n, 1, out.dropout_month);
  prefix(d.event_month, N, n, 1, out.event_month);
  prefix(d.event_kind, N, n, 1, out.event_kind);
  prefix(d.treated_month, N, n, 1, out.treated_month);
  out.effect_scale = d.effect_scale;
  const double primary = s.analysis.primary_visit_months;
  out.accrual_months = out.month[n - 1] - out.month[0];
  out.duration_months = out.month[n - 1] + primary;

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
  TrialData::Totals t{};
  std::uint64_t screened = 0;
  for (std::size_t j = 0; j < n; ++j) {
    const std::size_t a = out.arm[j];
    t.n[a] += 1;
    t.dose[a] += out.dose[j];
    t.age += out.age[j];
    t.under_5 += out.age[j] < 60;
    t.gmfcs_1_3 += out.level[j] <= 2;
    screened += out.screens[j];
  }
  if (s.population.outcome_model == OutcomeModel::generic) t.under_5 = t.gmfcs_1_3 = static_cast<std::int64_t>(n);
  // The model draws adverse events as per-arm counts, not per child: scale them to the children kept.
  for (std::size_t a = 0; a < kMaxArms; ++a)
    if (d.totals.n[a] > 0) {
      const double share = static_cast<double>(t.n[a]) / static_cast<double>(d.totals.n[a]);
      t.sae[a] = std::llround(static_cast<double>(d.totals.sae[a]) * share);
      t.infusion[a] = std::llround(static_cast<double>(d.totals.infusion[a]) * share);
    }
  out.totals = t;
  out.screened = n == N ? d.screened : screened;
}

InterimAnalyses::InterimAnalyses(const Scenario& s, const TrialAnalysis& analysis)
    : s_(s),
      analysis_(analysis),
      bounds_(interim_boundaries(s)),
      children_(interim_children(s)),
      sign_(s.analysis.direction == Direction::greater ? 1.0 : -1.0),
      sides_(s.analysis.sides),
      primary_(s.analysis.primary_visit_months) {
  CELLTRIAL_ASSERT(s.design.interims.active() && s.design.accrual.modelled() && children_.size() <= kMaxInterims);
}

double InterimAnalyses::z_of(const ComparisonResult& r, double sign) {
  if (!r.estimable) return kNaN;
  const double p = stats::p_from_t(sign * r.t, r.df);
  // -Phi^-1(p) keeps the precision of a small p (1 - p would round to 1).
  if (!(p > 0)) return std::numeric_limits<double>::infinity();
  if (!(p < 1)) return -std::numeric_limits<double>::infinity();
  return -boost::math::quantile(boost::math::normal_distribution<double>(), p);
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

const TrialData& InterimAnalyses::analyse(const TrialData& d, InterimWorkspace& ws, TrialResult& out) const {
  const std::size_t K = children_.size(), N = d.size();
  const auto& crit = bounds_.design.critical_values;
  const Interims& in = s_.design.interims;
  InterimResult ir;
  ir.used = true;
  ir.looks = static_cast<int>(K);
  ir.z.fill(kNaN);
  ir.look_month.fill(kNaN);
  std::size_t stop_children = N;
  for (std::size_t k = 0; k < K; ++k) {
    // The month the look's children have all reached the primary visit (children are randomised in
    // calendar order), and the children randomised by then.
    const double month = d.month[static_cast<std::size_t>(children_[k]) - 1] + primary_;
    const auto randomised =
        static_cast<std::size_t>(std::upper_bound(d.month.begin(), d.month.end(), month) - d.month.begin());
    ir.look_month[k] = month;
    restrict_trial(d, randomised, month, s_, ws.look);
    analysis_.analyse(ws.look, ws.result);
    const ComparisonResult& r = ws.result.comparisons[0];
    const double z = z_of(r, sign_);
    ir.z[k] = z;
    if (std::isnan(z)) continue;
    const double c = crit[k];
    if (z >= c || (sides_ == 2 && -z >= c)) {
      ir.stop = z >= c ? InterimResult::Stop::efficacy : InterimResult::Stop::harm;
      ir.rejected_at = static_cast<int>(k);
      ir.rejected_favourable = z >= c;
    } else if ((in.futility == FutilityRule::z && z <= in.futility_threshold) ||
               (in.futility == FutilityRule::conditional_power &&
                conditional_power(z, in.information[k], crit[K]) < in.futility_threshold)) {
      ir.stop = InterimResult::Stop::futility;
    } else {
      continue;
    }
    ir.stopped_at = static_cast<int>(k);
    ir.at_stopping = r;
    ir.duration_months = month;
    stop_children = randomised;
    break;
  }

  const TrialData* final_data = &d;
  if (ir.stopped_at >= 0 && stop_children < N) {
    restrict_trial(d, stop_children, std::numeric_limits<double>::infinity(), s_, ws.final);
    final_data = &ws.final;
  }
  analysis_.analyse(*final_data, out);
  ir.randomised = static_cast<std::int64_t>(final_data->size());
  if (ir.stopped_at < 0) {
    const double z = z_of(out.comparisons[0], sign_);
    ir.z[K] = z;
    ir.at_stopping = out.comparisons[0];
    ir.duration_months = d.duration_months;
    if (!std::isnan(z) && (z >= crit[K] || (sides_ == 2 && -z >= crit[K]))) {
      ir.rejected_at = static_cast<int>(K);
      ir.rejected_favourable = z >= crit[K];
    }
  }
  set_decision(out, ir.rejected_at >= 0, ir.rejected_favourable);
  out.interim = ir;
  return *final_data;
}

}  // namespace celltrial
