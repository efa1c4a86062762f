#include "celltrial/analysis/trial_analysis.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "celltrial/core/error.hpp"
#include "celltrial/stats/multiplicity.hpp"

namespace celltrial {

namespace {
// Columns of the largest fit: intercept, arms, strata and baseline, and for the interaction fit
// (mode 2) the layer and one arm x layer column per arm.
constexpr int kMaxCols = 1 + (kMaxArms - 1) + (kGmfcsLevels - 1) + 1 + 1 + (kMaxArms - 1);

// A small symmetric matrix (row-major, stride kMaxCols) and vectors for the normal equations.
using SmallMatrix = std::array<double, kMaxCols * kMaxCols>;
using SmallVector = std::array<double, kMaxCols>;

// A = L L^T in place for the first p rows and columns, reading and writing only the lower triangle
// (the upper one may hold anything). False when a pivot is not above `tol`: a design without full
// rank.
bool cholesky(SmallMatrix& a, int p, double tol) {
  constexpr int S = kMaxCols;
  for (int k = 0; k < p; ++k) {
    double d = a[k * S + k];
    for (int m = 0; m < k; ++m) d -= a[k * S + m] * a[k * S + m];
    if (!(d > tol)) return false;
    const double l = std::sqrt(d);
    a[k * S + k] = l;
    for (int i = k + 1; i < p; ++i) {
      double v = a[i * S + k];
      for (int m = 0; m < k; ++m) v -= a[i * S + m] * a[k * S + m];
      a[i * S + k] = v / l;
    }
  }
  return true;
}

// Solves L z = b in place.
void forward(const SmallMatrix& l, int p, SmallVector& b) {
  constexpr int S = kMaxCols;
  for (int i = 0; i < p; ++i) {
    double v = b[static_cast<std::size_t>(i)];
    for (int m = 0; m < i; ++m) v -= l[i * S + m] * b[static_cast<std::size_t>(m)];
    b[static_cast<std::size_t>(i)] = v / l[i * S + i];
  }
}

// Solves L^T x = z in place.
void backward(const SmallMatrix& l, int p, SmallVector& z) {
  constexpr int S = kMaxCols;
  for (int i = p - 1; i >= 0; --i) {
    double v = z[static_cast<std::size_t>(i)];
    for (int m = i + 1; m < p; ++m) v -= l[m * S + i] * z[static_cast<std::size_t>(m)];
    z[static_cast<std::size_t>(i)] = v / l[i * S + i];
  }
}

// (A^-1)_cc = |L^-1 e_c|^2, where L^-1 e_c is 0 before row c.
double inverse_diagonal(const SmallMatrix& l, int p, int c) {
  constexpr int S = kMaxCols;
  SmallVector w{};
  double sum = 0;
  for (int i = c; i < p; ++i) {
    double v = i == c ? 1.0 : 0.0;
    for (int m = c; m < i; ++m) v -= l[i * S + m] * w[static_cast<std::size_t>(m)];
    w[static_cast<std::size_t>(i)] = v / l[i * S + i];
    sum += w[static_cast<std::size_t>(i)] * w[static_cast<std::size_t>(i)];
  }
  return sum;
}

// No member initialisers: analyse() zeroes only the cells a design uses (Cell{} is all zero).
struct Cell {
  double n, sx, sy, sxx, sxy, syy;
  void add(double x, double y) {
    n += 1;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
    syy += y * y;
  }
};

// The least-squares fit of change ~ arm + stratum + baseline from cell sums. Cells are indexed
// ((arm * strata) + stratum) * layers + layer. `mode` 0 or 1 fits that layer alone (with one
// layer, everyone); mode 2 fits both layers with a layer term and arm x layer interactions.
// Without `baseline` the baseline column is left out (change ~ arm + stratum: with one stratum the
// two-sample t-test with pooled variance); the sums of x are then not read.
struct Fit {
  bool ok = false;
  std::int64_t df = 0;
  double s2 = 0;
  std::array<double, kMaxArms> est{}, var{};    // arm - control, and its variance / s2
  std::array<double, kMaxArms> iest{}, ivar{};  // mode 2: (arm - control) in layer 1 minus in layer 0
};

// `skip_empty`: an active arm without children is left out of the fit (its comparison not
// estimable) instead of making nothing estimable (arm selection's second stage).
Fit fit_cells(const Cell* cells, std::size_t arms, std::size_t control, std::size_t strata, std::size_t layers, int mode,
              bool baseline, bool skip_empty = false) {
  Fit f;
  const std::size_t k0 = mode == 1 ? 1 : 0, k1 = mode == 0 ? 1 : 2;
  double N = 0, SX = 0, SY = 0;
  std::array<std::array<double, 2>, kMaxArms> arm_n{};
  std::array<double, kGmfcsLevels> stratum_n{};
  for (std::size_t a = 0; a < arms; ++a)
    for (std::size_t s = 0; s < strata; ++s)
      for (std::size_t k = k0; k < k1; ++k) {
        const Cell& c = cells[(a * strata + s) * layers + k];
        N += c.n;
        SX += c.sx;
        SY += c.sy;
        arm_n[a][k] += c.n;
        stratum_n[s] += c.n;
      }
  std::array<bool, kMaxArms> absent{};
  for (std::size_t a = 0; a < arms; ++a)
    for (std::size_t k = k0; k < k1; ++k)
      if (!(arm_n[a][k] > 0)) {
        if (!skip_empty || a == control) return f;
        absent[a] = true;
      }

  // Columns: intercept, one indicator per non-control arm, one per present stratum after the
  // first present one, (mode 2: the layer and arm x layer indicators,) then the centred baseline.
  std::array<int, kMaxArms> arm_col{}, armg_col{};
  std::array<int, kGmfcsLevels> stratum_col{};
  int p = 1;
  for (std::size_t a = 0; a < arms; ++a) arm_col[a] = a == control || absent[a] ? -1 : p++;
  bool first = true;
  for (std::size_t s = 0; s < strata; ++s) {
    stratum_col[s] = -1;
    if (stratum_n[s] > 0) {
      if (first) first = false;
      else stratum_col[s] = p++;
    }
  }
  int gcol = -1;
  armg_col.fill(-1);
  if (mode == 2) {
    // The layer's main effect, unless the strata already hold it (a subgroup made of whole strata,
    // such as GMFCS I-III when adjusting for GMFCS).
    bool split = false;
    for (std::size_t s = 0; s < strata && !split; ++s) {
      double n0 = 0, n1 = 0;
      for (std::size_t a = 0; a < arms; ++a) {
        n0 += cells[(a * strata + s) * layers].n;
        n1 += cells[(a * strata + s) * layers + 1].n;
      }
      split = n0 > 0 && n1 > 0;
    }
    if (split) gcol = p++;
    for (std::size_t a = 0; a < arms; ++a) armg_col[a] = a == control ? -1 : p++;
  }
  const int xcol = baseline ? p++ : -1;
  CELLTRIAL_ASSERT(p <= kMaxCols);
  f.df = static_cast<std::int64_t>(N) - p;
  if (f.df < 1) return f;

  const double mx = SX / N, my = SY / N;
  // Only the first p rows (and of them the first p columns) are used: zero just those.
  SmallMatrix XtX;
  std::fill_n(XtX.begin(), static_cast<std::size_t>(p) * kMaxCols, 0.0);
  SmallVector Xty{};
  auto at = [&](int u, int v) -> double& { return XtX[static_cast<std::size_t>(u * kMaxCols + v)]; };
  double yty = 0;
  for (std::size_t a = 0; a < arms; ++a)
    for (std::size_t s = 0; s < strata; ++s)
      for (std::size_t k = k0; k < k1; ++k) {
        const Cell& c = cells[(a * strata + s) * layers + k];
        if (c.n == 0) continue;
        // Centred sums for this cell.
        const double sx = c.sx - c.n * mx, sy = c.sy - c.n * my;
        const double sxx = c.sxx - 2 * mx * c.sx + c.n * mx * mx;
        const double sxy = c.sxy - mx * c.sy - my * c.sx + c.n * mx * my;
        const double syy = c.syy - 2 * my * c.sy + c.n * my * my;
        const bool g = mode == 2 && k == 1;
        // The cell's indicator columns, in increasing order (they were numbered in this order).
        // Only the lower triangle of X'X is filled: the factorisation and solves read no other.
        int cols[5];
        int m = 0;
        for (int u : {0, arm_col[a], stratum_col[s], g ? gcol : -1, g ? armg_col[a] : -1})
          if (u >= 0) cols[m++] = u;
        for (int i = 0; i < m; ++i) {
          const int u = cols[i];
          for (int j = 0; j <= i; ++j) at(u, cols[j]) += c.n;
          if (baseline) at(xcol, u) += sx;
          Xty[static_cast<std::size_t>(u)] += sy;
        }
        if (baseline) {
          at(xcol, xcol) += sxx;
          Xty[static_cast<std::size_t>(xcol)] += sxy;
        }
        yty += syy;
      }
  // Full rank: every pivot of the Cholesky factor above 1e-9 of the largest diagonal entry.
  double max_diag = 0;
  for (int u = 0; u < p; ++u) max_diag = std::max(max_diag, at(u, u));
  if (!cholesky(XtX, p, 1e-9 * max_diag)) return f;
  // beta = (L L^T)^-1 X'y; the fitted sum of squares beta . X'y is |L^-1 X'y|^2.
  SmallVector beta = Xty;
  forward(XtX, p, beta);
  double fitted = 0;
  for (int u = 0; u < p; ++u) fitted += beta[static_cast<std::size_t>(u)] * beta[static_cast<std::size_t>(u)];
  backward(XtX, p, beta);
  const double rss = std::max(0.0, yty - fitted);
  f.s2 = rss / static_cast<double>(f.df);
  for (std::size_t a = 0; a < arms; ++a) {
    if (a == control) continue;
    if (absent[a]) {
      f.est[a] = f.var[a] = std::numeric_limits<double>::quiet_NaN();
      continue;
    }
    f.est[a] = beta[static_cast<std::size_t>(arm_col[a])];
    f.var[a] = inverse_diagonal(XtX, p, arm_col[a]);
    if (mode == 2) {
      f.iest[a] = beta[static_cast<std::size_t>(armg_col[a])];
      f.ivar[a] = inverse_diagonal(XtX, p, armg_col[a]);
    }
  }
  f.ok = true;
  return f;
}

// Fills estimate, SE, t, df and estimability of a comparison from a fit.
void set_estimate(ComparisonResult& r, const Fit& f, std::size_t arm) {
  r = ComparisonResult{};
  if (!f.ok) return;
  r.estimate = f.est[arm];
  r.se = std::sqrt(f.s2 * f.var[arm]);
  r.df = static_cast<double>(f.df);
  r.estimable = std::isfinite(r.estimate) && std::isfinite(r.se) && r.se > 0;
  if (r.estimable) r.t = r.estimate / r.se;
}

// Whether the confidence interval (critical values `ci`) holds the comparison's truth.
bool covers(const stats::TQuantileTable& ci, const ComparisonResult& r) {
  const double gap = std::fabs(r.estimate - r.truth);
  if (r.df == std::floor(r.df) && r.df >= 1 && r.df <= 1e15 && ci.holds(static_cast<std::int64_t>(r.df)))
    return gap <= ci(static_cast<std::int64_t>(r.df)) * r.se;
  return !ci.exceeded(gap / r.se, r.df);
}

}  // namespace

TrialAnalysis::TrialAnalysis(const Scenario& s, std::vector<double> true_effects)
    : arms_(s.arms.size()),
      control_(s.control_arm()),
      active_(s.active_arms()),
      strata_(std::find(s.analysis.adjust_for.begin(), s.analysis.adjust_for.end(), Covariate::gmfcs) !=
                      s.analysis.adjust_for.end()
                  ? kGmfcsLevels
                  : 1),
      baseline_(s.analysis.adjust_for_baseline),
      sides_(s.analysis.sides),
      sign_(s.analysis.direction == Direction::greater ? 1.0 : -1.0),
      multiplicity_(s.analysis.multiplicity),
      true_effects_(std::move(true_effects)),
      max_df_(s.design.sample_size),
      skip_empty_arms_(s.design.interims.arm_selection.active()) {
  CELLTRIAL_ASSERT(true_effects_.size() == active_.size());
  init_family(s);
  init_mmrm(s, nullptr);
  // The mixed model's residual df count observations: up to every visit of every child.
  if (mmrm_) max_df_ = s.design.sample_size * static_cast<std::int64_t>(mmrm_months_.size());
  const std::size_t k = active_.size();
  const double alpha = s.analysis.alpha;
  // With a general family the tests use unadjusted values: decide_family() adjusts.
  const Multiplicity table = general_family_ ? Multiplicity::none : multiplicity_;
  const std::size_t steps = table == Multiplicity::holm ? k : 1;
  for (std::size_t step = 0; step < steps; ++step) {
    double level = alpha;
    if (table == Multiplicity::bonferroni) level = alpha / static_cast<double>(k);
    if (table == Multiplicity::holm) level = alpha / static_cast<double>(k - step);
    crit_.emplace_back(sides_ == 2 ? level / 2 : level, max_df_);
  }
  ci_ = stats::TQuantileTable((1 - s.analysis.ci_level) / 2, max_df_);
  unadj_ = stats::TQuantileTable(sides_ == 2 ? alpha / 2 : alpha, max_df_);
  init_subgroup_tables(s);
}

TrialAnalysis::TrialAnalysis(const Model& m) : TrialAnalysis(m.scenario(), m.truth().effect) {
  model_ = &m;
  sub_truth_ = m.truth().subgroups;
  CELLTRIAL_ASSERT(sub_truth_.inside.size() == subgroups_.size() * active_.size());
}

void TrialAnalysis::init_family(const Scenario& s) {
  sc_ = &s;
  subgroups_ = s.analysis.subgroups;
  CELLTRIAL_ASSERT(subgroups_.size() <= kMaxSubgroups);
  hypotheses_ = all_hypotheses(s);
  family_ = celltrial::family(s);
  alpha_ = s.analysis.alpha;
  weights_ = s.analysis.testing.weights;
  transitions_ = s.analysis.testing.transitions;
  for (const auto& c : s.analysis.claims) {
    std::vector<std::size_t> pos;
    for (const auto& name : c.all_of)
      for (std::size_t i = 0; i < family_.size(); ++i)
        if (hypotheses_[family_[i]].name == name) pos.push_back(i);
    claims_.push_back(pos);
  }
  // Critical values from the tables are used when the family is the primary comparisons under
  // none, Bonferroni or (unweighted) Holm; anything else decides from p-values.
  bool primaries_only = family_.size() == active_.size();
  for (std::size_t i = 0; i < family_.size() && primaries_only; ++i)
    primaries_only = hypotheses_[family_[i]].subgroup < 0 && hypotheses_[family_[i]].comparison == i;
  general_family_ = !primaries_only || !weights_.empty() ||
                    !(multiplicity_ == Multiplicity::none || multiplicity_ == Multiplicity::bonferroni ||
                      multiplicity_ == Multiplicity::holm);
}

void TrialAnalysis::init_subgroup_tables(const Scenario& s) {
  if (!subgroups_.empty()) inter_ = stats::TQuantileTable(s.analysis.interaction_alpha / 2, max_df_);
  // Without a model, subgroups' true effects are the arms' effects (set by the Model constructor).
  const std::size_t C = active_.size(), G = subgroups_.size();
  sub_truth_.inside.assign(G * C, 0.0);
  sub_truth_.outside.assign(G * C, 0.0);
  sub_truth_.inside_mc_se.assign(G * C, 0.0);
  sub_truth_.outside_mc_se.assign(G * C, 0.0);
  sub_truth_.prevalence.assign(G, kNotAvailable);
  sub_truth_.prevalence_mc_se.assign(G, 0.0);
  for (std::size_t x = 0; x < G * C; ++x) sub_truth_.inside[x] = sub_truth_.outside[x] = true_effects_[x % C];
}

double TrialAnalysis::test_critical(std::int64_t df, std::size_t step) const {
  CELLTRIAL_ASSERT(step < crit_.size() && df >= 1 && df <= max_df_);
  return crit_[step](df);
}
double TrialAnalysis::ci_critical(std::int64_t df) const {
  CELLTRIAL_ASSERT(df >= 1 && df <= max_df_);
  return ci_(df);
}

void TrialAnalysis::analyse(const TrialData& d, TrialResult& out) const {
  if (mmrm_) estimate_mmrm(d, out);
  else estimate_ancova(d, d.size(), out);
  decide(d, out);
}

void TrialAnalysis::compare_prefix(const TrialData& d, std::size_t n, AncovaSums& sums, TrialResult& out) const {
  CELLTRIAL_ASSERT(compares_alone());
  add_sums(d, n, sums);
  fit_sums(d, sums, out);
  decide_comparisons(d, out);
}

void TrialAnalysis::analyse_prefix(const TrialData& d, std::size_t n, AncovaSums& sums, const TrialData& counts,
                                   TrialResult& out) const {
  CELLTRIAL_ASSERT(compares_alone() && counts.size() == n);
  add_sums(d, n, sums);
  fit_sums(counts, sums, out);
  decide(counts, out);
}

const std::uint8_t* TrialAnalysis::ancova_observed(const TrialData& d) const {
  if (estimand_ != Estimand::hypothetical || d.event_month.empty()) return d.observed.data();
  // Hypothetical estimand: a child whose first intercurrent event came before the primary visit
  // has no value for the analysis.
  thread_local std::vector<std::uint8_t> kept;
  kept.assign(d.observed.begin(), d.observed.end());
  for (std::size_t j = 0; j < kept.size(); ++j)
    if (d.event_month[j] < primary_month_) kept[j] = 0;
  return kept.data();
}

void TrialAnalysis::estimate_ancova(const TrialData& d, std::size_t n, TrialResult& out) const {
  AncovaSums sums;
  add_sums(d, n, sums);
  fit_sums(d, sums, out);
}

void TrialAnalysis::add_sums(const TrialData& d, std::size_t n_children, AncovaSums& sums) const {
  CELLTRIAL_ASSERT(n_children >= sums.children && n_children <= d.size());
  const std::uint8_t* observed = ancova_observed(d);
  const std::size_t from = sums.children;
  sums.children = n_children;
  if (arms_ == 2 && strata_ == 1) {
    // Common case: each sum over all analysed children paired with the same sum over arm 1, a pair
    // per register (element-wise IEEE arithmetic: the same values as scalar sums, 1 * q being q).
    using Pair = double __attribute__((vector_size(16)));
    std::array<Pair, 6> acc;
    std::memcpy(acc.data(), sums.two_arms.data(), sizeof acc);
    Pair n = acc[0], sx = acc[1], sy = acc[2], sxx = acc[3], sxy = acc[4], syy = acc[5];
    for (std::size_t j = from; j < n_children; ++j) {
      const double w = observed[j];
      const Pair m = {1.0, static_cast<double>(d.arm[j])};
      const double x = d.baseline[j] * w, y = d.change[j] * w;
      n += m * w;
      sx += m * x;
      sy += m * y;
      sxx += m * (x * x);
      sxy += m * (x * y);
      syy += m * (y * y);
    }
    acc = {n, sx, sy, sxx, sxy, syy};
    std::memcpy(sums.two_arms.data(), acc.data(), sizeof acc);
    return;
  }
  // The fit needs counts and sums by cell but the squares and cross-products only in total
  // (fit_cells adds them up across non-empty cells): those stay in registers. Children not
  // analysed have weight 0 (their simulated values are finite), so no branch depends on the data.
  double txx = sums.xx, txy = sums.xy, tyy = sums.yy;
  for (std::size_t j = from; j < n_children; ++j) {
    const std::size_t a = d.arm[j];
    const double w = observed[j];
    auto& c = sums.cells[a * strata_ + d.stratum[j]];
    const double x = d.baseline[j] * w, y = d.change[j] * w;
    c[0] += w;
    c[1] += x;
    c[2] += y;
    txx += x * x;
    txy += x * y;
    tyy += y * y;
  }
  sums.xx = txx;
  sums.xy = txy;
  sums.yy = tyy;
}

void TrialAnalysis::fit_sums(const TrialData& counts, const AncovaSums& sums, TrialResult& out) const {
  std::array<Cell, kMaxArms * kGmfcsLevels> cells;  // the first arms_ * strata_ are set below
  if (arms_ == 2 && strata_ == 1) {
    // Pairs (all children, arm 1) of n, x, y, xx, xy, yy.
    const auto& v = sums.two_arms;
    cells[1] = Cell{v[1], v[3], v[5], v[7], v[9], v[11]};
    cells[0] = Cell{v[0] - v[1], v[2] - v[3], v[4] - v[5], v[6] - v[7], v[8] - v[9], v[10] - v[11]};
  } else {
    // The first non-empty cell holds the squares and products of all.
    for (std::size_t c = 0; c < arms_ * strata_; ++c) cells[c] = Cell{sums.cells[c][0], sums.cells[c][1], sums.cells[c][2], 0, 0, 0};
    Cell* first = std::find_if(cells.begin(), cells.begin() + static_cast<std::ptrdiff_t>(arms_ * strata_),
                               [](const Cell& c) { return c.n > 0; });
    if (first != cells.begin() + static_cast<std::ptrdiff_t>(arms_ * strata_)) {
      first->sxx = sums.xx;
      first->sxy = sums.xy;
      first->syy = sums.yy;
    }
  }

  // Arm summaries.
  std::array<double, kMaxArms> arm_n{}, arm_y{};
  for (std::size_t a = 0; a < arms_; ++a)
    for (std::size_t s = 0; s < strata_; ++s) {
      const Cell& c = cells[a * strata_ + s];
      arm_n[a] += c.n;
      arm_y[a] += c.sy;
    }
  out.screened = counts.screened;
  for (std::size_t a = 0; a < arms_; ++a) {
    out.randomised[a] = counts.totals.n[a];
    out.analysed[a] = static_cast<std::int64_t>(arm_n[a]);
    out.mean_change[a] = arm_n[a] > 0 ? arm_y[a] / arm_n[a] : std::numeric_limits<double>::quiet_NaN();
  }

  const Fit fit = fit_cells(cells.data(), arms_, control_, strata_, 1, 0, baseline_, skip_empty_arms_);
  out.residual_variance = fit.ok ? fit.s2 : kNotAvailable;
  for (std::size_t c = 0; c < active_.size(); ++c) set_estimate(out.comparisons[c], fit, active_[c]);
}

void TrialAnalysis::decide(const TrialData& d, TrialResult& out) const {
  decide_comparisons(d, out);
  const std::size_t k = active_.size();
  if (!subgroups_.empty()) analyse_subgroups(d, out);
  if (general_family_) {
    decide_family(out);
  } else {
    out.family_reject.resize(k);
    out.family_favourable.resize(k);
    for (std::size_t c = 0; c < k; ++c) {
      out.family_reject[c] = out.comparisons[c].reject;
      out.family_favourable[c] = out.comparisons[c].reject_favourable;
    }
  }
  out.claims.resize(claims_.size());
  for (std::size_t i = 0; i < claims_.size(); ++i) {
    bool all = true;
    for (std::size_t h : claims_[i]) all = all && out.family_favourable[h];
    out.claims[i] = all;
  }
}

void TrialAnalysis::decide_comparisons(const TrialData& d, TrialResult& out) const {
  const std::size_t k = active_.size();
  std::array<double, kMaxArms> strength{};
  for (std::size_t c = 0; c < k; ++c) {
    ComparisonResult& r = out.comparisons[c];
    if (!r.estimable) continue;
    r.truth = true_effects_[c] * d.effect_scale[active_[c]];
    r.covered = covers(ci_, r);
    strength[c] = sides_ == 2 ? std::fabs(r.t) : sign_ * r.t;
  }
  for (std::size_t c = k; c < out.comparisons.size(); ++c) out.comparisons[c] = ComparisonResult{};

  if (multiplicity_ != Multiplicity::holm || general_family_) {
    for (std::size_t c = 0; c < k; ++c) {
      ComparisonResult& r = out.comparisons[c];
      r.reject = r.estimable && crit_[0].exceeded(strength[c], r.df);
    }
  } else {
    // Step-down: strongest first; stop at the first non-rejection.
    std::array<std::size_t, kMaxArms> order{};
    for (std::size_t c = 0; c < k; ++c) order[c] = c;
    std::stable_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), [&](std::size_t x, std::size_t y) {
      const bool ex = out.comparisons[x].estimable, ey = out.comparisons[y].estimable;
      if (ex != ey) return ex;
      return strength[x] > strength[y];
    });
    for (std::size_t step = 0; step < k; ++step) {
      ComparisonResult& r = out.comparisons[order[step]];
      if (!r.estimable || !crit_[step].exceeded(strength[order[step]], r.df)) break;
      r.reject = true;
    }
  }
  for (std::size_t c = 0; c < k; ++c) {
    ComparisonResult& r = out.comparisons[c];
    r.reject_favourable = r.reject && sign_ * r.t > 0;
    // Unadjusted: the same test at the full alpha.
    r.reject_unadjusted_favourable =
        r.estimable && sign_ * r.t > 0 &&
        (multiplicity_ == Multiplicity::none && !general_family_ ? r.reject : unadj_.exceeded(strength[c], r.df));
  }
}

