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

namespace {
// A run of `file` with a few trials: its typed characteristics and summary.json.
Run short_run(const char* file, const char* trials) {
  Run r;
  r.s = load_scenario_file(test::source_path(file), {trials});
  const Model model(r.s);
  const Accumulator acc = run_trials(model, EngineOptions{});
  r.oc = operating_characteristics(r.s, acc, model.truth());
  r.summary = to_json(r.oc);
  return r;
}

// longitudinal_ucb: MMRM (the estimand named), modelled accrual, a product with doses; gs_calendar:
// interim looks (sample_size with the adaptive keys, the expected N as randomised_mean), a generic
// model (no age: null); delayed_treatment: follow-up and the delayed group.
const std::vector<Run>& block_runs() {
  static const std::vector<Run> runs = {short_run("scenarios/longitudinal_ucb.yaml", "simulation.trials=60"),
                                        short_run("scenarios/validation/gs_calendar.yaml", "simulation.trials=200"),
                                        short_run("scenarios/delayed_treatment.yaml", "simulation.trials=60")};
  return runs;
}

// `block` of the summary read back as T and written again (through the text summary.json holds).
template <class T>
void check_round_trip(const json& summary, const char* block) {
  INFO(block);
  const json file = json::parse(summary.dump(2));
  REQUIRE(file.contains(block));
  CHECK(to_json_fields(member_from_json<T>(file, block)).dump(2) == file[block].dump(2));
}
}  // namespace

TEST_CASE("characteristics: the whole summary.json read as typed characteristics and written again is the same bytes",
          "[design][json]") {
  for (const Run& r : block_runs()) {
    INFO(r.s.name);
    const json file = json::parse(r.summary.dump(2));
    const OperatingCharacteristics back = operating_characteristics_from_json(file);
    CHECK(to_json(back).dump(2) == file.dump(2));
    CHECK(back.scenario == r.s.name);
    CHECK(back.mmrm.has_value() == (r.s.analysis.method == AnalysisMethod::mmrm));
  }
  // The MMRM block: what the fits did, per structure.
  const Run& mmrm = block_runs()[0];
  REQUIRE(mmrm.oc.mmrm);
  std::uint64_t used = mmrm.oc.mmrm->not_fitted.count;
  for (const auto& [name, x] : mmrm.oc.mmrm->structure_used) used += x.count;
  CHECK(used == mmrm.oc.trials);  // every trial used one structure or none
  CHECK(mmrm.oc.mmrm->covariance == mmrm.summary["mmrm"]["covariance"]);
}

TEST_CASE("characteristics: summary.json without a block it needs, or with a mistyped key, is a located error",
          "[design][json][errors]") {
  json file = json::parse(block_runs()[0].summary.dump(2));
  auto error = [](const json& j) -> std::string {
    try {
      (void)operating_characteristics_from_json(j, "results/x/summary.json");
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::data);
      return e.what();
    }
    return "";
  };
  CHECK(error(file).empty());
  json no_arms = file;
  no_arms.erase("arms");
  CHECK_THAT(error(no_arms), Catch::Contains("results/x/summary.json") && Catch::Contains("arms") && Catch::Contains("missing"));
  json bad = file;
  bad["mmrm"]["structure_used"] = json::array();
  CHECK_THAT(error(bad), Catch::Contains("mmrm.structure_used") && Catch::Contains("should be an object"));
  json no_comparisons = file;
  no_comparisons["comparisons"] = json::array();
  CHECK_THAT(error(no_comparisons), Catch::Contains("comparisons") && Catch::Contains("at least one active arm"));
}

TEST_CASE("characteristics: the run's blocks read back and written again are the same bytes", "[design][json]") {
  for (const Run& r : block_runs()) {
    INFO(r.s.name);
    // With interim looks sample_size and duration_months carry the adaptive designs' keys too,
    // which their declarations leave out: compare the declared keys only.
    const bool looks = r.s.design.interims.active();
    check_round_trip<AnalysisCharacteristics>(r.summary, "analysis");
    check_round_trip<std::vector<ArmCharacteristics>>(r.summary, "arms");
    check_round_trip<EnrolledCharacteristics>(r.summary, "enrolled");
    check_round_trip<Diagnostics>(r.summary, "diagnostics");
    check_round_trip<std::vector<ComparisonCharacteristics>>(r.summary, "comparisons");
    if (!looks) check_round_trip<SampleSizeCharacteristics>(r.summary, "sample_size");
    if (r.s.design.accrual.modelled()) {
      check_round_trip<Distribution>(r.summary, "accrual_months");
      if (!looks) check_round_trip<Distribution>(r.summary, "duration_months");
    }
    CHECK(r.oc.follow_up.has_value() == r.summary.contains("follow_up"));
    if (r.oc.follow_up) check_round_trip<FollowUpCharacteristics>(r.summary, "follow_up");
    CHECK(r.oc.delayed_treatment.has_value() == r.summary.contains("delayed_treatment"));
    if (r.oc.delayed_treatment) check_round_trip<DelayedTreatmentCharacteristics>(r.summary, "delayed_treatment");
    // The blocks summarise writes are those of the typed results.
    CHECK(to_json_fields(r.oc.arms) == r.summary["arms"]);
    CHECK(to_json_fields(r.oc.analysis) == r.summary["analysis"]);
    CHECK(to_json_fields(r.oc.enrolled) == r.summary["enrolled"]);
    CHECK(to_json_fields(r.oc.diagnostics) == r.summary["diagnostics"]);
    CHECK(r.oc.accrual_months.has_value() == r.summary.contains("accrual_months"));
    CHECK(r.oc.duration_months.has_value() == r.summary.contains("duration_months"));
    // The top-level comparison, power, estimate and assurance are the first comparison's.
    const auto comps = member_from_json<std::vector<ComparisonCharacteristics>>(r.summary, "comparisons");
    REQUIRE(comps.size() == r.oc.comparisons.size());
    CHECK(r.summary["comparison"] == comps[0].label);
    CHECK(r.summary["estimate"] == to_json(comps[0].estimate));
    CHECK(r.summary["power"]["favourable"] == to_json(comps[0].power_favourable));
    CHECK(r.summary.contains("assurance") == comps[0].assurance.has_value());
  }
}

