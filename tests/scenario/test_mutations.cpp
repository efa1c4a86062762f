// Mutations of every shipped scenario (scenarios/, recursively): for each leaf value, the file
// with that one value replaced by
//   - a value of the wrong type (a word for a number, a list for a word),
//   - values out of range (0, -1e9, 1e300 and the smallest denormal 5e-324 for a number; an unknown
//     word for a word),
// and for each key, the file with that key misspelt (two letters swapped, or an 'x' added).
// Each variant is checked as `celltrial validate` checks a file (the scenario, then every
// enrichment strategy, tornado end, sweep point, nuisance grid point and compared design it
// defines), in-process:
//   - a wrong type and a misspelt key are always refused (a misspelt name that the user chooses,
//     such as an enrichment strategy's or a claim's, is just another name);
//   - every refusal is a data error (exit 65) whose every message names the file and a line;
//   - a variant that validate accepts runs: the model is set up, 50 trials are simulated (when a
//     trial screens at most kMaxScreened children; larger designs are set up only) and the
//     summary and the scenario are written as JSON, all without any error (exit 0).
// The model's pre-runs use fewer children than `simulate` (as the fuzz targets do), which runs the
// same code on fewer draws and keeps the test to seconds.
// CELLTRIAL_MUTATION_STRIDE=k checks every k-th variant of each file (the first, then every k-th):
// the ASan+UBSan job sets 3 (scripts/sanitize.sh; there the test is most of the job's time), while
// the Release build, and the ASan job with --full, check every variant.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include "celltrial/core/error.hpp"
#include "celltrial/design/nuisance.hpp"
#include "celltrial/design/study.hpp"
#include "celltrial/design/summary.hpp"
#include "celltrial/design/sweep.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/scenario/io.hpp"
#include "test_support.hpp"

using namespace celltrial;

