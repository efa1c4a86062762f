// Arm selection (design.interims.arm_selection) in the patient-level engine: after the look drops an
// arm its later children go to control and the arm kept (the total stays design.sample_size); the
// family-wise error rate under the global null and under a partial null (one arm effective) within
// alpha + 3 MC SE, the naive tests' inflation; the selection and claim rates of a generic-endpoint
// trial against a stage-level simulation of the same design; reproducibility over threads, splits
// and saved states; bad input.
#include <algorithm>
#include <array>
#include <cmath>
#include <random>

#include <boost/math/distributions/students_t.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "celltrial/analysis/interim.hpp"
#include "celltrial/design/sample_size.hpp"
#include "celltrial/design/summary.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/report/summary.hpp"
#include "celltrial/scenario/interims.hpp"
#include "celltrial/stats/arm_selection.hpp"
#include "celltrial/stats/enrichment.hpp"
#include "test_support.hpp"

using namespace celltrial;

namespace {
// A generic endpoint (residual SD 4 after the baseline), three arms of 100, one-sided 0.025, one look
// when 150 children have reached the month-12 visit. Recruitment is slow (one child every 10 months)
// so that almost no child is in the pipeline at the look: stage 1 is the first 150 children (50 an arm)
// and stage 2 the next 150, shared by control and the arms kept, as a stage-level model draws them.
const char* kGeneric = R"(schema_version: 1
name: arm_selection_generic
population:
  outcome_model: generic
  generic: {baseline_mean: 50, baseline_sd: 10, intercept: 5, slope: 0.9, residual_sd: 4}
arms:
  - {name: control, role: control, allocation: 1}
  - {name: low, role: active, allocation: 1, effect_by_month: {12: 0}}
  - {name: high, role: active, allocation: 1, effect_by_month: {12: 0}}
design:
  sample_size: 300
  randomisation: fixed
  visits_months: [12]
  accrual: {sites: 1, screened_per_site_month: 0.1}
  interims:
    information: [0.5]
    efficacy: {boundary: obrien-fleming}
    arm_selection: {select: best, statistic: estimate, intersection_test: simes}
analysis:
  method: ancova
  primary_visit_months: 12
  alpha: 0.025
  sides: 1
simulation: {trials: 1000, seed: 5}
)";

Scenario generic(const std::vector<std::string>& sets = {}) { return load_scenario_text(kGeneric, "g.yaml", sets); }

nlohmann::json run(const Scenario& s, int threads = 0) {
  EngineOptions o;
  o.threads = threads;
  return summarise(s, run_trials(s, o));
}

double estimate(const nlohmann::json& x) { return x["estimate"].get<double>(); }
}  // namespace

TEST_CASE("arm selection: the rule keeps the best, those above a threshold, or those within epsilon", "[arm_selection]") {
  ArmSelection as;
  as.rule = ArmSelectionRule::best;
  const double stat[3] = {0.5, 1.5, 1.2};
  CHECK(select_arms(as, stat, 3) == 0b010);
  as.threshold = 2;  // a floor nobody reaches: stop
  CHECK(select_arms(as, stat, 3) == 0);
  as.rule = ArmSelectionRule::threshold;
  as.threshold = 1;
  CHECK(select_arms(as, stat, 3) == 0b110);
  as.rule = ArmSelectionRule::epsilon;
  as.threshold = NAN;
  as.epsilon = 0.4;
  CHECK(select_arms(as, stat, 3) == 0b110);
  as.epsilon = 1.0;
  CHECK(select_arms(as, stat, 3) == 0b111);
  as.threshold = 0.6;  // epsilon with a floor
  CHECK(select_arms(as, stat, 3) == 0b110);
  // A statistic that is not estimable never keeps its arm; none estimable: none kept.
  as = ArmSelection{};
  as.rule = ArmSelectionRule::best;
  const double some[2] = {NAN, -3};
  CHECK(select_arms(as, some, 2) == 0b10);
  const double none[2] = {NAN, NAN};
  CHECK(select_arms(as, none, 2) == 0);
}

