#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "celltrial/core/error.hpp"
#include "celltrial/scenario/io.hpp"
#include "test_support.hpp"

using namespace celltrial;

namespace {
// A small valid scenario; tests replace one line to break it.
const std::string kBase = R"(schema_version: 1
name: t
population:
  outcome_model: cp
  gmfcs_mix: {I: 0.5, II: 0.5}
arms:
  - {name: control, role: control, allocation: 1}
  - {name: ucb, role: active, allocation: 1, effect_by_month: {12: 1.4}}
design:
  sample_size: 100
  visits_months: [6, 12]
  dropout: {by_last_visit: 0.05}
analysis:
  primary_visit_months: 12
  alpha: 0.05
simulation:
  trials: 100
  seed: 1
)";

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  return s.replace(pos, from.size(), to);
}

// Loads text expecting failure; returns the combined message.
std::string error_of(const std::string& text, ExitCode code = ExitCode::data,
                     const std::vector<std::string>& overrides = {}) {
  try {
    load_scenario_text(text, "s.yaml", overrides);
  } catch (const Error& e) {
    CHECK(e.code() == code);
    return e.what();
  }
  FAIL("expected an error for:\n" << text);
  return "";
}
}  // namespace

TEST_CASE("scenario: the base scenario and the shipped scenarios load", "[scenario]") {
  const Scenario s = load_scenario_text(kBase, "s.yaml");
  CHECK(s.arms.size() == 2);
  CHECK(s.population.cp.mix[2] == 0);  // levels left out count as 0
  CHECK(s.analysis.sides == 2);        // default
  for (const char* f : {"scenarios/default.yaml", "scenarios/validation/reference_ancova.yaml",
                        "scenarios/validation/null_ancova.yaml"})
    CHECK_NOTHROW(test::load_shipped(f));
}

TEST_CASE("scenario: show output loads back to the same scenario", "[scenario]") {
  for (const char* f : {"scenarios/default.yaml", "scenarios/validation/reference_ancova.yaml"}) {
    const Scenario a = test::load_shipped(f);
    const std::string y1 = to_yaml(a);
    const Scenario b = load_scenario_text(y1, "shown.yaml");
    CHECK(to_yaml(b) == y1);
  }
  const Scenario c = load_scenario_text(kBase, "s.yaml", {"analysis.alpha=0.1234567890123"});
  CHECK(load_scenario_text(to_yaml(c), "x").analysis.alpha == 0.1234567890123);
}

