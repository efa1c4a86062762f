#pragma once
// Operating characteristics from accumulated trials, each with its Monte Carlo standard error.
#include <string>

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

/// The provenance fields every run.json starts with: format, version, git commit, seed, trials.
nlohmann::json run_provenance(const Scenario& s);

/// Tidy CSV: one row per (comparison, metric) with estimate and Monte Carlo SE.
std::string summary_csv(const nlohmann::json& summary);

/// A terminal table of the main operating characteristics.
std::string summary_table(const nlohmann::json& summary);

/// Wilson score interval for a proportion x/n at 95 %.
std::pair<double, double> wilson95(std::uint64_t x, std::uint64_t n);

/// Writes a run's results folder atomically: summary.json, summary.csv, run.json and the resolved
/// scenario.yaml (see report/output.hpp for the replacement rules).
void write_run_results(const std::string& dir, const Scenario& s, const nlohmann::json& summary,
                       const nlohmann::json& run);

/// A CSV field, quoted when it holds a comma, quote or newline.
std::string csv_field(const std::string& s);

/// The JSON text exactly as written to summary.json.
std::string dump_json(const nlohmann::json& j);

}  // namespace celltrial
