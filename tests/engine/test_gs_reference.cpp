// The reference group-sequential design (scenarios/validation/gs_reference.yaml and its null twin):
// enrolment paused at each look, so the expected number randomised and the stopping probabilities
// are the closed forms of stats/group_sequential; naive repeated testing at the fixed design's bound
// inflates the type I error as the closed form says; the pause and adjust_for_baseline options.
#include <cmath>
#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "celltrial/analysis/interim.hpp"
#include "celltrial/design/summary.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/scenario/interims.hpp"
#include "celltrial/stats/group_sequential.hpp"
#include "test_support.hpp"

using namespace celltrial;

namespace {
const char* kReference = "scenarios/validation/gs_reference.yaml";
const char* kNull = "scenarios/validation/gs_reference_null.yaml";

nlohmann::json run(const Scenario& s, int threads = 0) {
  EngineOptions o;
  o.threads = threads;
  return summarise(s, run_trials(s, o));
}

// The closed form of the simulated design: its bounds, at the information the looks have (n_k / N
// children, n_k = ceil(t_k N)), and the drift of the t-test on the arms' final sizes (the fixed
// randomisation alternates arms: ceil(N / 2) and floor(N / 2); the drift is that of the final
// analysis, and the looks' means are drift x sqrt(t_k)).
struct ClosedForm {
  stats::ExitProbabilities exit;
  double expected_n = 0;
  std::vector<std::int64_t> children;
};
ClosedForm closed_form(const Scenario& s, double effect, double sd) {
  ClosedForm cf;
  stats::GroupSequentialDesign d = interim_boundaries(s).design;
  cf.children = interim_children(s);
  const std::int64_t N = s.design.sample_size;
  cf.children.push_back(N);
  for (std::size_t k = 0; k + 1 < cf.children.size(); ++k)
    d.information_fractions[k] = static_cast<double>(cf.children[k]) / static_cast<double>(N);
  const double n1 = static_cast<double>((N + 1) / 2), n0 = static_cast<double>(N / 2);
  cf.exit = stats::exit_probabilities(d, effect / (sd * std::sqrt(1 / n1 + 1 / n0)));
  double stopped = 0;
  for (std::size_t k = 0; k + 1 < cf.children.size(); ++k) {
    cf.expected_n += cf.exit.upper[k] * static_cast<double>(cf.children[k]);
    stopped += cf.exit.upper[k];
  }
  cf.expected_n += (1 - stopped) * static_cast<double>(N);
  return cf;
}

// |simulated - p| within z binomial MC SEs at p (plus `allowance`, stated by the caller).
void check_share(const nlohmann::json& est, double p, std::uint64_t n, const std::string& what, double allowance = 0,
                 double z = 3.5) {
  const double share = est["estimate"].get<double>();
  const double se = std::sqrt(std::max(p * (1 - p), 1e-12) / static_cast<double>(n));
  INFO(what << ": simulated " << share << " closed form " << p << " (MC SE " << se << ", " << (share - p) / se
            << " SE; allowance " << allowance << ")");
  CHECK(std::fabs(share - p) <= z * se + allowance + 1e-4);
}
}  // namespace

TEST_CASE("gs_reference: the closed form of the shipped design is rpact's", "[gs_reference]") {
  // rpact 3.3.4 (tests/reference/gs_reference/reference.json): the maximum N 430.85 of
  // getSampleSizeMeans is 432 with whole arms (celltrial power's n_max); at 432, getPowerMeans'
  // stopping probabilities and expected N (normal approximation) are the closed form of the
  // simulated design.
  std::ifstream in(test::source_path("tests/reference/gs_reference/reference.json"));
  REQUIRE(in);
  const auto ref = nlohmann::json::parse(in);
  const Scenario s = test::load_shipped(kReference);
  REQUIRE(s.design.interims.pause_enrolment);
  REQUIRE_FALSE(s.analysis.adjust_for_baseline);
  const double n_max = ref["sample_size"]["n_max"].get<double>();
  CHECK(s.design.sample_size == 2 * static_cast<std::int64_t>(std::ceil(n_max / 2)));
  const auto crit = interim_boundaries(s).design.critical_values;
  for (std::size_t k = 0; k < 3; ++k) CHECK(crit[k] == Approx(ref["critical"][k].get<double>()).margin(1e-6));
  for (const auto& c : ref["at_432"]) {
    if (!c["normal_approximation"].get<bool>()) continue;
    const double effect = c["alternative"].get<double>();
    const ClosedForm cf = closed_form(s, effect, 4.5);
    INFO("effect " << effect);
    CHECK(cf.children == std::vector<std::int64_t>{144, 288, 432});
    for (std::size_t k = 0; k < 3; ++k) CHECK(cf.exit.upper[k] == Approx(c["efficacy"][k].get<double>()).margin(1e-6));
    CHECK(cf.exit.upper_total == Approx(c["power"].get<double>()).margin(1e-6));
    CHECK(cf.expected_n == Approx(c["expected_n"].get<double>()).margin(1e-3));
  }
  // And close to getSampleSizeMeans' expected N at its fractional maximum.
  CHECK(closed_form(s, 1.42, 4.5).expected_n == Approx(ref["sample_size"]["expected_n_h1"].get<double>()).margin(0.5));
  CHECK(closed_form(s, 0.0, 4.5).expected_n == Approx(ref["sample_size"]["expected_n_h0"].get<double>()).margin(1.5));
}

