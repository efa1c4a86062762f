#pragma once
// Sensitivity sweeps: the same scenario simulated at every point of a grid of assumptions.
//
// Each axis is a key path (as for --set) and a list of values; the grid is their Cartesian
// product, or the values taken in step ("zip"). Every grid point uses the same seed and trial
// indices, so every point sees the same children and the same random numbers (common random
// numbers): differences between points are the effect of the assumption, not noise.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

struct SweepAxis {
  std::string key;
  std::vector<std::string> values;  ///< YAML text of each value (numbers, lists, mappings)
};

/// Parses "key.path=v1,v2,..." (commas inside [] or {} do not split).
SweepAxis parse_sweep_axis(const std::string& text);

/// Grid points: for each point, the (key, value) overrides that define it.
std::vector<std::vector<std::pair<std::string, std::string>>> sweep_grid(const std::vector<SweepAxis>& axes, bool zip);

struct SweepOptions {
  int threads = 0;
  const std::atomic<bool>* stop = nullptr;
  std::atomic<std::uint64_t>* progress = nullptr;  ///< trials done over the whole grid
};

/// A variant of a scenario: the extra "key=value" overrides that define it, and the words that
/// name it in messages ("at sweep point 2 (alpha=0.01)", "in enrichment strategy 'under5'").
struct Variant {
  std::string name;
  std::vector<std::string> overrides;
};

/// Loads every variant (with `overrides` first) before anything is simulated, so that a bad key or
/// value fails fast; the error names the variant.
std::vector<Scenario> load_variants(const std::function<Scenario(const std::vector<std::string>&)>& load,
                                    const std::vector<std::string>& overrides, const std::vector<Variant>& variants);

/// The grid points as variants ("at sweep point i (k=v, ...)").
std::vector<Variant> sweep_variants(const std::vector<std::vector<std::pair<std::string, std::string>>>& grid);

/// Loads the scenario at every grid point (text + overrides + the point's values) and simulates
/// it. Returns one JSON object per point: {"point": {key: value...}, "summary": summary.json}.
/// A value that does not fit a key is reported with the point that holds it.
nlohmann::json run_sweep(const std::function<Scenario(const std::vector<std::string>&)>& load,
                         const std::vector<std::string>& overrides, const std::vector<SweepAxis>& axes, bool zip,
                         const SweepOptions& opt);

/// The same for grid points already loaded (scenarios[i] is grid point i).
nlohmann::json run_sweep(const std::vector<Scenario>& scenarios,
                         const std::vector<std::vector<std::pair<std::string, std::string>>>& grid, const SweepOptions& opt);


}  // namespace celltrial
