#include "celltrial/engine/batch.hpp"

#include <memory>

#include "celltrial/model/model.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "celltrial/core/error.hpp"
#include "celltrial/core/random.hpp"
#include "celltrial/core/files.hpp"
#include "celltrial/scenario/io.hpp"
#include "celltrial/version_info.hpp"

namespace celltrial {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Ranges, shard numbers, hashes

TrialRange split_range(TrialRange r, std::uint64_t k, std::uint64_t n) {
  CELLTRIAL_ASSERT(n >= 1 && k >= 1 && k <= n && r.first <= r.last);
  __extension__ typedef unsigned __int128 u128;
  const u128 s = r.size();
  const auto lo = static_cast<std::uint64_t>(s * (k - 1) / n);
  const auto hi = static_cast<std::uint64_t>(s * k / n);
  return {r.first + lo, r.first + hi};
}

namespace {
[[noreturn]] void shard_usage(const std::string& text, const std::string& problem, const std::string& fix) {
  throw Error(ExitCode::usage, Diagnostic{{"command line (--shard " + text + ")", 0, 0}, "", problem, fix});
}

bool parse_u64(std::string_view s, std::uint64_t& out) {
  if (s.empty() || s.size() > 19) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}
}  // namespace

ShardSpec parse_shard(const std::string& text, std::uint64_t total_trials) {
  const auto slash = text.find('/');
  ShardSpec sp;
  if (slash == std::string::npos || !parse_u64(std::string_view(text).substr(0, slash), sp.index) ||
      !parse_u64(std::string_view(text).substr(slash + 1), sp.count))
    shard_usage(text, "expected K/N, two whole numbers such as 3/8 (shard 3 of 8).",
                "write --shard K/N with 1 <= K <= N; shards are numbered from 1.");
  if (sp.count == 0) shard_usage(text, "N, the number of shards, must be at least 1.", "e.g. --shard 1/4.");
  if (sp.index < 1 || sp.index > sp.count)
    shard_usage(text,
                "shard K=" + std::to_string(sp.index) + " is out of range; shards are numbered 1 to " +
                    std::to_string(sp.count) + ".",
                "use a K from 1 to " + std::to_string(sp.count) + " (e.g. a Slurm array --array=1-" +
                    std::to_string(sp.count) + ").");
  if (sp.count > total_trials)
    shard_usage(text,
                std::to_string(sp.count) + " shards for " + std::to_string(total_trials) +
                    " trials would leave shards without trials.",
                "use at most " + std::to_string(total_trials) + " shards, or more trials (--trials).");
  return sp;
}

std::uint64_t hash_bytes(std::string_view bytes) {
  std::uint64_t h = mix64(0x63656c6c74726961ULL ^ bytes.size());
  std::size_t i = 0;
  while (i < bytes.size()) {
    std::uint64_t w = 0;
    const std::size_t n = std::min<std::size_t>(8, bytes.size() - i);
    for (std::size_t b = 0; b < n; ++b)
      w |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[i + b])) << (8 * b);
    h = mix64(h ^ w) + 0x9E3779B97F4A7C15ULL * (i / 8 + 1);
    i += n;
  }
  return mix64(h);
}

std::string hex64(std::uint64_t x) {
  static const char* digits = "0123456789abcdef";
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, x >>= 4) s[static_cast<std::size_t>(i)] = digits[x & 0xF];
  return s;
}

std::uint64_t scenario_hash(const Scenario& s) { return hash_bytes(to_yaml(s)); }

std::string shard_file_name(ShardSpec sp) {
  return "shard-" + std::to_string(sp.index) + "-of-" + std::to_string(sp.count) + ".json";
}
std::string shard_checkpoint_name(ShardSpec sp) { return "checkpoint-" + shard_file_name(sp); }

// ---------------------------------------------------------------------------------------------
// Partial-result files

