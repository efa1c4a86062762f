// The mixed model for repeated measures: exact identities (complete data reduce it to per-visit
// least squares), the analytic REML gradient and observed information against finite
// differences, and the properties of each structure and df method.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "celltrial/core/random.hpp"
#include "celltrial/stats/mmrm.hpp"

using namespace celltrial;
using stats::CovarianceStructure;
using stats::DfMethod;
using stats::Mmrm;
using stats::MmrmColumn;
using stats::MmrmData;

namespace {

constexpr CovarianceStructure kAll[] = {CovarianceStructure::unstructured, CovarianceStructure::ar1,
                                        CovarianceStructure::heterogeneous_ar1, CovarianceStructure::cs,
                                        CovarianceStructure::toeplitz};

// Children of two arms with a baseline, three visits with correlated errors (SDs 3, 4, 5), an arm
// effect growing over visits; monotone dropout (share `drop` lost after each visit) and
// intermittent missed visits (share `missed`). z = (control, treated, baseline).
struct Simulated {
  std::vector<std::array<double, 3>> z;
  std::vector<std::array<double, 3>> y;
  std::vector<std::uint32_t> mask;
};

Simulated simulate(std::size_t n, double drop, double missed, std::uint64_t seed) {
  Engine g = make_stream(seed, 0, Purpose::outcomes);
  Simulated s;
  const double sd[3] = {3, 4, 5};
  const double corr[3][3] = {{1, 0.6, 0.4}, {0.6, 1, 0.7}, {0.4, 0.7, 1}};
  // Cholesky of the covariance.
  Eigen::Matrix3d c;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) c(i, j) = corr[i][j] * sd[i] * sd[j];
  const Eigen::Matrix3d l = c.llt().matrixL();
  for (std::size_t i = 0; i < n; ++i) {
    const bool treated = i % 2 == 1;
    const double x = 50 + 10 * std_normal(g);
    Eigen::Vector3d e(std_normal(g), std_normal(g), std_normal(g));
    e = l * e;
    std::array<double, 3> y{};
    const double effect[3] = {0.5, 1.0, 2.0};
    for (int v = 0; v < 3; ++v) y[v] = 2 + v + 0.1 * (x - 50) + (treated ? effect[v] : 0.0) + e(v);
    std::uint32_t mask = 0;
    for (int v = 0; v < 3; ++v) {
      if (v > 0 && uniform01(g) < drop) break;
      if (uniform01(g) >= missed) mask |= 1u << v;
    }
    s.z.push_back({treated ? 0.0 : 1.0, treated ? 1.0 : 0.0, x});
    s.y.push_back(y);
    s.mask.push_back(mask);
  }
  return s;
}

// Arm means and baseline slope at every visit: columns (visit v, covariate c), visit-major.
std::vector<MmrmColumn> by_visit_columns(std::size_t visits, std::size_t k) {
  std::vector<MmrmColumn> cols;
  for (std::size_t v = 0; v < visits; ++v)
    for (std::size_t c = 0; c < k; ++c) cols.push_back({static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(c)});
  return cols;
}

MmrmData data_of(const Simulated& s) {
  MmrmData d;
  d.reset(3, 3);
  for (std::size_t i = 0; i < s.z.size(); ++i) d.add(s.z[i].data(), s.y[i].data(), s.mask[i]);
  return d;
}

// Treated - control at the last visit.
std::vector<double> last_visit_contrast() {
  std::vector<double> c(9, 0.0);
  c[2 * 3 + 1] = 1;
  c[2 * 3 + 0] = -1;
  return c;
}

}  // namespace

TEST_CASE("mmrm: with complete data and unstructured covariance the estimate and SE are the per-visit ANCOVA's",
          "[stats][mmrm]") {
  const Simulated s = simulate(120, 0.0, 0.0, 11);
  const MmrmData d = data_of(s);
  const auto cols = by_visit_columns(3, 3);
  Mmrm m;
  REQUIRE(m.fit(d, cols, CovarianceStructure::unstructured));
  const auto r = m.contrast(last_visit_contrast(), DfMethod::residual);
  REQUIRE(r.ok);
  // Least squares at the last visit alone: y ~ control + treated + baseline.
  const auto n = static_cast<Eigen::Index>(s.z.size());
  Eigen::MatrixXd x(n, 3);
  Eigen::VectorXd y(n);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (int c = 0; c < 3; ++c) x(i, c) = s.z[static_cast<std::size_t>(i)][c];
    y(i) = s.y[static_cast<std::size_t>(i)][2];
  }
  const Eigen::MatrixXd xtx = x.transpose() * x;
  const Eigen::VectorXd beta = xtx.ldlt().solve(x.transpose() * y);
  const double s2 = (y - x * beta).squaredNorm() / static_cast<double>(n - 3);
  const Eigen::MatrixXd inv = xtx.inverse();
  const double est = beta(1) - beta(0);
  const double se = std::sqrt(s2 * (inv(1, 1) + inv(0, 0) - 2 * inv(0, 1)));
  CHECK(r.estimate == Approx(est).epsilon(1e-10));
  CHECK(r.se == Approx(se).epsilon(1e-10));
  // The REML covariance is the residual cross-products over n - k.
  CHECK(m.sigma()(2, 2) == Approx(s2).epsilon(1e-10));
}

