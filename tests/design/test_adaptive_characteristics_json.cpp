// The typed group-sequential results (summary.json "interims", "stopping"), the adaptive designs'
// blocks ("sample_size_reestimation", "enrichment", "arm_selection", and the keys interim looks add
// to "sample_size" and "duration_months") and the shares across active arms ("any_rejection",
// "all_rejections"): written and read through the same fields() declarations, on short runs of the
// shipped scenarios with interim looks.
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "celltrial/core/error.hpp"
#include "celltrial/design/operating_characteristics.hpp"
#include "celltrial/design/summary.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/scenario/io.hpp"
#include "test_support.hpp"

using namespace celltrial;
using nlohmann::json;

namespace {

struct Run {
  OperatingCharacteristics oc;
  json summary;  ///< as summary.json holds it: through its text
};

Run run(const std::string& file, std::vector<std::string> overrides = {}) {
  overrides.push_back("simulation.trials=200");
  const Scenario s = load_scenario_file(test::source_path(file), overrides);
  const Model model(s);
  const Accumulator acc = run_trials(model, EngineOptions{});
  return {operating_characteristics(s, acc, model.truth()), json::parse(summarise(s, acc, model.truth()).dump(2))};
}

// Short runs by name: every kind of interim design the shipped scenarios have, and beta-spending
// futility (no shipped scenario has it).
const Run& runs(const std::string& name) {
  static std::map<std::string, Run> cache;
  static const std::map<std::string, std::pair<std::string, std::vector<std::string>>> files{
      {"group_sequential", {"scenarios/group_sequential.yaml", {}}},  // conditional power, two-sided, adjusted estimate
      {"gs_calendar", {"scenarios/validation/gs_calendar.yaml", {}}},  // looks at calendar months
      {"arm_selection", {"scenarios/arm_selection.yaml", {}}},        // two active arms
      {"adaptive_enrichment", {"scenarios/adaptive_enrichment.yaml", {}}},
      {"ssr_promising_zone", {"scenarios/ssr_promising_zone.yaml", {}}},
      {"beta_spending",
       {"scenarios/validation/gs_reference.yaml",
        {"design.interims.efficacy.boundary=spending-obrien-fleming", "design.interims.futility.rule=beta-spending",
         "design.interims.futility.spending=hsd", "design.interims.futility.spending_parameter=-2",
         "design.interims.futility.planned_effect=1.42", "design.interims.futility.planned_sd=4.5"}}}};
  auto it = cache.find(name);
  if (it == cache.end()) {
    const auto& [file, overrides] = files.at(name);
    it = cache.emplace(name, run(file, overrides)).first;
  }
  return it->second;
}

const std::vector<std::string> kNames{"group_sequential", "gs_calendar", "arm_selection", "adaptive_enrichment",
                                      "ssr_promising_zone", "beta_spending"};

// summary.json's keys that AdaptiveCharacteristics declares.
json adaptive_blocks(const json& summary) {
  json j = json::object();
  for (const char* key : {"any_rejection", "all_rejections", "interims", "stopping", "sample_size_reestimation", "enrichment",
                          "arm_selection"})
    if (summary.contains(key)) j[key] = summary[key];
  return j;
}

// The keys of summary.json's block `block` that interim looks add (InterimSampleSize, InterimDuration).
json interim_keys(const json& summary, const char* block) {
  json j = json::object();
  for (const char* key : {"expected", "expected_mc_se", "max", "distribution", "quantiles", "planned", "max_observed"})
    if (summary[block].contains(key) && (std::string(block) == "sample_size" || std::string(key) == "expected" ||
                                         std::string(key) == "expected_mc_se" || std::string(key) == "max_observed"))
      j[key] = summary[block][key];
  return j;
}

// The error adaptive_from_json gives for `summary`, as text ("" when none).
std::string read_all_error(const json& summary) {
  try {
    (void)adaptive_from_json(summary);
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::data);
    return e.what();
  }
  return "";
}

