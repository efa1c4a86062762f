// Group-sequential interim analyses (design.interims): stopping probabilities against the closed
// forms of stats/group_sequential, results unchanged without interims, bad input, threads.
#include <cmath>

#include <catch2/catch.hpp>

#include "celltrial/analysis/interim.hpp"
#include "celltrial/design/summary.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/report/summary.hpp"
#include "celltrial/scenario/interims.hpp"
#include "celltrial/stats/group_sequential.hpp"
#include "test_support.hpp"

using namespace celltrial;

namespace {
const char* kScenario = "scenarios/validation/gs_overrunning.yaml";

nlohmann::json run(const Scenario& s, int threads = 0) {
  EngineOptions o;
  o.threads = threads;
  return summarise(s, run_trials(s, o));
}

// The closed form for the scenario's looks: its critical values, at the information fractions the
// looks actually have (ceil(t_k N) / N children with their primary visit), and its drift.
stats::ExitProbabilities closed_form(const Scenario& s, double drift) {
  stats::GroupSequentialDesign d = interim_boundaries(s).design;
  const auto m = interim_children(s);
  for (std::size_t k = 0; k < m.size(); ++k)
    d.information_fractions[k] = static_cast<double>(m[k]) / static_cast<double>(s.design.sample_size);
  return stats::exit_probabilities(d, drift);
}

// Simulated share vs a probability p: |share - p| within `z` binomial MC SEs (at p) plus a slack for
// the normal approximation of the t statistics.
void check_share(const nlohmann::json& est, double p, std::uint64_t n, const char* what, double z = 3.5) {
  const double share = est["estimate"].get<double>();
  const double se = std::sqrt(std::max(p * (1 - p), 1e-12) / static_cast<double>(n));
  INFO(what << ": simulated " << share << " closed form " << p << " (MC SE " << se << ", "
            << (share - p) / se << " SE)");
  CHECK(std::fabs(share - p) <= z * se + 1e-4);
}
}  // namespace

TEST_CASE("interims: stopping probabilities match the closed form under the null and under the effect",
          "[interims][statistical]") {
  // The closed form is asymptotic: the looks' t statistics on 134 children (the shipped scenario's
  // first look) have heavier tails than Z, which lowers the first look's efficacy stops by about
  // 0.004 under the effect. The test runs the scenario with 1200 children (400 at the first look) at
  // the same drift, where that is below the Monte Carlo error.
  const std::uint64_t trials = test::full_mode() ? 400000 : 20000;
  for (const double effect : {0.0, 0.75}) {
    Scenario s = test::load_shipped(kScenario, {"arms[1].effect_by_month={12: " + std::to_string(effect) + "}",
                                                "design.sample_size=1200", "design.accrual.sites=30"});
    s.simulation.trials = trials;
    const auto j = run(s);
    // ANCOVA SE of the effect: residual SD 4, 1:1 allocation (baseline imbalance is of order 1/N).
    const double n = static_cast<double>(s.design.sample_size);
    const double drift = effect / (4 * std::sqrt(4.0 / n));
    const stats::ExitProbabilities cf = closed_form(s, drift);
    const auto& st = j["stopping"];
    REQUIRE(st["efficacy"].size() == 3);
    for (std::size_t k = 0; k < 3; ++k) check_share(st["efficacy"][k], cf.upper[k], trials, k < 2 ? "look" : "final");
    check_share(st["efficacy_any"], cf.upper_total, trials, "overall rejection");
    check_share(j["power"], cf.upper_total, trials, "power");
    // Every trial stopped at a look randomised at most the planned 400.
    CHECK(j["sample_size"]["expected"].get<double>() <= n);
    CHECK(j["sample_size"]["max"] == s.design.sample_size);
    CHECK(j["duration_months"]["expected"].is_number());
  }
}

TEST_CASE("interims: the naive estimate at stopping is biased upwards under an effect, as expected",
          "[interims][statistical]") {
  Scenario s = test::load_shipped(kScenario);
  s.simulation.trials = 4000;
  const auto j = run(s);
  const auto& e = j["interims"]["estimate_at_stopping"];
  // Stopping early selects large estimates: a positive bias of several MC SEs.
  CHECK(e["bias"].get<double>() > 5 * e["bias_mc_se"].get<double>());
  // The final analyses (including the overrunning children) are close to unbiased by comparison.
  CHECK(std::fabs(j["estimate"]["bias"].get<double>()) < e["bias"].get<double>());
}

