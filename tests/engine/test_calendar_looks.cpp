// Interim looks at calendar months (design.interims.months): bad input, the bounds recomputed at the
// observed fractions, looks not held, threads, and the type I error and power of the design.
#include <algorithm>
#include <cmath>
#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "celltrial/analysis/interim.hpp"
#include "celltrial/design/summary.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/report/summary.hpp"
#include "celltrial/scenario/interims.hpp"
#include "celltrial/stats/group_sequential.hpp"
#include "test_support.hpp"

using namespace celltrial;

namespace {
const char* kScenario = "scenarios/validation/gs_calendar.yaml";

nlohmann::json run(const Scenario& s, int threads = 0) {
  EngineOptions o;
  o.threads = threads;
  return summarise(s, run_trials(s, o));
}

// The bounds of rpact's getDesignGroupSequential(typeOfDesign = "asOF", informationRates = t) at
// one-sided alpha 0.025, computed directly by stats (not through the scenario).
std::vector<double> spending_bounds(const std::vector<double>& t) {
  stats::GroupSequentialOptions o;
  o.information_fractions = t;
  o.boundary = stats::Boundary::spending;
  o.spending = stats::Spending::lan_demets_obrien_fleming;
  o.alpha = 0.025;
  o.sides = 1;
  return stats::design_group_sequential(o).critical_values;
}
}  // namespace

TEST_CASE("calendar looks: bad input gets located messages with a fix", "[interims][scenario][errors]") {
  const std::string base = test::read_text(test::source_path(kScenario));
  auto error_of = [&](const std::vector<std::string>& overrides) {
    return std::string(test::data_error(base, overrides).what());
  };
  CHECK_THAT(error_of({"design.interims.information=[0.3, 0.6]"}),
             Catch::Contains("s.yaml:") && Catch::Contains("design.interims.months") &&
                 Catch::Contains("given twice") && Catch::Contains("exactly one of information"));
  CHECK_THAT(error_of({"design.interims.months=[38.5, 25.5]"}),
             Catch::Contains("design.interims.months[1]") && Catch::Contains("increasing order of month"));
  CHECK_THAT(error_of({"design.interims.months=[25.5, 25.5]"}),
             Catch::Contains("design.interims.months[1]") && Catch::Contains("increasing"));
  CHECK_THAT(error_of({"design.interims.months=[-3, 25.5]"}), Catch::Contains("design.interims.months[0]"));
  CHECK_THAT(error_of({"design.interims.months=[10, 25.5]"}),
             Catch::Contains("design.interims.months[0]") && Catch::Contains("before any child can reach") &&
                 Catch::Contains("look later than month 12"));
  CHECK_THAT(error_of({"design.interims.months=[13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23]"}),
             Catch::Contains("design.interims.months") && Catch::Contains("at most 10"));
  for (const char* b : {"obrien-fleming", "pocock", "wang-tsiatis", "haybittle-peto"})
    CHECK_THAT(error_of({std::string("design.interims.efficacy.boundary=") + b}),
               Catch::Contains("design.interims.efficacy.boundary") && Catch::Contains("error-spending") &&
                   Catch::Contains("use spending-obrien-fleming"));
  CHECK_THAT(error_of({"design.interims.futility={rule: beta-spending, planned_effect: 1.3, planned_sd: 4}"}),
             Catch::Contains("design.interims.futility.rule") && Catch::Contains("not supported") &&
                 Catch::Contains("rule: z"));
  CHECK_THAT(error_of({"design.interims.futility={rule: z, threshold: 0, binding: true}"}),
             Catch::Contains("design.interims.futility.binding") && Catch::Contains("not supported") &&
                 Catch::Contains("binding: false"));
  CHECK_THAT(error_of({"design.interims.sample_size_reestimation={rule: conditional-power, target_power: 0.9, "
                       "max_sample_size: 600}"}),
             Catch::Contains("design.interims.sample_size_reestimation") && Catch::Contains("calendar looks is not supported") &&
                 Catch::Contains("information fractions"));
  CHECK_THAT(error_of({"design.interims.pause_enrolment=true"}),
             Catch::Contains("design.interims.pause_enrolment") && Catch::Contains("not supported") &&
                 Catch::Contains("remove pause_enrolment"));
  CHECK_THAT(error_of({"design.interims={efficacy: {boundary: spending-pocock}}"}),
             Catch::Contains("design.interims") && Catch::Contains("information and months are missing") &&
                 Catch::Contains("months: [24, 36]"));
  // Futility by Z and by conditional power, and the other spending families, are accepted.
  for (const char* ok : {"design.interims.futility={rule: z, threshold: 0}",
                         "design.interims.futility={rule: conditional-power, threshold: 0.1}",
                         "design.interims.efficacy={boundary: spending-hsd, parameter: -2}",
                         "design.interims.efficacy={boundary: spending-kim-demets}",
                         "design.interims.efficacy={boundary: spending-pocock}"})
    CHECK_NOTHROW(test::load_shipped(kScenario, {ok}));
  // The scenario writes back what it read.
  const Scenario s = load_scenario_text(base, "s.yaml");
  CHECK(s.design.interims.calendar());
  CHECK(load_scenario_text(to_yaml(s), "t.yaml").design.interims == s.design.interims);
}

