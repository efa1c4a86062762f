// The nuisance grid (nuisance_grid): simulate reports the type I error under the null hypothesis at
// every point and the worst case; each point is exactly the null scenario at that setting; a sharded
// run's merge reports the same; the grid's mistakes are located at the entry that holds them.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include <catch2/catch.hpp>

#include "celltrial/core/error.hpp"
#include "celltrial/design/operating_characteristics.hpp"
#include "celltrial/report/html.hpp"
#include "celltrial/services/merge.hpp"
#include "celltrial/services/simulate.hpp"
#include "celltrial/services/validate.hpp"
#include "test_support.hpp"

using namespace celltrial;
namespace fs = std::filesystem;

namespace {
fs::path fresh_folder(const std::string& name) {
  const fs::path p = fs::temp_directory_path() / ("celltrial-nuisance-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(p);
  return p;
}

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

/// The reference ANCOVA scenario (effect 1.3) with a nuisance grid over the residual SD and dropout.
std::string with_grid(const std::string& grid) {
  std::string text = file_text(test::source_path("scenarios/validation/reference_ancova.yaml"));
  return text + "\n" + grid;
}

const char* kGrid =
    "nuisance_grid:\n"
    "  trials: 1500\n"
    "  vary:\n"
    "    population.generic.residual_sd: [3, 5]\n"
    "    design.dropout.by_last_visit: [0, 0.3]\n";
}  // namespace

TEST_CASE("nuisance grid: each point is the null scenario at its setting, the worst case is the largest",
          "[services][nuisance]") {
  const fs::path dir = fresh_folder("run");
  services::SimulateRequest rq;
  rq.scenario_file = "grid.yaml";
  rq.scenario_text = with_grid(kGrid);
  rq.trials = 1000;
  rq.seed = 8;
  rq.threads = 2;
  rq.out = (dir / "run").string();
  const services::SimulateResult r = services::simulate(rq);
  const auto& g = r.summary.at("nuisance_grid");
  REQUIRE(g.at("points").size() == 4);
  CHECK(g.at("trials_per_point") == 1500);
  CHECK(g.at("alpha") == r.scenario.analysis.alpha);
  // Two-sided at 0.05: claims of benefit at level 0.025.
  CHECK(g.at("level") == r.scenario.analysis.alpha / 2);
  // The main run keeps its effect: its power is far above alpha, unlike every null point.
  CHECK(r.summary.at("power").at("estimate").get<double>() > 0.5);

  double worst = -1;
  for (const auto& p : g.at("points")) {
    // The same point simulated on its own: the scenario with every effect 0 at the point's values.
    services::SimulateRequest one = rq;
    one.trials = 1500;
    one.out = (dir / "one").string();
    one.overrides = {"arms.treated.effect_by_month={12: 0}"};
    for (const auto& [k, v] : p.at("settings").items()) one.overrides.push_back(k + "=" + v.get<std::string>());
    one.scenario_text = file_text(test::source_path("scenarios/validation/reference_ancova.yaml"));
    const services::SimulateResult alone = services::simulate(one);
    INFO(p.dump());
    CHECK(p.at("type_one_error").at("estimate") == alone.summary.at("power").at("favourable").at("estimate"));
    CHECK(p.at("type_one_error").at("mc_se") == alone.summary.at("power").at("favourable").at("mc_se"));
    CHECK(p.at("type_one_error").at("of") == 1500);
    CHECK_FALSE(p.contains("family_wise"));
    worst = std::max(worst, p.at("type_one_error").at("estimate").get<double>());
    fs::remove_all(dir / "one");
  }
  const auto& w = g.at("worst");
  CHECK(w.at("measure") == "type_one_error");
  CHECK(w.at("estimate").get<double>() == worst);
  CHECK(g.at("points").at(w.at("point").get<std::size_t>() - 1).at("settings") == w.at("settings"));
  const double a = r.scenario.analysis.alpha / 2;
  CHECK(w.at("within_level") == (worst <= a + 3 * w.at("mc_se").get<double>()));
  // The typed block is what summary.json holds, and the report shows it with the worst point marked.
  REQUIRE(r.characteristics.nuisance_grid);
  CHECK(to_json_fields(*r.characteristics.nuisance_grid) == g);
  const std::string html = html_report(rq.out);
  CHECK_THAT(html, Catch::Contains("id=\"nuisance-grid\"") && Catch::Contains("href=\"#nuisance-grid\""));
  CHECK_THAT(html, Catch::Contains("<tr class=\"chosen\"><th scope=\"row\">" + std::to_string(w.at("point").get<int>()) +
                                   "</th>"));
  CHECK_THAT(html, Catch::Contains(w.at("within_level").get<bool>() ? "within the level + 3 MC SE" : "above"));
  // Every null point's claims of benefit are near alpha / 2 (1500 trials: MC SE about 0.004; 4.5 SEs).
  for (const auto& p : g.at("points"))
    CHECK(std::abs(p.at("type_one_error").at("estimate").get<double>() - a) < 4.5 * std::sqrt(a * (1 - a) / 1500));

  // Sharded: the shards leave the grid to the merge, which reports the same block.
  rq.out = (dir / "shards").string();
  for (const char* k : {"1/2", "2/2"}) {
    rq.shard = k;
    services::simulate(rq);
  }
  const services::MergeResult m = services::merge({{(dir / "shards").string()}, (dir / "merged").string()});
  CHECK(m.summary.at("nuisance_grid") == g);
  CHECK(m.summary == r.summary);
  fs::remove_all(dir);
}

TEST_CASE("nuisance grid: mistakes are located at the grid's entries, before any trial runs", "[services][nuisance]") {
  auto message = [](const std::string& grid) {
    services::ValidateRequest v;
    v.scenario_file = "grid.yaml";
    v.scenario_text = with_grid(grid);
    try {
      services::validate(v);
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::data);
      return e.diagnostics().at(0).str();
    }
    return std::string("accepted");
  };
  // A value that does not fit its key: named with the grid point, at the value's line.
  const std::string bad_value = message("nuisance_grid:\n  vary:\n    design.dropout.by_last_visit: [0, 1.5]\n");
  CHECK_THAT(bad_value, Catch::Contains("at nuisance grid point 2 (design.dropout.by_last_visit=1.5)"));
  CHECK_THAT(bad_value, Catch::Contains("grid.yaml:"));
  // A misspelt key path: "did you mean".
  const std::string bad_key = message("nuisance_grid:\n  vary:\n    design.dropout.by_last_vist: [0, 0.1]\n");
  CHECK_THAT(bad_key, Catch::Contains("by_last_visit"));
  CHECK_THAT(message("nuisance_grid:\n  trials: 100\n"), Catch::Contains("nuisance_grid.vary"));
  CHECK_THAT(message("nuisance_grid:\n  vary: [1, 2]\n"), Catch::Contains("expected a mapping of key paths"));
  CHECK_THAT(message("nuisance_grid:\n  trials: -5\n  vary: {design.dropout.by_last_visit: [0]}\n"),
             Catch::Contains("nuisance_grid.trials"));
  CHECK_THAT(message("nuisance_grid:\n  tirals: 5\n  vary: {design.dropout.by_last_visit: [0]}\n"),
             Catch::Contains("trials"));
  CHECK(message("nuisance_grid:\n  vary: {design.dropout.by_last_visit: [0, 0.1]}\n") == "accepted");

