// Reading and validating analysis.subgroups, analysis.multiplicity (string or mapping) and
// analysis.claims: every mistake is a located ExitCode::data diagnostic naming the key path, the
// problem and the fix; a valid scenario survives to_yaml and back.
#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "celltrial/core/error.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/scenario/io.hpp"
#include "test_support.hpp"

using namespace celltrial;

namespace {
// A valid scenario with a UCB arm (public and autologous units, so HLA and dose subgroups are
// allowed) and two confirmatory subgroups. Tests replace one piece of text to break it.
const std::string kBase = R"(schema_version: 1
name: sg
population:
  outcome_model: cp
  age_months: {distribution: uniform, min: 12, max: 120}
  gmfcs_mix: {I: 0.3, II: 0.3, III: 0.2, IV: 0.1, V: 0.1}
arms:
  - {name: control, role: control, allocation: 1}
  - name: ucb
    role: active
    allocation: 1
    effect_by_month: {6: 1, 12: 1.4}
    product:
      type: ucb
      source_mix: {autologous: 0.16, public: 0.84}
design:
  sample_size: 100
  visits_months: [6, 12]
  dropout: {by_last_visit: 0.05}
analysis:
  primary_visit_months: 12
  subgroups:
    - {name: under5, age_months: {max: 60}, confirmatory: true}
    - {name: mild, gmfcs: [I, II, III], confirmatory: true}
    - {name: boys, sex: male}
  multiplicity: holm
simulation:
  trials: 100
  seed: 1
)";

const std::string kSubgroups = R"(    - {name: under5, age_months: {max: 60}, confirmatory: true}
    - {name: mild, gmfcs: [I, II, III], confirmatory: true}
    - {name: boys, sex: male}
)";

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  return s.replace(pos, from.size(), to);
}

// The base scenario with its subgroups list replaced.
std::string with_subgroups(const std::string& list) { return replace(kBase, kSubgroups, list); }
// The base scenario with `multiplicity: holm` replaced by the given text (indented under analysis).
std::string with_multiplicity(const std::string& text) { return replace(kBase, "  multiplicity: holm\n", text); }

// Loads `text` expecting an ExitCode::data error; returns its diagnostics.
std::vector<Diagnostic> diagnostics_of(const std::string& text) {
  try {
    load_scenario_text(text, "sg.yaml");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::data);
    return e.diagnostics();
  }
  FAIL("expected an error for:\n" << text);
  return {};
}

std::string all_text(const std::vector<Diagnostic>& ds) {
  std::string s;
  for (const auto& d : ds) s += d.str() + "\n";
  return s;
}

// The diagnostic for exactly `key_path` (fails the test when there is none).
Diagnostic diagnostic_at(const std::string& text, const std::string& key_path) {
  const auto ds = diagnostics_of(text);
  for (const auto& d : ds)
    if (d.key_path == key_path) return d;
  FAIL("no diagnostic at " << key_path << "; got:\n" << all_text(ds));
  return {};
}

// The problem and fix of a diagnostic, for matching either.
std::string said(const Diagnostic& d) { return d.problem + " | " + d.fix; }
}  // namespace

TEST_CASE("subgroup input: the base scenario loads with its subgroups and family", "[subgroups][scenario]") {
  const Scenario s = load_scenario_text(kBase, "sg.yaml");
  REQUIRE(s.analysis.subgroups.size() == 3);
  CHECK(s.analysis.subgroups[0].has_age);
  CHECK(s.analysis.subgroups[0].age_max_months == 60);
  CHECK(s.analysis.subgroups[0].confirmatory);
  CHECK(s.analysis.subgroups[1].has_gmfcs);
  CHECK(s.analysis.subgroups[1].gmfcs == std::array<bool, 5>{true, true, true, false, false});
  CHECK(s.analysis.subgroups[2].sex == 1);
  CHECK_FALSE(s.analysis.subgroups[2].confirmatory);
  CHECK(s.analysis.multiplicity == Multiplicity::holm);
  // The default family: the primary comparison and the confirmatory subgroups, in order.
  const auto all = all_hypotheses(s);
  const auto fam = family(s);
  REQUIRE(fam.size() == 3);
  CHECK(all[fam[0]].name == "primary");
  CHECK(all[fam[1]].name == "under5");
  CHECK(all[fam[2]].name == "mild");
}

