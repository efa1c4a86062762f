#include <algorithm>
#include <sstream>
#include <catch2/catch.hpp>

#include "celltrial/core/error.hpp"
#include "celltrial/design/study.hpp"
#include "celltrial/design/sweep.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/report/summary.hpp"
#include "celltrial/report/tables.hpp"
#include "test_support.hpp"

using namespace celltrial;

TEST_CASE("design: sweep axes and grids", "[design]") {
  const SweepAxis a = parse_sweep_axis("arms.ucb.modifiers.age.multipliers=[1.4,0.6],[1,1]");
  CHECK(a.key == "arms.ucb.modifiers.age.multipliers");
  CHECK(a.values == std::vector<std::string>{"[1.4,0.6]", "[1,1]"});
  const SweepAxis b = parse_sweep_axis("design.sample_size=100,200,300");
  CHECK(sweep_grid({a, b}, false).size() == 6);
  CHECK_THROWS_AS(sweep_grid({a, b}, true), Error);  // zip needs equal lengths
  CHECK(sweep_grid({b, parse_sweep_axis("analysis.alpha=0.05,0.025,0.01")}, true).size() == 3);
  CHECK_THROWS_AS(parse_sweep_axis("design.sample_size"), Error);
  CHECK_THROWS_AS(parse_sweep_axis("design.sample_size=1,,2"), Error);
}

TEST_CASE("design: every sweep point equals a plain run with the same overrides", "[design][reproducibility]") {
  const std::string file = test::source_path("scenarios/validation/reference_ancova.yaml");
  auto load = [&](const std::vector<std::string>& sets) { return load_scenario_file(file, sets); };
  const std::vector<SweepAxis> axes{parse_sweep_axis("design.sample_size=100,200"),
                                    parse_sweep_axis("analysis.alpha=0.05,0.01")};
  const auto rows = run_sweep(load, {"simulation.trials=500"}, axes, false, SweepOptions{});
  REQUIRE(rows.size() == 4);
  for (const auto& r : rows) {
    Scenario s = load({"simulation.trials=500", "design.sample_size=" + r["point"]["design.sample_size"].get<std::string>(),
                       "analysis.alpha=" + r["point"]["analysis.alpha"].get<std::string>()});
    CHECK(dump_json(summarise(s, run_trials(s, EngineOptions{}))) == dump_json(r["summary"]));
  }
  // Common random numbers: at a fixed N the stricter alpha never rejects more often.
  CHECK(rows[1]["summary"]["power"]["count"].get<int>() <= rows[0]["summary"]["power"]["count"].get<int>());
  CHECK(rows[3]["summary"]["power"]["count"].get<int>() <= rows[2]["summary"]["power"]["count"].get<int>());
  const std::string csv = sweep_csv(rows, axes);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 5);
}

TEST_CASE("design: a bad sweep value names its grid point", "[design][errors]") {
  const std::string file = test::source_path("scenarios/validation/reference_ancova.yaml");
  auto load = [&](const std::vector<std::string>& sets) { return load_scenario_file(file, sets); };
  try {
    run_sweep(load, {}, {parse_sweep_axis("analysis.alpha=0.05,abc")}, false, SweepOptions{});
    FAIL("no error");
  } catch (const Error& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("sweep point 2 (analysis.alpha=abc)") && Catch::Contains("not a number"));
  }
  try {
    run_sweep(load, {}, {parse_sweep_axis("analysis.alpah=0.05")}, false, SweepOptions{});
    FAIL("no error");
  } catch (const Error& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("did you mean 'alpha'"));
  }
}

namespace {
// Fields of one CSV line (RFC 4180 quoting).
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') out.back() += c, ++i;
    else if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) out.emplace_back();
    else out.back() += c;
  }
  return out;
}
std::vector<std::vector<std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream is(text);
  for (std::string line; std::getline(is, line);) rows.push_back(csv_fields(line));
  return rows;
}
std::size_t column(const std::vector<std::string>& header, const std::string& name) {
  const auto it = std::find(header.begin(), header.end(), name);
  REQUIRE(it != header.end());
  return static_cast<std::size_t>(it - header.begin());
}
}  // namespace

