#include "celltrial/analysis/follow_up.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "celltrial/core/error.hpp"
#include "celltrial/stats/multiplicity.hpp"

namespace celltrial {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr auto kObserved = static_cast<std::uint8_t>(VisitStatus::observed);

// Mean and sample variance of a group, in one pass (Welford).
struct Group {
  double n = 0, mean = 0, m2 = 0;
  void add(double x) {
    n += 1;
    const double d = x - mean;
    mean += d / n;
    m2 += d * (x - mean);
  }
  double variance() const { return m2 / (n - 1); }
};
}  // namespace

FollowUpAnalysis::FollowUpAnalysis(const Model& m) : sc_(m.scenario()) {
  const FollowUp* f = m.follow_up();
  CELLTRIAL_ASSERT(f != nullptr);
  visits_ = f->visits();
  arms_ = sc_.arms.size();
  primary_ = f->primary();
  control_ = sc_.control_arm();
  const double start = sc_.design.delayed_start_month;
  if (start > 0) {
    const auto& months = f->months();
    auto index = [&](double t) { return static_cast<std::size_t>(std::find(months.begin(), months.end(), t) - months.begin()); };
    delayed_ = true;
    crossover_ = index(start);
    after_ = index(start + sc_.analysis.primary_visit_months);
    CELLTRIAL_ASSERT(crossover_ < visits_ && after_ < visits_);  // validation requires both visits
    early_arm_ = sc_.active_arms().front();
  }
}

void FollowUpAnalysis::analyse(const TrialData& d, FollowUpResult& out) const {
  const std::size_t n = d.size(), V = visits_, A = arms_;
  CELLTRIAL_ASSERT(d.visits == V);
  out.visits = V;
  out.observed_share.assign(V * A, 0.0);
  out.mean_observed.assign(V * A, 0.0);
  out.mean_all.assign(V * A, 0.0);
  std::vector<double>& seen = out.observed_share;  // counts first, shares at the end
  std::array<double, kMaxArms> size{}, dropped{}, events{};
  for (std::size_t j = 0; j < n; ++j) {
    const std::size_t a = d.arm[j];
    size[a] += 1;
    dropped[a] += !std::isnan(d.dropout_month[j]);
    events[a] += d.event_kind[j] != kNoEvent;
    const double* vc = d.visit_change.data() + j * V;
    const std::uint8_t* st = d.status.data() + j * V;
    for (std::size_t v = 0; v < V; ++v) {
      const std::size_t k = v * A + a;
      out.mean_all[k] += vc[v];
      if (st[v] == kObserved) {
        seen[k] += 1;
        out.mean_observed[k] += vc[v];
      }
    }
  }
  for (std::size_t v = 0; v < V; ++v)
    for (std::size_t a = 0; a < A; ++a) {
      const std::size_t k = v * A + a;
      out.mean_observed[k] = seen[k] > 0 ? out.mean_observed[k] / seen[k] : kNaN;
      out.mean_all[k] = size[a] > 0 ? out.mean_all[k] / size[a] : kNaN;
      seen[k] = size[a] > 0 ? seen[k] / size[a] : kNaN;
    }
  for (std::size_t a = 0; a < A; ++a) {
    out.dropped_share[a] = size[a] > 0 ? dropped[a] / size[a] : kNaN;
    out.event_share[a] = size[a] > 0 ? events[a] / size[a] : kNaN;
  }

  out.delayed = DelayedResult{};
  if (!delayed_) return;
  Group late, early;
  for (std::size_t j = 0; j < n; ++j) {
    const double* vc = d.visit_change.data() + j * V;
    const std::uint8_t* st = d.status.data() + j * V;
    if (d.arm[j] == control_ && st[crossover_] == kObserved && st[after_] == kObserved) late.add(vc[after_] - vc[crossover_]);
    if (d.arm[j] == early_arm_ && st[primary_] == kObserved) early.add(vc[primary_]);
  }
  DelayedResult& r = out.delayed;
  r.delayed_n = static_cast<std::int64_t>(late.n);
  r.early_n = static_cast<std::int64_t>(early.n);
  r.delayed_gain = late.n > 0 ? late.mean : kNaN;
  r.early_gain = early.n > 0 ? early.mean : kNaN;
  if (late.n < 2 || early.n < 2) return;
  const double ql = late.variance() / late.n, qe = early.variance() / early.n;
  const double se = std::sqrt(ql + qe), estimate = late.mean - early.mean;
  const double df = (ql + qe) * (ql + qe) / (ql * ql / (late.n - 1) + qe * qe / (early.n - 1));
  // Not estimable without spread, or with values beyond what doubles hold (an effect of 1e300).
  if (!(se > 0) || !std::isfinite(se) || !std::isfinite(estimate) || !(df >= 1) || !std::isfinite(df)) return;
  r.estimable = true;
  r.se = se;
  r.estimate = estimate;
  r.df = df;
  const double p = 2 * stats::p_from_t(std::fabs(r.estimate / r.se), r.df);
  r.reject = p < sc_.analysis.alpha;
}

}  // namespace celltrial