void TrialAnalysis::analyse_subgroups(const TrialData& d, TrialResult& out) const {
  const std::size_t G = subgroups_.size(), C = active_.size();
  out.subgroups.resize(G * C);
  for (auto& r : out.subgroups) r = SubgroupResult{};
  if (mmrm_) estimate_subgroups_mmrm(d, out);
  else estimate_subgroups_ancova(d, out);
  for (std::size_t g = 0; g < G; ++g)
    for (std::size_t c = 0; c < C; ++c) {
      SubgroupResult& r = out.subgroups[g * C + c];
      const std::size_t arm = active_[c];
      if (!subgroup_applies(*sc_, subgroups_[g], arm)) {
        r = SubgroupResult{};
        continue;
      }
      r.applies = true;
      const double scale = d.effect_scale[arm];
      auto finish = [&](ComparisonResult& x, double truth) {
        if (!x.estimable) return;
        x.truth = truth * scale;
        x.covered = covers(ci_, x);
        const double strength = sides_ == 2 ? std::fabs(x.t) : sign_ * x.t;
        x.reject = unadj_.exceeded(strength, x.df);
        x.reject_favourable = x.reject && sign_ * x.t > 0;
        x.reject_unadjusted_favourable = x.reject_favourable;
      };
      finish(r.inside, sub_truth_.inside[g * C + c]);
      finish(r.outside, sub_truth_.outside[g * C + c]);
      if (r.interaction_estimable)
        r.interaction_reject = inter_.exceeded(std::fabs(r.interaction / r.interaction_se), r.interaction_df);
    }
}