TEST_CASE("design: sweep.csv gives every estimate its MC SE, for comparisons and subgroups", "[design][report]") {
  const std::string file = test::source_path("scenarios/responder_sensitivity.yaml");
  auto load = [&](const std::vector<std::string>& sets) { return load_scenario_file(file, sets); };
  const std::vector<SweepAxis> axes{parse_sweep_axis("design.sample_size=120,160")};
  const auto rows = run_sweep(load, {"simulation.trials=200"}, axes, false, SweepOptions{});
  const auto csv = csv_rows(sweep_csv(rows, axes));
  const auto& head = csv.front();
  const std::size_t subgroups = rows[0]["summary"]["subgroups"].size();
  REQUIRE(subgroups > 0);
  REQUIRE(csv.size() == 1 + 2 * (rows[0]["summary"]["comparisons"].size() + subgroups));
  for (const auto& r : csv) CHECK(r.size() == head.size());
  for (const std::string v : {"power", "power_favourable", "true_effect", "bias", "empirical_se", "model_se", "coverage",
                              "assurance", "randomised_mean", "analysed_mean", "screened_per_randomised", "mean_age_months", "share_under_5_years",
                              "share_gmfcs_I_III", "p_sae_difference_exceeds"})
    CHECK(head.at(column(head, v) + 1) == v + "_mc_se");
  CHECK(head.at(column(head, "estimate_mean") + 1) == "estimate_mc_se");
  // The values are the summary's: the first row is the primary comparison at N = 120, the row
  // after the comparisons its first subgroup.
  const auto& s = rows[0]["summary"];
  const auto& primary = csv[1];
  CHECK(primary[column(head, "true_effect_mc_se")] == s["comparisons"][0]["estimate"]["true_mc_se"].dump());
  CHECK(primary[column(head, "analysed_mean_mc_se")] == s["sample_size"]["analysed_mean_mc_se"].dump());
  CHECK(primary[column(head, "share_under_5_years_mc_se")] == s["enrolled"]["share_under_5_years_mc_se"].dump());
  CHECK(primary[column(head, "p_sae_difference_exceeds_mc_se")] == s["comparisons"][0]["safety"]["mc_se"].dump());
  CHECK(std::stod(primary[column(head, "analysed_mean_mc_se")]) > 0);
  const auto& sub = csv[1 + s["comparisons"].size()];
  CHECK(sub[column(head, "comparison")] == s["subgroups"][0]["label"].get<std::string>());
  CHECK(sub[column(head, "analysed_mean_mc_se")] == s["subgroups"][0]["analysed_mean_mc_se"].dump());
  CHECK(sub[column(head, "empirical_se_mc_se")] == s["subgroups"][0]["estimate"]["empirical_se_mc_se"].dump());
  CHECK(sub[column(head, "p_sae_difference_exceeds")].empty());
}

TEST_CASE("design: enrichment.csv gives every estimate its MC SE", "[design][report]") {
  const nlohmann::json row = {{"strategy", "under 5, \"young\""}, {"claim_population", "age < 60 months"}, {"n_total", 300},
                              {"power", 0.81},                    {"power_mc_se", 0.01},                   {"reached", true},
                              {"true_effect", 2.1},               {"true_effect_mc_se", 0.002},            {"screened_per_randomised", 1.9},
                              {"screened_per_randomised_mc_se", 0.003}, {"screened_total", 570},            {"screened_total_mc_se", 0.9},
                              {"accrual_months", 28.5},           {"accrual_months_mc_se", 0.045},         {"expected_sae", 40.2},
                              {"expected_sae_mc_se", 0.1},        {"share_under_5_years", 1.0},            {"share_under_5_years_mc_se", 0.0},
                              {"share_gmfcs_I_III", 0.66},        {"share_gmfcs_I_III_mc_se", 0.001}};
  nlohmann::json no_accrual = row;
  no_accrual["accrual_months"] = nullptr;
  no_accrual["accrual_months_mc_se"] = nullptr;
  const auto csv = csv_rows(enrichment_csv(nlohmann::json::array({row, no_accrual})));
  REQUIRE(csv.size() == 3);
  const auto& head = csv[0];
  for (const auto& r : csv) CHECK(r.size() == head.size());
  CHECK(csv[1][column(head, "strategy")] == "under 5, \"young\"");
  for (const std::string v : {"power", "true_effect", "screened_per_randomised", "screened_total", "accrual_months",
                              "expected_sae", "share_under_5_years", "share_gmfcs_I_III"}) {
    CHECK(head.at(column(head, v) + 1) == v + "_mc_se");
    CHECK(csv[1][column(head, v + "_mc_se")] == row[v + "_mc_se"].dump());
  }
  CHECK(csv[2][column(head, "accrual_months")].empty());
  CHECK(csv[2][column(head, "accrual_months_mc_se")].empty());
}

