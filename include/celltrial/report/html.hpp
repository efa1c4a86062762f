#pragma once
// A self-contained HTML report of a results folder: one file with inline CSS and images embedded as
// data URIs, so it can be attached to a protocol or e-mailed and still show everything.
//
// The folder is what `celltrial simulate --out DIR` (or `celltrial merge`) writes: summary.json
// (required), run.json and scenario.yaml (provenance and the resolved scenario), and optionally
// power_curve.json / power_curve.png from `celltrial power SCENARIO --target P --out DIR`.
// summary.json is read as typed characteristics (a missing or mistyped key is an error naming it);
// values that are null (nothing to estimate) are shown as "NA".
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "celltrial/design/operating_characteristics.hpp"

namespace celltrial {

/// Escapes & < > " ' for HTML text and attribute values.
std::string html_escape(std::string_view text);

/// Standard base64 (RFC 4648, with '=' padding, no line breaks).
std::string base64_encode(std::string_view bytes);

/// The contents of a results folder that the report uses.
struct ReportInputs {
  std::string folder;                        ///< the results folder
  OperatingCharacteristics summary;          ///< summary.json
  std::optional<nlohmann::json> run;         ///< run.json
  std::optional<std::string> scenario_yaml;  ///< scenario.yaml
  /// The scenario file the run read (run.json "scenario_source"), found as recorded or relative to
  /// the folder two above the results; its comments give the sources of the assumptions.
  std::string scenario_source_path;
  std::optional<std::string> scenario_source;
  std::optional<nlohmann::json> power_curve; ///< power_curve.json
  std::optional<std::string> power_png;      ///< power_curve.png, raw bytes
  /// A study's results (celltrial study): enrichment.json, tornado.json, sweep.json, forest.json,
  /// designs.json.
  std::map<std::string, nlohmann::json> study;
  /// Its figures by stem (forest, enrichment_power, tornado, sweep_heatmap, sweep_power): PNG bytes.
  std::map<std::string, std::string> images;
};

/// Reads the files of `dir`. Throws Error(ExitCode::no_input) when the folder or its summary.json
/// is missing or unreadable, Error(ExitCode::data) when a JSON file is malformed (with line and
/// column), summary.json is not a JSON object or one of its blocks misses a key or has one of the
/// wrong type (naming the file and the key path).
ReportInputs read_report_inputs(const std::string& dir);

/// The report as one HTML document.
std::string render_html_report(const ReportInputs& in);

/// read_report_inputs() then render_html_report().
std::string html_report(const std::string& dir);

}  // namespace celltrial