TEST_CASE("scenario: show gives each value's origin, and its output loads back", "[scenario]") {
  // The line of `text` holding `key`, as "shown line ends with" text.
  auto line_of = [](const std::string& text, const std::string& key) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
      if (line.find(key) != std::string::npos) return line;
    FAIL("no line with " << key);
    return std::string();
  };
  const Scenario s = load_scenario_text(kBase, "s.yaml", {"analysis.alpha=0.025", "population.cp.curves.I.limit=88"});
  const std::string shown = to_yaml_with_sources(s);
  CHECK_THAT(line_of(shown, "sample_size:"), Catch::EndsWith("  # set at s.yaml:10"));
  CHECK_THAT(line_of(shown, "visits_months:"), Catch::EndsWith("  # set at s.yaml:11"));
  CHECK_THAT(line_of(shown, "alpha:"), Catch::EndsWith("  # set at command line (--set analysis.alpha=0.025)"));
  // The arms' entries are found by their place in the list (line 8 holds the second arm).
  CHECK_THAT(line_of(shown, "effect_by_month:"), Catch::EndsWith("  # set at s.yaml:8"));
  // Defaults name their source; sections that are off by default say so.
  CHECK_THAT(line_of(shown, "measurement_sd:"), Catch::Contains("# default: GMFM-66 SEM"));
  CHECK_THAT(line_of(shown, "decline:"), Catch::EndsWith("# default: off; the values are those of Hanna et al., DMCN 2009 (III/IV/V)"));
  CHECK_THAT(line_of(shown, "dose_response:"), Catch::EndsWith("# default: none (no dose-response)"));
  CHECK_THAT(line_of(shown, "sae_risk: 0.129"), Catch::EndsWith("# default: IPDMA: 16.0 % UCB vs 12.9 % control"));
  // A section set in part says which default the rest keep; a mix the scenario gives is its own
  // (the levels it leaves out are 0, not the registry's shares).
  CHECK_THAT(line_of(shown, "curves:"), Catch::EndsWith("# default where not marked: GMFM-66 stable-limit curves by GMFCS level: Rosenbaum et al., JAMA 2002"));
  CHECK_THAT(line_of(shown, "limit: 88"), Catch::EndsWith("# set at command line (--set population.cp.curves.I.limit=88)"));
  CHECK_THAT(line_of(shown, "gmfcs_mix:"), Catch::EndsWith("# set at s.yaml:5 (entries not given there are 0)"));
  CHECK_THAT(shown, !Catch::Contains("name: t  #"));
  // An effect given as SMDs is shown in points with where the SMDs were set.
  const Scenario m = test::load_shipped("scenarios/msc_intrathecal.yaml");
  CHECK_THAT(line_of(to_yaml_with_sources(m), "effect_by_month:"),
             Catch::Contains("# effect_smd_by_month x smd_sd, set at ") && Catch::Contains("msc_intrathecal.yaml:"));
  // Study sections: each swept key, strategy and tornado bar points to its own line.
  const Scenario st = test::load_shipped("scenarios/responder_sensitivity.yaml");
  const std::string study = to_yaml_with_sources(st);
  for (const char* key : {"    arms.ucb.modifiers.gmfcs: [{I: 1, ", "    under5: {", "    design.dropout.by_last_visit: ["})
    CHECK_THAT(line_of(study, key), Catch::Contains("# set at ") && Catch::Contains("responder_sensitivity.yaml:"));
  // The comments do not change what loads back.
  for (const Scenario* x : {&s, &m, &st}) CHECK(to_yaml(load_scenario_text(to_yaml_with_sources(*x), "shown.yaml")) == to_yaml(*x));
}

TEST_CASE("scenario: effects are interpolated between visits", "[scenario]") {
  Arm a;
  a.effect_by_month = {{6, 1.36}, {12, 1.42}};
  CHECK(effect_at(a, 0) == 0);
  CHECK(effect_at(a, 3) == Approx(0.68));
  CHECK(effect_at(a, 9) == Approx(1.39));
  CHECK(effect_at(a, 24) == Approx(1.42));
}

