#include <cmath>

#include <Eigen/Dense>
#include <boost/math/distributions/students_t.hpp>
#include <catch2/catch.hpp>

#include "celltrial/analysis/trial_analysis.hpp"
#include "celltrial/core/random.hpp"
#include "celltrial/model/model.hpp"
#include "test_support.hpp"

using namespace celltrial;

namespace {
// Reference fit by dense least squares on the full design matrix.
struct Fit {
  Eigen::VectorXd beta;
  Eigen::VectorXd se;
  long df;
};
Fit dense_fit(const TrialData& d, std::size_t arms, std::size_t control, bool strata) {
  std::vector<int> rows;
  for (std::size_t j = 0; j < d.size(); ++j)
    if (d.observed[j]) rows.push_back(static_cast<int>(j));
  std::vector<int> present(kGmfcsLevels, 0);
  for (int j : rows) present[d.stratum[static_cast<std::size_t>(j)]] = 1;
  std::vector<int> scols;
  bool first = true;
  for (int s = 0; s < kGmfcsLevels; ++s)
    if (strata && present[static_cast<std::size_t>(s)]) {
      if (first) first = false;
      else scols.push_back(s);
    }
  const int p = 1 + static_cast<int>(arms - 1) + static_cast<int>(scols.size()) + 1;
  Eigen::MatrixXd X = Eigen::MatrixXd::Zero(static_cast<long>(rows.size()), p);
  Eigen::VectorXd y(static_cast<long>(rows.size()));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const auto j = static_cast<std::size_t>(rows[r]);
    const long i = static_cast<long>(r);
    X(i, 0) = 1;
    int c = 1;
    for (std::size_t a = 0; a < arms; ++a)
      if (a != control) X(i, c++) = d.arm[j] == a;
    for (int s : scols) X(i, c++) = d.stratum[j] == s;
    X(i, c) = d.baseline[j];
    y(i) = d.change[j];
  }
  Eigen::MatrixXd XtX = X.transpose() * X;
  Eigen::VectorXd beta = XtX.ldlt().solve(X.transpose() * y);
  const long df = static_cast<long>(rows.size()) - p;
  const double s2 = (y - X * beta).squaredNorm() / static_cast<double>(df);
  Eigen::MatrixXd inv = XtX.inverse();
  Eigen::VectorXd se = (s2 * inv.diagonal().array()).sqrt();
  return {beta, se, df};
}

const char* kThreeArms = R"(schema_version: 1
name: three
population:
  outcome_model: cp
  gmfcs_mix: {I: 0.3, II: 0.3, III: 0.2, IV: 0.1, V: 0.1}
arms:
  - {name: low, role: active, allocation: 1, effect_by_month: {12: 1}}
  - {name: control, role: control, allocation: 1.5}
  - {name: high, role: active, allocation: 1, effect_by_month: {12: 2}}
design:
  sample_size: 157
  randomisation: simple
  visits_months: [12]
  dropout: {by_last_visit: 0.2}
analysis:
  primary_visit_months: 12
  adjust_for: [gmfcs]
simulation: {trials: 10, seed: 3}
)";
}  // namespace

TEST_CASE("analysis: cell-sum ANCOVA equals dense least squares", "[analysis]") {
  for (bool strata : {false, true}) {
    // All five levels, and only levels I and III (absent strata have no column).
    for (const std::string mix : {"{I: 0.3, II: 0.3, III: 0.2, IV: 0.1, V: 0.1}", "{I: 0.5, II: 0, III: 0.5, IV: 0, V: 0}"}) {
      Scenario s = load_scenario_text(kThreeArms, "three.yaml",
                                      {strata ? "analysis.adjust_for=[gmfcs]" : "analysis.adjust_for=[]",
                                       "population.gmfcs_mix=" + mix});
      const Model m(s);
      const TrialAnalysis an(s, {1.0, 2.0});
      TrialData d;
      TrialResult r;
      for (std::uint64_t trial = 0; trial < 20; ++trial) {
        m.simulate(s.simulation.seed, trial, d);
        an.analyse(d, r);
        const Fit f = dense_fit(d, 3, 1, strata);
        // Active arms 0 and 2 are columns 1 and 2 (control is arm 1).
        for (std::size_t c = 0; c < 2; ++c) {
          REQUIRE(r.comparisons[c].estimable);
          CHECK(r.comparisons[c].estimate == Approx(f.beta(static_cast<long>(c) + 1)).epsilon(1e-9));
          CHECK(r.comparisons[c].se == Approx(f.se(static_cast<long>(c) + 1)).epsilon(1e-9));
          CHECK(r.comparisons[c].df == static_cast<double>(f.df));
        }
      }
    }
  }
  // The two-arm unstratified fast path against the same reference.
  Scenario s = test::load_shipped("scenarios/validation/reference_ancova.yaml", {"design.dropout.by_last_visit=0.3"});
  const Model m(s);
  const TrialAnalysis an(s, {1.5});
  TrialData d;
  TrialResult r;
  for (std::uint64_t trial = 0; trial < 20; ++trial) {
    m.simulate(1, trial, d);
    an.analyse(d, r);
    const Fit f = dense_fit(d, 2, 0, false);
    CHECK(r.comparisons[0].estimate == Approx(f.beta(1)).epsilon(1e-9));
    CHECK(r.comparisons[0].se == Approx(f.se(1)).epsilon(1e-9));
    CHECK(r.analysed[0] + r.analysed[1] == f.df + 3);
  }
}

