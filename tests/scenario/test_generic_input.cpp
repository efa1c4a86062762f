// Reading and validating population.generic's keys by visit (intercept_by_visit,
// residual_sd_by_visit, correlation, correlation_structure, correlation_matrix) and the missing-data
// keys the generic model now takes: every mistake is a located ExitCode::data diagnostic naming
// the key path, the problem and the fix; a valid scenario survives to_yaml and back.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "celltrial/core/error.hpp"
#include "celltrial/scenario/io.hpp"
#include "test_support.hpp"

using namespace celltrial;

namespace {
// A valid generic scenario with three visits and every new key.
const std::string kBase = R"(schema_version: 1
name: gv
population:
  outcome_model: generic
  generic:
    baseline_mean: 50
    baseline_sd: 10
    slope: 0.9
    intercept_by_visit: [6, 7, 9]
    residual_sd_by_visit: [3, 4, 5]
    correlation: 0.6
arms:
  - {name: control, role: control}
  - {name: treated, role: active, effect_by_month: {3: 0.5, 6: 1, 12: 1.5}}
design:
  sample_size: 100
  visits_months: [3, 6, 12]
  dropout: {by_last_visit: 0.2}
analysis:
  adjust_for: []
  primary_visit_months: 12
simulation:
  trials: 100
  seed: 1
)";

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  return s.replace(pos, from.size(), to);
}

std::vector<Diagnostic> diagnostics_of(const std::string& text, const std::vector<std::string>& set = {}) {
  try {
    load_scenario_text(text, "gv.yaml", set);
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::data);
    return e.diagnostics();
  }
  FAIL("expected an error for:\n" << text);
  return {};
}

// The diagnostic at `key_path`, located in the file when the key is in it.
Diagnostic diagnostic_at(const std::string& text, const std::string& key_path, const std::vector<std::string>& set = {}) {
  const auto ds = diagnostics_of(text, set);
  std::string all;
  for (const auto& d : ds) {
    if (d.key_path == key_path) {
      if (set.empty()) {  // (a key given with --set is located on the command line)
        CHECK(d.where.file == "gv.yaml");
        CHECK(d.where.line > 0);
      }
      CHECK_FALSE(d.fix.empty());
      return d;
    }
    all += d.str() + "\n";
  }
  FAIL("no diagnostic at " << key_path << "; got:\n" << all);
  return {};
}

std::string said(const Diagnostic& d) { return d.problem + " | " + d.fix; }
}  // namespace

TEST_CASE("generic input: the keys by visit load, are written and load back", "[scenario][generic_visits]") {
  const Scenario s = load_scenario_text(kBase, "gv.yaml");
  const GenericModel& g = s.population.generic;
  CHECK(g.intercept_by_visit == std::vector<double>{6, 7, 9});
  CHECK(g.residual_sd_by_visit == std::vector<double>{3, 4, 5});
  CHECK(g.intercept_at(1) == 7);
  CHECK(g.residual_sd_at(2) == 5);
  CHECK(g.correlation == 0.6);
  CHECK(g.correlation_structure == VisitCorrelation::ar1);
  CHECK(visit_correlation(g, 3) == std::vector<double>{1, 0.6, 0.6 * 0.6, 0.6, 1, 0.6, 0.6 * 0.6, 0.6, 1});
  const std::string yaml = to_yaml(s);
  CHECK_THAT(yaml, Catch::Contains("intercept_by_visit: [6, 7, 9]") && Catch::Contains("correlation: 0.6") &&
                       !Catch::Contains("correlation_structure") && !Catch::Contains("correlation_matrix"));
  CHECK(to_yaml(load_scenario_text(yaml, "back.yaml")) == yaml);

  const Scenario cs = load_scenario_text(kBase, "gv.yaml", {"population.generic.correlation_structure=cs"});
  CHECK(visit_correlation(cs.population.generic, 3) == std::vector<double>{1, 0.6, 0.6, 0.6, 1, 0.6, 0.6, 0.6, 1});
  const Scenario m = load_scenario_text(
      kBase, "gv.yaml", {"population.generic.correlation_matrix=[[1, 0.5, 0.2], [0.5, 1, 0.4], [0.2, 0.4, 1]]"});
  CHECK(visit_correlation(m.population.generic, 3) == std::vector<double>{1, 0.5, 0.2, 0.5, 1, 0.4, 0.2, 0.4, 1});
  const std::string my = to_yaml(m);
  CHECK(to_yaml(load_scenario_text(my, "back.yaml")) == my);
  // Without the keys nothing new is written (shipped generic scenarios stay as they were).
  CHECK_THAT(to_yaml(load_scenario_text(replace(replace(replace(kBase, "    intercept_by_visit: [6, 7, 9]\n", ""),
                                                        "    residual_sd_by_visit: [3, 4, 5]\n", ""),
                                                "    correlation: 0.6\n", ""),
                                        "gv.yaml")),
             !Catch::Contains("by_visit") && !Catch::Contains("correlation"));
}

TEST_CASE("generic input: values by visit need one per visit", "[scenario][generic_visits][errors]") {
  auto d = diagnostic_at(replace(kBase, "[6, 7, 9]", "[6, 7]"), "population.generic.intercept_by_visit");
  CHECK_THAT(said(d), Catch::Contains("2 values for the 3 visits of design.visits_months [3, 6, 12]") &&
                          Catch::Contains("one value per visit"));
  d = diagnostic_at(replace(kBase, "[3, 4, 5]", "[3, 4, 5, 6]"), "population.generic.residual_sd_by_visit");
  CHECK_THAT(said(d), Catch::Contains("4 values for the 3 visits") && Catch::Contains("residual_sd at every visit"));
  // A change of the visits alone makes the lists the wrong length, and says so.
  d = diagnostic_at(kBase, "population.generic.intercept_by_visit", {"design.visits_months=[6, 12]"});
  CHECK_THAT(said(d), Catch::Contains("the 2 visits of design.visits_months [6, 12]"));
  // The declared range of each SD.
  d = diagnostic_at(replace(kBase, "[3, 4, 5]", "[3, 0, 5]"), "population.generic.residual_sd_by_visit[1]");
  CHECK_THAT(said(d), Catch::Contains("must be > 0 (got 0)"));
}