void TrialAnalysis::estimate_subgroups_ancova(const TrialData& d, TrialResult& out) const {
  const std::uint8_t* observed = ancova_observed(d);
  const std::size_t G = subgroups_.size(), C = active_.size();
  // cells[g][((arm * strata) + stratum) * 2 + inside]
  std::array<Cell, kMaxArms * kGmfcsLevels * 2> zero{};
  thread_local std::vector<std::array<Cell, kMaxArms * kGmfcsLevels * 2>> cells;
  cells.assign(G, zero);
  const std::size_t n = d.size();
  for (std::size_t j = 0; j < n; ++j) {
    if (!observed[j]) continue;
    const std::uint32_t mask = subgroup_mask(subgroups_, d, j);
    const std::size_t base = (static_cast<std::size_t>(d.arm[j]) * strata_ + d.stratum[j]) * 2;
    const double x = d.baseline[j], y = d.change[j];
    for (std::size_t g = 0; g < G; ++g) cells[g][base + ((mask >> g) & 1u)].add(x, y);
  }
  for (std::size_t g = 0; g < G; ++g) {
    const Fit fin = fit_cells(cells[g].data(), arms_, control_, strata_, 2, 1, baseline_);
    const Fit fout = fit_cells(cells[g].data(), arms_, control_, strata_, 2, 0, baseline_);
    const Fit fint = fit_cells(cells[g].data(), arms_, control_, strata_, 2, 2, baseline_);
    std::int64_t inside_n = 0;
    for (std::size_t a = 0; a < arms_; ++a)
      for (std::size_t s = 0; s < strata_; ++s) inside_n += static_cast<std::int64_t>(cells[g][(a * strata_ + s) * 2 + 1].n);
    for (std::size_t c = 0; c < C; ++c) {
      SubgroupResult& r = out.subgroups[g * C + c];
      const std::size_t arm = active_[c];
      r.analysed_inside = inside_n;
      set_estimate(r.inside, fin, arm);
      set_estimate(r.outside, fout, arm);
      if (fint.ok) {
        r.interaction = fint.iest[arm];
        r.interaction_se = std::sqrt(fint.s2 * fint.ivar[arm]);
        r.interaction_df = static_cast<double>(fint.df);
        r.interaction_estimable = std::isfinite(r.interaction) && std::isfinite(r.interaction_se) && r.interaction_se > 0;
      }
    }
  }
}

