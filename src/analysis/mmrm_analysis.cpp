// The mixed model for repeated measures as a trial's analysis (analysis.method: mmrm): every
// visit up to the primary one, a mean per arm and a baseline slope at every visit, stratification
// factors as effects common to the visits, a covariance of the chosen structure (with fallbacks
// when it does not converge). The estimate is the arm difference at the primary visit, or its
// average over analysis.mmrm.visits_months.
#include <algorithm>
#include <bit>
#include <cmath>
#include <type_traits>

#include "celltrial/analysis/trial_analysis.hpp"
#include "celltrial/core/error.hpp"
#include "celltrial/core/unroll.hpp"
#include "celltrial/stats/mmrm.hpp"

namespace celltrial {

namespace {

// The layout of a fit's covariates: cell indicators (arms, or arms x inside/outside the
// subgroup), the baseline, then one indicator per stratum after the first present one.
struct Layout {
  std::size_t cells = 0;
  std::size_t strata_from = 0;  ///< first stratum covariate
  std::size_t k = 0;
  std::array<int, kGmfcsLevels> stratum_cov{};  ///< covariate of each stratum, -1: none (reference or absent)
};

constexpr std::size_t kMaxStride = 3 + 2 * stats::kMmrmMaxVisits + stats::kMmrmMaxVisits * stats::kMmrmMaxVisits;
constexpr std::size_t group_stride(std::size_t visits) { return 3 + 2 * visits + visits * visits; }

// Three visits: each group's sums in memory, added child by child as the pass meets them, in pairs
// of lanes (two sums an instruction; each lane one sum, its terms added in the same order as
// sum_group's, so the same values): n sx | sxx sy0 | sy1 sy2 | sxy0 sxy1 | sxy2 syy00 |
// syy10 syy11 | syy20 syy21 | syy22 -. No sort and no second pass over the children.
using Pair = double __attribute__((vector_size(16)));
constexpr std::size_t kPairs3 = 8;

inline void add_child3(Pair* a, double x, const double* y) {
  const double y0 = y[0], y1 = y[1], y2 = y[2];
  a[0] += Pair{1.0, x};
  a[1] += Pair{x * x, y0};
  a[2] += Pair{y1, y2};
  a[3] += Pair{x, x} * Pair{y0, y1};
  a[4] += Pair{x, y0} * Pair{y2, y0};
  a[5] += Pair{y1, y1} * Pair{y0, y1};
  a[6] += Pair{y2, y2} * Pair{y0, y1};
  a[7] += Pair{y2 * y2, 0.0};
}

// A group's sums in sum_group's layout, and the group's pairs set back to zero.
inline void take_sums3(Pair* a, double* g) {
  const double sums[group_stride(3)] = {a[0][0], a[0][1], a[1][0], a[1][1], a[2][0], a[2][1],
                                        a[3][0], a[3][1], a[4][0], a[4][1], 0.0,     0.0,
                                        a[5][0], a[5][1], 0.0,     a[6][0], a[6][1], a[7][0]};
  std::copy(sums, sums + group_stride(3), g);
  std::fill(a, a + kPairs3, Pair{});
}

struct Work {
  stats::MmrmData data;
  stats::Mmrm fit;
  std::vector<stats::MmrmColumn> cols;
  std::vector<int> col_of;  ///< column of (visit, covariate) at visit * k + covariate, -1: none
  std::vector<double> z, ys, c;  ///< ys: each child's responses, visits x children (not with three visits)
  std::vector<std::uint32_t> masks;
  std::vector<std::uint32_t> count;  ///< by group: children met in this pass
  std::vector<std::uint32_t> next;   ///< by group: where its next child goes in `sorted`
  std::vector<std::uint32_t> group;  ///< by child: its group
  std::vector<std::uint32_t> sorted; ///< the children in the model, group by group, in order within a group
  std::vector<std::uint32_t> order;  ///< the groups met, in the order of their first child
  std::vector<Pair> acc3;            ///< three visits: by group, its sums (zero between passes)
  std::vector<std::uint8_t> met3;    ///< three visits: by group, met in this pass (zero between passes)
  // By cell, from the last pass: children in the model, those assessed at the last visit and the
  // sum of their responses there.
  std::array<double, 2 * kMaxArms> cell_n{}, last_n{}, last_y{};
};

// Children with the same pattern, cell and stratum share every covariate but the baseline: the
// pass over the children sums, per such group, the count, the baseline and its square, and per
// visit the response, the baseline times the response and the products of responses
// (MmrmData::add_group). Groups are looked up by index: (mask x cells + cell) x strata + stratum.
// With three visits each child is added to its group's sums in memory as the pass meets it, two
// sums an instruction (add_child3). Otherwise the children are first sorted by group (stably, by
// counting), then each group's sums are taken in local variables (sum_group): adding each child to
// sums in memory one at a time costs a store per sum and child. Either way a group's terms are
// added in the order of its children, so both give the same sums.
constexpr std::size_t kMaxGroups = 4096;

// The sums of a group's children (indices `children`, baselines x, responses ys with `visits`
// per child, zero at visits not assessed) into g: count, sum of x and of x^2, then per visit the
// sum of y_v and of x y_v, then y_v y_w (w <= v) at v * V + w. VV is the number of visits when
// known at compile time (the sums then stay in registers), else 0.
template <std::size_t VV>
void sum_group(const std::uint32_t* children, std::size_t count, const double* x, const double* ys, std::size_t visits,
               double* g) {
  const std::size_t V = VV ? VV : visits;
  std::array<double, VV ? group_stride(VV) : kMaxStride> a{};
  double* sy = a.data() + 3;
  double* sxy = sy + V;
  double* syy = sxy + V;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t j = children[i];
    const double xj = x[j];
    const double* y = ys + j * V;
    a[0] += 1;
    a[1] += xj;
    a[2] += xj * xj;
    for (std::size_t v = 0; v < V; ++v) {
      sy[v] += y[v];
      sxy[v] += xj * y[v];
      for (std::size_t w = 0; w <= v; ++w) syy[v * V + w] += y[v] * y[w];
    }
  }
  std::copy(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(group_stride(V)), g);
}

thread_local Work work;

}  // namespace

