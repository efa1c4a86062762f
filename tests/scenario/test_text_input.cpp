// Scenario text and --set overrides that are not plain, well-formed input: bytes that are not
// UTF-8, control characters, list indices beyond any number, empty lists and list elements (found
// by fuzz/fuzz_scenario and fuzz/fuzz_set; the inputs are in tests/fuzz_fail/).
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "celltrial/core/error.hpp"
#include "celltrial/scenario/io.hpp"
#include "test_support.hpp"

using namespace celltrial;

namespace {
const std::string& kBase = test::kSmallScenario;
std::string with(const std::string& from, const std::string& to) { return test::small_scenario_with(from, to); }
Error error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  return test::data_error(text, overrides);
}
}  // namespace

TEST_CASE("scenario text: bytes that are not UTF-8 are refused at their line and column", "[scenario][errors]") {
  SECTION("a stray byte in a value") {
    const Error e = error_of(with("description: a test", "description: a t\xE9st"));
    CHECK_THAT(e.what(), Catch::StartsWith("s.yaml:3:17: error:") && Catch::Contains("not valid UTF-8") &&
                             Catch::Contains("0xE9") && Catch::Contains("save the file as UTF-8"));
  }
  SECTION("a character cut short at the end of a line") {
    CHECK_THAT(error_of(with("name: t", "name: t\xC3")).what(), Catch::StartsWith("s.yaml:2:8: error:"));
  }
  SECTION("overlong forms, surrogates and code points above U+10FFFF") {
    for (const std::string bad : {"\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xF8\x88\x80\x80\x80"})
      CHECK_THAT(error_of(with("a test", "a " + bad)).what(), Catch::Contains("s.yaml:3:16") && Catch::Contains("UTF-8"));
  }
  SECTION("any valid UTF-8 is accepted and written out again") {
    const std::string text = with("a test", "\xC3\x9C" "ber 2 \xE2\x80\x93 4 \xCE\xB1 \xF0\x9F\x99\x82");
    const Scenario s = load_scenario_text(text, "s.yaml");
    CHECK(s.description == "\xC3\x9C" "ber 2 \xE2\x80\x93 4 \xCE\xB1 \xF0\x9F\x99\x82");
    CHECK_NOTHROW(to_json(s).dump());
    CHECK(to_yaml(load_scenario_text(to_yaml(s), "back.yaml")) == to_yaml(s));
  }
}

TEST_CASE("scenario text: an override that is not UTF-8 is refused, named with the bytes shown", "[scenario][errors]") {
  const Error e = error_of(kBase, {"name=x\xFF"});
  REQUIRE(e.diagnostics().size() == 1);
  CHECK(e.diagnostics()[0].where.file == "command line (--set name=x\\xFF)");
  CHECK_THAT(e.diagnostics()[0].problem, Catch::Contains("not valid UTF-8") && Catch::Contains("0xFF"));
  CHECK_NOTHROW(std::string(e.what()));
}

TEST_CASE("scenario text: an override with NUL bytes is refused, as a file with them is", "[scenario][errors]") {
  // "name=a\0\0\0B...": the YAML reader took the value for UTF-32 and made a name that is not UTF-8.
  const std::string set = std::string("name=a") + std::string(3, '\0') + "BBBB";
  const Error e = error_of(kBase, {set});
  REQUIRE(e.diagnostics().size() == 1);
  CHECK(e.diagnostics()[0].where.file == "command line (--set name=a\\x00\\x00\\x00BBBB)");
  CHECK_THAT(e.diagnostics()[0].problem, Catch::Contains("not text (it contains NUL bytes)"));
}

TEST_CASE("scenario text: a list index beyond any number is an element that does not exist", "[scenario][errors]") {
  const Error e = error_of(kBase, {"arms.99999999999999999999.name=x"});
  CHECK_THAT(e.what(), Catch::Contains("command line (--set arms.99999999999999999999.name=x)") &&
                           Catch::Contains("there is no element '99999999999999999999' in this list (it has 2)"));
  CHECK_THAT(error_of(kBase, {"arms[2].name=x"}).what(), Catch::Contains("there is no element '2'"));
  CHECK(load_scenario_text(kBase, "s.yaml", {"arms[1].name=y"}).arms[1].name == "y");
}

