// Adaptive enrichment (design.interims.enrichment) in the patient-level engine: after the look
// selects the subgroup the later children all belong to it, are recruited after the look and need
// more screening; the family-wise error rate under the global null and the subgroup's error under
// the partial null (effect only in the complement) within alpha + 3 MC SE, the naive tests'
// inflation; reproducibility over threads, splits and saved states; bad input.
#include <algorithm>
#include <cmath>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "celltrial/analysis/interim.hpp"
#include "celltrial/design/sample_size.hpp"
#include "celltrial/design/summary.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/model/subgroups.hpp"
#include "celltrial/report/summary.hpp"
#include "celltrial/scenario/interims.hpp"
#include "test_support.hpp"

using namespace celltrial;

namespace {
const char* kScenario = "scenarios/validation/enrichment_responders.yaml";

nlohmann::json run(const Scenario& s, int threads = 0) {
  EngineOptions o;
  o.threads = threads;
  return summarise(s, run_trials(s, o));
}

double estimate(const nlohmann::json& x) { return x["estimate"].get<double>(); }
}  // namespace

TEST_CASE("enrichment: after selecting the subgroup, later children are all in it and take longer to recruit",
          "[enrichment]") {
  const Scenario s = test::load_shipped(kScenario);
  const Scenario e = enriched_scenario(s);
  // Eligibility: ages [12, 60) and GMFCS I-III.
  CHECK(e.population.eligibility.min_age_months == 12);
  CHECK(e.population.eligibility.max_age_months < 60);
  CHECK(e.population.eligibility.max_age_months > 59.999999);
  CHECK(e.population.eligibility.gmfcs == std::array<bool, 5>{true, true, true, false, false});
  const Model m(s), me(e);
  TrialData d, x, out;
  m.simulate(s.simulation.seed, 5, d);
  me.simulate(99, 5, x);
  const std::size_t kept = 230, added = d.size() - kept;
  const double look = d.month[kept - 1] + 0.5;
  Engine g = make_stream(s.simulation.seed, 5, Purpose::enrichment);
  m.accrue_after(s.simulation.seed, 5, d, kept, look, g, x.screens.data(), added, x.month.data());
  append_children(d, kept, x, added, s, out);
  REQUIRE(out.size() == d.size());
  const Subgroup& g0 = s.analysis.subgroups[0];
  std::uint64_t screens_before = 0, screens_after = 0;
  for (std::size_t j = 0; j < out.size(); ++j) {
    if (j < kept) {
      CHECK(out.change[j] == d.change[j]);
      CHECK(out.month[j] == d.month[j]);
      screens_before += out.screens[j];
    } else {
      CHECK(in_subgroup(g0, out.age[j], out.level[j], false, 0, 0));
      CHECK(out.month[j] > look);
      CHECK(out.month[j] >= out.month[j - 1]);
      screens_after += out.screens[j];
    }
  }
  // About 1 / 0.57 = 1.77 children screened per child enrolled after the look (geometric, SD 1.33 a
  // child: MC SE 0.1 over 170 children), 1 before it.
  CHECK(screens_before == kept);
  const double per_child = static_cast<double>(screens_after) / static_cast<double>(added);
  CHECK(per_child > 1.4);
  CHECK(per_child < 2.2);
  CHECK(out.screened == screens_before + screens_after);
  CHECK(out.totals.n[0] + out.totals.n[1] == static_cast<std::int64_t>(out.size()));
  CHECK(out.duration_months == out.month.back() + 12);
}

TEST_CASE("enrichment: the summary reports each final population and claim, the subgroup's trials take longer",
          "[enrichment]") {
  Scenario s = test::load_shipped(kScenario);
  s.simulation.trials = 2000;
  const auto j = run(s);
  REQUIRE(j.contains("enrichment"));
  const auto& e = j["enrichment"];
  const double total = estimate(e["final_population"]["full"]) + estimate(e["final_population"]["subgroup"]) +
                       estimate(e["final_population"]["stopped"]);
  CHECK(total == Approx(1).margin(1e-12));
  for (const char* k : {"full", "subgroup", "stopped"}) {
    CHECK(e["final_population"][k].contains("mc_se"));
    CHECK(e["claim_in_final_population"][k].contains("mc_se"));
  }
  // The effect is in the responders only: the look mostly selects them, and claims there dominate.
  CHECK(estimate(e["final_population"]["subgroup"]) > 0.5);
  CHECK(estimate(e["claim"]["subgroup"]) > estimate(e["claim"]["full"]));
  // The subgroup's trials screen more children and last longer than those that go on in everyone.
  const auto& by = e["by_selection"];
  CHECK(by["subgroup"]["screened_mean"]["mean"].get<double>() > by["full"]["screened_mean"]["mean"].get<double>() + 50);
  CHECK(by["subgroup"]["duration_months"]["mean"].get<double>() > by["full"]["duration_months"]["mean"].get<double>() + 5);
  // The primary comparison's power is the claim in everyone.
  CHECK(estimate(j["power"]) == Approx(estimate(e["claim"]["full"])).margin(1e-12));
  const std::string table = summary_table(j);
  CHECK_THAT(table, Catch::Contains("adaptive enrichment to 'responders'") && Catch::Contains("stopped at the look") &&
                        Catch::Contains("claims (closed test)"));
}

