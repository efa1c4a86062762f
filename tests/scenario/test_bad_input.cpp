// Kinds of bad input that once passed silently, hung or crashed (issue 15, "Bad input"): each is
// now one located data error with a fix. Tiny or extreme probabilities, alias bombs, huge sweep
// grids, a second YAML document, empty values and sections, errors inside sweep, tornado and
// enrichment variants, role counts and unclosed quotes.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "celltrial/core/error.hpp"
#include "celltrial/design/study.hpp"
#include "celltrial/design/sweep.hpp"
#include "celltrial/scenario/io.hpp"
#include "celltrial/scenario/limits.hpp"
#include "test_support.hpp"

using namespace celltrial;

namespace {
const std::string& kBase = test::kSmallScenario;
std::string with(const std::string& from, const std::string& to) { return test::small_scenario_with(from, to); }
/// The messages of loading `text`, which must be a data error.
std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {},
                     const std::vector<std::string>& variant = {}) {
  return test::data_error(text, overrides, variant).what();
}
}  // namespace

TEST_CASE("bad input: tiny and extreme levels are refused with the documented range", "[scenario][errors]") {
  for (const char* v : {"4.9e-324", "1e-300", "1e-7", "0"})
    CHECK_THAT(error_of(with("alpha: 0.05", std::string("alpha: ") + v)),
               Catch::StartsWith("s.yaml:14:10: error: analysis.alpha: must be from 1e-06 to 0.5"));
  CHECK_NOTHROW(load_scenario_text(with("alpha: 0.05", "alpha: 1e-6"), "s.yaml"));
  CHECK_THAT(error_of(with("alpha: 0.05", "alpha: 0.05\n  interaction_alpha: 5e-324")),
             Catch::Contains("s.yaml:15:22") && Catch::Contains("analysis.interaction_alpha"));
  CHECK_THAT(error_of(with("alpha: 0.05", "alpha: 0.05\n  ci_level: 0.99999999")),
             Catch::Contains("s.yaml:15:13") && Catch::Contains("analysis.ci_level"));
  CHECK_THAT(error_of(with("gmfcs_mix", "age_months: {distribution: lognormal, mean: 5e-324, sd: 15}\n  gmfcs_mix")),
             Catch::Contains("population.age_months.mean: must be from 0.1 to 300"));
}

