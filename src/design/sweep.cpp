#include "celltrial/design/sweep.hpp"

#include <sstream>

#include "celltrial/core/error.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/design/summary.hpp"
#include "celltrial/scenario/io.hpp"

namespace celltrial {

SweepAxis parse_sweep_axis(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size())
    throw Error(ExitCode::usage, Diagnostic{{"command line", 0, 0}, "--sweep " + text,
                                            "a sweep must look like key.path=v1,v2,...",
                                            "e.g. --sweep design.sample_size=300,400,500."});
  SweepAxis axis;
  axis.key = text.substr(0, eq);
  int depth = 0;
  std::string cur;
  for (char c : text.substr(eq + 1)) {
    if (c == '[' || c == '{') ++depth;
    if (c == ']' || c == '}') --depth;
    if (c == ',' && depth == 0) {
      axis.values.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  axis.values.push_back(cur);
  for (const auto& v : axis.values)
    if (v.find_first_not_of(" \t") == std::string::npos)
      throw Error(ExitCode::usage, Diagnostic{{"command line", 0, 0}, "--sweep " + text, "a value in the list is empty.",
                                              "separate values with single commas."});
  return axis;
}

std::vector<std::vector<std::pair<std::string, std::string>>> sweep_grid(const std::vector<SweepAxis>& axes, bool zip) {
  std::vector<std::vector<std::pair<std::string, std::string>>> grid;
  if (axes.empty()) return grid;
  if (zip) {
    const std::size_t n = axes[0].values.size();
    for (const auto& a : axes)
      if (a.values.size() != n)
        throw Error(ExitCode::usage, Diagnostic{{"command line", 0, 0}, "--zip",
                                                "zipped sweeps need the same number of values on every axis ('" + axes[0].key +
                                                    "' has " + std::to_string(n) + ", '" + a.key + "' has " +
                                                    std::to_string(a.values.size()) + ").",
                                                "give every axis the same number of values, or drop --zip for a full grid."});
    for (std::size_t i = 0; i < n; ++i) {
      std::vector<std::pair<std::string, std::string>> p;
      for (const auto& a : axes) p.emplace_back(a.key, a.values[i]);
      grid.push_back(p);
    }
    return grid;
  }
  grid.push_back({});
  for (const auto& a : axes) {
    std::vector<std::vector<std::pair<std::string, std::string>>> next;
    for (const auto& p : grid)
      for (const auto& v : a.values) {
        auto q = p;
        q.emplace_back(a.key, v);
        next.push_back(q);
      }
    grid = std::move(next);
  }
  return grid;
}

std::vector<Scenario> load_variants(const std::function<Scenario(const std::vector<std::string>&)>& load,
                                    const std::vector<std::string>& overrides, const std::vector<Variant>& variants) {
  std::vector<Scenario> out;
  for (const auto& v : variants) {
    std::vector<std::string> sets = overrides;
    sets.insert(sets.end(), v.overrides.begin(), v.overrides.end());
    try {
      out.push_back(load(sets));
    } catch (const Error& e) {
      std::vector<Diagnostic> ds = e.diagnostics();
      for (auto& d : ds) d.problem = v.name + ": " + d.problem;
      throw Error(e.code(), ds);
    }
  }
  return out;
}

std::vector<Variant> sweep_variants(const std::vector<std::vector<std::pair<std::string, std::string>>>& grid) {
  std::vector<Variant> out;
  for (std::size_t i = 0; i < grid.size(); ++i) {
    Variant v;
    std::string label;
    for (const auto& [k, val] : grid[i]) {
      v.overrides.push_back(k + "=" + val);
      label += (label.empty() ? "" : ", ") + k + "=" + val;
    }
    v.name = "at sweep point " + std::to_string(i + 1) + " (" + label + ")";
    out.push_back(v);
  }
  return out;
}

nlohmann::json run_sweep(const std::function<Scenario(const std::vector<std::string>&)>& load,
                         const std::vector<std::string>& overrides, const std::vector<SweepAxis>& axes, bool zip,
                         const SweepOptions& opt) {
  const auto grid = sweep_grid(axes, zip);
  const auto scenarios = load_variants(load, overrides, sweep_variants(grid));
  return run_sweep(scenarios, grid, opt);
}

nlohmann::json run_sweep(const std::vector<Scenario>& scenarios,
                         const std::vector<std::vector<std::pair<std::string, std::string>>>& grid, const SweepOptions& opt) {
  CELLTRIAL_ASSERT(scenarios.size() == grid.size());
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t i = 0; i < grid.size(); ++i) {
    EngineOptions eo;
    eo.threads = opt.threads;
    eo.stop = opt.stop;
    eo.progress = opt.progress;
    const Model model(scenarios[i]);  // built once: used for the run and for the summary
    const Accumulator acc = run_trials(model, eo);
    nlohmann::json point = nlohmann::json::object();
    for (const auto& [k, v] : grid[i]) point[k] = v;
    rows.push_back({{"point", point}, {"summary", summarise(scenarios[i], acc, model.truth())}});
  }
  return rows;
}

}  // namespace celltrial
