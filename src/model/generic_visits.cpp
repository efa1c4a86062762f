#include "celltrial/model/generic_visits.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "celltrial/core/error.hpp"
#include "celltrial/core/random.hpp"
#include "celltrial/core/unroll.hpp"
#include "celltrial/model/dropout.hpp"
#include "celltrial/model/model.hpp"

namespace celltrial {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The lower Cholesky factor of a symmetric positive semi-definite n x n matrix (row-major). A pivot
// that rounding leaves at or below 0 gives a zero column: the factor of the nearest such matrix.
std::vector<double> cholesky(const std::vector<double>& c, std::size_t n) {
  std::vector<double> l(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k <= i; ++k) {
      double sum = c[i * n + k];
      for (std::size_t m = 0; m < k; ++m) sum -= l[i * n + m] * l[k * n + m];
      if (i == k) l[i * n + i] = std::sqrt(std::max(sum, 0.0));
      else l[i * n + k] = l[k * n + k] > 0 ? sum / l[k * n + k] : 0.0;
    }
  return l;
}
}  // namespace

GenericVisits::GenericVisits(const Scenario& s, double dropout_rate_per_month)
    : sc_(s),
      months_(s.design.visits_months),
      primary_(static_cast<std::size_t>(std::find(months_.begin(), months_.end(), s.analysis.primary_visit_months) -
                                        months_.begin())),
      slope_(s.population.generic.slope),
      effect_(s, months_, primary_),
      lambda_(dropout_rate_per_month),
      beta_(s.design.dropout_per_point),
      on_progress_(s.design.dropout_per_point != 0) {
  const GenericModel& g = s.population.generic;
  const std::size_t V = months_.size(), p = primary_;
  CELLTRIAL_ASSERT(p < V && V <= kMaxVisits);
  for (std::size_t v = 0; v < V; ++v) {
    intercept_.push_back(g.intercept_at(v));
    sd_.push_back(g.residual_sd_at(v));
  }
  const std::vector<double> R = visit_correlation(g, V);
  covariance_.resize(V * V);
  for (std::size_t i = 0; i < V; ++i)
    for (std::size_t j = 0; j < V; ++j) covariance_[i * V + j] = sd_[i] * R[i * V + j] * sd_[j];

  // The other visits' standardised residuals given the primary's: mean r z_p, correlation
  // R_oo - r r' (the conditional normal).
  for (std::size_t v = 0; v < V; ++v)
    if (v != p) others_.push_back(v);
  const std::size_t O = others_.size();
  r_.assign(V, 0.0);
  for (std::size_t v = 0; v < V; ++v) r_[v] = R[v * V + p];
  std::vector<double> c(O * O);
  for (std::size_t i = 0; i < O; ++i)
    for (std::size_t k = 0; k < O; ++k) {
      const std::size_t vi = others_[i], vk = others_[k];
      c[i * O + k] = R[vi * V + vk] - r_[vi] * r_[vk];
    }
  chol_ = cholesky(c, O);
  for (std::size_t v = 0; v < V; ++v) interval_expm1_.push_back(std::expm1(-lambda_ * (months_[v] - (v ? months_[v - 1] : 0.0))));
  primary_expm1_ = std::expm1(-lambda_ * months_[p]);
  bool shifted = false;
  for (std::size_t a = 0; a < s.arms.size(); ++a) {
    shift_[a] = s.design.mnar_shift(a);
    shifted = shifted || shift_[a] != 0;
    treated_now_[a] = s.arms[a].role == ArmRole::active;
  }
  plain_ = !on_progress_ && !(s.design.missed_visit > 0) && !shifted && O >= 1 && O <= kPlainOthers;
}

// run() without dropout on progress, missed visits or a shift after dropout, for O other visits
// (O + 1 visits): the same draws from each stream in the same order and the same arithmetic, in
// two passes (every child's values and its other arrays, then who drops out when).
template <std::size_t S>
GenericVisits::OtherVisits<S> GenericVisits::other_visits(const TrialData& d) const {
  OtherVisits<S> o;
  const std::size_t arms = sc_.arms.size();
  CELLTRIAL_ASSERT(others_.size() <= S);
  for (std::size_t k = 0; k < others_.size(); ++k) {
    const std::size_t v = others_[k];
    o.other[k] = v;
    o.r[k] = r_[v];
    o.sd[k] = sd_[v];
    o.intercept[k] = intercept_[v];
    o.sham[k] = effect_.sham_at_visit(v);
    for (std::size_t a = 0; a < arms; ++a) o.effect[a][k] = effect_.at_visit(a, v) * d.effect_scale[a];
  }
  return o;
}

