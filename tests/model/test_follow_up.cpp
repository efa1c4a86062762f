// Trials in time (model/follow_up.hpp): every scheduled visit of every child, dropout months,
// missed visits, the shift after dropout, intercurrent events and the delayed-treatment design,
// checked against exact identities (the same streams with and without a feature) and against
// closed forms within stated Monte Carlo error; and that following children over time leaves the
// primary visit's data unchanged, bit for bit, on every path of the outcome model.
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "celltrial/analysis/trial_analysis.hpp"
#include "celltrial/analysis/follow_up.hpp"
#include "celltrial/design/summary.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/model/model.hpp"
#include "test_support.hpp"

using namespace celltrial;

namespace {
constexpr auto kObserved = static_cast<std::uint8_t>(VisitStatus::observed);

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
    CHECK(x.age == y.age);
    CHECK(x.dose == y.dose);
    CHECK(x.level == y.level);
    CHECK(x.totals.sae == y.totals.sae);
  }
}

// Two vectors hold the same values, bit for bit, NaN where the other has NaN.
bool same(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k)
    if (!(a[k] == b[k] || (std::isnan(a[k]) && std::isnan(b[k])))) return false;
  return true;
}

// A two-arm scenario without products: the effect of every active child is exactly effect_by_month.
Scenario simple(std::vector<std::string> set) {
  set.insert(set.begin(), {"design.visits_months=[3, 6, 12, 18, 24]", "design.dropout.by_last_visit=0.2"});
  return test::load_shipped("scenarios/default.yaml", set);
}
}  // namespace

TEST_CASE("following every visit leaves the primary visit's data bit for bit, on every path of the model", "[model][follow_up]") {
  // The plain path (no products), the general path (products, modifiers), dropout on progress
  // (visits up to the primary simulated by the outcome model), and the generic endpoint.
  for (const auto& [file, set] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"scenarios/default.yaml", {}},
           {"scenarios/ucb_allcomers.yaml", {}},
           {"scenarios/default.yaml", {"design.dropout.per_point_of_progress=-0.2", "design.dropout.by_last_visit=0.3"}},
           {"scenarios/msc_intravenous.yaml", {}},
           {"scenarios/validation/reference_ancova.yaml", {}}}) {
    INFO(file);
    const Scenario s = test::load_shipped(file, set);
    const Model fast(s), every(s, PreRunSizes{}, true);
    CHECK(fast.follow_up() == nullptr);
    CHECK(every.follow_up() != nullptr);
    same_primary(fast, every, 5);
  }
}

TEST_CASE("each visit's value: the outcome model's where it simulated it, dropout and status agree", "[model][follow_up]") {
  const Scenario s = simple({"design.dropout.per_point_of_progress=-0.2", "analysis.primary_visit_months=12"});
  const Model m(s, PreRunSizes{}, true);
  const FollowUp& f = *m.follow_up();
  REQUIRE(f.visits() == 5);
  REQUIRE(f.primary() == 2);
  TrialData d;
  std::size_t dropped_before_primary = 0;
  for (std::uint64_t t = 0; t < 20; ++t) {
    m.simulate(s.simulation.seed, t, d);
    REQUIRE(d.visits == 5);
    for (std::size_t j = 0; j < d.size(); ++j) {
      const double* vc = &d.visit_change[j * 5];
      const double* hy = &d.hypothetical[j * 5];
      CHECK(vc[2] == d.change[j]);  // no events: the primary visit as the outcome model has it
      for (std::size_t v = 0; v < 5; ++v) CHECK(vc[v] == hy[v]);
      const double out = d.dropout_month[j];
      for (std::size_t v = 0; v < 5; ++v) {
        const bool after = s.design.visits_months[v] >= out;
        CHECK((d.status[j * 5 + v] == static_cast<std::uint8_t>(VisitStatus::dropped_out)) == after);
      }
      CHECK((d.status[j * 5 + 2] == kObserved) == (d.observed[j] != 0));
      if (!d.observed[j]) {
        ++dropped_before_primary;
        CHECK(out > 0);
        CHECK(out <= 12);
      }
      CHECK(d.event_kind[j] == kNoEvent);
      CHECK(std::isnan(d.event_month[j]));
    }
  }
  CHECK(dropped_before_primary > 0);
}