TEST_CASE("interims: conditional power and the Z conversion", "[interims]") {
  // At t = 1/2 with the current trend: CP = 1 - Phi((c - z sqrt(2)) / sqrt(1/2)):
  // z = 1: 1 - Phi(0.77181) = 0.22010; z = 2: 1 - Phi(-1.22818) = 0.89030; z = c sqrt(t): 1/2 at any t.
  CHECK(InterimAnalyses::conditional_power(1.0, 0.5, 1.96) == Approx(0.22010).epsilon(1e-4));
  CHECK(InterimAnalyses::conditional_power(2.0, 0.5, 1.96) == Approx(0.89030).epsilon(1e-4));
  CHECK(InterimAnalyses::conditional_power(1.96 * std::sqrt(0.3), 0.3, 1.96) == Approx(0.5).epsilon(1e-12));
  ComparisonResult r;
  r.estimable = true;
  r.t = 1.959963984540054;
  r.df = 1e7;
  CHECK(InterimAnalyses::z_of(r, 1.0) == Approx(1.959963984540054).epsilon(1e-5));
  CHECK(InterimAnalyses::z_of(r, -1.0) == Approx(-1.959963984540054).epsilon(1e-5));
  r.df = 10;  // heavier tails: a smaller Z
  CHECK(InterimAnalyses::z_of(r, 1.0) < 1.8);
  r.estimable = false;
  CHECK(std::isnan(InterimAnalyses::z_of(r, 1.0)));
}

TEST_CASE("interims: futility by Z and by conditional power stops trials under the null", "[interims]") {
  for (const char* rule : {"{rule: z, threshold: 0}", "{rule: conditional-power, threshold: 0.2}"}) {
    Scenario s = test::load_shipped(kScenario, {"arms[1].effect_by_month={12: 0}", std::string("design.interims.futility=") + rule});
    s.simulation.trials = 4000;
    const auto j = run(s);
    const double stop1 = j["stopping"]["futility"][0]["estimate"].get<double>();
    INFO(rule << ": futility at look 1 " << stop1);
    CHECK(stop1 > 0.3);
    // Non-binding futility only lowers the type I error.
    CHECK(j["power"]["estimate"].get<double>() <= 0.025 + 3 * std::sqrt(0.025 * 0.975 / 4000));
    CHECK(j["sample_size"]["expected"].get<double>() < 400);
  }
}

// Binding futility: the efficacy bounds are lower (computed with the futility bounds as lower
// boundaries under H0), so the type I error is alpha only because every futility stop is obeyed. The
// simulation under the null must stay within alpha + 3 MC SE, and match the closed form (alpha with
// the stops obeyed) within 3.5 MC SE; the rule z at 0 and beta spending at the planned drift.
TEST_CASE("interims: binding futility keeps the type I error at alpha", "[interims][statistical]") {
  const std::uint64_t trials = test::full_mode() ? 200000 : 10000;
  const std::string spending = "design.interims.efficacy={boundary: spending-obrien-fleming}";
  for (const char* rule : {"{rule: z, threshold: 0, binding: true}",
                           "{rule: beta-spending, planned_effect: 1.3, planned_sd: 4, binding: true}"}) {
    Scenario s = test::load_shipped(kScenario, {"arms[1].effect_by_month={12: 0}", spending,
                                                std::string("design.interims.futility=") + rule});
    s.simulation.trials = trials;
    const auto j = run(s);
    const stats::GroupSequentialDesign d = interim_boundaries(s).design;
    REQUIRE(d.futility == stats::Futility::binding);
    // Binding bounds are below the non-binding ones at the final analysis (where the difference is).
    Scenario nb = s;
    nb.design.interims.binding = false;
    CHECK(d.critical_values.back() < interim_boundaries(nb).design.critical_values.back() - 0.005);
    const double alpha = 0.025, se = std::sqrt(alpha * (1 - alpha) / static_cast<double>(trials));
    const double type1 = j["power"]["estimate"].get<double>();
    INFO(rule << ": type I error " << type1 << " (MC SE " << se << "), final bound " << d.critical_values.back());
    CHECK(type1 <= alpha + 3 * se);
    const stats::ExitProbabilities cf = closed_form(s, 0.0);
    check_share(j["stopping"]["efficacy_any"], cf.upper_total, trials, "rejection under H0");
    check_share(j["stopping"]["futility"][0], cf.futility[0], trials, "futility at look 1");
    CHECK(j["interims"]["futility"]["binding"] == true);
  }
}