TEST_CASE("arm selection: after an arm is dropped later children go to control and the arm kept, N stays",
          "[arm_selection]") {
  Scenario s = generic({"arms[2].effect_by_month={12: 1.5}"});
  s.simulation.trials = 400;
  EngineOptions o;
  o.threads = 1;
  std::uint64_t dropped_trials = 0;
  bool ok = true;
  std::string first_bad;
  o.on_trial = [&](std::uint64_t i, const TrialResult& r) {
    const bool was = ok;
    const ArmSelectionResult& x = r.interim.arm_selection;
    if (x.outcome != ArmSelectionResult::Outcome::continued) return;
    std::int64_t total = 0;
    for (std::size_t a = 0; a < 3; ++a) total += r.randomised[a];
    ok = ok && total == 300 && r.interim.randomised == 300;
    ++dropped_trials;
    // Stage 1 holds about 150 children (50 an arm); the arm kept gains about half of the next 150, as
    // control does (each side of the fixed sequences at most one child apart).
    const std::size_t kept = x.kept == 0b01 ? 1 : 2, dropped = 3 - kept;
    ok = ok && (x.kept == 0b01 || x.kept == 0b10) && r.randomised[dropped] <= 52 && r.randomised[kept] >= 120 &&
         std::llabs(r.randomised[kept] - r.randomised[0]) <= 2;
    // The dropped arm has no stage-2 statistic; the kept one does.
    ok = ok && std::isnan(x.z2[dropped - 1]) && std::isfinite(x.z2[kept - 1]);
    if (was && !ok)
      first_bad = "trial " + std::to_string(i) + ": kept " + std::to_string(x.kept) + ", randomised " +
                  std::to_string(r.randomised[0]) + " " + std::to_string(r.randomised[1]) + " " +
                  std::to_string(r.randomised[2]) + " of " + std::to_string(r.interim.randomised) + ", z2 " +
                  std::to_string(x.z2[0]) + " " + std::to_string(x.z2[1]);
  };
  const auto j = summarise(s, run_trials(s, o));
  INFO(first_bad);
  CHECK(ok);
  CHECK(dropped_trials > 200);
  const auto& e = j["arm_selection"];
  // The decisions partition the trials; the final selections partition those that went on.
  CHECK(estimate(e["outcome"]["continued"]) + estimate(e["outcome"]["stopped_futility"]) +
            estimate(e["outcome"]["stopped_efficacy"]) ==
        Approx(1.0));
  double sets = 0;
  for (const auto& x : e["final_selection"]) sets += estimate(x);
  CHECK(sets == Approx(estimate(e["outcome"]["continued"])));
  // Select best: one arm at a time; the high dose more often.
  CHECK(estimate(e["final_selection"][2]) == 0);
  CHECK(estimate(e["selected"][1]) > estimate(e["selected"][0]));
  // Each arm's power is its claim; the arm with no effect is the FWER's.
  CHECK(estimate(j["comparisons"][1]["power"]) == Approx(estimate(e["claim"][1])).margin(1e-12));
  CHECK(e["fwer"]["null_arms"] == nlohmann::json::array({"low"}));
  const std::string table = summary_table(j);
  CHECK_THAT(table, Catch::Contains("arm selection (select best on estimate") && Catch::Contains("final selection") &&
                        Catch::Contains("FWER"));
  CHECK_THAT(summary_csv(j), Catch::Contains("fwer") && Catch::Contains("p_selected_high"));
}

