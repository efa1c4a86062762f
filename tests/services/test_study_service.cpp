// The study service and the sample-size sweep as a host program meets them: interrupted before
// anything is written, bad variants refused before anything runs.
#include <filesystem>

#include <catch2/catch.hpp>

#include <unistd.h>

#include "celltrial/core/error.hpp"
#include "celltrial/services/power.hpp"
#include "celltrial/services/study.hpp"
#include "test_support.hpp"

using namespace celltrial;
namespace fs = std::filesystem;

TEST_CASE("services: a study interrupted by the host throws 'interrupted' and writes no folder, a bad variant is "
          "refused before anything runs",
          "[services]") {
  const fs::path out = fs::temp_directory_path() / ("celltrial-services-study-" + std::to_string(::getpid()));
  fs::remove_all(out);
  services::StudyRequest rq;
  rq.scenario_file = test::source_path("scenarios/responder_sensitivity.yaml");
  rq.trials = 200;
  rq.threads = 2;
  rq.out = out.string();
  rq.yes = true;
  services::Callbacks stop_now;
  stop_now.interrupted = [] { return true; };
  std::vector<std::string> lines;
  stop_now.log = [&](const std::string& l) { lines.push_back(l); };
  try {
    services::study(rq, stop_now);
    FAIL("an interrupted study finished");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::interrupted);
  }
  CHECK_FALSE(fs::exists(out));
  REQUIRE_FALSE(lines.empty());
  CHECK_THAT(lines.front(), Catch::Contains("base scenario"));

  rq.overrides = {"tornado.vary={analysis.alpah: [0.01, 0.05]}"};
  try {
    services::study(rq);
    FAIL("a misspelt tornado key ran");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::data);
    CHECK_THAT(std::string(e.what()), Catch::Contains("alpha"));
  }
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("services: the sample-size sweep refuses a prior and a bad confidence, naming the option", "[services]") {
  services::SampleSizeSweepRequest rq;
  rq.search.scenario_file = test::source_path("scenarios/validation/reference_ancova.yaml");
  rq.search.out = (fs::temp_directory_path() / "celltrial-never").string();
  rq.sweeps = {"design.sample_size=100,200"};
  rq.search.prior = "normal(2,1)";
  auto refused = [&](const std::string& what) {
    try {
      services::sample_size_sweep(rq);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::usage);
      CHECK_THAT(std::string(e.what()), Catch::Contains(what));
    }
  };
  refused("--prior");
  rq.search.prior.clear();
  rq.search.confidence = 0.4;
  refused("--confidence");
  CHECK_FALSE(fs::exists(rq.search.out));
}

TEST_CASE("services: a design-comparison study writes designs.csv and can replace its own folder", "[services]") {
  const fs::path out = fs::temp_directory_path() / ("celltrial-services-designs-" + std::to_string(::getpid()));
  fs::remove_all(out);
  services::StudyRequest rq;
  rq.scenario_file = test::source_path("scenarios/design_comparison.yaml");
  rq.trials = 100;
  rq.threads = 2;
  rq.out = out.string();
  rq.yes = true;
  const services::StudyResult first = services::study(rq);
  CHECK(fs::exists(out / "designs.csv"));
  CHECK(fs::exists(out / "designs.json"));
  REQUIRE(first.design_rows.is_array());
  CHECK(first.design_rows.size() == 4);
  // Run again into the same folder: every file in it is one the study writes.
  const services::StudyResult again = services::study(rq);
  CHECK(again.design_rows == first.design_rows);
  fs::remove_all(out);
}
