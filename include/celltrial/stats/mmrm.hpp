#pragma once
// The mixed model for repeated measures (MMRM): generalised least squares for the fixed effects,
// restricted maximum likelihood (REML) for a structured covariance of each child's visits, and t
// tests of linear contrasts with Satterthwaite, Kenward-Roger, between-within or residual degrees
// of freedom.
//
// Every fixed-effect column is a child covariate z_c (an arm indicator, the baseline, a stratum
// indicator) loaded on one visit or on every visit: X_i[v, j] = a_j[v] z_i[c_j] with a_j the unit
// vector of a visit or the vector of ones. A child with assessed visits S then contributes, to
// every sum the likelihood and its derivatives need, products of small matrices of its pattern S
// (the inverse of Sigma_SS) with its pattern's sums Z'Z, Z'Y and Y'Y. MmrmData keeps those sums,
// one set per missingness pattern, in one pass over the children; the fit then iterates over the
// patterns alone (a handful with monotone dropout), never over the children. With monotone
// dropout, an unstructured covariance and the same covariates at every visit, the REML estimate,
// the fixed effects and the Satterthwaite df have a closed form (regressions of each visit on the
// covariates and the earlier visits) and the fit does not iterate.
//
// Parameters of each structure (the Kenward-Roger adjustment depends on them; the estimates and
// the Satterthwaite degrees of freedom do not): unstructured, the variances and covariances;
// cs, (tau, sigma^2) with Sigma = tau J + sigma^2 I; toeplitz, the covariance at each lag
// gamma_0..gamma_{V-1}; ar1, (sigma^2, rho); heterogeneous-ar1, (sigma_1^2..sigma_V^2, rho).
// The first three are linear in their parameters, as the Kenward-Roger paper assumes.
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include <Eigen/Dense>

#include "celltrial/stats/mmrm_types.hpp"

namespace celltrial::stats {

/// Largest number of visits the model takes.
inline constexpr std::size_t kMmrmMaxVisits = 32;

/// Number of covariance parameters of a structure over `visits` visits.
std::size_t covariance_parameters(CovarianceStructure s, std::size_t visits);

/// One fixed-effect column: covariate `covariate` loaded on visit `visit`, or on every visit when
/// `visit` equals the number of visits.
struct MmrmColumn {
  std::uint8_t visit = 0;
  std::uint8_t covariate = 0;
};

/// Sums of one data set by missingness pattern (the model's sufficient statistics).
class MmrmData {
 public:
  struct Pattern {
    std::uint32_t mask = 0;  ///< bit v: visit v assessed
    double n = 0;            ///< children with this pattern
    Eigen::MatrixXd zz;      ///< k x k: sum of z z'
    Eigen::MatrixXd zy;      ///< k x V: sum of z y' (zero in visits not assessed)
    Eigen::MatrixXd yy;      ///< V x V: sum of y y' (zero outside the pattern)
  };

  /// Empties the data for `visits` visits and `covariates` covariates per child.
  void reset(std::size_t visits, std::size_t covariates);
  /// Adds a child with covariates z[0..k), values y[v] for the visits in `mask` (others not read).
  /// A child with no assessed visit adds nothing.
  void add(const double* z, const double* y, std::uint32_t mask);
  /// Adds, in one step, children with the same pattern `mask` whose covariates are z except
  /// covariate `varying`, which varies, through their sums: the count `n`, sx and sxx of that
  /// covariate and its square, and for each visit v, sy[v] of y_v and sxy[v] of the covariate
  /// times y_v, and syy[u * V + w] (w <= u) of y_u y_w (entries outside `mask` not read). The
  /// same sums as adding the children one by one, summed in another order.
  void add_group(const double* z, std::size_t varying, double n, double sx, double sxx, const double* sy,
                 const double* sxy, const double* syy, std::uint32_t mask);

  std::size_t visits() const { return visits_; }
  std::size_t covariates() const { return k_; }
  std::size_t subjects() const { return subjects_; }
  std::size_t observations() const { return observations_; }
  std::span<const Pattern> patterns() const;

