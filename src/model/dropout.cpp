#include "celltrial/model/dropout.hpp"

#include <algorithm>

#include "celltrial/core/error.hpp"
#include "celltrial/core/fastmath.hpp"
#include "celltrial/model/model.hpp"

namespace celltrial {

DropoutModel::DropoutModel(const Scenario& s, const std::vector<double>& visit_months) : sc_(s) {
  // Constant hazard of loss: P(lost by the last visit) = p, so lambda = -ln(1 - p) / T.
  lambda_ = -std::log1p(-s.design.dropout_by_last_visit) / s.design.visits_months.back();
  double prev = 0;
  for (std::size_t k = 0; k < visit_months.size(); ++k) {
    drop_hazard_[k] = lambda_ * (visit_months[k] - prev);
    prev = visit_months[k];
  }
  std::array<double, kGmfcsLevels> p_missing{};
  for (std::size_t l = 0; l < kGmfcsLevels; ++l)
    p_missing[l] = -std::expm1(-drop_hazard_[0] * s.design.dropout_gmfcs_multiplier[l]);
  p_missing_ = p_missing;
  missing_by_level_ = std::any_of(p_missing.begin(), p_missing.end(), [&](double x) { return x != p_missing[0]; });
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

// The indices 0..n-1 grouped by category[j] (< categories), in order within each category, and
// where each category's indices start in `order` (start[categories] = n).
void group_by(const std::uint8_t* category, std::size_t n, std::size_t categories, std::vector<std::uint32_t>& order,
              std::array<std::size_t, kMaxArms + 1>& start) {
  CELLTRIAL_ASSERT(categories <= kMaxArms);
  start.fill(0);
  for (std::size_t j = 0; j < n; ++j) start[category[j] + 1u] += 1;
  for (std::size_t c = 0; c < categories; ++c) start[c + 1] += start[c];
  std::array<std::size_t, kMaxArms + 1> next = start;
  order.resize(n);
  for (std::size_t j = 0; j < n; ++j) order[next[category[j]]++] = static_cast<std::uint32_t>(j);
}
}  // namespace

void DropoutModel::missing_mcar(std::uint64_t seed, std::uint64_t trial, TrialData& out) const {
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

void DropoutModel::missing_generic(std::uint64_t seed, std::uint64_t trial, TrialData& out) const {
  const std::size_t n = out.size();
  if (drop_hazard_[0] > 0) {
    // uniform01(drop) >= p_missing, compared as integers (below_threshold), on a local engine.
    LocalEngine drop{make_stream(seed, trial, Purpose::dropout)};
    const std::uint64_t missing_below = below_threshold(-std::expm1(-drop_hazard_[0]));
    for (std::size_t j = 0; j < n; ++j) out.observed[j] = (drop() >> 11) >= missing_below ? 1 : 0;
  } else {
    std::fill(out.observed.begin(), out.observed.end(), std::uint8_t{1});
  }
}

}  // namespace celltrial