// Beta-spending futility at the planned drift: with the planned effect the true one, the bounds are
// those of the design with power 1 - beta at that drift, and the simulated stops match its closed form
// (1200 children, as the closed-form test above, so the t statistics are close to Z).
TEST_CASE("interims: beta-spending futility stops as its closed form says", "[interims][statistical]") {
  const std::uint64_t trials = test::full_mode() ? 200000 : 10000;
  Scenario s = test::load_shipped(
      kScenario, {"arms[1].effect_by_month={12: 0.75}", "design.sample_size=1200", "design.accrual.sites=30",
                  "design.interims.efficacy={boundary: spending-obrien-fleming}",
                  "design.interims.futility={rule: beta-spending, planned_effect: 0.75, planned_sd: 4}"});
  s.simulation.trials = trials;
  const double drift = 0.75 / (4 * std::sqrt(4.0 / 1200));
  CHECK(planned_drift(s) == Approx(drift).epsilon(1e-12));
  const stats::GroupSequentialDesign d = interim_boundaries(s).design;
  CHECK(d.drift == Approx(drift).epsilon(1e-12));
  // Power 1 - beta at the drift, with beta what the design spends in all.
  CHECK(stats::exit_probabilities(d, drift).upper_total == Approx(1 - d.beta).epsilon(1e-7));
  const auto j = run(s);
  const auto& f = j["interims"]["futility"];
  REQUIRE(f["bounds"].size() == 2);
  CHECK(f["bounds"][0].get<double>() == Approx(d.futility_bounds[0]).epsilon(1e-9));
  CHECK(f["beta"].get<double>() == Approx(d.beta).epsilon(1e-9));
  const stats::ExitProbabilities cf = closed_form(s, drift);
  for (std::size_t k = 0; k < 2; ++k) {
    check_share(j["stopping"]["futility"][k], cf.futility[k], trials, "futility");
    check_share(j["stopping"]["efficacy"][k], cf.upper[k], trials, "efficacy");
  }
  check_share(j["power"], cf.upper_total, trials, "power");
}

// Not tagged [reproducibility]: the bits of whole shipped runs are the Release build's concern; the
// ThreadSanitizer copy (which runs that tag) would spend minutes on these 120,000 trials.
TEST_CASE("interims: without design.interims the results are those committed before interims existed",
          "[interims]") {
  for (const char* name : {"reference_ancova", "ucb_phase3_default"}) {
    const std::string scenario = std::string(name) == "reference_ancova" ? "scenarios/validation/reference_ancova.yaml"
                                                                         : "scenarios/default.yaml";
    const Scenario s = test::load_shipped(scenario);
    const std::string committed = test::read_text(test::source_path(std::string("results/") + name + "/summary.json"));
    REQUIRE(!committed.empty());
    CHECK(dump_json(run(s, 2)) == committed);
  }
}

TEST_CASE("interims: results are bit-identical for 1 and 2 threads and any split", "[interims][reproducibility]") {
  Scenario s = test::load_shipped(kScenario, {"design.interims.futility={rule: z, threshold: 0.5}"});
  s.simulation.trials = 1500;
  const std::string one = dump_json(run(s, 1));
  CHECK(dump_json(run(s, 2)) == one);
  const Accumulator whole = run_trials(s, EngineOptions{0, 0, 2});
  Accumulator parts = make_accumulator(s);
  for (auto [a, b] : {std::pair<std::uint64_t, std::uint64_t>{900, 1500}, {0, 400}, {400, 900}})
    parts.merge(run_trials(s, EngineOptions{a, b, 1}));
  CHECK(parts == whole);
  CHECK(dump_json(summarise(s, parts)) == one);
  // The saved state (shards, checkpoints) keeps the interim counts.
  CHECK(Accumulator::from_state(whole.state()) == whole);
  CHECK(whole.state().contains("interims"));
}