TEST_CASE("analysis: decisions use the right critical values", "[analysis]") {
  Scenario s = load_scenario_text(kThreeArms, "three.yaml");
  boost::math::students_t_distribution<double> t50(50);
  const double two_sided = boost::math::quantile(boost::math::complement(t50, 0.025));
  CHECK(TrialAnalysis(s, {1, 2}).test_critical(50) == Approx(two_sided));
  s.analysis.multiplicity = Multiplicity::bonferroni;
  CHECK(TrialAnalysis(s, {1, 2}).test_critical(50) == Approx(boost::math::quantile(boost::math::complement(t50, 0.0125))));
  s.analysis.multiplicity = Multiplicity::holm;
  const TrialAnalysis holm(s, {1, 2});
  CHECK(holm.test_critical(50, 0) == Approx(boost::math::quantile(boost::math::complement(t50, 0.0125))));
  CHECK(holm.test_critical(50, 1) == Approx(two_sided));
  s.analysis.sides = 1;
  s.analysis.multiplicity = Multiplicity::none;
  CHECK(TrialAnalysis(s, {1, 2}).test_critical(50) == Approx(boost::math::quantile(boost::math::complement(t50, 0.05))));
  CHECK(TrialAnalysis(s, {1, 2}).ci_critical(50) == Approx(two_sided));
}

TEST_CASE("analysis: an arm nobody analysed, or a design without full rank, is not estimable", "[analysis]") {
  Scenario s = load_scenario_text(kThreeArms, "three.yaml");
  const Model m(s);
  const TrialAnalysis an(s, {1, 2});
  TrialData d;
  TrialResult r;
  m.simulate(1, 0, d);
  an.analyse(d, r);
  REQUIRE(r.comparisons[0].estimable);
  REQUIRE(r.comparisons[1].estimable);

  // Nobody analysed in arm 2.
  TrialData empty_arm = d;
  for (std::size_t j = 0; j < d.size(); ++j)
    if (d.arm[j] == 2) empty_arm.observed[j] = 0;
  an.analyse(empty_arm, r);
  CHECK_FALSE(r.comparisons[0].estimable);
  CHECK_FALSE(r.comparisons[1].estimable);
  CHECK_FALSE(r.comparisons[1].reject);
  CHECK(r.analysed[2] == 0);
  CHECK(std::isnan(r.mean_change[2]));

  // Arm 2 is exactly stratum V: its effect cannot be told from the stratum's.
  TrialData confounded = d;
  for (std::size_t j = 0; j < d.size(); ++j) confounded.stratum[j] = static_cast<std::uint8_t>(d.arm[j] == 2 ? 4 : d.stratum[j] % 4);
  an.analyse(confounded, r);
  CHECK_FALSE(r.comparisons[0].estimable);
  CHECK_FALSE(r.comparisons[1].estimable);
  CHECK_FALSE(r.comparisons[1].reject);

  // A baseline constant within strata: the baseline slope cannot be told from the strata.
  TrialData flat = d;
  for (std::size_t j = 0; j < d.size(); ++j) flat.baseline[j] = 40 + 10.0 * d.stratum[j];
  an.analyse(flat, r);
  CHECK_FALSE(r.comparisons[0].estimable);
  CHECK_FALSE(r.comparisons[1].estimable);
}