template <std::size_t O>
void GenericVisits::run_plain(std::uint64_t seed, std::uint64_t trial, TrialData& d) const {
  constexpr std::size_t V = O + 1;
  const std::size_t n = d.size(), p = primary_;
  CELLTRIAL_ASSERT(d.latent.size() == n && others_.size() == O && months_.size() == V);
  d.resize_visits(V);

  // The loop's constants in local arrays, as in run_general().
  const OtherVisits<V> ov = other_visits<V>(d);
  const auto& other = ov.other;
  const auto &r_k = ov.r, &sd_k = ov.sd, &intercept_k = ov.intercept, &sham_k = ov.sham;
  const auto& effect_k = ov.effect;
  std::array<double, V> months{};
  std::array<double, kMaxArms> treated_at{};
  const std::size_t arms = sc_.arms.size();
  for (std::size_t v = 0; v < V; ++v) months[v] = months_[v];
  for (std::size_t a = 0; a < arms; ++a) treated_at[a] = treated_now_[a] ? 0.0 : kNaN;
  std::array<double, V * V> chol{};
  std::copy(chol_.begin(), chol_.end(), chol.begin());
  const double slope = slope_;
  constexpr auto observed_visit = static_cast<std::uint8_t>(VisitStatus::observed);
  constexpr auto dropped = static_cast<std::uint8_t>(VisitStatus::dropped_out);

  // The values: the primary visit's as the outcome model drew it, the others given its residual;
  // the hypothetical values are the same (no intercurrent events). Every visit observed and no
  // dropout month for now (the dropout pass sets them where a child drops out).
  {
    LocalEngine noise{make_stream(seed, trial, Purpose::visits)};
    const std::uint8_t* arm = d.arm.data();
    const double *baseline = d.baseline.data(), *change = d.change.data();
    const TrialData::Latent* latent = d.latent.data();
    double *values = d.visit_change.data(), *hypothetical = d.hypothetical.data(), *treated = d.treated_month.data(),
           *month = d.dropout_month.data(), *event = d.event_month.data();
    std::uint8_t *status = d.status.data(), *kind = d.event_kind.data();
    for (std::size_t j = 0; j < n; ++j) {
      const std::size_t a = arm[j];
      const double x = baseline[j], zp = latent[j].residual;
      double* vc = values + j * V;
      double* hv = hypothetical + j * V;
      std::array<double, V> z;
      unroll<O>([&](auto k) { z[k] = std_normal(noise); });
      unroll<O>([&](auto k) {
        double e = r_k[k] * zp;
        unroll<k + 1>([&](auto i) { e += chol[k * O + i] * z[i]; });
        const double y = intercept_k[k] + slope * x + effect_k[a][k] + sham_k[k] + sd_k[k] * e - x;
        vc[other[k]] = y;
        hv[other[k]] = y;
      });
      vc[p] = hv[p] = change[j];
      unroll<V>([&](auto v) { status[j * V + v] = observed_visit; });
      treated[j] = treated_at[a];
      month[j] = kNaN;
      event[j] = kNaN;  // no intercurrent events in the generic model
      kind[j] = kNoEvent;
    }
  }
  if (!(lambda_ > 0)) return;  // nobody drops out: every visit observed

  // Dropout: monotone, constant hazard. Lost by the primary visit as the outcome model found; the
  // month within that interval, then interval by interval after it.
  LocalEngine drop{make_stream(seed, trial, Purpose::follow_up)};
  std::uint8_t* status = d.status.data();
  std::uint8_t* observed = d.observed.data();
  double* month = d.dropout_month.data();
  auto mark = [&](std::size_t j, double out) {
    month[j] = out;
    unroll<V>([&](auto v) { status[j * V + v] = months[v] >= out ? dropped : observed_visit; });
  };
  const double primary_month = months[p], primary_expm1 = primary_expm1_, lambda = lambda_;
  if (p + 1 == V) {
    // The primary visit is the last: only the children lost by it draw, each once. Their month is
    // at most the primary visit's, so they stay unobserved there and the others observed.
    thread_local std::vector<std::uint32_t> lost;
    lost.resize(n);
    std::uint32_t* at = lost.data();
    std::size_t m = 0;
    for (std::size_t j = 0; j < n; ++j) {
      at[m] = static_cast<std::uint32_t>(j);
      m += observed[j] == 0;
    }
    if (!(lambda * primary_month > 1e-300)) {
      for (std::size_t i = 0; i < m; ++i) mark(at[i], uniform01(drop) * primary_month);  // DropoutModel::time_within
    } else {
      for (std::size_t i = 0; i < m; ++i)
        mark(at[i], std::min(primary_month, -std::log1p(uniform01(drop) * primary_expm1) / lambda));
    }
    return;
  }
  for (std::size_t j = 0; j < n; ++j) {
    double out = kNaN;
    if (!observed[j]) out = DropoutModel::time_within(uniform01(drop), lambda, primary_month, primary_expm1);
    for (std::size_t v = p + 1; v < V && std::isnan(out); ++v) {
      const double width = months[v] - months[v - 1];
      if (uniform01(drop) < -interval_expm1_[v])
        out = months[v - 1] + DropoutModel::time_within(uniform01(drop), lambda, width, interval_expm1_[v]);
    }
    if (std::isnan(out)) continue;
    mark(j, out);
    observed[j] = status[j * V + p] == observed_visit;
  }
}

