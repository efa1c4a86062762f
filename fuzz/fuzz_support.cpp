#include "fuzz_support.hpp"

#include <unistd.h>

#include <map>

#include "celltrial/design/summary.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/scenario/io.hpp"

namespace celltrial::fuzz {

namespace {
// The model's pre-runs (the true effects and the screening yield) cut to a few thousand children:
// the same code on fewer draws. The default sizes cost up to a quarter of a second per scenario.
constexpr PreRunSizes kPreRun{1000, 1000, 20000, 200};
// Trials are simulated when they screen at most this many children (design size / screening
// yield); a trial of that size costs about a millisecond. Larger designs are still loaded,
// written back and set up.
constexpr double kMaxScreenedPerTrial = 4000;
constexpr std::uint64_t kTrials = 2;

Scenario reload(const std::string& text, const char* what) {
  try {
    return load_scenario_text(text, what);
  } catch (const Error& e) {
    bug(std::string("an accepted scenario, written by ") + what + ", does not load back:\n" + e.what() +
        "\n--- text ---\n" + text);
  }
}
/// The folders process_folder made, removed at exit.
struct ProcessFolders {
  std::map<std::string, std::filesystem::path> made;
  ~ProcessFolders() {
    std::error_code ec;
    for (const auto& [name, dir] : made) std::filesystem::remove_all(dir, ec);
  }
};
ProcessFolders process_folders;
}  // namespace

const std::filesystem::path& process_folder(const std::string& name) {
  auto it = process_folders.made.find(name);
  if (it == process_folders.made.end()) {
    const std::filesystem::path d =
        std::filesystem::temp_directory_path() / ("celltrial-fuzz-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(d);
    std::filesystem::create_directories(d);
    it = process_folders.made.emplace(name, d).first;
  }
  return it->second;
}

void check_accepted(const Scenario& s) {
  // Written out, it loads back to the same scenario (show, shard files and results rely on it).
  const std::string yaml = to_yaml(s);
  const Scenario back = reload(yaml, "to_yaml");
  if (to_yaml(back) != yaml) bug("to_yaml does not load back to the same scenario:\n" + yaml + "\n--- reloaded ---\n" + to_yaml(back));
  const std::string commented = to_yaml_with_sources(s);
  if (to_yaml(reload(commented, "to_yaml_with_sources")) != yaml)
    bug("to_yaml_with_sources does not load back to the same scenario:\n" + commented);
  (void)to_json(s).dump();

  // What validate accepts can run. The model may still refuse eligibility limits that no child
  // meets (it finds out by screening); that refusal must be a located data error.
  try {
    const Model model(s, kPreRun);
    const double yield = model.truth().screening_yield;
    if (!(yield > 0) || static_cast<double>(s.design.sample_size) / yield > kMaxScreenedPerTrial) return;
    EngineOptions opt;
    opt.first_trial = 0;
    opt.last_trial = kTrials;
    opt.threads = 1;
    const Accumulator acc = run_trials(model, opt);
    if (acc.trials() != kTrials) bug("run_trials did not run the trials asked for");
    (void)summarise(s, acc, model.truth()).dump();
  } catch (const Error& e) {
    expect_user_error(e, {ExitCode::data});
  }
}

void check_summary(const Scenario& s, const Accumulator& acc) {
  try {
    const Model model(s, kPreRun);
    (void)summarise(s, acc, model.truth()).dump();
  } catch (const Error& e) {
    expect_user_error(e, {ExitCode::data});
  }
}

}  // namespace celltrial::fuzz