namespace {
constexpr const char* kShardFormat = "celltrial.shard";
constexpr const char* kCheckpointFormat = "celltrial.checkpoint";

std::string dump_canonical(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string shard_text(ShardSpec sp) { return std::to_string(sp.index) + "/" + std::to_string(sp.count); }

[[noreturn]] void corrupted(const std::string& path, const std::string& what) {
  throw Error(ExitCode::data,
              Diagnostic{{path, 0, 0},
                         "",
                         "the file is damaged or is not a celltrial shard file: " + what + ".",
                         "delete it and run its shard again (the same celltrial simulate --shard command)."});
}
}  // namespace

PartialResult make_partial(const Scenario& s, ShardSpec shard, PartialResult::Kind kind, const Accumulator& acc,
                           std::uint64_t completed_until) {
  PartialResult p;
  p.kind = kind;
  p.celltrial_version = build::version;
  p.git_commit = build::git_commit;
  p.scenario_name = s.name;
  p.scenario_yaml = to_yaml(s);
  p.scenario_hash = hash_bytes(p.scenario_yaml);
  p.seed = s.simulation.seed;
  p.total_trials = s.simulation.trials;
  p.shard = shard;
  p.range = shard_range(s.simulation.trials, shard.index, shard.count);
  p.completed_until = completed_until;
  p.acc = acc;
  CELLTRIAL_ASSERT(completed_until >= p.range.first && completed_until <= p.range.last &&
                   acc.trials() == completed_until - p.range.first);
  return p;
}

std::string partial_to_text(const PartialResult& p) {
  nlohmann::json j;
  j["format"] = std::string(p.kind == PartialResult::Kind::shard ? kShardFormat : kCheckpointFormat) + "/" +
                std::to_string(kPartialFormatVersion);
  j["celltrial_version"] = p.celltrial_version;
  j["git_commit"] = p.git_commit;
  j["scenario"] = {
      {"name", p.scenario_name}, {"hash", hex64(p.scenario_hash)}, {"seed", p.seed}, {"trials", p.total_trials}};
  j["shard"] = {{"index", p.shard.index},
                {"count", p.shard.count},
                {"first_trial", p.range.first},
                {"last_trial", p.range.last},
                {"completed_until", p.completed_until}};
  j["state"] = p.acc.state();
  j["scenario_yaml"] = p.scenario_yaml;
  j["checksum"] = hex64(hash_bytes(dump_canonical(j)));
  return j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

namespace {
/// Whether an accumulator is shaped for the scenario (arms, comparisons, subgroup slots, family,
/// claim sets), as make_accumulator shapes it: only then can trials of the scenario be added to
/// it, other shards merged into it and its summary computed.
bool fits(const Accumulator& acc, const Scenario& s) {
  const std::size_t comparisons = s.active_arms().size();
  return acc.arms() == s.arms.size() && acc.comparisons() == comparisons &&
         acc.subgroup_slots() == s.analysis.subgroups.size() * comparisons && acc.family_size() == family(s).size() &&
         acc.claim_sets() == s.analysis.claims.size() &&
         acc.follow_up().visits == (needs_follow_up(s) ? s.design.visits_months.size() : 0) &&
         acc.follow_up().delayed == (needs_follow_up(s) && s.design.delayed_start_month > 0);
}

/// The file's resolved scenario must load, read back to the same text (as celltrial writes it),
/// agree with the file's name, seed and trial count, and fit the accumulated state.
void check_saved_scenario(const PartialResult& p, const std::string& path) {
  Scenario s;
  try {
    s = load_scenario_text(p.scenario_yaml, path + " (its scenario)");
  } catch (const Error& e) {
    corrupted(path, "its saved scenario does not load (" + e.diagnostics().front().str() + ")");
  }
  if (to_yaml(s) != p.scenario_yaml) corrupted(path, "its saved scenario is not the resolved scenario celltrial writes");
  if (s.name != p.scenario_name || s.simulation.seed != p.seed || s.simulation.trials != p.total_trials)
    corrupted(path, "its saved scenario contradicts its name, seed or trial count");
  if (!fits(p.acc, s)) corrupted(path, "its accumulated results do not fit its scenario's arms, subgroups or hypotheses");
}
}  // namespace

PartialResult partial_from_text(const std::string& text, const std::string& path) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    corrupted(path, text.empty() ? "it is empty" : "it is not complete JSON (cut short?)");
  }
  if (!j.is_object() || !j.contains("format") || !j["format"].is_string()) corrupted(path, "it has no format name");
  const std::string format = j["format"].get<std::string>();
  const auto slash = format.rfind('/');
  const std::string name = format.substr(0, slash);
  std::uint64_t version = 0;
  if (slash == std::string::npos || (name != kShardFormat && name != kCheckpointFormat) ||
      !parse_u64(std::string_view(format).substr(slash + 1), version))
    corrupted(path, "its format is '" + format + "'");
  if (version > static_cast<std::uint64_t>(kPartialFormatVersion))
    throw Error(ExitCode::data,
                Diagnostic{{path, 0, 0},
                           "",
                           "written in format version " + std::to_string(version) +
                               ", newer than this celltrial reads (" + std::to_string(kPartialFormatVersion) + ").",
                           "merge with the celltrial version that wrote it (" +
                               j.value("celltrial_version", std::string("unknown")) + ")."});
  if (version < static_cast<std::uint64_t>(kPartialFormatVersion))
    throw Error(ExitCode::data,
                Diagnostic{{path, 0, 0},
                           "",
                           "written in format version " + std::to_string(version) + " by celltrial " +
                               j.value("celltrial_version", std::string("unknown")) + ", older than this celltrial reads (" +
                               std::to_string(kPartialFormatVersion) + ").",
                           "run that part again with this celltrial, or merge with the version that wrote it."});
  if (!j.contains("checksum") || !j["checksum"].is_string()) corrupted(path, "it has no checksum");
  const std::string checksum = j["checksum"].get<std::string>();
  j.erase("checksum");
  if (hex64(hash_bytes(dump_canonical(j))) != checksum) corrupted(path, "its checksum does not match its contents");