TEST_CASE("enrichment: family-wise error rate within alpha under the global and the partial null, naive tests inflate",
          "[enrichment][statistical]") {
  const std::uint64_t trials = test::full_mode() ? 400000 : 40000;
  const double alpha = 0.025, se = std::sqrt(alpha * (1 - alpha) / static_cast<double>(trials));
  // 200 children, look at 100; thresholds that make every decision happen often under the null.
  const std::vector<std::string> base{"design.sample_size=200",
                                      "design.interims.enrichment.complement_threshold=0",
                                      "design.interims.enrichment.subgroup_threshold=-1"};
  {
    std::vector<std::string> sets = base;
    sets.push_back("arms[1].effect_by_month={12: 0}");
    Scenario s = test::load_shipped(kScenario, sets);
    s.simulation.trials = trials;
    const auto j = run(s);
    const auto& e = j["enrichment"];
    INFO("global null: FWER " << estimate(e["claim"]["any"]) << " naive " << estimate(e["naive_test"]["any"]) << " (MC SE "
                              << se << "); subgroup selected " << estimate(e["selection"]["subgroup"]));
    CHECK(estimate(e["claim"]["any"]) <= alpha + 3 * se);
    CHECK(estimate(e["selection"]["subgroup"]) > 0.2);
    CHECK(estimate(e["selection"]["full"]) > 0.2);
    // Two hypotheses tested unadjusted on pooled data: clearly above alpha.
    CHECK(estimate(e["naive_test"]["any"]) > alpha + 4 * se);
  }
  {
    // The same with Bonferroni intersections and the rule on Z statistics.
    std::vector<std::string> sets = base;
    sets.push_back("arms[1].effect_by_month={12: 0}");
    sets.push_back("design.interims.enrichment.intersection_test=bonferroni");
    sets.push_back("design.interims.enrichment.statistic=z");
    Scenario s = test::load_shipped(kScenario, sets);
    s.simulation.trials = trials;
    const auto e = run(s)["enrichment"];
    INFO("global null, bonferroni, z: FWER " << estimate(e["claim"]["any"]) << " (MC SE " << se << ")");
    CHECK(estimate(e["claim"]["any"]) <= alpha + 3 * se);
    CHECK(estimate(e["selection"]["subgroup"]) > 0.2);
  }
  {
    // Effect (4 points) only at GMFCS IV-V, outside the responders: H_S is true.
    std::vector<std::string> sets = base;
    sets.push_back("arms[1].modifiers={gmfcs: {I: 0, II: 0, III: 0, IV: 1, V: 1}}");
    sets.push_back("arms[1].effect_by_month={12: 4}");
    Scenario s = test::load_shipped(kScenario, sets);
    s.simulation.trials = trials;
    const auto j = run(s);
    const auto& e = j["enrichment"];
    INFO("effect only in the complement: claim in the subgroup " << estimate(e["claim"]["subgroup"]) << ", in everyone "
                                                                 << estimate(e["claim"]["full"]));
    CHECK(estimate(e["claim"]["subgroup"]) <= alpha + 3 * se);
    CHECK(estimate(e["claim"]["full"]) > alpha + 6 * se);
  }
}

TEST_CASE("enrichment: bit-identical for 1 and 2 threads, any split and a saved state", "[enrichment][reproducibility]") {
  Scenario s = test::load_shipped(kScenario);
  s.simulation.trials = 600;
  const std::string one = dump_json(run(s, 1));
  CHECK(dump_json(run(s, 2)) == one);
  const Accumulator whole = run_trials(s, EngineOptions{0, 0, 2});
  Accumulator parts = make_accumulator(s);
  for (auto [a, b] : {std::pair<std::uint64_t, std::uint64_t>{350, 600}, {0, 100}, {100, 350}})
    parts.merge(run_trials(s, EngineOptions{a, b, 1}));
  CHECK(parts == whole);
  CHECK(Accumulator::from_state(whole.state()) == whole);
  CHECK(whole.state()["interims"].contains("enrichment"));
  CHECK(dump_json(summarise(s, parts)) == one);
}