TEST_CASE("characteristics: the run's typed values are the JSON's", "[design][json]") {
  const std::vector<Run>& runs = block_runs();
  const Run& mmrm = runs[0];
  const json& j = mmrm.summary;
  CHECK(mmrm.oc.analysis.method == "mmrm");
  CHECK(mmrm.oc.analysis.estimand == j["analysis"]["estimand"].get<std::string>());
  CHECK(mmrm.oc.analysis.primary_visit_months == j["analysis"]["primary_visit_months"].get<double>());
  CHECK(mmrm.oc.analysis.sides == j["analysis"]["sides"].get<int>());
  REQUIRE(mmrm.oc.arms.size() == j["arms"].size());
  bool dosed = false;
  for (std::size_t a = 0; a < mmrm.oc.arms.size(); ++a) {
    const ArmCharacteristics& x = mmrm.oc.arms[a];
    const json& ja = j["arms"][a];
    CHECK(x.name == ja["name"].get<std::string>());
    CHECK(x.randomised_mean == ja["randomised_mean"].get<double>());
    CHECK(x.analysed_mean.mc_se == ja["analysed_mean_mc_se"].get<double>());
    CHECK(x.mean_change.value == ja["mean_change"].get<double>());
    CHECK(x.sae.mc_se == ja["sae_mc_se"].get<double>());
    CHECK(x.infusion_reactions.value == ja["infusion_reactions_mean"].get<double>());
    CHECK(std::isfinite(x.mean_dose.value) == !ja["mean_dose"].is_null());
    dosed = dosed || std::isfinite(x.mean_dose.value);
  }
  CHECK(dosed);
  CHECK(mmrm.oc.sample_size.randomised_mean.value == static_cast<double>(mmrm.s.design.sample_size));
  CHECK(mmrm.oc.sample_size.randomised_mean.mc_se == 0);
  CHECK(mmrm.oc.sample_size.screened.value == j["sample_size"]["screened_mean"].get<double>());
  CHECK(mmrm.oc.enrolled.share_gmfcs_I_III.value == j["enrolled"]["share_gmfcs_I_III"].get<double>());
  REQUIRE(mmrm.oc.accrual_months.has_value());
  CHECK(mmrm.oc.accrual_months->q95 == j["accrual_months"]["quantiles"]["0.95"].get<double>());
  CHECK(mmrm.oc.accrual_months->q05 <= mmrm.oc.accrual_months->q95);
  CHECK(mmrm.oc.accrual_months->trials == 60u);
  CHECK(mmrm.oc.diagnostics.not_estimable == j["diagnostics"]["not_estimable"].get<std::uint64_t>());

  // Interim looks: the expected N is randomised_mean, below the maximum; no age for a generic model.
  const Run& looks = runs[1];
  CHECK(looks.oc.sample_size.randomised_mean.value == looks.summary["sample_size"]["expected"].get<double>());
  CHECK(looks.oc.sample_size.randomised_mean.mc_se == looks.summary["sample_size"]["expected_mc_se"].get<double>());
  CHECK(looks.oc.sample_size.randomised_mean.value <= static_cast<double>(looks.s.design.sample_size));
  CHECK(std::isnan(looks.oc.enrolled.mean_age_months.value));
  CHECK(looks.summary["enrolled"]["mean_age_months"].is_null());
  REQUIRE(looks.oc.duration_months.has_value());
  CHECK(looks.oc.duration_months->mean.value == looks.summary["duration_months"]["expected"].get<double>());
  CHECK_THAT(looks.oc.duration_months->unit, Catch::Contains("the stopping look"));

  // Follow-up: every visit per arm; the delayed group's second period.
  REQUIRE(mmrm.oc.follow_up.has_value());
  const FollowUpCharacteristics& f = *mmrm.oc.follow_up;
  REQUIRE(f.visits.size() == mmrm.s.design.visits_months.size());
  REQUIRE(f.visits.back().arms.size() == mmrm.s.arms.size());
  CHECK(f.visits.back().month == j["follow_up"]["visits"].back()["month"].get<double>());
  const json& last = j["follow_up"]["visits"].back()["arms"][1];
  CHECK(f.visits.back().arms[1].name == last["name"].get<std::string>());
  CHECK(f.visits.back().arms[1].observed_share.mean.value == last["observed_share"]["mean"].get<double>());
  CHECK(f.visits.back().arms[1].mean_change_all.mean.mc_se == last["mean_change_all"]["mc_se"].get<double>());
  CHECK(f.visits.back().arms[1].mean_change_observed.trials == last["mean_change_observed"]["trials"].get<std::uint64_t>());
  CHECK(f.arms[0].dropped_out_share.mean.value == j["follow_up"]["arms"][0]["dropped_out_share"]["mean"].get<double>());
  const Run& delayed = runs[2];
  REQUIRE(delayed.oc.delayed_treatment.has_value());
  const DelayedTreatmentCharacteristics& d = *delayed.oc.delayed_treatment;
  const json& jd = delayed.summary["delayed_treatment"];
  CHECK(d.start_month == jd["start_month"].get<double>());
  CHECK(d.delayed_arm == jd["delayed_arm"].get<std::string>());
  CHECK(d.estimate.mean.value == jd["estimate"]["mean"].get<double>());
  CHECK(d.early_gain.mean.mc_se == jd["early_gain"]["mc_se"].get<double>());
  CHECK(d.power.count == jd["power"]["count"].get<std::uint64_t>());
  CHECK(d.power.of == 60u);
  CHECK(d.estimable_trials <= 60u);

  // No modelled accrual: no distributions.
  CHECK_FALSE(delayed.oc.accrual_months.has_value());
  CHECK_FALSE(delayed.summary.contains("duration_months"));
}

