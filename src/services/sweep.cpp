#include "celltrial/services/sweep.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <set>

#include "celltrial/core/error.hpp"
#include "celltrial/core/files.hpp"
#include "celltrial/design/summary.hpp"
#include "celltrial/engine/batch.hpp"
#include "celltrial/report/figures.hpp"
#include "celltrial/report/output.hpp"
#include "celltrial/report/summary.hpp"
#include "celltrial/report/tables.hpp"
#include "celltrial/scenario/io.hpp"
#include "celltrial/services/run_time.hpp"
#include "celltrial/services/scenario_source.hpp"
#include "celltrial/version_info.hpp"
#include "poll.hpp"

namespace celltrial::services {

namespace {

std::string point_dir(const std::string& root, std::size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "point-%04zu", i + 1);
  return (std::filesystem::path(root) / buf).string();
}

/// The axes: the scenario's sweep section, then the request's (a key given there replaces the
/// scenario's axis for it).
std::vector<SweepAxis> sweep_axes(const Scenario& base, const std::vector<std::string>& sweeps) {
  std::vector<SweepAxis> axes;
  for (const auto& [k, v] : base.sweep.vary) axes.push_back(SweepAxis{k, v});
  std::set<std::string> from_request;
  for (const auto& s : sweeps) {
    SweepAxis ax = parse_sweep_axis(s);
    if (!from_request.insert(ax.key).second)
      throw_usage("--sweep " + ax.key, "this key is swept twice.", "give each key once with all its values.");
    auto it = std::find_if(axes.begin(), axes.end(), [&](const SweepAxis& x) { return x.key == ax.key; });
    if (it != axes.end()) *it = ax;
    else axes.push_back(ax);
  }
  if (axes.empty())
    throw_usage("--sweep", "nothing to sweep.", "give --sweep key.path=v1,v2 or a 'sweep:' section in the scenario.");
  std::set<std::string> seen;
  for (const auto& ax : axes)
    if (!seen.insert(ax.key).second) throw_usage("--sweep " + ax.key, "this key is swept twice.", "give each key once with all its values.");
  return axes;
}

/// Grid point i's summary from the shards in its folder under `root`.
nlohmann::json merged_point(const std::string& root, std::size_t i, const Scenario& point) {
  const std::string dir = point_dir(root, i);
  if (!std::filesystem::is_directory(dir))
    throw Error(ExitCode::no_input, Diagnostic{{dir, 0, 0}, "", "grid point " + std::to_string(i + 1) + " has no shard folder.",
                                               "run every shard with the same scenario and --sweep options first."});
  MergedRun m;
  try {
    m = merge_shards({dir});
  } catch (const Error& e) {
    std::vector<Diagnostic> ds = e.diagnostics();
    for (auto& d : ds) d.problem = "grid point " + std::to_string(i + 1) + ": " + d.problem;
    throw Error(e.code(), ds);
  }
  if (m.first.scenario_hash != scenario_hash(point))
    throw Error(ExitCode::data, Diagnostic{{dir, 0, 0}, "", "the shards here are of another scenario than grid point " +
                                                                std::to_string(i + 1) + " of this sweep.",
                                           "merge with the same scenario, --set and --sweep options the shards were run with."});
  return summarise(point, m.acc);
}
}  // namespace

void check_grid_size(const std::vector<SweepAxis>& axes, bool zip) {
  std::vector<std::size_t> sizes;
  std::string keys;
  for (const auto& a : axes) {
    sizes.push_back(a.values.size());
    keys += (keys.empty() ? "" : ", ") + a.key;
  }
  const std::string problem = sweep_grid_problem(sweep_grid_points(sizes, zip));
  if (!problem.empty())
    throw_usage("--sweep", "the grid of " + keys + " " + problem, "sweep fewer keys or values, or use --zip to take the values in step.");
}