TEST_CASE("design: the tornado runs each end of each bar and reuses a base run it is given", "[design]") {
  const std::string file = test::source_path("scenarios/validation/reference_ancova.yaml");
  auto load = [&](const std::vector<std::string>& sets) { return load_scenario_file(file, sets); };
  TornadoSection t;
  t.vary = {{"analysis.alpha", {"0.01", "0.05"}}, {"design.sample_size", {"150", "250"}}};
  std::vector<Scenario> variants;
  for (const auto& v : tornado_variants(t)) {
    std::vector<std::string> sets{"simulation.trials=400"};
    sets.insert(sets.end(), v.overrides.begin(), v.overrides.end());
    variants.push_back(load(sets));
  }
  REQUIRE(variants.size() == 5);
  const nlohmann::json fresh = run_tornado(variants, t, StudyOptions{});
  const Accumulator base = run_trials(Model(variants[0]), EngineOptions{});
  CHECK(run_tornado(variants, t, StudyOptions{}, &base) == fresh);
  // A base run it is given is the one used: one of another seed gives the base bar its power
  // and leaves the other bars alone.
  Scenario other = variants[0];
  other.simulation.seed += 1;
  const Accumulator other_run = run_trials(Model(other), EngineOptions{});
  const nlohmann::json given = run_tornado(variants, t, StudyOptions{}, &other_run);
  CHECK(given["base"]["power"].get<double>() ==
        static_cast<double>(other_run.comparison(0).rejections_favourable) / static_cast<double>(other_run.trials()));
  CHECK(given["base"]["power"] != fresh["base"]["power"]);
  CHECK(given["rows"] == fresh["rows"]);
  // The base bar is the plain run's favourable power.
  CHECK(fresh["base"]["power"].get<double>() ==
        static_cast<double>(base.comparison(0).rejections_favourable) / static_cast<double>(base.trials()));
  // Bars are sorted by swing; the same trials tested at alpha 0.01 reject no more than at 0.05.
  REQUIRE(fresh["rows"].size() == 2);
  CHECK(fresh["rows"][0]["swing"].get<double>() >= fresh["rows"][1]["swing"].get<double>());
  for (const auto& r : fresh["rows"]) {
    const double lo = r["power_low"], hi = r["power_high"], se = r["swing_mc_se"];
    CHECK(r["swing"].get<double>() == std::fabs(hi - lo));
    // Paired by trial, the swing's MC SE is below the independent-runs bound.
    CHECK(se < std::hypot(r["power_low_mc_se"].get<double>(), r["power_high_mc_se"].get<double>()));
    if (r["key"] == "analysis.alpha") {
      // Every trial rejecting at 0.01 also rejects at 0.05, so the per-trial difference is 0 or 1
      // and its share d = high - low has sample variance d (1 - d) n / (n - 1).
      CHECK(lo <= hi);
      const double d = hi - lo, n = 400;
      CHECK(se == Approx(std::sqrt(d * (1 - d) / (n - 1))).epsilon(1e-12));
    }
  }
  // Ends of a bar with different trial counts cannot be paired: the independent-runs bound.
  TornadoSection u;
  u.vary = {{"simulation.trials", {"300", "400"}}};
  std::vector<Scenario> uneven{variants[0], load({"simulation.trials=300"}), variants[0]};
  const nlohmann::json ut = run_tornado(uneven, u, StudyOptions{});
  const auto& ur = ut["rows"][0];
  CHECK(ur["swing_mc_se"].get<double>() == std::hypot(ur["power_low_mc_se"].get<double>(), ur["power_high_mc_se"].get<double>()));
}

