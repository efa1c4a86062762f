// celltrial study SCENARIO : everything a responder-sensitivity study declares, in one folder with
// its report: the base run with its subgroup and multiplicity results, the forest plot, the
// enrichment table, the tornado plot, the sweep with its heat map, and report.html.
#include <ostream>

#include "celltrial/cli/commands.hpp"
#include "celltrial/report/summary.hpp"
#include "celltrial/report/tables.hpp"
#include "celltrial/services/study.hpp"

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
      "forest plot, design comparison, enrichment table, tornado plot, sweep and heat map) and write its HTML report");
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
    services::StudyRequest rq;
    rq.scenario_file = a->file;
    rq.overrides = a->sets;
    if (a->trials > 0) rq.trials = static_cast<std::uint64_t>(a->trials);
    if (a->seed >= 0) rq.seed = static_cast<std::uint64_t>(a->seed);
    rq.threads = a->threads;
    rq.out = a->out;
    rq.search_trials = static_cast<std::uint64_t>(a->search_trials);
    rq.search_max_trials = static_cast<std::uint64_t>(a->search_max_trials);
    rq.max_hours = a->max_hours;
    rq.yes = a->yes;
    services::Callbacks cb;
    cb.stop = &stop_flag();
    if (!a->quiet) cb.log = [io](const std::string& m) { io.err << m << "\n" << std::flush; };
    const services::StudyResult r = services::study(rq, cb);
    if (!a->quiet) {
      io.out << summary_table(r.characteristics);
      if (!r.enrichment_rows.is_null()) io.out << "\n" << enrichment_table(r.enrichment_rows);
      if (!r.design_rows.is_null()) io.out << "\n" << designs_table(r.design_rows);
      io.out << "\n  results and report.html written to " << r.out_dir << "/\n";
    }
    for (const auto& n : r.notes) io.err << n << "\n";
    return 0;
  };
}

}  // namespace celltrial::cli
