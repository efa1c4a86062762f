// celltrial simulate [SCENARIO] : Monte Carlo operating characteristics.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <future>
#include <ostream>
#include <sstream>
#include <thread>

#include "celltrial/cli/commands.hpp"
#include "celltrial/core/error.hpp"
#include "celltrial/engine/batch.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/engine/mpi_run.hpp"
#include "celltrial/report/output.hpp"
#include "celltrial/report/summary.hpp"
#include "celltrial/report/trials.hpp"
#include "celltrial/scenario/io.hpp"
#include "celltrial/version_info.hpp"

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

/// --test-hold-after-checkpoint, for the kill-and-resume tests: after the run's first checkpoint is
/// saved, says so on standard error and waits until a stop request (Ctrl-C, SIGTERM) or a kill, so
/// that the test stops a run that is provably unfinished, whatever the speed of the machine.
class HoldingStore final : public CheckpointStore {
 public:
  HoldingStore(CheckpointStore& inner, std::ostream& err, const std::atomic<bool>& stop)
      : inner_(inner), err_(err), stop_(stop) {}
  void save_checkpoint(const PartialResult& p) override {
    inner_.save_checkpoint(p);
    if (held_) return;
    held_ = true;
    err_ << "celltrial: test hold: checkpoint saved with " << p.completed() << " of " << p.range.size()
         << " trials done; waiting for a signal\n"
         << std::flush;
    while (!stop_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  void save_shard(const PartialResult& p) override { inner_.save_shard(p); }

 private:
  CheckpointStore& inner_;
  std::ostream& err_;
  const std::atomic<bool>& stop_;
  bool held_ = false;
};

/// --test-throttle F, for the same tests: every chunk takes F times as long (the runner sleeps
/// F - 1 times the chunk's own time after it), as on a machine F times slower. Results are unchanged.
class ThrottledRunner final : public ChunkRunner {
 public:
  ThrottledRunner(ChunkRunner& inner, double factor) : inner_(inner), factor_(factor) {}
  Accumulator run(const Scenario& s, TrialRange r, const EngineOptions& opt) override {
    const auto t0 = std::chrono::steady_clock::now();
    Accumulator acc = inner_.run(s, r, opt);
    const auto took = std::chrono::steady_clock::now() - t0;
    std::this_thread::sleep_for(std::chrono::duration_cast<std::chrono::nanoseconds>(took * (factor_ - 1)));
    return acc;
  }
  int workers() const override { return inner_.workers(); }

 private:
  ChunkRunner& inner_;
  double factor_;
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
int run_simulate(const SimulateArgs& args, Streams io, mpi::Session* session);
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
int run_simulate(const SimulateArgs& args, Streams io, mpi::Session* session) {
  const SimulateArgs* a = &args;
  Scenario s = load(a->file, a->sets);
  if (a->trials > 0) s.simulation.trials = static_cast<std::uint64_t>(a->trials);
  if (a->seed >= 0) s.simulation.seed = static_cast<std::uint64_t>(a->seed);
  const bool sharded = !a->shard.empty();
  BatchOptions bo;
  if (sharded) {
    bo.shard = parse_shard(a->shard, s.simulation.trials);
    bo.sharded = true;
    if (a->json)
      throw Error(ExitCode::usage,
                  Diagnostic{{"command line (--json)", 0, 0}, "",
                             "a shard has no summary of its own; --json cannot be used with --shard.",
                             "drop --json; 'celltrial merge --json' prints the summary of all shards."});
  }
  if (a->export_trials > 0 && (sharded || static_cast<std::uint64_t>(a->export_trials) > s.simulation.trials))
    throw Error(ExitCode::usage,
                Diagnostic{{"command line (--export-trials)", 0, 0}, "",
                           sharded ? std::string("a shard writes no results folder, so it has nowhere to export trials to.")
                                   : "--export-trials " + std::to_string(a->export_trials) + " asks for more trials than the run's " +
                                         std::to_string(s.simulation.trials) + ".",
                           sharded ? std::string("export from an unsharded run, e.g. 'celltrial simulate SCENARIO --trials 10 "
                                                 "--export-trials 10'.")
                                   : "give at most " + std::to_string(s.simulation.trials) + ", or raise --trials."});
  const std::string out_dir =
      results_folder(a->out, s.name, sharded ? ResultsKind::shards : ResultsKind::run);
  if (!sharded) check_writable_folder(out_dir);  // fail before a long run, not after it

  const int threads = session && a->threads == 0 ? session->default_threads() : resolve_threads(a->threads);
  std::atomic<std::uint64_t> progress{0};
  bo.out_dir = out_dir;
  bo.threads = threads;
  bo.checkpoint_seconds = a->checkpoint_seconds;
  bo.stop = &stop_flag();
  bo.progress = &progress;
  const BatchPlan plan = plan_batch(s, bo);
  const std::uint64_t todo = plan.range.size();
  if (plan.already_complete) {
    if (!a->quiet)
      io.out << "shard " << a->shard << " is already complete in " << plan.shard_path << "; nothing to do.\n";
    return 0;
  }
  const std::uint64_t resumed = plan.resume_from - plan.range.first;
  if (plan.resumed && !a->quiet)
    io.err << "celltrial: continuing from " << plan.checkpoint_path << ": " << resumed << " of " << todo
           << " trials were already done.\n";
  if (session) {
    session->start(s);
    bo.runner = &session->runner();
    const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    if (!a->quiet && session->allowed_cpus() > 0 && session->allowed_cpus() < hw / session->ranks_on_node())
      io.err << "celltrial: note: each MPI rank may run on only " << session->allowed_cpus()
             << " core(s) (the launcher binds ranks to cores); with OpenMPI add --bind-to none so that each "
                "rank's threads can use the node.\n";
  }

  FolderCheckpointStore files(plan.checkpoint_path, plan.shard_path);
  HoldingStore holding(files, io.err, stop_flag());
  if (a->test_hold) bo.store = &holding;
  const std::unique_ptr<ChunkRunner> local = make_local_runner();
  ThrottledRunner throttled(bo.runner ? *bo.runner : *local, a->test_throttle);
  if (a->test_throttle > 1) bo.runner = &throttled;

  const auto t0 = std::chrono::steady_clock::now();
  const std::string started = utc_now();
  auto fut = std::async(std::launch::async, [&] { return run_batch(s, plan, bo); });
  const bool bar = !a->quiet && !a->json && ::isatty(STDERR_FILENO);
  while (fut.wait_for(std::chrono::milliseconds(200)) != std::future_status::ready) {
    if (bar) {
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      draw_progress(io.err, progress.load(), todo, secs, resumed);
    }
  }
  Accumulator acc;
  try {
    acc = fut.get();
  } catch (const Error&) {
    if (bar) io.err << "\n";
    throw;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (bar) {
    draw_progress(io.err, todo, todo, secs, resumed);
    io.err << "\n";
  }
  const double rate = secs > 0 ? static_cast<double>(todo - resumed) / secs : 0.0;
  if (sharded) {
    if (!a->quiet) {
      io.out << "shard " << a->shard << " (trials " << plan.range.first << "-" << plan.range.last - 1 << ") written to "
             << plan.shard_path << "\n";
      char buf[128];
      std::snprintf(buf, sizeof buf, "  %.2f s on %d thread(s)%s, %s trials/s\n", secs, threads,
                    session ? (" x " + std::to_string(session->size()) + " MPI ranks").c_str() : "",
                    human_rate(rate).c_str());
      io.out << buf << "  when all " << bo.shard.count << " shards are done: celltrial merge " << out_dir
             << " --out results/" << s.name << "\n";
    }
    return 0;
  }

  const nlohmann::json summary = summarise(s, acc);
  nlohmann::json run = run_provenance(s);
  run["threads"] = threads;
  run["mpi_ranks"] = session ? session->size() : 1;
  run["resumed_trials"] = resumed;
  run["scenario_source"] = a->file.empty() ? kDefaultScenarioName : a->file;
  run["overrides"] = a->sets;
  run["started_utc"] = started;
  run["finished_utc"] = utc_now();
  run["wall_seconds"] = secs;
  run["trials_per_second"] = rate;
  run["scenario"] = to_json(s);

  std::map<std::string, std::string> extra;
  if (a->export_trials > 0) {
    extra["trials.csv"] = trials_csv(s, static_cast<std::uint64_t>(a->export_trials));
    run["exported_trials"] = a->export_trials;
  }
  write_run_results(out_dir, s, summary, run, extra);
  if (a->json) {
    io.out << dump_json(summary);
  } else if (!a->quiet) {
    io.out << summary_table(summary);
    char buf[128];
    std::snprintf(buf, sizeof buf, "  %.2f s on %d thread(s)%s, %s trials/s\n", secs, threads,
                  session ? (" x " + std::to_string(session->size()) + " MPI ranks").c_str() : "",
                  human_rate(rate).c_str());
    io.out << buf << "  results written to " << out_dir << "/\n";
  }
  return 0;
}
}  // namespace

}  // namespace celltrial::cli