TEST_CASE("bad input: empty values, sections and documents are errors, not defaults", "[scenario][errors]") {
  SECTION("a key left empty, '~' or null") {
    CHECK_THAT(error_of(with("sample_size: 100", "sample_size:")),
               Catch::StartsWith("s.yaml:11:3: error: design.sample_size: no value is given") &&
                   Catch::Contains("give a value (a number) or remove the key"));
    CHECK_THAT(error_of(with("alpha: 0.05", "alpha: ~")), Catch::StartsWith("s.yaml:14:3: error: analysis.alpha: no value"));
    CHECK_THAT(error_of(with("name: t", "name: null")), Catch::StartsWith("s.yaml:2:1: error: name: no value"));
    CHECK_THAT(error_of(with("visits_months: [6, 12]", "visits_months: [6, ~]")),
               Catch::Contains("s.yaml:12:22") && Catch::Contains("no value"));
  }
  SECTION("an empty section") {
    CHECK_THAT(error_of(with("analysis:\n  alpha: 0.05\n", "analysis:\n")),
               Catch::StartsWith("s.yaml:13:1: error: analysis: the section is empty.") &&
                   Catch::Contains("or remove the line"));
    CHECK_THAT(error_of(with("  gmfcs_mix", "  weight:\n  gmfcs_mix")),
               Catch::StartsWith("s.yaml:6:3: error: population.weight: the section is empty."));
  }
  SECTION("--set with nothing after '=', or an empty value") {
    CHECK_THAT(error_of(kBase, {"analysis.alpha="}),
               Catch::StartsWith("command line (--set analysis.alpha=): error: analysis.alpha: no value is given after '='"));
    CHECK_THAT(error_of(kBase, {"analysis.alpha=~"}), Catch::Contains("(--set analysis.alpha=~)") && Catch::Contains("no value"));
  }
  SECTION("a second YAML document") {
    CHECK_THAT(error_of(kBase + "---\nname: other\n"),
               Catch::StartsWith("s.yaml:18:1: error: the file holds a second YAML document"));
    CHECK_THAT(error_of("---\n" + kBase + "---\n"), Catch::StartsWith("s.yaml:19:1: error: the file holds a second"));
    CHECK_NOTHROW(load_scenario_text("---\n" + kBase + "...\n", "s.yaml"));
  }
  SECTION("an enrichment strategy left empty") {
    CHECK_THAT(error_of(kBase + "enrichment:\n  strategies:\n    all:\n"),
               Catch::Contains("s.yaml:20:5") && Catch::Contains("enrichment.strategies.all") && Catch::Contains("{}"));
  }
  SECTION("a design comparison without designs, with an empty null twin, or naming an unknown subgroup") {
    CHECK_THAT(error_of(kBase + "designs:\n  responders: x\n"), Catch::Contains("designs.variants") && Catch::Contains("e.g."));
    CHECK_THAT(error_of(kBase + "designs:\n  variants: {fixed: {}}\n  null_twin: {}\n"),
               Catch::Contains("s.yaml:20:14") && Catch::Contains("designs.null_twin") && Catch::Contains("effect_by_month"));
    const std::string sub = "analysis.subgroups=[{name: responders, age_months: {max: 60}}]";
    CHECK_THAT(error_of(kBase + "designs:\n  variants: {fixed: {}}\n  responders: responder\n", {sub}),
               Catch::Contains("s.yaml:20:15") && Catch::Contains("designs.responders") &&
                   Catch::Contains("did you mean 'responders'?"));
    CHECK_NOTHROW(load_scenario_text(kBase + "designs:\n  variants: {fixed: {}}\n  responders: responders\n", "s.yaml", {sub}));
  }
}

TEST_CASE("bad input: an unclosed quote is reported at the quote", "[scenario][errors]") {
  CHECK_THAT(error_of(with("name: t", "name: \"t")),
             Catch::StartsWith("s.yaml:2:7: error: this quote is never closed"));
  CHECK_THAT(error_of(with("description: a test", "description: 'a test")), Catch::StartsWith("s.yaml:3:14: error:"));
  // Quotes inside plain text, in comments and closed on a later line are not quotes left open.
  CHECK_NOTHROW(load_scenario_text(with("description: a test", "description: it's a \"test  # don't"), "s.yaml"));
  CHECK_NOTHROW(load_scenario_text(with("description: a test", "description: \"a\n  test\""), "s.yaml"));
}

TEST_CASE("bad input: an alias bomb is refused before anything expands it", "[scenario][errors]") {
  std::string bomb = kBase + "sweep:\n  vary:\n    design.sample_size: [&a [1,1,1,1,1,1,1,1,1,1]";
  for (char c = 'b'; c <= 'h'; ++c) {
    bomb += std::string(", &") + c + " [";
    for (int i = 0; i < 10; ++i) bomb += std::string(i ? "," : "") + "*" + static_cast<char>(c - 1);
    bomb += "]";
  }
  bomb += "]\n";
  CHECK_THAT(error_of(bomb), Catch::StartsWith("s.yaml:20:5: error: sweep.vary.design.sample_size: the scenario holds "
                                               "more than 100000 values once its aliases"));
  CHECK_THAT(error_of(kBase, {"description=[&a [1,1,1,1,1,1,1,1,1,1], &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a], &c "
                              "[*b,*b,*b,*b,*b,*b,*b,*b,*b,*b], &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c], &e "
                              "[*d,*d,*d,*d,*d,*d,*d,*d,*d,*d], [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]]"}),
             Catch::StartsWith("command line (--set description=") && Catch::Contains("more than 100000 values"));
}

