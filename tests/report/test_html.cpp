// The HTML report: escaping, base64, contents, missing values, and errors.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <string>

#include "celltrial/core/error.hpp"
#include "celltrial/report/html.hpp"

using celltrial::base64_encode;
using celltrial::Error;
using celltrial::ExitCode;
using celltrial::html_escape;
using celltrial::html_report;
using Catch::Contains;

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

// A small summary in the layout `celltrial simulate` writes, with a few values null.
const char* kSummary = R"({
  "format": "celltrial.summary/1", "scenario": "ucb <demo> & co", "trials": 2000, "seed": 12345,
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
               "share_under_5_years_mc_se": 0.0008, "share_gmfcs_I_III": null}
})";

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
  write(d / "summary.json", kSummary);
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
  write(d / "summary.json", R"({"scenario": "bare", "trials": 10})");
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
  write(d / "summary.json", "{}");
  write(d / "run.json", "{oops");
  CHECK(code_of(d) == ExitCode::data);
}
