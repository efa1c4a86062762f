// The simulate service as a host program uses it: the same summary as the engine's, progress and
// interruption through callbacks, failures as typed errors with nothing written.
#include <atomic>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <catch2/catch.hpp>

#include "celltrial/core/error.hpp"
#include "celltrial/design/summary.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/services/merge.hpp"
#include "celltrial/services/scenario_source.hpp"
#include "celltrial/services/simulate.hpp"
#include "test_support.hpp"

using namespace celltrial;
namespace fs = std::filesystem;

namespace {
fs::path fresh_folder(const std::string& name) {
  const fs::path p = fs::temp_directory_path() / ("celltrial-services-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(p);
  return p;
}
}  // namespace

TEST_CASE("services: simulate gives the engine's summary, reports progress and writes the results folder",
          "[services][engine]") {
  const fs::path out = fresh_folder("run");
  services::SimulateRequest rq;
  rq.scenario_file = test::source_path("scenarios/validation/reference_ancova.yaml");
  rq.trials = 3000;
  rq.seed = 11;
  rq.threads = 2;
  rq.out = out.string();
  services::Callbacks cb;
  std::vector<services::Progress> seen;
  cb.progress = [&](const services::Progress& p) { seen.push_back(p); };
  cb.progress_interval = 0.01;
  const services::SimulateResult r = services::simulate(rq, cb);

  const Scenario s = test::load_shipped("scenarios/validation/reference_ancova.yaml",
                                        {"simulation.trials=3000", "simulation.seed=11"});
  CHECK(r.summary == summarise(s, run_trials(s, EngineOptions{})));
  CHECK(r.summary["trials"] == 3000);
  // The typed characteristics are what summary.json says.
  REQUIRE(r.characteristics.comparisons.size() == 1);
  const ComparisonCharacteristics& c = r.characteristics.comparisons[0];
  CHECK(r.characteristics.trials == 3000);
  CHECK(c.power.estimate.value == r.summary["power"]["estimate"].get<double>());
  CHECK(c.power.estimate.mc_se == r.summary["power"]["mc_se"].get<double>());
  CHECK(c.estimate.mean.value == r.summary["estimate"]["mean"].get<double>());
  CHECK(c.estimate.coverage.mc_se == r.summary["estimate"]["coverage_mc_se"].get<double>());
  CHECK(c.estimate.mean.mc_se > 0);
  CHECK(c.power.count == r.summary["power"]["count"].get<std::uint64_t>());
  CHECK(r.run["scenario_source"] == rq.scenario_file);
  CHECK(r.first_trial == 0);
  CHECK(r.last_trial == 3000);
  CHECK_FALSE(r.sharded);
  REQUIRE_FALSE(seen.empty());
  CHECK(seen.back().done == 3000);
  CHECK(seen.back().total == 3000);
  for (std::size_t i = 1; i < seen.size(); ++i) CHECK(seen[i].done >= seen[i - 1].done);
  CHECK(fs::exists(out / "summary.json"));
  CHECK(fs::exists(out / "run.json"));
  fs::remove_all(out);
}

TEST_CASE("services: the built-in default scenario and overrides", "[services]") {
  const Scenario s = services::load("", {"simulation.trials=7"});
  CHECK(s.simulation.trials == 7);
  CHECK(s.name == load_scenario_text(services::default_scenario_text(), "x", {}).name);
}

TEST_CASE("services: a bad scenario is a typed error with its located message, and nothing is written",
          "[services]") {
  const fs::path dir = fresh_folder("bad");
  fs::create_directories(dir);
  const fs::path file = dir / "bad.yaml";
  {
    std::ofstream f(file);
    f << "schema_version: 1\ndesgin: {}\n";
  }
  services::SimulateRequest rq;
  rq.scenario_file = file.string();
  rq.out = (dir / "out").string();
  try {
    services::simulate(rq);
    FAIL("a bad scenario ran");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::data);
    CHECK_THAT(std::string(e.what()), Catch::Contains("bad.yaml:2") && Catch::Contains("design"));
  }
  CHECK_FALSE(fs::exists(dir / "out"));