void TrialAnalysis::init_mmrm(const Scenario& s, const Model* m) {
  model_ = m;
  primary_month_ = s.analysis.primary_visit_months;
  endpoint_ = s.analysis.endpoint;
  estimand_ = s.analysis.estimand;
  mmrm_ = s.analysis.method == AnalysisMethod::mmrm;
  if (!mmrm_) return;
  const auto& visits = s.design.visits_months;
  for (std::size_t v = 0; v < visits.size(); ++v)
    if (visits[v] <= s.analysis.primary_visit_months) {
      mmrm_months_.push_back(visits[v]);
      mmrm_visit_index_.push_back(v);
    }
  CELLTRIAL_ASSERT(!mmrm_months_.empty() && mmrm_months_.size() <= stats::kMmrmMaxVisits);
  const auto& chosen = s.analysis.mmrm.visits_months;
  if (chosen.empty()) {
    mmrm_contrast_visits_.push_back(mmrm_months_.size() - 1);
  } else {
    for (double month : chosen)
      for (std::size_t i = 0; i < mmrm_months_.size(); ++i)
        if (mmrm_months_[i] == month) mmrm_contrast_visits_.push_back(i);
  }
  CELLTRIAL_ASSERT(!mmrm_contrast_visits_.empty());
  mmrm_structures_.push_back(s.analysis.mmrm.covariance);
  for (auto f : s.analysis.mmrm.fallback)
    if (std::find(mmrm_structures_.begin(), mmrm_structures_.end(), f) == mmrm_structures_.end()) mmrm_structures_.push_back(f);
  // Structures with a correlation need two visits; with one visit only the unstructured one fits.
  if (mmrm_months_.size() < 2)
    mmrm_structures_.erase(std::remove_if(mmrm_structures_.begin(), mmrm_structures_.end(),
                                          [](auto c) { return c != stats::CovarianceStructure::unstructured; }),
                           mmrm_structures_.end());
  mmrm_df_ = s.analysis.mmrm.df;
}

