// celltrial simulate [SCENARIO] : Monte Carlo operating characteristics.
#include <unistd.h>

#include <ostream>

#include "celltrial/cli/commands.hpp"
#include "celltrial/cli/terminal.hpp"
#include "celltrial/core/error.hpp"
#include "celltrial/core/files.hpp"
#include "celltrial/engine/mpi_run.hpp"
#include "celltrial/report/output.hpp"
#include "celltrial/report/summary.hpp"
#include "celltrial/report/trials.hpp"
#include "celltrial/services/simulate.hpp"

namespace celltrial::cli {

namespace {
/// The options of a run; those a sweep shares (the scenario, --trials, --seed, ...) are its
/// SweepArgs, so that simulate --sweep hands them on as they are.
struct SimulateArgs : SweepArgs {
  double checkpoint_seconds = 5;  ///< see BatchOptions
  bool test_hold = false;         ///< --test-hold-after-checkpoint (tests only)
  double test_throttle = 1;       ///< --test-throttle (tests only)
  std::int64_t export_trials = 0;  ///< --export-trials K: trials.csv with the first K trials
};
int run_simulate(const SimulateArgs& a, Streams io, mpi::Session* session);
}  // namespace

Action add_simulate(CLI::App& app, Streams io) {
  auto* cmd = app.add_subcommand("simulate", "Simulate many trials and report operating characteristics");
  auto a = std::make_shared<SimulateArgs>();
  cmd->add_option("scenario", a->file, "Scenario YAML file (default: the built-in scenarios/default.yaml)");
  cmd->add_option("--trials,-n", a->trials, "Number of simulated trials (overrides simulation.trials)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{10000000000}));
  cmd->add_option("--seed", a->seed, "Master seed (overrides simulation.seed)")
      ->check(CLI::Range(std::int64_t{0}, std::numeric_limits<std::int64_t>::max()));
  cmd->add_option("--threads,-t", a->threads, "Worker threads (default: all cores); results do not depend on it")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--out,-o", a->out, "Results folder (default: results/<scenario name>/)")->check(kFolderName);
  cmd->add_option("--set", a->sets, "Override a scenario value, e.g. --set analysis.alpha=0.025 (repeatable)");
  cmd->add_flag("--json", a->json, "Print summary.json on standard output instead of the table");
  cmd->add_flag("--quiet,-q", a->quiet, "No table and no progress bar");
  cmd->add_option("--shard", a->shard,
                  "Run only shard K of N (K counts from 1): trials [floor((K-1)T/N), floor(KT/N)) of the T trials; "
                  "writes shard-K-of-N.json into --out (default: results/<scenario name>-shards/) for "
                  "'celltrial merge'")
      ->type_name("K/N");
  cmd->add_option("--checkpoint-every", a->checkpoint_seconds,
                  "Seconds between saves of the finished trials to a checkpoint in --out (0: after every chunk); "
                  "after a kill, the same command continues from it")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6));
  cmd->add_option("--export-trials", a->export_trials,
                  "Also write trials.csv into the results folder: the first K trials, one row per child and "
                  "assessment (at most " + std::to_string(kMaxExportTrials) + " trials)")
      ->type_name("K")
      ->check(CLI::Range(std::int64_t{1}, static_cast<std::int64_t>(kMaxExportTrials)));
  // Test-only options (no help text): see HoldingStore and ThrottledRunner.
  cmd->add_flag("--test-hold-after-checkpoint", a->test_hold)->group("");
  cmd->add_option("--test-throttle", a->test_throttle)->check(CLI::Range(1.0, 1000.0))->group("");
  add_sweep_options(cmd, *a, false);
  // The footer the app gave every command (exit codes) stays below this one.
  cmd->footer(std::string(
        "With --sweep key=v1,v2 (repeatable), the scenario is simulated at every grid point, as 'celltrial sweep' "
        "does (--shard then runs that part of every point; merge with 'celltrial sweep SCENARIO --sweep ... "
        "--merge FOLDER'). "
        "Large runs: --shard K/N with 'celltrial merge', 'mpirun -np R celltrial simulate' in an MPI build, or "
        "'celltrial slurm'; all give the very same summary.json as one run (see docs/cluster.md). After an "
        "interruption (exit code 130, or a kill), the finished trials are in a checkpoint in --out: run the same "
        "command again to continue.") +
              "\n\n" + cmd->get_footer());
  return [a, io]() {
    services::check_launcher(a->sweeps.empty() ? "" : "--sweep");
    if (!a->sweeps.empty()) return sweep_main(*a, io);
    return services::run_in_launch(a->threads, &stop_flag(),
                                   [&](mpi::Session* session) { return run_simulate(*a, io, session); });
  };
}

namespace {
int run_simulate(const SimulateArgs& a, Streams io, mpi::Session* session) {
  if (!a.shard.empty() && a.json)
    throw Error(ExitCode::usage,
                Diagnostic{{"command line (--json)", 0, 0}, "",
                           "a shard has no summary of its own; --json cannot be used with --shard.",
                           "drop --json; 'celltrial merge --json' prints the summary of all shards."});
  services::SimulateRequest rq;
  rq.scenario_file = a.file;
  rq.overrides = a.sets;
  if (a.trials > 0) rq.trials = static_cast<std::uint64_t>(a.trials);
  if (a.seed >= 0) rq.seed = static_cast<std::uint64_t>(a.seed);
  rq.threads = a.threads;
  rq.out = a.out;
  rq.shard = a.shard;
  rq.checkpoint_seconds = a.checkpoint_seconds;
  rq.export_trials = static_cast<std::uint64_t>(a.export_trials);
  rq.session = session;
  rq.test_hold_after_checkpoint = a.test_hold;
  rq.test_throttle = a.test_throttle;
  services::Callbacks cb;
  cb.stop = &stop_flag();
  // The test hold's notice is what the tests wait for, so it is shown even with --quiet.
  if (!a.quiet || a.test_hold) cb.log = [io](const std::string& line) { io.err << line << "\n" << std::flush; };
  const bool bar = !a.quiet && !a.json && ::isatty(STDERR_FILENO);
  bool drawn = false;
  if (bar)
    cb.progress = [&](const services::Progress& p) {
      draw_trials_progress(io.err, p);
      drawn = true;
    };
  services::SimulateResult r;
  try {
    r = services::simulate(rq, cb);
  } catch (const Error&) {
    if (drawn) io.err << "\n";
    throw;
  }
  if (drawn) io.err << "\n";
  if (r.already_complete) {
    if (!a.quiet) io.out << "shard " << a.shard << " is already complete in " << r.shard_path << "; nothing to do.\n";
    return 0;
  }
  const std::string timing = timing_line(r.seconds, r.threads, session ? r.mpi_ranks : 0, r.trials_per_second);
  if (r.sharded) {
    if (!a.quiet)
      io.out << "shard " << a.shard << " (trials " << r.first_trial << "-" << r.last_trial - 1 << ") written to "
             << r.shard_path << "\n" << timing << "  when all " << r.shard_count
             << " shards are done: celltrial merge " << r.out_dir << " --out "
             << results_folder("", r.scenario.name, ResultsKind::run) << "\n";
    return 0;
  }
  if (a.json) io.out << dump_json(r.summary);
  else if (!a.quiet) io.out << summary_table(r.characteristics) << timing << "  results written to " << r.out_dir << "/\n";
  return 0;
}
}  // namespace

}  // namespace celltrial::cli
