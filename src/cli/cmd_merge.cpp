// celltrial merge SHARDS... : the results of one run from its shard files.
#include <ostream>

#include "celltrial/cli/commands.hpp"
#include "celltrial/report/summary.hpp"
#include "celltrial/services/merge.hpp"

namespace celltrial::cli {

namespace {
struct MergeArgs {
  std::vector<std::string> inputs;
  std::string out;
  bool json = false;
  bool quiet = false;
};
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
    const services::MergeResult r = services::merge({a->inputs, a->out});
    if (a->json) {
      io.out << dump_json(r.summary);
    } else if (!a->quiet) {
      io.out << summary_table(r.characteristics);
      io.out << "  merged " << r.shards << " shard(s)\n  results written to " << r.out_dir << "/\n";
    }
    return 0;
  };
}

}  // namespace celltrial::cli
