// Shard and checkpoint files that pass their checksum but contradict themselves: counts that are
// not whole numbers, a saved scenario that is not the one the file describes, a state shaped for another scenario (found by fuzz/fuzz_partial and fuzz/fuzz_merge
// with checksums made to match; the inputs are in tests/fuzz_fail/). Each is refused as a
// damaged file (ExitCode::data), never reaches an assertion or undefined behaviour.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "celltrial/core/error.hpp"
#include "celltrial/engine/batch.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/scenario/io.hpp"
#include "test_support.hpp"

using namespace celltrial;
namespace fs = std::filesystem;

namespace {
Scenario small(const std::vector<std::string>& overrides = {}) {
  Scenario s = test::load_shipped("scenarios/validation/reference_ancova.yaml", overrides);
  s.simulation.trials = 40;
  return s;
}

/// The text of the complete shard 1/1 of `s`.
std::string shard_text(const Scenario& s) {
  const Accumulator acc = run_trials(s, EngineOptions{0, s.simulation.trials, 1});
  return partial_to_text(make_partial(s, {1, 1}, PartialResult::Kind::shard, acc, s.simulation.trials));
}

/// `j` as a file whose scenario hash and checksum match its content (as if edited and
/// re-checksummed).
std::string resealed(nlohmann::json j) {
  j["scenario"]["hash"] = hex64(hash_bytes(j["scenario_yaml"].get<std::string>()));
  j.erase("checksum");
  j["checksum"] = hex64(hash_bytes(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
  return j.dump(1);
}

/// The message of the data error reading `text` raises.
std::string refused(const std::string& text) {
  try {
    partial_from_text(text, "f.json");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::data);
    CHECK_THAT(e.what(), Catch::StartsWith("f.json: error: the file is damaged"));
    return e.what();
  }
  FAIL("the file was accepted");
  return "";
}
}  // namespace

TEST_CASE("partial input: the unchanged file, resealed, still reads", "[batch]") {
  const std::string good = shard_text(small());
  CHECK(partial_to_text(partial_from_text(resealed(nlohmann::json::parse(good)), "f.json")) == good);
}

TEST_CASE("partial input: a count must be a whole number >= 0", "[batch]") {
  const nlohmann::json good = nlohmann::json::parse(shard_text(small()));
  for (const char* bad : {"-1", "2.5", "1.7e74", "1e19", "\"40\"", "null", "true"}) {
    INFO(bad);
    nlohmann::json j = good;
    j["state"]["comparison"][0]["rejections"] = nlohmann::json::parse(bad);
    CHECK_THAT(refused(resealed(j)), Catch::Contains("rejections"));
    j = good;
    j["shard"]["index"] = nlohmann::json::parse(bad);
    CHECK_THAT(refused(resealed(j)), Catch::Contains("shard.index"));
    j = good;
    j["state"]["screened"][0] = nlohmann::json::parse(bad);
    CHECK_THAT(refused(resealed(j)), Catch::Contains("a moment count is not a whole number"));
  }
  nlohmann::json j = good;
  j["state"]["arms"] = 2.0;
  CHECK_THAT(refused(resealed(j)), Catch::Contains("arms is not a whole number"));
}

TEST_CASE("partial input: the saved scenario must be the one the file describes", "[batch]") {
  const nlohmann::json good = nlohmann::json::parse(shard_text(small()));
  const std::string yaml = good["scenario_yaml"].get<std::string>();
  SECTION("not as celltrial writes it") {
    nlohmann::json j = good;
    j["scenario_yaml"] = "# edited\n" + yaml;
    CHECK_THAT(refused(resealed(j)), Catch::Contains("not the resolved scenario"));
  }
  SECTION("a seed other than the file's") {
    nlohmann::json j = good;
    const auto at = yaml.find("seed: 7492");
    REQUIRE(at != std::string::npos);
    j["scenario_yaml"] = std::string(yaml).replace(at, 10, "seed: 7493");
    CHECK_THAT(refused(resealed(j)), Catch::Contains("contradicts its name, seed or trial count"));
  }
  SECTION("a scenario that does not load") {
    nlohmann::json j = good;
    j["scenario_yaml"] = "schema_version: 1\nname: [\n";
    CHECK_THAT(refused(resealed(j)), Catch::Contains("its saved scenario does not load"));
  }
  SECTION("a state shaped for another scenario") {
    const Scenario three = small({"arms=[{name: c, role: control}, {name: a, role: active, effect_by_month: {12: 1}}, "
                                  "{name: b, role: active, effect_by_month: {12: 2}}]"});
    nlohmann::json j = good;
    j["state"] = nlohmann::json::parse(shard_text(three))["state"];
    CHECK_THAT(refused(resealed(j)), Catch::Contains("do not fit its scenario"));
  }
}

TEST_CASE("partial input: merge refuses a resealed file as damaged, not as an internal error", "[batch]") {
  const fs::path dir = fs::temp_directory_path() / ("celltrial-partial-input-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  nlohmann::json j = nlohmann::json::parse(shard_text(small()));
  j["scenario_yaml"] = "# edited\n" + j["scenario_yaml"].get<std::string>();
  std::ofstream(dir / "shard-1-of-1.json") << resealed(j);
  try {
    merge_shards({dir.string()});
    FAIL("the merge was accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::data);
    CHECK_THAT(e.what(), Catch::Contains("shard-1-of-1.json: error: the file is damaged"));
  }
  fs::remove_all(dir);
}
