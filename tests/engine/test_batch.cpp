// Shards, partial-result files, merging and checkpoints (engine/batch.hpp).
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "celltrial/core/error.hpp"
#include "celltrial/engine/batch.hpp"
#include "celltrial/report/summary.hpp"
#include "test_support.hpp"

using namespace celltrial;
namespace fs = std::filesystem;

namespace {
Scenario small_scenario(std::uint64_t trials = 2000) {
  Scenario s = test::load_shipped("scenarios/validation/reference_ancova.yaml");
  s.simulation.trials = trials;
  return s;
}

/// A fresh, empty folder removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("celltrial-batch-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

using test::read_text;

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

/// Runs the shard and writes its file into `dir`.
void run_shard(const Scenario& s, std::uint64_t k, std::uint64_t n, const std::string& dir) {
  BatchOptions o;
  o.shard = {k, n};
  o.sharded = true;
  o.out_dir = dir;
  o.threads = 2;
  run_batch(s, plan_batch(s, o), o);
}

/// The Error an expression throws (fails the test when it throws none).
template <class F>
Error error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  FAIL("no celltrial::Error was thrown");
  throw std::logic_error("unreachable");
}

/// Computes chunks like the default runner, but "dies" (as with SIGKILL: nothing more is saved)
/// when asked for chunk number `die_at`, or raises the stop flag after `stop_after` chunks.
struct FlakyRunner final : ChunkRunner {
  int chunks = 0;
  int die_at = -1;
  int stop_after = -1;
  std::atomic<bool>* stop = nullptr;
  Accumulator run(const Scenario& s, TrialRange r, const EngineOptions& opt) override {
    if (chunks == die_at) throw std::runtime_error("killed");
    if (chunks == stop_after) stop->store(true);
    ++chunks;
    EngineOptions o = opt;
    o.first_trial = r.first;
    o.last_trial = r.last;
    return run_trials(s, o);
  }
};
}  // namespace

TEST_CASE("batch: shard K/N owns trials floor((K-1)T/N) to floor(KT/N), contiguous and complete", "[batch]") {
  for (std::uint64_t total : {1ull, 7ull, 1000ull, 10000000000ull})
    for (std::uint64_t n : {1ull, 2ull, 3ull, 4ull, 7ull}) {
      if (n > total) continue;
      std::uint64_t next = 0;
      for (std::uint64_t k = 1; k <= n; ++k) {
        const TrialRange r = shard_range(total, k, n);
        CHECK(r.first == next);
        CHECK(r.size() >= total / n);
        CHECK(r.size() <= total / n + 1);
        next = r.last;
      }
      CHECK(next == total);
    }
  CHECK(shard_range(10, 1, 4) == TrialRange{0, 2});
  CHECK(shard_range(10, 2, 4) == TrialRange{2, 5});
  CHECK(shard_range(10, 4, 4) == TrialRange{7, 10});
  CHECK(split_range(TrialRange{100, 110}, 2, 4) == TrialRange{102, 105});
}

TEST_CASE("batch: --shard K/N is checked, with the option named", "[batch]") {
  CHECK(parse_shard("3/8", 100) == ShardSpec{3, 8});
  CHECK(parse_shard("1/1", 1) == ShardSpec{1, 1});
  for (const char* bad : {"0/4", "5/4", "1/0", "x", "3/", "/3", " 1/2", "1/2/3", "-1/2", "1.5/2"}) {
    INFO(bad);
    const Error e = error_of([&] { parse_shard(bad, 100); });
    CHECK(e.code() == ExitCode::usage);
    CHECK_THAT(e.diagnostics().at(0).str(), Catch::Contains("--shard"));
  }
  const Error e = error_of([] { parse_shard("1/11", 10); });
  CHECK_THAT(e.what(), Catch::Contains("at most 10 shards"));
}

TEST_CASE("batch: the scenario hash covers every setting, the seed and the trial count", "[batch]") {
  const Scenario s = small_scenario();
  CHECK(hex64(0x0123456789abcdefULL) == "0123456789abcdef");
  CHECK(scenario_hash(s) == scenario_hash(small_scenario()));
  Scenario t = s;
  t.simulation.seed += 1;
  CHECK(scenario_hash(t) != scenario_hash(s));
  t = s;
  t.simulation.trials += 1;
  CHECK(scenario_hash(t) != scenario_hash(s));
  t = s;
  t.analysis.alpha = 0.025;
  CHECK(scenario_hash(t) != scenario_hash(s));
  CHECK(hash_bytes("a") != hash_bytes("b"));
  CHECK(hash_bytes("") != hash_bytes(std::string(1, '\0')));
}

