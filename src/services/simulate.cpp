#include "celltrial/services/simulate.hpp"

#include <chrono>
#include <thread>

#include "celltrial/core/error.hpp"
#include "celltrial/core/files.hpp"
#include "celltrial/design/nuisance.hpp"
#include "celltrial/design/operating_characteristics.hpp"
#include "celltrial/design/summary.hpp"
#include "celltrial/engine/batch.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/model/truth.hpp"
#include "celltrial/report/output.hpp"
#include "celltrial/report/summary.hpp"
#include "celltrial/report/trials.hpp"
#include "celltrial/scenario/io.hpp"
#include "celltrial/services/scenario_source.hpp"
#include "poll.hpp"

namespace celltrial::services {

namespace {

/// --test-hold-after-checkpoint, for the kill-and-resume tests: after the run's first checkpoint is
/// saved, says so and waits until a stop request or a kill, so that a test stops a run that is
/// provably unfinished, whatever the speed of the machine.
class HoldingStore final : public CheckpointStore {
 public:
  HoldingStore(CheckpointStore& inner, std::function<void(const std::string&)> log, const std::atomic<bool>& stop)
      : inner_(inner), log_(std::move(log)), stop_(stop) {}
  void save_checkpoint(const PartialResult& p) override {
    inner_.save_checkpoint(p);
    if (held_) return;
    held_ = true;
    if (log_) log_("celltrial: test hold: checkpoint saved with " + std::to_string(p.completed()) + " of " +
            std::to_string(p.range.size()) + " trials done; waiting for a signal");
    while (!stop_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  void save_shard(const PartialResult& p) override { inner_.save_shard(p); }

 private:
  CheckpointStore& inner_;
  std::function<void(const std::string&)> log_;  ///< thread-safe (Poller::log)
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

/// Runs the nuisance grid's null scenarios with progress and stop requests (run_nuisance_grid).
NuisanceGridCharacteristics nuisance_grid_block(const Scenario& s, const std::vector<Scenario>& points, int threads, Poller& poller,
                                   const Callbacks& cb) {
  const std::uint64_t total = points.front().simulation.trials * points.size();
  cb.say("celltrial: type I error over the nuisance grid: " + std::to_string(points.size()) + " points x " +
         std::to_string(points.front().simulation.trials) + " trials under the null hypothesis.");
  std::atomic<std::uint64_t> progress{0};
  SweepOptions opt;
  opt.threads = threads;
  opt.stop = poller.stop();
  opt.progress = &progress;
  const auto t0 = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  NuisanceGridCharacteristics out = poller.run([&] { return run_nuisance_grid(s, points, opt); },
                                  [&] {
                                    if (cb.progress) cb.progress(Progress{progress.load(), total, 0, seconds()});
                                  });
  if (cb.progress) cb.progress(Progress{total, total, 0, seconds()});
  return out;
}

[[noreturn]] void refuse(const std::string& option, const std::string& problem, const std::string& fix) {
  throw Error(ExitCode::usage, Diagnostic{{"command line (" + option + ")", 0, 0}, "", problem, fix});
}

}  // namespace

SimulateResult simulate(const SimulateRequest& rq, const Callbacks& cb) {
  SimulateResult res;
  Scenario s = load(rq.scenario_file, rq.scenario_text, rq.overrides);
  if (rq.trials) s.simulation.trials = *rq.trials;
  if (rq.seed) s.simulation.seed = *rq.seed;
  const bool sharded = !rq.shard.empty();
  BatchOptions bo;
  if (sharded) {
    bo.shard = parse_shard(rq.shard, s.simulation.trials);
    bo.sharded = true;
  }
  if (rq.export_trials > 0 && (sharded || rq.export_trials > s.simulation.trials))
    refuse("--export-trials",
           sharded ? std::string("a shard writes no results folder, so it has nowhere to export trials to.")
                   : "--export-trials " + std::to_string(rq.export_trials) + " asks for more trials than the run's " +
                         std::to_string(s.simulation.trials) + ".",
           sharded ? std::string("export from an unsharded run, e.g. 'celltrial simulate SCENARIO --trials 10 "
                                 "--export-trials 10'.")
                   : "give at most " + std::to_string(s.simulation.trials) + ", or raise --trials.");
  // The nuisance grid's points are loaded (and checked) before any trial runs; a sharded run leaves
  // them to the merge.
  std::vector<Scenario> nuisance;
  if (!sharded && s.nuisance_grid.active())
    nuisance = nuisance_scenarios(file_loader(rq.scenario_file, rq.overrides, rq.scenario_text), rq.overrides, s);
  res.out_dir = results_folder(rq.out, s.name, sharded ? ResultsKind::shards : ResultsKind::run);
  if (!sharded) check_writable_folder(res.out_dir);  // fail before a long run, not after it

  mpi::Session* session = rq.session;
  res.threads = session && rq.threads == 0 ? session->default_threads() : resolve_threads(rq.threads);
  res.mpi_ranks = session ? session->size() : 1;
  res.sharded = sharded;
  res.shard_count = bo.shard.count;
  std::atomic<std::uint64_t> progress{0};
  Poller poller(cb);
  bo.out_dir = res.out_dir;
  bo.threads = res.threads;
  bo.checkpoint_seconds = rq.checkpoint_seconds;
  bo.stop = poller.stop();
  bo.progress = &progress;
  const BatchPlan plan = plan_batch(s, bo);
  res.first_trial = plan.range.first;
  res.last_trial = plan.range.last;
  res.shard_path = plan.shard_path;
  res.checkpoint_path = plan.checkpoint_path;
  res.scenario = s;
  if (plan.already_complete) {
    res.already_complete = true;
    return res;
  }
  const std::uint64_t todo = plan.range.size();
  res.resumed = plan.resume_from - plan.range.first;
  if (plan.resumed)
    cb.say("celltrial: continuing from " + plan.checkpoint_path + ": " + std::to_string(res.resumed) + " of " +
           std::to_string(todo) + " trials were already done.");
  if (session) {
    session->start(s);
    bo.runner = &session->runner();
    const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    if (session->allowed_cpus() > 0 && session->allowed_cpus() < hw / session->ranks_on_node())
      cb.say("celltrial: note: each MPI rank may run on only " + std::to_string(session->allowed_cpus()) +
             " core(s) (the launcher binds ranks to cores); with OpenMPI add --bind-to none so that each rank's "
             "threads can use the node.");
  }

  FolderCheckpointStore files(plan.checkpoint_path, plan.shard_path);
  HoldingStore holding(files, poller.log(), poller.stop_flag());
  if (rq.test_hold_after_checkpoint) bo.store = &holding;
  const std::unique_ptr<ChunkRunner> local = make_local_runner();
  ThrottledRunner throttled(bo.runner ? *bo.runner : *local, rq.test_throttle);
  if (rq.test_throttle > 1) bo.runner = &throttled;

  // The trials run on a thread of their own; this one reports progress and passes on stop requests.
  const auto t0 = std::chrono::steady_clock::now();
  const std::string started = utc_now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  const Accumulator acc = poller.run([&] { return run_batch(s, plan, bo); },
                                     [&] {
                                       if (cb.progress) cb.progress(Progress{progress.load(), todo, res.resumed, seconds()});
                                     });
  res.seconds = seconds();
  if (cb.progress) cb.progress(Progress{todo, todo, res.resumed, res.seconds});
  res.trials_per_second = res.seconds > 0 ? static_cast<double>(todo - res.resumed) / res.seconds : 0.0;
  if (sharded) return res;

  const Truth truth = Model(s).truth();
  res.characteristics = operating_characteristics(s, acc, truth);
  if (!nuisance.empty()) res.characteristics.nuisance_grid = nuisance_grid_block(s, nuisance, res.threads, poller, cb);
  res.summary = to_json(res.characteristics);
  nlohmann::json& run = res.run;
  run = run_provenance(s);
  run["threads"] = res.threads;
  run["mpi_ranks"] = res.mpi_ranks;
  run["resumed_trials"] = res.resumed;
  run["scenario_source"] = source_name(rq.scenario_file, rq.scenario_text);
  run["overrides"] = rq.overrides;
  run["started_utc"] = started;
  run["finished_utc"] = utc_now();
  run["wall_seconds"] = res.seconds;
  run["trials_per_second"] = res.trials_per_second;
  run["scenario"] = to_json(s);
  std::map<std::string, std::string> extra;
  if (rq.export_trials > 0) {
    extra["trials.csv"] = trials_csv(s, rq.export_trials);
    run["exported_trials"] = rq.export_trials;
  }
  write_run_results(res.out_dir, s, res.summary, run, extra);
  return res;
}

void check_launcher(const std::string& whole_in_one_process) {
  const int launched = mpi::launched_size();
  if (launched <= 1) return;
  if (!mpi::built_with_mpi())
    throw Error(ExitCode::usage,
                Diagnostic{{"celltrial", 0, 0}, "",
                           "started by an MPI launcher with " + std::to_string(launched) +
                               " processes, but this celltrial was built without MPI: every process would run all "
                               "the trials.",
                           "build with cmake -DCELLTRIAL_MPI=ON (docs/cluster.md), or run celltrial without mpirun "
                           "(it uses all cores by itself)."});
  if (!whole_in_one_process.empty())
    throw Error(ExitCode::usage,
                Diagnostic{{"celltrial", 0, 0}, "",
                           whole_in_one_process + " runs every grid point in one process; under an MPI launcher each of the " +
                               std::to_string(launched) + " processes would run the whole sweep into the same folder.",
                           "run it without mpirun, or split it with --shard K/N (docs/cluster.md)."});
}

int run_in_launch(int threads, const std::atomic<bool>* stop, const std::function<int(mpi::Session*)>& run) {
  if (mpi::launched_size() < 1 || !mpi::built_with_mpi()) return run(nullptr);
  mpi::Session session;
  if (session.rank() != 0)  // computes what rank 0 sends; rank 0 writes and reports
    return session.serve(threads > 0 ? threads : session.default_threads(), stop);
  int code = static_cast<int>(ExitCode::software);
  try {
    code = run(&session);
  } catch (const Error& e) {
    session.finish(static_cast<int>(e.code()));
    throw;
  } catch (...) {
    session.finish(code);
    throw;
  }
  session.finish(code);
  return code;
}

}  // namespace celltrial::services