void TrialAnalysis::decide_family(TrialResult& out) const {
  const std::size_t m = family_.size(), C = active_.size();
  thread_local std::vector<double> p;
  p.assign(m, 1.0);
  auto result = [&](std::size_t i) -> ComparisonResult& {
    const Hypothesis& h = hypotheses_[family_[i]];
    return h.subgroup < 0 ? out.comparisons[h.comparison]
                          : out.subgroups[static_cast<std::size_t>(h.subgroup) * C + h.comparison].inside;
  };
  for (std::size_t i = 0; i < m; ++i) {
    const ComparisonResult& r = result(i);
    if (!r.estimable) continue;
    const double df = r.df;
    p[i] = sides_ == 2 ? std::min(1.0, 2 * stats::p_from_t(std::fabs(r.t), df)) : stats::p_from_t(sign_ * r.t, df);
  }
  std::vector<bool> rej;
  switch (multiplicity_) {
    case Multiplicity::none:
      rej.assign(m, false);
      for (std::size_t i = 0; i < m; ++i) rej[i] = p[i] <= alpha_;
      break;
    case Multiplicity::bonferroni: rej = stats::bonferroni(p, alpha_, weights_); break;
    case Multiplicity::holm: rej = stats::holm(p, alpha_, weights_); break;
    case Multiplicity::hochberg: rej = stats::hochberg(p, alpha_); break;
    case Multiplicity::fixed_sequence: rej = stats::fixed_sequence(p, alpha_); break;
    case Multiplicity::fallback:
      rej = stats::fallback(p, alpha_, weights_.empty() ? std::vector<double>(m, 1.0 / static_cast<double>(m)) : weights_);
      break;
    case Multiplicity::graphical: rej = stats::graphical(p, alpha_, stats::Graph{weights_, transitions_}).rejected; break;
  }
  out.family_reject.resize(m);
  out.family_favourable.resize(m);
  for (std::size_t i = 0; i < m; ++i) {
    ComparisonResult& r = result(i);
    r.reject = r.estimable && rej[i];
    r.reject_favourable = r.reject && sign_ * r.t > 0;
    out.family_reject[i] = r.reject;
    out.family_favourable[i] = r.reject_favourable;
  }
}

}  // namespace celltrial