  PartialResult p;
  try {
    p.kind = name == kShardFormat ? PartialResult::Kind::shard : PartialResult::Kind::checkpoint;
    p.celltrial_version = j.at("celltrial_version").get<std::string>();
    p.git_commit = j.at("git_commit").get<std::string>();
    const auto& sc = j.at("scenario");
    p.scenario_name = sc.at("name").get<std::string>();
    p.seed = count_from_json(sc.at("seed"), "scenario.seed");
    p.total_trials = count_from_json(sc.at("trials"), "scenario.trials");
    const std::string hash = sc.at("hash").get<std::string>();
    const auto& sh = j.at("shard");
    p.shard.index = count_from_json(sh.at("index"), "shard.index");
    p.shard.count = count_from_json(sh.at("count"), "shard.count");
    p.range.first = count_from_json(sh.at("first_trial"), "shard.first_trial");
    p.range.last = count_from_json(sh.at("last_trial"), "shard.last_trial");
    p.completed_until = count_from_json(sh.at("completed_until"), "shard.completed_until");
    p.scenario_yaml = j.at("scenario_yaml").get<std::string>();
    p.scenario_hash = hash_bytes(p.scenario_yaml);
    if (hex64(p.scenario_hash) != hash) corrupted(path, "its scenario does not match its scenario hash");
    p.acc = Accumulator::from_state(j.at("state"));
  } catch (const nlohmann::json::exception& e) {
    corrupted(path, std::string("a field is missing or has the wrong type (") + e.what() + ")");
  } catch (const std::runtime_error& e) {
    if (dynamic_cast<const Error*>(&e)) throw;
    corrupted(path, e.what());
  }
  if (p.shard.count < 1 || p.shard.index < 1 || p.shard.index > p.shard.count || p.shard.count > p.total_trials)
    corrupted(path, "its shard number " + shard_text(p.shard) + " is impossible");
  if (!(p.range == shard_range(p.total_trials, p.shard.index, p.shard.count)))
    corrupted(path, "its trial range does not belong to shard " + shard_text(p.shard));
  if (p.completed_until < p.range.first || p.completed_until > p.range.last ||
      p.acc.trials() != p.completed_until - p.range.first)
    corrupted(path, "its trial counts disagree");
  if (p.kind == PartialResult::Kind::shard && !p.complete()) corrupted(path, "a shard file must hold all its trials");
  check_saved_scenario(p, path);
  return p;
}

PartialResult read_partial(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec))
    throw Error(ExitCode::no_input, Diagnostic{{path, 0, 0}, "", "no such file.", "check the path."});
  if (fs::is_directory(path, ec))
    throw Error(ExitCode::no_input, Diagnostic{{path, 0, 0}, "", "is a folder, not a shard file.", "give the file."});
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  if (!in && !in.eof())
    throw Error(ExitCode::no_input, Diagnostic{{path, 0, 0}, "", "cannot be read.", "check its permissions."});
  return partial_from_text(os.str(), path);
}