TEST_CASE("interims: bad input gets located messages with a fix", "[interims][scenario][errors]") {
  const std::string base = test::read_text(test::source_path(kScenario));
  auto error_of = [&](const std::vector<std::string>& overrides, const std::string& text = "") {
    return std::string(test::data_error(text.empty() ? base : text, overrides).what());
  };
  // No calendar.
  std::string no_accrual = base;
  no_accrual.replace(no_accrual.find("  accrual:\n"), std::string("  accrual:\n    sites: 10\n    screened_per_site_month: 1\n").size(), "");
  CHECK_THAT(error_of({}, no_accrual),
             Catch::Contains("s.yaml:") && Catch::Contains("design.interims") && Catch::Contains("design.accrual is missing") &&
                 Catch::Contains("add design.accrual"));
  CHECK_THAT(error_of({"design.interims.information=[0.6, 0.4]"}),
             Catch::Contains("design.interims.information[1]") && Catch::Contains("increasing"));
  CHECK_THAT(error_of({"design.interims.information=[0.5, 1]"}),
             Catch::Contains("design.interims.information[1]") && Catch::Contains("must be in (0, 1)"));
  CHECK_THAT(error_of({"design.interims.information=[0, 0.5]"}), Catch::Contains("design.interims.information[0]"));
  CHECK_THAT(error_of({"design.interims.information=[0.001]"}), Catch::Contains("too few to estimate"));
  CHECK_THAT(error_of({"design.interims.information=[0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55]"}),
             Catch::Contains("design.interims.information") && Catch::Contains("at most 10"));
  CHECK_THAT(error_of({"design.interims.efficacy.boundary=obrien-fleming-ish"}),
             Catch::Contains("design.interims.efficacy.boundary") && Catch::Contains("obrien-fleming"));
  CHECK_THAT(error_of({"design.interims.efficacy.parameter=0.3"}),
             Catch::Contains("design.interims.efficacy.parameter") && Catch::Contains("takes no parameter"));
  CHECK_THAT(error_of({"design.interims.efficacy={boundary: wang-tsiatis, parameter: 0.9}"}),
             Catch::Contains("design.interims.efficacy.parameter") && Catch::Contains("[0, 0.5]"));
  CHECK_THAT(error_of({"design.interims.futility={rule: conditional-power, threshold: 0.1, binding: true}"}),
             Catch::Contains("error: design.interims.futility.binding") &&
                 Catch::Contains("conditional-power futility cannot be binding") && Catch::Contains("binding: false"));
  CHECK_THAT(error_of({"design.interims.futility={binding: true}"}),
             Catch::Contains("design.interims.futility.binding") && Catch::Contains("needs a futility rule"));
  CHECK_THAT(error_of({"design.interims.futility={rule: z, threshold: 3}"}),
             Catch::Contains("design.interims.futility.threshold") && Catch::Contains("not below the efficacy bound"));
  // Binding: the efficacy bounds are computed with the threshold as lower boundary; one above an
  // efficacy bound is refused at the threshold.
  CHECK_THAT(error_of({"design.interims.futility={rule: z, threshold: 3, binding: true}"}),
             Catch::Contains("design.interims.futility.threshold") && Catch::Contains("not below its efficacy bound"));
  // Beta spending needs the planned effect and SD, a one-sided spending design, and no threshold.
  const std::string spending = "design.interims.efficacy={boundary: spending-obrien-fleming}";
  CHECK_THAT(error_of({spending, "design.interims.futility={rule: beta-spending, planned_sd: 4}"}),
             Catch::Contains("design.interims.futility.planned_effect") && Catch::Contains("no planned_effect is given") &&
                 Catch::Contains("add planned_effect"));
  CHECK_THAT(error_of({spending, "design.interims.futility={rule: beta-spending, planned_effect: 1.3}"}),
             Catch::Contains("design.interims.futility.planned_sd") && Catch::Contains("no planned_sd"));
  CHECK_THAT(error_of({"design.interims.futility={rule: beta-spending, planned_effect: 1.3, planned_sd: 4}"}),
             Catch::Contains("design.interims.efficacy.boundary") && Catch::Contains("alpha-spending") &&
                 Catch::Contains("spending-obrien-fleming"));
  CHECK_THAT(error_of({spending, "design.interims.futility={rule: beta-spending, planned_effect: 1.3, planned_sd: 4, "
                                 "threshold: 0}"}),
             Catch::Contains("design.interims.futility.threshold") && Catch::Contains("remove threshold"));
  CHECK_THAT(error_of({spending, "design.interims.futility={rule: z, threshold: 0, planned_effect: 1.3}"}),
             Catch::Contains("design.interims.futility.planned_effect") && Catch::Contains("rule: beta-spending"));
  CHECK_THAT(error_of({spending, "analysis.sides=2", "analysis.alpha=0.05",
                       "design.interims.futility={rule: beta-spending, planned_effect: 1.3, planned_sd: 4}"}),
             Catch::Contains("analysis.sides") && Catch::Contains("one-sided"));
  CHECK_THAT(error_of({spending, "design.interims.futility={rule: beta-spending, planned_effect: 1.3, planned_sd: 4, "
                                 "spending: pocock, spending_parameter: 2}"}),
             Catch::Contains("design.interims.futility.spending_parameter") && Catch::Contains("takes no parameter"));
  CHECK_THAT(error_of({spending, "design.interims.futility={rule: beta-spending, planned_effect: 1.3, planned_sd: 4, "
                                 "spending: kim-demets, spending_parameter: 20}"}),
             Catch::Contains("design.interims.futility.spending_parameter") && Catch::Contains("[0.4, 8]"));
  CHECK_THAT(error_of({spending, "design.interims.futility={rule: beta-spending, planned_effect: 0.2, planned_sd: 4}"}),
             Catch::Contains("design.interims.futility.planned_effect") && Catch::Contains("below 0.5"));
  CHECK_THAT(error_of({spending, "design.interims.futility={rule: beta-spending, planned_effect: -1, planned_sd: 4}"}),
             Catch::Contains("design.interims.futility.planned_effect"));
  CHECK_THAT(error_of({"design.interims.futility={rule: conditional-power, threshold: 2}"}),
             Catch::Contains("design.interims.futility.threshold") && Catch::Contains("(0, 1)"));
  CHECK_THAT(error_of({"design.interims={efficacy: {boundary: pocock}}"}),
             Catch::Contains("design.interims") && Catch::Contains("information and months are missing"));
  // A scenario with interims and without them writes back what it read.
  const Scenario s = load_scenario_text(base, "s.yaml");
  CHECK(load_scenario_text(to_yaml(s), "t.yaml").design.interims == s.design.interims);
}

