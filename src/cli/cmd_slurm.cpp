// celltrial slurm [SCENARIO] --shards N : a Slurm job array that runs the shards of a run, and a
// merge job that starts when all of them succeeded.
#include <unistd.h>

#include <cctype>
#include <ctime>
#include <filesystem>
#include <ostream>
#include <regex>
#include <set>
#include <sstream>

#include "celltrial/cli/commands.hpp"
#include "celltrial/core/error.hpp"
#include "celltrial/engine/batch.hpp"
#include "celltrial/report/output.hpp"
#include "celltrial/scenario/io.hpp"
#include "celltrial/version_info.hpp"

namespace celltrial::cli {

namespace {
namespace fs = std::filesystem;

struct SlurmArgs {
  std::string file;
  std::int64_t trials = 0;
  std::int64_t seed = -1;
  std::vector<std::string> sets;
  std::int64_t shards = 0;
  int cpus = 1;
  std::string partition;
  std::string time;
  std::string account;
  std::string out;
  std::string program;
};

[[noreturn]] void usage(const std::string& option, const std::string& problem, const std::string& fix) {
  throw Error(ExitCode::usage, Diagnostic{{"command line (" + option + ")", 0, 0}, "", problem, fix});
}

/// Single-quoted for sh.
std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// #SBATCH lines are not parsed by a shell: paths there must not need quoting.
void require_plain_path(const std::string& option, const std::string& path) {
  static const std::regex plain(R"([A-Za-z0-9_./+@:,~=-]+)");
  if (!std::regex_match(path, plain))
    usage(option, "the folder " + path + " has characters (spaces, quotes, %, $ ...) that #SBATCH lines cannot quote.",
          "choose a folder whose path has only letters, digits and _ . / + - @ : , ~ =.");
}

std::string job_name(const std::string& name) {
  std::string out = "celltrial-";
  for (char c : name)
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.') ? c : '_';
  return out;
}


const std::set<std::string>& script_files() {
  static const std::set<std::string> names{"array.sbatch", "merge.sbatch", "submit.sh", "scenario.yaml", "logs"};
  return names;
}

/// The folder may be new, empty, or hold only the scripts of an earlier `celltrial slurm` that
/// was never run (no shards, results or logs yet).
void check_job_folder(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  if (!fs::is_directory(dir, ec))
    throw Error(ExitCode::io, Diagnostic{{dir.string(), 0, 0}, "", "exists and is not a folder.",
                                         "choose another --out or move that file away."});
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    const bool empty_logs = name == "logs" && fs::is_directory(e.path(), ec) && fs::is_empty(e.path(), ec);
    if (script_files().count(name) && (name != "logs" || empty_logs)) continue;
    const bool run = name == "shards" || name == "results" || name == "logs";
    throw Error(ExitCode::io,
                Diagnostic{{dir.string(), 0, 0}, "",
                           run ? "the folder holds a run that was submitted ('" + name + "'); it will not be replaced."
                               : "the folder holds files celltrial did not write (e.g. '" + name + "').",
                           "choose a new folder with --out."});
  }
}

std::string sbatch_header(const SlurmArgs& a, const std::string& name, const fs::path& dir, int cpus) {
  std::string h;
  h += "#SBATCH --job-name=" + name + "\n";
  h += "#SBATCH --ntasks=1\n";
  h += "#SBATCH --cpus-per-task=" + std::to_string(cpus) + "\n";
  if (!a.partition.empty()) h += "#SBATCH --partition=" + a.partition + "\n";
  if (!a.account.empty()) h += "#SBATCH --account=" + a.account + "\n";
  if (!a.time.empty()) h += "#SBATCH --time=" + a.time + "\n";
  h += "#SBATCH --chdir=" + dir.string() + "\n";
  return h;
}
}  // namespace

