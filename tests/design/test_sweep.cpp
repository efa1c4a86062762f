#include <catch2/catch.hpp>

#include "celltrial/core/error.hpp"
#include "celltrial/design/sweep.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/report/summary.hpp"
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