TEST_CASE("mmrm: children added by group sums give the sums of adding them one by one", "[stats][mmrm]") {
  const Simulated s = simulate(90, 0.2, 0.1, 7);
  const MmrmData one = data_of(s);
  // Groups by (arm, pattern): z = (control, treated, baseline), the baseline varying.
  MmrmData grouped;
  grouped.reset(3, 3);
  for (std::uint32_t mask = 1; mask < 8; ++mask)
    for (int treated = 0; treated < 2; ++treated) {
      double n = 0, sx = 0, sxx = 0, sy[3] = {}, sxy[3] = {}, syy[9] = {};
      for (std::size_t i = 0; i < s.z.size(); ++i) {
        if (s.mask[i] != mask || (s.z[i][1] == 1) != (treated == 1)) continue;
        const double x = s.z[i][2];
        n += 1;
        sx += x;
        sxx += x * x;
        for (int v = 0; v < 3; ++v) {
          const double y = mask >> v & 1u ? s.y[i][static_cast<std::size_t>(v)] : 0.0;
          sy[v] += y;
          sxy[v] += x * y;
          for (int w = 0; w <= v; ++w) syy[v * 3 + w] += y * (mask >> w & 1u ? s.y[i][static_cast<std::size_t>(w)] : 0.0);
        }
      }
      const double z[3] = {treated ? 0.0 : 1.0, treated ? 1.0 : 0.0, 0.0};
      grouped.add_group(z, 2, n, sx, sxx, sy, sxy, syy, mask);
    }
  CHECK(grouped.subjects() == one.subjects());
  CHECK(grouped.observations() == one.observations());
  REQUIRE(grouped.patterns().size() == one.patterns().size());
  for (const auto& p : one.patterns()) {
    const MmrmData::Pattern* q = nullptr;
    for (const auto& r : grouped.patterns())
      if (r.mask == p.mask) q = &r;
    REQUIRE(q != nullptr);
    CHECK(q->n == p.n);
    CHECK((q->zz - p.zz).cwiseAbs().maxCoeff() <= 1e-9 * p.zz.cwiseAbs().maxCoeff());
    CHECK((q->zy - p.zy).cwiseAbs().maxCoeff() <= 1e-9 * (1 + p.zy.cwiseAbs().maxCoeff()));
    CHECK((q->yy - p.yy).cwiseAbs().maxCoeff() <= 1e-9 * (1 + p.yy.cwiseAbs().maxCoeff()));
  }
}

TEST_CASE("mmrm: under monotone dropout the unstructured fit in closed form is the REML optimum, with its SE and df",
          "[stats][mmrm]") {
  // Monotone dropout, no missed visits: the closed form applies and the fit does not iterate.
  const Simulated s = simulate(200, 0.15, 0.0, 41);
  const MmrmData d = data_of(s);
  REQUIRE(d.patterns().size() >= 2);
  const auto cols = by_visit_columns(3, 3);
  Mmrm m;
  REQUIRE(m.fit(d, cols, CovarianceStructure::unstructured));
  CHECK(m.iterations() == 0);
  const double ll = m.log_likelihood();
  std::vector<double> avg(9, 0.0);  // treated - control averaged over the visits
  for (int v = 0; v < 3; ++v) {
    avg[static_cast<std::size_t>(v * 3 + 1)] = 1.0 / 3;
    avg[static_cast<std::size_t>(v * 3)] = -1.0 / 3;
  }
  const auto a = m.contrast(last_visit_contrast(), DfMethod::satterthwaite);
  const auto b = m.contrast(avg, DfMethod::satterthwaite);
  REQUIRE(a.ok);
  REQUIRE(b.ok);
  // The same parameters through the general path (per-pattern products, observed information).
  REQUIRE(m.evaluate_at(m.theta()));
  CHECK(m.gradient().dot(m.expected_information().ldlt().solve(m.gradient())) < 1e-14);
  CHECK(m.log_likelihood() == Approx(ll).epsilon(1e-12));
  const auto a2 = m.contrast(last_visit_contrast(), DfMethod::satterthwaite);
  const auto b2 = m.contrast(avg, DfMethod::satterthwaite);
  CHECK(a.estimate == Approx(a2.estimate).epsilon(1e-10));
  CHECK(a.se == Approx(a2.se).epsilon(1e-10));
  CHECK(a.df == Approx(a2.df).epsilon(1e-8));
  CHECK(b.estimate == Approx(b2.estimate).epsilon(1e-10));
  CHECK(b.se == Approx(b2.se).epsilon(1e-10));
  CHECK(b.df == Approx(b2.df).epsilon(1e-8));
  // Intermittent missed visits: no closed form; the iterations reach the same kind of optimum.
  const MmrmData d2 = data_of(simulate(200, 0.15, 0.05, 41));
  REQUIRE(m.fit(d2, cols, CovarianceStructure::unstructured));
  CHECK(m.iterations() > 0);
}