 private:
  std::size_t slot(std::uint32_t mask);
  std::size_t visits_ = 0, k_ = 0, subjects_ = 0, observations_ = 0, used_ = 0;
  std::size_t stride_ = 0;              ///< doubles per pattern in acc_: n, z z', z y', y y'
  std::vector<double> acc_;             ///< the sums, pattern after pattern (add() writes here)
  std::vector<std::uint32_t> masks_;    ///< each pattern's mask
  std::vector<std::int32_t> by_mask_;   ///< pattern index + 1 by mask (visits <= 12), 0: none yet
  mutable std::vector<Pattern> patterns_;  ///< acc_ as matrices, made by patterns() when stale
  mutable bool stale_ = false;
};

/// A linear contrast's estimate and t test.
struct MmrmContrast {
  bool ok = false;
  double estimate = 0;
  double se = 0;  ///< Kenward-Roger: from the adjusted covariance of the estimates
  double df = 0;
  double t = 0;
};

/// Fits the model to data; reusable (keeps its workspace between fits).
class Mmrm {
 public:
  /// REML fit with covariance `structure`. False when the design has not full rank, the
  /// iterations do not converge, or the covariance ends on the boundary (not positive definite).
  bool fit(const MmrmData& data, std::span<const MmrmColumn> columns, CovarianceStructure structure);

  /// The contrast c'beta (c has one entry per column) and its test, after a successful fit.
  MmrmContrast contrast(std::span<const double> c, DfMethod df);

  /// The REML at `theta`, its gradient and its expected information, for checks (the fit's
  /// results are those of `theta` afterwards). False where Sigma is not positive definite.
  bool evaluate_at(const Eigen::VectorXd& theta) { return evaluate(theta, 2); }
  const Eigen::VectorXd& gradient() const { return grad_; }
  const Eigen::MatrixXd& expected_information() const { return info_; }
  /// -d2 REML / d theta d theta' at the current parameters (Satterthwaite's covariance of theta).
  Eigen::MatrixXd observed_information() {
    Eigen::MatrixXd m;
    observed_information(m);
    return m;
  }

  CovarianceStructure structure() const { return structure_; }
  /// REML iterations of the fit; 0 when the estimate is in closed form (unstructured, monotone dropout).
  int iterations() const { return iterations_; }
  /// REML log-likelihood at the estimate, with its constant -(N - p)/2 log(2 pi).
  double log_likelihood() const { return loglik_; }
  const Eigen::MatrixXd& sigma() const { return sigma_; }           ///< V x V
  const Eigen::VectorXd& beta() const { return beta_; }             ///< one per column
  const Eigen::MatrixXd& beta_covariance() const { return h_; }     ///< (X' V^-1 X)^-1
  const Eigen::VectorXd& theta() const { return theta_; }           ///< the structure's parameters

 private:
  // The structure: Sigma(theta), its first and second derivatives, start values.
  std::size_t parameters(CovarianceStructure s) const;
  void build_sigma(const Eigen::VectorXd& theta, Eigen::MatrixXd& sigma) const;
  void build_derivatives(const Eigen::VectorXd& theta);
  const Eigen::MatrixXd& second_derivative(const Eigen::VectorXd& theta, std::size_t r, std::size_t s);
  void start_values(const Eigen::MatrixXd& s0, Eigen::VectorXd& theta) const;
  /// theta_ from least squares residuals (the start where the REML has no closed form).
  bool ols_start();
  /// The unstructured REML estimate, the fixed effects and their covariance in closed form
  /// (monotone dropout, the same covariates at every visit); false where it does not apply.
  bool closed_form_fit();
  /// The Satterthwaite df of the contrast c (variance var) after closed_form_fit().
  double closed_form_df(std::span<const double> c, double var) const;

  /// REML at theta: 0 likelihood only; 1 also the gradient; 2 also the expected information.
  /// False when Sigma is not positive definite or X'V^-1X is singular.
  bool evaluate(const Eigen::VectorXd& theta, int level);
  void pattern_products();  ///< per pattern: T, residual sums (after evaluate)
  /// A (V+1) x (V+1) matrix over the loadings (the visits, then every visit), on the stack.
  using LoadMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, 0, kMmrmMaxVisits + 1, kMmrmMaxVisits + 1>;
  /// L N L' for a (V+1) x (V+1) matrix N over the loadings.
  void expand(const LoadMatrix& n, Eigen::MatrixXd& out) const;
  /// sum over columns j,l of w_j w_l zz[c_j, c_l] grouped by loadings: (V+1) x (V+1).
  void group(const Eigen::MatrixXd& w, const Eigen::MatrixXd& zz, LoadMatrix& out) const;
  void group_vector(const Eigen::VectorXd& b, const Eigen::MatrixXd& zz, LoadMatrix& out) const;
  /// q += X' V^-1 A V^-1 X of one pattern, for its V x V matrix a = W A W and its z z' sums.
  void add_loaded(const Eigen::Ref<const Eigen::MatrixXd>& a, const Eigen::MatrixXd& zz, Eigen::MatrixXd& q) const;
  /// Q = X' V^-1 A V^-1 X for the V x V matrices a_p = W_p A W_p of each pattern.
  void loaded_sum(const std::vector<Eigen::MatrixXd>& a, Eigen::MatrixXd& q) const;
  /// The gradient and the scoring matrix from the matrix derivative g_ and the patterns' W,
  /// through the unstructured parameters (after build_derivatives).
  void score();
  /// The observed information -d2 REML / d theta d theta' at the estimate.
  void observed_information(Eigen::MatrixXd& out);