TEST_CASE("design: the design comparison pairs designs over trials and gives each rate its MC SE", "[design]") {
  // reference_ancova.yaml (a fixed design of 200) recruited at 10 sites; "obf" adds two looks.
  const std::string file = test::source_path("scenarios/validation/reference_ancova.yaml");
  DesignsSection d;
  d.variants = {{"fixed", {}},
                {"same", {}},
                {"obf", {{"design.interims", "{information: [0.5], efficacy: {boundary: obrien-fleming}}"}}}};
  d.null_overrides = {{"arms.treated.effect_by_month", "{12: 0}"}};
  auto load_all = [&](bool null) {
    std::vector<Scenario> out;
    for (const auto& v : design_variants(d, null)) {
      std::vector<std::string> sets{"simulation.trials=600", "design.accrual={sites: 10, screened_per_site_month: 1}"};
      sets.insert(sets.end(), v.overrides.begin(), v.overrides.end());
      out.push_back(load_scenario_file(file, sets));
    }
    return out;
  };
  const auto designs = load_all(false), nulls = load_all(true);
  REQUIRE(designs.size() == 3);
  CHECK_FALSE(designs[0].design.interims.active());
  CHECK(designs[2].design.interims.active());
  const nlohmann::json rows = run_designs(designs, nulls, d, StudyOptions{});
  REQUIRE(rows.size() == 3);
  // The first design has no difference; the same design again differs by exactly 0 (same trials).
  CHECK(rows[0]["power_difference"].is_null());
  CHECK(rows[1]["power_difference"].get<double>() == 0.0);
  CHECK(rows[1]["power_difference_mc_se"].get<double>() == 0.0);
  CHECK(rows[1]["power"] == rows[0]["power"]);
  // Each rate agrees with a plain run of the same scenario, with its binomial MC SE.
  for (std::size_t i : {std::size_t{0}, std::size_t{2}}) {
    const Accumulator acc = run_trials(Model(designs[i]), EngineOptions{});
    const double p = static_cast<double>(acc.comparison(0).rejections_favourable) / 600.0;
    CHECK(rows[i]["power"].get<double>() == p);
    CHECK(rows[i]["power_mc_se"].get<double>() == Approx(std::sqrt(p * (1 - p) / 600)));
    const Accumulator n0 = run_trials(Model(nulls[i]), EngineOptions{});
    CHECK(rows[i]["type1"].get<double>() == static_cast<double>(n0.comparison(0).rejections_favourable) / 600.0);
    CHECK(rows[i]["type1_mc_se"].is_number());
  }
  // The fixed design randomises its N in every trial; the group-sequential one fewer on average,
  // with an MC SE; its months to the decision with their MC SE.
  CHECK(rows[0]["expected_n"].get<double>() == 200);
  CHECK(rows[0]["expected_n_mc_se"].get<double>() == 0);
  CHECK(rows[2]["expected_n"].get<double>() < 200);
  CHECK(rows[2]["expected_n_mc_se"].get<double>() > 0);
  CHECK(rows[2]["expected_duration_months"].get<double>() > 0);
  CHECK(rows[2]["expected_duration_months_mc_se"].get<double>() > 0);
  // Neither design claims in the responders.
  CHECK(rows[2]["claim_responders"].is_null());
  // designs.csv has a row per design with every MC SE.
  const std::string csv = designs_csv(rows);
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 4);
  CHECK(csv.find("power_mc_se") != std::string::npos);
  CHECK(designs_table(rows).find("obf") != std::string::npos);
}