TEST_CASE("dropout months follow the constant hazard: P(dropped by month t) = 1 - (1 - p)^(t / T)", "[model][follow_up][statistical]") {
  const Scenario s = simple({});
  const Model m(s, PreRunSizes{}, true);
  const auto& months = s.design.visits_months;
  const std::uint64_t trials = test::full_mode() ? 2000 : 200;
  std::vector<double> dropped(months.size(), 0.0);
  double n = 0;
  TrialData d;
  for (std::uint64_t t = 0; t < trials; ++t) {
    m.simulate(s.simulation.seed, t, d);
    for (std::size_t j = 0; j < d.size(); ++j) {
      n += 1;
      for (std::size_t v = 0; v < months.size(); ++v) dropped[v] += d.dropout_month[j] <= months[v];
    }
  }
  for (std::size_t v = 0; v < months.size(); ++v) {
    const double expect = 1 - std::pow(0.8, months[v] / months.back());
    const double se = std::sqrt(expect * (1 - expect) / n);
    INFO("month " << months[v] << ": " << dropped[v] / n << " vs " << expect << " (SE " << se << ")");
    CHECK(std::fabs(dropped[v] / n - expect) < 4 * se);
  }
}

TEST_CASE("missed visits: the share missed among children still in the trial, on its own stream", "[model][follow_up][statistical]") {
  const Scenario s = simple({"design.dropout.missed_visit=0.1"});
  const Scenario none = simple({});
  const Model m(s), base(none, PreRunSizes{}, true);
  double present = 0, missed = 0;
  TrialData d, b;
  for (std::uint64_t t = 0; t < 200; ++t) {
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
      missed += d.status[k] == static_cast<std::uint8_t>(VisitStatus::missed);
    }
    for (std::size_t j = 0; j < d.size(); ++j) CHECK((d.observed[j] != 0) == (d.status[j * 5 + 2] == kObserved));
  }
  const double se = std::sqrt(0.1 * 0.9 / present);
  CHECK(std::fabs(missed / present - 0.1) < 4 * se);
}

TEST_CASE("missing not at random: after dropout the trajectory moves by delta per month, exactly", "[model][follow_up]") {
  const Scenario s = simple({"design.dropout.mnar_shift_per_month=[0, -0.5]"});
  const Scenario none = simple({});
  const Model m(s), base(none, PreRunSizes{}, true);
  const auto& months = s.design.visits_months;
  TrialData d, b;
  std::size_t shifted = 0;
  for (std::uint64_t t = 0; t < 10; ++t) {
    m.simulate(s.simulation.seed, t, d);
    base.simulate(s.simulation.seed, t, b);
    CHECK(same(d.dropout_month, b.dropout_month));
    for (std::size_t j = 0; j < d.size(); ++j)
      for (std::size_t v = 0; v < months.size(); ++v) {
        const double delta = d.arm[j] == 1 ? -0.5 : 0.0;
        const double out = d.dropout_month[j];
        const double expect = months[v] > out ? b.visit_change[j * 5 + v] + delta * (months[v] - out) : b.visit_change[j * 5 + v];
        CHECK(d.visit_change[j * 5 + v] == Approx(expect).margin(1e-12));
        shifted += months[v] > out && delta != 0;
      }
    // Only unobserved values move: what the analysis sees is unchanged.
    for (std::size_t j = 0; j < d.size(); ++j)
      if (d.observed[j]) CHECK(d.change[j] == b.change[j]);
  }
  CHECK(shifted > 0);
}