Action add_slurm(CLI::App& app, Streams io) {
  auto* cmd = app.add_subcommand(
      "slurm", "Write a Slurm job array that runs the shards of a run, and a merge job that waits for them");
  auto a = std::make_shared<SlurmArgs>();
  cmd->add_option("scenario", a->file, "Scenario YAML file (default: the built-in scenarios/default.yaml)");
  cmd->add_option("--shards", a->shards, "Number of shards = array tasks (each runs celltrial simulate --shard K/N)")
      ->required()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1000000}));
  cmd->add_option("--cpus-per-task,-c", a->cpus, "CPUs (threads) per array task")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--partition,-p", a->partition, "Slurm partition (default: the cluster's default)");
  cmd->add_option("--time", a->time, "Time limit per array task, as Slurm takes it: MM, HH:MM:SS or D-HH:MM");
  cmd->add_option("--account,-A", a->account, "Slurm account to charge");
  cmd->add_option("--trials,-n", a->trials, "Number of simulated trials (overrides simulation.trials)")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{10000000000}));
  cmd->add_option("--seed", a->seed, "Master seed (overrides simulation.seed)")
      ->check(CLI::Range(std::int64_t{0}, std::numeric_limits<std::int64_t>::max()));
  cmd->add_option("--set", a->sets, "Override a scenario value, e.g. --set analysis.alpha=0.025 (repeatable)");
  cmd->add_option("--out,-o", a->out,
                  "Job folder for the scripts, shards/, logs/ and results/ (default: results/<scenario name>-slurm/)")->check(kFolderName);
  cmd->add_option("--program", a->program,
                  "celltrial program the jobs run, as seen from the compute nodes (default: this one)");
  // The footer the app gave every command (exit codes) stays below this one.
  cmd->footer(std::string(
        "Writes array.sbatch, merge.sbatch, submit.sh and the resolved scenario.yaml into the job folder. "
        "'sh <folder>/submit.sh' submits the array and the merge (sbatch --dependency=afterok); the merged "
        "<folder>/results/summary.json is byte-identical to one 'celltrial simulate' (see docs/cluster.md).") +
              "\n\n" + cmd->get_footer());
  return [a, io]() {
    Scenario s = load(a->file, a->sets);
    if (a->trials > 0) s.simulation.trials = static_cast<std::uint64_t>(a->trials);
    if (a->seed >= 0) s.simulation.seed = static_cast<std::uint64_t>(a->seed);
    const auto n = static_cast<std::uint64_t>(a->shards);
    if (n > s.simulation.trials)
      usage("--shards " + std::to_string(n),
            std::to_string(n) + " shards for " + std::to_string(s.simulation.trials) +
                " trials would leave shards without trials.",
            "use at most " + std::to_string(s.simulation.trials) + " shards, or more trials (--trials).");
    static const std::regex time_re(R"(\d+(:\d{1,2}){0,2}|\d+-\d+(:\d{1,2}){0,2}|UNLIMITED|INFINITE)");
    if (!a->time.empty() && !std::regex_match(a->time, time_re))
      usage("--time " + a->time, "not a Slurm time limit.",
            "write minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS (e.g. 2:00:00).");
    static const std::regex name_re(R"([A-Za-z0-9_.,-]+)");
    if (!a->partition.empty() && !std::regex_match(a->partition, name_re))
      usage("--partition " + a->partition, "not a partition name.", "e.g. --partition compute (sinfo lists them).");
    if (!a->account.empty() && !std::regex_match(a->account, name_re))
      usage("--account " + a->account, "not an account name.",
            "e.g. --account myproject (sacctmgr show assoc lists them).");

    const fs::path dir = fs::absolute(fs::path(results_folder(a->out, s.name, ResultsKind::slurm)))
                             .lexically_normal();
    require_plain_path("--out", dir.string());
    std::string program = a->program;
    if (program.empty()) {
      std::error_code ec;
      program = fs::read_symlink("/proc/self/exe", ec).string();
      if (ec || program.empty()) program = "celltrial";
    }
    check_job_folder(dir);

    const std::string name = job_name(s.name);
    const std::string k_of_n = "${SLURM_ARRAY_TASK_ID}/" + std::to_string(n);
    std::ostringstream head;
    head << "# celltrial run '" << s.name << "': " << s.simulation.trials << " trials, seed " << s.simulation.seed
         << ", in " << n << " shards.\n"
         << "# Written by celltrial " << build::version << " (commit " << build::git_commit << ") at " << utc_now()
         << ". Submit both jobs with: sh " << (dir / "submit.sh").string() << "\n";

    std::ostringstream array;
    array << "#!/bin/bash\n"
          << head.str() << "# Task K runs shard K/" << n
          << "; a task that is stopped and started again continues from its checkpoint.\n"
          << sbatch_header(*a, name, dir, a->cpus) << "#SBATCH --array=1-" << n << "\n"
          << "#SBATCH --output=" << (dir / "logs" / "shard-%a.log").string() << "\n"
          << "#SBATCH --open-mode=append\n"
          << "set -eu\n"
          << "exec " << sh_quote(program) << " simulate " << sh_quote((dir / "scenario.yaml").string())
          << " --shard \"" << k_of_n << "\" --threads \"${SLURM_CPUS_PER_TASK:-" << a->cpus << "}\" --out "
          << sh_quote((dir / "shards").string()) << " --quiet\n";

    std::ostringstream merge;
    merge << "#!/bin/bash\n"
          << head.str() << "# Merges the " << n << " shards into results/.\n"
          << sbatch_header(*a, name + "-merge", dir, 1) << "#SBATCH --output=" << (dir / "logs" / "merge.log").string()
          << "\n"
          << "set -eu\n"
          << "exec " << sh_quote(program) << " merge " << sh_quote((dir / "shards").string()) << " --out "
          << sh_quote((dir / "results").string()) << " --quiet\n";

    std::ostringstream submit;
    submit << "#!/bin/sh\n"
           << head.str()
           << "# Submits the shards as a job array, then the merge as a job that starts only when every\n"
              "# array task succeeded (afterok).\n"
              "set -eu\n"
           << "cd " << sh_quote(dir.string()) << "\n"
           << "array=$(sbatch --parsable array.sbatch)\n"
              "array=${array%%;*}\n"
              "merge=$(sbatch --parsable --dependency=afterok:\"$array\" merge.sbatch)\n"
              "merge=${merge%%;*}\n"
              "echo \"submitted: shards as job array $array, merge as job $merge\"\n"
              "echo \"the merge starts when every shard has succeeded\"\n"
           << "echo \"watch: squeue -j $array,$merge    logs: " << (dir / "logs").string() << "/\"\n"
           << "echo \"results: " << (dir / "results" / "summary.json").string() << "\"\n";

    std::error_code ec;
    fs::create_directories(dir / "logs", ec);  // Slurm does not create the folder of --output
    if (ec)
      throw Error(ExitCode::io, Diagnostic{{dir.string(), 0, 0}, "", "cannot create the folder: " + ec.message() + ".",
                                           "choose a writable --out."});
    write_file_atomic((dir / "scenario.yaml").string(), "# Fully resolved scenario of this run\n" + to_yaml(s));
    write_file_atomic((dir / "array.sbatch").string(), array.str());
    write_file_atomic((dir / "merge.sbatch").string(), merge.str());
    write_file_atomic((dir / "submit.sh").string(), submit.str());
    fs::permissions(dir / "submit.sh", fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add, ec);

    io.out << "Wrote a Slurm job for " << s.simulation.trials << " trials of '" << s.name << "' in " << n
           << " shards to " << dir.string() << "/:\n"
           << "  array.sbatch   job array 1-" << n << ", " << a->cpus << " CPU(s) per task (shards go to shards/)\n"
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
