// The generic endpoint over every visit (model/generic_visits.hpp): the primary visit's data are
// those of the outcome model, bit for bit, whether or not the children are followed; the residuals'
// covariance over visits is D R D; dropout is monotone with the constant hazard, depends on the
// previous change under dropout on progress, and the shift after dropout and missed visits act as
// declared. Statistical checks state their tolerance from the Monte Carlo SE.
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "celltrial/design/summary.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/model/model.hpp"
#include "test_support.hpp"

using namespace celltrial;

namespace {
constexpr auto kObserved = static_cast<std::uint8_t>(VisitStatus::observed);
constexpr auto kDropped = static_cast<std::uint8_t>(VisitStatus::dropped_out);
constexpr auto kMissed = static_cast<std::uint8_t>(VisitStatus::missed);

// The reference ANCOVA scenario (generic endpoint) with these overrides.
Scenario generic(const std::vector<std::string>& set) {
  return test::load_shipped("scenarios/validation/reference_ancova.yaml", set);
}

// Four visits with the primary third, so that visits on both sides are drawn given it.
std::vector<std::string> four_visits(std::vector<std::string> set) {
  set.insert(set.begin(), {"design.visits_months=[3, 6, 12, 18]", "population.generic.intercept_by_visit=[6, 7, 9, 8]",
                           "population.generic.residual_sd_by_visit=[3, 4, 5, 6]"});
  return set;
}

// The primary visit's data of two models agree bit for bit over `trials` trials.
void same_primary(const Model& a, const Model& b, std::uint64_t trials) {
  TrialData x, y;
  const std::uint64_t seed = a.scenario().simulation.seed;
  for (std::uint64_t t = 0; t < trials; ++t) {
    a.simulate(seed, t, x);
    b.simulate(seed, t, y);
    REQUIRE(x.size() == y.size());
    CHECK(x.arm == y.arm);
    CHECK(x.baseline == y.baseline);
    CHECK(x.change == y.change);
    CHECK(x.observed == y.observed);
  }
}

// Two vectors hold the same values, bit for bit, NaN where the other has NaN.
bool same(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k)
    if (!(a[k] == b[k] || (std::isnan(a[k]) && std::isnan(b[k])))) return false;
  return true;
}

std::uint64_t trials(std::uint64_t quick, std::uint64_t full) { return test::full_mode() ? full : quick; }
}  // namespace

TEST_CASE("generic visits: the primary visit's data are bit for bit the same whether or not the visits are followed",
          "[model][generic_visits]") {
  // The shipped scenario as it is, and with visits on both sides of the primary one, values by
  // visit (the primary's equal to the scalars) and correlated residuals.
  for (const auto& set : std::vector<std::vector<std::string>>{
           {},
           {"design.dropout.by_last_visit=0.2"},
           {"design.visits_months=[3, 6, 12]", "population.generic.intercept_by_visit=[1, 2, 5]",
            "population.generic.residual_sd_by_visit=[2, 3, 4]", "population.generic.correlation=0.7",
            "design.dropout.by_last_visit=0.2"},
           {"design.visits_months=[3, 12, 18]", "population.generic.correlation_structure=cs",
            "population.generic.correlation=0.5", "design.dropout.by_last_visit=0.3"}}) {
    INFO((set.empty() ? std::string("as shipped") : set.front()));
    const Scenario s = generic(set);
    const Model fast(s), every(s, PreRunSizes{}, true);
    CHECK(fast.follow_up() == nullptr);
    REQUIRE(every.follow_up() != nullptr);
    REQUIRE(every.follow_up()->generic() != nullptr);
    same_primary(fast, every, 5);
  }
  // Visits around the primary one change none of its data: the same as with the primary visit alone
  // (the dropout hazard is set by the last visit, here the primary in both).
  const Scenario one = generic({"design.dropout.by_last_visit=0.2"});
  const Scenario three = generic({"design.visits_months=[3, 6, 12]", "population.generic.intercept_by_visit=[0, 1, 5]",
                                  "population.generic.residual_sd_by_visit=[9, 9, 4]", "population.generic.correlation=0.9",
                                  "design.dropout.by_last_visit=0.2"});
  same_primary(Model(one), Model(three, PreRunSizes{}, true), 5);
}

