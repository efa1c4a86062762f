// celltrial simulate [SCENARIO] : Monte Carlo operating characteristics.
#include <unistd.h>

#include <cstdio>
#include <ostream>

#include "celltrial/cli/commands.hpp"
#include "celltrial/core/error.hpp"
#include "celltrial/engine/mpi_run.hpp"
#include "celltrial/report/output.hpp"
#include "celltrial/report/summary.hpp"
#include "celltrial/report/trials.hpp"
#include "celltrial/services/simulate.hpp"

namespace celltrial::cli {

namespace {
struct SimulateArgs {
  std::string file;
  std::int64_t trials = 0;
  std::int64_t seed = -1;
  int threads = 0;
  std::string out;
  std::vector<std::string> sets;
  bool json = false;
  bool quiet = false;
  std::string shard;              ///< "K/N"; empty: the whole run
  double checkpoint_seconds = 5;  ///< see BatchOptions
  bool test_hold = false;         ///< --test-hold-after-checkpoint (tests only)
  double test_throttle = 1;       ///< --test-throttle (tests only)
  std::int64_t export_trials = 0;  ///< --export-trials K: trials.csv with the first K trials
};

std::string human_rate(double r) {
  char buf[32];
  if (r >= 1e6) std::snprintf(buf, sizeof buf, "%.2fM", r / 1e6);
  else if (r >= 1e3) std::snprintf(buf, sizeof buf, "%.1fk", r / 1e3);
  else std::snprintf(buf, sizeof buf, "%.0f", r);
  return buf;
}

/// `resumed` of the `done` trials come from a checkpoint (they do not count towards the speed).
void draw_progress(std::ostream& err, std::uint64_t done, std::uint64_t total, double seconds,
                   std::uint64_t resumed = 0) {
  const double frac = total ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
  const int width = 30, filled = static_cast<int>(frac * width);
  const double rate = seconds > 0 && done > resumed ? static_cast<double>(done - resumed) / seconds : 0;
  const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
  char buf[160];
  std::snprintf(buf, sizeof buf, "\r[%.*s%*s] %5.1f%%  %s trials/s  ETA %.0fs   ", filled,
                "##############################", width - filled, "", 100 * frac, human_rate(rate).c_str(), eta);
  err << buf << std::flush;
}
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
  auto sw = std::make_shared<SweepArgs>();
  add_sweep_options(cmd, *sw, false);
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
  return [a, sw, io]() {
    const int launched = mpi::launched_size();
    if (launched > 1 && !mpi::built_with_mpi())
      throw Error(ExitCode::usage,
                  Diagnostic{{"celltrial", 0, 0}, "",
                             "started by an MPI launcher with " + std::to_string(launched) +
                                 " processes, but this celltrial was built without MPI: every process would run all "
                                 "the trials.",
                             "build with cmake -DCELLTRIAL_MPI=ON (docs/cluster.md), or run celltrial without mpirun "
                             "(it uses all cores by itself)."});
    if (!sw->sweeps.empty()) {
      if (launched > 1)
        throw Error(ExitCode::usage,
                    Diagnostic{{"celltrial", 0, 0}, "",
                               "--sweep runs every grid point in one process; under an MPI launcher each of the " +
                                   std::to_string(launched) + " processes would run the whole sweep into the same folder.",
                               "run it without mpirun, or split it with --shard K/N (docs/cluster.md)."});
      SweepArgs x = *sw;
      x.file = a->file;
      x.trials = a->trials;
      x.seed = a->seed;
      x.threads = a->threads;
      x.out = a->out;
      x.sets = a->sets;
      x.json = a->json;
      x.quiet = a->quiet;
      x.shard = a->shard;
      return sweep_main(x, io);
    }
    std::unique_ptr<mpi::Session> session;
    if (launched >= 1 && mpi::built_with_mpi()) session = std::make_unique<mpi::Session>();
    if (session && session->rank() != 0)  // computes what rank 0 sends; rank 0 writes and reports
      return session->serve(a->threads > 0 ? a->threads : session->default_threads(), &stop_flag());
    int code = static_cast<int>(ExitCode::software);
    try {
      code = run_simulate(*a, io, session.get());
    } catch (const Error& e) {
      if (session) session->finish(static_cast<int>(e.code()));
      throw;
    } catch (...) {
      if (session) session->finish(code);
      throw;
    }
    if (session) session->finish(code);
    return code;
  };
}

namespace {
/// "  1.23 s on 2 thread(s) x 4 MPI ranks, 81.3k trials/s" (the ranks only under an MPI launcher).
std::string timing_line(const services::SimulateResult& r, bool mpi) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "  %.2f s on %d thread(s)%s, %s trials/s\n", r.seconds, r.threads,
                mpi ? (" x " + std::to_string(r.mpi_ranks) + " MPI ranks").c_str() : "",
                human_rate(r.trials_per_second).c_str());
  return buf;
}

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
      draw_progress(io.err, p.done, p.total, p.seconds, p.resumed);
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
  if (r.sharded) {
    if (!a.quiet)
      io.out << "shard " << a.shard << " (trials " << r.first_trial << "-" << r.last_trial - 1 << ") written to "
             << r.shard_path << "\n"
             << timing_line(r, session != nullptr) << "  when all " << r.shard_count << " shards are done: celltrial merge " << r.out_dir
             << " --out results/" << r.scenario.name << "\n";
    return 0;
  }
  if (a.json) io.out << dump_json(r.summary);
  else if (!a.quiet) io.out << summary_table(r.summary) << timing_line(r, session != nullptr) << "  results written to " << r.out_dir << "/\n";
  return 0;
}
}  // namespace

}  // namespace celltrial::cli
