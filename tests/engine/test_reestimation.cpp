// Sample-size re-estimation (design.interims.sample_size_reestimation): the conditional power and
// the new N against hand-computed values, the type I error of the inverse-normal combination test
// against that of the naive pooled test, the promising zone's probabilities against the normal
// approximation, the planned design unchanged when N is never increased, bad input.
#include <cmath>
#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "celltrial/analysis/interim.hpp"
#include "celltrial/design/sample_size.hpp"
#include "celltrial/design/summary.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/report/summary.hpp"
#include "celltrial/stats/reestimation.hpp"
#include "test_support.hpp"

using namespace celltrial;

namespace {
const char* kScenario = "scenarios/validation/sample_size_reestimation.yaml";

nlohmann::json run(const Scenario& s, int threads = 0) {
  EngineOptions o;
  o.threads = threads;
  return summarise(s, run_trials(s, o));
}

// |simulated - expected| within z binomial MC SEs (at the expected probability) plus a slack.
void check_share(const nlohmann::json& est, double p, std::uint64_t n, const char* what, double z = 3.5,
                 double slack = 1e-4) {
  const double share = est["estimate"].get<double>();
  const double se = std::sqrt(std::max(p * (1 - p), 1e-12) / static_cast<double>(n));
  INFO(what << ": simulated " << share << " expected " << p << " (MC SE " << se << ", " << (share - p) / se << " SE)");
  CHECK(std::fabs(share - p) <= z * se + slack);
}
}  // namespace

TEST_CASE("reestimation: conditional power and the new N against hand-computed values", "[reestimation]") {
  // n1 = 100 of N = 200 (w1 = w2 = sqrt(1/2)), c = 1.96. CP with a second stage of m children:
  // 1 - Phi((c - w1 z1) / w2 - z1 sqrt(m / n1)).
  const double w1 = std::sqrt(0.5);
  // z1 = 1, m = 100: 1 - Phi(1.771859 - 1) = 1 - Phi(0.771859) = 0.220099 (the planned design's CP).
  CHECK(stats::combination_conditional_power(1.0, 100, 100, w1, 1.96) == Approx(0.220099).epsilon(1e-5));
  CHECK(stats::combination_conditional_power(1.0, 100, 100, w1, 1.96) ==
        Approx(InterimAnalyses::conditional_power(1.0, 0.5, 1.96)).epsilon(1e-12));
  // z1 = 1.5, m = 100: 1 - Phi(1.271859 - 1.5) = Phi(0.228141) = 0.590232; m = 300: 1 - Phi(1.271859 -
  // 1.5 sqrt(3)) = 1 - Phi(-1.326218) = 0.907616.
  CHECK(stats::combination_conditional_power(1.5, 100, 100, w1, 1.96) == Approx(0.590232).epsilon(1e-5));
  CHECK(stats::combination_conditional_power(1.5, 100, 300, w1, 1.96) == Approx(0.907616).epsilon(1e-5));
  // Target 0.9: b = 1.271859 + Phi^-1(0.9) = 1.271859 + 1.281552 = 2.553411; m = 100 (b / 1.5)^2 = 289.7745.
  CHECK(stats::second_stage_for_power(1.5, 100, w1, 1.96, 0.9) == Approx(289.7745).epsilon(1e-5));
  CHECK(stats::combination_conditional_power(1.5, 100, stats::second_stage_for_power(1.5, 100, w1, 1.96, 0.9), w1, 1.96) ==
        Approx(0.9).epsilon(1e-10));
  // The total: 100 + 289.77 rounded up is 390, within [200, 400]; with a cap of 300, 300.
  CHECK(stats::reestimated_sample_size(1.5, 100, 200, 400, 1.96, 0.9) == 390);
  CHECK(stats::reestimated_sample_size(1.5, 100, 200, 300, 1.96, 0.9) == 300);
  // z1 = 1: m = 100 (3.053411)^2 = 932.33 > the cap. z1 <= 0: no second stage reaches the target.
  CHECK(stats::second_stage_for_power(1.0, 100, w1, 1.96, 0.9) == Approx(932.3319).epsilon(1e-5));
  CHECK(stats::reestimated_sample_size(1.0, 100, 200, 400, 1.96, 0.9) == 400);
  CHECK(std::isinf(stats::second_stage_for_power(-0.5, 100, w1, 1.96, 0.9)));
  CHECK(stats::reestimated_sample_size(-0.5, 100, 200, 400, 1.96, 0.9) == 400);
  // z1 = 3: CP at the planned N is 1 - Phi(-1.643) = 0.95 > 0.9: the planned N (never below it).
  CHECK(stats::second_stage_for_power(3.0, 100, w1, 1.96, 0.9) == Approx(100 * std::pow((1.96 - 3 * w1) / w1 + 1.2815516, 2) / 9).epsilon(1e-6));
  CHECK(stats::reestimated_sample_size(3.0, 100, 200, 400, 1.96, 0.9) == 200);
  // Target met with no second stage at all: (c - w1 z1) / w2 + Phi^-1(target) <= 0 (z1 = 5: -0.947).
  CHECK(stats::second_stage_for_power(5.0, 100, w1, 1.96, 0.9) == 0);
  CHECK(stats::second_stage_for_power(4.0, 100, w1, 1.96, 0.9) > 0);
}