TEST_CASE("generic visits: each value is the visit's mean plus its residual, and the arrays agree", "[model][generic_visits]") {
  const Scenario s = generic(four_visits({"population.generic.correlation=0.6", "design.dropout.by_last_visit=0.3",
                                          "arms.treated.effect_by_month={3: 0.5, 6: 1, 12: 1.5, 18: 1.5}",
                                          "design.sham_effect_by_month={6: 0.2}"}));
  const Model m(s, PreRunSizes{}, true);
  const GenericVisits& g = *m.follow_up()->generic();
  REQUIRE(g.visits() == 4);
  REQUIRE(g.primary() == 2);
  TrialData d;
  std::size_t dropped = 0;
  for (std::uint64_t t = 0; t < 20; ++t) {
    m.simulate(s.simulation.seed, t, d);
    REQUIRE(d.visits == 4);
    for (std::size_t j = 0; j < d.size(); ++j) {
      const double* vc = &d.visit_change[j * 4];
      const std::uint8_t* st = &d.status[j * 4];
      // The primary visit: the outcome model's draw, its mean plus residual_sd x the residual kept.
      CHECK(vc[2] == d.change[j]);
      CHECK(d.baseline[j] + vc[2] ==
            Approx(g.mean(2, d.arm[j], d.baseline[j], 1.0) + 5 * d.latent[j].residual).margin(1e-9));
      for (std::size_t v = 0; v < 4; ++v) CHECK(d.hypothetical[j * 4 + v] == vc[v]);
      // Monotone: dropped out exactly from the dropout month on, and nothing observed after it.
      const double out = d.dropout_month[j];
      for (std::size_t v = 0; v < 4; ++v) CHECK((st[v] == kDropped) == (s.design.visits_months[v] >= out));
      for (std::size_t v = 1; v < 4; ++v)
        if (st[v - 1] == kDropped) CHECK(st[v] == kDropped);
      CHECK((st[2] == kObserved) == (d.observed[j] != 0));
      if (!std::isnan(out)) {
        ++dropped;
        CHECK(out > 0);
        CHECK(out <= 18);
      }
      CHECK(std::isnan(d.event_month[j]));
      CHECK(d.event_kind[j] == kNoEvent);
      if (d.arm[j] == 1) CHECK(d.treated_month[j] == 0);
      else CHECK(std::isnan(d.treated_month[j]));
    }
  }
  CHECK(dropped > 0);
}

TEST_CASE("generic visits: the common case's loop gives the general loop's arrays, bit for bit", "[model][generic_visits]") {
  // Without dropout on progress, missed visits or a shift after dropout, and with 2 to 4 visits,
  // run() takes a loop of its own; run_general() is the loop for every case. The model's trial
  // (run() applied; in these cases it leaves the primary visit's change and `observed` as the
  // outcome model set them) is run again through run_general(), on a copy.
  for (const auto& set : std::vector<std::vector<std::string>>{
           {"design.visits_months=[6, 12]", "population.generic.intercept_by_visit=[7, 9]",
            "population.generic.residual_sd_by_visit=[4, 5]", "population.generic.correlation=0.5",
            "design.dropout.by_last_visit=0.2"},
           {"design.visits_months=[3, 6, 12]", "population.generic.intercept_by_visit=[1, 2, 5]",
            "population.generic.residual_sd_by_visit=[2, 3, 4]", "population.generic.correlation=0.7",
            "design.dropout.by_last_visit=0.3", "arms.treated.effect_by_month={3: 0.5, 6: 1, 12: 1.5}",
            "design.sham_effect_by_month={6: 0.2}"},
           {"design.visits_months=[3, 6, 12]", "population.generic.intercept_by_visit=[1, 2, 5]",
            "population.generic.residual_sd_by_visit=[2, 3, 4]", "design.dropout.by_last_visit=0"},
           four_visits({"population.generic.correlation=0.6", "design.dropout.by_last_visit=0.4"}),
           {"design.visits_months=[3, 12, 18]", "population.generic.correlation_structure=cs",
            "population.generic.correlation=0.5", "design.dropout.by_last_visit=0.5"}}) {
    INFO(set.front());
    const Scenario s = generic(set);
    const Model m(s, PreRunSizes{}, true);
    REQUIRE(m.follow_up() != nullptr);
    const GenericVisits* g = m.follow_up()->generic();
    REQUIRE(g != nullptr);
    TrialData x, y;
    std::size_t dropped = 0;
    for (std::uint64_t t = 0; t < trials(10, 200); ++t) {
      m.simulate(s.simulation.seed, t, x);
      y = x;
      g->run_general(s.simulation.seed, t, y);
      CHECK(same(x.visit_change, y.visit_change));
      CHECK(same(x.hypothetical, y.hypothetical));
      CHECK(same(x.dropout_month, y.dropout_month));
      CHECK(same(x.event_month, y.event_month));
      CHECK(same(x.treated_month, y.treated_month));
      CHECK(x.status == y.status);
      CHECK(x.event_kind == y.event_kind);
      CHECK(x.change == y.change);
      CHECK(x.observed == y.observed);
      for (double month : x.dropout_month) dropped += !std::isnan(month);
    }
    if (s.design.dropout_by_last_visit > 0) CHECK(dropped > 0);
  }
}