namespace {

constexpr PreRunSizes kPreRun{2000, 2000, 40000, 400};
constexpr double kMaxScreened = 20000;
constexpr std::uint64_t kTrials = 50;

struct Mutation {
  std::string text;      ///< the mutated file
  std::string what;      ///< for messages: "line 12: alpha = abc"
  bool must_refuse = false;
};

struct Leaf {
  int line = 0, column = 0;  ///< 0-based, of the value or the key
  std::string text, path;
  bool is_key = false, user_named = false;
};

/// Every scalar value and key of the document that can be found verbatim at its place.
void collect(const YAML::Node& n, const std::string& path, bool user_named, std::vector<Leaf>& out) {
  if (n.IsScalar()) {
    out.push_back({n.Mark().line, n.Mark().column, n.Scalar(), path, false, false});
  } else if (n.IsMap()) {
    for (auto it = n.begin(); it != n.end(); ++it) {
      const std::string key = it->first.Scalar();
      const std::string p = path.empty() ? key : path + "." + key;
      out.push_back({it->first.Mark().line, it->first.Mark().column, key, p, true, user_named});
      collect(it->second, p, p == "enrichment.strategies" || p == "analysis.claims" || p == "designs.variants", out);
    }
  } else if (n.IsSequence()) {
    for (std::size_t i = 0; i < n.size(); ++i) collect(n[i], path + "[" + std::to_string(i) + "]", false, out);
  }
}

std::size_t offset_of(const std::string& text, int line, int column) {
  std::size_t at = 0;
  for (int l = 0; l < line; ++l) at = text.find('\n', at) + 1;
  return at + static_cast<std::size_t>(column);
}

bool is_number(const std::string& s) {
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  return !s.empty() && end == s.c_str() + s.size();
}

std::string misspelt(const std::string& key) {
  std::string m = key;
  if (m.size() >= 3) std::swap(m[1], m[2]);
  return m == key || is_number(key) ? key + "x" : m;
}

std::vector<Mutation> mutations(const std::string& text) {
  std::vector<Leaf> leaves;
  collect(YAML::Load(text), "", false, leaves);
  std::vector<Mutation> out;
  for (const Leaf& l : leaves) {
    const std::size_t at = offset_of(text, l.line, l.column);
    if (text.compare(at, l.text.size(), l.text) != 0) continue;  // quoted or over several lines
    auto with = [&](const std::string& v, bool must_refuse) {
      const std::string where = "line " + std::to_string(l.line + 1) + ": " + l.path;
      out.push_back({text.substr(0, at) + v + text.substr(at + l.text.size()),
                     where + (l.is_key ? " misspelt as " : " = ") + v, must_refuse});
    };
    if (l.is_key) {
      with(misspelt(l.text), !l.user_named);
    } else if (is_number(l.text)) {
      with("abc", true);
      for (const char* v : {"0", "-1e9", "1e300", "5e-324"}) with(v, false);
    } else {
      with("[1, 2]", true);
      with("zzz_unknown", false);
    }
  }
  return out;
}

/// What `celltrial validate FILE` loads: the scenario and every variant it defines.
Scenario validate_like(const std::string& text, const std::string& name) {
  const Scenario s = load_scenario_text(text, name);
  load_every_variant([&](const std::vector<std::string>& variant) { return load_scenario_text(text, name, {}, variant); },
                     {}, s);
  (void)Model(s, kPreRun);  // validate sets up the model as simulate does (its screening yield)
  return s;
}

/// What `celltrial simulate --trials 50` does with an accepted scenario, short of the files.
void simulate_like(Scenario s) {
  s.simulation.trials = kTrials;
  const Model model(s, kPreRun);
  const double yield = model.truth().screening_yield;
  if (yield > 0 && static_cast<double>(s.design.sample_size) / yield <= kMaxScreened) {
    EngineOptions opt;
    opt.threads = 1;
    const Accumulator acc = run_trials(model, opt);
    REQUIRE(acc.trials() == kTrials);
    (void)summarise(s, acc, model.truth()).dump();
  }
  (void)to_json(s).dump();
  (void)to_yaml_with_sources(s);
}

std::string read(const std::filesystem::path& p) { return test::read_text(p.string()); }

struct Tally {
  int variants = 0, refused = 0, accepted = 0;
};

void check_variant(const Mutation& m, const std::string& name, Tally& t) {
  ++t.variants;
  Scenario s;
  try {
    s = validate_like(m.text, name);
  } catch (const Error& e) {
    ++t.refused;
    INFO(m.what << "\n" << e.what());
    CHECK(e.code() == ExitCode::data);
    for (const auto& d : e.diagnostics()) {
      CHECK(d.where.file == name);
      CHECK(d.where.line > 0);
    }
    return;
  } catch (const std::exception& e) {
    FAIL_CHECK(m.what << ": validate failed with an internal error: " << e.what());
    return;
  }
  ++t.accepted;
  INFO(m.what << " was accepted");
  CHECK_FALSE(m.must_refuse);
  try {
    simulate_like(s);
  } catch (const Error& e) {
    FAIL_CHECK("validate accepted it, but simulate failed (exit " << static_cast<int>(e.code()) << "):\n" << e.what());
  } catch (const std::exception& e) {
    FAIL_CHECK("validate accepted it, but simulate failed with an internal error: " << e.what());
  }
}

}  // namespace

TEST_CASE("mutated shipped scenarios: wrong types, out-of-range values and misspelt keys are refused at their line, "
          "and what validate accepts simulates",
          "[scenario][errors][mutation]") {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(test::source_path("scenarios")))
    if (e.is_regular_file() && e.path().extension() == ".yaml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 8);
  std::size_t stride = 1;
  if (const char* v = std::getenv("CELLTRIAL_MUTATION_STRIDE")) stride = std::max<std::size_t>(1, std::stoul(v));
  Tally total;
  for (const auto& f : files) {
    const std::string text = read(f), name = f.filename().string();
    REQUIRE_NOTHROW(validate_like(text, name));
    Tally t;
    const std::vector<Mutation> all = mutations(text);
    for (std::size_t i = 0; i < all.size(); i += stride) check_variant(all[i], name, t);
    CHECK(t.variants * stride > 100);
    total.variants += t.variants, total.refused += t.refused, total.accepted += t.accepted;
  }
  WARN("mutations: " << total.variants << " variants (every " << stride << ") of " << files.size() << " scenarios, " << total.refused
                     << " refused, " << total.accepted << " accepted and simulated");
}