TEST_CASE("arm selection: family-wise error rate within alpha under the global and a partial null, naive tests inflate",
          "[arm_selection][statistical]") {
  const std::uint64_t trials = test::full_mode() ? 400000 : 40000;
  const double alpha = 0.025, se = std::sqrt(alpha * (1 - alpha) / static_cast<double>(trials));
  struct Case {
    std::vector<std::string> sets;
    const char* what;
  };
  const std::vector<Case> cases{
      {{}, "global null, best, simes"},
      {{"design.interims.arm_selection={select: threshold, threshold: 0, intersection_test: bonferroni}"},
       "global null, threshold 0, bonferroni"},
      {{"design.interims.arm_selection={select: epsilon, epsilon: 0.5, statistic: z}"}, "global null, epsilon on z"},
      {{"arms[2].effect_by_month={12: 2.4}"}, "partial null (high effective), best, simes"},
      {{"arms[2].effect_by_month={12: 1.2}", "design.interims.arm_selection={select: threshold, threshold: -0.5}"},
       "partial null (high effective), threshold -0.5"},
  };
  for (const auto& c : cases) {
    Scenario s = generic(c.sets);
    s.simulation.trials = trials;
    const auto j = run(s);
    const auto& e = j["arm_selection"];
    INFO(c.what << ": FWER " << estimate(e["fwer"]) << " naive " << estimate(e["naive_test"]["false_claim"])
                << " (MC SE " << se << "); continued " << estimate(e["outcome"]["continued"]));
    CHECK(estimate(e["fwer"]) <= alpha + 3 * se);
    // The rule's decisions happen (not a design that always stops at the look).
    CHECK(estimate(e["outcome"]["continued"]) > 0.5);
  }
  // Under the global null with every arm kept the naive tests (each arm alone, pooled data, at the
  // group-sequential bounds) are clearly above alpha.
  Scenario s = generic({"design.interims.arm_selection={select: threshold, threshold: -100}"});
  s.simulation.trials = trials;
  const auto e = run(s)["arm_selection"];
  INFO("naive false claims " << estimate(e["naive_test"]["false_claim"]));
  CHECK(estimate(e["naive_test"]["false_claim"]) > alpha + 4 * se);
}

namespace {
// The stage-level model of kGeneric (SD 4): 50 children an arm at the look, the next 150 shared
// equally by control and the arms kept; select best (floor 0 on the estimate); Simes. Each stage's
// statistics are t statistics with the ANCOVA's residual df (146 at the look: 150 children less the
// intercept, two arms and the baseline; 147 in stage 2 with one arm), put on the Z scale by their
// p-values as the engine does: with 50 children an arm the t's heavier tails lower the look's
// efficacy stops by about 0.01 against a known-variance model. Returns the shares of trials keeping
// each arm and claiming each arm.
struct StageRates {
  std::array<double, 2> kept{}, claim{};
};
StageRates stage_level(double e_low, double e_high, std::uint64_t reps) {
  const double c1 = 2.796510, c2 = 1.977432, w1 = std::sqrt(0.5), sd = 4, n1 = 50, n2 = 150;
  Engine g = make_stream(77, 0, Purpose::outcomes);
  const double theta[2] = {e_low, e_high}, df1 = 146, df2 = 147;
  std::chi_squared_distribution<double> chi1(df1), chi2(df2);
  auto z_of_t = [](double t, double df) {
    return stats::z_of_p(boost::math::cdf(boost::math::complement(boost::math::students_t_distribution<double>(df), t)));
  };
  std::array<std::uint64_t, 2> kept{}, claim{};
  for (std::uint64_t r = 0; r < reps; ++r) {
    const double m0 = sd * std_normal(g) / std::sqrt(n1);
    std::array<double, 2> est{}, z1{}, z2{NAN, NAN};
    const double s1 = sd * std::sqrt(chi1(g) / df1);
    for (std::size_t j = 0; j < 2; ++j) {
      est[j] = theta[j] + sd * std_normal(g) / std::sqrt(n1) - m0;
      z1[j] = z_of_t(est[j] / (s1 * std::sqrt(2 / n1)), df1);
    }
    unsigned claims = stats::closed_test_interim(z1.data(), 2, true, c1);
    if (claims == 0) {
      const std::size_t top = est[1] > est[0] ? 1 : 0;
      if (est[top] >= 0) {
        ++kept[top];
        const double per = n2 / 2;
        const double d = theta[top] + sd * std_normal(g) / std::sqrt(per) - sd * std_normal(g) / std::sqrt(per);
        z2[top] = z_of_t(d / (sd * std::sqrt(chi2(g) / df2) * std::sqrt(2 / per)), df2);
        claims = stats::closed_test_final(z1.data(), z2.data(), 2, true, w1, c1, c2);
      }
    }
    for (std::size_t j = 0; j < 2; ++j) claim[j] += claims >> j & 1u;
  }
  const double n = static_cast<double>(reps);
  StageRates out;
  for (std::size_t j = 0; j < 2; ++j) {
    out.kept[j] = static_cast<double>(kept[j]) / n;
    out.claim[j] = static_cast<double>(claim[j]) / n;
  }
  return out;
}
}  // namespace

