#pragma once
// The study service: what `celltrial study` does, for any host program. Everything a scenario
// declares for a sensitivity study, in one results folder with its report: the base run with its
// subgroup and multiplicity results, the forest plot, the enrichment table, the tornado plot, the
// sweep with its heat map, and report.html. Failures throw celltrial::Error with the command
// line's located message and exit code; every variant is checked before anything runs.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "celltrial/design/operating_characteristics.hpp"
#include "celltrial/scenario/scenario.hpp"
#include "celltrial/services/callbacks.hpp"

namespace celltrial::services {

struct StudyRequest {
  std::string scenario_file;            ///< empty: the built-in default scenario (or scenario_text)
  std::string scenario_text;            ///< YAML text to use instead (scenario_file then only names it)
  std::vector<std::string> overrides;   ///< "key.path=value" everywhere, as --set
  std::optional<std::uint64_t> trials;  ///< per simulated variant
  std::optional<std::uint64_t> seed;
  int threads = 0;
  std::string out;                      ///< results folder; empty: results/<name>/
  std::uint64_t search_trials = 2000;   ///< first-round trials per candidate N of the enrichment search
  std::uint64_t search_max_trials = 16000;
  double max_hours = 1.0;  ///< refuse a study estimated longer than this ...
  bool yes = false;        ///< ... unless yes
};

struct StudyResult {
  Scenario base;
  OperatingCharacteristics characteristics;  ///< the base run's, typed
  nlohmann::json summary;          ///< the base run's summary.json (to_json(characteristics))
  nlohmann::json enrichment_rows;  ///< null without an enrichment section
  nlohmann::json design_rows;      ///< null without a designs section
  std::string out_dir;
  std::vector<std::string> notes;  ///< why a figure could not be drawn
};

/// Runs the study; progress notes ("base scenario: ...", each search step) go to the log callback.
/// Throws Error: bad scenario or variant (data), a study estimated longer than max_hours (usage),
/// an unusable folder (io, before anything runs), interrupted (nothing written).
StudyResult study(const StudyRequest& request, const Callbacks& callbacks = {});

}  // namespace celltrial::services
