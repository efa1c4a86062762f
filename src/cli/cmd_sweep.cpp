// celltrial sweep SCENARIO : the scenario at every point of a grid of assumptions.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <future>
#include <ostream>
#include <set>

#include "celltrial/cli/commands.hpp"
#include "celltrial/core/error.hpp"
#include "celltrial/design/sweep.hpp"
#include "celltrial/engine/batch.hpp"
#include "celltrial/report/figures.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/report/output.hpp"
#include "celltrial/report/plot.hpp"
#include "celltrial/report/summary.hpp"
#include "celltrial/report/tables.hpp"
#include "celltrial/scenario/io.hpp"
#include "celltrial/version_info.hpp"

namespace celltrial::cli {

namespace {


bool numeric(const std::string& s, double& v) {
  try {
    std::size_t used = 0;
    v = std::stod(s, &used);
    return used == s.size();
  } catch (const std::exception&) {
    return false;
  }
}
}  // namespace

void add_sweep_options(CLI::App* cmd, SweepArgs& a, bool with_common) {
  if (with_common) {
    cmd->add_option("scenario", a.file, "Scenario YAML file (default: the built-in default scenario)");
    cmd->add_option("--trials,-n", a.trials, "Trials per grid point (overrides simulation.trials)")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{10000000000}));
    cmd->add_option("--seed", a.seed, "Master seed (overrides simulation.seed)")
        ->check(CLI::Range(std::int64_t{0}, std::numeric_limits<std::int64_t>::max()));
    cmd->add_option("--threads,-t", a.threads, "Worker threads (default: all cores)")->check(CLI::Range(1, 4096));
    cmd->add_option("--set", a.sets, "Override a scenario value at every point (repeatable)");
    cmd->add_flag("--json", a.json, "Print sweep.json on standard output");
    cmd->add_flag("--quiet,-q", a.quiet, "No table and no progress");
  }
  cmd->add_option("--sweep", a.sweeps, "key.path=v1,v2,... (repeatable; adds to the scenario's sweep section)");
  cmd->add_flag("--zip", a.zip, "Take the axes' values in step instead of every combination");
  cmd->add_flag("--yes,-y", a.yes, "Run even when the estimated time exceeds --max-hours");
  cmd->add_option("--max-hours", a.max_hours, "Ask for --yes above this estimated run time (default 1)")
      ->check(CLI::PositiveNumber);
}

Action add_sweep(CLI::App& app, Streams io) {
  auto* cmd = app.add_subcommand("sweep",
                                 "Simulate a scenario at every point of a grid of assumptions (common random numbers), "
                                 "one tidy row per point");
  auto a = std::make_shared<SweepArgs>();
  add_sweep_options(cmd, *a, true);
  cmd->add_option("--out,-o", a->out, "Results folder (default: results/<scenario name>-sweep/; with --shard, the shard "
                                      "folder, default results/<scenario name>-sweep-shards/)")->check(kFolderName);
  cmd->add_option("--shard", a->shard, "Run only shard K/N of every grid point's trials (for a cluster); then --merge");
  cmd->add_option("--merge", a->merge, "Merge the shards of every grid point found in this folder and write the sweep's results")
      ->type_name("FOLDER");
  cmd->footer(std::string("On a cluster: run 'celltrial sweep SCENARIO --shard K/N --out SHARDS' for K = 1..N (each shard "
                          "does its part of every grid point, and resumes after a kill), then 'celltrial sweep SCENARIO "
                          "--merge SHARDS': the results equal an unsharded sweep's.\n\n") + cmd->get_footer());
  return [a, io]() { return sweep_main(*a, io); };
}

void check_grid_size(const std::vector<SweepAxis>& axes, bool zip) {
  std::vector<std::size_t> sizes;
  std::string keys;
  for (const auto& a : axes) {
    sizes.push_back(a.values.size());
    keys += (keys.empty() ? "" : ", ") + a.key;
  }
  const std::string problem = sweep_grid_problem(sweep_grid_points(sizes, zip));
  if (!problem.empty())
    throw Error(ExitCode::usage, Diagnostic{{"command line", 0, 0}, "--sweep", "the grid of " + keys + " " + problem,
                                            "sweep fewer keys or values, or use --zip to take the values in step."});
}

