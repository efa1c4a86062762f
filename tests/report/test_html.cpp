// The HTML report: escaping, base64, contents, missing values, and errors.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "celltrial/core/error.hpp"
#include "celltrial/design/operating_characteristics.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/report/html.hpp"
#include "test_support.hpp"

using celltrial::base64_encode;
using celltrial::Error;
using celltrial::ExitCode;
using celltrial::html_escape;
using celltrial::html_report;
using Catch::Contains;
using nlohmann::json;

namespace fs = std::filesystem;

namespace {

/// A fresh, empty folder under the system temporary directory.
fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("celltrial_test_html_" + name);
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
}

/// summary.json of a short run of the shipped scenario `file` (every block in the layout `celltrial
/// simulate` writes), as JSON.
json run_summary(const std::string& file, std::vector<std::string> overrides = {}) {
  overrides.push_back("simulation.trials=200");
  const celltrial::Scenario s = celltrial::test::load_shipped(file, overrides);
  const celltrial::Model model(s);
  const celltrial::Accumulator acc = celltrial::run_trials(model, celltrial::EngineOptions{});
  return json::parse(celltrial::to_json(celltrial::operating_characteristics(s, acc, model.truth())).dump());
}

/// `patch` written over `target`: objects key by key, arrays of the same length element by element,
/// anything else replaced (so a test sets the values it checks and keeps the run's others).
void deep_patch(json& target, const json& patch) {
  if (patch.is_object() && target.is_object()) {
    for (auto it = patch.begin(); it != patch.end(); ++it) deep_patch(target[it.key()], it.value());
  } else if (patch.is_array() && target.is_array() && patch.size() == target.size()) {
    for (std::size_t i = 0; i < patch.size(); ++i) deep_patch(target[i], patch[i]);
  } else {
    target = patch;
  }
}

/// summary.json of a short run of `file` with the values of `patch` set by hand.
std::string patched_summary(const std::string& file, const char* patch) {
  json j = run_summary(file);
  deep_patch(j, json::parse(patch));
  return j.dump(2);
}

// The values a summary of scenarios/default.yaml gets here, a few of them null.
const char* kSummaryValues = R"({
  "scenario": "ucb <demo> & co", "trials": 2000, "seed": 12345,
  "analysis": {"method": "ancova", "primary_visit_months": 12, "alpha": 0.025, "sides": 1, "multiplicity": "none"},
  "comparisons": [{
    "arm": "ucb", "label": "ucb vs control",
    "power": {"estimate": 0.8125, "mc_se": 0.008727, "ci95": [0.79468, 0.82912], "count": 1625, "of": 2000,
              "favourable": {"estimate": 0.8125, "mc_se": 0.008727, "ci95": [0.79468, 0.82912], "count": 1625, "of": 2000}},
    "estimate": {"mean": 3.2716, "mc_se": 0.0281, "true": 3.25, "true_mc_se": 0, "true_source": "scenario effect",
                 "bias": 0.0216, "bias_mc_se": 0.0281, "empirical_se": 1.2571, "empirical_se_mc_se": 0.0199,
                 "model_se": 1.2498, "model_se_mc_se": 0.0012, "rmse": 1.2573, "rmse_mc_se": 0.02,
                 "coverage": 0.9485, "coverage_mc_se": null, "ci_level": 0.95, "estimable_trials": 2000},
    "safety": {"estimate": 0.0415, "mc_se": 0.0045, "ci95": [0.0334, 0.0514], "count": 83, "of": 2000, "threshold": 0.1}
  }],
  "arms": [
    {"name": "control", "role": "control", "randomised_mean": 100, "analysed_mean": 91.5, "analysed_mean_mc_se": 0.06,
     "mean_change": 5.1, "mean_change_mc_se": 0.02, "sae_mean": 4.2, "sae_mc_se": 0.04,
     "infusion_reactions_mean": 0, "infusion_reactions_mc_se": 0, "product": "none", "mean_dose": null,
     "mean_dose_mc_se": null, "dose_unit": ""},
    {"name": "ucb", "role": "active", "randomised_mean": 100, "analysed_mean": 91.4, "analysed_mean_mc_se": 0.06,
     "mean_change": 8.37, "mean_change_mc_se": 0.02, "sae_mean": 5.9, "sae_mc_se": 0.05,
     "infusion_reactions_mean": 3.1, "infusion_reactions_mc_se": 0.04, "product": "ucb", "mean_dose": 4.77,
     "mean_dose_mc_se": 0.01, "dose_unit": "1e7 TNC/kg"}],
  "sample_size": {"randomised_mean": 200, "analysed_mean": 182.9, "screened_mean": 731.2, "screened_mc_se": 0.6,
                  "screened_per_randomised": 3.656},
  "enrolled": {"mean_age_months": 61.7, "mean_age_months_mc_se": 0.05, "share_under_5_years": 0.4893,
               "share_under_5_years_mc_se": 0.0008, "share_gmfcs_I_III": null, "share_gmfcs_I_III_mc_se": null}
})";
const std::string& summary_text() {
  static const std::string text = patched_summary("scenarios/default.yaml", kSummaryValues);
  return text;
}