TEST_CASE("scenario: every bad input gets a located message with a fix", "[scenario][errors]") {
  SECTION("YAML syntax error names line and column") {
    const auto m = error_of(replace(kBase, "alpha: 0.05", "alpha: [0.05"));
    CHECK_THAT(m, Catch::Contains("s.yaml:") && Catch::Contains("YAML syntax error"));
  }
  SECTION("wrong type") {
    const auto m = error_of(replace(kBase, "alpha: 0.05", "alpha: abc"));
    CHECK_THAT(m, Catch::Contains("s.yaml:15:10") && Catch::Contains("analysis.alpha") &&
                      Catch::Contains("'abc' is not a number"));
  }
  SECTION("unknown key gets did-you-mean") {
    const auto m = error_of(replace(kBase, "alpha: 0.05", "alpah: 0.05"));
    CHECK_THAT(m, Catch::Contains("s.yaml:15:3") && Catch::Contains("analysis.alpah") &&
                      Catch::Contains("did you mean 'alpha'"));
  }
  SECTION("negative and zero SD") {
    auto m = error_of(replace(kBase, "outcome_model: cp", "outcome_model: generic\n  generic: {baseline_sd: -1}"));
    CHECK_THAT(m, Catch::Contains("population.generic.baseline_sd: must be > 0 (got -1)"));
    m = error_of(replace(kBase, "outcome_model: cp", "outcome_model: generic\n  generic: {residual_sd: 0}"));
    CHECK_THAT(m, Catch::Contains("population.generic.residual_sd: must be > 0 (got 0)"));
    m = error_of(replace(kBase, "outcome_model: cp", "outcome_model: cp\n  cp: {measurement_sd: -2}"));
    CHECK_THAT(m, Catch::Contains("population.cp.measurement_sd: must be ≥ 0 (got -2)"));
  }
  SECTION("more arms, visits or subgroups than the model runs: located errors, not internal ones") {
    std::string arms = "  - {name: control, role: control, allocation: 1}\n";
    for (int i = 0; i < 8; ++i)
      arms += "  - {name: a" + std::to_string(i) + ", role: active, allocation: 1, effect_by_month: {12: 1.4}}\n";
    const std::string nine = replace(replace(kBase, "  - {name: control, role: control, allocation: 1}\n", ""),
                                     "  - {name: ucb, role: active, allocation: 1, effect_by_month: {12: 1.4}}\n", arms);
    auto m = error_of(nine);
    CHECK_THAT(m, Catch::Contains("s.yaml:") && Catch::Contains("arms: there are 9 arms") &&
                      Catch::Contains("at most 8"));
    std::string visits;
    for (int v = 1; v <= 33; ++v) visits += (v > 1 ? ", " : "") + std::to_string(v);
    m = error_of(replace(replace(kBase, "[6, 12]", "[" + visits + "]"), "primary_visit_months: 12", "primary_visit_months: 33"));
    CHECK_THAT(m, Catch::Contains("design.visits_months: there are 33 visits") && Catch::Contains("at most 32"));
  }
  SECTION("GMFCS mix not summing to 1") {
    const auto m = error_of(replace(kBase, "{I: 0.5, II: 0.5}", "{I: 0.5, II: 0.4}"));
    CHECK_THAT(m, Catch::Contains("s.yaml:5:") && Catch::Contains("population.gmfcs_mix") &&
                      Catch::Contains("sum to 0.9"));
  }
  SECTION("allocation <= 0") {
    const auto m = error_of(replace(kBase, "role: active, allocation: 1", "role: active, allocation: 0"));
    CHECK_THAT(m, Catch::Contains("s.yaml:8:") && Catch::Contains("arms[1].allocation: must be in (0, 1000] (got 0)"));
  }
  SECTION("unsorted and duplicate visits") {
    auto m = error_of(replace(kBase, "[6, 12]", "[12, 6]"));
    CHECK_THAT(m, Catch::Contains("design.visits_months") && Catch::Contains("increasing"));
    m = error_of(replace(kBase, "[6, 12]", "[6, 6, 12]"));
    CHECK_THAT(m, Catch::Contains("without repeats"));
  }
  SECTION("primary visit not among the visits") {
    const auto m = error_of(replace(kBase, "primary_visit_months: 12", "primary_visit_months: 9"));
    CHECK_THAT(m, Catch::Contains("s.yaml:14:") && Catch::Contains("analysis.primary_visit_months") &&
                      Catch::Contains("not one of the visits"));
  }
  SECTION("alpha outside [1e-6, 0.5]") {
    CHECK_THAT(error_of(replace(kBase, "alpha: 0.05", "alpha: 0")), Catch::Contains("analysis.alpha: must be from 1e-06 to 0.5"));
    CHECK_THAT(error_of(replace(kBase, "alpha: 0.05", "alpha: 0.6")), Catch::Contains("analysis.alpha: must be from 1e-06 to 0.5"));
  }
  SECTION("trials 0 or absurdly large") {
    CHECK_THAT(error_of(replace(kBase, "trials: 100", "trials: 0")), Catch::Contains("simulation.trials"));
    CHECK_THAT(error_of(replace(kBase, "trials: 100", "trials: 1e13")), Catch::Contains("simulation.trials"));
  }
  SECTION("dropout, sides, ci level, sample size") {
    CHECK_THAT(error_of(replace(kBase, "by_last_visit: 0.05", "by_last_visit: 1")), Catch::Contains("[0, 1)"));
    CHECK_THAT(error_of(replace(kBase, "alpha: 0.05", "alpha: 0.05\n  sides: 3")), Catch::Contains("analysis.sides: must be from 1 to 2 (got 3)"));
    CHECK_THAT(error_of(replace(kBase, "sample_size: 100", "sample_size: 3")), Catch::Contains("design.sample_size"));
    CHECK_THAT(error_of(replace(kBase, "sample_size: 100", "sample_size: 10.5")), Catch::Contains("whole number"));
  }
  SECTION("arms: no control, duplicate names, enum typo") {
    CHECK_THAT(error_of(replace(kBase, "role: control", "role: active, effect_by_month: {12: 0}")),
               Catch::Contains("exactly one control arm"));
    CHECK_THAT(error_of(replace(kBase, "name: ucb", "name: control")), Catch::Contains("used twice"));
    CHECK_THAT(error_of(replace(kBase, "name: ucb", "name: all arms")),
               Catch::Contains("s.yaml:8:") && Catch::Contains("arms[1].name: 'all arms' labels the trial's totals"));
    CHECK_THAT(error_of(replace(kBase, "role: control", "role: contrl")), Catch::Contains("did you mean 'control'"));
  }
  SECTION("eligibility no child can meet") {
    const auto m = error_of(replace(kBase, "outcome_model: cp",
                                    "outcome_model: cp\n  age_months: {min: 12, max: 24}\n  eligibility: "
                                    "{min_age_months: 30, max_age_months: 40}"));
    CHECK_THAT(m, Catch::Contains("no child"));
  }
  SECTION("settings that would have no effect are rejected, not ignored") {
    const std::string active = "{name: ucb, role: active, allocation: 1, effect_by_month: {12: 1.4}}";
    auto with_active = [&](const std::string& extra) {
      return replace(kBase, active, "{name: ucb, role: active, allocation: 1, effect_by_month: {12: 1.4}, " + extra + "}");
    };
    // On the control arm.
    auto m = error_of(replace(kBase, "{name: control, role: control, allocation: 1}",
                              "{name: control, role: control, allocation: 1, modifiers: {gmfcs: {I: 2}}}"));
    CHECK_THAT(m, Catch::Contains("s.yaml:7:") && Catch::Contains("arms[0].modifiers") &&
                      Catch::Contains("control arm has no effect") && Catch::Contains("move modifiers to the active arm"));
    m = error_of(replace(kBase, "{name: control, role: control, allocation: 1}",
                         "{name: control, role: control, allocation: 1, heterogeneity: {sd: 1}}"));
    CHECK_THAT(m, Catch::Contains("arms[0].heterogeneity") && Catch::Contains("control arm has no effect"));
    // With the generic outcome model.
    m = error_of(replace(with_active("modifiers: {age: {breaks_months: [60], multipliers: [1.3, 0.6]}}"),
                         "outcome_model: cp", "outcome_model: generic"));
    CHECK_THAT(m, Catch::Contains("arms[1].modifiers") && Catch::Contains("cp outcome model only") &&
                      Catch::Contains("set population.outcome_model: cp, or remove modifiers"));
    m = error_of(replace(with_active("heterogeneity: {model: normal, sd: 1}"), "outcome_model: cp", "outcome_model: generic"));
    CHECK_THAT(m, Catch::Contains("arms[1].heterogeneity") && Catch::Contains("cp outcome model only"));
    // MSC keys on an arm without a product.
    m = error_of(with_active("product: {type: none, doses: 2}"));
    CHECK_THAT(m, Catch::Contains("arms[1].product.doses") && Catch::Contains("does not apply to a none product") &&
                      Catch::Contains("give the product type ucb or msc"));
    // Dose-response settings with no meaning.
    const std::string ucb = "product: {type: ucb}, dose_response: ";
    m = error_of(with_active(ucb + "{model: step, reference_dose: 3e7, threshold: 2e7, below_fraction: 1.5}"));
    CHECK_THAT(m, Catch::Contains("arms[1].dose_response.below_fraction: must be from 0 to 1 (got 1.5)"));
    m = error_of(with_active(ucb + "{model: step, reference_dose: 1e7, threshold: 2e7, below_fraction: 0}"));
    CHECK_THAT(m, Catch::Contains("arms[1].dose_response.reference_dose") && Catch::Contains("every child's effect would be 0"));
    m = error_of(with_active(ucb + "{model: loglinear, reference_dose: 3e7, slope_per_log: .inf}"));
    CHECK_THAT(m, Catch::Contains("arms[1].dose_response.slope_per_log") && Catch::Contains("finite"));
    // The same settings where they act load.
    CHECK_NOTHROW(load_scenario_text(with_active(ucb + "{model: step, reference_dose: 1e7, threshold: 2e7, below_fraction: 0.5}"), "s.yaml"));
    CHECK_NOTHROW(load_scenario_text(with_active("modifiers: {gmfcs: {I: 2}}, heterogeneity: {model: normal, sd: 1}"), "s.yaml"));
  }
  SECTION("duplicate key") {
    CHECK_THAT(error_of(replace(kBase, "alpha: 0.05", "alpha: 0.05\n  alpha: 0.01")), Catch::Contains("appears twice"));
  }
  SECTION("missing schema version") {
    CHECK_THAT(error_of(replace(kBase, "schema_version: 1\n", "")), Catch::Contains("schema_version: 1"));
  }
  SECTION("empty text, binary garbage, not a mapping") {
    CHECK_THAT(error_of(""), Catch::Contains("empty"));
    CHECK_THAT(error_of(std::string("\x7f" "ELF\0\0\x01", 7)), Catch::Contains("not text"));
    CHECK_THAT(error_of("just a string"), Catch::Contains("expected a mapping"));
  }
  SECTION("all problems are reported together") {
    const std::string bad = replace(replace(kBase, "alpha: 0.05", "alpha: abc"), "trials: 100", "trialz: 100");
    const auto m = error_of(bad);
    CHECK_THAT(m, Catch::Contains("analysis.alpha") && Catch::Contains("simulation.trialz"));
  }
}