TEST_CASE("generic visits: the residuals' covariance over visits is D R D within Monte Carlo error",
          "[model][generic_visits][statistical]") {
  // The residual of child j at visit v is its value minus the visit's mean (known), so the
  // covariance estimate is the mean of e_v e_w over N children. For normal residuals its variance
  // is (S_vv S_ww + S_vw^2) / N: tolerance 4 SE per entry (10 entries per structure).
  for (const auto& set : std::vector<std::vector<std::string>>{
           four_visits({"population.generic.correlation=0.6"}),
           four_visits({"population.generic.correlation=-0.3", "population.generic.correlation_structure=cs"}),
           four_visits({"population.generic.correlation_matrix=[[1, 0.5, 0.3, 0.1], [0.5, 1, 0.6, 0.2], "
                        "[0.3, 0.6, 1, 0.7], [0.1, 0.2, 0.7, 1]]"})}) {
    INFO(set.back());
    const Scenario s = generic(set);
    const Model m(s, PreRunSizes{}, true);
    const GenericVisits& g = *m.follow_up()->generic();
    const std::vector<double>& S = g.covariance();
    const std::size_t V = 4;
    std::vector<double> sum(V * V, 0.0);
    double n = 0;
    TrialData d;
    for (std::uint64_t t = 0; t < trials(200, 2000); ++t) {
      m.simulate(s.simulation.seed, t, d);
      for (std::size_t j = 0; j < d.size(); ++j) {
        std::array<double, 4> e{};
        for (std::size_t v = 0; v < V; ++v)
          e[v] = d.baseline[j] + d.visit_change[j * V + v] - g.mean(v, d.arm[j], d.baseline[j], d.effect_scale[d.arm[j]]);
        for (std::size_t v = 0; v < V; ++v)
          for (std::size_t w = 0; w < V; ++w) sum[v * V + w] += e[v] * e[w];
        n += 1;
      }
    }
    // D R D itself: the SDs [3, 4, 5, 6] on the diagonal.
    for (std::size_t v = 0; v < V; ++v) CHECK(S[v * V + v] == Approx(std::pow(3.0 + static_cast<double>(v), 2)));
    for (std::size_t v = 0; v < V; ++v)
      for (std::size_t w = v; w < V; ++w) {
        const double expect = S[v * V + w], got = sum[v * V + w] / n;
        const double se = std::sqrt((S[v * V + v] * S[w * V + w] + expect * expect) / n);
        INFO("visits " << v << ", " << w << ": " << got << " vs " << expect << " (SE " << se << ")");
        CHECK(std::fabs(got - expect) < 4 * se);
      }
  }
}