SweepResult sweep(const SweepRequest& rq, const Callbacks& cb) {
  SweepResult res;
  const std::vector<std::string> sets = with_trials_and_seed(rq.overrides, rq.trials, rq.seed);
  res.base = load(rq.scenario_file, rq.scenario_text, sets);
  const Scenario& base = res.base;
  res.axes = sweep_axes(base, rq.sweeps);
  res.zip = rq.zip || base.sweep.zip;
  check_grid_size(res.axes, res.zip);
  const auto grid = sweep_grid(res.axes, res.zip);
  res.points = grid.size();
  if (!rq.shard.empty() && !rq.merge.empty())
    throw_usage("--shard / --merge", "give --shard or --merge, not both.", "run every shard first, then merge them.");
  // Each grid point's scenario, checked before anything runs.
  const std::vector<Scenario> points = load_variants(file_loader(rq.scenario_file, sets, rq.scenario_text), sets, sweep_variants(grid));
  Poller poller(cb);

  if (!rq.shard.empty()) {
    // Shard K/N of every grid point, each in its own folder (with checkpoints and resume).
    res.sharded = true;
    res.out_dir = results_folder(rq.out, base.name, ResultsKind::sweep_shards);
    const ShardSpec shard = parse_shard(rq.shard, base.simulation.trials);
    res.shard_index = shard.index;
    res.shard_count = shard.count;
    std::filesystem::create_directories(res.out_dir);
    const auto log = poller.log();
    poller.run([&] {
      for (std::size_t i = 0; i < points.size(); ++i) {
        BatchOptions bo;
        bo.shard = shard;
        bo.sharded = true;
        bo.out_dir = point_dir(res.out_dir, i);
        bo.threads = rq.threads;
        bo.stop = poller.stop();
        const BatchPlan plan = plan_batch(points[i], bo);
        if (!plan.already_complete) run_batch(points[i], plan, bo);
        if (log)
          log("point " + std::to_string(i + 1) + " of " + std::to_string(points.size()) + ": shard " +
              std::to_string(shard.index) + "/" + std::to_string(shard.count) +
              (plan.already_complete ? " (already done)" : ""));
      }
      return 0;
    });
    return res;
  }

  res.out_dir = results_folder(rq.out, base.name, ResultsKind::sweep);
  check_writable_folder(res.out_dir);
  const auto t0 = std::chrono::steady_clock::now();
  if (!rq.merge.empty()) {
    res.rows = nlohmann::json::array();
    for (std::size_t i = 0; i < points.size(); ++i) {
      nlohmann::json point = nlohmann::json::object();
      for (const auto& [k, v] : grid[i]) point[k] = v;
      res.rows.push_back({{"point", point}, {"summary", merged_point(rq.merge, i, points[i])}});
    }
  } else {
    // Estimate the run time from a short timing run at the first point.
    check_run_time(seconds_per_trial(points[0], rq.threads) * static_cast<double>(base.simulation.trials) *
                       static_cast<double>(grid.size()) / 3600,
                   rq.max_hours, rq.yes,
                   "the sweep has " + std::to_string(grid.size()) + " points x " + std::to_string(base.simulation.trials) +
                       " trials and",
                   "--sweep");
    std::atomic<std::uint64_t> progress{0};
    SweepOptions opt;
    opt.threads = rq.threads;
    opt.stop = poller.stop();
    opt.progress = &progress;
    const std::uint64_t total = base.simulation.trials * grid.size();
    auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    res.rows = poller.run([&] { return run_sweep(points, grid, opt); },
                          [&] {
                            if (cb.progress) cb.progress(Progress{progress.load(), total, 0, seconds(), grid.size()});
                          });
    if (cb.progress) cb.progress(Progress{total, total, 0, seconds(), grid.size()});
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  nlohmann::json run;
  run["format"] = "celltrial.sweep/1";
  run["celltrial_version"] = build::version;
  run["git_commit"] = build::git_commit;
  run["seed"] = base.simulation.seed;
  run["trials_per_point"] = base.simulation.trials;
  run["points"] = grid.size();
  run["mode"] = res.zip ? "zip" : "cartesian";
  run["axes"] = nlohmann::json::array();
  for (const auto& ax : res.axes) run["axes"].push_back({{"key", ax.key}, {"values", ax.values}});
  run["overrides"] = rq.overrides;
  run["wall_seconds"] = secs;
  run["base_scenario"] = to_json(base);
  std::map<std::string, std::string> files{{"sweep.csv", sweep_csv(res.rows, res.axes)},
                                           {"scenario.yaml", "# Base scenario of the sweep\n" + to_yaml(base)}};
  res.plot_note = plot_sweep(res.rows, res.axes, res.zip, base.name, files);
  res.json = {{"run", run}, {"rows", res.rows}};  // as printed by --json (without merged_from)
  if (!rq.merge.empty()) run["merged_from"] = rq.merge;
  files["sweep.json"] = dump_json({{"run", run}, {"rows", res.rows}});
  write_results_folder(res.out_dir, files);
  return res;
}

}  // namespace celltrial::services