TEST_CASE("calendar looks: each trial's bounds are those of the spending design at its observed fractions",
          "[interims]") {
  Scenario s = test::load_shipped(kScenario);
  // The cache's computation at given counts: held looks' fractions n_k / N, then 1; a look not held
  // has no bound.
  using Counts = CalendarBoundaries::Counts;
  for (const Counts& held : {Counts{130, 262}, Counts{0, 262}, Counts{141, 0}, Counts{}}) {
    std::vector<double> t;
    for (std::size_t k = 0; k < 2; ++k)
      if (held[k] > 0) t.push_back(static_cast<double>(held[k]) / 400.0);
    t.push_back(1.0);
    const std::vector<double> ref = spending_bounds(t);
    const CalendarBoundaries::Critical c = CalendarBoundaries::compute(s, held);
    std::size_t j = 0;
    for (std::size_t k = 0; k < 2; ++k) {
      if (held[k] == 0) {
        CHECK(std::isnan(c[k]));
        continue;
      }
      CHECK_THAT(c[k], Catch::WithinAbs(ref[j++], 1e-12));
    }
    CHECK_THAT(c[2], Catch::WithinAbs(ref.back(), 1e-12));
  }
  // The short cut (critical values without the alpha columns) is the same computation: the same bits.
  for (const std::vector<double>& t : {std::vector<double>{0.3375, 0.66, 1}, {0.29, 1}, {1}, {0.1, 0.2, 0.9, 1}}) {
    stats::GroupSequentialOptions o;
    o.information_fractions = t;
    o.spending = stats::Spending::hwang_shih_decani;
    o.hsd_gamma = -2;
    CHECK(stats::critical_values(o) == stats::design_group_sequential(o).critical_values);
  }
  // The trials: the bounds each analysis was tested against are those at the fractions it observed.
  const Model model(s);
  const TrialAnalysis analysis(model);
  const InterimAnalyses interims(s, analysis);
  TrialData d;
  InterimWorkspace ws;
  TrialResult r;
  int checked = 0;
  for (std::uint64_t i = 0; i < 60; ++i) {
    model.simulate(s.simulation.seed, i, d);
    interims.analyse(d, ws, r);
    const InterimResult& ir = r.interim;
    const CalendarBoundaries::Counts held = interims.calendar_counts(d);
    std::vector<double> t;
    for (std::size_t k = 0; k < 2; ++k) {
      // The look's count: children whose primary visit (month + 12) has come by the look's month.
      std::int64_t n = 0;
      for (double m : d.month) n += m + 12 <= s.design.interims.months[k];
      if (held[k] > 0) {
        CHECK(held[k] == n);
        t.push_back(static_cast<double>(n) / 400.0);
      }
    }
    t.push_back(1.0);
    const std::vector<double> ref = spending_bounds(t);
    std::size_t j = 0;
    for (std::size_t k = 0; k < 2; ++k) {
      if (held[k] == 0) continue;
      const double c = ref[j++];
      if (ir.stopped_at >= 0 && static_cast<std::size_t>(ir.stopped_at) < k) continue;  // not reached
      CHECK_THAT(ir.critical[k], Catch::WithinAbs(c, 1e-12));
      CHECK(ir.information[k] == static_cast<double>(held[k]) / 400.0);
      CHECK(ir.look_month[k] == s.design.interims.months[k]);
      ++checked;
    }
    if (ir.stopped_at < 0) CHECK_THAT(ir.critical[2], Catch::WithinAbs(ref.back(), 1e-12));
  }
  CHECK(checked >= 60);
  CHECK(interims.calendar_boundaries()->size() > 0);
}

