// celltrial sweep SCENARIO : the scenario at every point of a grid of assumptions.
#include <unistd.h>

#include <ostream>

#include "celltrial/cli/commands.hpp"
#include "celltrial/cli/terminal.hpp"
#include "celltrial/core/error.hpp"
#include "celltrial/report/summary.hpp"
#include "celltrial/report/tables.hpp"
#include "celltrial/services/sweep.hpp"

namespace celltrial::cli {

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

int sweep_main(const SweepArgs& a, Streams io) {
  services::SweepRequest rq;
  rq.scenario_file = a.file;
  rq.overrides = a.sets;
  rq.sweeps = a.sweeps;
  rq.zip = a.zip;
  if (a.trials > 0) rq.trials = static_cast<std::uint64_t>(a.trials);
  if (a.seed >= 0) rq.seed = static_cast<std::uint64_t>(a.seed);
  rq.threads = a.threads;
  rq.out = a.out;
  rq.shard = a.shard;
  rq.merge = a.merge;
  rq.max_hours = a.max_hours;
  rq.yes = a.yes;
  services::Callbacks cb;
  cb.stop = &stop_flag();
  if (!a.quiet) cb.log = [io](const std::string& line) { io.err << line << "\n"; };
  const bool bar = !a.quiet && !a.json && a.shard.empty() && a.merge.empty() && ::isatty(STDERR_FILENO);
  bool drawn = false;
  if (bar)
    cb.progress = [&](const services::Progress& p) {
      if (p.done == p.total && drawn) return;  // the final report: the bar already ends
      draw_grid_progress(io.err, p);
      drawn = true;
    };
  services::SweepResult r;
  try {
    r = services::sweep(rq, cb);
  } catch (const Error& e) {
    if (drawn) io.err << "\n";
    if (e.code() == ExitCode::interrupted) return report_interrupted(io.err);
    throw;
  }
  if (drawn) io.err << "\n";
  if (r.sharded) {
    if (!a.quiet)
      io.out << "shard " << r.shard_index << "/" << r.shard_count << " of all " << r.points
             << " grid points written to " << r.out_dir << "/\n  when every shard is done: celltrial sweep "
             << (a.file.empty() ? "" : a.file + " ") << "--merge " << r.out_dir << "\n";
    return 0;
  }
  if (a.json) io.out << dump_json(r.json);
  else if (!a.quiet)
    io.out << sweep_table(r.rows, r.axes, r.base.name, r.base.simulation.trials, r.base.simulation.seed)
           << "  results written to " << r.out_dir << "/\n";
  if (!r.plot_note.empty()) io.err << r.plot_note << "\n";
  return 0;
}

}  // namespace celltrial::cli
