// The true effect of each estimand: what the intercurrent events and the shift after dropout add
// to the therapy's effect, against their closed forms under constant hazards.
#include <catch2/catch.hpp>

#include <cmath>

#include "celltrial/model/model.hpp"
#include "test_support.hpp"

using namespace celltrial;
using celltrial::test::load_shipped;

namespace {
// The longitudinal UCB trial with MCAR dropout (15 % by 12 months), botulinum toxin at 0.02 a
// month in placebo and 0.01 in the UCB arm, shifting the score by 0.8 from the injection on.
std::vector<std::string> base() {
  return {"design.dropout.per_point_of_progress=0", "design.dropout.by_last_visit=0.15",
          "design.intercurrent_events=[{name: botox, rate_per_month: [0.02, 0.01], shift_points: 0.8}]"};
}
}  // namespace

TEST_CASE("estimands: the treatment-policy truth adds the intercurrent events' expected shift, the hypothetical one does not",
          "[model][estimand]") {
  auto sets = base();
  const Scenario tp = load_shipped("scenarios/longitudinal_ucb.yaml", sets);
  sets.push_back("analysis.estimand=hypothetical");
  const Scenario hy = load_shipped("scenarios/longitudinal_ucb.yaml", sets);
  const Model mt(tp), mh(hy);
  // Without a shift after dropout the hypothetical target is the therapy's effect, exactly.
  CHECK(mh.truth().effect[0] == 1.42);
  CHECK(mh.truth().follow_up_trials == 0);
  // Events by month 12 at a constant hazard: 0.8 (P_ucb - P_placebo).
  const double expected = 0.8 * ((1 - std::exp(-0.12)) - (1 - std::exp(-0.24)));
  const double got = mt.truth().effect[0] - 1.42, se = mt.truth().effect_mc_se[0];
  INFO("shift " << got << " (MC SE " << se << ") against " << expected);
  CHECK(se > 0);
  CHECK(std::fabs(got - expected) < 4 * se);
}

TEST_CASE("estimands: both targets include the shift after dropout, E[(12 - D)+] x delta in the arm that has it",
          "[model][estimand]") {
  auto sets = base();
  sets.push_back("design.intercurrent_events=[]");
  sets.push_back("design.dropout.mnar_shift_per_month=[0, -0.3]");
  for (const char* estimand : {"treatment-policy", "hypothetical"}) {
    auto s2 = sets;
    s2.push_back(std::string("analysis.estimand=") + estimand);
    const Model m(load_shipped("scenarios/longitudinal_ucb.yaml", s2));
    // Dropout month D with hazard lambda, P(D < 12) = 0.15: E[(12 - D)+] = 12 - 0.15 / lambda.
    const double lambda = -std::log(0.85) / 12;
    const double expected = -0.3 * (12 - 0.15 / lambda);
    const double got = m.truth().effect[0] - 1.42, se = m.truth().effect_mc_se[0];
    INFO(estimand << ": shift " << got << " (MC SE " << se << ") against " << expected);
    CHECK(std::fabs(got - expected) < 4 * se);
  }
}

TEST_CASE("estimands: an MMRM estimate averaged over visits has the average effect as its truth", "[model][estimand]") {
  // Effects 1.36 at 6 months and 1.42 at 12 (the IPDMA's), no events and no shift after dropout.
  const Model m(load_shipped("scenarios/longitudinal_ucb.yaml",
                             {"design.intercurrent_events=[]", "analysis.method=mmrm", "analysis.mmrm.visits_months=[6, 12]"}));
  CHECK(m.truth().effect[0] == Approx((1.36 + 1.42) / 2).epsilon(1e-12));
  CHECK(m.truth().follow_up_trials == 0);
}