TEST_CASE("calendar looks: the bounds at observed counts are rpact's at the observed fractions", "[interims]") {
  // tests/reference/calendar/reference.R: getDesignGroupSequential(informationRates = c(n_k / 400, 1)),
  // rpact's tolerance 1e-10; the bounds agree to 1e-6 (as the boundaries' own rpact reference).
  std::ifstream in(test::source_path("tests/reference/calendar/reference.json"));
  REQUIRE(in.good());
  const nlohmann::json ref = nlohmann::json::parse(in);
  REQUIRE(ref["cases"].size() == 6);
  for (const auto& c : ref["cases"]) {
    std::vector<std::string> set{"design.interims.efficacy.boundary=" + c["boundary"].get<std::string>()};
    if (!c["parameter"].is_null()) set.push_back("design.interims.efficacy.parameter=" + c["parameter"].dump());
    const Scenario s = test::load_shipped(kScenario, set);
    CalendarBoundaries::Counts held{};
    held[0] = c["held"][0].get<std::int64_t>();
    held[1] = c["held"][1].get<std::int64_t>();
    const CalendarBoundaries::Critical got = CalendarBoundaries::compute(s, held);
    std::vector<double> mine;
    for (std::size_t k = 0; k <= 2; ++k)
      if (k == 2 || held[k] > 0) mine.push_back(got[k]);
    const auto& want = c["critical"];
    REQUIRE(mine.size() == want.size());
    for (std::size_t k = 0; k < mine.size(); ++k) {
      INFO(c["boundary"] << " held " << c["held"] << " analysis " << k + 1);
      CHECK_THAT(mine[k], Catch::WithinAbs(want[k].get<double>(), 1e-6));
    }
  }
}

TEST_CASE("calendar looks: a look with no more children than the last, or with all of them, is not held",
          "[interims]") {
  // Month 25.52 adds a child to month 25.5's in few trials (about 10 children a month reach the
  // primary visit: P(none in 0.02 months) is about 0.82); by month 100 every child has reached the
  // 12-month visit (the look would be the final analysis).
  Scenario s = test::load_shipped(kScenario, {"design.interims.months=[25.5, 25.52, 100]", "simulation.trials=400",
                                              "arms[1].effect_by_month={12: 0}"});
  const auto j = run(s, 2);
  const auto& held = j["interims"]["held"];
  REQUIRE(held.size() == 3);
  CHECK(held[0]["estimate"].get<double>() > 0.95);
  CHECK(held[1]["estimate"].get<double>() < 0.5);
  CHECK(held[2]["count"] == 0);
  CHECK(j["stopping"]["efficacy"][2]["count"] == 0);
  CHECK(j["interims"]["observed_information"][2]["trials"] == 0);
  const double t0 = j["interims"]["observed_information"][0]["estimate"].get<double>();
  CHECK(t0 > 0.25);
  CHECK(t0 < 0.42);
  CHECK(!j["interims"].contains("estimate_at_stopping_adjusted"));
  CHECK(j["interims"].contains("estimate_at_stopping_adjusted_note"));
}