void GenericVisits::run(std::uint64_t seed, std::uint64_t trial, TrialData& d) const {
  if (plain_) {
    switch (others_.size()) {
      case 1: return run_plain<1>(seed, trial, d);
      case 2: return run_plain<2>(seed, trial, d);
      case 3: return run_plain<3>(seed, trial, d);
      default: break;
    }
  }
  run_general(seed, trial, d);
}

void GenericVisits::run_general(std::uint64_t seed, std::uint64_t trial, TrialData& d) const {
  const std::size_t n = d.size(), V = months_.size(), p = primary_, O = others_.size();
  CELLTRIAL_ASSERT(d.latent.size() == n);
  d.resize_visits(V);
  std::fill(d.event_month.begin(), d.event_month.end(), kNaN);  // no intercurrent events in the generic model
  std::fill(d.event_kind.begin(), d.event_kind.end(), kNoEvent);
  LocalEngine noise{make_stream(seed, trial, Purpose::visits)};
  LocalEngine drop{make_stream(seed, trial, Purpose::follow_up)};
  LocalEngine missed{make_stream(seed, trial, Purpose::missed_visits)};
  const Design& D = sc_.design;
  const double miss = D.missed_visit;
  std::array<double, kMaxVisits> z{};
  // The loop's constants in local arrays, which the compiler can keep apart from the trial's arrays
  // it writes.
  const OtherVisits<kMaxVisits> ov = other_visits<kMaxVisits>(d);
  const auto& other = ov.other;
  const auto &r_k = ov.r, &sd_k = ov.sd, &intercept_k = ov.intercept, &sham_k = ov.sham;
  const auto& effect_k = ov.effect;
  std::array<double, kMaxVisits * kMaxVisits> chol{};
  std::copy(chol_.begin(), chol_.end(), chol.begin());
  const double slope = slope_;

  for (std::size_t j = 0; j < n; ++j) {
    const std::size_t a = d.arm[j];
    const double x = d.baseline[j], zp = d.latent[j].residual;
    double* vc = d.visit_change.data() + j * V;
    std::uint8_t* status = d.status.data() + j * V;

    // The values: the primary visit's as the outcome model drew it, the others given its residual.
    for (std::size_t k = 0; k < O; ++k) z[k] = std_normal(noise);
    for (std::size_t k = 0; k < O; ++k) {
      double e = r_k[k] * zp;
      for (std::size_t i = 0; i <= k; ++i) e += chol[k * O + i] * z[i];
      vc[other[k]] = intercept_k[k] + slope * x + effect_k[a][k] + sham_k[k] + sd_k[k] * e - x;
    }
    vc[p] = d.change[j];
    d.treated_month[j] = treated_now_[a] ? 0.0 : kNaN;

    // Dropout: monotone, constant hazard; on progress, times exp(beta * the change at the visit
    // that opens the interval), from the first interval on.
    double out = kNaN;
    if (lambda_ > 0) {
      if (on_progress_) {
        double from = 0, prev = 0;
        for (std::size_t v = 0; v < V; ++v) {
          const double width = months_[v] - from, rate = lambda_ * std::exp(beta_ * prev);
          if (uniform01(drop) < -std::expm1(-rate * width)) {
            out = from + DropoutModel::time_within(uniform01(drop), rate, width);
            break;
          }
          from = months_[v];
          prev = vc[v];
        }
      } else {
        // Lost by the primary visit as the outcome model found; the month within that interval.
        if (!d.observed[j]) out = DropoutModel::time_within(uniform01(drop), lambda_, months_[p], primary_expm1_);
        for (std::size_t v = p + 1; v < V && std::isnan(out); ++v) {
          const double width = months_[v] - months_[v - 1];
          if (uniform01(drop) < -interval_expm1_[v])
            out = months_[v - 1] + DropoutModel::time_within(uniform01(drop), lambda_, width, interval_expm1_[v]);
        }
      }
    }
    d.dropout_month[j] = out;

    // After dropout the unobserved values move by the arm's shift per month (missing not at random).
    const double shift = shift_[a];
    if (shift != 0 && !std::isnan(out))
      for (std::size_t v = 0; v < V; ++v)
        if (months_[v] > out) vc[v] += shift * (months_[v] - out);

    // Which visits are assessed: none from dropout on; before it, each missed at random.
    for (std::size_t v = 0; v < V; ++v) {
      VisitStatus st = VisitStatus::observed;
      if (months_[v] >= out) st = VisitStatus::dropped_out;
      if (miss > 0 && uniform01(missed) < miss && st == VisitStatus::observed) st = VisitStatus::missed;
      status[v] = static_cast<std::uint8_t>(st);
    }
    d.change[j] = vc[p];
    d.observed[j] = status[p] == static_cast<std::uint8_t>(VisitStatus::observed);
  }
  std::copy(d.visit_change.begin(), d.visit_change.end(), d.hypothetical.begin());  // no intercurrent events: the same values
}

}  // namespace celltrial