TEST_CASE("batch: a partial-result file reads back exactly", "[batch]") {
  const Scenario s = small_scenario(1000);
  const TrialRange r = shard_range(1000, 2, 3);
  const Accumulator acc = run_trials(s, EngineOptions{r.first, r.last, 2});
  const PartialResult p = make_partial(s, {2, 3}, PartialResult::Kind::shard, acc, r.last);
  const PartialResult q = partial_from_text(partial_to_text(p), "x.json");
  CHECK(q.acc == acc);
  CHECK(q.range == r);
  CHECK(q.shard == ShardSpec{2, 3});
  CHECK(q.complete());
  CHECK(q.scenario_hash == scenario_hash(s));
  CHECK(q.seed == s.simulation.seed);
  CHECK(q.total_trials == 1000);
  CHECK(identity_differences(p, q).empty());
  CHECK(partial_to_text(q) == partial_to_text(p));
}

TEST_CASE("batch: damaged, truncated, foreign and newer files are refused", "[batch]") {
  const Scenario s = small_scenario(1000);
  const TrialRange r = shard_range(1000, 1, 2);
  const std::string good = partial_to_text(
      make_partial(s, {1, 2}, PartialResult::Kind::shard, run_trials(s, EngineOptions{r.first, r.last, 1}), r.last));
  const auto refused = [](const std::string& text, const std::string& what) {
    INFO(what);
    const Error e = error_of([&] { partial_from_text(text, "f.json"); });
    CHECK(e.code() == ExitCode::data);
    CHECK_THAT(e.diagnostics().at(0).str(), Catch::StartsWith("f.json: error:"));
    return std::string(e.what());
  };
  // One digit changed in the accumulated state.
  std::string flipped = good;
  const auto pos = flipped.find("\"trials\": 500");
  REQUIRE(pos != std::string::npos);
  flipped.replace(pos, 13, "\"trials\": 501");
  CHECK_THAT(refused(flipped, "digit"), Catch::Contains("checksum"));
  CHECK_THAT(refused(good.substr(0, good.size() / 2), "cut"), Catch::Contains("not complete JSON"));
  CHECK_THAT(refused("", "empty"), Catch::Contains("empty"));
  CHECK_THAT(refused("{\"summary\": 1}", "other JSON"), Catch::Contains("no format"));
  // A newer format version (with a valid checksum) asks for a newer celltrial.
  nlohmann::json j = nlohmann::json::parse(good);
  j["format"] = "celltrial.shard/" + std::to_string(kPartialFormatVersion + 1);
  j.erase("checksum");
  j["checksum"] = hex64(hash_bytes(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
  CHECK_THAT(refused(j.dump(), "newer"), Catch::Contains("newer than this celltrial reads"));
  // An older one (its state lacks fields this build needs) is named as such, not as corrupted.
  j["format"] = "celltrial.shard/1";
  j.erase("checksum");
  j["checksum"] = hex64(hash_bytes(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
  CHECK_THAT(refused(j.dump(), "older"), Catch::Contains("older than this celltrial reads"));
  // A consistent-looking file whose range does not belong to its shard.
  j = nlohmann::json::parse(good);
  j["shard"]["last_trial"] = 499;
  j.erase("checksum");
  j["checksum"] = hex64(hash_bytes(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
  CHECK_THAT(refused(j.dump(), "range"), Catch::Contains("trial range"));
}

TEST_CASE("batch: shards 1, 2, 4 and 7 merge to exactly the single run", "[batch][reproducibility]") {
  const Scenario s = small_scenario(3000);
  const Accumulator whole = run_trials(s, EngineOptions{0, 0, 2});
  const std::string expected = dump_json(summarise(s, whole));
  for (std::uint64_t n : {1, 2, 4, 7}) {
    INFO(n << " shards");
    TempDir dir;
    // Run the shards in reverse order: the merge order is the shard order anyway.
    for (std::uint64_t k = n; k >= 1; --k) run_shard(s, k, n, dir.path.string());
    const MergedRun m = merge_shards({dir.path.string()});
    CHECK(m.acc == whole);
    CHECK(dump_json(summarise(m.scenario, m.acc)) == expected);
    CHECK(m.files.size() == n);
    CHECK(scenario_hash(m.scenario) == scenario_hash(s));
  }
}

TEST_CASE("batch: merge names shards of other runs, duplicates, missing shards and damaged files", "[batch]") {
  const Scenario s = small_scenario(1200);
  TempDir a, b, c;
  for (std::uint64_t k = 1; k <= 4; ++k) run_shard(s, k, 4, a.path.string());
  Scenario other = s;
  other.simulation.seed += 1;
  run_shard(other, 3, 4, b.path.string());
  run_shard(s, 1, 2, c.path.string());

  SECTION("a shard of another seed is named, with what differs") {
    const Error e = error_of([&] {
      merge_shards(
          {a / "shard-1-of-4.json", a / "shard-2-of-4.json", b / "shard-3-of-4.json", a / "shard-4-of-4.json"});
    });
    CHECK(e.code() == ExitCode::data);
    const std::string msg = e.what();
    CHECK_THAT(msg, Catch::Contains(b / "shard-3-of-4.json") &&
                        Catch::Contains("seed " + std::to_string(other.simulation.seed)));
    CHECK_THAT(msg, Catch::Contains("1 of 4 shards is missing: 3"));
  }
  SECTION("a shard of another split is named") {
    const Error e = error_of([&] { merge_shards({a.path.string(), c / "shard-1-of-2.json"}); });
    CHECK_THAT(e.what(), Catch::Contains(c / "shard-1-of-2.json") && Catch::Contains("split into 2 shards, not 4"));
  }
  SECTION("a duplicate is named") {
    fs::copy_file(a / "shard-2-of-4.json", b / "shard-2-of-4.json");
    const Error e = error_of([&] { merge_shards({a.path.string(), b / "shard-2-of-4.json"}); });
    CHECK_THAT(e.what(), Catch::Contains("duplicate: shard 2/4"));
  }
  SECTION("missing shards are listed") {
    fs::remove(a / "shard-2-of-4.json");
    fs::remove(a / "shard-3-of-4.json");
    const Error e = error_of([&] { merge_shards({a.path.string()}); });
    CHECK(e.code() == ExitCode::data);
    CHECK_THAT(e.what(), Catch::Contains("2 of 4 shards are missing: 2-3"));
  }
  SECTION("a damaged file is named") {
    std::string text = read_text(a / "shard-4-of-4.json");
    text[text.size() / 2] = text[text.size() / 2] == '1' ? '2' : '1';
    write_text(a / "shard-4-of-4.json", text);
    const Error e = error_of([&] { merge_shards({a.path.string()}); });
    CHECK_THAT(e.what(), Catch::Contains(a / "shard-4-of-4.json"));
  }
  SECTION("a missing input is no_input") {
    const Error e = error_of([&] { merge_shards({a / "nope"}); });
    CHECK(e.code() == ExitCode::no_input);
  }
}

TEST_CASE("batch: a killed run resumes from its checkpoint, bit-identical to an uninterrupted run",
          "[batch][reproducibility]") {
  const Scenario s = small_scenario(2000);
  const Accumulator whole = run_trials(s, EngineOptions{0, 0, 2});
  for (bool sharded : {false, true}) {
    INFO((sharded ? "shard 2/3" : "whole run"));
    TempDir dir;
    BatchOptions o;
    o.sharded = sharded;
    o.shard = sharded ? ShardSpec{2, 3} : ShardSpec{1, 1};
    o.out_dir = dir.path.string();
    o.threads = 2;
    o.chunk_trials = 100;
    o.checkpoint_seconds = 0;  // after every chunk
    const TrialRange range = shard_range(2000, o.shard.index, o.shard.count);

    FlakyRunner dies;
    dies.die_at = 3;  // three chunks are done and saved, the fourth is lost
    o.runner = &dies;
    const BatchPlan first = plan_batch(s, o);
    CHECK_FALSE(first.resumed);
    CHECK_THROWS_AS(run_batch(s, first, o), std::runtime_error);

    FlakyRunner again;
    o.runner = &again;
    const BatchPlan second = plan_batch(s, o);
    CHECK(second.resumed);
    CHECK(second.resume_from == range.first + 300);
    const Accumulator acc = run_batch(s, second, o);
    CHECK(again.chunks == static_cast<int>((range.size() - 300 + 99) / 100));
    if (sharded) {
      CHECK_FALSE(fs::exists(dir / shard_checkpoint_name(o.shard)));
      const PartialResult p = read_partial(dir / shard_file_name(o.shard));
      CHECK(p.acc == acc);
      CHECK(p.acc == run_trials(s, EngineOptions{range.first, range.last, 1}));
    } else {
      CHECK(acc == whole);
    }
  }
}

TEST_CASE("batch: a stop request saves the finished chunks and says how to continue", "[batch]") {
  const Scenario s = small_scenario(2000);
  TempDir dir;
  std::atomic<bool> stop{false};
  FlakyRunner r;
  r.stop_after = 2;  // the third chunk is stopped
  r.stop = &stop;
  BatchOptions o;
  o.out_dir = dir.path.string();
  o.threads = 1;
  o.chunk_trials = 250;
  o.checkpoint_seconds = 1e6;  // only the save at the stop
  o.stop = &stop;
  o.runner = &r;
  const Error e = error_of([&] { run_batch(s, plan_batch(s, o), o); });
  CHECK(e.code() == ExitCode::interrupted);
  CHECK_THAT(e.what(), Catch::Contains("continue from trial 500"));
  const PartialResult p = read_partial(dir / kRunCheckpointName);
  CHECK(p.completed_until == 500);
  CHECK(p.acc == run_trials(s, EngineOptions{0, 500, 1}));

  stop = false;
  o.runner = nullptr;
  const BatchPlan plan = plan_batch(s, o);
  CHECK(plan.resume_from == 500);
  CHECK(run_batch(s, plan, o) == run_trials(s, EngineOptions{0, 0, 2}));
}

TEST_CASE("batch: an output folder of another run is refused and left alone", "[batch]") {
  const Scenario s = small_scenario(1000);
  Scenario other = s;
  other.simulation.trials = 1100;
  TempDir dir;
  BatchOptions o;
  o.sharded = true;
  o.shard = {1, 2};
  o.out_dir = dir.path.string();
  run_batch(s, plan_batch(s, o), o);
  const std::string before = read_text(dir / "shard-1-of-2.json");

  SECTION("the same shard again is already complete, and a checkpoint left behind goes") {
    write_text(dir / "checkpoint-shard-1-of-2.json", "left behind by a run killed after writing its shard file");
    const BatchPlan p = plan_batch(s, o);
    CHECK(p.already_complete);
    CHECK(p.acc == run_trials(s, EngineOptions{0, 500, 1}));
    CHECK_FALSE(fs::exists(dir / "checkpoint-shard-1-of-2.json"));
  }
  SECTION("another trial count") {
    const Error e = error_of([&] { plan_batch(other, o); });
    CHECK(e.code() == ExitCode::io);
    CHECK_THAT(e.what(), Catch::Contains("another run") && Catch::Contains("1000 trials, not 1100"));
  }
  SECTION("another split") {
    BatchOptions p = o;
    p.shard = {1, 4};
    CHECK(error_of([&] { plan_batch(s, p); }).code() == ExitCode::io);
  }
  SECTION("a whole run into a folder of shards") {
    BatchOptions p = o;
    p.sharded = false;
    p.shard = {1, 1};
    CHECK_THAT(error_of([&] { plan_batch(s, p); }).what(), Catch::Contains("holds shard files"));
  }
  SECTION("files celltrial did not write") {
    write_text(dir / "notes.txt", "mine");
    BatchOptions p = o;
    p.shard = {2, 2};
    CHECK_THAT(error_of([&] { plan_batch(s, p); }).what(), Catch::Contains("notes.txt"));
  }
  SECTION("a checkpoint of another run") {
    TempDir run;
    BatchOptions p;
    p.out_dir = run.path.string();
    write_text(run / kRunCheckpointName,
               partial_to_text(make_partial(other, {1, 1}, PartialResult::Kind::checkpoint,
                                            run_trials(other, EngineOptions{0, 100, 1}), 100)));
    const Error e = error_of([&] { plan_batch(s, p); });
    CHECK(e.code() == ExitCode::io);
    CHECK_THAT(e.what(), Catch::Contains("100 of its 1100 trials done"));
  }
  CHECK(read_text(dir / "shard-1-of-2.json") == before);
}