TEST_CASE("intercurrent events: the share by each visit and the mean shift match their closed forms", "[model][follow_up][statistical]") {
  // rate r, step a, slope b: P(event by t) = 1 - exp(-r t); E[shift at t] = a (1 - exp(-r t)) +
  // b (t - (1 - exp(-r t)) / r).
  const double r = 0.03, a = -2.0, b = 0.25;
  const Scenario s = simple({"design.intercurrent_events=[{name: surgery, rate_per_month: " + std::to_string(r) +
                             ", shift_points: " + std::to_string(a) + ", shift_per_month: " + std::to_string(b) + "}]"});
  const Model m(s);
  const auto& months = s.design.visits_months;
  const std::uint64_t trials = test::full_mode() ? 2000 : 200;
  std::vector<double> with(months.size(), 0.0), shift(months.size(), 0.0), shift2(months.size(), 0.0);
  double n = 0;
  TrialData d;
  for (std::uint64_t t = 0; t < trials; ++t) {
    m.simulate(s.simulation.seed, t, d);
    for (std::size_t j = 0; j < d.size(); ++j) {
      n += 1;
      for (std::size_t v = 0; v < months.size(); ++v) {
        with[v] += d.event_month[j] < months[v];
        const double x = d.visit_change[j * 5 + v] - d.hypothetical[j * 5 + v];
        shift[v] += x;
        shift2[v] += x * x;
      }
      // The primary visit's change as it happened (treatment policy).
      CHECK(d.change[j] == d.visit_change[j * 5 + 2]);
    }
  }
  for (std::size_t v = 0; v < months.size(); ++v) {
    const double t = months[v], p = -std::expm1(-r * t);
    const double se_p = std::sqrt(p * (1 - p) / n);
    CHECK(std::fabs(with[v] / n - p) < 4 * se_p);
    const double mean = shift[v] / n, sd = std::sqrt(shift2[v] / n - mean * mean);
    const double expect = a * p + b * (t - p / r);
    INFO("month " << t << ": mean shift " << mean << " vs " << expect);
    CHECK(std::fabs(mean - expect) < 4 * sd / std::sqrt(n));
  }
}

TEST_CASE("an event that stops treatment keeps the child's effect at its value at the event", "[model][follow_up]") {
  const Scenario s = simple({"design.intercurrent_events=[{name: stop, rate_per_month: 0.05, stops_treatment: true}]",
                             "arms.ucb.effect_by_month={6: 1.0, 24: 4.0}"});
  const Model m(s);
  const Arm& ucb = s.arms[1];
  const auto& months = s.design.visits_months;
  TrialData d;
  std::size_t stopped = 0;
  for (std::uint64_t t = 0; t < 10; ++t) {
    m.simulate(s.simulation.seed, t, d);
    for (std::size_t j = 0; j < d.size(); ++j)
      for (std::size_t v = 0; v < months.size(); ++v) {
        const double e = d.event_month[j], loss = d.visit_change[j * 5 + v] - d.hypothetical[j * 5 + v];
        if (d.arm[j] == 1 && e < months[v]) {
          CHECK(loss == Approx(effect_at(ucb, e) - effect_at(ucb, months[v])).margin(1e-12));
          ++stopped;
        } else {
          CHECK(loss == 0);
        }
      }
  }
  CHECK(stopped > 0);
}