const char* kRun = R"({"format": "celltrial.run/1", "celltrial_version": "9.8.7", "git_commit": "abc1234def",
  "seed": 12345, "trials": 2000, "threads": 2, "finished_utc": "2031-02-03T04:05:06Z",
  "scenario": {"name": "ucb <demo> & co", "description": "Umbilical cord blood: \"allcomers\" <2 doses>"}})";

// The 8-byte PNG signature and a minimal IHDR chunk: enough for the report to embed it.
const std::string kPng = std::string("\x89PNG\r\n\x1a\n", 8) + std::string("\0\0\0\rIHDR", 8);

}  // namespace

TEST_CASE("report: html escaping", "[report]") {
  CHECK(html_escape("") == "");
  CHECK(html_escape("plain text 1.5") == "plain text 1.5");
  CHECK(html_escape("a < b && c > \"d\" 'e'") == "a &lt; b &amp;&amp; c &gt; &quot;d&quot; &#39;e&#39;");
  CHECK(html_escape("</pre><script>") == "&lt;/pre&gt;&lt;script&gt;");
  CHECK(html_escape("\xc3\xa9") == "\xc3\xa9");  // UTF-8 passes through
}

TEST_CASE("report: base64 known vectors", "[report]") {
  // RFC 4648 section 10.
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foob") == "Zm9vYg==");
  CHECK(base64_encode("fooba") == "Zm9vYmE=");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  // High bytes and zeros.
  CHECK(base64_encode(std::string("\x00\xff\xfe", 3)) == "AP/+");
  CHECK(base64_encode(std::string("\x89PNG\r\n\x1a\n", 8)) == "iVBORw0KGgo=");
}

TEST_CASE("report: html report holds the key numbers and embeds the power curve", "[report]") {
  const fs::path d = fresh_dir("full");
  write(d / "summary.json", summary_text());
  write(d / "run.json", kRun);
  write(d / "scenario.yaml", "name: ucb <demo> & co\nnote: \"a < b\"\n");
  write(d / "power_curve.json", R"({"target_power": 0.8, "n_total": 180, "n_per_arm": [90, 90], "power": 0.8123,
    "power_mc_se": 0.0031, "reached": true, "curve": [{"n": 160, "trials": 4000, "power": 0.7712, "mc_se": 0.0066,
    "ci95": [0.758, 0.784]}, {"n": 180, "trials": 4000, "power": 0.8123, "mc_se": 0.0062, "ci95": [0.8, 0.824]}]})");
  write(d / "power_curve.png", kPng);

  const std::string html = html_report(d.string());
  CHECK_THAT(html, Contains("<!DOCTYPE html>"));
  // Title, description and scenario text are escaped.
  CHECK_THAT(html, Contains("ucb &lt;demo&gt; &amp; co"));
  CHECK_THAT(html, Contains("Umbilical cord blood: &quot;allcomers&quot; &lt;2 doses&gt;"));
  CHECK_THAT(html, Contains("<pre>name: ucb &lt;demo&gt; &amp; co\nnote: &quot;a &lt; b&quot;\n</pre>"));
  CHECK_THAT(html, !Contains("<demo>"));
  // Provenance.
  for (const char* s : {"9.8.7", "abc1234def", "12345", "2000", "2031-02-03T04:05:06Z"}) CHECK_THAT(html, Contains(s));
  // Power with MC SE and CI, estimates, arms, enrolment.
  for (const char* s : {"0.8125", "0.0087", "0.7947 to 0.8291", "3.272", "3.25", "0.0216", "1.257", "1.25", "0.9485",
                        "91.5", "8.37", "4.77", "1e7 TNC/kg", "3.656", "61.7", "0.4893"})
    CHECK_THAT(html, Contains(s));
  // Null values are shown as NA (coverage MC SE, control dose, GMFCS share).
  CHECK_THAT(html, Contains("<td>NA</td>"));
  CHECK_THAT(html, Contains("<th scope=\"row\">share GMFCS I-III</th><td>NA</td><td>NA</td>"));
  // Power curve table with the chosen N highlighted, and the embedded PNG.
  CHECK_THAT(html, Contains("<tr class=\"chosen\"><th scope=\"row\">180</th>"));
  CHECK_THAT(html, Contains("0.7712"));
  CHECK_THAT(html, Contains("src=\"data:image/png;base64," + base64_encode(kPng) + "\""));
  // Self-contained: no resources fetched from anywhere.
  const std::regex external(R"((src|href)\s*=\s*["']?\s*(https?:|//))", std::regex::icase);
  CHECK_FALSE(std::regex_search(html, external));
  CHECK_THAT(html, !Contains("http"));
  CHECK_THAT(html, !Contains("<link"));
  CHECK_THAT(html, !Contains("url("));
}