TEST_CASE("mmrm: the analytic REML gradient and observed information match finite differences", "[stats][mmrm]") {
  const Simulated s = simulate(80, 0.15, 0.05, 23);
  const MmrmData d = data_of(s);
  const auto cols = by_visit_columns(3, 3);
  for (CovarianceStructure cs : kAll) {
    INFO("structure " << static_cast<int>(cs));
    Mmrm m;
    REQUIRE(m.fit(d, cols, cs));
    const Eigen::VectorXd theta = m.theta();
    // Gradient at a point off the optimum (the optimum's gradient is 0): theta scaled.
    Eigen::VectorXd off = theta;
    for (Eigen::Index r = 0; r < off.size(); ++r) off(r) *= r % 2 ? 0.97 : 1.04;
    REQUIRE(m.evaluate_at(off));
    const Eigen::VectorXd grad = m.gradient();
    const Eigen::MatrixXd obs = m.observed_information();
    for (Eigen::Index r = 0; r < off.size(); ++r) {
      const double h = 1e-5 * std::max(1.0, std::fabs(off(r)));
      Eigen::VectorXd up = off, down = off;
      up(r) += h;
      down(r) -= h;
      REQUIRE(m.evaluate_at(up));
      const double lu = m.log_likelihood();
      const Eigen::VectorXd gu = m.gradient();
      REQUIRE(m.evaluate_at(down));
      const double ld = m.log_likelihood();
      const Eigen::VectorXd gd = m.gradient();
      INFO("parameter " << r);
      CHECK(grad(r) == Approx((lu - ld) / (2 * h)).epsilon(1e-5).margin(1e-6));
      for (Eigen::Index c = 0; c < off.size(); ++c)
        CHECK(-obs(c, r) == Approx((gu(c) - gd(c)) / (2 * h)).epsilon(1e-5).margin(1e-5));
    }
  }
}

TEST_CASE("mmrm: every structure converges to a stationary point and ranks the REML as nested structures must",
          "[stats][mmrm]") {
  const Simulated s = simulate(150, 0.2, 0.05, 31);
  const MmrmData d = data_of(s);
  const auto cols = by_visit_columns(3, 3);
  double ll[5] = {};
  for (int i = 0; i < 5; ++i) {
    Mmrm m;
    REQUIRE(m.fit(d, cols, kAll[i]));
    ll[i] = m.log_likelihood();
    REQUIRE(m.evaluate_at(m.theta()));
    // The Newton decrement grad' I^-1 grad: twice the REML still to gain.
    CHECK(m.gradient().dot(m.expected_information().ldlt().solve(m.gradient())) < 1e-9);
    const auto r = m.contrast(last_visit_contrast(), DfMethod::satterthwaite);
    CHECK(r.ok);
    CHECK(r.df > 10);
    CHECK(r.df < static_cast<double>(d.observations()));
  }
  // Unstructured nests every other; heterogeneous AR(1) nests AR(1); Toeplitz nests AR(1) and CS.
  for (int i = 1; i < 5; ++i) CHECK(ll[0] >= ll[i] - 1e-8);
  CHECK(ll[2] >= ll[1] - 1e-8);
  CHECK(ll[4] >= ll[1] - 1e-8);
  CHECK(ll[4] >= ll[3] - 1e-8);
}

TEST_CASE("mmrm: residual and between-within degrees of freedom count observations, children and columns",
          "[stats][mmrm]") {
  const Simulated s = simulate(100, 0.1, 0.0, 5);
  const MmrmData d = data_of(s);
  const auto cols = by_visit_columns(3, 3);
  Mmrm m;
  REQUIRE(m.fit(d, cols, CovarianceStructure::unstructured));
  const double nobs = static_cast<double>(d.observations()), nsub = static_cast<double>(d.subjects());
  CHECK(m.contrast(last_visit_contrast(), DfMethod::residual).df == nobs - 9);
  // Between: 3 covariates; within: 2 x 3 visit interactions.
  CHECK(m.contrast(last_visit_contrast(), DfMethod::between_within).df == std::min(nsub - 3, nobs - nsub - 6));
  std::vector<double> first(9, 0.0);
  first[1] = 1;
  first[0] = -1;
  CHECK(m.contrast(first, DfMethod::between_within).df == nsub - 3);
}

TEST_CASE("mmrm: a covariance the data cannot estimate fails the fit, and a simpler structure then fits", "[stats][mmrm]") {
  // Every child assessed at visits 2 and 3; only three at visit 1, as many as its columns: the
  // first visit's residual variance cannot be estimated by the unstructured model.
  Simulated s = simulate(60, 0.0, 0.0, 41);
  for (std::size_t i = 3; i < s.mask.size(); ++i) s.mask[i] &= ~1u;
  s.z[1] = {0.0, 1.0, 40.0};
  const MmrmData d = data_of(s);
  const auto cols = by_visit_columns(3, 3);
  Mmrm m;
  CHECK_FALSE(m.fit(d, cols, CovarianceStructure::unstructured));
  REQUIRE(m.fit(d, cols, CovarianceStructure::toeplitz));
  CHECK(m.contrast(last_visit_contrast(), DfMethod::satterthwaite).ok);
}