std::vector<std::string> identity_differences(const PartialResult& a, const PartialResult& b) {
  std::vector<std::string> d;
  if (a.scenario_name != b.scenario_name)
    d.push_back("scenario '" + a.scenario_name + "', not '" + b.scenario_name + "'");
  else if (a.scenario_hash != b.scenario_hash && a.seed == b.seed && a.total_trials == b.total_trials)
    d.push_back("scenario settings differ (hash " + hex64(a.scenario_hash) + ", not " + hex64(b.scenario_hash) + ")");
  if (a.seed != b.seed) d.push_back("seed " + std::to_string(a.seed) + ", not " + std::to_string(b.seed));
  if (a.total_trials != b.total_trials)
    d.push_back(std::to_string(a.total_trials) + " trials, not " + std::to_string(b.total_trials));
  if (a.shard.count != b.shard.count)
    d.push_back("split into " + std::to_string(a.shard.count) + " shards, not " + std::to_string(b.shard.count));
  if (a.celltrial_version != b.celltrial_version || a.git_commit != b.git_commit)
    d.push_back("simulated by celltrial " + a.celltrial_version + " (commit " + a.git_commit + "), not " +
                b.celltrial_version + " (commit " + b.git_commit + ")");
  if (d.empty() && a.scenario_hash != b.scenario_hash)
    d.push_back("scenario settings differ (hash " + hex64(a.scenario_hash) + ", not " + hex64(b.scenario_hash) + ")");
  return d;
}

// ---------------------------------------------------------------------------------------------
// Planning: what the output folder already holds

namespace {
[[noreturn]] void io_error(const std::string& where, const std::string& problem, const std::string& fix) {
  throw Error(ExitCode::io, Diagnostic{{where, 0, 0}, "", problem, fix});
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? sep : "") + v[i];
  return out;
}

/// "shard-K-of-N.json" or "checkpoint-shard-K-of-N.json".
std::optional<ShardSpec> shard_in_name(const std::string& name, bool checkpoint) {
  static const std::regex shard_re(R"(shard-([0-9]{1,19})-of-([0-9]{1,19})\.json)");
  static const std::regex ckpt_re(R"(checkpoint-shard-([0-9]{1,19})-of-([0-9]{1,19})\.json)");
  std::smatch m;
  if (!std::regex_match(name, m, checkpoint ? ckpt_re : shard_re)) return std::nullopt;
  ShardSpec sp;
  if (!parse_u64(m[1].str(), sp.index) || !parse_u64(m[2].str(), sp.count)) return std::nullopt;
  return sp;
}

bool is_results_file(const std::string& name) {
  static const std::set<std::string> results{"summary.json", "summary.csv", "run.json", "scenario.yaml", "trials.csv"};
  return results.count(name) > 0;
}

/// Throws when `p` (read from `path`) is not of the run `mine`: io, since it is another run's file.
void require_same_run(const PartialResult& p, const PartialResult& mine, const std::string& path,
                      const std::string& what) {
  const auto diffs = identity_differences(p, mine);
  if (diffs.empty()) return;
  // Only the build differs: the same command, but trials may come out differently with other code.
  const bool build_only = diffs.size() == 1 && p.scenario_hash == mine.scenario_hash;
  io_error(path,
           "this folder holds " + what + " of " + (build_only ? "this run, but " : "another run (that run: ") +
               join(diffs, "; ") + (build_only ? " (" : "; ") + std::to_string(p.completed()) + " of its " +
               std::to_string(p.range.size()) + " trials done); it will not be overwritten.",
           build_only ? "finish it with the celltrial build that started it (commit " + p.git_commit +
                            "), or delete that file to start over with this one."
                      : "give each run its own --out folder, or delete that file to discard it.");
}

void check_folder_is_usable(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
    io_error(dir.string(), "exists and is not a folder.", "choose another --out or move that file away.");
}

/// Creates `dir` if needed and checks that files can be written there (before a long run).
void probe_writable(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) io_error(dir.string(), "cannot create the folder: " + ec.message() + ".", "choose a writable --out.");
  const fs::path probe = dir / (".celltrial-probe-" + std::to_string(::getpid()));
  {
    std::ofstream out(probe);
    if (!out) io_error(dir.string(), "the folder is not writable.", "choose a writable --out.");
  }
  fs::remove(probe, ec);
}
}  // namespace

