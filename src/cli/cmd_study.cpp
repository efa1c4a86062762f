// celltrial study SCENARIO : everything a responder-sensitivity study declares, in one folder with
// its report: the base run with its subgroup and multiplicity results, the forest plot, the
// enrichment table, the tornado plot, the sweep with its heat map, and report.html.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <ostream>

#include "celltrial/cli/commands.hpp"
#include "celltrial/core/error.hpp"
#include "celltrial/design/study.hpp"
#include "celltrial/design/sweep.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/report/figures.hpp"
#include "celltrial/report/html.hpp"
#include "celltrial/report/output.hpp"
#include "celltrial/report/summary.hpp"
#include "celltrial/report/tables.hpp"
#include "celltrial/scenario/io.hpp"
#include "celltrial/version_info.hpp"

namespace celltrial::cli {

namespace {
struct StudyArgs {
  std::string file;
  std::int64_t trials = 0;
  std::int64_t seed = -1;
  int threads = 0;
  std::string out;
  std::vector<std::string> sets;
  bool quiet = false;
  bool yes = false;
  double max_hours = 1.0;
  std::int64_t search_trials = 2000;
  std::int64_t search_max_trials = 16000;
};
}  // namespace

Action add_study(CLI::App& app, Streams io) {
  auto* cmd = app.add_subcommand(
      "study",
      "Run everything the scenario declares for a sensitivity study (base run with subgroups and multiplicity, "
      "forest plot, enrichment table, tornado plot, sweep and heat map) and write its HTML report");
  auto a = std::make_shared<StudyArgs>();
  cmd->add_option("scenario", a->file, "Scenario YAML file (default: the built-in default scenario)");
  cmd->add_option("--trials,-n", a->trials, "Trials per simulated variant (overrides simulation.trials)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{10000000000}));
  cmd->add_option("--seed", a->seed, "Master seed (overrides simulation.seed)")
      ->check(CLI::Range(std::int64_t{0}, std::numeric_limits<std::int64_t>::max()));
  cmd->add_option("--threads,-t", a->threads, "Worker threads (default: all cores)")->check(CLI::Range(1, 4096));
  cmd->add_option("--out,-o", a->out, "Results folder (default: results/<scenario name>/)")->check(kFolderName);
  cmd->add_option("--set", a->sets, "Override a scenario value everywhere (repeatable)");
  cmd->add_flag("--quiet,-q", a->quiet, "No progress messages");
  cmd->add_option("--search-trials", a->search_trials, "Enrichment: trials per candidate N in the first round (2000)")
      ->check(CLI::Range(std::int64_t{100}, std::int64_t{100000000}));
  cmd->add_option("--search-max-trials", a->search_max_trials, "Enrichment: trials per candidate N at most (16000)")
      ->check(CLI::Range(std::int64_t{100}, std::int64_t{1000000000}));
  cmd->add_flag("--yes,-y", a->yes, "Run even when the estimated time exceeds --max-hours");
  cmd->add_option("--max-hours", a->max_hours, "Ask for --yes above this estimated run time (default 1)")
      ->check(CLI::PositiveNumber);
  return [a, io]() {
    std::vector<std::string> sets = a->sets;
    if (a->trials > 0) sets.push_back("simulation.trials=" + std::to_string(a->trials));
    if (a->seed >= 0) sets.push_back("simulation.seed=" + std::to_string(a->seed));
    const Scenario base = load(a->file, sets);
    const std::string out_dir = results_folder(a->out, base.name, ResultsKind::run);
    check_writable_folder(out_dir);
    std::vector<SweepAxis> axes;
    for (const auto& [k, v] : base.sweep.vary) axes.push_back(SweepAxis{k, v});
    const auto grid = axes.empty() ? decltype(sweep_grid(axes, false)){} : sweep_grid(axes, base.sweep.zip);
    // Every variant is loaded and checked before anything runs.
    const auto loader = file_loader(a->file, sets);
    const auto strategies = load_variants(loader, sets, enrichment_variants(base.enrichment));
    const auto tornado = base.tornado.vary.empty() ? std::vector<Scenario>{}
                                                   : load_variants(loader, sets, tornado_variants(base.tornado));
    const auto points = load_variants(loader, sets, sweep_variants(grid));
    const double per_trial = seconds_per_trial(base, a->threads);
    const double variants = 1.0 + 2.0 * static_cast<double>(base.tornado.vary.size()) + static_cast<double>(grid.size());
    // The enrichment search simulates about 12 candidate sizes per strategy at a few thousand trials.
    const double search = static_cast<double>(base.enrichment.strategies.size()) * 12 *
                          static_cast<double>(std::min(a->search_max_trials, 2 * a->search_trials));
    check_run_time(per_trial * (variants * static_cast<double>(base.simulation.trials) + search) / 3600, a->max_hours, a->yes,
                   "the study (" + format_number(variants) + " simulated variants of " + std::to_string(base.simulation.trials) +
                       " trials and " + std::to_string(base.enrichment.strategies.size()) + " sample-size searches)",
                   "study");

    const auto t0 = std::chrono::steady_clock::now();
    StudyOptions opt;
    opt.threads = a->threads;
    opt.stop = &stop_flag();
    opt.search_trials = static_cast<std::uint64_t>(a->search_trials);
    opt.search_max_trials = static_cast<std::uint64_t>(std::max(a->search_max_trials, a->search_trials));
    if (!a->quiet) opt.log = [io](const std::string& m) { io.err << m << "\n" << std::flush; };
    auto say = [&](const std::string& m) {
      if (opt.log) opt.log(m);
    };
    std::map<std::string, std::string> files;
    std::vector<std::string> notes;
    auto note = [&](const std::string& n) {
      if (!n.empty()) notes.push_back(n);
    };

    // 1. The base run.
    say("base scenario: " + std::to_string(base.simulation.trials) + " trials");
    const Model model(base);
    EngineOptions eo;
    eo.threads = a->threads;
    eo.stop = opt.stop;
    const Accumulator acc = run_trials(model, eo);
    const nlohmann::json summary = summarise(base, acc, model.truth());
    files["summary.json"] = dump_json(summary);
    files["summary.csv"] = summary_csv(summary);
    files["scenario.yaml"] = "# Fully resolved scenario of this study\n" + to_yaml(base);
    nlohmann::json run = run_provenance(base);
    run["command"] = "study";
    run["scenario_source"] = base.source;
    run["overrides"] = a->sets;
    run["resolved_scenario"] = to_json(base);

    // 2. Subgroups of one simulated trial and over all trials.
    if (!base.analysis.subgroups.empty()) {
      const nlohmann::json typical = typical_trial(model, 0);
      files["forest.json"] = dump_json({{"trial", 0}, {"rows", typical}});
      note(plot_forest(typical, summary, "forest", files));
    }
    // 3. Enrichment.
    if (!base.enrichment.strategies.empty()) {
      const nlohmann::json rows = run_enrichment(strategies, base.enrichment, opt);
      files["enrichment.json"] = dump_json({{"target_power", base.enrichment.target_power},
                                            {"screened_per_month", base.enrichment.screened_per_month},
                                            {"rows", rows}});
      files["enrichment.csv"] = enrichment_csv(rows);
      note(plot_enrichment_power(rows, base.enrichment.target_power, "enrichment_power", files));
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
      so.threads = a->threads;
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
    run["wall_seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    files["run.json"] = dump_json(run);
    write_results_folder(out_dir, files);
    const std::string html = html_report(out_dir);
    write_file_atomic((std::filesystem::path(out_dir) / "report.html").string(), html);
    if (!a->quiet) {
      io.out << summary_table(summary);
      if (files.count("enrichment.csv")) io.out << "\n" << enrichment_table(nlohmann::json::parse(files["enrichment.json"])["rows"]);
      io.out << "\n  results and report.html written to " << out_dir << "/\n";
    }
    for (const auto& n : notes) io.err << n << "\n";
    return 0;
  };
}

}  // namespace celltrial::cli
