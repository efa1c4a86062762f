// The typed operating characteristics and summary.json's blocks: written and read through the same
// fields() declarations, so a block read back and written again is the block, and the typed values
// are the JSON's.
#include <cmath>
#include <limits>
#include <catch2/catch.hpp>

#include "celltrial/core/error.hpp"
#include "celltrial/design/operating_characteristics.hpp"
#include "celltrial/design/study.hpp"
#include "celltrial/design/summary.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/scenario/io.hpp"
#include "test_support.hpp"

using namespace celltrial;
using nlohmann::json;

namespace {

struct Run {
  Scenario s;
  OperatingCharacteristics oc;
  json summary;
};

// responder_sensitivity: four subgroups (two confirmatory), a graphical family of three hypotheses
// with weights and transitions, and two claims; a few trials.
const Run& responder_run() {
  static const Run run = [] {
    Run r;
    r.s = load_scenario_file(test::source_path("scenarios/responder_sensitivity.yaml"), {"simulation.trials=300"});
    const Model model(r.s);
    const Accumulator acc = run_trials(model, EngineOptions{});
    r.oc = operating_characteristics(r.s, acc, model.truth());
    r.summary = summarise(r.s, acc, model.truth());
    return r;
  }();
  return run;
}

// The error from_json gives for `block`, as text ("" when none).
template <class T>
std::string read_error(const json& block, const std::string& key_path) {
  try {
    (void)from_json<T>(block, "summary.json", key_path);
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::data);
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("characteristics: summary.json's blocks read back and written again are the same bytes", "[design][json]") {
  const Run& r = responder_run();
  REQUIRE(r.summary.contains("subgroups"));
  REQUIRE(r.summary.contains("multiplicity"));
  // Through the text summary.json holds (doubles and nulls as written), not only the in-memory JSON.
  const json file = json::parse(r.summary.dump(2));
  const auto groups = from_json<std::vector<SubgroupCharacteristics>>(file["subgroups"], "summary.json", "subgroups");
  REQUIRE(groups.size() == file["subgroups"].size());
  CHECK(to_json(groups).dump(2) == file["subgroups"].dump(2));
  const auto fam = from_json<FamilyCharacteristics>(file["multiplicity"], "summary.json", "multiplicity");
  CHECK(to_json(fam).dump(2) == file["multiplicity"].dump(2));
  for (std::size_t c = 0; c < file["comparisons"].size(); ++c) {
    const auto comp = from_json<ComparisonCharacteristics>(file["comparisons"][c]);
    CHECK(to_json(comp).dump(2) == file["comparisons"][c].dump(2));
  }
  // The blocks summarise writes are those of the typed results services::simulate returns.
  CHECK(to_json(r.oc.subgroups).dump() == r.summary["subgroups"].dump());
  REQUIRE(r.oc.family.has_value());
  CHECK(to_json(*r.oc.family).dump() == r.summary["multiplicity"].dump());
}

TEST_CASE("characteristics: the typed values are the JSON's", "[design][json]") {
  const Run& r = responder_run();
  const json& js = r.summary["subgroups"];
  REQUIRE(r.oc.subgroups.size() == js.size());
  REQUIRE(js.size() == 4);  // four subgroups, one active arm
  std::size_t confirmatory = 0;
  for (std::size_t k = 0; k < js.size(); ++k) {
    const SubgroupCharacteristics& g = r.oc.subgroups[k];
    const json& j = js[k];
    CHECK(g.name == j["name"].get<std::string>());
    CHECK(g.label == j["label"].get<std::string>());
    CHECK(g.confirmatory == j["confirmatory"].get<bool>());
    confirmatory += g.confirmatory;
    CHECK(g.prevalence.value == j["prevalence_prerun"].get<double>());
    CHECK(g.prevalence.mc_se == j["prevalence_prerun_mc_se"].get<double>());
    CHECK(g.analysed_mean.value == j["analysed_mean"].get<double>());
    CHECK(g.power.count == j["power"]["count"].get<std::uint64_t>());
    CHECK(g.power.of == 300u);
    CHECK(g.power.meaning == j["power"]["meaning"].get<std::string>());
    CHECK(g.power_unadjusted.estimate.value == j["power_unadjusted"]["estimate"].get<double>());
    CHECK(g.estimate.mean.value == j["estimate"]["mean"].get<double>());
    CHECK(g.estimate.bias.mc_se == j["estimate"]["bias_mc_se"].get<double>());
    CHECK(g.complement.estimate.truth.value == j["complement"]["estimate"]["true"].get<double>());
    CHECK(g.interaction.truth.value == j["interaction"]["true"].get<double>());
    CHECK(g.interaction.mean.mc_se == j["interaction"]["mc_se"].get<double>());
    CHECK(g.interaction.power.count == j["interaction"]["power"]["count"].get<std::uint64_t>());
    CHECK(g.note.empty() == !j.contains("note"));
  }
  CHECK(confirmatory == 2);  // under5 and gmfcs_I_III are in the family
  const FamilyCharacteristics& f = *r.oc.family;
  const json& m = r.summary["multiplicity"];
  CHECK(f.procedure == "graphical");
  CHECK(f.hypotheses.size() == 3);
  CHECK(f.weights == m["weights"].get<std::vector<double>>());
  CHECK(f.transitions == m["transitions"].get<std::vector<std::vector<double>>>());
  for (std::size_t h = 0; h < f.hypotheses.size(); ++h) {
    CHECK(f.hypotheses[h].name == m["hypotheses"][h]["name"].get<std::string>());
    CHECK(f.hypotheses[h].power.count == m["hypotheses"][h]["power"]["count"].get<std::uint64_t>());
  }
  CHECK(f.at_least_one.count == m["at_least_one"]["count"].get<std::uint64_t>());
  CHECK(f.any_rejection.meaning == m["any_rejection"]["meaning"].get<std::string>());
  REQUIRE(f.claims.size() == 2);
  CHECK(f.claims[0].all_of == m["claims"][0]["all_of"].get<std::vector<std::string>>());
  CHECK(f.claims[1].share.count == m["claims"][1]["count"].get<std::uint64_t>());
  // At least one rejection is at least each hypothesis's.
  for (const auto& h : f.hypotheses) CHECK(f.at_least_one.count >= h.power.count);
}

TEST_CASE("characteristics: a block with a missing or mistyped key is a located error", "[design][json][errors]") {
  const Run& r = responder_run();
  const json groups = r.summary["subgroups"];
  using Groups = std::vector<SubgroupCharacteristics>;
  REQUIRE(read_error<Groups>(groups, "subgroups").empty());

  json missing = groups;
  missing[1]["estimate"].erase("bias_mc_se");
  std::string e = read_error<Groups>(missing, "subgroups");
  CHECK_THAT(e, Catch::Contains("summary.json") && Catch::Contains("subgroups[1].estimate.bias_mc_se") &&
                    Catch::Contains("is missing"));

  json mistyped = groups;
  mistyped[0]["confirmatory"] = "yes";
  e = read_error<Groups>(mistyped, "subgroups");
  CHECK_THAT(e, Catch::Contains("subgroups[0].confirmatory") && Catch::Contains("should be true or false, not a string"));

  json negative = groups;
  negative[0]["interaction"]["power"]["count"] = -3;
  e = read_error<Groups>(negative, "subgroups");
  CHECK_THAT(e, Catch::Contains("subgroups[0].interaction.power.count") && Catch::Contains("integer >= 0"));

  json interval = groups;
  interval[0]["power"]["ci95"] = {0.1};
  CHECK_THAT(read_error<Groups>(interval, "subgroups"), Catch::Contains("subgroups[0].power.ci95") && Catch::Contains("two numbers"));

  CHECK_THAT(read_error<Groups>(json::object(), "subgroups"), Catch::Contains("subgroups: should be an array, not an object"));
  CHECK_THAT(read_error<Groups>(json::array({1}), "subgroups"), Catch::Contains("subgroups[0]: should be an object, not a number"));

  json family = r.summary["multiplicity"];
  family["hypotheses"][2].erase("power_unadjusted");
  CHECK_THAT(read_error<FamilyCharacteristics>(family, "multiplicity"),
             Catch::Contains("multiplicity.hypotheses[2].power_unadjusted") && Catch::Contains("is missing"));
  family = r.summary["multiplicity"];
  family["claims"][0]["all_of"] = "primary";
  CHECK_THAT(read_error<FamilyCharacteristics>(family, "multiplicity"),
             Catch::Contains("multiplicity.claims[0].all_of") && Catch::Contains("should be an array, not a string"));
}

TEST_CASE("characteristics: null is NaN, and optional keys are absent when empty", "[design][json]") {
  SubgroupCharacteristics g = responder_run().oc.subgroups.at(0);
  g.estimate.bias = {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
  g.note = "";
  g.power.meaning = "";
  json j = to_json(g);
  CHECK(j["estimate"]["bias"].is_null());
  CHECK(j["estimate"]["bias_mc_se"].is_null());
  CHECK_FALSE(j.contains("note"));
  CHECK_FALSE(j["power"].contains("meaning"));
  CHECK_FALSE(j["estimate"].contains("true_includes"));
  const auto back = from_json<SubgroupCharacteristics>(j);
  CHECK(std::isnan(back.estimate.bias.value));
  CHECK(std::isnan(back.estimate.bias.mc_se));
  CHECK(back.note.empty());
  g.note = "2 trial(s) could not estimate the effect";
  j = to_json(g);
  CHECK(j["note"] == g.note);
  CHECK(from_json<SubgroupCharacteristics>(j).note == g.note);

  FamilyCharacteristics f = *responder_run().oc.family;
  f.weights.clear();
  f.transitions.clear();
  j = to_json(f);
  CHECK_FALSE(j.contains("weights"));
  CHECK_FALSE(j.contains("transitions"));
  CHECK(from_json<FamilyCharacteristics>(j).weights.empty());
}

TEST_CASE("characteristics: the design comparison's claim in the responders is the typed confirmatory subgroup's power",
          "[design][json]") {
  const Run& r = responder_run();
  DesignsSection d;
  d.variants = {{"base", {}}};
  for (const char* responders : {"under5", "high_dose"}) {
    d.responders = responders;
    const json rows = run_designs({r.s}, {}, d, StudyOptions{});
    REQUIRE(rows.size() == 1);
    const SubgroupCharacteristics* g = nullptr;
    for (const auto& x : r.oc.subgroups)
      if (x.name == responders) g = &x;
    REQUIRE(g != nullptr);
    if (g->confirmatory) {
      CHECK(rows[0]["claim_responders"].get<double>() == g->power.estimate.value);
      CHECK(rows[0]["claim_responders_mc_se"].get<double>() == g->power.estimate.mc_se);
      CHECK(rows[0]["claim_responders_source"] == "confirmatory subgroup under5 (multiplicity-adjusted)");
    } else {
      // An exploratory subgroup gives no confirmatory claim.
      CHECK(std::string(responders) == "high_dose");
      CHECK(rows[0]["claim_responders"].is_null());
    }
  }
}