  rq.scenario_file.clear();
  rq.overrides = {"analysis.alpah=0.01"};
  try {
    services::simulate(rq);
    FAIL("a misspelt override ran");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::data);
    CHECK_THAT(std::string(e.what()), Catch::Contains("did you mean 'alpha'"));
  }
  CHECK_FALSE(fs::exists(dir / "out"));
  fs::remove_all(dir);
}

TEST_CASE("services: a host's interrupt stops the run with an interrupted error and no results, "
          "and the same request then continues from the checkpoint to the uninterrupted result",
          "[services][batch]") {
  const fs::path out = fresh_folder("interrupt");
  services::SimulateRequest rq;
  rq.scenario_file = test::source_path("scenarios/validation/reference_ancova.yaml");
  rq.trials = 200000;
  rq.seed = 3;
  rq.threads = 2;
  rq.out = out.string();
  rq.checkpoint_seconds = 0;
  rq.test_hold_after_checkpoint = true;  // unfinished when interrupted, on a machine of any speed
  services::Callbacks cb;
  cb.progress_interval = 0.01;
  std::atomic<std::uint64_t> done{0};
  cb.progress = [&](const services::Progress& p) { done = p.done; };
  // The run holds after its first checkpoint; the host's interrupt check (e.g. R's) then says stop.
  cb.interrupted = [&] { return done.load() > 0 && fs::exists(out / "checkpoint.json"); };
  try {
    services::simulate(rq, cb);
    FAIL("the interrupted run finished");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::interrupted);
  }
  CHECK_FALSE(fs::exists(out / "summary.json"));
  REQUIRE(fs::exists(out / "checkpoint.json"));

  rq.test_hold_after_checkpoint = false;
  std::vector<std::string> notes;
  services::Callbacks again;
  again.log = [&](const std::string& line) { notes.push_back(line); };
  const services::SimulateResult r = services::simulate(rq, again);
  CHECK(r.resumed > 0);
  REQUIRE_FALSE(notes.empty());
  CHECK_THAT(notes.front(), Catch::Contains("continuing from"));
  const Scenario s = test::load_shipped("scenarios/validation/reference_ancova.yaml",
                                        {"simulation.trials=200000", "simulation.seed=3"});
  CHECK(r.summary == summarise(s, run_trials(s, EngineOptions{})));
  fs::remove_all(out);
}

TEST_CASE("services: shards run through the simulate service merge to the unsharded run's summary and "
          "characteristics, a merge that would replace shard files is refused",
          "[services][batch]") {
  const fs::path dir = fresh_folder("merge");
  services::SimulateRequest rq;
  rq.scenario_file = test::source_path("scenarios/validation/reference_ancova.yaml");
  rq.trials = 2000;
  rq.seed = 4;
  rq.threads = 2;
  rq.out = (dir / "whole").string();
  const services::SimulateResult whole = services::simulate(rq);
  rq.out = (dir / "shards").string();
  for (const char* k : {"1/3", "2/3", "3/3"}) {
    rq.shard = k;
    const services::SimulateResult part = services::simulate(rq);
    CHECK(part.sharded);
    CHECK(part.summary.is_null());
  }
  const services::MergeResult m = services::merge({{(dir / "shards").string()}, (dir / "merged").string()});
  CHECK(m.shards == 3);
  CHECK(m.summary == whole.summary);
  CHECK(m.characteristics.comparisons[0].power.estimate == whole.characteristics.comparisons[0].power.estimate);
  try {
    services::merge({{(dir / "shards").string()}, (dir / "shards").string()});
    FAIL("merged into the shard folder");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::io);
  }
  CHECK(fs::exists(dir / "shards" / "shard-1-of-3.json"));
  fs::remove_all(dir);
}