BatchPlan plan_batch(const Scenario& s, const BatchOptions& opt) {
  CELLTRIAL_ASSERT(opt.shard.index >= 1 && opt.shard.index <= opt.shard.count &&
                   opt.shard.count <= s.simulation.trials);
  BatchPlan plan;
  plan.range = shard_range(s.simulation.trials, opt.shard.index, opt.shard.count);
  plan.resume_from = plan.range.first;
  const auto t0 = std::chrono::steady_clock::now();
  plan.acc = make_accumulator(s);  // builds the model once, as every chunk will
  plan.setup_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (opt.out_dir.empty()) return plan;

  const fs::path dir = fs::absolute(fs::path(opt.out_dir)).lexically_normal();
  check_folder_is_usable(dir);
  if (opt.sharded) probe_writable(dir);
  const std::string ckpt_name = opt.sharded ? shard_checkpoint_name(opt.shard) : kRunCheckpointName;
  plan.checkpoint_path = (dir / ckpt_name).string();
  if (opt.sharded) plan.shard_path = (dir / shard_file_name(opt.shard)).string();
  const PartialResult mine =
      make_partial(s, opt.shard, PartialResult::Kind::checkpoint, Accumulator(), plan.range.first);

  // Look at what the folder holds: other runs' files are never overwritten or mixed with ours.
  std::vector<std::string> names;
  std::error_code ec;
  if (fs::is_directory(dir, ec)) {
    for (const auto& e : fs::directory_iterator(dir, ec)) names.push_back(e.path().filename().string());
    if (ec) io_error(dir.string(), "cannot list the folder: " + ec.message() + ".", "check its permissions.");
  }
  std::sort(names.begin(), names.end());
  bool other_checked = false;
  for (const std::string& name : names) {
    if (name.empty() || name[0] == '.') continue;  // temporary files of atomic writes, and hidden files
    const std::string path = (dir / name).string();
    const auto as_shard = shard_in_name(name, false);
    const auto as_ckpt = shard_in_name(name, true);
    if (!opt.sharded) {
      if (as_shard || as_ckpt)
        io_error(
            dir.string(),
            "the folder holds shard files (e.g. '" + name + "'); writing this run's results there would replace them.",
            "choose another --out, or merge those shards first (celltrial merge).");
      continue;  // results of an earlier run are replaced as usual (report/output.hpp)
    }
    if (is_results_file(name) || name == kRunCheckpointName)
      io_error(
          dir.string(),
          "the folder holds " + std::string(name == kRunCheckpointName ? "an unfinished run" : "the results of a run") +
              " ('" + name + "'); shard files go into a folder of their own.",
          "choose another --out for the shards (e.g. " + (dir.parent_path() / results_folder_name(s.name, ResultsKind::shards)).string() + ").");
    if (!as_shard && !as_ckpt)
      io_error(dir.string(), "the folder holds files celltrial did not write (e.g. '" + name + "').",
               "choose an empty or new folder for the shards with --out.");
    const ShardSpec other = as_shard ? *as_shard : *as_ckpt;
    if (other.count != opt.shard.count)
      io_error(dir.string(),
               "the folder holds shards of a run split into " + std::to_string(other.count) + " ('" + name +
                   "'), but this run is split into " + std::to_string(opt.shard.count) + ".",
               "use one --out folder per run and split.");
    if (other == opt.shard) continue;  // our own files: read below
    if (!other_checked) {              // one other shard of the folder is enough to tell whose folder it is
      other_checked = true;
      PartialResult p;
      try {
        p = read_partial(path);
      } catch (const Error&) {
        continue;  // someone else's damaged file: merge will report it; it does not block this shard
      }
      require_same_run(p, mine, path, "shard " + shard_text(p.shard));
    }
  }

  if (opt.sharded && fs::exists(plan.shard_path, ec)) {
    PartialResult p = read_partial(plan.shard_path);
    require_same_run(p, mine, plan.shard_path, "shard " + shard_text(p.shard));
    if (!(p.shard == opt.shard))
      corrupted(plan.shard_path,
                "its name says shard " + shard_text(opt.shard) + " but it holds shard " + shard_text(p.shard));
    plan.acc = std::move(p.acc);
    plan.resume_from = plan.range.last;
    plan.already_complete = true;
    fs::remove(plan.checkpoint_path, ec);  // left behind if the run stopped right after writing the shard file
    return plan;
  }
  if (fs::exists(plan.checkpoint_path, ec)) {
    PartialResult p = read_partial(plan.checkpoint_path);
    require_same_run(p, mine, plan.checkpoint_path, "a checkpoint");
    if (!(p.shard == opt.shard))
      corrupted(plan.checkpoint_path,
                "its name says shard " + shard_text(opt.shard) + " but it holds shard " + shard_text(p.shard));
    plan.acc = std::move(p.acc);
    plan.resume_from = p.completed_until;
    plan.resumed = true;
  }
  return plan;
}