TEST_CASE("reestimation: conditional power against rpact's getConditionalPower", "[reestimation]") {
  // tests/reference/reestimation/reference.R: two-stage inverse-normal designs (t1 = 0.5 and 0.3),
  // Z1 from rpact's stage results, second stages of the planned and of more children.
  std::ifstream in(test::source_path("tests/reference/reestimation/reference.json"));
  REQUIRE(in);
  const auto ref = nlohmann::json::parse(in);
  REQUIRE(ref["cases"].size() == 32);
  for (const auto& c : ref["cases"]) {
    const double t1 = c["t1"].get<double>(), n1 = c["n1"].get<double>(), m = c["m"].get<double>();
    const double z1 = c["z1"].get<double>(), crit = c["critical"].get<double>(), cp = c["conditional_power"].get<double>();
    INFO("t1 " << t1 << " n1 " << n1 << " m " << m << " z1 " << z1);
    CHECK(stats::combination_conditional_power(z1, n1, m, std::sqrt(t1), crit) == Approx(cp).epsilon(1e-6).margin(1e-12));
    // The second stage for that conditional power gives m back (where the power is not extreme).
    if (cp > 0.01 && cp < 0.99 && z1 > 0)
      CHECK(stats::second_stage_for_power(z1, n1, std::sqrt(t1), crit, cp) == Approx(m).epsilon(1e-5));
  }
}

TEST_CASE("reestimation: the combination test keeps the type I error, the naive pooled test does not",
          "[reestimation][statistical]") {
  // Under the null each stage's ANCOVA Z (through the t statistic's p-value) is exactly N(0, 1) and
  // the stages are disjoint children, so the combination test's level is alpha = 0.025 for any rule.
  // 100 children planned (look at 50), cap 300, O'Brien-Fleming (2.7965, 1.9774). The expected values
  // are the normal-approximation integrals over Z1 (zone, new N, conditional rejection probability):
  //   conditional-power rule, target 0.9: P(increase) 0.9793, E[N] 286.87, naive test 0.03152;
  //   promising zone [0.01, 0.8):         P(increase) 0.3725, E[N] 168.06, naive test 0.02719.
  const std::uint64_t trials = test::full_mode() ? 1000000 : 40000;
  struct Case {
    const char* rule;
    double increase, expected_n, naive;
  };
  for (const Case& c : {Case{"{rule: conditional-power, target_power: 0.9, max_sample_size: 300}", 0.9793, 286.87, 0.03152},
                        Case{"{rule: promising-zone, target_power: 0.9, max_sample_size: 300, promising_zone: {lower: 0.01, "
                             "upper: 0.8}}",
                             0.37249, 168.06, 0.02719}}) {
    INFO(c.rule);
    Scenario s = test::load_shipped(kScenario, {"arms[1].effect_by_month={6: 0}", "design.sample_size=100",
                                                std::string("design.interims.sample_size_reestimation=") + c.rule});
    s.simulation.trials = trials;
    const auto j = run(s);
    const auto& r = j["sample_size_reestimation"];
    check_share(j["power"], 0.025, trials, "type I error, combination test", 3.0);
    check_share(r["increase"], c.increase, trials, "P(increase)");
    check_share(r["naive_test"], c.naive, trials, "naive test");
    const double en = j["sample_size"]["expected"].get<double>(), se = j["sample_size"]["expected_mc_se"].get<double>();
    INFO("E[N] " << en << " (MC SE " << se << ") expected " << c.expected_n);
    CHECK(std::fabs(en - c.expected_n) <= 3.5 * se + 0.05);
    CHECK(j["sample_size"]["max"] == 300);
    CHECK(j["sample_size"]["max_observed"] == 300);
    CHECK(j["sample_size"]["quantiles"]["0.95"].get<double>() <= 300 * (1 + 0.01));
    // The conditional-power rule's increases inflate the naive test far beyond its Monte Carlo error;
    // the combination test does not.
    if (c.increase > 0.9) {
      const double naive = r["naive_test"]["estimate"].get<double>(), se_naive = r["naive_test"]["mc_se"].get<double>();
      CHECK(naive > 0.025 + 4 * se_naive);
    }
  }
}