TEST_CASE("the delayed start treats the control group at its age then and leaves the primary analysis bit for bit",
          "[model][follow_up]") {
  // UCB without dose-response: the effect multiplier is the age band's at the age of treatment.
  const std::vector<std::string> set{"design.visits_months=[6, 12, 18, 24]",
                                     "arms.ucb.product={type: ucb}",
                                     "arms.ucb.modifiers={age: {breaks_months: [60], multipliers: [1.5, 0.5]}}"};
  std::vector<std::string> delayed = set;
  delayed.push_back("design.delayed_start_month=12");
  const Scenario s = test::load_shipped("scenarios/default.yaml", delayed);
  const Scenario s0 = test::load_shipped("scenarios/default.yaml", set);
  const Model m(s), m0(s0, PreRunSizes{}, true);
  same_primary(m, m0, 5);
  TrialData d, d0;
  std::size_t young = 0, old = 0;
  for (std::uint64_t t = 0; t < 5; ++t) {
    m.simulate(s.simulation.seed, t, d);
    m0.simulate(s.simulation.seed, t, d0);
    for (std::size_t j = 0; j < d.size(); ++j) {
      if (d.arm[j] == 1) {
        CHECK(d.treated_month[j] == 0);
        for (std::size_t v = 0; v < 4; ++v) CHECK(d.visit_change[j * 4 + v] == d0.visit_change[j * 4 + v]);
        continue;
      }
      CHECK(d.treated_month[j] == 12);
      const double mult = d.age[j] + 12 < 60 ? 1.5 : 0.5;
      (d.age[j] + 12 < 60 ? young : old) += 1;
      // Months 6 and 12: untreated; 18 and 24: the effect 6 and 12 months after treatment.
      CHECK(d.visit_change[j * 4 + 0] == d0.visit_change[j * 4 + 0]);
      CHECK(d.visit_change[j * 4 + 1] == d0.visit_change[j * 4 + 1]);
      CHECK(d.visit_change[j * 4 + 2] - d0.visit_change[j * 4 + 2] == Approx(1.36 * mult).margin(1e-9));
      CHECK(d.visit_change[j * 4 + 3] - d0.visit_change[j * 4 + 3] == Approx(1.42 * mult).margin(1e-9));
    }
  }
  CHECK(young > 0);
  CHECK(old > 0);

  // The whole run: the primary comparison's summary is the same with and without the delayed start.
  Scenario a = s, b = s0;
  a.simulation.trials = b.simulation.trials = 200;
  const auto ja = summarise(a, run_trials(a, EngineOptions{0, 0, 2}));
  const auto jb = summarise(b, run_trials(b, EngineOptions{0, 0, 2}));
  CHECK(ja["comparisons"] == jb["comparisons"]);
  CHECK(ja["arms"] == jb["arms"]);
  REQUIRE(ja.contains("delayed_treatment"));
  CHECK_FALSE(jb.contains("delayed_treatment"));
  const auto& dt = ja["delayed_treatment"];
  CHECK(dt["estimate"]["mc_se"].get<double>() > 0);
  CHECK(dt["power"]["of"].get<std::uint64_t>() == 200);
  CHECK(dt["estimate"]["mean"].get<double>() ==
        Approx(dt["delayed_gain"]["mean"].get<double>() - dt["early_gain"]["mean"].get<double>()).margin(1e-9));
}

TEST_CASE("the delayed comparison is Welch's t test on the two groups' gains", "[analysis][follow_up]") {
  const Scenario s = test::load_shipped("scenarios/delayed_treatment.yaml", {"design.sample_size=20"});
  const Model m(s);
  const FollowUpAnalysis fa(m);
  TrialData d;
  m.simulate(s.simulation.seed, 0, d);
  // Gains 1, 2, 3, 4 in the delayed group and 2, 4, 6, 8, 10 in the early group; everyone else
  // unassessed. By hand: means 2.5 and 6, variances 5/3 and 10; se^2 = 5/12 + 2; df =
  // (29/12)^2 / ((5/12)^2 / 3 + 2^2 / 4).
  std::fill(d.status.begin(), d.status.end(), static_cast<std::uint8_t>(VisitStatus::missed));
  const std::size_t V = d.visits;  // visits 6, 12, 18, 24: the crossover is visit 1, one interval later visit 3
  std::vector<double> late{1, 2, 3, 4}, early{2, 4, 6, 8, 10};
  for (std::size_t j = 0; j < d.size(); ++j) {
    if (d.arm[j] == 0 && !late.empty()) {
      d.visit_change[j * V + 1] = 10;
      d.visit_change[j * V + 3] = 10 + late.back();
      late.pop_back();
      d.status[j * V + 1] = d.status[j * V + 3] = kObserved;
    } else if (d.arm[j] == 1 && !early.empty()) {
      d.visit_change[j * V + 1] = early.back();
      early.pop_back();
      d.status[j * V + 1] = kObserved;
    }
  }
  FollowUpResult r;
  fa.analyse(d, r);
  const double se2 = 5.0 / 12 + 2;
  CHECK(r.delayed.estimable);
  CHECK(r.delayed.delayed_n == 4);
  CHECK(r.delayed.early_n == 5);
  CHECK(r.delayed.estimate == Approx(-3.5));
  CHECK(r.delayed.se == Approx(std::sqrt(se2)));
  CHECK(r.delayed.df == Approx(se2 * se2 / (25.0 / 144 / 3 + 1)));
  CHECK(r.delayed.df == Approx(5.5213).epsilon(1e-4));
  // |t| = 2.2514 on 5.52 df: two-sided p = 0.069, not significant at 0.05.
  CHECK_FALSE(r.delayed.reject);
}