TEST_CASE("subgroup input: mistakes in a subgroup's definition", "[subgroups][scenario][errors]") {
  SECTION("unknown condition key gets did-you-mean") {
    const auto d = diagnostic_at(with_subgroups("    - {name: under5, agee_months: {max: 60}}\n"),
                                 "analysis.subgroups[0].agee_months");
    CHECK_THAT(d.problem, Catch::Contains("unknown key 'agee_months'"));
    CHECK_THAT(d.fix, Catch::Contains("did you mean 'age_months'"));
    CHECK(d.where.line > 0);
  }
  SECTION("subgroup without a name") {
    const auto d = diagnostic_at(with_subgroups("    - {age_months: {max: 60}}\n"), "analysis.subgroups[0].name");
    CHECK_THAT(d.problem, Catch::Contains("no name"));
    CHECK_THAT(d.fix, Catch::Contains("name:"));
  }
  SECTION("subgroup without any condition") {
    const auto d = diagnostic_at(with_subgroups("    - {name: everyone, confirmatory: true}\n"), "analysis.subgroups[0]");
    CHECK_THAT(d.problem, Catch::Contains("no condition"));
    CHECK_THAT(d.fix, Catch::Contains("age_months"));
  }
  SECTION("min >= max") {
    auto d = diagnostic_at(with_subgroups("    - {name: odd, age_months: {min: 60, max: 60}}\n"),
                           "analysis.subgroups[0].age_months");
    CHECK_THAT(d.problem, Catch::Contains("min must be below max"));
    d = diagnostic_at(with_subgroups("    - {name: odd, age_months: {min: 70, max: 60}}\n"), "analysis.subgroups[0].age_months");
    CHECK_THAT(d.problem, Catch::Contains("min must be below max"));
    d = diagnostic_at(with_subgroups("    - {name: odd, dose_per_kg: {min: 3.0e7, max: 2.0e7}}\n"),
                      "analysis.subgroups[0].dose_per_kg");
    CHECK_THAT(d.problem, Catch::Contains("min must be below max"));
  }
  SECTION("a range with neither min nor max") {
    const auto d = diagnostic_at(with_subgroups("    - {name: odd, age_months: {}}\n"), "analysis.subgroups[0].age_months");
    CHECK_THAT(d.problem, Catch::Contains("min, max or both"));
  }
  SECTION("duplicate subgroup names") {
    const auto d = diagnostic_at(with_subgroups("    - {name: young, age_months: {max: 60}}\n"
                                                "    - {name: young, age_months: {max: 36}}\n"),
                                 "analysis.subgroups[1].name");
    CHECK_THAT(d.problem, Catch::Contains("already used"));
    CHECK_THAT(d.fix, Catch::Contains("own name"));
  }
  SECTION("a subgroup named like an arm") {
    const auto d = diagnostic_at(with_subgroups("    - {name: ucb, age_months: {max: 60}}\n"), "analysis.subgroups[0].name");
    CHECK_THAT(d.problem, Catch::Contains("'ucb'") && Catch::Contains("already used"));
  }
  SECTION("a subgroup named 'primary' or holding a slash") {
    auto d = diagnostic_at(with_subgroups("    - {name: primary, age_months: {max: 60}}\n"), "analysis.subgroups[0].name");
    CHECK_THAT(d.problem, Catch::Contains("cannot name a subgroup"));
    d = diagnostic_at(with_subgroups("    - {name: a/b, age_months: {max: 60}}\n"), "analysis.subgroups[0].name");
    CHECK_THAT(d.problem, Catch::Contains("cannot name a subgroup"));
  }
  SECTION("subgroups not a list") {
    const auto d = diagnostic_at(replace(kBase, kSubgroups, "    name: under5\n"), "analysis.subgroups");
    CHECK_THAT(d.problem, Catch::Contains("expected a list of subgroups"));
  }
}