TEST_CASE("scenario: --set overrides are checked like the file", "[scenario][errors]") {
  CHECK(load_scenario_text(kBase, "s.yaml", {"analysis.alpha=0.025"}).analysis.alpha == 0.025);
  CHECK(load_scenario_text(kBase, "s.yaml", {"arms.ucb.allocation=2"}).arms[1].allocation == 2);
  CHECK(load_scenario_text(kBase, "s.yaml", {"arms[1].effect_by_month={6: 1, 12: 2}"}).arms[1].effect_by_month.size() == 2);
  CHECK(load_scenario_text(kBase, "s.yaml", {"design.visits_months=[3,12]"}).design.visits_months.size() == 2);
  auto m = error_of(kBase, ExitCode::data, {"analysis.alpha=abc"});
  CHECK_THAT(m, Catch::Contains("command line (--set analysis.alpha=abc)") && Catch::Contains("not a number"));
  m = error_of(kBase, ExitCode::data, {"analysis.alpah=0.1"});
  CHECK_THAT(m, Catch::Contains("--set analysis.alpah=0.1") && Catch::Contains("did you mean 'alpha'"));
  m = error_of(kBase, ExitCode::data, {"arms.placbo.allocation=2"});
  CHECK_THAT(m, Catch::Contains("no element 'placbo'"));
  m = error_of(kBase, ExitCode::data, {"noequals"});
  CHECK_THAT(m, Catch::Contains("key.path=value"));
}

TEST_CASE("scenario: files that cannot be read", "[scenario][errors]") {
  namespace fs = std::filesystem;
  try {
    load_scenario_file("/nonexistent/x.yaml");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::no_input);
    CHECK_THAT(std::string(e.what()), Catch::Contains("/nonexistent/x.yaml") && Catch::Contains("no such file"));
  }
  try {
    load_scenario_file(fs::temp_directory_path().string());
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::no_input);
    CHECK_THAT(std::string(e.what()), Catch::Contains("directory"));
  }
  const auto p = fs::temp_directory_path() / "celltrial_empty_test.yaml";
  std::ofstream(p) << "\n\n";
  try {
    load_scenario_file(p.string());
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::data);
    CHECK_THAT(std::string(e.what()), Catch::Contains("empty"));
  }
  fs::remove(p);
}
