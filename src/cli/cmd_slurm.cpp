// celltrial slurm [SCENARIO] --shards N : a Slurm job array that runs the shards of a run, and a
// merge job that starts when all of them succeeded.
#include <filesystem>
#include <ostream>

#include "celltrial/cli/commands.hpp"
#include "celltrial/services/slurm.hpp"

namespace celltrial::cli {

namespace {

struct SlurmArgs {
  services::SlurmRequest request;
  std::int64_t trials = 0;
  std::int64_t seed = -1;
  std::int64_t shards = 0;
};

/// Single-quoted for sh (as the scripts quote paths).
std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

Action add_slurm(CLI::App& app, Streams io) {
  auto* cmd = app.add_subcommand(
      "slurm", "Write a Slurm job array that runs the shards of a run, and a merge job that waits for them");
  auto a = std::make_shared<SlurmArgs>();
  services::SlurmRequest& r = a->request;
  cmd->add_option("scenario", r.scenario_file, "Scenario YAML file (default: the built-in scenarios/default.yaml)");
  cmd->add_option("--shards", a->shards, "Number of shards = array tasks (each runs celltrial simulate --shard K/N)")
      ->required()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1000000}));
  cmd->add_option("--cpus-per-task,-c", r.cpus, "CPUs (threads) per array task")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--partition,-p", r.partition, "Slurm partition (default: the cluster's default)");
  cmd->add_option("--time", r.time, "Time limit per array task, as Slurm takes it: MM, HH:MM:SS or D-HH:MM");
  cmd->add_option("--account,-A", r.account, "Slurm account to charge");
  cmd->add_option("--trials,-n", a->trials, "Number of simulated trials (overrides simulation.trials)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{10000000000}));
  cmd->add_option("--seed", a->seed, "Master seed (overrides simulation.seed)")
      ->check(CLI::Range(std::int64_t{0}, std::numeric_limits<std::int64_t>::max()));
  cmd->add_option("--set", r.overrides, "Override a scenario value, e.g. --set analysis.alpha=0.025 (repeatable)");
  cmd->add_option("--out,-o", r.out,
                  "Job folder for the scripts, shards/, logs/ and results/ (default: results/<scenario name>-slurm/)")->check(kFolderName);
  cmd->add_option("--program", r.program,
                  "celltrial program the jobs run, as seen from the compute nodes (default: this one)");
  // The footer the app gave every command (exit codes) stays below this one.
  cmd->footer(std::string(
        "Writes array.sbatch, merge.sbatch, submit.sh and the resolved scenario.yaml into the job folder. "
        "'sh <folder>/submit.sh' submits the array and the merge (sbatch --dependency=afterok); the merged "
        "<folder>/results/summary.json is byte-identical to one 'celltrial simulate' (see docs/cluster.md).") +
              "\n\n" + cmd->get_footer());
  r.program.clear();  // default: this program (below)
  return [a, io]() {
    services::SlurmRequest rq = a->request;
    if (a->trials > 0) rq.trials = static_cast<std::uint64_t>(a->trials);
    if (a->seed >= 0) rq.seed = static_cast<std::uint64_t>(a->seed);
    rq.shards = static_cast<std::uint64_t>(a->shards);
    if (rq.program.empty()) {
      std::error_code ec;
      rq.program = std::filesystem::read_symlink("/proc/self/exe", ec).string();
      if (ec || rq.program.empty()) rq.program = "celltrial";
    }
    const services::SlurmResult res = services::slurm(rq);
    const Scenario& s = res.scenario;
    const std::uint64_t n = res.shards;
    const std::filesystem::path dir(res.dir);
    io.out << "Wrote a Slurm job for " << s.simulation.trials << " trials of '" << s.name << "' in " << n
           << " shards to " << dir.string() << "/:\n"
           << "  array.sbatch   job array 1-" << n << ", " << rq.cpus << " CPU(s) per task (shards go to shards/)\n"
           << "  merge.sbatch   merge job (results go to results/)\n"
           << "  submit.sh      submits both; the merge waits for every shard (afterok)\n"
           << "  scenario.yaml  the resolved scenario the jobs run\n"
           << "Submit with:\n  sh " << sh_quote((dir / "submit.sh").string()) << "\n"
           << "or by hand:\n  jid=$(sbatch --parsable " << sh_quote((dir / "array.sbatch").string())
           << ") && sbatch --dependency=afterok:${jid%%;*} " << sh_quote((dir / "merge.sbatch").string()) << "\n"
           << "Results: " << (dir / "results" / "summary.json").string()
           << " (the same bytes as one 'celltrial simulate' of this scenario).\n";
    if (n > 1000)
      io.out << "Note: clusters limit job arrays (MaxArraySize, 1001 by default: indices up to 1000); ask your "
                "administrators or use fewer shards.\n";
    return 0;
  };
}

}  // namespace celltrial::cli