TEST_CASE("interims: the Z distribution per analysis is that of a standard normal under the null", "[engine][statistical]") {
  // Under the null Z at the first look is N(0, 1) to within the t-to-z conversion (132 df): its
  // quantiles over 4000 trials lie within 4 MC SE of the normal's (MC SE of the p-quantile:
  // sqrt(p (1 - p) / n) / phi(z_p): 0.020 at the median, 0.033 at 5 and 95 %), plus half a bin.
  const Scenario s = load_scenario_file(test::source_path(kScenario), {"simulation.trials=4000", "arms[1].effect_by_month={12: 0}"});
  const nlohmann::json j = run(s, 2);
  const auto& zd = j["interims"]["z_distribution"];
  REQUIRE(zd["analyses"].size() == 3);
  const auto& q = zd["analyses"][0]["quantiles"];
  const double tol = 0.5 / 128;
  CHECK(std::fabs(q["0.5"].get<double>()) < 4 * 0.0198 + tol);
  CHECK(std::fabs(q["0.05"].get<double>() + 1.6449) < 4 * 0.0334 + tol);
  CHECK(std::fabs(q["0.95"].get<double>() - 1.6449) < 4 * 0.0334 + tol);
  CHECK(std::fabs(q["0.25"].get<double>() + 0.6745) < 4 * 0.0217 + tol);
  // Every trial makes the first analysis; the later ones only the trials that went on.
  const auto stopped0 = j["stopping"]["efficacy"][0]["count"].get<std::uint64_t>() +
                        j["stopping"]["futility"][0]["count"].get<std::uint64_t>();
  CHECK(zd["analyses"][0]["trials"].get<std::uint64_t>() == 4000);
  CHECK(zd["analyses"][1]["trials"].get<std::uint64_t>() + stopped0 == 4000);
  // The same for any thread count (exact histogram counts).
  CHECK(run(s, 1)["interims"]["z_distribution"] == zd);
}