TEST_CASE("generic visits: the share lost by each visit is 1 - (1 - p)^(t / T) within Monte Carlo error",
          "[model][generic_visits][statistical]") {
  // P(lost by the last visit) = p = 0.25 with a constant hazard; by month t, 1 - (1 - p)^(t/T).
  // Children are independent: binomial SE, tolerance 4 SE.
  const Scenario s = generic(four_visits({"design.dropout.by_last_visit=0.25"}));
  const Model m(s, PreRunSizes{}, true);
  const auto& months = s.design.visits_months;
  std::vector<double> lost(months.size(), 0.0);
  double n = 0;
  TrialData d;
  for (std::uint64_t t = 0; t < trials(200, 2000); ++t) {
    m.simulate(s.simulation.seed, t, d);
    for (std::size_t j = 0; j < d.size(); ++j) {
      n += 1;
      for (std::size_t v = 0; v < months.size(); ++v) lost[v] += d.status[j * months.size() + v] == kDropped;
    }
  }
  for (std::size_t v = 0; v < months.size(); ++v) {
    const double expect = 1 - std::pow(0.75, months[v] / months.back());
    const double se = std::sqrt(expect * (1 - expect) / n);
    INFO("month " << months[v] << ": " << lost[v] / n << " vs " << expect << " (SE " << se << ")");
    CHECK(std::fabs(lost[v] / n - expect) < 4 * se);
  }
}

TEST_CASE("generic visits: under dropout on progress the loss after a visit depends on the change there, with the sign of beta",
          "[model][generic_visits][statistical]") {
  // Children lost in the interval after the first visit against those still assessed at the
  // second: with beta < 0 (less loss when progressing) the lost had the smaller change at the first
  // visit, with beta > 0 the larger. Tolerance: the difference of the two means beyond 4 SE.
  for (const double beta : {-0.3, 0.3}) {
    INFO("beta " << beta);
    const Scenario s = generic(four_visits({"design.dropout.by_last_visit=0.3",
                                            "design.dropout.per_point_of_progress=" + std::to_string(beta)}));
    CHECK(needs_follow_up(s));
    const Model m(s);
    REQUIRE(m.follow_up() != nullptr);
    double n_lost = 0, s_lost = 0, q_lost = 0, n_kept = 0, s_kept = 0, q_kept = 0, primary_lost = 0, n = 0;
    TrialData d;
    for (std::uint64_t t = 0; t < trials(100, 1000); ++t) {
      m.simulate(s.simulation.seed, t, d);
      for (std::size_t j = 0; j < d.size(); ++j) {
        const double x = d.visit_change[j * 4 + 0], out = d.dropout_month[j];
        n += 1;
        primary_lost += !d.observed[j];
        CHECK((d.status[j * 4 + 2] == kObserved) == (d.observed[j] != 0));
        if (!(out > 3)) continue;  // lost before the first visit
        if (out <= 6) {
          n_lost += 1, s_lost += x, q_lost += x * x;
        } else {
          n_kept += 1, s_kept += x, q_kept += x * x;
        }
      }
    }
    const double ml = s_lost / n_lost, mk = s_kept / n_kept;
    const double se = std::sqrt((q_lost / n_lost - ml * ml) / n_lost + (q_kept / n_kept - mk * mk) / n_kept);
    INFO("mean change at 3 months: lost by 6 " << ml << ", assessed at 6 " << mk << " (SE " << se << ")");
    CHECK(beta * (ml - mk) > 4 * se * std::fabs(beta));
    CHECK(primary_lost > 0);
  }
}

TEST_CASE("generic visits: the shift after dropout moves only the values after the dropout month, exactly",
          "[model][generic_visits]") {
  const Scenario s = generic(four_visits({"design.dropout.by_last_visit=0.3", "design.dropout.mnar_shift_per_month=[0, -0.5]"}));
  const Scenario none = generic(four_visits({"design.dropout.by_last_visit=0.3"}));
  CHECK(needs_follow_up(s));
  CHECK_FALSE(needs_follow_up(none));
  const Model m(s), base(none, PreRunSizes{}, true);
  const auto& months = s.design.visits_months;
  TrialData d, b;
  std::size_t shifted = 0;
  for (std::uint64_t t = 0; t < 10; ++t) {
    m.simulate(s.simulation.seed, t, d);
    base.simulate(s.simulation.seed, t, b);
    CHECK(same(d.dropout_month, b.dropout_month));
    CHECK(d.status == b.status);
    for (std::size_t j = 0; j < d.size(); ++j) {
      const double delta = d.arm[j] == 1 ? -0.5 : 0.0, out = d.dropout_month[j];
      for (std::size_t v = 0; v < months.size(); ++v) {
        const double before = b.visit_change[j * 4 + v];
        const double expect = months[v] > out ? before + delta * (months[v] - out) : before;
        CHECK(d.visit_change[j * 4 + v] == Approx(expect).margin(1e-12));
        if (!(months[v] > out)) CHECK(d.visit_change[j * 4 + v] == before);
        shifted += months[v] > out && delta != 0;
      }
      // What the analysis sees is unchanged; the primary visit's change agrees with the visits'.
      CHECK(d.change[j] == d.visit_change[j * 4 + 2]);
      CHECK(d.observed[j] == b.observed[j]);
      if (d.observed[j]) CHECK(d.change[j] == b.change[j]);
    }
  }
  CHECK(shifted > 0);
}