TEST_CASE("reestimation: with three analyses the re-estimation at the last interim look keeps the type I error",
          "[reestimation][statistical]") {
  // Looks at 1/3 and 2/3; the earlier look is an ordinary group-sequential look. The conditional-power
  // rule raises N in almost every trial that goes on (the naive test inflates to about 0.033 here).
  const std::uint64_t trials = test::full_mode() ? 1000000 : 40000;
  Scenario s = test::load_shipped(
      kScenario, {"arms[1].effect_by_month={6: 0}", "design.sample_size=100",
                  "design.interims={information: [0.33, 0.67], efficacy: {boundary: obrien-fleming}, sample_size_reestimation: "
                  "{rule: conditional-power, target_power: 0.9, max_sample_size: 300}}"});
  s.simulation.trials = trials;
  const auto j = run(s);
  check_share(j["power"], 0.025, trials, "type I error, combination test", 3.0);
  CHECK(j["sample_size_reestimation"]["at_look"] == 2);
  CHECK(j["sample_size_reestimation"]["increase"]["estimate"].get<double>() > 0.9);
  const auto& naive = j["sample_size_reestimation"]["naive_test"];
  CHECK(naive["estimate"].get<double>() > 0.025 + 4 * naive["mc_se"].get<double>());
}

TEST_CASE("reestimation: zones, increase, power and N under the effect match the normal approximation",
          "[reestimation][statistical]") {
  // The shipped scenario's closed form (its header): at 100 children per stage the t statistics are
  // close to normal; a slack of 0.01 covers their heavier tails.
  const std::uint64_t trials = test::full_mode() ? 200000 : 20000;
  Scenario s = test::load_shipped(kScenario);
  s.simulation.trials = trials;
  const auto j = run(s);
  const auto& r = j["sample_size_reestimation"];
  check_share(r["zones"]["unfavourable"], 0.38955, trials, "unfavourable", 3.5, 0.01);
  check_share(r["zones"]["promising"], 0.23578, trials, "promising", 3.5, 0.01);
  check_share(r["zones"]["favourable"], 0.27727, trials, "favourable", 3.5, 0.01);
  check_share(r["increase"], 0.23578, trials, "increase", 3.5, 0.01);
  check_share(j["stopping"]["efficacy"][0], 0.0974, trials, "efficacy at the look", 3.5, 0.01);
  check_share(j["power"], 0.62596, trials, "power", 3.5, 0.01);
  // E[N]: 236.81 with a stop at the look counted as 200 children; such a trial randomises those
  // recruited by then (about 130): 236.81 - 0.0974 * 70 = 230.0.
  const double en = j["sample_size"]["expected"].get<double>();
  INFO("E[N] " << en);
  CHECK(std::fabs(en - 230.0) < 3.5 * j["sample_size"]["expected_mc_se"].get<double>() + 2);
  // Every increased trial lies between the planned N and the cap.
  CHECK(r["sample_size_if_increased"]["mean"].get<double>() > 200);
  CHECK(r["sample_size_if_increased"]["mean"].get<double>() <= 400);
  // The re-estimation buys power over the plain group-sequential design (0.5603).
  Scenario plain = test::load_shipped(kScenario, {"design.interims={information: [0.5], efficacy: {boundary: obrien-fleming}}"});
  plain.simulation.trials = trials;
  CHECK(j["power"]["estimate"].get<double>() > run(plain)["power"]["estimate"].get<double>() + 0.03);
  CHECK(j["duration_months"]["expected"].is_number());
  CHECK(j["duration_months"]["max_observed"].get<double>() >= j["duration_months"]["quantiles"]["0.95"].get<double>() * (1 - 1e-3));
  CHECK(j["sample_size"]["max_observed"] == 400);
}