TEST_CASE("subgroup input: conditions the scenario cannot support", "[subgroups][scenario][errors]") {
  SECTION("GMFCS subgroup with the generic outcome model") {
    const std::string generic = R"(schema_version: 1
name: g
population:
  outcome_model: generic
arms:
  - {name: control, role: control, allocation: 1}
  - {name: treated, role: active, allocation: 1, effect_by_month: {12: 1.5}}
design:
  sample_size: 100
  visits_months: [12]
analysis:
  primary_visit_months: 12
  subgroups:
    - {name: mild, gmfcs: [I, II, III]}
simulation: {trials: 10, seed: 1}
)";
    const auto d = diagnostic_at(generic, "analysis.subgroups[0].gmfcs");
    CHECK_THAT(d.problem, Catch::Contains("cp outcome model"));
    CHECK_THAT(d.fix, Catch::Contains("outcome_model: cp"));
    // Age and sex subgroups likewise.
    const auto ds = diagnostics_of(replace(generic, "{name: mild, gmfcs: [I, II, III]}",
                                           "{name: young, age_months: {max: 60}}\n    - {name: boys, sex: male}"));
    CHECK_THAT(all_text(ds), Catch::Contains("analysis.subgroups[0].age_months") &&
                                 Catch::Contains("analysis.subgroups[1].sex"));
  }
  SECTION("HLA subgroup with only autologous units") {
    const std::string text = replace(with_subgroups("    - {name: matched, hla_mismatches: [0]}\n"),
                                     "source_mix: {autologous: 0.16, public: 0.84}", "source_mix: {autologous: 1}");
    const auto d = diagnostic_at(text, "analysis.subgroups[0].hla_mismatches");
    CHECK_THAT(d.problem, Catch::Contains("autologous"));
    CHECK_THAT(d.fix, Catch::Contains("source_mix"));
    // The same subgroup loads with public units.
    CHECK_NOTHROW(load_scenario_text(with_subgroups("    - {name: matched, hla_mismatches: [0]}\n"), "sg.yaml"));
  }
  SECTION("route condition without an MSC arm of that route") {
    // A UCB arm only.
    auto d = diagnostic_at(with_subgroups("    - {name: it, route: intrathecal, age_months: {max: 60}}\n"), "analysis.subgroups[0].route");
    CHECK_THAT(d.problem, Catch::Contains("no active arm gives MSC intrathecal"));
    CHECK_THAT(d.fix, Catch::Contains("route"));
    // An intravenous MSC arm, an intrathecal subgroup.
    const std::string msc = replace(with_subgroups("    - {name: it, route: intrathecal, age_months: {max: 60}}\n"),
                                    "      type: ucb\n      source_mix: {autologous: 0.16, public: 0.84}\n",
                                    "      type: msc\n      route: intravenous\n");
    d = diagnostic_at(msc, "analysis.subgroups[0].route");
    CHECK_THAT(d.problem, Catch::Contains("intrathecal"));
    // ... which is fine for an intravenous subgroup.
    CHECK_NOTHROW(load_scenario_text(replace(msc, "route: intrathecal,", "route: intravenous,"), "sg.yaml"));
    // A route alone picks arms, not children.
    d = diagnostic_at(replace(msc, "route: intrathecal, age_months: {max: 60}}", "route: intravenous}"),
                      "analysis.subgroups[0]");
    CHECK_THAT(d.problem, Catch::Contains("only a route"));
  }
}

