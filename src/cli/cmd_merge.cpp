// celltrial merge SHARDS... : the results of one run from its shard files.
#include <chrono>
#include <ctime>
#include <filesystem>
#include <ostream>

#include "celltrial/cli/commands.hpp"
#include "celltrial/core/error.hpp"
#include "celltrial/engine/batch.hpp"
#include "celltrial/report/output.hpp"
#include "celltrial/report/summary.hpp"
#include "celltrial/scenario/io.hpp"
#include "celltrial/version_info.hpp"

namespace celltrial::cli {

namespace {
namespace fs = std::filesystem;

struct MergeArgs {
  std::vector<std::string> inputs;
  std::string out;
  bool json = false;
  bool quiet = false;
};


/// The merged results replace the --out folder; refuse when that would delete shard files.
void check_out_keeps_shards(const std::string& out) {
  std::error_code ec;
  const fs::path d = fs::absolute(fs::path(out)).lexically_normal();
  if (!fs::is_directory(d, ec)) return;
  for (const auto& e : fs::directory_iterator(d, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("shard-", 0) == 0 || name.rfind("checkpoint", 0) == 0)
      throw Error(ExitCode::io, Diagnostic{{d.string(), 0, 0},
                                           "",
                                           "the folder holds shard files or checkpoints (e.g. '" + name +
                                               "'); writing the merged results there would replace them.",
                                           "choose another --out, e.g. results/<scenario name>."});
  }
}
}  // namespace

Action add_merge(CLI::App& app, Streams io) {
  auto* cmd = app.add_subcommand(
      "merge", "Combine the shard files of a run (simulate --shard K/N) into the results of the whole run");
  auto a = std::make_shared<MergeArgs>();
  cmd->add_option("shards", a->inputs,
                  "Shard folders (every shard-K-of-N.json in them is taken) or shard files; all N shards of one run")
      ->required()
      ->type_name("FOLDER|FILE");
  cmd->add_option("--out,-o", a->out, "Results folder (default: results/<scenario name>/)")->check(kFolderName);
  cmd->add_flag("--json", a->json, "Print summary.json on standard output instead of the table");
  cmd->add_flag("--quiet,-q", a->quiet, "No table");
  // The footer the app gave every command (exit codes) stays below this one.
  cmd->footer(std::string(
        "The results are those of one 'celltrial simulate' of the same scenario, seed and trials: summary.json and "
        "summary.csv are byte-identical for any number of shards. Shards of other runs, duplicates, missing or "
        "unfinished shards and damaged files are refused, each named (see docs/cluster.md).") +
              "\n\n" + cmd->get_footer());
  return [a, io]() {
    const auto t0 = std::chrono::steady_clock::now();
    const MergedRun m = merge_shards(a->inputs);
    const Scenario& s = m.scenario;
    const std::string out_dir = results_folder(a->out, s.name, ResultsKind::run);
    check_out_keeps_shards(out_dir);

    const nlohmann::json summary = summarise(s, m.acc);
    nlohmann::json run = run_provenance(s);
    run["merged_from"] = {
        {"shards", m.first.shard.count},
        {"files", m.files},
        {"scenario_hash", hex64(m.first.scenario_hash)},
        {"simulated_by", "celltrial " + m.first.celltrial_version + " (commit " + m.first.git_commit + ")"}};
    run["scenario_source"] = m.files.front() + " (resolved scenario saved in the shard)";
    run["finished_utc"] = utc_now();
    run["merge_seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    run["scenario"] = to_json(s);
    write_run_results(out_dir, s, summary, run);
    if (a->json) {
      io.out << dump_json(summary);
    } else if (!a->quiet) {
      io.out << summary_table(summary);
      io.out << "  merged " << m.first.shard.count << " shard(s)\n  results written to " << out_dir << "/\n";
    }
    return 0;
  };
}

}  // namespace celltrial::cli