TEST_CASE("reestimation: when N is never increased the results are the plain group-sequential design's",
          "[reestimation]") {
  Scenario plain = test::load_shipped(kScenario, {"design.interims={information: [0.5], efficacy: {boundary: obrien-fleming}}"});
  plain.simulation.trials = 3000;
  const auto base = run(plain);
  auto strip = [](nlohmann::json j) {
    j.erase("sample_size_reestimation");
    // The stage-wise ordering's estimate is given for plain group-sequential designs only.
    j["interims"].erase("estimate_at_stopping_adjusted");
    j["sample_size"].erase("planned");
    j["sample_size"].erase("max_observed");
    j["duration_months"].erase("max_observed");
    j["sample_size"]["max"] = 0;
    j["sample_size"]["distribution"].erase("unit");
    return j;
  };
  // A target at or below the zone's lower end: a promising trial already has the target power.
  Scenario low = test::load_shipped(kScenario, {"design.interims.sample_size_reestimation.target_power=0.3"});
  low.simulation.trials = plain.simulation.trials;
  const auto j = run(low);
  CHECK(j["sample_size_reestimation"]["increase"]["count"] == 0);
  CHECK(j["sample_size_reestimation"]["zones"]["promising"]["count"].get<std::uint64_t>() > 0);
  CHECK(j["sample_size"]["max"] == 400);
  CHECK(dump_json(strip(j)) == dump_json(strip(base)));
  // An empty zone (lower = upper, which validation refuses as input): no trial is promising.
  Scenario empty = test::load_shipped(kScenario);
  empty.simulation.trials = plain.simulation.trials;
  empty.design.interims.reestimation.zone_lower = empty.design.interims.reestimation.zone_upper = 0.5;
  const auto e = run(empty);
  CHECK(e["sample_size_reestimation"]["zones"]["promising"]["count"] == 0);
  CHECK(dump_json(strip(e)) == dump_json(strip(base)));
  // And the test can fail: with the zone the design differs.
  Scenario with_zone = test::load_shipped(kScenario);
  with_zone.simulation.trials = plain.simulation.trials;
  CHECK(dump_json(strip(run(with_zone))) != dump_json(strip(base)));
}

TEST_CASE("reestimation: an extended trial keeps the planned children and continues the calendar", "[reestimation]") {
  for (const char* file : {kScenario, "scenarios/default.yaml"}) {
    INFO(file);
    std::vector<std::string> sets{"design.accrual={sites: 10, screened_per_site_month: 2}", "design.sample_size=120"};
    if (std::string(file) == "scenarios/default.yaml") sets.push_back("design.dropout.gmfcs_multiplier={I: 1, V: 3}");
    const Scenario s = test::load_shipped(file, sets);
    Scenario big = s;
    big.design.sample_size = 300;
    const Model m(s), mb(big);
    TrialData d, e, out;
    m.simulate(7, 3, d);
    mb.simulate(7, 3, e);
    // The calendar is drawn child by child: the first 120 months agree.
    for (std::size_t j = 0; j < d.size(); ++j) REQUIRE(d.month[j] == e.month[j]);
    extend_trial(d, e, 200, s, out);
    REQUIRE(out.size() == 200);
    for (std::size_t j = 0; j < 120; ++j) {
      CHECK(out.change[j] == d.change[j]);
      CHECK(out.observed[j] == d.observed[j]);
      CHECK(out.arm[j] == d.arm[j]);
    }
    for (std::size_t j = 120; j < 200; ++j) {
      CHECK(out.change[j] == e.change[j]);
      CHECK(out.month[j] == e.month[j]);
    }
    CHECK(out.totals.n[0] + out.totals.n[1] == 200);
    CHECK(out.duration_months == e.month[199] + s.analysis.primary_visit_months);
    // The second stage: children [150, 200).
    TrialData st;
    select_children(out, 150, 200, s, st);
    REQUIRE(st.size() == 50);
    CHECK(st.change[0] == out.change[150]);
    CHECK(st.totals.n[0] + st.totals.n[1] == 50);
  }
}

