#include "celltrial/stats/mmrm.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <numbers>

#include "celltrial/core/error.hpp"

namespace celltrial::stats {

namespace {
// A visits x visits matrix on the stack (no allocation in the iterations).
using VisitMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, 0, kMmrmMaxVisits, kMmrmMaxVisits>;
constexpr std::size_t kDirectMaskVisits = 12;  // patterns found by mask in a table up to this many visits
constexpr int kMaxIterations = 200;
constexpr int kMaxHalvings = 40;
// The iterations stop after the step whose decrement grad' I^-1 grad (twice the expected gain in
// REML) is below kStepDecrement, or would leave a decrement below it at the rate of the last step.
constexpr double kStepDecrement = 1e-16;
constexpr double kNewtonFrom = 1e-4;  // decrement below which slow scoring turns to the observed information
// Scoring is slow when a step leaves more than this share of the previous decrement (a linear rate
// above 0.1): the steps then use the observed information (Newton-Raphson).
constexpr double kSlowScoring = 1e-2;
// A covariance (or X'V^-1X) whose Cholesky pivots fall below this share of the largest diagonal
// entry is treated as singular: on the boundary of the parameter space, or a design without full rank.
constexpr double kSingular = 1e-10;

// Cholesky of a symmetric matrix with every pivot above kSingular x the largest diagonal entry.
template <class M>
bool factor(const M& a, Eigen::LLT<M>& llt) {
  if (a.size() == 0 || !a.allFinite()) return false;
  llt.compute(a);
  if (llt.info() != Eigen::Success) return false;
  const double top = a.diagonal().maxCoeff();
  if (!(top > 0) || !std::isfinite(top)) return false;
  const auto& l = llt.matrixLLT();
  for (Eigen::Index i = 0; i < a.rows(); ++i)
    if (!(l(i, i) * l(i, i) > kSingular * top)) return false;
  return true;
}

// The inverse (L L')^-1 = L^-T L^-1 of a Cholesky factor (the lower triangle of `l`), by plain
// loops: for the few fixed effects of a trial, cheaper than the blocked triangular solves.
template <class M>
void inverse_from_factor(const M& l, M& inv, M& li) {
  const Eigen::Index n = l.rows();
  li.setZero(n, n);
  for (Eigen::Index j = 0; j < n; ++j) {
    li(j, j) = 1 / l(j, j);
    for (Eigen::Index i = j + 1; i < n; ++i) {
      double s = 0;
      for (Eigen::Index m = j; m < i; ++m) s += l(i, m) * li(m, j);
      li(i, j) = -s / l(i, i);
    }
  }
  inv.resize(n, n);
  for (Eigen::Index b = 0; b < n; ++b)
    for (Eigen::Index a = 0; a <= b; ++a) {
      double s = 0;
      for (Eigen::Index m = b; m < n; ++m) s += li(m, a) * li(m, b);
      inv(a, b) = inv(b, a) = s;
    }
}

double log_det(const Eigen::LLT<Eigen::MatrixXd>& llt) {
  double s = 0;
  const auto& l = llt.matrixLLT();
  for (Eigen::Index i = 0; i < l.rows(); ++i) s += std::log(l(i, i));
  return 2 * s;
}

// tr(A B) for square matrices of the same size.
double trace_product(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) { return (a.array() * b.transpose().array()).sum(); }

// rho^d, with 0^0 = 1 and d < 0 read as 0 (the derivative terms multiply it by d anyway).
double power_of(double rho, int d) { return d <= 0 ? 1.0 : std::pow(rho, d); }

// out(r, s) += scale tr(W E_r W E_s M) for r <= s over the unstructured parameters (u_r, v_r), where
// E_r = e_u e_v' + e_v e_u' (e_u e_u' on the diagonal): tr(W e_a e_b' W e_c e_d' M) = W_bc (M W)_da,
// given m = M W.
template <class Pairs, class MW>
void add_elementary_traces(const Pairs& pairs, const Eigen::MatrixXd& w, const MW& m, double scale, Eigen::MatrixXd& out) {
  const auto U = static_cast<Eigen::Index>(pairs.size());
  for (Eigen::Index r = 0; r < U; ++r) {
    const auto [a, b] = pairs[static_cast<std::size_t>(r)];
    for (Eigen::Index s = r; s < U; ++s) {
      const auto [c, d] = pairs[static_cast<std::size_t>(s)];
      double t = w(b, c) * m(d, a);
      if (c != d) t += w(b, d) * m(c, a);
      if (a != b) {
        t += w(a, c) * m(d, b);
        if (c != d) t += w(a, d) * m(c, b);
      }
      out(r, s) += scale * t;
    }
  }
}


}  // namespace

// ---------------------------------------------------------------------------------------------
// Data

void MmrmData::reset(std::size_t visits, std::size_t covariates) {
  CELLTRIAL_ASSERT(visits >= 1 && visits <= kMmrmMaxVisits && covariates >= 1 && covariates <= 256);
  if (visits != visits_ || covariates != k_) {
    by_mask_.clear();
  } else if (visits_ <= kDirectMaskVisits) {
    for (std::size_t i = 0; i < used_; ++i) by_mask_[masks_[i]] = 0;
  }
  visits_ = visits;
  k_ = covariates;
  stride_ = 1 + k_ * k_ + k_ * visits_ + visits_ * visits_;
  subjects_ = observations_ = used_ = 0;
  acc_.clear();
  masks_.clear();
  stale_ = true;
  if (visits_ <= kDirectMaskVisits) by_mask_.resize(std::size_t{1} << visits_, 0);
}

std::size_t MmrmData::slot(std::uint32_t mask) {
  if (visits_ <= kDirectMaskVisits) {
    const std::int32_t at = by_mask_[mask];
    if (at > 0) return static_cast<std::size_t>(at - 1);
  } else {
    for (std::size_t i = 0; i < used_; ++i)
      if (masks_[i] == mask) return i;
  }
  masks_.push_back(mask);
  acc_.resize(acc_.size() + stride_, 0.0);
  if (visits_ <= kDirectMaskVisits) by_mask_[mask] = static_cast<std::int32_t>(used_ + 1);
  return used_++;
}

void MmrmData::add(const double* z, const double* y, std::uint32_t mask) {
  if (mask == 0) return;
  const std::size_t k = k_, V = visits_;
  const std::size_t at = slot(mask);  // before acc_.data(): a new pattern moves acc_
  double* a = acc_.data() + at * stride_;
  double* zz = a + 1;
  double* zy = zz + k * k;
  double* yy = zy + k * V;
  a[0] += 1;
  ++subjects_;
  observations_ += static_cast<std::size_t>(std::popcount(mask));
  // The lower triangles of the symmetric sums (patterns() fills the upper ones), over the child's
  // nonzero covariates (most are indicators) and assessed visits only.
  std::array<std::uint32_t, kMmrmMaxVisits> seen;
  std::size_t m = 0;
  for (std::uint32_t left = mask; left; left &= left - 1) seen[m++] = static_cast<std::uint32_t>(std::countr_zero(left));
  std::array<std::uint32_t, 256> nonzero;  // covariate numbers are 8-bit (MmrmColumn)
  std::size_t nz = 0;
  for (std::size_t c = 0; c < k; ++c)
    if (z[c] != 0) nonzero[nz++] = static_cast<std::uint32_t>(c);
  for (std::size_t i = 0; i < nz; ++i) {
    const std::size_t b = nonzero[i];
    const double zb = z[b];
    for (std::size_t l = 0; l <= i; ++l) zz[b * k + nonzero[l]] += zb * z[nonzero[l]];
  }
  for (std::size_t i = 0; i < m; ++i) {
    const std::size_t v = seen[i];
    const double yv = y[v];
    for (std::size_t l = 0; l < nz; ++l) zy[v * k + nonzero[l]] += z[nonzero[l]] * yv;
    for (std::size_t l = 0; l <= i; ++l) yy[v * V + seen[l]] += yv * y[seen[l]];
  }
  stale_ = true;
}

void MmrmData::add_group(const double* z, std::size_t varying, double n, double sx, double sxx, const double* sy,
                         const double* sxy, const double* syy, std::uint32_t mask) {
  if (mask == 0 || !(n > 0)) return;
  const std::size_t k = k_, V = visits_;
  const std::size_t at = slot(mask);
  double* a = acc_.data() + at * stride_;
  double* zz = a + 1;
  double* zy = zz + k * k;
  double* yy = zy + k * V;
  a[0] += n;
  subjects_ += static_cast<std::size_t>(n);
  observations_ += static_cast<std::size_t>(n) * static_cast<std::size_t>(std::popcount(mask));
  // z_i = z + (x_i - z_varying) e_varying: with the shared part s = z (z_varying read as 0),
  // sum z z' = n s s' + (s e' + e s') sx + e e' sxx and sum z y' = s sy' + e sxy'.
  std::array<std::uint32_t, 256> nonzero;
  std::size_t nz = 0;
  for (std::size_t c = 0; c < k; ++c)
    if (c != varying && z[c] != 0) nonzero[nz++] = static_cast<std::uint32_t>(c);
  for (std::size_t i = 0; i < nz; ++i) {
    const std::size_t b = nonzero[i];
    for (std::size_t l = 0; l <= i; ++l) zz[b * k + nonzero[l]] += n * z[b] * z[nonzero[l]];
    // The lower triangle holds (max, min) of the two covariates.
    if (b > varying) zz[b * k + varying] += z[b] * sx;
    else zz[varying * k + b] += z[b] * sx;
  }
  zz[varying * k + varying] += sxx;
  for (std::size_t v = 0; v < V; ++v) {
    if (!(mask >> v & 1u)) continue;
    for (std::size_t l = 0; l < nz; ++l) zy[v * k + nonzero[l]] += z[nonzero[l]] * sy[v];
    zy[v * k + varying] += sxy[v];
    for (std::size_t w = 0; w <= v; ++w)
      if (mask >> w & 1u) yy[v * V + w] += syy[v * V + w];
  }
  stale_ = true;
}

std::span<const MmrmData::Pattern> MmrmData::patterns() const {
  if (stale_) {
    const auto k = static_cast<Eigen::Index>(k_), v = static_cast<Eigen::Index>(visits_);
    if (patterns_.size() < used_) patterns_.resize(used_);
    for (std::size_t i = 0; i < used_; ++i) {
      const double* a = acc_.data() + i * stride_;
      Pattern& p = patterns_[i];
      p.mask = masks_[i];
      p.n = a[0];
      // add() sums entry (row b, column c) with c <= b at b * k + c: in column-major terms the
      // upper triangle of the transpose.
      p.zz = Eigen::Map<const Eigen::MatrixXd>(a + 1, k, k);
      p.zz.triangularView<Eigen::StrictlyLower>() = p.zz.transpose();
      p.zy = Eigen::Map<const Eigen::MatrixXd>(a + 1 + k * k, k, v);
      p.yy = Eigen::Map<const Eigen::MatrixXd>(a + 1 + k * k + k * v, v, v);
      p.yy.triangularView<Eigen::StrictlyLower>() = p.yy.transpose();
    }
    stale_ = false;
  }
  return {patterns_.data(), used_};
}

// ---------------------------------------------------------------------------------------------
// Covariance structures

std::size_t covariance_parameters(CovarianceStructure s, std::size_t v) {
  switch (s) {
    case CovarianceStructure::unstructured: return v * (v + 1) / 2;
    case CovarianceStructure::ar1: return 2;
    case CovarianceStructure::heterogeneous_ar1: return v + 1;
    case CovarianceStructure::cs: return 2;
    case CovarianceStructure::toeplitz: return v;
  }
  return 0;
}

std::size_t Mmrm::parameters(CovarianceStructure s) const { return covariance_parameters(s, v_); }

void Mmrm::build_sigma(const Eigen::VectorXd& th, Eigen::MatrixXd& s) const {
  const auto V = static_cast<Eigen::Index>(v_);
  s.resize(V, V);
  switch (structure_) {
    case CovarianceStructure::unstructured: {
      Eigen::Index r = 0;
      for (Eigen::Index u = 0; u < V; ++u)
        for (Eigen::Index v = 0; v <= u; ++v, ++r) s(u, v) = s(v, u) = th(r);
      break;
    }
    case CovarianceStructure::cs:
      s.setConstant(th(0));
      s.diagonal().array() += th(1);
      break;
    case CovarianceStructure::toeplitz:
      for (Eigen::Index u = 0; u < V; ++u)
        for (Eigen::Index v = 0; v < V; ++v) s(u, v) = th(std::abs(u - v));
      break;
    case CovarianceStructure::ar1:
      for (Eigen::Index u = 0; u < V; ++u)
        for (Eigen::Index v = 0; v < V; ++v) s(u, v) = th(0) * power_of(th(1), static_cast<int>(std::abs(u - v)));
      break;
    case CovarianceStructure::heterogeneous_ar1:
      for (Eigen::Index u = 0; u < V; ++u)
        for (Eigen::Index v = 0; v < V; ++v)
          s(u, v) = (u == v ? th(u) : std::sqrt(th(u) * th(v))) * power_of(th(V), static_cast<int>(std::abs(u - v)));
      break;
  }
}

void Mmrm::build_derivatives(const Eigen::VectorXd& th) {
  const auto V = static_cast<Eigen::Index>(v_);
  d_.resize(q_);
  for (auto& d : d_) d.setZero(V, V);
  switch (structure_) {
    case CovarianceStructure::unstructured: {
      std::size_t r = 0;
      for (Eigen::Index u = 0; u < V; ++u)
        for (Eigen::Index v = 0; v <= u; ++v, ++r) d_[r](u, v) = d_[r](v, u) = 1;
      break;
    }
    case CovarianceStructure::cs:
      d_[0].setConstant(1);
      d_[1].setIdentity();
      break;
    case CovarianceStructure::toeplitz:
      for (Eigen::Index u = 0; u < V; ++u)
        for (Eigen::Index v = 0; v < V; ++v) d_[static_cast<std::size_t>(std::abs(u - v))](u, v) = 1;
      break;
    case CovarianceStructure::ar1:
      for (Eigen::Index u = 0; u < V; ++u)
        for (Eigen::Index v = 0; v < V; ++v) {
          const int d = static_cast<int>(std::abs(u - v));
          d_[0](u, v) = power_of(th(1), d);
          d_[1](u, v) = d == 0 ? 0.0 : th(0) * d * power_of(th(1), d - 1);
        }
      break;
    case CovarianceStructure::heterogeneous_ar1: {
      const double rho = th(V);
      for (Eigen::Index u = 0; u < V; ++u)
        for (Eigen::Index v = 0; v < V; ++v) {
          const int d = static_cast<int>(std::abs(u - v));
          const double rd = power_of(rho, d);
          if (u == v) {
            d_[static_cast<std::size_t>(u)](u, u) = 1;
            continue;
          }
          const double f = std::sqrt(th(u) * th(v));
          d_[static_cast<std::size_t>(u)](u, v) += f / (2 * th(u)) * rd;
          d_[static_cast<std::size_t>(v)](u, v) += f / (2 * th(v)) * rd;
          d_[static_cast<std::size_t>(V)](u, v) = f * d * power_of(rho, d - 1);
        }
      break;
    }
  }
}

const Eigen::MatrixXd& Mmrm::second_derivative(const Eigen::VectorXd& th, std::size_t r, std::size_t s) {
  const auto V = static_cast<Eigen::Index>(v_);
  d2_.setZero(V, V);
  if (r > s) std::swap(r, s);
  switch (structure_) {
    case CovarianceStructure::unstructured:
    case CovarianceStructure::cs:
    case CovarianceStructure::toeplitz: break;  // linear in the parameters
    case CovarianceStructure::ar1:
      for (Eigen::Index u = 0; u < V; ++u)
        for (Eigen::Index v = 0; v < V; ++v) {
          const int d = static_cast<int>(std::abs(u - v));
          if (r == 0 && s == 1) d2_(u, v) = d == 0 ? 0.0 : d * power_of(th(1), d - 1);
          if (r == 1 && s == 1) d2_(u, v) = d < 2 ? 0.0 : th(0) * d * (d - 1) * power_of(th(1), d - 2);
        }
      break;
    case CovarianceStructure::heterogeneous_ar1: {
      const double rho = th(V);
      const auto R = static_cast<Eigen::Index>(r), S = static_cast<Eigen::Index>(s);
      for (Eigen::Index u = 0; u < V; ++u)
        for (Eigen::Index v = 0; v < V; ++v) {
          if (u == v) continue;  // sigma_u^2 itself: linear
          const int d = static_cast<int>(std::abs(u - v));
          const double f = std::sqrt(th(u) * th(v));
          // d f / d s_w for w in {u, v}
          auto df = [&](Eigen::Index w) { return (w == u ? f / (2 * th(u)) : 0.0) + (w == v ? f / (2 * th(v)) : 0.0); };
          if (S == V && R == V) {
            d2_(u, v) = d < 2 ? 0.0 : f * d * (d - 1) * power_of(rho, d - 2);
          } else if (S == V) {
            d2_(u, v) = df(R) * d * power_of(rho, d - 1);
          } else {
            double x = 0;
            if (R == u && S == u) x = -f / (4 * th(u) * th(u));
            else if (R == v && S == v) x = -f / (4 * th(v) * th(v));
            else if ((R == u && S == v) || (R == v && S == u)) x = f / (4 * th(u) * th(v));
            d2_(u, v) = x * power_of(rho, d);
          }
        }
      break;
    }
  }
  return d2_;
}

void Mmrm::start_values(const Eigen::MatrixXd& s0, Eigen::VectorXd& th) const {
  const auto V = static_cast<Eigen::Index>(v_);
  th.resize(static_cast<Eigen::Index>(q_));
  const double mean_var = s0.diagonal().mean();
  // Mean correlation between consecutive visits, kept inside (-0.9, 0.9).
  double lag1 = 0;
  for (Eigen::Index u = 0; u + 1 < V; ++u) lag1 += s0(u, u + 1) / std::sqrt(s0(u, u) * s0(u + 1, u + 1));
  lag1 = V > 1 ? std::clamp(lag1 / static_cast<double>(V - 1), -0.9, 0.9) : 0.0;
  switch (structure_) {
    case CovarianceStructure::unstructured: {
      Eigen::LLT<Eigen::MatrixXd> llt;
      const bool pd = factor(s0, llt);
      Eigen::Index r = 0;
      for (Eigen::Index u = 0; u < V; ++u)
        for (Eigen::Index v = 0; v <= u; ++v, ++r) th(r) = pd || u == v ? s0(u, v) : 0.0;
      break;
    }
    case CovarianceStructure::cs: {
      double off = 0;
      for (Eigen::Index u = 0; u < V; ++u)
        for (Eigen::Index v = 0; v < u; ++v) off += s0(u, v);
      off = V > 1 ? off / static_cast<double>(V * (V - 1) / 2) : 0.0;
      off = std::clamp(off, -0.9 * mean_var / static_cast<double>(std::max<Eigen::Index>(V - 1, 1)), 0.9 * mean_var);
      th(0) = off;
      th(1) = mean_var - off;
      break;
    }
    case CovarianceStructure::toeplitz: {
      for (Eigen::Index d = 0; d < V; ++d) {
        double s = 0;
        for (Eigen::Index u = d; u < V; ++u) s += s0(u, u - d);
        th(d) = s / static_cast<double>(V - d);
      }
      // Shrink the lags towards 0 until the matrix is positive definite.
      Eigen::MatrixXd m;
      Eigen::LLT<Eigen::MatrixXd> llt;
      for (int tries = 0; tries < 60; ++tries) {
        m.resize(V, V);
        for (Eigen::Index u = 0; u < V; ++u)
          for (Eigen::Index v = 0; v < V; ++v) m(u, v) = th(std::abs(u - v));
        if (factor(m, llt)) break;
        for (Eigen::Index d = 1; d < V; ++d) th(d) *= 0.8;
      }
      break;
    }
    case CovarianceStructure::ar1:
      th(0) = mean_var;
      th(1) = lag1;
      break;
    case CovarianceStructure::heterogeneous_ar1:
      for (Eigen::Index u = 0; u < V; ++u) th(u) = s0(u, u);
      th(V) = lag1;
      break;
  }
}

// ---------------------------------------------------------------------------------------------
// REML

namespace {
// sum over columns j, l of weight(j, l) zz[c_j, c_l], grouped by the columns' loadings.
template <class Weight, class Out>
void group_columns(const std::vector<MmrmColumn>& cols, std::size_t visits, const Eigen::MatrixXd& zz, Weight weight,
                   Out& out) {
  const auto L = static_cast<Eigen::Index>(visits + 1);
  out.setZero(L, L);
  for (std::size_t l = 0; l < cols.size(); ++l)
    for (std::size_t j = 0; j < cols.size(); ++j)
      out(cols[j].visit, cols[l].visit) += weight(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(l)) *
                                           zz(cols[j].covariate, cols[l].covariate);
}
}  // namespace

void Mmrm::group(const Eigen::MatrixXd& w, const Eigen::MatrixXd& zz, LoadMatrix& out) const {
  group_columns(cols_, v_, zz, [&](Eigen::Index j, Eigen::Index l) { return w(j, l); }, out);
}

void Mmrm::group_vector(const Eigen::VectorXd& b, const Eigen::MatrixXd& zz, LoadMatrix& out) const {
  group_columns(cols_, v_, zz, [&](Eigen::Index j, Eigen::Index l) { return b(j) * b(l); }, out);
}

void Mmrm::expand(const LoadMatrix& n, Eigen::MatrixXd& out) const {
  const auto V = static_cast<Eigen::Index>(v_);
  out.resize(V, V);
  for (Eigen::Index u = 0; u < V; ++u)
    for (Eigen::Index v = 0; v < V; ++v) out(u, v) = n(u, v) + n(u, V) + n(V, v) + n(V, V);
}

void Mmrm::add_loaded(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::MatrixXd& zz, Eigen::MatrixXd& q) const {
  const auto V = static_cast<Eigen::Index>(v_), P = static_cast<Eigen::Index>(p_);
  LoadMatrix la(V + 1, V + 1);
  la.topLeftCorner(V, V) = a;
  la.col(V).head(V) = a.rowwise().sum();
  la.row(V).head(V) = a.colwise().sum();
  la(V, V) = a.sum();
  for (Eigen::Index l = 0; l < P; ++l) {
    const MmrmColumn cl = cols_[static_cast<std::size_t>(l)];
    for (Eigen::Index j = 0; j < P; ++j) {
      const MmrmColumn cj = cols_[static_cast<std::size_t>(j)];
      q(j, l) += la(cj.visit, cl.visit) * zz(cj.covariate, cl.covariate);
    }
  }
}

void Mmrm::loaded_sum(const std::vector<Eigen::MatrixXd>& a, Eigen::MatrixXd& q) const {
  const auto P = static_cast<Eigen::Index>(p_);
  const auto pats = data_->patterns();
  q.setZero(P, P);
  for (std::size_t i = 0; i < pats.size(); ++i) add_loaded(a[i], pats[i].zz, q);
}

bool Mmrm::evaluate(const Eigen::VectorXd& theta, int level) {
  const auto V = static_cast<Eigen::Index>(v_), P = static_cast<Eigen::Index>(p_), K = static_cast<Eigen::Index>(k_);
  const auto pats = data_->patterns();
  const std::size_t np = pats.size();
  closed_ = false;
  at_ = theta;
  build_sigma(theta, sigma_);
  if (!sigma_.allFinite()) return false;
  Eigen::LLT<Eigen::MatrixXd> llt;
  if (!factor(sigma_, llt)) return false;

  // Each pattern's inverse covariance on its visits, embedded in V x V.
  w_.resize(np);
  logdet_.resize(np);
  double sum_logdet = 0;
  VisitMatrix sub, inv, li;
  Eigen::LLT<VisitMatrix> ls;
  for (std::size_t i = 0; i < np; ++i) {
    const std::uint32_t mask = pats[i].mask;
    std::array<Eigen::Index, kMmrmMaxVisits> idx{};
    Eigen::Index m = 0;
    for (Eigen::Index v = 0; v < V; ++v)
      if (mask >> v & 1u) idx[static_cast<std::size_t>(m++)] = v;
    sub.resize(m, m);
    for (Eigen::Index a = 0; a < m; ++a)
      for (Eigen::Index b = 0; b < m; ++b) sub(a, b) = sigma_(idx[static_cast<std::size_t>(a)], idx[static_cast<std::size_t>(b)]);
    ls.compute(sub);
    if (ls.info() != Eigen::Success) return false;
    double ld = 0;
    for (Eigen::Index a = 0; a < m; ++a) ld += std::log(ls.matrixLLT()(a, a));
    logdet_[i] = 2 * ld;
    sum_logdet += pats[i].n * logdet_[i];
    inverse_from_factor(ls.matrixLLT(), inv, li);
    w_[i].setZero(V, V);
    for (Eigen::Index a = 0; a < m; ++a)
      for (Eigen::Index b = 0; b < m; ++b) w_[i](idx[static_cast<std::size_t>(a)], idx[static_cast<std::size_t>(b)]) = inv(a, b);
  }

  // X'V^-1X and X'V^-1y from the patterns.
  loaded_sum(w_, xtwx_);
  xtwy_.setZero(P);
  for (std::size_t i = 0; i < np; ++i) {
    ws_kv_.noalias() = pats[i].zy * w_[i];  // k x V: sum of z (W y)'
    for (Eigen::Index j = 0; j < P; ++j) {
      const MmrmColumn c = cols_[static_cast<std::size_t>(j)];
      xtwy_(j) += c.visit < V ? ws_kv_(c.covariate, c.visit) : ws_kv_.row(c.covariate).sum();
    }
  }
  if (!factor(xtwx_, lx_)) return false;
  inverse_from_factor(lx_.matrixLLT(), h_, ws_li_);
  beta_.noalias() = h_.lazyProduct(xtwy_);
  b_.setZero(K, V);
  for (Eigen::Index j = 0; j < P; ++j) {
    const MmrmColumn c = cols_[static_cast<std::size_t>(j)];
    if (c.visit < V) b_(c.covariate, c.visit) += beta_(j);
    else b_.row(c.covariate).array() += beta_(j);
  }

  // Residual sums per pattern (zero outside the pattern's visits).
  rr_.resize(np);
  zr_.resize(np);
  double quad = 0;
  VisitMatrix bzy(V, V);
  for (std::size_t i = 0; i < np; ++i) {
    const auto& pt = pats[i];
    bzy.noalias() = b_.transpose() * pt.zy;  // V x V
    ws_kv_.noalias() = pt.zz * b_;           // k x V
    Eigen::MatrixXd& rr = rr_[i];
    rr = pt.yy;
    rr -= bzy;
    rr -= bzy.transpose();
    rr.noalias() += b_.transpose() * ws_kv_;
    zr_[i] = pt.zy;
    zr_[i] -= ws_kv_;
    for (Eigen::Index v = 0; v < V; ++v)
      if (!(pt.mask >> v & 1u)) {
        rr.row(v).setZero();
        rr.col(v).setZero();
        zr_[i].col(v).setZero();
      }
    quad += trace_product(w_[i], rr);
  }
  const double nobs = static_cast<double>(data_->observations());
  loglik_ = -0.5 * (sum_logdet + log_det(lx_) + quad) - 0.5 * (nobs - static_cast<double>(p_)) * std::log(2 * std::numbers::pi);
  if (!std::isfinite(loglik_)) return false;
  if (level < 1) return true;

  // The gradient: d REML / d theta_r = -tr(G dSigma_r) / 2, G = sum over patterns of
  // n W - W (T + R) W.
  t_.resize(np);
  wcw_.resize(np);
  g_.setZero(V, V);
  LoadMatrix n;
  VisitMatrix c(V, V), wc(V, V);
  for (std::size_t i = 0; i < np; ++i) {
    group(h_, pats[i].zz, n);
    expand(n, t_[i]);
    c = t_[i];
    c += rr_[i];
    wc.noalias() = w_[i] * c;
    wcw_[i].noalias() = wc * w_[i];
    g_ += pats[i].n * w_[i];
    g_ -= wcw_[i];
  }
  build_derivatives(theta);
  score();
  if (level < 2) return true;

  // The expected information: tr(P dSigma_r P dSigma_s) / 2.
  const auto Q = static_cast<Eigen::Index>(q_);
  info_.setZero(Q, Q);
  std::vector<std::vector<Eigen::MatrixXd>> a(q_, std::vector<Eigen::MatrixXd>(np));  // W dSigma_r W
  std::vector<Eigen::MatrixXd> hq(q_);
  Eigen::MatrixXd qr;
  for (std::size_t r = 0; r < q_; ++r) {
    for (std::size_t i = 0; i < np; ++i) a[r][i] = (w_[i].lazyProduct(d_[r])).lazyProduct(w_[i]);
    loaded_sum(a[r], qr);
    hq[r] = h_.lazyProduct(qr);
  }
  for (std::size_t i = 0; i < np; ++i) {
    const Eigen::MatrixXd e = pats[i].n * Eigen::MatrixXd::Identity(V, V) - 2 * w_[i].lazyProduct(t_[i]);
    for (std::size_t s = 0; s < q_; ++s) {
      const Eigen::MatrixXd f = d_[s] * e;
      for (std::size_t r = 0; r <= s; ++r) info_(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(s)) += 0.5 * trace_product(a[r][i], f);
    }
  }
  for (std::size_t s = 0; s < q_; ++s)
    for (std::size_t r = 0; r <= s; ++r) {
      info_(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(s)) += 0.5 * trace_product(hq[r], hq[s]);
      info_(static_cast<Eigen::Index>(s), static_cast<Eigen::Index>(r)) = info_(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(s));
    }
  return info_.allFinite();
}

void Mmrm::score() {
  const auto pats = data_->patterns();
  const auto U = static_cast<Eigen::Index>(pairs_.size());
  // In the unstructured parameters: d REML / d Sigma_uv = -(G_uv + G_vu) / 2 (-G_uu / 2 on the
  // diagonal), and the scoring matrix n tr(W E_r W E_s) / 2 per pattern, E_r the derivative of
  // Sigma by Sigma_uv (e_u e_v' + e_v e_u', or e_u e_u'): tr(W e_a e_b' W e_c e_d') = W_bc W_da.
  // The fixed effects' terms of the information (order p / n) are left out: cheap steps that
  // converge a little more slowly, to the same estimate.
  ws_u_.resize(U);
  ws_un_.setZero(U, U);
  for (Eigen::Index r = 0; r < U; ++r) {
    const auto [u, v] = pairs_[static_cast<std::size_t>(r)];
    ws_u_(r) = u == v ? -0.5 * g_(u, u) : -g_(u, v);
  }
  for (std::size_t i = 0; i < pats.size(); ++i) add_elementary_traces(pairs_, w_[i], w_[i], 0.5 * pats[i].n, ws_un_);
  for (Eigen::Index r = 0; r < U; ++r)
    for (Eigen::Index s = 0; s < r; ++s) ws_un_(r, s) = ws_un_(s, r);
  if (structure_ == CovarianceStructure::unstructured) {
    grad_ = ws_u_;
    score_info_ = ws_un_;
    return;
  }
  // Another structure: through the Jacobian of the unstructured parameters.
  const auto Q = static_cast<Eigen::Index>(q_);
  jac_.resize(U, Q);
  for (Eigen::Index r = 0; r < U; ++r)
    for (Eigen::Index s = 0; s < Q; ++s) {
      const auto [u, v] = pairs_[static_cast<std::size_t>(r)];
      jac_(r, s) = d_[static_cast<std::size_t>(s)](u, v);
    }
  grad_.noalias() = jac_.transpose() * ws_u_;
  ws_kv2_.noalias() = ws_un_ * jac_;
  score_info_.noalias() = jac_.transpose() * ws_kv2_;
}

// The REML estimate of an unstructured covariance in closed form, when it has one: every
// pattern is a run of visits from the first (monotone dropout) and the fixed effects are the
// same k covariates at every visit (no column common to the visits). Then the density factors
// into the first visit given the covariates and each later visit t given the covariates and the
// visits before it, f(y_1 | z) f(y_2 | y_1, z) ..., each a least-squares regression over the n_t
// children assessed at t with parameters of its own: the coefficients b_t of z, the coefficients
// phi_t of the earlier visits and the residual variance s_t^2. The fixed effects are
// beta = (L x I) b with L = (I - Phi)^-1 (Phi: the phi_t as rows), a map with unit Jacobian for
// given Phi, so integrating the fixed effects out (REML) integrates each factor's b_t out and the
// REML is a sum over visits of -(n_t - k)/2 log(2 pi s_t^2) - RSS_t(phi_t)/(2 s_t^2)
// - log det(Z_t'Z_t)/2, maximised visit by visit: phi_t and b_t by least squares of y_t on
// (z, y_1..y_{t-1}), s_t^2 = RSS_t / (n_t - k). Sigma = L diag(s^2) L', and for any Phi
// (X'V^-1X)^-1 = (L x I) diag(s_t^2 (Z_t'Z_t)^-1) (L x I)'. False when the data are not of
// that form, a regression is singular or the problem is larger than the closed form's workspace.
bool Mmrm::closed_form_fit() {
  using Small = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, 0, kClosedFormMax, kClosedFormMax>;
  const MmrmData& data = *data_;
  const auto pats = data.patterns();
  const auto V = static_cast<Eigen::Index>(v_);
  // The covariates of the columns, each of which must be loaded on every visit, once.
  std::array<std::uint32_t, 256> at_visit{};  // bit v: the covariate is loaded on visit v
  for (const MmrmColumn& c : cols_) {
    if (c.visit >= v_ || (at_visit[c.covariate] >> c.visit & 1u)) return false;
    at_visit[c.covariate] |= 1u << c.visit;
  }
  const std::uint32_t all = v_ >= 32 ? ~0u : (1u << v_) - 1;
  std::array<int, 256> pos;
  cf_cov_.clear();
  for (std::size_t c = 0; c < k_; ++c) {
    pos[c] = -1;
    if (at_visit[c] == 0) continue;
    if (at_visit[c] != all) return false;
    pos[c] = static_cast<int>(cf_cov_.size());
    cf_cov_.push_back(static_cast<std::uint8_t>(c));
  }
  const auto K = static_cast<Eigen::Index>(cf_cov_.size());
  if (K == 0 || K + V > kClosedFormMax) return false;
  for (const auto& p : pats)
    if ((p.mask & (p.mask + 1)) != 0) return false;  // not a run of visits from the first
  cf_pos_.resize(p_);
  for (std::size_t j = 0; j < p_; ++j) cf_pos_[j] = pos[cols_[j].covariate];

  cf_ginv_.resize(v_);
  cf_sinv_.resize(v_);
  cf_s2_.resize(V);
  cf_dof_.resize(V);
  Small phi = Small::Zero(V, V);  // row t: the regression of visit t on the earlier ones
  Small b(K, V);                  // column t: visit t's coefficients of z
  Small s, inv, li, g, ginv;
  Eigen::LLT<Small> llt;
  Eigen::Matrix<double, Eigen::Dynamic, 1, 0, kClosedFormMax, 1> coef;
  double loglik = 0;
  for (Eigen::Index t = 0; t < V; ++t) {
    // Cross-products of (z, y_0..y_t) over the children assessed at t.
    const Eigen::Index m = K + t + 1;
    s.setZero(m, m);
    double n = 0;
    for (const auto& p : pats) {
      if (!(p.mask >> t & 1u)) continue;
      n += p.n;
      for (Eigen::Index a = 0; a < K; ++a) {
        const std::size_t ca = cf_cov_[static_cast<std::size_t>(a)];
        for (Eigen::Index c = 0; c <= a; ++c) s(a, c) += p.zz(ca, cf_cov_[static_cast<std::size_t>(c)]);
        for (Eigen::Index v = 0; v <= t; ++v) s(K + v, a) += p.zy(ca, v);
      }
      for (Eigen::Index u = 0; u <= t; ++u)
        for (Eigen::Index v = 0; v <= u; ++v) s(K + u, K + v) += p.yy(u, v);
    }
    const double dof = n - static_cast<double>(K);
    if (!(dof > 0)) return false;
    for (Eigen::Index a = 0; a < m; ++a)
      for (Eigen::Index c = 0; c < a; ++c) s(c, a) = s(a, c);
    // y_t on (z, y_0..y_{t-1}): the inverse cross-products of the regressors give the
    // coefficients and, in their last t rows and columns, the inverse of the earlier visits'
    // cross-products after z (the information on phi_t, times s_t^2).
    const Eigen::Index r = m - 1;
    if (!factor(Small(s.topLeftCorner(r, r)), llt)) return false;
    inverse_from_factor(llt.matrixLLT(), inv, li);
    coef.noalias() = inv * s.col(r).head(r);
    const double s2 = (s(r, r) - s.col(r).head(r).dot(coef)) / dof;
    if (!(s2 > 0) || !std::isfinite(s2)) return false;
    // (Z_t'Z_t)^-1 from the leading block of the same factor.
    g = llt.matrixLLT().topLeftCorner(K, K);
    inverse_from_factor(g, ginv, li);
    cf_ginv_[static_cast<std::size_t>(t)] = ginv;
    cf_sinv_[static_cast<std::size_t>(t)] = inv.bottomRightCorner(t, t);
    cf_s2_(t) = s2;
    cf_dof_(t) = dof;
    b.col(t) = coef.head(K);
    phi.row(t).head(t) = coef.tail(t).transpose();
    double logdet_g = 0;
    for (Eigen::Index a = 0; a < K; ++a) logdet_g += 2 * std::log(g(a, a));
    loglik += -0.5 * dof * (std::log(2 * std::numbers::pi * s2) + 1) - 0.5 * logdet_g;
  }
  // L = (I - Phi)^-1, unit lower triangular: L = I + Phi L, row by row.
  cf_l_.setIdentity(V, V);
  for (Eigen::Index v = 1; v < V; ++v)
    for (Eigen::Index t = 0; t < v; ++t) {
      double x = 0;
      for (Eigen::Index u = t; u < v; ++u) x += phi(v, u) * cf_l_(u, t);
      cf_l_(v, t) = x;
    }
  // Sigma = L diag(s^2) L', the parameters, the fixed effects and their covariance.
  sigma_.noalias() = cf_l_ * cf_s2_.asDiagonal() * cf_l_.transpose();
  theta_.resize(static_cast<Eigen::Index>(q_));
  Eigen::Index r = 0;
  for (Eigen::Index u = 0; u < V; ++u)
    for (Eigen::Index v = 0; v <= u; ++v, ++r) theta_(r) = sigma_(u, v);
  at_ = theta_;
  const auto P = static_cast<Eigen::Index>(p_);
  beta_.resize(P);
  h_.resize(P, P);
  for (Eigen::Index j = 0; j < P; ++j) {
    const Eigen::Index vj = cols_[static_cast<std::size_t>(j)].visit, cj = cf_pos_[static_cast<std::size_t>(j)];
    double x = 0;
    for (Eigen::Index t = 0; t <= vj; ++t) x += cf_l_(vj, t) * b(cj, t);
    beta_(j) = x;
    for (Eigen::Index l = 0; l <= j; ++l) {
      const Eigen::Index vl = cols_[static_cast<std::size_t>(l)].visit, cl = cf_pos_[static_cast<std::size_t>(l)];
      double y = 0;
      for (Eigen::Index t = 0; t <= std::min(vj, vl); ++t)
        y += cf_l_(vj, t) * cf_l_(vl, t) * cf_s2_(t) * cf_ginv_[static_cast<std::size_t>(t)](cj, cl);
      h_(j, l) = h_(l, j) = y;
    }
  }
  loglik_ = loglik;
  return std::isfinite(loglik_) && beta_.allFinite() && h_.allFinite();
}

// The Satterthwaite df of c'beta from the closed form: the REML is a sum over visits of terms in
// (phi_t, s_t^2) alone, so at the estimate its observed information is block diagonal, S_t / s_t^2
// for phi_t (S_t: the earlier visits' cross-products after z) and (n_t - k) / (2 s_t^4) for
// s_t^2; and var = c'(X'V^-1X)^-1 c = sum_t s_t^2 a_t' G_t^-1 a_t with a_t = sum_v L_vt c_v (c_v
// the contrast's weights at visit v, G_t = Z_t'Z_t), whose derivatives are a_t'G_t^-1 a_t by
// s_t^2 and 2 a_t' w_s by phi_ts, w_s = sum_u L_su s_u^2 G_u^-1 a_u (from dL / dPhi_ts =
// L e_t e_s' L). The df 2 var^2 / (g' I^-1 g) does not depend on the parameters it is computed
// in, at the estimate, so it is the df of the unstructured parameters.
double Mmrm::closed_form_df(std::span<const double> c, double var) const {
  using Small = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, 0, kClosedFormMax, kClosedFormMax>;
  const auto V = static_cast<Eigen::Index>(v_), K = static_cast<Eigen::Index>(cf_cov_.size());
  Small cv = Small::Zero(K, V), a(K, V), u(K, V), w(K, V);  // columns: visits
  for (std::size_t j = 0; j < p_; ++j) cv(cf_pos_[j], cols_[j].visit) += c[j];
  a.noalias() = cv * cf_l_;  // a_t = sum_v L_vt c_v
  for (Eigen::Index t = 0; t < V; ++t) u.col(t).noalias() = cf_ginv_[static_cast<std::size_t>(t)] * a.col(t);
  w.setZero(K, V);
  for (Eigen::Index s = 0; s < V; ++s)
    for (Eigen::Index x = 0; x <= s; ++x) w.col(s) += cf_l_(s, x) * cf_s2_(x) * u.col(x);
  double denom = 0;
  Eigen::Matrix<double, Eigen::Dynamic, 1, 0, kClosedFormMax, 1> gphi;
  for (Eigen::Index t = 0; t < V; ++t) {
    const double s2 = cf_s2_(t), gs = a.col(t).dot(u.col(t));
    denom += gs * gs * 2 * s2 * s2 / cf_dof_(t);
    if (t == 0) continue;
    gphi.resize(t);
    for (Eigen::Index s = 0; s < t; ++s) gphi(s) = 2 * a.col(t).dot(w.col(s));
    denom += s2 * gphi.dot(cf_sinv_[static_cast<std::size_t>(t)] * gphi);
  }
  return denom > 0 ? 2 * var * var / denom : std::numeric_limits<double>::infinity();
}

bool Mmrm::ols_start() {
  const auto V = static_cast<Eigen::Index>(v_);
  const MmrmData& data = *data_;
  {
    const CovarianceStructure keep = structure_;
    const std::size_t keep_q = q_;
    structure_ = CovarianceStructure::unstructured;
    q_ = parameters(structure_);
    Eigen::VectorXd eye(static_cast<Eigen::Index>(q_));
    Eigen::Index r = 0;
    for (Eigen::Index u = 0; u < V; ++u)
      for (Eigen::Index v = 0; v <= u; ++v, ++r) eye(r) = u == v ? 1.0 : 0.0;
    const bool ok = evaluate(eye, 0);
    structure_ = keep;
    q_ = keep_q;
    if (!ok) return false;
  }
  Eigen::MatrixXd s0 = Eigen::MatrixXd::Zero(V, V), count = Eigen::MatrixXd::Zero(V, V);
  const auto pats = data.patterns();
  for (std::size_t i = 0; i < pats.size(); ++i) {
    s0 += rr_[i];
    for (Eigen::Index u = 0; u < V; ++u)
      for (Eigen::Index v = 0; v < V; ++v)
        if ((pats[i].mask >> u & 1u) && (pats[i].mask >> v & 1u)) count(u, v) += pats[i].n;
  }
  const double shrink = 1 - static_cast<double>(p_) / static_cast<double>(data.observations());
  for (Eigen::Index u = 0; u < V; ++u)
    for (Eigen::Index v = 0; v < V; ++v) s0(u, v) = count(u, v) > 0 ? s0(u, v) / (count(u, v) * shrink) : 0.0;
  // A visit without residual variation (nobody assessed there, or no more children than its
  // columns) leaves the structures with a variance of their own per visit nothing to start from;
  // the homogeneous ones take the other visits' mean variance there.
  double pooled = 0, visits_with = 0;
  for (Eigen::Index u = 0; u < V; ++u)
    if (s0(u, u) > 0) {
      pooled += s0(u, u);
      visits_with += 1;
    }
  const bool own_variances = structure_ == CovarianceStructure::unstructured || structure_ == CovarianceStructure::heterogeneous_ar1;
  for (Eigen::Index u = 0; u < V; ++u)
    if (!(s0(u, u) > 0)) {
      if (own_variances || visits_with == 0) return false;
      s0.row(u).setZero();
      s0.col(u).setZero();
      s0(u, u) = pooled / visits_with;
    }
  start_values(s0, theta_);
  return true;
}

bool Mmrm::fit(const MmrmData& data, std::span<const MmrmColumn> columns, CovarianceStructure structure) {
  data_ = &data;
  cols_.assign(columns.begin(), columns.end());
  structure_ = structure;
  v_ = data.visits();
  k_ = data.covariates();
  p_ = cols_.size();
  q_ = parameters(structure);
  iterations_ = 0;
  obs_ready_ = false;
  info_ready_ = false;
  closed_ = false;
  for (const MmrmColumn& c : cols_) CELLTRIAL_ASSERT(c.visit <= v_ && c.covariate < k_);
  pairs_.clear();
  for (std::size_t u = 0; u < v_; ++u)
    for (std::size_t v = 0; v <= u; ++v) pairs_.push_back({static_cast<std::uint8_t>(u), static_cast<std::uint8_t>(v)});
  if (p_ == 0 || data.observations() <= p_ || data.patterns().empty()) return false;

  // The unstructured REML in closed form where it has one (monotone dropout, the same covariates
  // at every visit): no iterations.
  if (structure_ == CovarianceStructure::unstructured && closed_form_fit()) {
    closed_ = true;
    return true;
  }
  // Start: ordinary least squares (Sigma = I), then the residual covariances from the children
  // assessed at both visits, with a degrees-of-freedom correction (exact REML for complete data
  // with every covariate loaded visit by visit).
  if (!ols_start()) return false;

  // Scoring steps with step halving; close to the estimate, Newton-Raphson steps (the observed
  // information) when scoring gains less than two digits a step: where the REML is flat, scoring
  // creeps and would stop with the covariance still moving. With many children per covariance
  // parameter scoring gains about four digits a step and needs no observed information. The
  // observed information of a last Newton step is kept for the Satterthwaite df (that step moves
  // the parameters by less than 1e-8 of their standard errors).
  if (!evaluate(theta_, 1)) return false;
  Eigen::VectorXd step, candidate;
  bool converged = false, newton = false;
  double previous = std::numeric_limits<double>::infinity();
  Eigen::LDLT<Eigen::MatrixXd> ldlt;
  for (int it = 0; it < kMaxIterations && !converged; ++it) {
    obs_ready_ = false;
    if (newton) {
      observed_information(obs_info_);
      ldlt.compute(obs_info_);
      obs_ready_ = ldlt.info() == Eigen::Success && ldlt.vectorD().minCoeff() > 0;
      if (!obs_ready_) ldlt.compute(score_info_);
    } else {
      ldlt.compute(score_info_);
    }
    if (ldlt.info() != Eigen::Success) return false;
    step = ldlt.solve(grad_);
    const double decrement = grad_.dot(step);
    if (!std::isfinite(decrement)) return false;
    // The last step's rate (about 1e-4 for scoring with many children); 1 before a first step.
    const double rate = std::isfinite(previous) ? decrement / previous : 1.0;
    converged = decrement < kStepDecrement || (rate < 1 && decrement * rate < kStepDecrement);
    newton = newton || (decrement < kNewtonFrom && rate > kSlowScoring);
    previous = decrement;
    const double before = loglik_;
    double scale = 1;
    int h = 0;
    for (; h < kMaxHalvings; ++h, scale *= 0.5) {
      candidate = theta_ + scale * step;
      if (evaluate(candidate, 1) && loglik_ >= before - 1e-10 * (1 + std::fabs(before))) break;
    }
    if (h == kMaxHalvings) return false;
    theta_ = candidate;
    iterations_ = it + 1;
  }
  if (!converged) return false;
  return true;
}

void Mmrm::observed_information(Eigen::MatrixXd& out) {
  // After a fit in closed form, the per-pattern products it did not need.
  if (closed_ && !evaluate(theta_, 1)) {
    out.resize(0, 0);
    return;
  }
  const auto pats = data_->patterns();
  const std::size_t np = pats.size();
  const auto V = static_cast<Eigen::Index>(v_), P = static_cast<Eigen::Index>(p_), Q = static_cast<Eigen::Index>(q_);
  const std::size_t U = pairs_.size();
  const auto Un = static_cast<Eigen::Index>(U);
  // In the unstructured parameters (E_r = dSigma / dSigma_uv as in score()), the Hessian of the
  // REML is, per pattern, tr(W E_r W E_s M) with M = n I / 2 - (T + R) W, plus the fixed
  // effects' terms tr(H Q_r H Q_s) / 2 + g_r' H g_s, where Q_r = X'V^-1 E_r V^-1 X and
  // g_r = X'V^-1 E_r V^-1 r. W E_r W = w_a w_b' + w_b w_a' (w_a: column a of W).
  auto& hq = ws_hq_;
  auto& g = ws_g_;
  if (hq.size() < U) hq.resize(U);
  if (g.size() < U) g.resize(U);
  auto& zrw = ws_zrw_;
  if (zrw.size() < np) zrw.resize(np);
  for (std::size_t i = 0; i < np; ++i) zrw[i].noalias() = zr_[i] * w_[i];
  Eigen::MatrixXd& qr = ws_q_;
  VisitMatrix wa(V, V);
  for (std::size_t r = 0; r < U; ++r) {
    const auto [a, b] = pairs_[r];
    qr.setZero(P, P);
    g[r].setZero(P);
    for (std::size_t i = 0; i < np; ++i) {
      const Eigen::MatrixXd& w = w_[i];
      for (Eigen::Index y = 0; y < V; ++y)
        for (Eigen::Index x = 0; x < V; ++x) wa(x, y) = w(x, a) * w(b, y) + (a != b ? w(x, b) * w(a, y) : 0.0);
      add_loaded(wa, pats[i].zz, qr);
      const Eigen::MatrixXd& zw = zrw[i];
      for (Eigen::Index j = 0; j < P; ++j) {
        const MmrmColumn c = cols_[static_cast<std::size_t>(j)];
        double x = 0;
        if (c.visit < V) {
          x = zw(c.covariate, a) * w(b, c.visit);
          if (a != b) x += zw(c.covariate, b) * w(a, c.visit);
        } else {
          x = zw(c.covariate, a) * w.row(b).sum();
          if (a != b) x += zw(c.covariate, b) * w.row(a).sum();
        }
        g[r](j) += x;
      }
    }
    hq[r].noalias() = h_.lazyProduct(qr);
  }
  Eigen::MatrixXd& x = ws_un_;
  x.setZero(Un, Un);
  VisitMatrix mw(V, V);
  for (std::size_t i = 0; i < np; ++i) {
    const Eigen::MatrixXd& w = w_[i];
    mw = 0.5 * pats[i].n * w;
    mw -= wcw_[i];
    add_elementary_traces(pairs_, w, mw, 1.0, x);
  }
  ws_u_.resize(P);
  for (Eigen::Index s = 0; s < Un; ++s) {
    ws_u_.noalias() = h_.lazyProduct(g[static_cast<std::size_t>(s)]);
    for (Eigen::Index r = 0; r <= s; ++r) {
      const auto R = static_cast<std::size_t>(r), S = static_cast<std::size_t>(s);
      x(r, s) += 0.5 * trace_product(hq[R], hq[S]) + g[R].dot(ws_u_);
      x(s, r) = x(r, s);
    }
  }
  if (structure_ == CovarianceStructure::unstructured) {
    out = -x;
    return;
  }
  // Another structure: J' x J, plus the curvature of Sigma(theta) against the gradient.
  ws_kv2_.noalias() = x * jac_;
  out.noalias() = jac_.transpose() * ws_kv2_;
  for (Eigen::Index s = 0; s < Q; ++s)
    for (Eigen::Index r = 0; r <= s; ++r) {
      const double c = out(r, s) - 0.5 * trace_product(g_, second_derivative(at_, static_cast<std::size_t>(r), static_cast<std::size_t>(s)));
      out(r, s) = out(s, r) = -c;
    }
}

MmrmContrast Mmrm::contrast(std::span<const double> cv, DfMethod method) {
  MmrmContrast out;
  CELLTRIAL_ASSERT(cv.size() == p_);
  const auto P = static_cast<Eigen::Index>(p_), V = static_cast<Eigen::Index>(v_);
  const Eigen::Map<const Eigen::VectorXd> c(cv.data(), P);
  const Eigen::VectorXd b = h_ * c;
  const double var = c.dot(b);
  out.estimate = c.dot(beta_);
  if (!(var > 0) || !std::isfinite(out.estimate)) return out;
  double se2 = var;
  const auto pats = data_->patterns();
  const std::size_t np = pats.size();
  const double nobs = static_cast<double>(data_->observations()), nsub = static_cast<double>(data_->subjects());

  auto sensitivities = [&](std::vector<Eigen::MatrixXd>& k, Eigen::VectorXd& gr) {
    // k[i] = sum over pattern i's children of X_i b b' X_i'; gr_r = b' Q_r b = d var / d theta_r.
    k.resize(np);
    LoadMatrix n;
    for (std::size_t i = 0; i < np; ++i) {
      group_vector(b, pats[i].zz, n);
      expand(n, k[i]);
    }
    gr.setZero(static_cast<Eigen::Index>(q_));
    for (std::size_t r = 0; r < q_; ++r)
      for (std::size_t i = 0; i < np; ++i)
        gr(static_cast<Eigen::Index>(r)) += trace_product(w_[i] * d_[r] * w_[i], k[i]);
  };

  switch (method) {
    case DfMethod::residual: out.df = nobs - static_cast<double>(p_); break;
    case DfMethod::between_within: {
      // Columns of covariates loaded visit by visit count as one between-child column (the
      // covariate's main effect) and (visits - 1) within-child ones (its interaction with visit);
      // columns loaded on every visit are between-child. The contrast takes the within-child df
      // when it involves a visit after the first, and never more than the between-child df.
      std::vector<bool> by_visit(k_, false);
      double between = 0, within = 0;
      bool uses_later_visit = false;
      for (Eigen::Index j = 0; j < P; ++j) {
        const MmrmColumn col = cols_[static_cast<std::size_t>(j)];
        if (col.visit == V) between += 1;
        else {
          if (!by_visit[col.covariate]) between += 1;
          else within += 1;
          by_visit[col.covariate] = true;
          if (col.visit > 0 && c(j) != 0) uses_later_visit = true;
        }
      }
      const double df_b = nsub - between, df_w = nobs - nsub - within;
      out.df = uses_later_visit ? std::min(df_b, df_w) : df_b;
      break;
    }
    case DfMethod::satterthwaite: {
      if (closed_) {
        out.df = closed_form_df(cv, var);
        break;
      }
      if (!obs_ready_) {
        observed_information(obs_info_);
        obs_ready_ = true;
      }
      std::vector<Eigen::MatrixXd> k;
      Eigen::VectorXd gr;
      sensitivities(k, gr);
      Eigen::LDLT<Eigen::MatrixXd> ldlt(obs_info_);
      if (ldlt.info() != Eigen::Success) return out;
      const double denom = gr.dot(ldlt.solve(gr));
      out.df = denom > 0 ? 2 * var * var / denom : std::numeric_limits<double>::infinity();
      break;
    }
    case DfMethod::kenward_roger: {
      if (!info_ready_) {
        if (!evaluate(theta_, 2)) return out;
        info_ready_ = true;
      }
      std::vector<Eigen::MatrixXd> k;
      Eigen::VectorXd gr;
      sensitivities(k, gr);
      Eigen::LDLT<Eigen::MatrixXd> ldlt(info_);
      if (ldlt.info() != Eigen::Success) return out;
      kr_w_ = ldlt.solve(Eigen::MatrixXd::Identity(info_.rows(), info_.cols()));
      // Q_r b for every r, for the P_r Phi P_s term.
      std::vector<Eigen::VectorXd> qb(q_);
      std::vector<Eigen::MatrixXd> a(np);
      Eigen::MatrixXd qr;
      for (std::size_t r = 0; r < q_; ++r) {
        for (std::size_t i = 0; i < np; ++i) a[i] = w_[i] * d_[r] * w_[i];
        loaded_sum(a, qr);
        qb[r] = qr * b;
      }
      double adjust = 0;
      for (std::size_t r = 0; r < q_; ++r)
        for (std::size_t s = 0; s < q_; ++s) {
          const double wrs = kr_w_(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(s));
          if (wrs == 0) continue;
          double qrs = 0, rrs = 0;
          const Eigen::MatrixXd& d2 = second_derivative(at_, r, s);
          const bool linear = d2.isZero(0);
          for (std::size_t i = 0; i < np; ++i) {
            qrs += trace_product(w_[i] * d_[r] * w_[i] * d_[s] * w_[i], k[i]);
            if (!linear) rrs += trace_product(w_[i] * d2 * w_[i], k[i]);
          }
          adjust += wrs * (qrs - qb[r].dot(h_ * qb[s]) - 0.25 * rrs);
        }
      se2 = var + 2 * adjust;
      // Kenward & Roger (1997), one-dimensional contrast (l = 1): A1 = A2.
      const double l = 1;
      const double a2 = gr.dot(kr_w_ * gr) / (var * var), a1 = a2;
      if (!(a2 > 1e-14)) {
        out.df = std::numeric_limits<double>::infinity();
        break;
      }
      const double bb = (a1 + 6 * a2) / (2 * l);
      const double g = ((l + 1) * a1 - (l + 4) * a2) / ((l + 2) * a2);
      const double den = 3 * l + 2 * (1 - g);
      const double c1 = g / den, c2 = (l - g) / den, c3 = (l + 2 - g) / den;
      const double e_star = 1 / (1 - a2 / l);
      const double v_star = (2 / l) * (1 + c1 * bb) / ((1 - c2 * bb) * (1 - c2 * bb) * (1 - c3 * bb));
      const double rho = v_star / (2 * e_star * e_star);
      out.df = 4 + (l + 2) / (l * rho - 1);
      break;
    }
  }
  if (!(se2 > 0) || !std::isfinite(se2) || !(out.df > 0)) return out;
  out.se = std::sqrt(se2);
  out.t = out.estimate / out.se;
  out.ok = true;
  return out;
}

}  // namespace celltrial::stats