TEST_CASE("report: html report without optional files", "[report]") {
  const fs::path d = fresh_dir("minimal");
  write(d / "summary.json", patched_summary("scenarios/default.yaml", R"({"scenario": "bare", "trials": 10,
    "enrolled": {"mean_age_months": null}})"));
  const std::string html = html_report(d.string());
  CHECK_THAT(html, Contains("bare"));
  CHECK_THAT(html, Contains("NA"));
  CHECK_THAT(html, !Contains("data:image/png"));
  CHECK_THAT(html, !Contains("power-curve\""));
  // A file that is not a PNG is not embedded.
  write(d / "power_curve.png", "not a png");
  CHECK_THAT(html_report(d.string()), !Contains("data:image/png"));
}

TEST_CASE("report: html report errors", "[report]") {
  const fs::path d = fresh_dir("errors");
  auto code_of = [](const fs::path& dir) {
    try {
      html_report(dir.string());
    } catch (const Error& e) {
      CHECK_FALSE(e.diagnostics().empty());
      return e.code();
    }
    return ExitCode::ok;
  };
  CHECK(code_of(d / "no_such_folder") == ExitCode::no_input);
  CHECK(code_of(d) == ExitCode::no_input);
  try {
    html_report(d.string());
  } catch (const Error& e) {
    CHECK_THAT(e.diagnostics()[0].fix, Contains("celltrial simulate"));
  }
  write(d / "summary.json", "{\n  \"scenario\": \"x\",\n  \"trials\": ,\n}");
  CHECK(code_of(d) == ExitCode::data);
  try {
    html_report(d.string());
  } catch (const Error& e) {
    CHECK(e.diagnostics()[0].where.line == 3);
  }
  write(d / "summary.json", "[1, 2]");
  CHECK(code_of(d) == ExitCode::data);
  // A summary.json without a block, or with a key of the wrong type: the file and the key path named.
  json partial = json::parse(summary_text());
  partial.erase("enrolled");
  write(d / "summary.json", partial.dump(2));
  CHECK(code_of(d) == ExitCode::data);
  try {
    html_report(d.string());
  } catch (const Error& e) {
    CHECK_THAT(e.what(), Contains((d / "summary.json").string()) && Contains("enrolled") && Contains("missing"));
  }
  partial = json::parse(summary_text());
  partial["comparisons"][0]["power"]["count"] = "many";
  write(d / "summary.json", partial.dump(2));
  try {
    html_report(d.string());
    FAIL("a mistyped key is an error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::data);
    CHECK_THAT(e.what(), Contains("comparisons[0].power.count") && Contains("a string"));
  }
  write(d / "summary.json", summary_text());
  write(d / "run.json", "{oops");
  CHECK(code_of(d) == ExitCode::data);
  // Valid JSON syntax with a number no double holds: a located error too, not an escaped exception.
  write(d / "run.json", "{\"wall_seconds\": 1e400}");
  CHECK(code_of(d) == ExitCode::data);
}

namespace {
// The values a group-sequential summary of scenarios/validation/gs_overrunning.yaml gets here (from
// a run of 20000 trials), with the Z distribution per analysis.
const char* kInterimValues = R"({
  "scenario": "gs", "trials": 20000, "seed": 2024,
  "analysis": {"method": "ancova", "primary_visit_months": 12, "alpha": 0.025, "sides": 1, "multiplicity": "none"},
  "comparisons": [{
    "power": {"estimate": 0.89435, "mc_se": 0.0021736, "ci95": [0.89, 0.8985], "count": 17887, "of": 20000,
              "favourable": {"estimate": 0.89435, "mc_se": 0.0021736, "ci95": [0.89, 0.8985], "count": 17887, "of": 20000}},
    "estimate": {"mean": 1.3, "mc_se": 0.003, "true": 1.3, "true_mc_se": 0, "bias": 0.0001, "bias_mc_se": 0.003,
                 "coverage": 0.95, "coverage_mc_se": 0.0015, "ci_level": 0.95}}],
  "sample_size": {"expected": 385.40405, "expected_mc_se": 0.226, "max": 400, "randomised_mean": 385.40405,
    "distribution": {"mean": 385.40405, "mc_se": 0.226, "sd": 31.97, "trials": 20000,
      "quantiles": {"0.05": 277.125, "0.25": 384.125, "0.5": 398.125, "0.75": 400.125, "0.95": 400.125}},
    "quantiles": {"0.05": 277.125, "0.25": 384.125, "0.5": 398.125, "0.75": 400.125, "0.95": 400.125}},
  "duration_months": {"mean": 43.62, "mc_se": 0.0559, "sd": 7.909, "expected": 43.62, "expected_mc_se": 0.0559,
    "quantiles": {"0.05": 28.1015625, "0.25": 38.140625, "0.5": 40.359375, "0.75": 51.484375, "0.95": 54.328125}},
  "interims": {"alpha": 0.025, "sides": 1, "boundary": "obrien-fleming", "parameter": null,
    "information": [0.3333333333333333, 0.6666666666666666, 1.0], "children_at_look": [134, 267],
    "critical_values": [3.471091435177974, 2.454432291932891, 2.0040355744818075],
    "nominal_alpha": [0.000259, 0.007055, 0.022533], "cumulative_alpha": [0.000259, 0.00716, 0.025],
    "critical_values_scale": "Z: each analysis's t statistic turned into z",
    "futility": {"rule": "z", "threshold": 0.25, "binding": false},
    "look_months": [{"mean": 25.41, "mc_se": 0.0082, "trials": 20000}, {"mean": 38.69, "mc_se": 0.0118, "trials": 18984}],
    "look_months_meaning": "calendar month of each interim look",
    "z_distribution": {"quantile_resolution": 0.00390625, "meaning": "quantiles of Z", "analyses": [
      {"analysis": 1, "trials": 20000, "quantiles": {"0.05": 0.2, "0.1": 0.55, "0.25": 1.2, "0.5": 1.88, "0.75": 2.55, "0.9": 3.1, "0.95": 3.5}},
      {"analysis": 2, "trials": 18984, "quantiles": {"0.05": 1.0, "0.1": 1.3, "0.25": 1.9, "0.5": 2.5, "0.75": 3.1, "0.9": 3.6, "0.95": 3.9}},
      {"analysis": 3, "trials": 8440, "quantiles": {"0.05": 0.9, "0.1": 1.1, "0.25": 1.6, "0.5": 2.1, "0.75": 2.6, "0.9": 3.0, "0.95": 3.2}}]},
    "estimate_at_stopping": {"mean": 1.4017, "mc_se": 0.0036, "true": 1.3, "true_mc_se": 0,
      "true_source": "the primary comparison's true effect", "bias": 0.1017, "bias_mc_se": 0.0036,
      "empirical_se": 0.51, "empirical_se_mc_se": 0.0026, "model_se": 0.5, "model_se_mc_se": 0.0003,
      "rmse": 0.52, "rmse_mc_se": 0.0036, "coverage": 0.93765, "coverage_mc_se": 0.0017, "ci_level": 0.95,
      "estimable_trials": 20000, "meaning": "naive"}},
  "stopping": {
    "any_interim": {"estimate": 0.578, "mc_se": 0.0035, "ci95": [0.5711, 0.5848], "count": 11560, "of": 20000},
    "efficacy_any": {"estimate": 0.89435, "mc_se": 0.0022, "ci95": [0.89, 0.8985], "count": 17887, "of": 20000},
    "efficacy": [{"estimate": 0.0508, "mc_se": 0.0015527, "ci95": [0.0478, 0.054], "count": 1016, "of": 20000},
                 {"estimate": 0.5272, "mc_se": 0.00353, "ci95": [0.5203, 0.5341], "count": 10544, "of": 20000},
                 {"estimate": 0.31635, "mc_se": 0.00329, "ci95": [0.3099, 0.3228], "count": 6327, "of": 20000}],
    "futility": [{"estimate": 0.0123, "mc_se": 0.0008, "ci95": [0.0109, 0.0139], "count": 246, "of": 20000},
                 {"estimate": 0.0011, "mc_se": 0.0002, "ci95": [0.0007, 0.0017], "count": 22, "of": 20000}],
    "meaning": "per analysis, the share of trials that crossed the efficacy bound there"}
})";
}  // namespace