namespace {

// Fits the mixed model to the children selected by `keep` (layer 0/1 cells when `layers`),
// trying the structures in order; returns the index of the structure that converged, or -1.
// Columns: (visit, cell) and (visit, baseline) at every visit, strata common to the visits;
// covariates that are linear combinations of earlier ones (a stratum made of whole subgroup
// layers, an empty stratum) are left out.
template <class Keep, class Layer, class Response>
int fit_children(const TrialData& d, std::size_t arms, std::size_t strata, std::size_t visits, bool layers, Keep keep,
                 Layer layer, Response response, const std::vector<stats::CovarianceStructure>& structures, Layout& lay) {
  Work& w = work;
  const std::size_t n = d.size();
  lay.cells = arms * (layers ? 2 : 1);
  // Strata present among the analysed children; the first present one is the reference.
  // One pass over the children: which visits each has in the model, its responses there, and
  // (with few enough groups) its group's sums.
  std::array<bool, kGmfcsLevels> present{};
  w.masks.resize(n);
  w.ys.resize(n * visits);
  const std::size_t groups = (visits < 16 ? std::size_t{1} << visits : kMaxGroups + 1) * lay.cells * strata;
  const bool grouped = groups <= kMaxGroups;
  const bool direct = grouped && visits == 3;
  CELLTRIAL_ASSERT(direct || visits != 3);  // pass() takes three visits' groups as direct
  if (direct) {
    if (w.acc3.size() < groups * kPairs3) w.acc3.resize(groups * kPairs3, Pair{});
    if (w.met3.size() < groups) w.met3.resize(groups, 0);
  }
  if (grouped) {
    if (w.count.size() < groups) w.count.assign(groups, 0);
    w.next.resize(groups);
    w.group.resize(n);
    w.sorted.resize(n);
    w.order.clear();
  }
  // Children with no visit in the model go to the groups of mask 0, which add nothing: no branch
  // depends on the statuses. The arrays in locals (byte stores could otherwise alias them, and the
  // compiler would reload them for every child), the strata present as bits.
  std::uint32_t present_bits = 0;
  auto pass = [&](auto vv) {
    std::uint32_t* masks = w.masks.data();
    double* ys = w.ys.data();
    const std::uint8_t *arm = d.arm.data(), *stratum = d.stratum.data();
    const double* baseline = d.baseline.data();
    std::uint32_t *count = w.count.data(), *group = w.group.data();
    Pair* acc = w.acc3.data();
    std::uint8_t* met = w.met3.data();
    std::vector<std::uint32_t>& order = w.order;
    const std::size_t cells = lay.cells;
    std::uint32_t seen = 0;
    constexpr bool three = decltype(vv)::value == 3;
    std::array<double, 3> own;  // three visits: a child's responses go to its group's sums only
    for (std::size_t j = 0; j < n; ++j) {
      double* y = three ? own.data() : ys + j * visits;
      const std::uint32_t mask = keep(j) ? response(j, y, vv) : (std::fill(y, y + visits, 0.0), 0u);
      masks[j] = mask;
      seen |= static_cast<std::uint32_t>(mask != 0) << stratum[j];
      if (!grouped) continue;
      const std::size_t cell = arm[j] + (layers ? arms * layer(j) : 0);
      const std::size_t at = (mask * cells + cell) * strata + stratum[j];
      if constexpr (three) {
        if (!met[at]) [[unlikely]] {
          met[at] = 1;
          order.push_back(static_cast<std::uint32_t>(at));
        }
        add_child3(acc + at * kPairs3, baseline[j], y);
        continue;
      }
      if (count[at]++ == 0) [[unlikely]] order.push_back(static_cast<std::uint32_t>(at));
      group[j] = static_cast<std::uint32_t>(at);
    }
    present_bits = seen;
  };
  switch (visits) {
    case 2: pass(std::integral_constant<std::size_t, 2>{}); break;
    case 3: pass(std::integral_constant<std::size_t, 3>{}); break;
    case 4: pass(std::integral_constant<std::size_t, 4>{}); break;
    default: pass(std::integral_constant<std::size_t, 0>{}); break;
  }
  for (std::size_t s = 0; s < kGmfcsLevels; ++s) present[s] = (present_bits >> s & 1u) != 0;
  if (grouped && !direct) {
    // The children sorted by group, each group's in their order.
    std::uint32_t from = 0;
    for (std::uint32_t at : w.order) {
      w.next[at] = from;
      from += w.count[at];
    }
    for (std::size_t j = 0; j < n; ++j) w.sorted[w.next[w.group[j]]++] = static_cast<std::uint32_t>(j);
  }
  lay.strata_from = lay.cells + 1;
  lay.k = lay.strata_from;
  bool reference = false;
  for (std::size_t s = 0; s < strata; ++s) {
    lay.stratum_cov[s] = -1;
    if (!present[s]) continue;
    if (!reference) {
      reference = true;
      continue;
    }
    lay.stratum_cov[s] = static_cast<int>(lay.k++);
  }
  w.data.reset(visits, lay.k);
  w.z.assign(lay.k, 0.0);
  w.cell_n.fill(0.0);
  w.last_n.fill(0.0);
  w.last_y.fill(0.0);
  const std::size_t last = visits - 1;
  if (grouped) {
    // The groups in the order of their first child (the patterns' order as child by child).
    std::array<double, kMaxStride> sums;
    double* const g = sums.data();
    for (std::uint32_t at : w.order) {
      const auto mask = static_cast<std::uint32_t>(at / strata / lay.cells);
      if (direct) {
        w.met3[at] = 0;
        take_sums3(w.acc3.data() + std::size_t{at} * kPairs3, g);
      } else {
        const std::uint32_t count = w.count[at], end = w.next[at];
        w.count[at] = 0;
        const std::uint32_t* children = w.sorted.data() + (end - count);
        if (mask != 0) switch (visits) {
          case 2: sum_group<2>(children, count, d.baseline.data(), w.ys.data(), visits, g); break;
          case 4: sum_group<4>(children, count, d.baseline.data(), w.ys.data(), visits, g); break;
          default: sum_group<0>(children, count, d.baseline.data(), w.ys.data(), visits, g); break;
        }
      }
      if (mask == 0) continue;  // no visit in the model
      const std::size_t stratum = at % strata, cell = at / strata % lay.cells;
      std::fill(w.z.begin(), w.z.end(), 0.0);
      w.z[cell] = 1;
      if (lay.stratum_cov[stratum] >= 0) w.z[static_cast<std::size_t>(lay.stratum_cov[stratum])] = 1;
      const double* sy = g + 3;
      w.data.add_group(w.z.data(), lay.cells, g[0], g[1], g[2], sy, sy + visits, sy + 2 * visits, mask);
      w.cell_n[cell] += g[0];
      if (mask >> last & 1u) {
        w.last_n[cell] += g[0];
        w.last_y[cell] += sy[last];
      }
    }
  } else {
    for (std::size_t j = 0; j < n; ++j) {
      if (!w.masks[j]) continue;
      std::fill(w.z.begin(), w.z.end(), 0.0);
      w.z[d.arm[j] + (layers ? arms * layer(j) : 0)] = 1;
      w.z[lay.cells] = d.baseline[j];
      if (lay.stratum_cov[d.stratum[j]] >= 0) w.z[static_cast<std::size_t>(lay.stratum_cov[d.stratum[j]])] = 1;
      w.data.add(w.z.data(), w.ys.data() + j * visits, w.masks[j]);
      const std::size_t cell = d.arm[j] + (layers ? arms * layer(j) : 0);
      w.cell_n[cell] += 1;
      if (w.masks[j] >> last & 1u) {
        w.last_n[cell] += 1;
        w.last_y[cell] += w.ys[j * visits + last];
      }
    }
  }
  if (w.data.subjects() == 0) return -1;
  // Covariates dependent on earlier ones: pivots of the Cholesky factor of the summed z z'.
  Eigen::MatrixXd zz = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(lay.k), static_cast<Eigen::Index>(lay.k));
  for (const auto& p : w.data.patterns()) zz += p.zz;
  std::vector<bool> used(lay.k, true);
  {
    const auto K = static_cast<Eigen::Index>(lay.k);
    Eigen::MatrixXd l = Eigen::MatrixXd::Zero(K, K);
    const double top = K > 0 ? zz.diagonal().maxCoeff() : 0.0;
    for (Eigen::Index i = 0; i < K; ++i) {
      double piv = zz(i, i);
      for (Eigen::Index m = 0; m < i; ++m) piv -= l(i, m) * l(i, m);
      if (!(piv > 1e-10 * top)) {
        used[static_cast<std::size_t>(i)] = false;
        continue;
      }
      l(i, i) = std::sqrt(piv);
      for (Eigen::Index r = i + 1; r < K; ++r) {
        double v = zz(r, i);
        for (Eigen::Index m = 0; m < i; ++m) v -= l(r, m) * l(i, m);
        l(r, i) = v / l(i, i);
      }
    }
  }
  w.cols.clear();
  w.col_of.assign((visits + 1) * lay.k, -1);
  for (std::size_t v = 0; v < visits; ++v)
    for (std::size_t c = 0; c < lay.strata_from; ++c)
      if (used[c]) {
        w.col_of[v * lay.k + c] = static_cast<int>(w.cols.size());
        w.cols.push_back({static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(c)});
      }
  for (std::size_t c = lay.strata_from; c < lay.k; ++c)
    if (used[c]) {
      w.col_of[visits * lay.k + c] = static_cast<int>(w.cols.size());
      w.cols.push_back({static_cast<std::uint8_t>(visits), static_cast<std::uint8_t>(c)});
    }
  if (w.cols.empty() || !(zz.allFinite())) return -1;
  for (std::size_t i = 0; i < structures.size(); ++i)
    if (w.fit.fit(w.data, w.cols, structures[i])) return static_cast<int>(i);
  return -1;
}