TEST_CASE("scenario text: show output loads back when an override holds control characters", "[scenario]") {
  // The comments of show name each --set; a line break in one ended the comment, and the rest of
  // the --set was read as YAML ("illegal map value").
  for (const std::string& set : {std::string("arms.ucb.allocation=1\n"), std::string("design.sample_size=100\r\n"),
                                std::string("analysis.alpha=0.025\r"), std::string("name=x\x1b[31m"),
                                std::string("design.visits_months=[6,\n 12]")}) {
    INFO(set);
    Scenario s;
    try {
      s = load_scenario_text(kBase, "s.yaml", {set});
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::data);  // refused as a value is fine; what loads must show
      continue;
    }
    const std::string shown = to_yaml_with_sources(s);
    CHECK(to_yaml(load_scenario_text(shown, "shown.yaml")) == to_yaml(s));
  }
}

TEST_CASE("scenario text: an empty list of arms or an empty list element is refused, not skipped", "[scenario][errors]") {
  // 'arms: []' and an arm written as a bare '-' passed validation and reached the model's
  // assertion on the number of arms; a bare '-' among the subgroups was dropped silently.
  const std::string arms = "  - {name: control, role: control}\n  - {name: ucb, role: active, effect_by_month: {12: 1.4}}\n";
  const std::string one_arm = "  - {name: control, role: control}\n";
  CHECK_THAT(error_of(with(arms, "")).what(), Catch::Contains("no arms are given"));
  CHECK_THAT(error_of(with("arms:\n" + arms, "arms: []\n")).what(),
             Catch::Contains("s.yaml:7:7: error: arms: the list of arms is empty."));
  CHECK_THAT(error_of(with(arms, "  -\n")).what(),
             Catch::Contains("s.yaml:8:3: error: arms[0]: the list element is empty.") && Catch::Contains("remove the '-'"));
  CHECK_THAT(error_of(with(arms, one_arm + "  -   # the active arm\n")).what(),
             Catch::Contains("arms[1]: the list element is empty."));
  CHECK_THAT(error_of(with("analysis:\n", "analysis:\n  subgroups:\n    - {name: young, age_months: {max: 48}}\n    -\n"))
                 .what(),
             Catch::Contains("analysis.subgroups[1]: the list element is empty."));
}

TEST_CASE("scenario text: control characters are refused before the YAML reader sees them", "[scenario][errors]") {
  // The two-byte file ",\x04" made the YAML reader loop until the machine ran out of memory (found
  // by fuzz/fuzz_scenario; tests/fuzz_fail/scenario/control_character_hangs_the_yaml_reader.yaml).
  CHECK_THAT(error_of(",\x04").what(), Catch::StartsWith("s.yaml:1:2: error:") && Catch::Contains("control character 0x04"));
  CHECK_THAT(error_of(with("a test", "a t\x1Bst")).what(),
             Catch::StartsWith("s.yaml:3:17: error:") && Catch::Contains("0x1B") && Catch::Contains("only tabs and line breaks"));
  // DEL (0x7F) is left to the YAML reader, which reads it as text: a --set value may hold it, and
  // show must write a scenario that loads back (found by fuzz/fuzz_set).
  CHECK_NOTHROW(load_scenario_text(with("a test", "a test\x7F"), "s.yaml"));
  // Tabs inside values and Windows line ends are text.
  CHECK_NOTHROW(load_scenario_text(with("a test", "a\ttest\r"), "s.yaml"));
  // A carriage return inside a value (here from --set) would be written back as a line end, so the
  // scenario would not read back the same (found by fuzz/fuzz_set;
  // tests/fuzz_fail/set/carriage_return_in_name_does_not_load_back.txt).
  CHECK_THAT(test::data_error(test::kSmallScenario, {"name=Y\r"}).what(),
             Catch::Contains("name: the text holds a carriage return") && Catch::Contains("remove it"));
  CHECK_THAT(test::data_error(test::kSmallScenario, {"description=\"a\rb\""}).what(), Catch::Contains("carriage return"));
}

TEST_CASE("scenario text: a document that starts with a comma is a syntax error, not an endless read", "[scenario][errors]") {
  // The one-byte file "," made the YAML reader start document after document at the same place
  // until memory ran out (found by fuzz/fuzz_scenario; tests/fuzz_fail/scenario/).
  CHECK_THAT(error_of(",").what(), Catch::StartsWith("s.yaml:1:1: error: YAML syntax error"));
  CHECK_THAT(error_of("a: 1\n---\n,").what(), Catch::StartsWith("s.yaml:3:1: error: YAML syntax error"));
}