TEST_CASE("generic input: correlations children can have", "[scenario][generic_visits][errors]") {
  auto d = diagnostic_at(replace(kBase, "correlation: 0.6", "correlation: 1"), "population.generic.correlation");
  CHECK_THAT(said(d), Catch::Contains("must be in (-1, 1) (got 1)"));
  // Compound symmetry over 3 visits: above -1/2.
  d = diagnostic_at(replace(kBase, "correlation: 0.6", "correlation: -0.6\n    correlation_structure: cs"),
                    "population.generic.correlation");
  CHECK_THAT(said(d), Catch::Contains("cs structure over 3 visits") && Catch::Contains("-1/(visits - 1) = -0.5") &&
                          Catch::Contains("got -0.6") && Catch::Contains("correlation_structure: ar1"));
  CHECK_NOTHROW(load_scenario_text(replace(kBase, "correlation: 0.6", "correlation: -0.6"), "gv.yaml"));  // ar1: any |rho| < 1
  CHECK_NOTHROW(load_scenario_text(replace(kBase, "correlation: 0.6", "correlation: -0.4\n    correlation_structure: cs"),
                                   "gv.yaml"));
  d = diagnostic_at(replace(kBase, "correlation: 0.6", "correlation_structure: compound"),
                    "population.generic.correlation_structure");
  CHECK_THAT(said(d), Catch::Contains("ar1") && Catch::Contains("cs"));
}

TEST_CASE("generic input: a correlation matrix must be visits x visits, symmetric, unit-diagonal and positive definite",
          "[scenario][generic_visits][errors]") {
  auto with = [](const std::string& matrix) {
    return replace(kBase, "correlation: 0.6", "correlation_matrix: " + matrix);
  };
  const std::string cm = "population.generic.correlation_matrix";
  auto d = diagnostic_at(with("[[1, 0.5], [0.5, 1]]"), cm);
  CHECK_THAT(said(d), Catch::Contains("2 rows for the 3 visits") && Catch::Contains("one row of 3 entries per visit"));
  d = diagnostic_at(with("[[1, 0.5, 0.2], [0.5, 1], [0.2, 0.4, 1]]"), cm + "[1]");
  CHECK_THAT(said(d), Catch::Contains("the row has 2 entries, not 3"));
  d = diagnostic_at(with("[[1, 0.5, 0.2], [0.5, 0.9, 0.4], [0.2, 0.4, 1]]"), cm + "[1][1]");
  CHECK_THAT(said(d), Catch::Contains("correlation with itself must be 1 (got 0.9)") && Catch::Contains("diagonal"));
  d = diagnostic_at(with("[[1, 0.5, 0.2], [0.4, 1, 0.4], [0.2, 0.4, 1]]"), cm + "[1][0]");
  CHECK_THAT(said(d), Catch::Contains("not symmetric") && Catch::Contains("[0][1] is 0.5 but [1][0] is 0.4") &&
                          Catch::Contains("the same value"));
  // Visits 1 and 2 each correlate 0.9 with visit 3 but -0.9 with each other: no children can.
  d = diagnostic_at(with("[[1, -0.9, 0.9], [-0.9, 1, 0.9], [0.9, 0.9, 1]]"), cm);
  CHECK_THAT(said(d), Catch::Contains("not positive definite") && Catch::Contains("smallest eigenvalue") &&
                          Catch::Contains("correlation_structure"));
  // An entry beyond [-1, 1]: the declared range, at the entry.
  d = diagnostic_at(with("[[1, 1.5, 0.2], [1.5, 1, 0.4], [0.2, 0.4, 1]]"), cm + "[0][1]");
  CHECK_THAT(said(d), Catch::Contains("must be from -1 to 1 (got 1.5)"));
  CHECK_NOTHROW(load_scenario_text(with("[[1, 0.5, 0.2], [0.5, 1, 0.4], [0.2, 0.4, 1]]"), "gv.yaml"));
}

TEST_CASE("generic input: missed visits, a shift after dropout, dropout on progress and the mmrm analysis are accepted, "
          "events, a delayed start and excess over expected are not",
          "[scenario][generic_visits][errors]") {
  for (const auto& set : std::vector<std::vector<std::string>>{{"design.dropout.missed_visit=0.05"},
                                                               {"design.dropout.mnar_shift_per_month=[0, -0.2]"},
                                                               {"design.dropout.per_point_of_progress=-0.1"},
                                                               {"analysis.method=mmrm"}}) {
    INFO(set.front());
    CHECK_NOTHROW(load_scenario_text(kBase, "gv.yaml", set));
  }
  auto d = diagnostic_at(kBase, "design.intercurrent_events[0]", {"design.intercurrent_events=[{name: botox, rate_per_month: 0.01}]"});
  CHECK_THAT(said(d), Catch::Contains("cp outcome model"));
  d = diagnostic_at(kBase, "design.delayed_start_month", {"design.delayed_start_month=12"});
  CHECK_THAT(said(d), Catch::Contains("cp outcome model"));
  d = diagnostic_at(kBase, "analysis.endpoint", {"analysis.endpoint=excess_over_expected"});
  CHECK_THAT(said(d), Catch::Contains("cp outcome model"));
}