TEST_CASE("enrichment: bad input gets located messages with a fix", "[enrichment][scenario][errors]") {
  const std::string base = test::read_text(test::source_path(kScenario));
  auto error_of = [&](const std::vector<std::string>& overrides) {
    return std::string(test::data_error(base, overrides).what());
  };
  const std::string ep = "design.interims.enrichment";
  std::string misspelt = base;
  const auto at = misspelt.find("subgroup: responders");
  const auto line = 1 + std::count(misspelt.begin(), misspelt.begin() + static_cast<std::ptrdiff_t>(at), '\n');
  misspelt.replace(at, std::string("subgroup: responders").size(), "subgroup: responder");
  CHECK_THAT(std::string(test::data_error(misspelt).what()),
             Catch::Contains("s.yaml:" + std::to_string(line) + ":17:") && Catch::Contains(ep + ".subgroup") &&
                 Catch::Contains("no subgroup 'responder'") && Catch::Contains("did you mean 'responders'"));
  CHECK_THAT(error_of({ep + ".subgroup=toddlers"}), Catch::Contains("the subgroups are"));
  CHECK_THAT(error_of({"design.interims.information=[0.3, 0.6]"}),
             Catch::Contains(ep) && Catch::Contains("one interim look") && Catch::Contains("2 looks"));
  CHECK_THAT(error_of({"design.interims.sample_size_reestimation={rule: promising-zone, max_sample_size: 600}"}),
             Catch::Contains(ep) && Catch::Contains("sample-size re-estimation is not supported"));
  CHECK_THAT(error_of({"analysis.method=mmrm"}), Catch::Contains(ep) && Catch::Contains("disjoint children"));
  CHECK_THAT(error_of({"design.interims.futility={rule: z, threshold: 0}"}),
             Catch::Contains(ep) && Catch::Contains("second futility rule"));
  CHECK_THAT(error_of({"analysis.subgroups=[{name: responders, age_months: {max: 60}, sex: male}]"}),
             Catch::Contains("analysis.subgroups[0]") && Catch::Contains("eligibility can restrict age"));
  CHECK_THAT(error_of({"analysis.subgroups=[{name: responders, age_months: {min: 130}}]"}),
             Catch::Contains("no eligible child belongs"));
  CHECK_THAT(error_of({"analysis.subgroups=[{name: responders, age_months: {max: 200}}]"}),
             Catch::Contains("every eligible child belongs"));
  CHECK_THAT(error_of({"analysis.subgroups[0].confirmatory=true"}),
             Catch::Contains("analysis.subgroups") && Catch::Contains("come from its closed test") &&
                 Catch::Contains("confirmatory: false"));
  CHECK_THAT(error_of({ep + "={subgroup: responders}"}), Catch::Contains(ep) && Catch::Contains("rule is missing"));
  CHECK_THAT(error_of({ep + ".rule=thresholds"}), Catch::Contains(ep + ".rule") && Catch::Contains("threshold"));
  CHECK_THAT(error_of({ep + ".intersection_test=holm"}), Catch::Contains(ep + ".intersection_test") && Catch::Contains("simes"));
  CHECK_THAT(error_of({ep + ".subgroup_treshold=0"}), Catch::Contains("did you mean 'subgroup_threshold'"));
  CHECK_THAT(error_of({"arms[1].effect_prior={distribution: normal, mean: 3, sd: 1}"}),
             Catch::Contains("arms[1].effect_prior") && Catch::Contains("not supported"));
  // A scenario with enrichment writes back what it read.
  const Scenario s = load_scenario_text(base, "s.yaml");
  CHECK(load_scenario_text(to_yaml(s), "t.yaml").design.interims == s.design.interims);
  CHECK(s.design.interims.enrichment.active());
}

TEST_CASE("enrichment: a sample-size search is refused with a located message", "[enrichment][errors]") {
  SampleSizeSearch search;
  search.target = 0.8;
  try {
    (void)find_sample_size(test::load_shipped(kScenario), search);
    FAIL("the search was not refused");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::data);
    CHECK_THAT(std::string(e.what()), Catch::Contains("enrichment_responders.yaml:") &&
                                          Catch::Contains("design.interims.enrichment") && Catch::Contains("sweep"));
  }
}