// The contrast (cell a - cell b), averaged over `visits`; not ok when a cell has no column.
stats::MmrmContrast cell_contrast(const Layout& lay, const std::vector<std::size_t>& visits,
                                  std::initializer_list<std::pair<std::size_t, double>> cells, stats::DfMethod df) {
  Work& w = work;
  w.c.assign(w.cols.size(), 0.0);
  const double share = 1.0 / static_cast<double>(visits.size());
  for (std::size_t v : visits)
    for (const auto& [cell, sign] : cells) {
      const int col = w.col_of[v * lay.k + cell];
      if (col < 0) return {};
      w.c[static_cast<std::size_t>(col)] += sign * share;
    }
  return w.fit.contrast(w.c, df);
}

void set_from(ComparisonResult& r, const stats::MmrmContrast& x) {
  r = ComparisonResult{};
  if (!x.ok) return;
  r.estimate = x.estimate;
  r.se = x.se;
  r.df = x.df;
  r.t = x.t;
  r.estimable = std::isfinite(r.estimate) && std::isfinite(r.se) && r.se > 0 && std::isfinite(r.t);
}

}  // namespace

std::uint32_t TrialAnalysis::mmrm_response(const TrialData& d, std::size_t j, double* y) const {
  const std::size_t V = mmrm_months_.size(), all = d.visits;
  const bool hypothetical = estimand_ == Estimand::hypothetical;
  std::uint32_t mask = 0;
  for (std::size_t i = 0; i < V; ++i) {
    const std::size_t at = j * all + mmrm_visit_index_[i];
    if (d.status[at] != static_cast<std::uint8_t>(VisitStatus::observed)) continue;
    // Hypothetical estimand: the visits after the child's first intercurrent event are missing.
    if (hypothetical && !d.event_month.empty() && mmrm_months_[i] > d.event_month[j]) continue;
    mask |= 1u << i;
    if (!y) continue;
    double x = d.visit_change[at];
    if (endpoint_ == Endpoint::value) x += d.baseline[j];
    else if (endpoint_ == Endpoint::excess_over_expected) x -= model_->expected_change(d.level[j], d.age[j], mmrm_months_[i]);
    y[i] = x;
  }
  return mask;
}