TEST_CASE("arm selection: patient-level selection and claim rates agree with a stage-level simulation",
          "[arm_selection][statistical]") {
  // Effects 1.2 and 2.0 points (drifts 1.5 and 2.5 at the look): the patient-level trial (children,
  // baseline, ANCOVA) and the stage-level model of its statistics agree within 4 MC SE of the difference.
  const std::uint64_t trials = test::full_mode() ? 100000 : 20000, reps = 200000;
  Scenario s = generic({"arms[1].effect_by_month={12: 1.2}", "arms[2].effect_by_month={12: 2.0}",
                        "design.interims.arm_selection={select: best, threshold: 0}"});
  s.simulation.trials = trials;
  const auto e = run(s)["arm_selection"];
  const StageRates ref = stage_level(1.2, 2.0, reps);
  for (std::size_t j = 0; j < 2; ++j)
    for (auto [mine, theirs, what] : {std::tuple{estimate(e["selected"][j]), ref.kept[j], "kept"},
                                      {estimate(e["claim"][j]), ref.claim[j], "claimed"}}) {
      const double tol = 4 * std::sqrt(std::max(theirs * (1 - theirs), 1e-4) * (1.0 / static_cast<double>(trials) +
                                                                                  1.0 / static_cast<double>(reps)));
      INFO("arm " << j << " " << what << ": patient level " << mine << ", stage level " << theirs << " (tolerance "
                  << tol << ")");
      CHECK(std::fabs(mine - theirs) <= tol);
    }
}

TEST_CASE("arm selection: bit-identical for 1 and 2 threads, any split and a saved state", "[arm_selection][reproducibility]") {
  Scenario s = test::load_shipped("scenarios/arm_selection.yaml");
  s.simulation.trials = 300;
  const std::string one = dump_json(run(s, 1));
  CHECK(dump_json(run(s, 2)) == one);
  const Accumulator whole = run_trials(s, EngineOptions{0, 0, 2});
  Accumulator parts = make_accumulator(s);
  for (auto [a, b] : {std::pair<std::uint64_t, std::uint64_t>{170, 300}, {0, 50}, {50, 170}})
    parts.merge(run_trials(s, EngineOptions{a, b, 1}));
  CHECK(parts == whole);
  CHECK(Accumulator::from_state(whole.state()) == whole);
  CHECK(whole.state()["interims"].contains("arm_selection"));
  CHECK(dump_json(summarise(s, parts)) == one);
}