TEST_CASE("characteristics: a run's block with a missing or mistyped key is a located error", "[design][json][errors]") {
  const json& j = block_runs()[0].summary;
  auto error = [](const json& summary, auto read) -> std::string {
    try {
      read(summary);
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::data);
      return e.what();
    }
    return "";
  };
  using Arms = std::vector<ArmCharacteristics>;
  auto arms = [](const json& x) { (void)member_from_json<Arms>(x, "arms"); };
  auto size = [](const json& x) { (void)member_from_json<SampleSizeCharacteristics>(x, "sample_size"); };
  auto accrual = [](const json& x) { (void)member_from_json<Distribution>(x, "accrual_months"); };
  auto analysis = [](const json& x) { (void)member_from_json<AnalysisCharacteristics>(x, "analysis"); };
  auto comparisons = [](const json& x) { (void)member_from_json<std::vector<ComparisonCharacteristics>>(x, "comparisons"); };
  CHECK(error(j, arms).empty());
  CHECK(error(j, size).empty());

  json bad = j;
  bad["arms"][1].erase("sae_mc_se");
  CHECK_THAT(error(bad, arms), Catch::Contains("summary.json") && Catch::Contains("arms[1].sae_mc_se") && Catch::Contains("is missing"));
  bad = j;
  bad["sample_size"]["screened_mean"] = "many";
  CHECK_THAT(error(bad, size), Catch::Contains("sample_size.screened_mean") && Catch::Contains("should be a number or null, not a string"));
  bad = j;
  bad["accrual_months"]["quantiles"].erase("0.5");
  CHECK_THAT(error(bad, accrual), Catch::Contains("accrual_months.quantiles.0.5") && Catch::Contains("is missing"));
  bad = j;
  bad["analysis"]["sides"] = 1.5;
  CHECK_THAT(error(bad, analysis), Catch::Contains("analysis.sides") && Catch::Contains("should be an integer"));
  bad = j;
  bad["follow_up"]["visits"][0]["arms"][1]["mean_change_all"]["trials"] = -1;
  auto follow_up = [](const json& x) { (void)member_from_json<FollowUpCharacteristics>(x, "follow_up"); };
  CHECK_THAT(error(bad, follow_up),
             Catch::Contains("follow_up.visits[0].arms[1].mean_change_all.trials") && Catch::Contains("integer >= 0"));
  bad = j;
  bad.erase("comparisons");
  CHECK_THAT(error(bad, comparisons), Catch::Contains("summary.json") && Catch::Contains("comparisons: is missing"));
  bad = j;
  bad["comparisons"][0]["power"].erase("favourable");
  CHECK_THAT(error(bad, comparisons), Catch::Contains("comparisons[0].power.favourable") && Catch::Contains("is missing"));
}