TEST_CASE("gs_reference: expected N and stopping probabilities match the closed form", "[gs_reference][statistical]") {
  // Under H0 the looks' t statistics are put on the Z scale by their exact p-values: the closed form
  // holds within MC error alone (3.5 MC SEs). Under H1 the t statistics (df 142, 286 at the looks)
  // have heavier tails than Z, which lowers the early stops. Look 1 is checked against its exact
  // probability, the noncentral t's 0.05288 (reference.json look1_t_h1; the normal closed form's
  // 0.05731 is 0.0044 higher), within 3.5 MC SEs. The later analyses and E[N] have no exact closed
  // form for t statistics: they are checked against the normal closed form with an allowance of the
  // size of look 1's correction (0.006 on a probability; 2 children on E[N], where 0.0044 of the
  // trials going on from look 1 to 2 or 3 adds at most 0.0044 x 288 = 1.3) plus 3.5 MC SEs.
  std::ifstream in(test::source_path("tests/reference/gs_reference/reference.json"));
  REQUIRE(in);
  const double look1_t = nlohmann::json::parse(in)["look1_t_h1"].get<double>();
  const std::uint64_t trials = test::full_mode() ? 400000 : 40000;
  for (const char* file : {kNull, kReference}) {
    Scenario s = test::load_shipped(file);
    s.simulation.trials = trials;
    const bool h1 = std::string(file) == kReference;
    const ClosedForm cf = closed_form(s, h1 ? 1.42 : 0.0, 4.5);
    const auto j = run(s);
    const std::string name = h1 ? "H1 " : "H0 ";
    const double allowance = h1 ? 0.006 : 0;
    const auto& st = j["stopping"]["efficacy"];
    REQUIRE(st.size() == 3);
    if (h1) check_share(st[0], look1_t, trials, "H1 efficacy at look 1 (exact, noncentral t)");
    for (std::size_t k = 0; k < 3; ++k)
      check_share(st[k], cf.exit.upper[k], trials, name + "efficacy at analysis " + std::to_string(k + 1), allowance);
    check_share(j["power"], cf.exit.upper_total, trials, name + "rejection", allowance);
    const double en = j["sample_size"]["expected"].get<double>(), se = j["sample_size"]["expected_mc_se"].get<double>();
    INFO(name << "E[N]: simulated " << en << " (MC SE " << se << ") closed form " << cf.expected_n << ": "
              << (en - cf.expected_n) / se << " SE");
    CHECK(std::fabs(en - cf.expected_n) <= 3.5 * se + (h1 ? 2.0 : 0.0));
    CHECK(se > 0);
  }
}

