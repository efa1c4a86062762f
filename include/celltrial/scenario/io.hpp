#pragma once
// Reading, validating and writing scenarios.
//
// load_* read YAML, apply `--set key.path=value` overrides, fill in every default and check every
// value. All problems found are reported together in one celltrial::Error (ExitCode::data, or
// no_input for an unreadable file), each naming file:line:column (or the --set option), the key
// path, the problem and the fix.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "celltrial/scenario/scenario.hpp"
#include "celltrial/stats/assurance.hpp"

namespace celltrial {

/// Reads a scenario file. `overrides` are "key.path=value" strings as given to --set. `variant`
/// are the overrides of one variant that the scenario's own sweep, tornado or enrichment section
/// defines (a grid point, a tornado end, a strategy), applied after `overrides`: a problem with one
/// is reported at the entry of that section that holds the value (or, when no entry does, as a
/// --sweep on the command line).
Scenario load_scenario_file(const std::string& path, const std::vector<std::string>& overrides = {},
                            const std::vector<std::string>& variant = {});

/// Reads a scenario from text; `source_name` is used in messages in place of a file name.
Scenario load_scenario_text(const std::string& text, const std::string& source_name,
                            const std::vector<std::string>& overrides = {},
                            const std::vector<std::string>& variant = {});

/// The fully resolved scenario as YAML (every default written out); loads back to the same
/// scenario.
std::string to_yaml(const Scenario& s);

/// to_yaml with a comment after each assumption naming its origin (for `show`): "set at FILE:LINE"
/// (or the --set that changed it) for values the scenario sets, "default: SOURCE" for defaults
/// that have a published or stated source.
std::string to_yaml_with_sources(const Scenario& s);

/// The fully resolved scenario as JSON (same structure as to_yaml), for results files.
nlohmann::json to_json(const Scenario& s);

/// The shortest decimal text that reads back to exactly `x`.
std::string format_number(double x);

/// A prior as the YAML flow mapping of an arm's effect_prior (e.g. for --set arms[1].effect_prior=...).
std::string prior_flow_yaml(const stats::Prior& p);

/// The points of a sweep grid whose axes have these numbers of values: their product, or with zip
/// the longest axis. A double, so that a grid of many long axes cannot overflow.
double sweep_grid_points(const std::vector<std::size_t>& axis_sizes, bool zip);
/// What is wrong with a grid of `points` points ("" when it is within kMaxSweepPoints).
std::string sweep_grid_problem(double points);

}  // namespace celltrial