  // simulate refuses the same before running anything or creating its folder.
  const fs::path dir = fresh_folder("refused");
  services::SimulateRequest rq;
  rq.scenario_file = "grid.yaml";
  rq.scenario_text = with_grid("nuisance_grid:\n  vary:\n    design.dropout.by_last_visit: [0, 1.5]\n");
  rq.out = dir.string();
  CHECK_THROWS_AS(services::simulate(rq), Error);
  CHECK_FALSE(fs::exists(dir));
}

TEST_CASE("nuisance grid: a multiplicity family's rate counts claims of benefit", "[services][nuisance]") {
  // The responder study's confirmatory family (Holm over the primary comparison and subgroups):
  // under the null the family's claims of benefit are what alpha / sides bounds.
  const fs::path dir = fresh_folder("family");
  services::SimulateRequest rq;
  rq.scenario_file = test::source_path("scenarios/responder_sensitivity.yaml");
  rq.overrides = {"nuisance_grid={trials: 2000, vary: {design.dropout.by_last_visit: [0.05, 0.2]}}"};
  rq.trials = 200;
  rq.threads = 2;
  rq.out = dir.string();
  const auto r = services::simulate(rq);
  const auto& g = r.summary.at("nuisance_grid");
  CHECK(g.at("worst").at("measure") == "family_wise");
  for (const auto& p : g.at("points")) {
    const double fw = p.at("family_wise").at("estimate").get<double>();
    const double se = std::sqrt(0.025 * 0.975 / 2000);
    INFO(p.dump());
    CHECK(fw >= p.at("type_one_error").at("estimate").get<double>());
    CHECK(fw < g.at("level").get<double>() + 4 * se);
  }
  fs::remove_all(dir);
}