TEST_CASE("subgroup input: the multiplicity family", "[subgroups][scenario][errors]") {
  SECTION("multiplicity as a string and as a mapping") {
    const Scenario a = load_scenario_text(with_multiplicity("  multiplicity: hochberg\n"), "sg.yaml");
    CHECK(a.analysis.multiplicity == Multiplicity::hochberg);
    CHECK(a.analysis.testing.hypotheses.empty());
    const Scenario b = load_scenario_text(
        replace(with_multiplicity("  multiplicity:\n    procedure: fallback\n    hypotheses: [under5, primary]\n"
                                  "    weights: [0.7, 0.3]\n"),
                "gmfcs: [I, II, III], confirmatory: true", "gmfcs: [I, II, III]"),
        "sg.yaml");
    CHECK(b.analysis.multiplicity == Multiplicity::fallback);
    CHECK(b.analysis.testing.hypotheses == std::vector<std::string>{"under5", "primary"});
    CHECK(b.analysis.testing.weights == std::vector<double>{0.7, 0.3});
    const auto all = all_hypotheses(b);
    const auto fam = family(b);
    REQUIRE(fam.size() == 2);
    CHECK(all[fam[0]].name == "under5");
    CHECK(all[fam[1]].name == "primary");
  }
  SECTION("a misspelt hypothesis gets did-you-mean") {
    const auto d = diagnostic_at(with_multiplicity("  multiplicity: {procedure: holm, hypotheses: [primary, under_5]}\n"),
                                 "analysis.multiplicity.hypotheses[1]");
    CHECK_THAT(d.problem, Catch::Contains("no hypothesis 'under_5'"));
    CHECK_THAT(d.fix, Catch::Contains("did you mean 'under5'"));
  }
  SECTION("a hypothesis listed twice") {
    const auto d = diagnostic_at(with_multiplicity("  multiplicity: {procedure: holm, hypotheses: [primary, primary]}\n"),
                                 "analysis.multiplicity.hypotheses[1]");
    CHECK_THAT(d.problem, Catch::Contains("listed twice"));
  }
  SECTION("a mapping without a procedure") {
    const auto d = diagnostic_at(with_multiplicity("  multiplicity: {hypotheses: [primary, under5]}\n"),
                                 "analysis.multiplicity.procedure");
    CHECK_THAT(d.problem, Catch::Contains("not named"));
  }
  SECTION("weights summing to more than 1") {
    const auto d = diagnostic_at(with_multiplicity("  multiplicity: {procedure: bonferroni, weights: [0.5, 0.4, 0.3]}\n"),
                                 "analysis.multiplicity.weights");
    CHECK_THAT(d.problem, Catch::Contains("sum to 1.2") && Catch::Contains("more than 1"));
    CHECK_THAT(d.fix, Catch::Contains("at most 1"));
  }
  SECTION("a negative weight") {
    const auto d = diagnostic_at(with_multiplicity("  multiplicity: {procedure: holm, weights: [0.6, -0.1, 0.5]}\n"),
                                 "analysis.multiplicity.weights[1]");
    CHECK_THAT(d.problem, Catch::Contains("must be ≥ 0 (got -0.1)"));
  }
  SECTION("the wrong number of weights") {
    const auto d = diagnostic_at(with_multiplicity("  multiplicity: {procedure: fallback, weights: [0.5, 0.5]}\n"),
                                 "analysis.multiplicity.weights");
    CHECK_THAT(d.problem, Catch::Contains("2 weights for 3 hypotheses"));
    CHECK_THAT(d.fix, Catch::Contains("one weight per hypothesis"));
  }
  SECTION("weights with a procedure that does not use them") {
    const auto d = diagnostic_at(with_multiplicity("  multiplicity: {procedure: hochberg, weights: [0.5, 0.25, 0.25]}\n"),
                                 "analysis.multiplicity.weights");
    CHECK_THAT(d.problem, Catch::Contains("not used by hochberg"));
  }
  SECTION("graphical without transitions") {
    const auto d = diagnostic_at(with_multiplicity("  multiplicity: {procedure: graphical, weights: [0.5, 0.25, 0.25]}\n"),
                                 "analysis.multiplicity");
    CHECK_THAT(d.problem, Catch::Contains("transition matrix"));
    CHECK_THAT(d.fix, Catch::Contains("3 x 3"));
  }
  SECTION("a transition row summing to more than 1") {
    const auto d = diagnostic_at(
        with_multiplicity("  multiplicity:\n    procedure: graphical\n    weights: [0.5, 0.25, 0.25]\n"
                          "    transitions: [[0, 0.7, 0.7], [0.5, 0, 0.5], [0.5, 0.5, 0]]\n"),
        "analysis.multiplicity.transitions[0]");
    CHECK_THAT(d.problem, Catch::Contains("sums to 1.4") && Catch::Contains("more than 1"));
  }
  SECTION("a non-zero diagonal") {
    const auto d = diagnostic_at(
        with_multiplicity("  multiplicity:\n    procedure: graphical\n    weights: [0.5, 0.25, 0.25]\n"
                          "    transitions: [[0, 0.5, 0.5], [0.5, 0.2, 0.3], [0.5, 0.5, 0]]\n"),
        "analysis.multiplicity.transitions[1]");
    CHECK_THAT(d.problem, Catch::Contains("diagonal must be 0"));
    CHECK_THAT(d.fix, Catch::Contains("entry 1"));
  }
  SECTION("a negative transition") {
    const auto d = diagnostic_at(
        with_multiplicity("  multiplicity:\n    procedure: graphical\n    weights: [0.5, 0.25, 0.25]\n"
                          "    transitions: [[0, 0.5, 0.5], [0.5, 0, 0.5], [-0.5, 1, 0]]\n"),
        "analysis.multiplicity.transitions[2][0]");
    CHECK_THAT(d.problem, Catch::Contains("must be ≥ 0 (got -0.5)"));
  }
  SECTION("the wrong number of rows or entries") {
    auto d = diagnostic_at(with_multiplicity("  multiplicity:\n    procedure: graphical\n    weights: [0.5, 0.25, 0.25]\n"
                                             "    transitions: [[0, 0.5, 0.5], [0.5, 0, 0.5]]\n"),
                           "analysis.multiplicity.transitions");
    CHECK_THAT(d.problem, Catch::Contains("2 rows for 3 hypotheses"));
    d = diagnostic_at(with_multiplicity("  multiplicity:\n    procedure: graphical\n    weights: [0.5, 0.25, 0.25]\n"
                                        "    transitions: [[0, 0.5, 0.5], [0.5, 0], [0.5, 0.5, 0]]\n"),
                      "analysis.multiplicity.transitions[1]");
    CHECK_THAT(d.problem, Catch::Contains("2 entries, not 3"));
    // An extra row of the right width: reported, and its "diagonal" is never read past the row.
    d = diagnostic_at(with_multiplicity("  multiplicity:\n    procedure: graphical\n    weights: [0.5, 0.25, 0.25]\n"
                                        "    transitions: [[0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0], [0, 0, 0]]\n"),
                      "analysis.multiplicity.transitions");
    CHECK_THAT(d.problem, Catch::Contains("4 rows for 3 hypotheses"));
  }
  SECTION("transitions with a procedure other than graphical") {
    const auto d = diagnostic_at(
        with_multiplicity("  multiplicity:\n    procedure: holm\n"
                          "    transitions: [[0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]]\n"),
        "analysis.multiplicity.transitions");
    CHECK_THAT(d.problem, Catch::Contains("only by the graphical procedure"));
  }
  SECTION("a confirmatory subgroup left out of the list") {
    const auto d = diagnostic_at(with_multiplicity("  multiplicity: {procedure: holm, hypotheses: [primary, under5]}\n"),
                                 "analysis.subgroups[1].confirmatory");
    CHECK_THAT(d.problem, Catch::Contains("'mild' is marked confirmatory") && Catch::Contains("leaves it out"));
  }
  SECTION("a valid graph loads") {
    const Scenario s = load_scenario_text(
        with_multiplicity("  multiplicity:\n    procedure: graphical\n    weights: [0.5, 0.25, 0.25]\n"
                          "    transitions: [[0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]]\n"),
        "sg.yaml");
    CHECK(s.analysis.multiplicity == Multiplicity::graphical);
    CHECK(s.analysis.testing.transitions.size() == 3);
  }
}