TEST_CASE("generic visits: missed visits are the declared share of visits before dropout, on their own stream",
          "[model][generic_visits][statistical]") {
  // Among visits not lost to dropout, each is missed with probability 0.1: binomial SE, 4 SE.
  const Scenario s = generic(four_visits({"design.dropout.by_last_visit=0.2", "design.dropout.missed_visit=0.1"}));
  const Scenario none = generic(four_visits({"design.dropout.by_last_visit=0.2"}));
  CHECK(needs_follow_up(s));
  const Model m(s), base(none, PreRunSizes{}, true);
  double present = 0, missed = 0;
  TrialData d, b;
  for (std::uint64_t t = 0; t < trials(200, 2000); ++t) {
    m.simulate(s.simulation.seed, t, d);
    base.simulate(s.simulation.seed, t, b);
    CHECK(d.visit_change == b.visit_change);  // the values and dropout do not move
    CHECK(same(d.dropout_month, b.dropout_month));
    for (std::size_t k = 0; k < d.status.size(); ++k) {
      if (b.status[k] != kObserved) {
        CHECK(d.status[k] == b.status[k]);
        continue;
      }
      present += 1;
      missed += d.status[k] == kMissed;
    }
    for (std::size_t j = 0; j < d.size(); ++j) CHECK((d.observed[j] != 0) == (d.status[j * 4 + 2] == kObserved));
  }
  const double se = std::sqrt(0.1 * 0.9 / present);
  INFO("missed " << missed / present << " (SE " << se << ")");
  CHECK(std::fabs(missed / present - 0.1) < 4 * se);
}

TEST_CASE("generic visits: which scenarios are followed over every visit", "[model][generic_visits]") {
  CHECK_FALSE(needs_follow_up(generic({})));
  CHECK_FALSE(needs_follow_up(generic(four_visits({"population.generic.correlation=0.5"}))));
  CHECK(needs_follow_up(generic(four_visits({"analysis.method=mmrm"}))));
  CHECK(needs_follow_up(test::load_shipped("scenarios/default.yaml", {"analysis.method=mmrm"})));
  CHECK(needs_follow_up(generic({"design.dropout.missed_visit=0.05"})));
  CHECK(needs_follow_up(generic({"design.dropout.mnar_shift_per_month=-0.1"})));
  // Dropout on progress changes the primary visit's data only with a visit before it.
  CHECK(needs_follow_up(generic(four_visits({"design.dropout.per_point_of_progress=-0.1"}))));
  CHECK_FALSE(needs_follow_up(generic({"design.visits_months=[12, 18]", "design.dropout.per_point_of_progress=-0.1"})));
}

TEST_CASE("generic visits: a run followed over every visit summarises them and merges exactly across shards",
          "[engine][generic_visits]") {
  Scenario s = generic(four_visits({"design.dropout.by_last_visit=0.2", "design.dropout.missed_visit=0.05"}));
  s.simulation.trials = 60;
  const Model m(s);
  const Accumulator whole = run_trials(m, EngineOptions{0, 0, 2});
  Accumulator parts = run_trials(m, EngineOptions{0, 25, 1});
  parts.merge(run_trials(m, EngineOptions{25, 60, 2}));
  CHECK(parts == whole);
  CHECK(Accumulator::from_state(whole.state()) == whole);
  REQUIRE(whole.follow_up().visits == 4);
  const auto j = summarise(s, whole);
  REQUIRE(j.contains("follow_up"));
  const auto& v18 = j["follow_up"]["visits"][3];
  CHECK(v18["month"].get<double>() == 18);
  for (const auto& a : v18["arms"]) CHECK(a["observed_share"]["mean"].get<double>() < 1);
}