TEST_CASE("calendar looks: a look whose analysis estimates nothing is not held and spends no alpha", "[interims]") {
  // At month 12.3 a few children have reached the 12-month visit: in most trials too few (or none in
  // an arm) for the ANCOVA. Such a look is skipped like a look without children: the trial's bounds
  // are those of the spending design at the looks that were analysed, so none of the alpha is spent
  // on a look that could not stop.
  Scenario s = test::load_shipped(kScenario, {"design.interims.months=[12.3, 38.5]"});
  const Model model(s);
  const TrialAnalysis analysis(model);
  const InterimAnalyses interims(s, analysis);
  TrialData d;
  InterimWorkspace ws;
  TrialResult r;
  int skipped = 0, held_first = 0;
  for (std::uint64_t i = 0; i < 200; ++i) {
    model.simulate(s.simulation.seed, i, d);
    interims.analyse(d, ws, r);
    const InterimResult& ir = r.interim;
    const CalendarBoundaries::Counts counts = interims.calendar_counts(d);  // children at the primary visit
    std::vector<double> t;
    for (std::size_t k = 0; k < 2; ++k) {
      const bool held = !std::isnan(ir.look_month[k]);
      if (ir.stopped_at >= 0 && static_cast<std::size_t>(ir.stopped_at) < k) break;  // not reached
      if (held) {
        CHECK(std::isfinite(ir.z[k]));  // a held look always has its test
        t.push_back(static_cast<double>(counts[k]) / 400.0);
        held_first += k == 0;
      } else if (counts[k] > 0) {
        ++skipped;  // children, but nothing estimated
        CHECK(k == 0);
        CHECK(std::isnan(ir.z[k]));
        CHECK(std::isnan(ir.critical[k]));
      }
    }
    if (ir.stopped_at >= 0) continue;
    t.push_back(1.0);
    // The bounds the trial was tested against are those at the fractions of the looks it analysed.
    const std::vector<double> ref = spending_bounds(t);
    std::size_t j = 0;
    for (std::size_t k = 0; k < 2; ++k)
      if (!std::isnan(ir.look_month[k])) CHECK_THAT(ir.critical[k], Catch::WithinAbs(ref[j++], 1e-12));
    CHECK_THAT(ir.critical[2], Catch::WithinAbs(ref.back(), 1e-12));
  }
  // Both cases happen at this look.
  CHECK(skipped > 20);
  CHECK(held_first > 20);
  // In the summary the look's held share is the share of trials that tested there.
  const auto j = run(test::load_shipped(kScenario, {"design.interims.months=[12.3, 38.5]", "simulation.trials=400"}), 2);
  CHECK(j["interims"]["held"][0]["count"] == j["interims"]["z_distribution"]["analyses"][0]["trials"]);
}

TEST_CASE("calendar looks: results are bit-identical for 1 and 2 threads and any split", "[interims][reproducibility]") {
  Scenario s = test::load_shipped(kScenario, {"design.interims.futility={rule: conditional-power, threshold: 0.1}"});
  s.simulation.trials = 600;
  const std::string one = dump_json(run(s, 1));
  CHECK(dump_json(run(s, 2)) == one);
  const Accumulator whole = run_trials(s, EngineOptions{0, 0, 2});
  Accumulator parts = make_accumulator(s);
  for (auto [a, b] : {std::pair<std::uint64_t, std::uint64_t>{400, 600}, {0, 250}, {250, 400}})
    parts.merge(run_trials(s, EngineOptions{a, b, 1}));
  CHECK(parts == whole);
  CHECK(dump_json(summarise(s, parts)) == one);
  CHECK(Accumulator::from_state(whole.state()) == whole);
}