TEST_CASE("subgroup input: claims", "[subgroups][scenario][errors]") {
  SECTION("claims load") {
    const Scenario s = load_scenario_text(with_multiplicity("  multiplicity: holm\n  claims: {young: [primary, under5]}\n"), "sg.yaml");
    REQUIRE(s.analysis.claims.size() == 1);
    CHECK(s.analysis.claims[0] == ClaimSet{"young", {"primary", "under5"}});
  }
  SECTION("a claim naming a hypothesis outside the family") {
    // boys is analysed but not confirmatory, so it is not in the family.
    const auto d = diagnostic_at(with_multiplicity("  multiplicity: holm\n  claims: {x: [primary, boys]}\n"),
                                 "analysis.claims.x[1]");
    CHECK_THAT(d.problem, Catch::Contains("'boys' is not a hypothesis of the confirmatory family"));
    CHECK_THAT(d.fix, Catch::Contains("confirmatory: true"));
  }
  SECTION("a claim naming a hypothesis left out of an explicit family") {
    const auto d = diagnostic_at(
        with_multiplicity("  multiplicity: {procedure: holm, hypotheses: [primary, mild]}\n  claims: {x: [under5]}\n"),
        "analysis.claims.x[0]");
    CHECK_THAT(d.problem, Catch::Contains("'under5' is not a hypothesis"));
  }
  SECTION("a misspelt claim hypothesis gets did-you-mean") {
    const auto d = diagnostic_at(with_multiplicity("  multiplicity: holm\n  claims: {x: [primary, undr5]}\n"),
                                 "analysis.claims.x[1]");
    CHECK_THAT(d.fix, Catch::Contains("did you mean 'under5'"));
  }
  SECTION("a claim name given twice") {
    const std::string text = with_multiplicity("  multiplicity: holm\n  claims:\n    x: [primary]\n    x: [under5]\n");
    const auto d = diagnostic_at(text, "analysis.claims.x");
    // Located at the second entry.
    const auto second = text.find("    x: [under5]");
    CHECK(d.where.line == 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(second), '\n'));
    CHECK(d.where.column == 5);
    CHECK_THAT(said(d), Catch::Contains("appears twice") && Catch::Contains("keep one"));
  }
  SECTION("a claim that is not a list") {
    const auto d = diagnostic_at(with_multiplicity("  multiplicity: holm\n  claims: {x: primary}\n"), "analysis.claims.x");
    CHECK_THAT(d.problem, Catch::Contains("non-empty list"));
  }
}