TEST_CASE("endpoints: the score gives ANCOVA's estimate for the change, excess over expected subtracts the curve",
          "[model][analysis][follow_up]") {
  const Scenario change = test::load_shipped("scenarios/ucb_allcomers.yaml");
  const Scenario value = test::load_shipped("scenarios/ucb_allcomers.yaml", {"analysis.endpoint=value"});
  const Scenario excess = test::load_shipped("scenarios/ucb_allcomers.yaml", {"analysis.endpoint=excess_over_expected"});
  const Model mc(change), mv(value), me(excess);
  const TrialAnalysis ac(mc), av(mv);
  TrialData dc, dv, de;
  TrialResult rc, rv;
  for (std::uint64_t t = 0; t < 5; ++t) {
    mc.simulate(1, t, dc);
    mv.simulate(1, t, dv);
    me.simulate(1, t, de);
    for (std::size_t j = 0; j < dc.size(); ++j) {
      CHECK(dv.change[j] == dc.change[j] + dc.baseline[j]);
      CHECK(de.change[j] == dc.change[j] - mc.expected_change(dc.level[j], dc.age[j], 12));
    }
    ac.analyse(dc, rc);
    av.analyse(dv, rv);
    // change = value - baseline, and baseline is a covariate: the same treatment estimate.
    CHECK(rv.comparisons[0].estimate == Approx(rc.comparisons[0].estimate).margin(1e-9));
    CHECK(rv.comparisons[0].se == Approx(rc.comparisons[0].se).epsilon(1e-9));
  }
  // The expected change from the level's mean curve: limit e^(-age/rate) (1 - e^(-t/rate)).
  const auto& curve = change.population.cp.curves[1];
  const double rate = curve.age90_years * 12 / std::log(10.0);
  CHECK(mc.expected_change(1, 30, 12) == Approx(curve.limit * std::exp(-30 / rate) * (1 - std::exp(-12 / rate))));
}

TEST_CASE("follow-up results merge exactly across shards and survive their saved state", "[engine][follow_up]") {
  Scenario s = test::load_shipped("scenarios/longitudinal_ucb.yaml");
  s.simulation.trials = 60;
  const Model m(s);
  const Accumulator whole = run_trials(m, EngineOptions{0, 0, 2});
  Accumulator parts = run_trials(m, EngineOptions{0, 25, 1});
  parts.merge(run_trials(m, EngineOptions{25, 60, 2}));
  CHECK(parts == whole);
  CHECK(Accumulator::from_state(whole.state()) == whole);
  REQUIRE(whole.follow_up().visits == 3);
  CHECK(whole.follow_up().observed_share[0].count() == 60);
  const auto j = summarise(s, whole);
  REQUIRE(j.contains("follow_up"));
  const auto& v12 = j["follow_up"]["visits"][2];
  CHECK(v12["month"].get<double>() == 12);
  for (const auto& a : v12["arms"]) {
    CHECK(a["observed_share"]["mean"].get<double>() < 1);
    CHECK(a["observed_share"]["mc_se"].get<double>() > 0);
  }
  CHECK(j["follow_up"]["arms"][0]["intercurrent_event_share"]["mean"].get<double>() > 0);
}

TEST_CASE("bad follow-up input: located errors with the fix", "[scenario][follow_up]") {
  auto message = [](const std::vector<std::string>& set) { return std::string(test::data_error(test::kSmallScenario, set).what()); };
  CHECK_THAT(message({"design.intercurrent_events=[{name: botox, rate_per_month: 1.5}]"}),
             Catch::Contains("design.intercurrent_events[0].rate_per_month") && Catch::Contains("1"));
  CHECK_THAT(message({"design.intercurrent_events=[{name: botox, rate_per_month: [0.1, 0.2, 0.3]}]"}),
             Catch::Contains("one value for every arm or one per arm"));
  CHECK_THAT(message({"design.intercurrent_events=[{rate_per_month: 0.1}]"}), Catch::Contains("the event has no name"));
  CHECK_THAT(message({"design.intercurrent_events=[{name: a, rate_per_month: 0.1}, {name: a, rate_per_month: 0.2}]"}),
             Catch::Contains("used by another event"));
  CHECK_THAT(message({"design.dropout.missed_visit=0.9"}), Catch::Contains("design.dropout.missed_visit"));
  CHECK_THAT(message({"design.dropout.mnar_shift_per_month=[1, 2, 3]"}), Catch::Contains("one value for every arm"));
}