TEST_CASE("report: a design with interims shows its boundaries, stopping, N and duration, rules and assumptions",
          "[report]") {
  const fs::path d = fresh_dir("interims");
  write(d / "summary.json", patched_summary("scenarios/validation/gs_overrunning.yaml", kInterimValues));
  // The scenario file the run read, with comments that name sources.
  write(d / "gs.yaml",
        "# A group-sequential test scenario.\nschema_version: 1\nname: gs\narms:\n  - name: control\n    role: control\n"
        "  - name: treated\n    effect_by_month: {12: 1.3}   # points vs control [IPDMA, Pediatrics 2025]\n"
        "design:\n  sample_size: 400   # children [assumed]\n  accrual:\n    # ten sites [DOMAIN]\n    sites: 10\n");
  write(d / "run.json", R"({"format": "celltrial.run/1", "celltrial_version": "1.0", "git_commit": "abc", "seed": 2024,
    "threads": 2, "started_utc": "2031-01-01T00:00:00Z", "finished_utc": "2031-01-01T00:00:01Z",
    "scenario_source": ")" + (d / "gs.yaml").string() + R"(",
    "scenario": {"name": "gs", "description": "A group-sequential test.",
      "arms": [{"name": "control", "role": "control", "allocation": 1}, {"name": "treated", "role": "active", "allocation": 1}],
      "design": {"sample_size": 400, "randomisation": "fixed", "visits_months": [12], "dropout": {"by_last_visit": 0},
                 "accrual": {"sites": 10, "screened_per_site_month": 1, "ramp_up_months": 0},
                 "interims": {"information": [0.3333, 0.6667], "efficacy": {"boundary": "obrien-fleming"},
                              "futility": {"rule": "z", "threshold": 0.25}}},
      "analysis": {"method": "ancova", "primary_visit_months": 12, "alpha": 0.025, "sides": 1, "direction": "greater",
                   "ci_level": 0.95, "adjust_for": [], "multiplicity": "none"}}})");
  const std::string html = html_report(d.string());
  // The opening summary, before the provenance.
  CHECK_THAT(html, Contains("id=\"summary\""));
  CHECK(html.find("id=\"summary\"") < html.find("id=\"provenance\""));
  CHECK_THAT(html, Contains("0.8943 (0.0022)"));        // power (MC SE)
  CHECK_THAT(html, Contains("385.4 (0.23)"));           // expected N (MC SE)
  CHECK_THAT(html, Contains("43.6 (0.06)"));            // expected duration (MC SE)
  // Boundaries plot with the Z distribution, stopping bars with MC intervals, N and duration boxes.
  CHECK_THAT(html, Contains("id=\"interims\""));
  CHECK_THAT(html, Contains("<svg class=\"chart\""));
  CHECK_THAT(html, Contains("Z = 3.4711"));             // the first look's efficacy bound
  CHECK_THAT(html, Contains("Z = 0.25"));               // the futility bound (rule z)
  CHECK_THAT(html, Contains("Z: 25-75 %"));
  CHECK_THAT(html, Contains("0.0508 (0.0016)"));        // P(efficacy at look 1) (MC SE)
  CHECK_THAT(html, Contains("0.0123 (0.0008)"));        // P(futility at look 1)
  CHECK_THAT(html, Contains("95 % MC interval"));
  CHECK_THAT(html, Contains("1.88 (0.20 to 3.50)"));    // Z median (5-95 %) at look 1
  // N quantiles are whole children (the bins' centres are 277.125 ... 400.125).
  CHECK_THAT(html, Contains("<td>277</td><td>384</td><td>398</td><td>400</td><td>400</td>"));
  CHECK_THAT(html, !Contains("400.125"));
  CHECK_THAT(html, Contains("children randomised per trial"));
  // Design rules and assumptions with their sources.
  CHECK_THAT(html, Contains("id=\"design-rules\""));
  CHECK_THAT(html, Contains("stop for efficacy when Z &gt;= 3.471, 2.454, 2.004"));
  CHECK_THAT(html, Contains("id=\"assumptions\""));
  CHECK_THAT(html, Contains("<th scope=\"row\">arms[treated].effect_by_month</th><td>{12: 1.3}</td><td>IPDMA, Pediatrics 2025</td>"));
  CHECK_THAT(html, Contains("<th scope=\"row\">design.sample_size</th><td>400</td><td>assumed</td>"));
  CHECK_THAT(html, Contains("<th scope=\"row\">design.accrual.sites</th><td>10</td><td>DOMAIN</td>"));
  CHECK_THAT(html, Contains("A group-sequential test scenario."));
  // Every value of the summary, provenance, rules, assumptions and interim sections is known here:
  // no NA there (the arms and enrolment tables lack their keys in this small summary).
  auto section = [&](const std::string& from, const std::string& to) {
    const auto b = html.find(from), e = html.find(to, b + from.size());
    REQUIRE(b != std::string::npos);
    REQUIRE(e != std::string::npos);
    return html.substr(b, e - b);
  };
  for (const auto& part : {section("id=\"summary\"", "id=\"operating-characteristics\""),
                           section("id=\"interims\"", "id=\"scenario\"")}) {
    CHECK_THAT(part, !Contains(">NA<"));
    CHECK_THAT(part, !Contains("NA ("));
    CHECK_THAT(part, !Contains("(NA)"));
  }
  CHECK_THAT(html, !Contains("http"));
}