TEST_CASE("reestimation: bit-identical for 1 and 2 threads, any split and a saved state", "[reestimation][reproducibility]") {
  Scenario s = test::load_shipped(kScenario);
  s.simulation.trials = 1200;
  const std::string one = dump_json(run(s, 1));
  CHECK(dump_json(run(s, 2)) == one);
  const Accumulator whole = run_trials(s, EngineOptions{0, 0, 2});
  Accumulator parts = make_accumulator(s);
  for (auto [a, b] : {std::pair<std::uint64_t, std::uint64_t>{700, 1200}, {0, 300}, {300, 700}})
    parts.merge(run_trials(s, EngineOptions{a, b, 1}));
  CHECK(parts == whole);
  CHECK(Accumulator::from_state(whole.state()) == whole);
  CHECK(whole.state()["interims"].contains("reestimation"));
  CHECK(dump_json(summarise(s, parts)) == one);
}

TEST_CASE("reestimation: bad input gets located messages with a fix", "[reestimation][scenario][errors]") {
  const std::string base = test::read_text(test::source_path(kScenario));
  auto error_of = [&](const std::vector<std::string>& overrides) {
    return std::string(test::data_error(base, overrides).what());
  };
  const std::string sp = "design.interims.sample_size_reestimation";
  std::string low_cap = base;
  low_cap.replace(low_cap.find("max_sample_size: 400"), std::string("max_sample_size: 400").size(), "max_sample_size: 150");
  CHECK_THAT(std::string(test::data_error(low_cap).what()),
             Catch::Contains("s.yaml:") && Catch::Contains(sp + ".max_sample_size") &&
                 Catch::Contains("not above design.sample_size (200)"));
  CHECK_THAT(error_of({sp + ".max_sample_size=200"}), Catch::Contains("could never be increased"));
  CHECK_THAT(error_of({sp + ".promising_zone={lower: 0.8, upper: 0.36}"}),
             Catch::Contains(sp + ".promising_zone") && Catch::Contains("out of order"));
  CHECK_THAT(error_of({sp + ".promising_zone.upper=1"}), Catch::Contains(sp + ".promising_zone.upper"));
  CHECK_THAT(error_of({sp + ".promising_zone.lower=0"}), Catch::Contains(sp + ".promising_zone.lower"));
  CHECK_THAT(error_of({sp + ".target_power=1.2"}), Catch::Contains(sp + ".target_power"));
  CHECK_THAT(error_of({sp + ".rule=promising"}), Catch::Contains(sp + ".rule") && Catch::Contains("promising-zone"));
  CHECK_THAT(error_of({sp + "={rule: conditional-power, max_sample_size: 300, promising_zone: {lower: 0.2}}"}),
             Catch::Contains(sp + ".promising_zone") && Catch::Contains("only by rule promising-zone"));
  CHECK_THAT(error_of({sp + "={target_power: 0.9, max_sample_size: 300}"}),
             Catch::Contains(sp) && Catch::Contains("rule is missing"));
  CHECK_THAT(error_of({sp + "={rule: promising-zone}"}), Catch::Contains("max_sample_size is missing"));
  CHECK_THAT(error_of({sp + ".max_samplesize=300"}),
             Catch::Contains("unknown key 'max_samplesize'") && Catch::Contains("did you mean 'max_sample_size'"));
  CHECK_THAT(error_of({"design.accrual.cap_per_site=50"}),
             Catch::Contains(sp + ".max_sample_size") && Catch::Contains("sites x cap_per_site"));
  CHECK_THAT(error_of({"analysis.method=mmrm"}), Catch::Contains(sp) && Catch::Contains("disjoint children") &&
                                                     Catch::Contains("analysis.method: ancova"));
  // A search over design.sample_size is refused: the cap is fixed.
  SampleSizeSearch search;
  search.target = 0.8;
  try {
    (void)find_sample_size(test::load_shipped(kScenario), search);
    FAIL("the search was not refused");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::data);
    CHECK_THAT(std::string(e.what()), Catch::Contains(sp) && Catch::Contains("remove sample_size_reestimation"));
  }
  // A scenario with re-estimation writes back what it read.
  const Scenario s = load_scenario_text(base, "s.yaml");
  CHECK(load_scenario_text(to_yaml(s), "t.yaml").design.interims == s.design.interims);
}
