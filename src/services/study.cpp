#include "celltrial/services/study.hpp"

#include <chrono>
#include <filesystem>

#include "celltrial/core/error.hpp"
#include "celltrial/core/files.hpp"
#include "celltrial/design/study.hpp"
#include "celltrial/design/summary.hpp"
#include "celltrial/design/sweep.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/report/figures.hpp"
#include "celltrial/report/html.hpp"
#include "celltrial/report/output.hpp"
#include "celltrial/report/summary.hpp"
#include "celltrial/report/tables.hpp"
#include "celltrial/scenario/io.hpp"
#include "celltrial/services/run_time.hpp"
#include "celltrial/services/scenario_source.hpp"
#include "poll.hpp"

namespace celltrial::services {

StudyResult study(const StudyRequest& rq, const Callbacks& cb) {
  StudyResult res;
  const std::vector<std::string> sets = with_trials_and_seed(rq.overrides, rq.trials, rq.seed);
  res.base = load(rq.scenario_file, rq.scenario_text, sets);
  const Scenario& base = res.base;
  res.out_dir = results_folder(rq.out, base.name, ResultsKind::run);
  check_writable_folder(res.out_dir);
  std::vector<SweepAxis> axes;
  for (const auto& [k, v] : base.sweep.vary) axes.push_back(SweepAxis{k, v});
  const auto grid = axes.empty() ? decltype(sweep_grid(axes, false)){} : sweep_grid(axes, base.sweep.zip);
  // Every variant is loaded and checked before anything runs.
  const auto loader = file_loader(rq.scenario_file, sets, rq.scenario_text);
  const auto strategies = load_variants(loader, sets, enrichment_variants(base.enrichment));
  const auto tornado =
      base.tornado.vary.empty() ? std::vector<Scenario>{} : load_variants(loader, sets, tornado_variants(base.tornado));
  const auto points = load_variants(loader, sets, sweep_variants(grid));
  const auto designs = load_variants(loader, sets, design_variants(base.designs));
  const auto design_nulls = base.designs.null_overrides.empty() ? std::vector<Scenario>{}
                                                                : load_variants(loader, sets, design_variants(base.designs, true));
  const double per_trial = seconds_per_trial(base, rq.threads);
  const double variants = 1.0 + 2.0 * static_cast<double>(base.tornado.vary.size()) + static_cast<double>(grid.size()) +
                          static_cast<double>(designs.size() + design_nulls.size());
  // The enrichment search simulates about 12 candidate sizes per strategy at a few thousand trials.
  const double search = static_cast<double>(base.enrichment.strategies.size()) * 12 *
                        static_cast<double>(std::min(rq.search_max_trials, 2 * rq.search_trials));
  check_run_time(per_trial * (variants * static_cast<double>(base.simulation.trials) + search) / 3600, rq.max_hours,
                 rq.yes,
                 "the study (" + format_number(variants) + " simulated variants of " +
                     std::to_string(base.simulation.trials) + " trials and " +
                     std::to_string(base.enrichment.strategies.size()) + " sample-size searches)",
                 "study");

  Poller poller(cb);
  const auto t0 = std::chrono::steady_clock::now();
  const std::string started = utc_now();
  StudyOptions opt;
  opt.threads = rq.threads;
  opt.stop = poller.stop();
  opt.search_trials = rq.search_trials;
  opt.search_max_trials = std::max(rq.search_max_trials, rq.search_trials);
  opt.log = poller.log();
  auto say = [&](const std::string& m) {
    if (opt.log) opt.log(m);
  };
  auto note = [&](const std::string& n) {
    if (!n.empty()) res.notes.push_back(n);
  };
  std::map<std::string, std::string> files;
  poller.run([&] {
    // 1. The base run.
    say("base scenario: " + std::to_string(base.simulation.trials) + " trials");
    const Model model(base);
    EngineOptions eo;
    eo.threads = rq.threads;
    eo.stop = opt.stop;
    const Accumulator acc = run_trials(model, eo);
    res.characteristics = operating_characteristics(base, acc, model.truth());
    res.summary = to_json(res.characteristics);
    files["summary.json"] = dump_json(res.summary);
    files["summary.csv"] = summary_csv(res.characteristics);
    files["scenario.yaml"] = "# Fully resolved scenario of this study\n" + to_yaml(base);
    nlohmann::json run = run_provenance(base);
    run["command"] = "study";
    run["scenario_source"] = base.source;
    run["overrides"] = rq.overrides;
    run["resolved_scenario"] = to_json(base);
    run["threads"] = resolve_threads(rq.threads);
    run["started_utc"] = started;

    // 2. Subgroups of one simulated trial and over all trials.
    if (!base.analysis.subgroups.empty()) {
      const nlohmann::json typical = typical_trial(model, 0);
      files["forest.json"] = dump_json({{"trial", 0}, {"rows", typical}});
      note(plot_forest(typical, res.characteristics, "forest", files));
    }
    // 3. Enrichment.
    if (!base.enrichment.strategies.empty()) {
      res.enrichment_rows = run_enrichment(strategies, base.enrichment, opt);
      files["enrichment.json"] = dump_json({{"target_power", base.enrichment.target_power},
                                            {"screened_per_month", base.enrichment.screened_per_month},
                                            {"rows", res.enrichment_rows}});
      files["enrichment.csv"] = enrichment_csv(res.enrichment_rows);
      note(plot_enrichment_power(res.enrichment_rows, base.enrichment.target_power, "enrichment_power", files));
    }
    // 3b. Designs compared with common random numbers.
    if (!designs.empty()) {
      res.design_rows = run_designs(designs, design_nulls, base.designs, opt);
      nlohmann::json nu = nullptr;
      if (!base.designs.null_overrides.empty()) {
        nu = nlohmann::json::object();
        for (const auto& [k, v] : base.designs.null_overrides) nu[k] = v;
      }
      files["designs.json"] = dump_json(
          {{"trials", base.simulation.trials},
           {"seed", base.simulation.seed},
           {"null_overrides", nu},
           {"responders_meaning",
            "the closed test's claim in the enrichment subgroup for adaptive enrichment; for other designs the "
            "multiplicity-adjusted claim in the confirmatory subgroup designs.responders (" +
                (base.designs.responders.empty() ? std::string("none named") : base.designs.responders) + ")"},
           {"rows", res.design_rows}});
      files["designs.csv"] = designs_csv(res.design_rows);
    }
    // 4. Tornado.
    if (!base.tornado.vary.empty()) {
      const nlohmann::json t = run_tornado(tornado, base.tornado, opt, &acc);  // its base is the base run
      files["tornado.json"] = dump_json(t);
      files["tornado.csv"] = tornado_csv(t);
      note(plot_tornado(t, "tornado", files));
    }
    // 5. Sweep.
    if (!grid.empty()) {
      say("sweep: " + std::to_string(grid.size()) + " points");
      SweepOptions so;
      so.threads = rq.threads;
      so.stop = opt.stop;
      const nlohmann::json rows = run_sweep(points, grid, so);
      nlohmann::json sw = {{"mode", base.sweep.zip ? "zip" : "cartesian"}, {"axes", nlohmann::json::array()}, {"rows", rows}};
      std::vector<std::string> keys;
      std::vector<std::vector<std::string>> values;
      for (const auto& ax : axes) {
        sw["axes"].push_back({{"key", ax.key}, {"values", ax.values}});
        keys.push_back(ax.key);
        values.push_back(ax.values);
      }
      files["sweep.json"] = dump_json(sw);
      files["sweep.csv"] = sweep_csv(rows, axes);
      if (axes.size() >= 2 && !base.sweep.zip) note(plot_heatmap(rows, keys, values, "sweep_heatmap", files));
    }
    run["finished_utc"] = utc_now();
    run["wall_seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    files["run.json"] = dump_json(run);
    return 0;
  });
  write_results_folder(res.out_dir, files);
  write_file_atomic((std::filesystem::path(res.out_dir) / "report.html").string(), html_report(res.out_dir));
  return res;
}

}  // namespace celltrial::services