TEST_CASE("report: an arm-selection design shows each arm's selection and claims, the look's outcome and the FWER", "[report]") {
  const fs::path d = fresh_dir("arm_selection");
  // A run of scenarios/arm_selection.yaml with the values of its arm_selection block from a longer run.
  write(d / "summary.json", patched_summary("scenarios/arm_selection.yaml", R"({"arm_selection": {
    "arms": ["intrathecal", "intravenous"], "true_effect": [2.574, 2.0592],
    "meaning": "closed test of H_j over every intersection",
    "selected": [{"arm": "intrathecal", "estimate": 0.5911, "mc_se": 0.0035}, {"arm": "intravenous", "estimate": 0.4089, "mc_se": 0.0035}],
    "claim": [{"arm": "intrathecal", "estimate": 0.62775, "mc_se": 0.0034}, {"arm": "intravenous", "estimate": 0.31315, "mc_se": 0.0033}],
    "claim_at_look": [{"arm": "intrathecal", "estimate": 0.19405, "mc_se": 0.0028}, {"arm": "intravenous", "estimate": 0.11455, "mc_se": 0.0023}],
    "claim_any": {"estimate": 0.8632, "mc_se": 0.0024}, "claim_meaning": "claims of the closed test",
    "final_selection": [{"arms": ["intrathecal"], "estimate": 0.50165, "mc_se": 0.0035}, {"arms": ["intravenous"], "estimate": 0.2622, "mc_se": 0.0031},
                        {"arms": ["intrathecal", "intravenous"], "estimate": 0.0, "mc_se": 0.0}],
    "final_selection_meaning": "went on with exactly these arms",
    "fwer": {"estimate": 0.0, "mc_se": 0.0, "meaning": "family-wise error rate"},
    "naive_test": {"any": {"estimate": 0.91275, "mc_se": 0.0020}, "false_claim": {"estimate": 0.0, "mc_se": 0.0},
                   "claim": [{"arm": "intrathecal", "estimate": 0.65755, "mc_se": 0.0034}, {"arm": "intravenous", "estimate": 0.33305, "mc_se": 0.0033}],
                   "meaning": "not valid tests"},
    "outcome": {"continued": {"estimate": 0.76385, "mc_se": 0.0030}, "stopped_efficacy": {"estimate": 0.2285, "mc_se": 0.0030},
                "stopped_futility": {"estimate": 0.00765, "mc_se": 0.0006}, "meaning": "the look's decision"},
    "sample_size_note": "the arms dropped stop recruiting"}})"));
  const std::string html = html_report(d.string());
  CHECK_THAT(html, Contains("id=\"arm-selection\""));
  // One row per arm: true effect, kept, claim, claim at the look, naive claim.
  CHECK_THAT(html, Contains("<th scope=\"row\">intrathecal</th><td>2.574</td><td>0.5911 (0.0035)</td><td>0.6278 (0.0034)</td>"
                            "<td>0.1941 (0.0028)</td><td>0.6575 (0.0034)</td>"));
  CHECK_THAT(html, Contains("<th scope=\"row\">intravenous</th><td>2.059</td>"));
  CHECK_THAT(html, Contains("went on with intrathecal</th><td>0.5017 (0.0035)</td>"));
  CHECK_THAT(html, Contains("the look: stopped for efficacy</th><td>0.2285 (0.0030)</td><td>—</td>"));
  CHECK_THAT(html, Contains("the look: went on</th><td>0.7639 (0.0030)</td><td>the look&#39;s decision</td>"));
  CHECK_THAT(html, Contains("family-wise error rate</th><td>0.0000 (0.0000)</td>"));
  CHECK_THAT(html, Contains("naive tests: any claim (not valid)</th><td>0.9127 (0.0020)</td>"));
  const auto b = html.find("id=\"arm-selection\""), e = html.find("id=\"scenario\"", b);
  REQUIRE(b != std::string::npos);
  CHECK_THAT(html.substr(b, e - b), !Contains(">NA<"));
}