// ---------------------------------------------------------------------------------------------
// Running in chunks with checkpoints

namespace {
class LocalRunner final : public ChunkRunner {
 public:
  Accumulator run(const Scenario& s, TrialRange r, const EngineOptions& opt) override {
    EngineOptions o = opt;
    o.first_trial = r.first;
    o.last_trial = r.last;
    if (!model_ || &model_->scenario() != &s) model_ = std::make_unique<Model>(s);  // built once per run
    if (r.size() == 0) return make_accumulator(*model_);
    return run_trials(*model_, o);
  }

 private:
  std::unique_ptr<Model> model_;
};

void write_partial(const std::string& path, const PartialResult& p) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec)
    io_error(fs::path(path).parent_path().string(), "cannot create the folder: " + ec.message() + ".",
             "choose a writable --out.");
  write_file_atomic(path, partial_to_text(p));
}
}  // namespace

std::unique_ptr<ChunkRunner> make_local_runner() { return std::make_unique<LocalRunner>(); }

void FolderCheckpointStore::save_checkpoint(const PartialResult& p) { write_partial(checkpoint_path_, p); }

void FolderCheckpointStore::save_shard(const PartialResult& p) {
  write_partial(shard_path_, p);
  std::error_code ec;
  fs::remove(checkpoint_path_, ec);  // the shard file supersedes it
}

Accumulator run_batch(const Scenario& s, const BatchPlan& plan, const BatchOptions& opt) {
  using clock = std::chrono::steady_clock;
  LocalRunner local;
  ChunkRunner& runner = opt.runner ? *opt.runner : local;
  FolderCheckpointStore files(plan.checkpoint_path, plan.shard_path);
  CheckpointStore& store = opt.store ? *opt.store : files;
  Accumulator acc = plan.acc;
  std::uint64_t done = plan.resume_from;
  const TrialRange range = plan.range;
  const bool checkpoints = !plan.checkpoint_path.empty() && opt.checkpoint_seconds >= 0;
  std::uint64_t saved = plan.resume_from;  // trials covered by the checkpoint on disk
  auto last_save = clock::now();
  const auto save = [&] {
    store.save_checkpoint(make_partial(s, opt.shard, PartialResult::Kind::checkpoint, acc, done));
    saved = done;
    last_save = clock::now();
  };
  if (opt.progress) opt.progress->store(done - range.first);

  const int threads = resolve_threads(opt.threads);
  // Chunks of about a second, so that an interruption loses little, or longer when setting up a
  // chunk (building the model, which may include a pre-run for the true effect) would otherwise
  // cost over 2 % of it. The sizes never change the results.
  const double target_seconds = std::max(1.0, 50 * plan.setup_seconds);
  const std::uint64_t min_chunk =
      256 * static_cast<std::uint64_t>(threads) * static_cast<std::uint64_t>(runner.workers());
  std::uint64_t chunk = opt.chunk_trials ? opt.chunk_trials : min_chunk;
  bool interrupted = false;
  while (done < range.last) {
    if (opt.stop && opt.stop->load()) {
      interrupted = true;
      break;
    }
    const TrialRange r{done, std::min(range.last, done + chunk)};
    EngineOptions eo;
    eo.threads = opt.threads;
    eo.stop = opt.stop;
    eo.progress = opt.progress;
    const auto t0 = clock::now();
    Accumulator part;
    try {
      part = runner.run(s, r, eo);
    } catch (const Error& e) {
      if (e.code() != ExitCode::interrupted) throw;
      interrupted = true;
      break;
    }
    acc.merge(part);
    done = r.last;
    if (opt.progress) opt.progress->store(done - range.first);
    const auto now = clock::now();
    if (!opt.chunk_trials) {
      const double secs = std::chrono::duration<double>(now - t0).count();
      const double rate = static_cast<double>(r.size()) / std::max(secs, 1e-6);
      const double want = rate * target_seconds;
      chunk = std::clamp<std::uint64_t>(static_cast<std::uint64_t>(std::min(want, 1e15)), min_chunk, chunk * 4);
    }
    if (checkpoints && done < range.last &&
        std::chrono::duration<double>(now - last_save).count() >= opt.checkpoint_seconds)
      save();
  }
  if (opt.progress) opt.progress->store(done - range.first);

  if (interrupted) {
    if (checkpoints && done > saved) save();
    const std::string what = "interrupted after " + std::to_string(done - range.first) + " of " +
                             std::to_string(range.size()) + " trials" +
                             (opt.sharded ? " of shard " + shard_text(opt.shard) : std::string()) + ";";
    if (checkpoints && saved > range.first)
      throw Error(ExitCode::interrupted,
                  Diagnostic{{plan.checkpoint_path, 0, 0},
                             "",
                             what + " they are saved in this checkpoint.",
                             "run the same command again to continue from trial " + std::to_string(saved) + "."});
    throw Error(ExitCode::interrupted, Diagnostic{{"celltrial", 0, 0}, "", what + " no results were written.", ""});
  }

  if (opt.sharded && !plan.shard_path.empty()) {
    store.save_shard(make_partial(s, opt.shard, PartialResult::Kind::shard, acc, done));
  }
  return acc;
}

