// The typed group-sequential results (summary.json "interims", "stopping") and the shares across
// active arms ("any_rejection", "all_rejections"): written and read through the same fields()
// declarations, on short runs of the shipped scenarios with interim looks.
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
  for (const char* key : {"any_rejection", "all_rejections", "interims", "stopping"})
    if (summary.contains(key)) j[key] = summary[key];
  return j;
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
  }
  // Without interim looks and with one active arm there is nothing to write.
  const Scenario s = load_scenario_file(test::source_path("scenarios/default.yaml"), {"simulation.trials=20"});
  const Model model(s);
  const AdaptiveCharacteristics none = adaptive_characteristics(s, run_trials(model, EngineOptions{}), model.truth());
  CHECK_FALSE(none.any_rejection);
  CHECK_FALSE(none.interims);
  CHECK_FALSE(none.stopping);
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