TEST_CASE("arm selection: bad input gets located messages with a fix", "[arm_selection][scenario][errors]") {
  const std::string base = test::read_text(test::source_path("scenarios/arm_selection.yaml"));
  auto error_of = [&](const std::vector<std::string>& overrides) {
    return std::string(test::data_error(base, overrides).what());
  };
  const std::string ap = "design.interims.arm_selection";
  // A misspelt rule, located at its line.
  std::string misspelt = base;
  const auto at = misspelt.find("select: best");
  const auto line = 1 + std::count(misspelt.begin(), misspelt.begin() + static_cast<std::ptrdiff_t>(at), '\n');
  misspelt.replace(at, std::string("select: best").size(), "select: bets");
  CHECK_THAT(std::string(test::data_error(misspelt).what()),
             Catch::Contains("s.yaml:" + std::to_string(line) + ":") && Catch::Contains(ap + ".select") &&
                 Catch::Contains("best"));
  CHECK_THAT(error_of({ap + ".selct=best"}), Catch::Contains("did you mean 'select'"));
  // One active arm only.
  CHECK_THAT(error_of({"arms=[{name: sham, role: control}, {name: msc, role: active, effect_by_month: {12: 1}}]"}),
             Catch::Contains("arms") && Catch::Contains("two to 4 active arms") && Catch::Contains("is 1 active arm") &&
                 Catch::Contains("add a second active arm"));
  CHECK_THAT(error_of({"design.interims.information=[0.3, 0.6]"}),
             Catch::Contains(ap) && Catch::Contains("one interim look") && Catch::Contains("2 looks"));
  CHECK_THAT(error_of({"design.interims.enrichment={rule: threshold, subgroup: young}",
                       "analysis.subgroups=[{name: young, age_months: {max: 72}}]"}),
             Catch::Contains(ap) && Catch::Contains("adaptive enrichment is not supported"));
  CHECK_THAT(error_of({"design.interims.sample_size_reestimation={rule: promising-zone, max_sample_size: 300}"}),
             Catch::Contains(ap) && Catch::Contains("sample-size re-estimation is not supported"));
  CHECK_THAT(error_of({"analysis.method=mmrm"}), Catch::Contains(ap) && Catch::Contains("disjoint children"));
  CHECK_THAT(error_of({"design.interims.futility={rule: z, threshold: 0}"}),
             Catch::Contains(ap) && Catch::Contains("second futility rule"));
  CHECK_THAT(error_of({"analysis.multiplicity=holm"}),
             Catch::Contains("analysis.multiplicity") && Catch::Contains("closed test"));
  // Rules and their numbers.
  CHECK_THAT(error_of({ap + "={select: threshold}"}), Catch::Contains(ap) && Catch::Contains("threshold is missing"));
  CHECK_THAT(error_of({ap + "={select: epsilon}"}), Catch::Contains(ap) && Catch::Contains("epsilon is missing"));
  CHECK_THAT(error_of({ap + "={select: epsilon, epsilon: -1}"}),
             Catch::Contains(ap + ".epsilon") && Catch::Contains("between 0 and 1e6"));
  CHECK_THAT(error_of({ap + ".epsilon=0.5"}), Catch::Contains(ap + ".epsilon") && Catch::Contains("only by 'select: epsilon'"));
  CHECK_THAT(error_of({ap + ".threshold=1e9"}), Catch::Contains(ap + ".threshold") && Catch::Contains("-1e6 and 1e6"));
  CHECK_THAT(error_of({ap + ".intersection_test=holm"}), Catch::Contains(ap + ".intersection_test") && Catch::Contains("simes"));
  CHECK_THAT(error_of({ap + "={statistic: z}"}), Catch::Contains(ap) && Catch::Contains("select is missing"));
  CHECK_THAT(error_of({"arms[1].effect_prior={distribution: normal, mean: 3, sd: 1}"}),
             Catch::Contains("arms[1].effect_prior") && Catch::Contains("not supported"));
  // A scenario with arm selection writes back what it read.
  const Scenario s = load_scenario_text(base, "s.yaml");
  CHECK(load_scenario_text(to_yaml(s), "t.yaml").design.interims == s.design.interims);
  CHECK(s.design.interims.arm_selection.active());
}

TEST_CASE("arm selection: a sample-size search is refused with a located message", "[arm_selection][errors]") {
  SampleSizeSearch search;
  search.target = 0.8;
  try {
    (void)find_sample_size(test::load_shipped("scenarios/arm_selection.yaml"), search);
    FAIL("the search was not refused");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::data);
    CHECK_THAT(std::string(e.what()), Catch::Contains("arm_selection.yaml:") &&
                                          Catch::Contains("design.interims.arm_selection") && Catch::Contains("sweep"));
  }
}