void TrialAnalysis::estimate_mmrm(const TrialData& d, TrialResult& out) const {
  CELLTRIAL_ASSERT(d.visits > 0);  // the model follows every visit when the analysis is an MMRM
  const std::size_t V = mmrm_months_.size();
  // A child's mask and responses, zero at the visits not assessed (the pass sums them all); the
  // third argument is the number of visits when known at compile time (else 0).
  auto response = [&](std::size_t j, double* y, auto) {
    std::fill(y, y + V, 0.0);
    return mmrm_response(d, j, y);
  };
  // The common case, inlined into the pass: the change at each observed visit, no visit set
  // missing by the estimand.
  const bool plain = endpoint_ == Endpoint::change && (estimand_ != Estimand::hypothetical || d.event_month.empty());
  std::array<std::size_t, stats::kMmrmMaxVisits> at{};
  for (std::size_t i = 0; i < V; ++i) at[i] = mmrm_visit_index_[i];
  const std::uint8_t* status = d.status.data();
  const double* change = d.visit_change.data();
  const std::size_t all = d.visits;
  // Without branches on the statuses, which follow no pattern a processor could predict.
  auto plain_response = [&](std::size_t j, double* y, auto vv) {
    constexpr std::size_t VV = decltype(vv)::value;
    std::uint32_t mask = 0;
    auto visit = [&](std::size_t i) {
      const std::size_t k = j * all + at[i];
      const bool seen = status[k] == static_cast<std::uint8_t>(VisitStatus::observed);
      mask |= static_cast<std::uint32_t>(seen) << i;
      // The change where assessed, else +0.0: its bits masked.
      y[i] = std::bit_cast<double>(std::bit_cast<std::uint64_t>(change[k]) & (std::uint64_t{0} - seen));
    };
    if constexpr (VV > 0) unroll<VV>(visit);
    else for (std::size_t i = 0; i < V; ++i) visit(i);
    return mask;
  };

  Layout lay;
  const auto everyone = [](std::size_t) { return true; };
  const auto one_layer = [](std::size_t) { return 0u; };
  const int used = plain ? fit_children(d, arms_, strata_, V, false, everyone, one_layer, plain_response, mmrm_structures_, lay)
                         : fit_children(d, arms_, strata_, V, false, everyone, one_layer, response, mmrm_structures_, lay);

  // Arm summaries: children in the model, and the mean response of those assessed at the primary
  // (last) visit, from the pass's sums by cell (here the arms).
  const auto& arm_n = work.cell_n;
  const auto& prim_n = work.last_n;
  const auto& prim_y = work.last_y;
  out.screened = d.screened;
  for (std::size_t a = 0; a < arms_; ++a) {
    out.randomised[a] = d.totals.n[a];
    out.analysed[a] = static_cast<std::int64_t>(arm_n[a]);
    out.mean_change[a] = prim_n[a] > 0 ? prim_y[a] / prim_n[a] : std::numeric_limits<double>::quiet_NaN();
  }

  MmrmTrialInfo& info = out.mmrm;
  info.used = true;
  info.fitted = used >= 0;
  info.fallback = used > 0;
  info.structure = static_cast<std::uint8_t>(used >= 0 ? mmrm_structures_[static_cast<std::size_t>(used)] : mmrm_structures_[0]);
  info.iterations = used >= 0 ? work.fit.iterations() : 0;
  info.sigma.clear();
  for (std::size_t c = 0; c < active_.size(); ++c) out.comparisons[c] = ComparisonResult{};
  if (used < 0) return;
  const Eigen::MatrixXd& sg = work.fit.sigma();
  info.sigma.assign(sg.data(), sg.data() + sg.size());
  for (std::size_t c = 0; c < active_.size(); ++c)
    set_from(out.comparisons[c],
             cell_contrast(lay, mmrm_contrast_visits_, {{active_[c], 1.0}, {control_, -1.0}}, mmrm_df_));
}

