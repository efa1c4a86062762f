// What a host program that holds its inputs in memory (the R package) needs from the services:
// scenario text instead of a file, data as CSV text, the validate, analyse and slurm services, and
// the same located messages as the command line.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include <catch2/catch.hpp>

#include "celltrial/core/error.hpp"
#include "celltrial/services/about.hpp"
#include "celltrial/services/analyse.hpp"
#include "celltrial/services/scenario_source.hpp"
#include "celltrial/services/simulate.hpp"
#include "celltrial/services/slurm.hpp"
#include "celltrial/services/validate.hpp"
#include "test_support.hpp"

using namespace celltrial;
namespace fs = std::filesystem;

namespace {
std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}
fs::path fresh_folder(const std::string& name) {
  const fs::path p = fs::temp_directory_path() / ("celltrial-host-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(p);
  return p;
}
std::string first_message(const Error& e) { return e.diagnostics().at(0).str(); }
}  // namespace

TEST_CASE("services: scenario text gives the file's results, and its mistakes are located in the text",
          "[services]") {
  const std::string path = test::source_path("scenarios/validation/reference_ancova.yaml");
  services::SimulateRequest from_file;
  from_file.scenario_file = path;
  from_file.trials = 500;
  from_file.seed = 3;
  from_file.threads = 1;
  from_file.out = fresh_folder("file").string();
  services::SimulateRequest from_text = from_file;
  from_text.scenario_file = "my list";
  from_text.scenario_text = file_text(path);
  from_text.out = fresh_folder("text").string();
  const auto a = services::simulate(from_file);
  const auto b = services::simulate(from_text);
  CHECK(a.summary == b.summary);
  CHECK(b.run["scenario_source"] == "my list");
  fs::remove_all(a.out_dir);
  fs::remove_all(b.out_dir);

  // A misspelt key: the same message as the file's, naming the text's name, line and column.
  std::string bad = file_text(path);
  const auto at = bad.find("sample_size:");
  REQUIRE(at != std::string::npos);
  bad.replace(at, 12, "sample_sise:");
  services::ValidateRequest v{"my list", bad, {}};
  try {
    services::validate(v);
    FAIL("validate accepted a misspelt key");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::data);
    const std::string m = first_message(e);
    CHECK(m.rfind("my list:", 0) == 0);
    CHECK(m.find("did you mean 'sample_size'") != std::string::npos);
  }
  // Without a name the text is "scenario text".
  v.scenario_file.clear();
  CHECK_THROWS_WITH(services::validate(v), Catch::Contains(services::kTextScenarioName));
}

TEST_CASE("services: validate checks the variants a study and a sweep would load", "[services]") {
  const std::string path = test::source_path("scenarios/responder_sensitivity.yaml");
  const Scenario s = services::validate({path, "", {}});
  CHECK(s.name == "responder_sensitivity");
  // A tornado end out of range is found although the base scenario is fine.
  std::string text = file_text(path);
  const auto at = text.find("design.dropout.by_last_visit: [0.02, 0.15]");
  REQUIRE(at != std::string::npos);
  text.replace(at, 42, "design.dropout.by_last_visit: [0.02, 1.50]");
  try {
    services::validate({"edited", text, {}});
    FAIL("validate accepted a tornado end out of range");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::data);
    CHECK(first_message(e).find("by_last_visit") != std::string::npos);
  }
}

TEST_CASE("services: analyse gives the same result from CSV text as from the file", "[services]") {
  const std::string path = test::source_path("tests/reference/mmrm/mar_dropout.csv");
  REQUIRE(fs::exists(path));
  services::AnalyseRequest from_file;
  from_file.data_file = path;
  services::AnalyseRequest from_text = from_file;
  from_text.data_file = "data frame d";
  from_text.data_text = file_text(path);
  const DataAnalysis a = services::analyse(from_file), b = services::analyse(from_text);
  CHECK(a.estimate == b.estimate);
  CHECK(a.se == b.se);
  CHECK(a.df == b.df);
  CHECK(b.source == "data frame d");
  // Names are checked with a suggestion, as the command line's options are.
  from_file.covariance = "unstructure";
  CHECK_THROWS_WITH(services::analyse(from_file), Catch::Contains("did you mean 'unstructured'"));
  from_file.covariance.clear();
  from_file.fallback = std::vector<std::string>{"none", "cs"};
  CHECK_THROWS_AS(services::analyse(from_file), Error);
}

TEST_CASE("services: slurm writes the job folder and refuses what Slurm would not take", "[services]") {
  const fs::path dir = fresh_folder("slurm");
  services::SlurmRequest rq;
  rq.trials = 40;
  rq.shards = 4;
  rq.out = dir.string();
  rq.program = "/opt/celltrial/bin/celltrial";
  const services::SlurmResult r = services::slurm(rq);
  CHECK(r.shards == 4);
  for (const char* f : {"array.sbatch", "merge.sbatch", "submit.sh", "scenario.yaml"}) CHECK(fs::exists(dir / f));
  const std::string array = file_text((dir / "array.sbatch").string());
  CHECK(array.find("#SBATCH --array=1-4") != std::string::npos);
  CHECK(array.find("'/opt/celltrial/bin/celltrial' simulate") != std::string::npos);
  // The folder now holds a job: another job is not written over it once it has run.
  fs::create_directories(dir / "shards");
  CHECK_THROWS_AS(services::slurm(rq), Error);
  fs::remove_all(dir);
  rq.shards = 41;
  CHECK_THROWS_WITH(services::slurm(rq), Catch::Contains("41 shards for 40 trials"));
  rq.shards = 2;
  rq.time = "two hours";
  CHECK_THROWS_WITH(services::slurm(rq), Catch::Contains("not a Slurm time limit"));
  CHECK(services::about().version.empty() == false);
}