  const MmrmData* data_ = nullptr;
  std::vector<MmrmColumn> cols_;
  CovarianceStructure structure_ = CovarianceStructure::unstructured;
  std::size_t v_ = 0, k_ = 0, p_ = 0, q_ = 0;
  int iterations_ = 0;
  double loglik_ = 0;
  Eigen::VectorXd theta_, beta_, grad_;
  Eigen::VectorXd at_;  ///< the parameters of the last evaluate()
  Eigen::MatrixXd sigma_, h_, info_, xtwx_, b_;  // b_: k x V coefficients of each covariate at each visit
  Eigen::VectorXd xtwy_;
  std::vector<Eigen::MatrixXd> w_;    ///< per pattern: inverse of Sigma on its visits, embedded V x V
  std::vector<double> logdet_;        ///< per pattern: log det Sigma_SS
  std::vector<Eigen::MatrixXd> rr_;   ///< per pattern: sum of residual products r r' (V x V)
  std::vector<Eigen::MatrixXd> zr_;   ///< per pattern: sum of z r' (k x V)
  std::vector<Eigen::MatrixXd> t_;    ///< per pattern: sum over children of X_i H X_i' (V x V)
  std::vector<Eigen::MatrixXd> d_;    ///< dSigma / dtheta_r
  Eigen::MatrixXd d2_;                ///< workspace of second_derivative
  Eigen::MatrixXd g_;                 ///< V x V: d REML / d Sigma = -G / 2
  Eigen::MatrixXd obs_info_;          ///< observed information (from the last Newton step, or the first contrast)
  bool obs_ready_ = false;
  Eigen::MatrixXd score_info_;        ///< the scoring matrix (information without the fixed effects' terms)
  std::vector<Eigen::MatrixXd> ws_zrw_;  ///< workspace of observed_information(): per pattern, sum of z (W r)'
  std::vector<Eigen::MatrixXd> ws_hq_;
  std::vector<Eigen::VectorXd> ws_g_;
  Eigen::MatrixXd ws_q_;
  bool info_ready_ = false;           ///< info_ holds the REML expected information at the estimate
  // The unstructured parameters Sigma_uv (v <= u, in build_sigma's order) through which every
  // structure's derivatives are taken: jac_(r, s) = d Sigma_{u_r v_r} / d theta_s.
  std::vector<std::array<std::uint8_t, 2>> pairs_;
  Eigen::MatrixXd jac_;
  std::vector<Eigen::MatrixXd> wcw_;  ///< per pattern: W (T + R) W
  Eigen::LLT<Eigen::MatrixXd> lx_;    ///< Cholesky factor of X'V^-1X
  Eigen::MatrixXd ws_kv_, ws_kv2_, ws_un_, ws_li_;  // workspaces
  Eigen::VectorXd ws_u_;
  Eigen::MatrixXd kr_w_;              ///< inverse expected information (Kenward-Roger)
  // The closed form (closed_form_fit): per visit t, the regression of y_t on the covariates and
  // the earlier visits over the children assessed at t.
  static constexpr Eigen::Index kClosedFormMax = 32;  ///< covariates + visits it takes
  bool closed_ = false;                   ///< the results are the closed form's (until an evaluate())
  std::vector<std::uint8_t> cf_cov_;      ///< the covariates of the columns
  std::vector<int> cf_pos_;               ///< per column: its covariate's place in cf_cov_
  Eigen::MatrixXd cf_l_;                  ///< V x V: (I - Phi)^-1, Phi's row t the coefficients of the earlier visits
  std::vector<Eigen::MatrixXd> cf_ginv_;  ///< per visit: (Z_t'Z_t)^-1
  std::vector<Eigen::MatrixXd> cf_sinv_;  ///< per visit: inverse cross-products of the earlier visits after z (t x t)
  Eigen::VectorXd cf_s2_, cf_dof_;        ///< per visit: residual variance, and children minus covariates
};

}  // namespace celltrial::stats
