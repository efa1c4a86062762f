#include "celltrial/services/slurm.hpp"

#include <cctype>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>

#include "celltrial/core/error.hpp"
#include "celltrial/core/files.hpp"
#include "celltrial/report/output.hpp"
#include "celltrial/scenario/io.hpp"
#include "celltrial/services/scenario_source.hpp"
#include "celltrial/version_info.hpp"

namespace celltrial::services {

namespace {
namespace fs = std::filesystem;

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

std::string sbatch_header(const SlurmRequest& a, const std::string& name, const fs::path& dir, int cpus) {
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

SlurmResult slurm(const SlurmRequest& rq) {
  Scenario s = load(rq.scenario_file, rq.scenario_text, rq.overrides);
  if (rq.trials) s.simulation.trials = *rq.trials;
  if (rq.seed) s.simulation.seed = *rq.seed;
  const std::uint64_t n = rq.shards;
  if (n > s.simulation.trials)
    usage("--shards " + std::to_string(n),
          std::to_string(n) + " shards for " + std::to_string(s.simulation.trials) +
              " trials would leave shards without trials.",
          "use at most " + std::to_string(s.simulation.trials) + " shards, or more trials (--trials).");
  static const std::regex time_re(R"(\d+(:\d{1,2}){0,2}|\d+-\d+(:\d{1,2}){0,2}|UNLIMITED|INFINITE)");
  if (!rq.time.empty() && !std::regex_match(rq.time, time_re))
    usage("--time " + rq.time, "not a Slurm time limit.",
          "write minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS (e.g. 2:00:00).");
  static const std::regex name_re(R"([A-Za-z0-9_.,-]+)");
  if (!rq.partition.empty() && !std::regex_match(rq.partition, name_re))
    usage("--partition " + rq.partition, "not a partition name.", "e.g. --partition compute (sinfo lists them).");
  if (!rq.account.empty() && !std::regex_match(rq.account, name_re))
    usage("--account " + rq.account, "not an account name.",
          "e.g. --account myproject (sacctmgr show assoc lists them).");

  const fs::path dir = fs::absolute(fs::path(results_folder(rq.out, s.name, ResultsKind::slurm)))
                           .lexically_normal();
  require_plain_path("--out", dir.string());
  const std::string program = rq.program.empty() ? std::string("celltrial") : rq.program;
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
        << sbatch_header(rq, name, dir, rq.cpus) << "#SBATCH --array=1-" << n << "\n"
        << "#SBATCH --output=" << (dir / "logs" / "shard-%a.log").string() << "\n"
        << "#SBATCH --open-mode=append\n"
        << "set -eu\n"
        << "exec " << sh_quote(program) << " simulate " << sh_quote((dir / "scenario.yaml").string())
        << " --shard \"" << k_of_n << "\" --threads \"${SLURM_CPUS_PER_TASK:-" << rq.cpus << "}\" --out "
        << sh_quote((dir / "shards").string()) << " --quiet\n";

  std::ostringstream merge;
  merge << "#!/bin/bash\n"
        << head.str() << "# Merges the " << n << " shards into results/.\n"
        << sbatch_header(rq, name + "-merge", dir, 1) << "#SBATCH --output=" << (dir / "logs" / "merge.log").string()
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

  SlurmResult res;
  res.scenario = s;
  res.dir = dir.string();
  res.shards = n;
  res.submit = (dir / "submit.sh").string();
  return res;
}

}  // namespace celltrial::services