void TrialAnalysis::estimate_subgroups_mmrm(const TrialData& d, TrialResult& out) const {
  const std::size_t G = subgroups_.size(), C = active_.size(), V = mmrm_months_.size();
  auto response = [&](std::size_t j, double* y, auto) {
    std::fill(y, y + V, 0.0);
    return mmrm_response(d, j, y);
  };
  thread_local std::vector<std::uint32_t> member;
  member.resize(d.size());
  for (std::size_t j = 0; j < d.size(); ++j) member[j] = subgroup_mask(subgroups_, d, j);
  for (std::size_t g = 0; g < G; ++g) {
    auto inside = [&](std::size_t j) { return (member[j] >> g & 1u) != 0; };
    Layout lay;
    std::vector<ComparisonResult> in(C), outside(C);
    std::int64_t inside_n = 0;
    if (fit_children(d, arms_, strata_, V, false, inside, [](std::size_t) { return 0u; }, response, mmrm_structures_, lay) >= 0)
      for (std::size_t c = 0; c < C; ++c)
        set_from(in[c], cell_contrast(lay, mmrm_contrast_visits_, {{active_[c], 1.0}, {control_, -1.0}}, mmrm_df_));
    for (std::uint32_t m : work.masks) inside_n += m != 0;
    if (fit_children(d, arms_, strata_, V, false, [&](std::size_t j) { return !inside(j); }, [](std::size_t) { return 0u; },
                     response, mmrm_structures_, lay) >= 0)
      for (std::size_t c = 0; c < C; ++c)
        set_from(outside[c], cell_contrast(lay, mmrm_contrast_visits_, {{active_[c], 1.0}, {control_, -1.0}}, mmrm_df_));
    const bool inter = fit_children(d, arms_, strata_, V, true, [](std::size_t) { return true; },
                                    [&](std::size_t j) { return inside(j) ? 1u : 0u; }, response, mmrm_structures_, lay) >= 0;
    for (std::size_t c = 0; c < C; ++c) {
      SubgroupResult& r = out.subgroups[g * C + c];
      r.analysed_inside = inside_n;
      r.inside = in[c];
      r.outside = outside[c];
      if (!inter) continue;
      const std::size_t a = active_[c], k = control_, A = arms_;
      const stats::MmrmContrast x =
          cell_contrast(lay, mmrm_contrast_visits_, {{A + a, 1.0}, {A + k, -1.0}, {a, -1.0}, {k, 1.0}}, mmrm_df_);
      if (!x.ok) continue;
      r.interaction = x.estimate;
      r.interaction_se = x.se;
      r.interaction_df = x.df;
      r.interaction_estimable = std::isfinite(x.estimate) && std::isfinite(x.se) && x.se > 0;
    }
  }
}

}  // namespace celltrial