TEST_CASE("study input: names and key paths given twice, and a tornado bar without width", "[scenario][errors]") {
  const std::string study = kBase + R"(enrichment:
  strategies:
    all: {}
    young: {population.eligibility.max_age_months: 59.99, population.eligibility.max_age_months: 48}
    all: {design.sample_size: 120}
tornado:
  vary:
    design.sample_size: [80, 120]
    arms.ucb.effect_by_month.12: [1.4, 1.4]
    design.sample_size: [90, 110]
)";
  const auto ds = diagnostics_of(study);
  const std::string text = all_text(ds);
  CHECK_THAT(text, Catch::Contains("enrichment.strategies.all: this key appears twice"));
  CHECK_THAT(text, Catch::Contains("enrichment.strategies.young.population.eligibility.max_age_months: this key appears twice"));
  CHECK_THAT(text, Catch::Contains("tornado.vary.design.sample_size: this key appears twice"));
  CHECK_THAT(text, Catch::Contains("tornado.vary.arms.ucb.effect_by_month.12: low and high are the same (1.4)") &&
                       Catch::Contains("give two different values"));
  // Without the repeats, the sections load.
  const std::string fixed = replace(replace(replace(replace(study, ", population.eligibility.max_age_months: 48", ""),
                                                    "    all: {design.sample_size: 120}\n", ""),
                                            "[1.4, 1.4]", "[1.0, 2.0]"),
                                    "    design.sample_size: [90, 110]\n", "");
  const Scenario s = load_scenario_text(fixed, "sg.yaml");
  CHECK(s.enrichment.strategies.size() == 2);
  CHECK(s.tornado.vary.size() == 2);
}