// The error from_json gives for `summary`, as text ("" when none).
std::string read_error(const json& summary) {
  try {
    (void)from_json<AdaptiveCharacteristics>(summary, "summary.json");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::data);
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("adaptive characteristics: the whole summary.json read as typed characteristics and written again is the same bytes",
          "[design][json]") {
  for (const std::string& name : kNames) {
    INFO(name);
    const Run& r = runs(name);
    const OperatingCharacteristics back = operating_characteristics_from_json(r.summary);
    CHECK(to_json(back).dump(2) == r.summary.dump(2));
    CHECK(to_json(r.oc).dump(2) == r.summary.dump(2));  // the typed result is what summary.json holds
  }
}

TEST_CASE("adaptive characteristics: the blocks read back and written again are the same bytes", "[design][json]") {
  for (const std::string& name : kNames) {
    INFO(name);
    const Run& r = runs(name);
    REQUIRE(r.summary.contains("interims"));
    REQUIRE(r.summary.contains("stopping"));
    const json blocks = adaptive_blocks(r.summary);
    const auto back = from_json<AdaptiveCharacteristics>(r.summary, "summary.json");
    CHECK(to_json_fields(back).dump(2) == blocks.dump(2));
    // summary.json's blocks are those of the typed results services::simulate returns.
    CHECK(to_json_fields(r.oc.adaptive).dump(2) == blocks.dump(2));
    // The adaptive designs' blocks, read by adaptive_from_json.
    const AdaptiveCharacteristics all = adaptive_from_json(r.summary);
    CHECK(all.sample_size_reestimation.has_value() == r.summary.contains("sample_size_reestimation"));
    CHECK(r.oc.adaptive.sample_size_reestimation.has_value() == r.summary.contains("sample_size_reestimation"));
    if (all.sample_size_reestimation) {
      CHECK(to_json_fields(*all.sample_size_reestimation).dump(2) == r.summary["sample_size_reestimation"].dump(2));
      CHECK(to_json_fields(*r.oc.adaptive.sample_size_reestimation).dump(2) == r.summary["sample_size_reestimation"].dump(2));
    }
    CHECK(all.enrichment.has_value() == r.summary.contains("enrichment"));
    CHECK(r.oc.adaptive.enrichment.has_value() == r.summary.contains("enrichment"));
    if (all.enrichment) {
      CHECK(to_json_fields(*all.enrichment).dump(2) == r.summary["enrichment"].dump(2));
      CHECK(to_json_fields(*r.oc.adaptive.enrichment).dump(2) == r.summary["enrichment"].dump(2));
    }
    CHECK(all.arm_selection.has_value() == r.summary.contains("arm_selection"));
    CHECK(r.oc.adaptive.arm_selection.has_value() == r.summary.contains("arm_selection"));
    if (all.arm_selection) {
      CHECK(to_json_fields(*all.arm_selection).dump(2) == r.summary["arm_selection"].dump(2));
      CHECK(to_json_fields(*r.oc.adaptive.arm_selection).dump(2) == r.summary["arm_selection"].dump(2));
    }
    // The keys interim looks add to sample_size and duration_months.
    REQUIRE(all.sample_size);
    REQUIRE(r.oc.adaptive.sample_size);
    CHECK(to_json_fields(*all.sample_size).dump(2) == interim_keys(r.summary, "sample_size").dump(2));
    CHECK(to_json_fields(*r.oc.adaptive.sample_size).dump(2) == interim_keys(r.summary, "sample_size").dump(2));
    CHECK(all.duration.has_value() == r.summary.contains("duration_months"));
    CHECK(r.oc.adaptive.duration.has_value() == r.summary.contains("duration_months"));
    if (all.duration) {
      CHECK(to_json_fields(*all.duration).dump(2) == interim_keys(r.summary, "duration_months").dump(2));
      CHECK(to_json_fields(*r.oc.adaptive.duration).dump(2) == interim_keys(r.summary, "duration_months").dump(2));
    }
  }
  // Each adaptive design writes its own block and no other's.
  CHECK(runs("ssr_promising_zone").summary.contains("sample_size_reestimation"));
  CHECK(runs("adaptive_enrichment").summary.contains("enrichment"));
  CHECK(runs("arm_selection").summary.contains("arm_selection"));
  CHECK_FALSE(runs("group_sequential").oc.adaptive.sample_size_reestimation);
  CHECK_FALSE(runs("group_sequential").oc.adaptive.enrichment);
  CHECK_FALSE(runs("group_sequential").oc.adaptive.arm_selection);
  CHECK_FALSE(runs("group_sequential").oc.adaptive.sample_size->planned);
  CHECK_FALSE(runs("ssr_promising_zone").oc.adaptive.enrichment);
  CHECK_FALSE(runs("adaptive_enrichment").oc.adaptive.arm_selection);
  CHECK_FALSE(runs("arm_selection").oc.adaptive.sample_size_reestimation);
  // Without interim looks and with one active arm there is nothing to write.
  const Scenario s = load_scenario_file(test::source_path("scenarios/default.yaml"), {"simulation.trials=20"});
  const Model model(s);
  const AdaptiveCharacteristics none = adaptive_characteristics(s, run_trials(model, EngineOptions{}), model.truth());
  CHECK_FALSE(none.any_rejection);
  CHECK_FALSE(none.interims);
  CHECK_FALSE(none.stopping);
  CHECK_FALSE(none.sample_size);
  CHECK_FALSE(none.duration);
  CHECK(to_json_fields(none) == json::object());
}

TEST_CASE("adaptive characteristics: the typed values are the JSON's", "[design][json]") {
  {
    const Run& r = runs("group_sequential");
    const InterimCharacteristics& in = r.oc.adaptive.interims.value();
    const StoppingCharacteristics& st = r.oc.adaptive.stopping.value();
    const json& ji = r.summary["interims"];
    const json& js = r.summary["stopping"];
    CHECK_FALSE(in.months);
    CHECK(in.information == ji["information"].get<std::vector<double>>());
    CHECK(in.information.size() == 3);
    CHECK(in.children_at_look == ji["children_at_look"].get<std::vector<std::int64_t>>());
    CHECK(in.critical_values == ji["critical_values"].get<std::vector<double>>());
    CHECK(in.boundary == "spending-obrien-fleming");
    CHECK(in.boundary == ji["boundary"].get<std::string>());
    CHECK(std::isnan(in.parameter));
    CHECK(ji["parameter"].is_null());
    CHECK(in.sides == 2);
    CHECK(in.futility.rule == "conditional-power");
    CHECK(in.futility.threshold.value() == ji["futility"]["threshold"].get<double>());
    CHECK_FALSE(in.futility.bounds);
    CHECK(in.look_months.size() == 2);
    CHECK(in.look_months[1].mean.value == ji["look_months"][1]["mean"].get<double>());
    CHECK(in.look_months[1].trials == ji["look_months"][1]["trials"].get<std::uint64_t>());
    REQUIRE(in.z_distribution.analyses.size() == 3);
    CHECK(in.z_distribution.analyses[2].analysis == 3);
    CHECK(in.z_distribution.analyses[2].quantiles[3] == ji["z_distribution"]["analyses"][2]["quantiles"]["0.5"].get<double>());
    CHECK(in.estimate_at_stopping.estimate.bias.value == ji["estimate_at_stopping"]["bias"].get<double>());
    CHECK(in.estimate_at_stopping.meaning == ji["estimate_at_stopping"]["meaning"].get<std::string>());
    REQUIRE(in.estimate_at_stopping_adjusted);
    const json& ja = ji["estimate_at_stopping_adjusted"];
    CHECK_FALSE(ja.contains("model_se"));  // the decision analysis's, in estimate_at_stopping
    CHECK(in.estimate_at_stopping_adjusted->estimate.mean.value == ja["mean"].get<double>());
    CHECK(in.estimate_at_stopping_adjusted->share_below_true.count == ja["share_below_true"]["count"].get<std::uint64_t>());
    CHECK(in.estimate_at_stopping_adjusted->method == "stage-wise ordering");
    // Two-sided: crossings against benefit too; one futility entry per interim look.
    REQUIRE(st.harm);
    CHECK(st.harm->size() == 3);
    CHECK(st.futility.size() == 2);
    std::uint64_t efficacy = 0;
    for (std::size_t k = 0; k < st.efficacy.size(); ++k) {
      CHECK(st.efficacy[k].count == js["efficacy"][k]["count"].get<std::uint64_t>());
      efficacy += st.efficacy[k].count;
    }
    CHECK(st.efficacy_any.count == efficacy);
    CHECK(st.any_interim.estimate.value == js["any_interim"]["estimate"].get<double>());
    CHECK(st.meaning == js["meaning"].get<std::string>());
    CHECK_FALSE(r.oc.adaptive.any_rejection);
  }
  {
    // Looks at calendar months: the observed information, the looks held, mean children (not whole).
    const Run& r = runs("gs_calendar");
    const InterimCharacteristics& in = r.oc.adaptive.interims.value();
    const json& ji = r.summary["interims"];
    REQUIRE(in.months);
    CHECK(*in.months == ji["months"].get<std::vector<double>>());
    REQUIRE(in.held);
    REQUIRE(in.observed_information);
    CHECK(in.held->size() == in.months->size());
    CHECK((*in.held)[0].count == ji["held"][0]["count"].get<std::uint64_t>());
    CHECK((*in.observed_information)[0].fraction.value == ji["observed_information"][0]["estimate"].get<double>());
    CHECK(in.children_at_look.empty());
    CHECK(in.mean_children_at_look == ji["children_at_look"].get<std::vector<double>>());
    CHECK(in.information.back() == 1.0);
    CHECK_FALSE(in.estimate_at_stopping_adjusted);
    CHECK(in.estimate_at_stopping_adjusted_note == ji["estimate_at_stopping_adjusted_note"].get<std::string>());
    CHECK_FALSE(r.oc.adaptive.stopping->harm);  // one-sided
  }
  {
    const Run& r = runs("arm_selection");
    REQUIRE(r.oc.adaptive.any_rejection);
    REQUIRE(r.oc.adaptive.all_rejections);
    CHECK(r.oc.adaptive.any_rejection->count == r.summary["any_rejection"]["count"].get<std::uint64_t>());
    CHECK(r.oc.adaptive.all_rejections->count == r.summary["all_rejections"]["count"].get<std::uint64_t>());
    CHECK(r.oc.adaptive.any_rejection->count >= r.oc.adaptive.all_rejections->count);
  }
  {
    const InterimFutility& f = runs("beta_spending").oc.adaptive.interims.value().futility;
    const json& jf = runs("beta_spending").summary["interims"]["futility"];
    CHECK(f.rule == "beta-spending");
    CHECK(f.spending.value() == "hsd");
    CHECK(f.spending_parameter.value() == -2);
    CHECK(f.planned_effect.value() == 1.42);
    REQUIRE(f.bounds);
    CHECK(*f.bounds == jf["bounds"].get<std::vector<double>>());
    CHECK(f.bounds->size() == 2);
    CHECK(f.drift.value() == jf["drift"].get<double>());
    CHECK(f.beta.value() == jf["beta"].get<double>());
    CHECK_FALSE(f.threshold);
    CHECK(f.meaning == jf["meaning"].get<std::string>());
  }
}

TEST_CASE("adaptive designs: the typed values are the JSON's", "[design][json]") {
  {
    const Run& r = runs("ssr_promising_zone");
    const ReestimationCharacteristics& x = r.oc.adaptive.sample_size_reestimation.value();
    const InterimSampleSize& n = r.oc.adaptive.sample_size.value();
    const json& j = r.summary["sample_size_reestimation"];
    const json& ss = r.summary["sample_size"];
    CHECK(x.rule == "promising-zone");
    CHECK(x.rule == j["rule"].get<std::string>());
    REQUIRE(x.promising_zone);
    CHECK(x.promising_zone->lower == j["promising_zone"]["lower"].get<double>());
    CHECK(x.promising_zone->lower < x.promising_zone->upper);
    CHECK(x.max_sample_size == j["max_sample_size"].get<std::int64_t>());
    CHECK(x.max_sample_size > x.planned_sample_size);
    CHECK(x.at_look == j["at_look"].get<std::uint64_t>());
    REQUIRE(x.weights.size() == 2);
    CHECK(std::fabs(x.weights[0] * x.weights[0] + x.weights[1] * x.weights[1] - 1) < 1e-12);
    CHECK(x.weights[0] == j["weights"][0].get<double>());
    CHECK(x.increase.count == j["increase"]["count"].get<std::uint64_t>());
    CHECK(x.increase.count + x.no_increase.count == x.increase.of);
    CHECK(x.increase.meaning == j["increase"]["meaning"].get<std::string>());
    REQUIRE(x.zones);
    CHECK(x.zones->promising.count == j["zones"]["promising"]["count"].get<std::uint64_t>());
    CHECK(x.zones->unfavourable.count + x.zones->promising.count + x.zones->favourable.count <= x.zones->promising.of);
    CHECK(x.sample_size_if_increased.mean.trials == x.increase.count);
    CHECK(x.sample_size_if_increased.mean.mean.value == j["sample_size_if_increased"]["mean"].get<double>());
    CHECK(x.naive_test.estimate.mc_se == j["naive_test"]["mc_se"].get<double>());
    // The keys re-estimation adds to sample_size and duration_months.
    CHECK(n.planned.value() == x.planned_sample_size);
    CHECK(n.max == x.max_sample_size);
    CHECK(n.max_observed.value() == ss["max_observed"].get<std::int64_t>());
    CHECK(n.max_observed.value() <= n.max);
    CHECK(n.expected.value == ss["expected"].get<double>());
    CHECK(n.expected.value == r.oc.sample_size.randomised_mean.value);
    CHECK(n.distribution.q50 == ss["quantiles"]["0.5"].get<double>());
    CHECK(n.distribution.unit == ss["distribution"]["unit"].get<std::string>());
    REQUIRE(r.oc.adaptive.duration);
    CHECK(r.oc.adaptive.duration->expected.value == r.oc.duration_months.value().mean.value);
    CHECK(r.oc.adaptive.duration->max_observed.value() == r.summary["duration_months"]["max_observed"].get<double>());
  }
  {
    const Run& r = runs("adaptive_enrichment");
    const EnrichmentCharacteristics& x = r.oc.adaptive.enrichment.value();
    const json& j = r.summary["enrichment"];
    CHECK(x.subgroup == j["subgroup"].get<std::string>());
    CHECK(x.rule.name == j["rule"]["name"].get<std::string>());
    CHECK(x.critical_values == j["critical_values"].get<std::vector<double>>());
    const std::uint64_t n = x.selection.full.of;
    CHECK(x.selection.full.count + x.selection.subgroup.count + x.selection.stopped_futility.count +
              x.selection.stopped_efficacy.count <= n);
    CHECK(x.final_population.stopped.count == x.selection.stopped_futility.count + x.selection.stopped_efficacy.count);
    CHECK(x.claim.both.value().count == j["claim"]["both"]["count"].get<std::uint64_t>());
    CHECK(x.claim.any.count == x.claim.full.count + x.claim.subgroup.count - x.claim.both->count);
    CHECK_FALSE(x.naive_test.both);
    CHECK_FALSE(j["naive_test"].contains("both"));
    CHECK(x.by_selection.subgroup.screened_mean.mean.value == j["by_selection"]["subgroup"]["screened_mean"]["mean"].get<double>());
    CHECK(x.by_selection.full.duration_months.trials == j["by_selection"]["full"]["duration_months"]["trials"].get<std::uint64_t>());
    CHECK(x.naive_test.any.estimate.value == j["naive_test"]["any"]["estimate"].get<double>());
    CHECK(x.prevalence.has_value() == j.contains("prevalence"));
  }
  {
    const Run& r = runs("arm_selection");
    const ArmSelectionCharacteristics& x = r.oc.adaptive.arm_selection.value();
    const json& j = r.summary["arm_selection"];
    CHECK(x.arms == j["arms"].get<std::vector<std::string>>());
    CHECK(x.arms.size() == 2);
    REQUIRE(x.selected.size() == x.arms.size());
    CHECK(x.selected[1].arm == x.arms[1]);
    CHECK(x.selected[1].share.count == j["selected"][1]["count"].get<std::uint64_t>());
    CHECK(x.final_selection.size() == 3);  // every non-empty set of two arms
    CHECK(x.final_selection[2].arms == j["final_selection"][2]["arms"].get<std::vector<std::string>>());
    CHECK(x.final_selection[2].arms.size() == 2);
    CHECK(x.claim_any.count == j["claim_any"]["count"].get<std::uint64_t>());
    CHECK(x.fwer.null_arms == j["fwer"]["null_arms"].get<std::vector<std::string>>());
    CHECK(x.fwer.share.meaning == j["fwer"]["meaning"].get<std::string>());
    CHECK(x.naive_test.claim.size() == x.arms.size());
    CHECK(x.naive_test.false_claim.count == j["naive_test"]["false_claim"]["count"].get<std::uint64_t>());
    CHECK(x.outcome.continued.count + x.outcome.stopped_futility.count + x.outcome.stopped_efficacy.count <=
          x.outcome.continued.of);
    CHECK(std::isfinite(x.rule.threshold) == j["rule"]["threshold"].is_number());
  }
}

TEST_CASE("adaptive characteristics: a missing or mistyped key is a located error", "[design][json][errors]") {
  const json summary = runs("group_sequential").summary;
  REQUIRE(read_error(summary).empty());

  json j = summary;
  j["interims"]["estimate_at_stopping_adjusted"].erase("share_below_true");
  CHECK_THAT(read_error(j), Catch::Contains("summary.json") &&
                                Catch::Contains("interims.estimate_at_stopping_adjusted.share_below_true") &&
                                Catch::Contains("is missing"));
  j = summary;
  j["interims"]["z_distribution"]["analyses"][1]["quantiles"].erase("0.9");
  CHECK_THAT(read_error(j), Catch::Contains("interims.z_distribution.analyses[1].quantiles.0.9") && Catch::Contains("is missing"));
  j = summary;
  j["interims"]["futility"]["binding"] = "no";
  CHECK_THAT(read_error(j), Catch::Contains("interims.futility.binding") && Catch::Contains("should be true or false, not a string"));
  j = summary;
  j["interims"]["children_at_look"][0] = 146.5;  // planned looks: whole children
  CHECK_THAT(read_error(j), Catch::Contains("interims.children_at_look[0]") && Catch::Contains("should be an integer"));
  j = summary;
  j["stopping"]["futility"][1]["of"] = -1;
  CHECK_THAT(read_error(j), Catch::Contains("stopping.futility[1].of") && Catch::Contains("integer >= 0"));
  j = summary;
  j["stopping"]["harm"] = json::object();
  CHECK_THAT(read_error(j), Catch::Contains("stopping.harm: should be an array, not an object"));
  j = summary;
  j["any_rejection"] = 0.5;
  CHECK_THAT(read_error(j), Catch::Contains("any_rejection: should be an object, not a number"));

  json calendar = runs("gs_calendar").summary;
  REQUIRE(read_error(calendar).empty());
  calendar["interims"]["observed_information"][0].erase("trials");
  CHECK_THAT(read_error(calendar), Catch::Contains("interims.observed_information[0].trials") && Catch::Contains("is missing"));
}

TEST_CASE("adaptive designs: a missing or mistyped key is a located error", "[design][json][errors]") {
  json ssr = runs("ssr_promising_zone").summary;
  REQUIRE(read_all_error(ssr).empty());
  json j = ssr;
  j["sample_size_reestimation"]["zones"].erase("promising");
  CHECK_THAT(read_all_error(j), Catch::Contains("summary.json") && Catch::Contains("sample_size_reestimation.zones.promising") &&
                                    Catch::Contains("is missing"));
  j = ssr;
  j["sample_size_reestimation"]["sample_size_if_increased"]["trials"] = "many";
  CHECK_THAT(read_all_error(j), Catch::Contains("sample_size_reestimation.sample_size_if_increased.trials") &&
                                    Catch::Contains("integer >= 0"));
  j = ssr;
  j["sample_size"]["max_observed"] = 300.5;
  CHECK_THAT(read_all_error(j), Catch::Contains("sample_size.max_observed") && Catch::Contains("should be an integer"));
  j = ssr;
  j["sample_size"]["distribution"].erase("unit");
  CHECK_THAT(read_all_error(j), Catch::Contains("sample_size.distribution.unit") && Catch::Contains("is missing"));
  j = ssr;
  j["duration_months"].erase("expected_mc_se");
  CHECK_THAT(read_all_error(j), Catch::Contains("duration_months.expected_mc_se") && Catch::Contains("is missing"));

  json en = runs("adaptive_enrichment").summary;
  REQUIRE(read_all_error(en).empty());
  j = en;
  j["enrichment"]["by_selection"]["subgroup"]["screened_mean"].erase("mc_se");
  CHECK_THAT(read_all_error(j), Catch::Contains("enrichment.by_selection.subgroup.screened_mean.mc_se") &&
                                    Catch::Contains("is missing"));
  j = en;
  j["enrichment"]["rule"]["subgroup_threshold"] = "high";
  CHECK_THAT(read_all_error(j), Catch::Contains("enrichment.rule.subgroup_threshold") &&
                                    Catch::Contains("should be a number or null, not a string"));

  json as = runs("arm_selection").summary;
  REQUIRE(read_all_error(as).empty());
  j = as;
  j["arm_selection"]["final_selection"][0]["arms"] = "a";
  CHECK_THAT(read_all_error(j), Catch::Contains("arm_selection.final_selection[0].arms") &&
                                    Catch::Contains("should be an array, not a string"));
  j = as;
  j["arm_selection"]["fwer"].erase("null_arms");
  CHECK_THAT(read_all_error(j), Catch::Contains("arm_selection.fwer.null_arms") && Catch::Contains("is missing"));
  j = as;
  j["arm_selection"]["naive_test"]["claim"][1].erase("arm");
  CHECK_THAT(read_all_error(j), Catch::Contains("arm_selection.naive_test.claim[1].arm") && Catch::Contains("is missing"));
}

TEST_CASE("adaptive designs: blocks that do not fit together are a located error", "[design][json][errors]") {
  // Lists of one entry per analysis, look or arm whose lengths disagree, and a design's block without
  // its interim look: refused (exit 65) naming the key, so that no reader indexes past a list.
  const json as = runs("arm_selection").summary;
  json j = as;
  j["arm_selection"]["selected"] = json::array();
  CHECK_THAT(read_all_error(j), Catch::Contains("arm_selection.selected") && Catch::Contains("0 entries for the 2 arms"));
  j = as;
  j["arm_selection"]["weights"] = json::array({0.5});
  CHECK_THAT(read_all_error(j), Catch::Contains("arm_selection.weights") && Catch::Contains("two stages"));
  j = as;
  j.erase("interims");
  j.erase("stopping");
  CHECK_THAT(read_all_error(j), Catch::Contains("arm_selection") && Catch::Contains("without 'interims'"));

  const json gs = runs("group_sequential").summary;
  j = gs;
  j["interims"]["critical_values"].erase(0);
  CHECK_THAT(read_all_error(j), Catch::Contains("interims.critical_values") && Catch::Contains("has 2 entries") &&
                                    Catch::Contains("3 analyses"));
  j = gs;
  j["stopping"]["futility"].push_back(j["stopping"]["futility"][0]);
  CHECK_THAT(read_all_error(j), Catch::Contains("stopping.futility") && Catch::Contains("has 3 entries"));
  j = gs;
  j["interims"]["information"] = json::array({1.0});
  CHECK_THAT(read_all_error(j), Catch::Contains("interims.information") && Catch::Contains("at least one look"));
  j = gs;
  j.erase("stopping");
  CHECK_THAT(read_all_error(j), Catch::Contains("stopping") && Catch::Contains("come together"));

  const json ssr = runs("ssr_promising_zone").summary;
  j = ssr;
  j["sample_size"].erase("planned");
  CHECK_THAT(read_all_error(j), Catch::Contains("sample_size") && Catch::Contains("'planned'"));
  // The whole summary.json reader gives the same errors.
  CHECK_THROWS_AS(operating_characteristics_from_json(j), Error);
}