// ---------------------------------------------------------------------------------------------
// Merging

namespace {
struct Input {
  std::string path;
  PartialResult p;
};

std::string list_numbers(const std::vector<std::uint64_t>& ks) {
  std::string out;
  std::size_t shown = 0;
  for (std::size_t i = 0; i < ks.size();) {
    std::size_t j = i;
    while (j + 1 < ks.size() && ks[j + 1] == ks[j] + 1) ++j;
    if (shown++ == 12) {
      out += ", ...";
      break;
    }
    out += (out.empty() ? "" : ", ") + std::to_string(ks[i]) + (j > i ? "-" + std::to_string(ks[j]) : "");
    i = j + 1;
  }
  return out;
}
}  // namespace

MergedRun merge_shards(const std::vector<std::string>& inputs) {
  std::vector<Diagnostic> problems;
  bool data_problem = false;
  const auto problem = [&](ExitCode code, const std::string& where, const std::string& what, const std::string& fix) {
    problems.push_back(Diagnostic{{where, 0, 0}, "", what, fix});
    if (code != ExitCode::no_input) data_problem = true;
  };
  if (inputs.empty())
    throw Error(ExitCode::usage, Diagnostic{{"command line", 0, 0},
                                            "",
                                            "no shard files or folders were given.",
                                            "e.g. celltrial merge results/NAME-shards --out results/NAME"});

  // Collect the files: folders contribute their shard-*.json; checkpoints tell about unfinished shards.
  std::vector<std::string> files;
  std::vector<std::string> checkpoints;
  std::set<std::string> seen;
  for (const std::string& in : inputs) {
    std::error_code ec;
    const fs::path p(in);
    if (!fs::exists(p, ec)) {
      problem(ExitCode::no_input, in, "no such file or folder.", "check the path.");
      continue;
    }
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> here;
      std::size_t ckpts = 0;
      for (const auto& e : fs::directory_iterator(p, ec)) {
        const std::string name = e.path().filename().string();
        if (shard_in_name(name, false)) here.push_back(e.path().string());
        if (shard_in_name(name, true)) {
          checkpoints.push_back(e.path().string());
          ++ckpts;
        }
      }
      if (ec) {
        problem(ExitCode::no_input, in, "cannot list the folder: " + ec.message() + ".", "check its permissions.");
        continue;
      }
      std::sort(here.begin(), here.end());
      if (here.empty())
        problem(ExitCode::data, in,
                ckpts ? "holds no finished shard files, only checkpoints of unfinished shards."
                      : "holds no shard files (shard-K-of-N.json).",
                ckpts ? "run those shards again with the same command to finish them, then merge."
                      : "give the folder that celltrial simulate --shard K/N --out wrote to.");
      for (auto& f : here)
        if (seen.insert(fs::weakly_canonical(f, ec).string()).second) files.push_back(f);
    } else if (seen.insert(fs::weakly_canonical(p, ec).string()).second) {
      files.push_back(in);
    }
  }

  std::vector<Input> read;
  for (const std::string& f : files) {
    try {
      PartialResult p = read_partial(f);
      if (p.kind == PartialResult::Kind::checkpoint) {
        problem(ExitCode::data, f,
                "is the checkpoint of unfinished shard " + shard_text(p.shard) + " (" + std::to_string(p.completed()) +
                    " of " + std::to_string(p.range.size()) + " trials done), not a shard file.",
                "run shard " + shard_text(p.shard) +
                    " again with the same command to finish it, then merge its shard file.");
        continue;
      }
      read.push_back({f, std::move(p)});
    } catch (const Error& e) {
      for (const auto& d : e.diagnostics()) problems.push_back(d);
      if (e.code() != ExitCode::no_input) data_problem = true;
    }
  }

  // The run most files belong to is the reference; every other file is named with what differs.
  std::size_t ref = 0, best = 0;
  for (std::size_t i = 0; i < read.size(); ++i) {
    std::size_t n = 0;
    for (const auto& other : read) n += identity_differences(read[i].p, other.p).empty();
    if (n > best) best = n, ref = i;
  }
  std::map<std::uint64_t, std::vector<const Input*>> by_index;
  for (const auto& in : read) {
    const auto diffs = identity_differences(in.p, read[ref].p);
    if (!diffs.empty()) {
      problem(ExitCode::data, in.path,
              "shard " + shard_text(in.p.shard) + " of a different run: " + join(diffs, "; ") + " (the other " +
                  std::to_string(best) + " file(s) agree, e.g. " + read[ref].path + ").",
              "merge only the shards of one run; remove this file from the inputs.");
      continue;
    }
    by_index[in.p.shard.index].push_back(&in);
  }
  for (const auto& [k, list] : by_index)
    for (std::size_t i = 1; i < list.size(); ++i)
      problem(ExitCode::data, list[i]->path,
              "duplicate: shard " + shard_text(list[i]->p.shard) + " is also in " + list[0]->path + ".",
              "give each shard once.");

  if (!read.empty()) {
    const PartialResult& r = read[ref].p;
    std::vector<std::uint64_t> missing;
    for (std::uint64_t k = 1; k <= r.shard.count; ++k)
      if (!by_index.count(k)) missing.push_back(k);
    if (!missing.empty()) {
      std::string what = std::to_string(missing.size()) + " of " + std::to_string(r.shard.count) +
                         (missing.size() == 1 ? " shards is missing: " : " shards are missing: ") +
                         list_numbers(missing) + " (scenario '" + r.scenario_name + "', seed " +
                         std::to_string(r.seed) + ", " + std::to_string(r.total_trials) + " trials).";
      // Checkpoints show which of them started and how far they got.
      for (const std::string& c : checkpoints) {
        try {
          const PartialResult cp = read_partial(c);
          if (identity_differences(cp, r).empty() && !by_index.count(cp.shard.index))
            what += " Shard " + shard_text(cp.shard) + " stopped after " + std::to_string(cp.completed()) + " of " +
                    std::to_string(cp.range.size()) + " trials (" + c + ").";
        } catch (const Error&) {
        }
      }
      problem(ExitCode::data, "merge inputs", what,
              "run each missing shard (celltrial simulate SCENARIO --shard K/" + std::to_string(r.shard.count) +
                  " with the same scenario, --trials and --seed; an unfinished one continues where it stopped), "
                  "then merge again.");
    }
  }
  if (!problems.empty()) throw Error(data_problem ? ExitCode::data : ExitCode::no_input, problems);

  MergedRun m;
  const PartialResult& first = by_index.begin()->second.front()->p;
  m.first = first;
  m.first.acc = Accumulator();
  m.scenario_yaml = first.scenario_yaml;
  const std::string source = by_index.begin()->second.front()->path + " (its scenario)";
  m.scenario = load_scenario_text(first.scenario_yaml, source);
  // partial_from_text checked that the saved scenario reads back to itself.
  CELLTRIAL_ASSERT(scenario_hash(m.scenario) == first.scenario_hash);
  m.acc = first.acc;
  m.files.push_back(by_index.begin()->second.front()->path);
  for (auto it = std::next(by_index.begin()); it != by_index.end(); ++it) {
    m.acc.merge(it->second.front()->p.acc);
    m.files.push_back(it->second.front()->path);
  }
  CELLTRIAL_ASSERT(m.acc.trials() == first.total_trials);
  return m;
}

}  // namespace celltrial