int sweep_main(const SweepArgs& args, Streams io) {
  const SweepArgs* a = &args;
  {
    std::vector<std::string> sets = a->sets;
    if (a->trials > 0) sets.push_back("simulation.trials=" + std::to_string(a->trials));
    if (a->seed >= 0) sets.push_back("simulation.seed=" + std::to_string(a->seed));
    const Scenario base = load(a->file, sets);
    std::vector<SweepAxis> axes;
    for (const auto& [k, v] : base.sweep.vary) axes.push_back(SweepAxis{k, v});
    // A key given on the command line replaces the scenario's axis for it.
    std::set<std::string> from_command_line;
    for (const auto& s : a->sweeps) {
      SweepAxis ax = parse_sweep_axis(s);
      if (!from_command_line.insert(ax.key).second)
        throw Error(ExitCode::usage, Diagnostic{{"command line", 0, 0}, "--sweep " + ax.key, "this key is swept twice.",
                                                "give each key once with all its values."});
      auto it = std::find_if(axes.begin(), axes.end(), [&](const SweepAxis& x) { return x.key == ax.key; });
      if (it != axes.end()) *it = ax;
      else axes.push_back(ax);
    }
    if (axes.empty())
      throw Error(ExitCode::usage, Diagnostic{{"command line", 0, 0}, "--sweep", "nothing to sweep.",
                                              "give --sweep key.path=v1,v2 or a 'sweep:' section in the scenario."});
    std::set<std::string> seen;
    for (const auto& ax : axes)
      if (!seen.insert(ax.key).second)
        throw Error(ExitCode::usage, Diagnostic{{"command line", 0, 0}, "--sweep " + ax.key, "this key is swept twice.",
                                                "give each key once with all its values."});
    const bool zip = a->zip || base.sweep.zip;
    check_grid_size(axes, zip);
    const auto grid = sweep_grid(axes, zip);
    const std::string file = a->file;
    if (!a->shard.empty() && !a->merge.empty())
      throw Error(ExitCode::usage, Diagnostic{{"command line", 0, 0}, "--shard / --merge", "give --shard or --merge, not both.",
                                              "run every shard first, then merge them."});
    // Each grid point's scenario, checked before anything runs.
    const std::vector<Scenario> points =
        load_variants(file_loader(file, sets), sets, sweep_variants(grid));
    auto point_dir = [](const std::string& root, std::size_t i) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "point-%04zu", i + 1);
      return (std::filesystem::path(root) / buf).string();
    };
    if (!a->shard.empty()) {
      // Shard K/N of every grid point, each in its own folder (with checkpoints and resume).
      const std::string root =
          results_folder(a->out, base.name, ResultsKind::sweep_shards);
      const ShardSpec shard = parse_shard(a->shard, base.simulation.trials);
      std::filesystem::create_directories(root);
      for (std::size_t i = 0; i < points.size(); ++i) {
        BatchOptions bo;
        bo.shard = shard;
        bo.sharded = true;
        bo.out_dir = point_dir(root, i);
        bo.threads = a->threads;
        bo.stop = &stop_flag();
        const BatchPlan plan = plan_batch(points[i], bo);
        if (!plan.already_complete) run_batch(points[i], plan, bo);
        if (!a->quiet)
          io.err << "point " << i + 1 << " of " << points.size() << ": shard " << shard.index << "/" << shard.count
                 << (plan.already_complete ? " (already done)" : "") << "\n";
      }
      if (!a->quiet)
        io.out << "shard " << shard.index << "/" << shard.count << " of all " << points.size() << " grid points written to " << root
               << "/\n  when every shard is done: celltrial sweep " << (file.empty() ? "" : file + " ") << "--merge " << root << "\n";
      return 0;
    }
    const std::string out_dir =
        results_folder(a->out, base.name, ResultsKind::sweep);
    check_writable_folder(out_dir);
    nlohmann::json rows;
    const auto t0 = std::chrono::steady_clock::now();
    if (!a->merge.empty()) {
      rows = nlohmann::json::array();
      for (std::size_t i = 0; i < points.size(); ++i) {
        const std::string dir = point_dir(a->merge, i);
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
        if (m.first.scenario_hash != scenario_hash(points[i]))
          throw Error(ExitCode::data, Diagnostic{{dir, 0, 0}, "", "the shards here are of another scenario than grid point " +
                                                                      std::to_string(i + 1) + " of this sweep.",
                                                 "merge with the same scenario, --set and --sweep options the shards were run with."});
        nlohmann::json point = nlohmann::json::object();
        for (const auto& [k, v] : grid[i]) point[k] = v;
        rows.push_back({{"point", point}, {"summary", summarise(points[i], m.acc)}});
      }
    } else {
    // Estimate the run time from a short timing run at the first point.
    check_run_time(seconds_per_trial(points[0], a->threads) * static_cast<double>(base.simulation.trials) *
                       static_cast<double>(grid.size()) / 3600,
                   a->max_hours, a->yes,
                   "the sweep has " + std::to_string(grid.size()) + " points x " + std::to_string(base.simulation.trials) +
                       " trials and",
                   "--sweep");
    std::atomic<std::uint64_t> progress{0};
    SweepOptions opt;
    opt.threads = a->threads;
    opt.stop = &stop_flag();
    opt.progress = &progress;
    auto fut = std::async(std::launch::async, [&] { return run_sweep(points, grid, opt); });
    const bool bar = !a->quiet && !a->json && ::isatty(STDERR_FILENO);
    const double total = static_cast<double>(base.simulation.trials) * static_cast<double>(grid.size());
    while (fut.wait_for(std::chrono::milliseconds(250)) != std::future_status::ready) {
      if (bar) {
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double done = static_cast<double>(progress.load());
        const double eta = done > 0 ? secs * (total - done) / done : 0;
        char buf[128];
        std::snprintf(buf, sizeof buf, "\rsweep: %5.1f%% of %zu points, ETA %.0fs   ", 100 * done / total, grid.size(), eta);
        io.err << buf << std::flush;
      }
    }
    try {
      rows = fut.get();
    } catch (const Error& e) {
      if (bar) io.err << "\n";
      if (e.code() == ExitCode::interrupted) {
        io.err << "celltrial: interrupted; no results were written.\n";
        return static_cast<int>(ExitCode::interrupted);
      }
      throw;
    }
    if (bar) io.err << "\n";
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    nlohmann::json run;
    run["format"] = "celltrial.sweep/1";
    run["celltrial_version"] = build::version;
    run["git_commit"] = build::git_commit;
    run["seed"] = base.simulation.seed;
    run["trials_per_point"] = base.simulation.trials;
    run["points"] = grid.size();
    run["mode"] = zip ? "zip" : "cartesian";
    run["axes"] = nlohmann::json::array();
    for (const auto& ax : axes) run["axes"].push_back({{"key", ax.key}, {"values", ax.values}});
    run["overrides"] = a->sets;
    run["wall_seconds"] = secs;
    run["base_scenario"] = to_json(base);
    nlohmann::json out = {{"run", run}, {"rows", rows}};

    std::map<std::string, std::string> files{{"sweep.csv", sweep_csv(rows, axes)},
                                             {"sweep.json", dump_json(out)},
                                             {"scenario.yaml", "# Base scenario of the sweep\n" + to_yaml(base)}};
    // Power against the first axis (when numeric), one line per value of the second.
    std::string note;
    double dummy = 0;
    bool first_numeric = true;
    for (const auto& v : axes[0].values) first_numeric = first_numeric && numeric(v, dummy);
    if (first_numeric) {
      LinePlot plot;
      plot.title = "Power across " + axes[0].key + ", " + base.name;
      plot.xlabel = axes[0].key;
      plot.ylabel = "power";
      std::map<std::string, PlotSeries> lines;
      for (const auto& r : rows) {
        std::string label = axes.size() > 1 ? axes[1].key + " = " + r["point"][axes[1].key].get<std::string>() : "power";
        for (std::size_t k = 2; k < axes.size(); ++k) label += ", " + axes[k].key + " = " + r["point"][axes[k].key].get<std::string>();
        double x = 0;
        numeric(r["point"][axes[0].key].get<std::string>(), x);
        const auto& p = r["summary"]["power"];
        auto& s = lines[label];
        s.label = label;
        s.x.push_back(x);
        s.y.push_back(p["estimate"].get<double>());
        s.y_low.push_back(p["ci95"][0].get<double>());
        s.y_high.push_back(p["ci95"][1].get<double>());
      }
      for (auto& [k, s] : lines) plot.series.push_back(s);
      note = render_line_plot(plot, "sweep_power", files);
    }
    if (axes.size() >= 2 && !zip) {
      std::vector<std::string> keys;
      std::vector<std::vector<std::string>> values;
      for (const auto& ax : axes) {
        keys.push_back(ax.key);
        values.push_back(ax.values);
      }
      const std::string n2 = plot_heatmap(rows, keys, values, "sweep_heatmap", files);
      if (!n2.empty()) note = n2;
    }
    if (!a->merge.empty()) run["merged_from"] = a->merge;
    files["sweep.json"] = dump_json({{"run", run}, {"rows", rows}});
    write_results_folder(out_dir, files);
    if (a->json) {
      io.out << dump_json(out);
    } else if (!a->quiet) {
      io.out << "Sweep of " << base.name << ": " << grid.size() << " points x " << base.simulation.trials
             << " trials, seed " << base.simulation.seed << " (same random numbers at every point)\n\n";
      for (const auto& r : rows) {
        std::string label;
        for (const auto& ax : axes) label += (label.empty() ? "" : ", ") + ax.key + "=" + r["point"][ax.key].get<std::string>();
        const auto& s = r["summary"];
        char buf[256];
        std::snprintf(buf, sizeof buf, "  power %.4f (MC SE %.4f)  estimate %.3f  true %.3f  screened/rand %.2f   %s\n",
                      s["power"]["estimate"].get<double>(), s["power"]["mc_se"].get<double>(),
                      s["estimate"]["mean"].is_null() ? NAN : s["estimate"]["mean"].get<double>(),
                      s["estimate"]["true"].get<double>(),
                      s["sample_size"]["screened_per_randomised"].get<double>(), label.c_str());
        io.out << buf;
      }
      io.out << "  results written to " << out_dir << "/\n";
    }
    if (!note.empty()) io.err << note << "\n";
    return 0;
  };
}

}  // namespace celltrial::cli