TEST_CASE("bad input: a sweep grid is limited before it is built", "[scenario][errors]") {
  SECTION("a key repeated") {
    CHECK_THAT(error_of(kBase + "sweep:\n  vary:\n    analysis.alpha: [0.05, 0.01]\n    analysis.alpha: [0.02]\n"),
               Catch::Contains("s.yaml:21:5: error: sweep.vary.analysis.alpha: this key appears twice."));
  }
  SECTION("more points than kMaxSweepPoints") {
    std::string text = kBase + "sweep:\n  vary:\n";
    for (const char* k : {"analysis.alpha", "analysis.ci_level", "simulation.seed", "design.sample_size"})
      text += std::string("    ") + k + ": [1, 2, 3, 4, 5, 6]\n";
    CHECK_THAT(error_of(text), Catch::Contains("s.yaml:20:5: error: sweep.vary: the grid has 1296 points; a sweep runs at "
                                               "most 1000"));
  }
  SECTION("zipped keys of different lengths") {
    CHECK_THAT(error_of(kBase + "sweep:\n  mode: zip\n  vary:\n    analysis.alpha: [0.05, 0.01]\n    simulation.seed: [1]\n"),
               Catch::Contains("s.yaml:22:5: error: sweep.vary.simulation.seed: with mode: zip"));
  }
}

TEST_CASE("bad input: a value of a sweep, tornado or enrichment variant is reported at its entry in the file",
          "[scenario][errors]") {
  const std::string text = kBase +
                           "sweep:\n  vary:\n    analysis.alpha: [0.05, 9]\n"
                           "tornado:\n  vary:\n    design.sample_size: [1, 200]\n"
                           "enrichment:\n  strategies:\n    young: {population.eligibility.max_age_months: -5}\n";
  const Scenario s = load_scenario_text(text, "s.yaml");
  const auto loader = [&](const std::vector<std::string>& v) { return load_scenario_text(text, "s.yaml", {}, v); };
  auto message = [&](const std::vector<Variant>& variants) -> std::string {
    try {
      load_variants(loader, {}, variants);
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::data);
      return e.what();
    }
    FAIL("expected an error");
    return "";
  };
  CHECK_THAT(message(sweep_variants(sweep_grid({SweepAxis{"analysis.alpha", s.sweep.vary[0].second}}, false))),
             Catch::StartsWith("s.yaml:20:28: error: analysis.alpha: at sweep point 2 (analysis.alpha=9): must be from 1e-06 to 0.5"));
  CHECK_THAT(message(tornado_variants(s.tornado)),
             Catch::StartsWith("s.yaml:23:26: error: design.sample_size: in the tornado's low value of design.sample_size:"));
  CHECK_THAT(message(enrichment_variants(s.enrichment)),
             Catch::StartsWith("s.yaml:26:52: error: population.eligibility.max_age_months: in enrichment strategy 'young': "
                              "must be in (0, 300] (got -5)."));
  // A variant's value that the file does not hold came from --sweep on the command line.
  CHECK_THAT(error_of(kBase, {}, {"analysis.alpha=7"}), Catch::StartsWith("command line (--sweep analysis.alpha=7): error:"));
}

TEST_CASE("bad input: role counts and limits of the engine are located", "[scenario][errors]") {
  CHECK_THAT(error_of(with("{name: ucb, role: active, effect_by_month: {12: 1.4}}", "{name: ucb, role: control}")),
             Catch::Contains("s.yaml:9:23: error: arms[1].role: there must be exactly one control arm (found 2)") &&
                 Catch::Contains("s.yaml:8:3: error: arms: there must be at least one active arm"));
  CHECK_THAT(error_of(with("{name: control, role: control}", "{name: control, role: active, effect_by_month: {12: 1}}")),
             Catch::Contains("s.yaml:8:3: error: arms: there must be exactly one control arm (found 0)"));
  std::string arms;
  for (int i = 0; i <= static_cast<int>(kMaxArms); ++i)
    arms += "  - {name: a" + std::to_string(i) + ", role: active, effect_by_month: {12: 1}}\n";
  CHECK_THAT(error_of(with("  - {name: ucb, role: active, effect_by_month: {12: 1.4}}\n", arms)),
             Catch::Contains("s.yaml:8:3: error: arms: there are 10 arms"));
}