TEST_CASE("subgroup input: a scenario with subgroups, a graph and claims round-trips through to_yaml",
          "[subgroups][scenario]") {
  const std::string text = with_subgroups(
      "    - {name: under5, age_months: {max: 60}, confirmatory: true}\n"
      "    - {name: mild, gmfcs: [I, II, III], confirmatory: true}\n"
      "    - {name: boys, sex: male}\n"
      "    - {name: girls_older, sex: female, age_months: {min: 36.5, max: 100}}\n"
      "    - {name: high_dose, dose_per_kg: {min: 3.0e7}}\n"
      "    - {name: matched, hla_mismatches: [0, 1], confirmatory: false}\n"
      "    - {name: severe, gmfcs: [IV, V]}\n"
      "    - {name: any_age, age_months: {min: 0}}\n");  // a lone min of 0 must survive the writer
  const std::string multiplicity =
      "  multiplicity:\n    procedure: graphical\n    hypotheses: [primary, under5, mild, severe]\n"
      "    weights: [0.5, 0.2, 0.2, 0.1]\n"
      "    transitions: [[0, 0.4, 0.4, 0.2], [0.5, 0, 0.5, 0], [0.5, 0.5, 0, 0], [1, 0, 0, 0]]\n"
      "  interaction_alpha: 0.2\n"
      "  claims:\n    young: [primary, under5]\n    everyone: [primary, under5, mild, severe]\n";
  const Scenario a = load_scenario_text(replace(text, "  multiplicity: holm\n", multiplicity), "sg.yaml");
  REQUIRE(a.analysis.subgroups.size() == 8);
  CHECK(a.analysis.subgroups[3].sex == 0);
  CHECK(a.analysis.subgroups[3].age_min_months == 36.5);
  CHECK(a.analysis.subgroups[4].dose_min == 3.0e7);
  CHECK(a.analysis.subgroups[5].hla == std::array<bool, 3>{true, true, false});
  CHECK(family(a).size() == 4);

  const std::string y = to_yaml(a);
  const Scenario b = load_scenario_text(y, "shown.yaml");
  CHECK(b.analysis.subgroups == a.analysis.subgroups);
  CHECK(b.analysis.multiplicity == a.analysis.multiplicity);
  CHECK(b.analysis.testing.hypotheses == a.analysis.testing.hypotheses);
  CHECK(b.analysis.testing.weights == a.analysis.testing.weights);
  CHECK(b.analysis.testing.transitions == a.analysis.testing.transitions);
  CHECK(b.analysis.claims == a.analysis.claims);
  CHECK(b.analysis.interaction_alpha == a.analysis.interaction_alpha);
  CHECK(to_yaml(b) == y);

  // A plain string procedure without subgroup-specific settings round-trips too.
  const Scenario c = load_scenario_text(kBase, "sg.yaml");
  const Scenario d = load_scenario_text(to_yaml(c), "shown.yaml");
  CHECK(d.analysis.subgroups == c.analysis.subgroups);
  CHECK(d.analysis.multiplicity == Multiplicity::holm);
  CHECK(d.analysis.testing.hypotheses.empty());
  CHECK(d.analysis.claims.empty());
}

TEST_CASE("subgroup input: a negative lower limit is a located error", "[subgroups][scenario][errors]") {
  const auto d = diagnostic_at(with_subgroups("    - {name: odd, age_months: {min: -6, max: 60}}\n"),
                               "analysis.subgroups[0].age_months.min");
  CHECK_THAT(d.problem, Catch::Contains("must be ≥ 0 (got -6)"));
  CHECK_THAT(d.fix, Catch::Contains("Leave min out for no lower limit."));
}

TEST_CASE("subgroup input: more subgroups than the analysis supports are a data error, not an internal error",
          "[subgroups][scenario][errors]") {
  // The analysis keeps subgroup membership in a 32-bit mask (kMaxSubgroups). 32 subgroups work.
  auto many = [](int k) {
    std::string list;
    for (int i = 0; i < k; ++i)
      list += "    - {name: young" + std::to_string(i) + ", age_months: {max: " + std::to_string(20 + 2 * i) + "}}\n";
    return with_subgroups(list);
  };
  Scenario s = load_scenario_text(many(32), "sg.yaml");
  REQUIRE(s.analysis.subgroups.size() == 32);
  s.simulation.trials = 5;
  Accumulator acc;
  REQUIRE_NOTHROW(acc = run_trials(s, EngineOptions{0, 0, 1}));
  CHECK(acc.subgroup(31).inside.estimable == 5);
  // 33 must be caught when the scenario is read (ExitCode::data with the key path), not by an
  // assertion when the trials run (ExitCode::software, "this is a bug in celltrial").
  std::vector<Diagnostic> ds;
  try {
    load_scenario_text(many(33), "sg.yaml");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::data);
    ds = e.diagnostics();
  }
  bool found = false;
  for (const auto& d : ds) found = found || (d.key_path.rfind("analysis.subgroups", 0) == 0 && said(d).find("32") != std::string::npos);
  INFO("diagnostics:\n" << all_text(ds));
  CHECK(found);
}
