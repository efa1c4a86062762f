#pragma once
// Operating characteristics from accumulated trials, each with its Monte Carlo standard error:
// the content of summary.json, which the design layer's searches and the report layer both read.
#include <cstdint>
#include <utility>

#include <nlohmann/json.hpp>

#include "celltrial/engine/accumulator.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

/// summary.json content. Depends only on the scenario and the accumulated trials (never on
/// threads, shards or timings), so it is byte-identical across any parallel layout.
nlohmann::json summarise(const Scenario& s, const Accumulator& acc);

struct Truth;
/// The same, with the model's truth already at hand (skips rebuilding the model and its pre-run).
nlohmann::json summarise(const Scenario& s, const Accumulator& acc, const Truth& truth);
// With the typed characteristics already computed (operating_characteristics), summary.json is
// to_json(OperatingCharacteristics) (design/operating_characteristics.hpp).

/// The provenance fields every run.json starts with: format, version, git commit, seed, trials.
nlohmann::json run_provenance(const Scenario& s);

/// Wilson score interval for a proportion x/n at 95 %.
std::pair<double, double> wilson95(std::uint64_t x, std::uint64_t n);

}  // namespace celltrial