TEST_CASE("calendar looks: the type I error holds at alpha and naive repeated testing at the same looks inflates it",
          "[interims][statistical]") {
  // Under the null the bounds recomputed at each trial's observed fractions spend exactly alpha
  // (Lan & DeMets 1983), so the rejection rate is alpha = 0.025 within 3 MC SE (binomial at alpha:
  // 0.0016 at 10,000 trials), up to the t-to-z conversion. Testing each analysis at the fixed-design
  // 1.96 at the same looks (those held, then the final analysis) instead rejects about twice as often
  // (about 0.05 for three analyses at about 1/3, 2/3 and 1 of the information).
  const std::uint64_t trials = test::full_mode() ? 200000 : 10000;
  Scenario s = test::load_shipped("scenarios/validation/gs_calendar_null.yaml");
  s.simulation.trials = trials;
  const auto j = run(s, 2);
  const double n = static_cast<double>(trials);
  const double se = std::sqrt(0.025 * 0.975 / n);
  const double rate = j["power"]["estimate"].get<double>();
  INFO("type I error " << rate << " (" << (rate - 0.025) / se << " MC SE from 0.025)");
  CHECK(std::fabs(rate - 0.025) <= 3 * se);
  // Naive: the same trials' analyses at the looks held and at the end, each at 1.96, none stopping.
  const Model model(s);
  const TrialAnalysis analysis(model);
  const InterimAnalyses interims(s, analysis);
  TrialData d, look;
  TrialResult r;
  const double z975 = 1.959963984540054;
  std::uint64_t naive = 0;
  for (std::uint64_t i = 0; i < trials; ++i) {
    model.simulate(s.simulation.seed, i, d);
    const CalendarBoundaries::Counts held = interims.calendar_counts(d);
    bool any = false;
    for (std::size_t k = 0; k < 2 && !any; ++k) {
      if (held[k] == 0) continue;
      const double month = s.design.interims.months[k];
      const auto randomised =
          static_cast<std::size_t>(std::upper_bound(d.month.begin(), d.month.end(), month) - d.month.begin());
      restrict_trial(d, randomised, month, s, look);
      analysis.analyse(look, r);
      any = InterimAnalyses::z_of(r.comparisons[0], 1.0) >= z975;
    }
    if (!any) {
      analysis.analyse(d, r);
      any = InterimAnalyses::z_of(r.comparisons[0], 1.0) >= z975;
    }
    naive += any;
  }
  const double naive_rate = static_cast<double>(naive) / n;
  INFO("naive repeated testing " << naive_rate);
  CHECK(naive_rate > 0.025 + 6 * se);
  CHECK(naive_rate > 0.04);
}

TEST_CASE("calendar looks: power is that of the design at the looks' expected fractions", "[interims][statistical]") {
  // The information-fraction design whose fractions are the calendar looks' mean observed ones has
  // nearly the same power (the spending function fixes the alpha spent whatever the fractions; their
  // spread, SD about 0.03, moves power by far less than the MC error). Tolerance: 3.5 SE of the
  // difference of the two independent-looking estimates, sqrt(se1^2 + se2^2) (the same trials
  // correlate them, which only shrinks the difference's SE).
  const std::uint64_t trials = test::full_mode() ? 100000 : 6000;
  Scenario cal = test::load_shipped(kScenario);
  cal.simulation.trials = trials;
  const auto jc = run(cal, 2);
  const auto& oi = jc["interims"]["observed_information"];
  const double t1 = oi[0]["estimate"].get<double>(), t2 = oi[1]["estimate"].get<double>();
  INFO("expected fractions " << t1 << ", " << t2);
  CHECK(std::fabs(t1 - 1.0 / 3) < 0.03);
  CHECK(std::fabs(t2 - 2.0 / 3) < 0.03);
  Scenario info = cal;
  info.design.interims.months.clear();
  info.design.interims.information = {t1, t2};
  info.simulation.trials = trials;
  const auto ji = run(info, 2);
  const double pc = jc["power"]["estimate"].get<double>(), pi = ji["power"]["estimate"].get<double>();
  const double se = std::hypot(jc["power"]["mc_se"].get<double>(), ji["power"]["mc_se"].get<double>());
  INFO("power at calendar looks " << pc << ", at information " << pi << " (SE of difference " << se << ")");
  CHECK(std::fabs(pc - pi) <= 3.5 * se);
  CHECK(pc > 0.85);
}