TEST_CASE("gs_reference: with enrolment paused, a look's children are exactly those randomised", "[gs_reference]") {
  Scenario s = test::load_shipped(kReference);
  s.simulation.trials = 300;
  const Model model(s);
  const TrialAnalysis analysis(model);
  const InterimAnalyses interims(s, analysis);
  const auto m = interim_children(s);
  TrialData d;
  InterimWorkspace ws;
  TrialResult r;
  std::array<int, 3> stops{};
  for (std::uint64_t i = 0; i < s.simulation.trials; ++i) {
    model.simulate(s.simulation.seed, i, d);
    interims.analyse(d, ws, r);
    const InterimResult& ir = r.interim;
    for (int k = 0; k < ir.looks && (ir.stopped_at < 0 || k <= ir.stopped_at); ++k) {
      const auto n = static_cast<std::size_t>(m[static_cast<std::size_t>(k)]);
      // The look comes when its last child reaches the 12-month visit; nobody else is randomised
      // before it, and the next child only after it.
      CHECK(ir.look_month[static_cast<std::size_t>(k)] == d.month[n - 1] + 12);
      CHECK(d.month[n] >= ir.look_month[static_cast<std::size_t>(k)]);
    }
    ++stops[static_cast<std::size_t>(ir.stopped_at < 0 ? 2 : ir.stopped_at)];
    const std::int64_t expected = ir.stopped_at < 0 ? s.design.sample_size : m[static_cast<std::size_t>(ir.stopped_at)];
    CHECK(ir.randomised == expected);
    CHECK(r.analysed[0] + r.analysed[1] == expected);  // no dropout: every child randomised is analysed
  }
  CHECK(stops[0] > 0);
  CHECK(stops[1] > 0);
  CHECK(stops[2] > 0);
}

TEST_CASE("gs_reference: pausing enrolment changes only the months, and lengthens the trial", "[gs_reference]") {
  Scenario paused = test::load_shipped(kReference);
  paused.simulation.trials = 2000;
  Scenario running = paused;
  running.design.interims.pause_enrolment = false;
  const Model mp(paused), mr(running);
  TrialData a, b;
  for (std::uint64_t i = 0; i < 20; ++i) {
    mp.simulate(paused.simulation.seed, i, a);
    mr.simulate(running.simulation.seed, i, b);
    CHECK(a.change == b.change);
    CHECK(a.arm == b.arm);
    // The same waits between randomisations, except the one after each pause, counted from the look.
    for (std::size_t j = 0; j + 1 < a.size(); ++j)
      if (j + 1 != 144 && j + 1 != 288) CHECK(a.month[j + 1] - a.month[j] == Approx(b.month[j + 1] - b.month[j]).epsilon(1e-9));
    CHECK(a.month[144] >= a.month[143] + 12);
    CHECK(a.duration_months > b.duration_months + 23);
  }
  const auto jp = run(paused), jr = run(running);
  const double dp = jp["duration_months"]["expected"].get<double>(), dr = jr["duration_months"]["expected"].get<double>();
  INFO("expected duration: paused " << dp << " months, enrolment running " << dr << " months");
  CHECK(dp > dr + 5);
  // Without the pause, children are in the pipeline at a stop: more randomised than analysed at the look.
  CHECK(jr["sample_size"]["expected"].get<double>() > jp["sample_size"]["expected"].get<double>() + 20);
}

TEST_CASE("gs_reference: naive repeated testing at the fixed design's bound inflates the type I error",
          "[gs_reference][statistical]") {
  // The null design with two equally spaced looks; each trial's Z at each analysis is recorded. The
  // naive test rejects when Z_k >= 1.96 at any analysis: closed form 0.042 (stats::repeated_testing_alpha,
  // 0.0420 to 3 decimals), against the group-sequential design's 0.025.
  const std::uint64_t trials = test::full_mode() ? 400000 : 40000;
  Scenario s = test::load_shipped(kNull, {"design.interims.information=[0.5]"});
  s.simulation.trials = trials;
  const double c = 1.959963984540054;
  std::uint64_t naive = 0, group_sequential = 0;
  EngineOptions o;
  o.threads = 1;  // on_trial counts without locks
  o.on_trial = [&](std::uint64_t, const TrialResult& r) {
    const InterimResult& ir = r.interim;
    // A trial stopped at look 1 crossed 2.797 > 1.96; otherwise the final Z is there too.
    naive += ir.z[0] >= c || (ir.stopped_at < 0 && ir.z[1] >= c);
    group_sequential += r.comparisons[0].reject_favourable;
  };
  run_trials(s, o);
  const double p = stats::repeated_testing_alpha(2, 0.025);
  const double share = static_cast<double>(naive) / static_cast<double>(trials);
  const double se = std::sqrt(p * (1 - p) / static_cast<double>(trials));
  INFO("naive: simulated " << share << ", closed form " << p << " (MC SE " << se << ", " << (share - p) / se << " SE)");
  CHECK(std::fabs(share - p) <= 3 * se);
  const double gs = static_cast<double>(group_sequential) / static_cast<double>(trials);
  const double se0 = std::sqrt(0.025 * 0.975 / static_cast<double>(trials));
  INFO("group-sequential: " << gs);
  CHECK(std::fabs(gs - 0.025) <= 3 * se0);
  CHECK(share > gs + 6 * se);
}