TEST_CASE("report: a study report shows the design comparison and its provenance without NA", "[report]") {
  const fs::path d = fresh_dir("designs");
  write(d / "summary.json", summary_text());
  // A study's run.json: the resolved scenario under resolved_scenario, no threads or dates recorded.
  write(d / "run.json", R"({"format": "celltrial.run/1", "command": "study", "celltrial_version": "1.0", "git_commit": "abc",
    "seed": 5, "trials": 100, "scenario_source": "no/such/file.yaml",
    "resolved_scenario": {"name": "s", "description": "A study of designs."}})");
  write(d / "designs.json", R"({"trials": 4000, "seed": 5, "null_overrides": {"arms.ucb.effect_by_month": "{6: 0, 12: 0}"},
    "responders_meaning": "closed test",
    "rows": [
      {"design": "fixed", "overrides": {}, "power": 0.8, "power_mc_se": 0.0063, "power_difference": null,
       "power_difference_mc_se": null, "expected_n": 440, "expected_n_mc_se": 0, "max_n": 440,
       "expected_duration_months": 60.1, "expected_duration_months_mc_se": 0.02, "claim_responders": null,
       "claim_responders_mc_se": null, "type1": 0.0251, "type1_mc_se": 0.0025},
      {"design": "enrichment", "overrides": {"design.interims": "{information: [0.5]}"}, "power": 0.7, "power_mc_se": 0.0072,
       "power_difference": -0.1, "power_difference_mc_se": 0.004, "expected_n": 401.5, "expected_n_mc_se": 0.5, "max_n": 440,
       "expected_duration_months": 58.2, "expected_duration_months_mc_se": 0.1, "claim_responders": 0.61,
       "claim_responders_mc_se": 0.0077, "type1": 0.0275, "type1_mc_se": 0.0026}]})");
  const std::string html = html_report(d.string());
  CHECK_THAT(html, Contains("id=\"designs\""));
  CHECK_THAT(html, Contains("<th scope=\"row\">enrichment</th><td>0.7000 (0.0072)</td><td>-0.1000 (0.0040)</td>"
                            "<td>401.5 (0.50)</td><td>440</td><td>58.2 (0.10)</td><td>0.6100 (0.0077)</td><td>0.0275 (0.0026)</td>"));
  CHECK_THAT(html, Contains("no claim in the responders"));
  CHECK_THAT(html, Contains("A study of designs."));      // the description from resolved_scenario
  CHECK_THAT(html, !Contains("Description: NA"));
  CHECK_THAT(html, Contains("<th scope=\"row\">threads</th><td>not recorded"));
  CHECK_THAT(html, Contains("celltrial study"));
  CHECK_THAT(html, Contains("no/such/file.yaml"));        // the scenario file that could not be read is named
}
