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
#include "celltrial/engine/engine.hpp"
#include "celltrial/report/output.hpp"
#include "celltrial/report/summary.hpp"
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
};

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string human_rate(double r) {
  char buf[32];
  if (r >= 1e6) std::snprintf(buf, sizeof buf, "%.2fM", r / 1e6);
  else if (r >= 1e3) std::snprintf(buf, sizeof buf, "%.1fk", r / 1e3);
  else std::snprintf(buf, sizeof buf, "%.0f", r);
  return buf;
}

void draw_progress(std::ostream& err, std::uint64_t done, std::uint64_t total, double seconds) {
  const double frac = total ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
  const int width = 30, filled = static_cast<int>(frac * width);
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
  char buf[160];
  std::snprintf(buf, sizeof buf, "\r[%.*s%*s] %5.1f%%  %s trials/s  ETA %.0fs   ", filled,
                "##############################", width - filled, "", 100 * frac, human_rate(rate).c_str(), eta);
  err << buf << std::flush;
}
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
  cmd->add_option("--out,-o", a->out, "Results folder (default: results/<scenario name>/)");
  cmd->add_option("--set", a->sets, "Override a scenario value, e.g. --set analysis.alpha=0.025 (repeatable)");
  cmd->add_flag("--json", a->json, "Print summary.json on standard output instead of the table");
  cmd->add_flag("--quiet,-q", a->quiet, "No table and no progress bar");
  return [a, io]() {
    Scenario s = load(a->file, a->sets);
    if (a->trials > 0) s.simulation.trials = static_cast<std::uint64_t>(a->trials);
    if (a->seed >= 0) s.simulation.seed = static_cast<std::uint64_t>(a->seed);
    const std::string out_dir = a->out.empty() ? (std::filesystem::path("results") / s.name).string() : a->out;
    check_writable_folder(out_dir);  // fail before a long run, not after it

    const int threads = resolve_threads(a->threads);
    std::atomic<std::uint64_t> progress{0};
    EngineOptions opt;
    opt.threads = threads;
    opt.stop = &stop_flag();
    opt.progress = &progress;

    const auto t0 = std::chrono::steady_clock::now();
    const std::string started = utc_now();
    auto fut = std::async(std::launch::async, [&] { return run_trials(s, opt); });
    const bool bar = !a->quiet && !a->json && ::isatty(STDERR_FILENO);
    while (fut.wait_for(std::chrono::milliseconds(200)) != std::future_status::ready) {
      if (bar) {
        const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        draw_progress(io.err, progress.load(), s.simulation.trials, secs);
      }
    }
    Accumulator acc;
    try {
      acc = fut.get();
    } catch (const Error& e) {
      if (bar) io.err << "\n";
      if (e.code() == ExitCode::interrupted) {
        io.err << "celltrial: interrupted after " << progress.load() << " of " << s.simulation.trials
               << " trials; no results were written.\n";
        return static_cast<int>(ExitCode::interrupted);
      }
      throw;
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (bar) {
      draw_progress(io.err, s.simulation.trials, s.simulation.trials, secs);
      io.err << "\n";
    }

    const nlohmann::json summary = summarise(s, acc);
    nlohmann::json run;
    run["format"] = "celltrial.run/1";
    run["celltrial_version"] = build::version;
    run["git_commit"] = build::git_commit;
    run["seed"] = s.simulation.seed;
    run["trials"] = s.simulation.trials;
    run["threads"] = threads;
    run["scenario_source"] = a->file.empty() ? kDefaultScenarioName : a->file;
    run["overrides"] = a->sets;
    run["started_utc"] = started;
    run["finished_utc"] = utc_now();
    run["wall_seconds"] = secs;
    run["trials_per_second"] = secs > 0 ? static_cast<double>(s.simulation.trials) / secs : 0.0;
    run["scenario"] = to_json(s);

    write_results_folder(out_dir, {{"summary.json", dump_json(summary)},
                                   {"summary.csv", summary_csv(summary)},
                                   {"run.json", dump_json(run)},
                                   {"scenario.yaml", "# Fully resolved scenario of this run\n" + to_yaml(s)}});
    if (a->json) {
      io.out << dump_json(summary);
    } else if (!a->quiet) {
      io.out << summary_table(summary);
      char buf[128];
      std::snprintf(buf, sizeof buf, "  %.2f s on %d thread(s), %s trials/s\n", secs, threads,
                    human_rate(secs > 0 ? static_cast<double>(s.simulation.trials) / secs : 0).c_str());
      io.out << buf << "  results written to " << out_dir << "/\n";
    }
    return 0;
  };
}

}  // namespace celltrial::cli