TEST_CASE("gs_reference: without the baseline covariate the ANCOVA is the two-sample t-test", "[gs_reference]") {
  // Pooled-variance t-test by hand on a trial's data, against TrialAnalysis with
  // adjust_for_baseline: false (df n - 2).
  const Scenario s = test::load_shipped(kReference);
  const Model model(s);
  const TrialAnalysis analysis(model);
  TrialData d;
  TrialResult r;
  model.simulate(s.simulation.seed, 7, d);
  analysis.analyse(d, r);
  double n[2] = {0, 0}, sum[2] = {0, 0}, ss[2] = {0, 0};
  for (std::size_t j = 0; j < d.size(); ++j) {
    n[d.arm[j]] += 1;
    sum[d.arm[j]] += d.change[j];
  }
  for (std::size_t j = 0; j < d.size(); ++j) {
    const double e = d.change[j] - sum[d.arm[j]] / n[d.arm[j]];
    ss[d.arm[j]] += e * e;
  }
  const double diff = sum[1] / n[1] - sum[0] / n[0];
  const double s2 = (ss[0] + ss[1]) / (n[0] + n[1] - 2);
  const double se = std::sqrt(s2 * (1 / n[0] + 1 / n[1]));
  const ComparisonResult& c = r.comparisons[0];
  CHECK(c.df == n[0] + n[1] - 2);
  CHECK(c.estimate == Approx(diff).epsilon(1e-10));
  CHECK(c.se == Approx(se).epsilon(1e-8));
  // With the baseline covariate (uninformative here, slope 0): one df less, a different estimate.
  Scenario adj = s;
  adj.analysis.adjust_for_baseline = true;
  const Model ma(adj);
  const TrialAnalysis aa(ma);
  TrialResult ra;
  aa.analyse(d, ra);
  CHECK(ra.comparisons[0].df == c.df - 1);
  CHECK(ra.comparisons[0].estimate != c.estimate);
}

TEST_CASE("gs_reference: bad input for pause_enrolment and adjust_for_baseline gets located messages",
          "[gs_reference][scenario][errors]") {
  const std::string base = test::read_text(test::source_path(kReference));
  auto error_of = [&](const std::vector<std::string>& overrides, const std::string& text = "") {
    return std::string(test::data_error(text.empty() ? base : text, overrides).what());
  };
  CHECK_THAT(error_of({"design.interims.sample_size_reestimation={rule: conditional-power, max_sample_size: 600}"}),
             Catch::Contains("design.interims.pause_enrolment") && Catch::Contains("not supported") &&
                 Catch::Contains("remove pause_enrolment or sample_size_reestimation"));
  CHECK_THAT(error_of({"analysis.method=mmrm"}),
             Catch::Contains("analysis.adjust_for_baseline") && Catch::Contains("option of the ANCOVA") &&
                 Catch::Contains("analysis.method: ancova"));
  CHECK_THAT(error_of({"design.interims.pause_enrolment=sometimes"}),
             Catch::Contains("design.interims.pause_enrolment") && Catch::Contains("true"));
  CHECK_THAT(error_of({"analysis.adjust_for_baseline=0.5"}), Catch::Contains("analysis.adjust_for_baseline"));
  // A misspelt key in the file: located, with the right name offered.
  std::string typo = base;
  typo.replace(typo.find("    pause_enrolment:"), std::string("    pause_enrolment").size(), "    pause_enrollment");
  const std::string e = error_of({}, typo);
  CHECK_THAT(e, Catch::Contains("s.yaml:") && Catch::Contains("pause_enrollment") && Catch::Contains("pause_enrolment"));
  // Written back as read.
  const Scenario s = load_scenario_text(base, "s.yaml");
  const Scenario t = load_scenario_text(to_yaml(s), "t.yaml");
  CHECK(t.design.interims == s.design.interims);
  CHECK_FALSE(t.analysis.adjust_for_baseline);
}
