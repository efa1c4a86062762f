// The scenario declarations (scenario/schema.hpp) against the reader, the range checks, the writer,
// `show` and the run identity: for every declared key a non-default value is set with --set and
// must be read, written, loaded back from `show` and change the run's hash; every declared range
// must be enforced. The generated files in docs/ must match what `celltrial schema` prints.
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <yaml-cpp/yaml.h>

#include "celltrial/engine/batch.hpp"
#include "celltrial/scenario/io.hpp"
#include "celltrial/scenario/schema_export.hpp"
#include "test_support.hpp"

using namespace celltrial;
using schema::KeyInfo;
using schema::KeyType;

namespace {

using test::read_text;
using test::source_path;

// The settings a key needs before it is written or can differ from its default, by path prefix
// (declared path, "[]" for a list element). The first matching prefix wins.
// A one-sided spending design with beta-spending futility (the keys that apply to that rule only).
const std::vector<std::string> kBetaSpendingContext{
    "design.accrual={sites: 10, screened_per_site_month: 5}", "analysis.sides=1", "analysis.alpha=0.025",
    "design.interims={information: [0.5], efficacy: {boundary: spending-obrien-fleming}, futility: {rule: "
    "beta-spending, planned_effect: 1.42, planned_sd: 6}}"};
const std::vector<std::pair<std::string, std::vector<std::string>>> kContexts{
    {"population.outcome_model", {"analysis.adjust_for=[]"}},
    {"population.eligibility.min_ucb_tnc_per_kg", {"arms[1].product=ucb"}},
    {"arms[].modifiers.hla_mismatch", {"arms[1].product=ucb"}},
    {"population.generic.intercept_by_visit",
     {"population.outcome_model=generic", "analysis.adjust_for=[]", "population.generic.intercept_by_visit=[1, 2, 3]"}},
    {"population.generic.residual_sd_by_visit",
     {"population.outcome_model=generic", "analysis.adjust_for=[]", "population.generic.residual_sd_by_visit=[3, 4, 5]"}},
    {"population.generic.correlation_matrix",
     {"population.outcome_model=generic", "analysis.adjust_for=[]",
      "population.generic.correlation_matrix=[[1, 0.5, 0.25], [0.5, 1, 0.5], [0.25, 0.5, 1]]"}},
    {"population.generic.", {"population.outcome_model=generic", "analysis.adjust_for=[]"}},
    {"population.age_months.mean", {"population.age_months.distribution=normal"}},
    {"population.age_months.sd", {"population.age_months.distribution=normal"}},
    {"arms[].product.unit_tnc.",
     {"arms[1].product={type: ucb, source_mix: {autologous: 0.2, public: 0.5, sibling: 0.3}}"}},
    {"arms[].dose_response.threshold",
     {"arms[1].product=ucb", "arms[1].dose_response={model: step, reference_dose: 3e7, threshold: 2e7}"}},
    {"arms[].dose_response.below_fraction",
     {"arms[1].product=ucb", "arms[1].dose_response={model: step, reference_dose: 3e7, threshold: 2e7}"}},
    {"arms[].dose_response.ed50", {"arms[1].product=ucb", "arms[1].dose_response={model: emax, reference_dose: 3e7, ed50: 2e7}"}},
    {"arms[].dose_response.hill", {"arms[1].product=ucb", "arms[1].dose_response={model: emax, reference_dose: 3e7, ed50: 2e7}"}},
    {"arms[].dose_response.", {"arms[1].product=ucb", "arms[1].dose_response={model: loglinear, reference_dose: 3e7}"}},
    {"population.age_months.table.",
     {"population.age_months.distribution=table", "population.age_months.table.edges_months=[12, 36, 72]",
      "population.age_months.table.weights=[1, 2]"}},
    {"arms[].product.type", {"arms[1].product={type: ucb}"}},
    {"arms[].product.source_mix", {"arms[1].product={type: ucb}"}},
    {"arms[].product.unit_tnc", {"arms[1].product={type: ucb}"}},
    {"arms[].product.post_thaw_recovery", {"arms[1].product={type: ucb}"}},
    {"arms[].product.target_tnc_per_kg", {"arms[1].product={type: ucb}"}},
    {"arms[].product.bank_choices", {"arms[1].product={type: ucb}"}},
    {"arms[].product.hla_mismatch_mix", {"arms[1].product={type: ucb}"}},
    {"arms[].product.", {"arms[1].product={type: msc}"}},
    {"arms[].product", {"arms[1].product=ucb"}},
    {"arms[].modifiers.age.", {"arms[1].modifiers.age={breaks_months: [60], multipliers: [1.4, 0.6]}"}},
    {"arms[].heterogeneity.sd", {"arms[1].heterogeneity.model=normal"}},
    {"arms[].heterogeneity.responder_fraction", {"arms[1].heterogeneity.model=responders"}},
    {"arms[].effect_prior.values", {"arms[1].effect_prior={distribution: discrete, values: [1, 2], weights: [1, 1]}"}},
    {"arms[].effect_prior.weights", {"arms[1].effect_prior={distribution: discrete, values: [1, 2], weights: [1, 1]}"}},
    {"arms[].effect_prior.",
     {"arms[1].effect_prior={distribution: truncated_normal, mean: 1.4, sd: 0.5, lower: -1, upper: 3}"}},
    {"arms[].effect_prior", {"arms[1].effect_prior={distribution: normal, mean: 1.4, sd: 0.5}"}},
    {"analysis.multiplicity.procedure",
     {"analysis.subgroups=[{name: young, age_months: {max: 48}, confirmatory: true}]",
      "analysis.multiplicity={procedure: holm, hypotheses: [primary, young]}"}},
    {"analysis.multiplicity.",
     {"analysis.subgroups=[{name: young, age_months: {max: 48}, confirmatory: true}]",
      "analysis.multiplicity={procedure: graphical, hypotheses: [primary, young], weights: [0.8, 0.2], "
      "transitions: [[0, 1], [1, 0]]}"}},
    {"analysis.subgroups[].route", {"arms[1].product={type: msc}", "analysis.subgroups=[{name: young, age_months: {max: 48}}]"}},
    {"analysis.subgroups[]", {"arms[1].product=ucb", "analysis.subgroups=[{name: young, age_months: {max: 48}}]"}},
    {"analysis.subgroups", {"analysis.subgroups=[{name: young, age_months: {max: 48}}]"}},
    {"analysis.claims", {"analysis.subgroups=[{name: young, age_months: {max: 48}, confirmatory: true}]"}},
    {"design.accrual.", {"design.accrual={sites: 4, ramp_up_months: 3, screened_per_site_month: 2, cap_per_site: 500}"}},
    {"design.interims.sample_size_reestimation.promising_zone.",
     {"design.accrual={sites: 10, screened_per_site_month: 5}",
      "design.interims={information: [0.5], sample_size_reestimation: {rule: promising-zone, max_sample_size: 600, "
      "promising_zone: {lower: 0.3, upper: 0.7}}}"}},
    {"design.interims.sample_size_reestimation.",
     {"design.accrual={sites: 10, screened_per_site_month: 5}",
      "design.interims={information: [0.5], sample_size_reestimation: {rule: promising-zone, max_sample_size: 600}}"}},
    {"design.interims.enrichment.",
     {"design.accrual={sites: 10, screened_per_site_month: 5}",
      "analysis.subgroups=[{name: young, age_months: {max: 48}}, {name: youngx, gmfcs: [I, II]}]",
      "design.interims={information: [0.5], enrichment: {rule: threshold, subgroup: young}}"}},
    {"design.interims.arm_selection.epsilon",
     {"design.accrual={sites: 10, screened_per_site_month: 5}",
      "arms=[{name: control, role: control}, {name: low, role: active, effect_by_month: {12: 1}}, "
      "{name: high, role: active, effect_by_month: {12: 2}}]",
      "design.interims={information: [0.5], arm_selection: {select: epsilon, epsilon: 0.5}}"}},
    {"design.interims.arm_selection.",
     {"design.accrual={sites: 10, screened_per_site_month: 5}",
      "arms=[{name: control, role: control}, {name: low, role: active, effect_by_month: {12: 1}}, "
      "{name: high, role: active, effect_by_month: {12: 2}}]",
      "design.interims={information: [0.5], arm_selection: {select: best, threshold: 0}}"}},
    {"design.interims.efficacy.parameter",
     {"design.accrual={sites: 10, screened_per_site_month: 5}",
      "design.interims={information: [0.5], efficacy: {boundary: wang-tsiatis, parameter: 0.25}}"}},
    {"design.interims.futility.spending_parameter",
     {"design.accrual={sites: 10, screened_per_site_month: 5}", "analysis.sides=1", "analysis.alpha=0.025",
      "design.interims={information: [0.5], efficacy: {boundary: spending-obrien-fleming}, futility: {rule: "
      "beta-spending, spending: hsd, spending_parameter: -2, planned_effect: 1.42, planned_sd: 6}}"}},
    {"design.interims.futility.spending", kBetaSpendingContext},
    {"design.interims.futility.planned_effect", kBetaSpendingContext},
    {"design.interims.futility.planned_sd", kBetaSpendingContext},
    {"design.interims.months",
     {"design.accrual={sites: 10, screened_per_site_month: 5}",
      "design.interims={months: [30], efficacy: {boundary: spending-obrien-fleming}}"}},
    {"design.interims.",
     {"design.accrual={sites: 10, screened_per_site_month: 5}",
      "design.interims={information: [0.5], futility: {rule: z, threshold: 0}}"}},
    {"design.interims", {"design.accrual={sites: 10, screened_per_site_month: 5}"}},
    {"design.intercurrent_events", {"design.intercurrent_events=[{name: botox, rate_per_month: 0.01, shift_points: 0.5}]"}},
    {"design.delayed_start_month", {"arms[1].product=ucb", "design.visits_months=[6, 12, 24]", "design.delayed_start_month=12"}},
    {"analysis.mmrm.", {"design.visits_months=[1, 6, 12]", "analysis.method=mmrm"}},
    {"analysis.estimand", {"design.visits_months=[3, 6, 12]", "analysis.method=mmrm"}},
    {"sweep.", {"sweep.vary={analysis.alpha: [0.05, 0.025]}"}},
    {"nuisance_grid.", {"nuisance_grid.vary={design.dropout.by_last_visit: [0, 0.1]}"}},
    {"enrichment.", {"enrichment.strategies={all_comers: {}}"}},
    // designs.responders must name a subgroup: "x", the first value the test tries for a text key.
    {"designs.", {"designs.variants={fixed: {}}", "analysis.subgroups=[{name: x, age_months: {max: 48}}]"}},
};

// Keys that no single --set can move away from their value in a valid scenario, and why; each is
// checked by a test of its own elsewhere.
const std::map<std::string, std::string> kFixed{
    {"schema_version", "only version 1 exists"},
    {"arms[].role", "exactly one control arm: a role changes only together with another arm's (test_scenario.cpp)"},
    {"design.interims.futility.binding", "only false is supported; true is refused (test_interims.cpp)"},
    {"design.interims.enrichment.rule", "threshold is the only rule; without it the section is refused (test_enrichment.cpp)"},
};

std::vector<std::string> context_for(const std::string& path) {
  for (const auto& [prefix, sets] : kContexts)
    if (path.rfind(prefix, 0) == 0) return sets;
  return {};
}

/// The --set path of a declared path: the active arm (arms[1]) and the first subgroup.
std::string set_path(std::string path) {
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"arms[]", "arms[1]"}, {"subgroups[]", "subgroups[0]"}, {"intercurrent_events[]", "intercurrent_events[0]"}}) {
    const auto at = path.find(from);
    if (at != std::string::npos) path.replace(at, from.size(), to);
  }
  return path;
}

/// The node at a --set path in the YAML that `to_yaml` writes (undefined when not written).
YAML::Node node_at(const YAML::Node& root, const std::string& path) {
  YAML::Node n = YAML::Clone(root);
  std::string rest = path;
  while (!rest.empty()) {
    const auto dot = rest.find('.');
    std::string part = rest.substr(0, dot);
    rest = dot == std::string::npos ? "" : rest.substr(dot + 1);
    const auto bracket = part.find('[');
    if (!n.IsMap()) return YAML::Node(YAML::NodeType::Undefined);
    if (bracket == std::string::npos) {
      n = n[part];
    } else {
      n = n[part.substr(0, bracket)];
      const std::size_t index = std::stoul(part.substr(bracket + 1));
      if (!n.IsSequence() || index >= n.size()) return YAML::Node(YAML::NodeType::Undefined);
      n = n[index];
    }
    if (!n.IsDefined()) return n;
  }
  return n;
}

std::string flow(const YAML::Node& n) {
  YAML::Emitter e;
  e.SetMapFormat(YAML::Flow);
  e.SetSeqFormat(YAML::Flow);
  e << n;
  return e.c_str();
}

std::string number_text(double x) {
  std::ostringstream s;
  s.precision(12);
  s << x;
  return s.str();
}

std::vector<double> numbers_of(const YAML::Node& n) {
  std::vector<double> v;
  if (n.IsSequence())
    for (const auto& x : n) v.push_back(x.as<double>());
  else if (n.IsScalar())
    v.push_back(n.as<double>());
  return v;
}

std::string list_text(const std::vector<double>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + number_text(v[i]);
  return s + "]";
}

/// Values to try instead of the current one, in order (YAML text for --set).
std::vector<std::string> candidates(const KeyInfo& k, const YAML::Node& current) {
  std::vector<std::string> out;
  switch (k.type) {
    case KeyType::number:
    case KeyType::integer: {
      const double x = current.IsScalar() ? current.as<double>() : 0.0;
      const bool whole = k.type == KeyType::integer;
      for (double y : {x * 1.1, x * 0.9, x + 1, x - 1, x * 0.5, x * 2, 0.5, 1.0, 0.0})
        if (y != x && (!whole || y == std::floor(y))) out.push_back(number_text(y));
      break;
    }
    case KeyType::text: out.push_back((current.IsScalar() ? current.Scalar() : "") + "x"); break;
    case KeyType::choice:
    case KeyType::choice_or_section:
      for (const auto& name : k.names)
        if (!current.IsScalar() || name != current.Scalar()) out.push_back(name);
      break;
    case KeyType::levels:
    case KeyType::choices: {
      std::vector<std::string> now;
      if (current.IsSequence())
        for (const auto& x : current) now.push_back(x.Scalar());
      if (!now.empty()) out.push_back("[]");
      if (now.size() > 1) {  // drop the last
        std::string s = "[";
        for (std::size_t i = 0; i + 1 < now.size(); ++i) s += (i ? ", " : "") + now[i];
        out.push_back(s + "]");
      }
      for (const auto& name : k.names)
        if (std::find(now.begin(), now.end(), name) == now.end()) out.push_back("[" + name + "]");
      break;
    }
    case KeyType::numbers: {
      std::vector<double> v = numbers_of(current);
      if (v.empty()) {
        out = {"[1]", "[60]", "[0.5]"};
        break;
      }
      for (double f : {1.1, 0.9}) {
        std::vector<double> w = v;
        for (double& x : w) x *= f;
        out.push_back(list_text(w));
      }
      std::vector<double> longer = v;
      longer.push_back(v.back() + std::max(1.0, std::fabs(v.back())));
      out.push_back(list_text(longer));
      if (v.size() > 1) out.push_back(list_text(std::vector<double>(v.begin() + 1, v.end())));
      break;
    }
    case KeyType::named: {
      std::vector<std::pair<std::string, double>> v;
      for (const auto& name : k.names) v.emplace_back(name, current[name] ? current[name].as<double>() : 1.0);
      std::string reversed = "{", halved = "{";
      for (std::size_t i = 0; i < v.size(); ++i) {
        reversed += (i ? ", " : "") + v[i].first + ": " + number_text(v[v.size() - 1 - i].second);
        halved += (i ? ", " : "") + v[i].first + ": " + number_text(i == 0 ? v[i].second * 0.5 + 0.25 : v[i].second);
      }
      out = {reversed + "}", halved + "}"};
      break;
    }
    case KeyType::by_month:
      if (current.IsMap() && current.size() > 0) {
        std::string s = "{";
        bool first = true;
        for (const auto& kv : current) {
          s += (first ? "" : ", ") + kv.first.Scalar() + ": " + number_text(kv.second.as<double>() * 1.1 + 0.1);
          first = false;
        }
        out.push_back(s + "}");
      }
      out.push_back("{6: 0.5, 12: 0.75}");
      break;
    case KeyType::texts:
      if (current.IsSequence() && current.size() > 1) {
        std::string s = "[";
        for (std::size_t i = current.size(); i-- > 0;) s += current[i].Scalar() + (i ? ", " : "");
        out.push_back(s + "]");
      }
      break;
    case KeyType::matrix:
      if (current.IsSequence() && current.size() > 0) {
        YAML::Node m = YAML::Clone(current);
        for (std::size_t j = 0; j < m[0].size(); ++j) m[0][j] = m[0][j].as<double>() * 0.5;
        out.push_back(flow(m));
        // Every entry off the diagonal halved: keeps a matrix symmetric with its diagonal.
        YAML::Node o = YAML::Clone(current);
        for (std::size_t i = 0; i < o.size(); ++i)
          for (std::size_t j = 0; j < o[i].size(); ++j)
            if (i != j) o[i][j] = o[i][j].as<double>() * 0.5;
        out.push_back(flow(o));
      }
      break;
    default: break;
  }
  return out;
}

struct Attempt {
  std::optional<Scenario> scenario;
  std::string error;
};

Attempt try_load(const std::string& text, const std::vector<std::string>& sets) {
  try {
    return {load_scenario_text(text, "base.yaml", sets), ""};
  } catch (const Error& e) {
    return {std::nullopt, e.what()};
  }
}

bool is_leaf(const KeyInfo& k) {
  return k.type != KeyType::section && k.type != KeyType::list && k.type != KeyType::free_form && !k.meta.input_only;
}

/// Just outside a declared bound (the value the reader must refuse): the bound itself when it is
/// excluded, else a small step beyond it (1 for an integer key).
double outside(const schema::Bound& b, bool lower, bool integer) {
  if (b.exclusive) return b.value;
  const double step = integer ? 1.0 : std::max(1e-6, std::fabs(b.value) * 1e-6);
  return lower ? b.value - step : b.value + step;
}

}  // namespace

TEST_CASE("schema: every declared key is read, written, shown and part of the run identity", "[scenario][schema]") {
  const std::string base_text = read_text(source_path("scenarios/default.yaml"));
  REQUIRE(!base_text.empty());
  int checked = 0;
  for (const KeyInfo& k : schema::declared_keys()) {
    if (!is_leaf(k) && k.type != KeyType::choice_or_section) continue;
    if (kFixed.count(k.path)) continue;
    INFO("key " << k.path << " (" << schema::to_string(k.type) << ")");
    const std::vector<std::string> context = context_for(k.path);
    const Attempt base = try_load(base_text, context);
    INFO("context: " << (context.empty() ? "none" : context.front()) << "\n" << base.error);
    CHECK(base.scenario);
    if (!base.scenario) continue;
    const std::string base_yaml = to_yaml(*base.scenario);
    const std::string path = set_path(k.path);
    const YAML::Node current = node_at(YAML::Load(base_yaml), path);

    std::optional<Scenario> changed;
    std::string tried;
    for (const std::string& value : candidates(k, current)) {
      std::vector<std::string> sets = context;
      sets.push_back(path + "=" + value);
      Attempt a = try_load(base_text, sets);
      if (a.scenario && to_yaml(*a.scenario) != base_yaml) {
        changed = std::move(a.scenario);
        break;
      }
      tried += "\n  " + value + ": " + (a.scenario ? "loaded, but the written scenario did not change" : a.error);
    }
    INFO("values tried:" << tried);
    CHECK(changed);  // no value moved the key: it is not read, not written, or needs a context above
    if (!changed) continue;
    CHECK(scenario_hash(*changed) != scenario_hash(*base.scenario));
    const Attempt shown = try_load(to_yaml_with_sources(*changed), {});
    INFO(shown.error);
    CHECK(shown.scenario);
    if (shown.scenario) CHECK(to_yaml(*shown.scenario) == to_yaml(*changed));
    ++checked;
  }
  CHECK(checked > 120);
}

TEST_CASE("schema: the writer writes every shipped scenario as the committed results record it", "[scenario][schema]") {
  // results/<name>/scenario.yaml holds the writer's output of the release that made the results
  // (after one comment line); the writer's text is the run identity, so it must not change.
  const std::vector<std::pair<std::string, std::string>> runs{
      {"default.yaml", "ucb_phase3_default"},         {"ipdma_replication.yaml", "ipdma_replication"},
      {"msc_intrathecal.yaml", "msc_intrathecal"},     {"msc_intravenous.yaml", "msc_intravenous"},
      {"ucb_allcomers.yaml", "ucb_allcomers"},         {"ucb_dose_floor.yaml", "ucb_dose_floor"},
      {"ucb_responders.yaml", "ucb_responders"},       {"responder_sensitivity.yaml", "responder_sensitivity"},
      {"validation/null_ancova.yaml", "null_ancova"}, {"validation/reference_ancova.yaml", "reference_ancova"},
      {"longitudinal_ucb.yaml", "longitudinal_ucb"},   {"delayed_treatment.yaml", "delayed_treatment"}};
  for (const auto& [file, folder] : runs) {
    INFO(file);
    std::string recorded = read_text(source_path("results/" + folder + "/scenario.yaml"));
    REQUIRE(recorded.rfind("# Fully resolved scenario", 0) == 0);
    recorded = recorded.substr(recorded.find('\n') + 1);
    CHECK(to_yaml(load_scenario_file(source_path("scenarios/" + file))) == recorded);
    // The file the previous release wrote loads unchanged and writes back the same.
    CHECK(to_yaml(load_scenario_text(recorded, folder + "/scenario.yaml")) == recorded);
  }
}

TEST_CASE("schema: every declared range is enforced, with the key's path", "[scenario][schema][errors]") {
  // A value just outside each declared bound, of a number or of an entry of a list, a matrix or a
  // mapping: the range message names the key (or the entry), whatever other rules the value breaks.
  const std::string base_text = read_text(source_path("scenarios/default.yaml"));
  int checked = 0;
  for (const KeyInfo& k : schema::declared_keys()) {
    const bool entries = k.type == KeyType::numbers || k.type == KeyType::matrix || k.type == KeyType::named;
    if (k.type != KeyType::number && k.type != KeyType::integer && !entries) continue;
    if (k.meta.input_only || kFixed.count(k.path)) continue;
    for (const bool lower : {true, false}) {
      const auto& bound = lower ? k.meta.min : k.meta.max;
      if (!bound) continue;
      std::string value = number_text(outside(*bound, lower, k.type == KeyType::integer)), at = set_path(k.path);
      if (k.type == KeyType::numbers) {
        value = "[" + value + "]";
        at += "[0]";
      } else if (k.type == KeyType::matrix) {
        value = "[[" + value + "]]";
        at += "[0][0]";
      } else if (k.type == KeyType::named) {
        value = "{" + k.names.front() + ": " + value + "}";
        at += "." + k.names.front();
      }
      std::vector<std::string> sets = context_for(k.path);
      sets.push_back(set_path(k.path) + "=" + value);
      INFO("key " << k.path << " = " << value << " (declared " << (lower ? "minimum" : "maximum") << " "
                  << number_text(bound->value) << (bound->exclusive ? ", excluded)" : ")"));
      const Attempt a = try_load(base_text, sets);
      CHECK_FALSE(a.scenario);
      // (or, for an integer beyond what its type holds, the reader's message at the key)
      CHECK_THAT(a.error, Catch::Contains(at + ": must be ") || Catch::Contains(at + ": '" + value + "' is out of range."));
      ++checked;
    }
  }
  CHECK(checked > 80);
}

TEST_CASE("schema: a range error's fix gives the key's meaning and its example", "[scenario][schema][errors]") {
  const std::string base = read_text(source_path("scenarios/default.yaml"));
  Attempt a = try_load(base, {"arms[1].product={type: msc, doses: 0}"});
  REQUIRE_FALSE(a.scenario);
  CHECK_THAT(a.error, Catch::Contains("arms[1].product.doses: must be from 1 to 20 (got 0).") &&
                          Catch::Contains("Fix: give a value from 1 to 20 (MSC: number of doses). MSC trials gave 1-4 doses."));
  a = try_load(base, {"population.male_fraction=1.5"});
  REQUIRE_FALSE(a.scenario);
  CHECK_THAT(a.error, Catch::Contains("population.male_fraction: must be from 0 to 1 (got 1.5).") &&
                          Catch::Contains("(probability that a child is a boy (weight-for-age column, sex subgroups)). e.g. 0.56."));
  // A key with one allowed value.
  a = try_load(base, {"schema_version=2"});
  REQUIRE_FALSE(a.scenario);
  CHECK_THAT(a.error, Catch::Contains("schema_version: must be 1 (got 2).") &&
                          Catch::Contains("Fix: give 1 (scenario format version). This celltrial reads only this version."));
  // Ranges are checked first; the rules between keys run only when every value is in range.
  a = try_load(base, {"analysis.alpha=0.6", "analysis.primary_visit_months=9"});
  REQUIRE_FALSE(a.scenario);
  CHECK_THAT(a.error, Catch::Contains("analysis.alpha: must be from 1e-06 to 0.5 (got 0.6)."));
  CHECK_THAT(a.error, !Catch::Contains("not one of the visits"));
  a = try_load(base, {"analysis.primary_visit_months=9"});
  REQUIRE_FALSE(a.scenario);
  CHECK_THAT(a.error, Catch::Contains("analysis.primary_visit_months") && Catch::Contains("not one of the visits"));
}

TEST_CASE("schema: a declared range is checked even where validation has no check of its own", "[scenario][schema][errors]") {
  // The Hill exponent is checked by validate() only for an emax model; its declared range holds
  // for any model, and the message comes from the declaration.
  const Attempt a = try_load(read_text(source_path("scenarios/default.yaml")), {"arms[1].dose_response.hill=0"});
  REQUIRE_FALSE(a.scenario);
  CHECK_THAT(a.error, Catch::Contains("arms[1].dose_response.hill: must be in (0, 20] (got 0).") &&
                          Catch::Contains("Fix: give a value in (0, 20] (emax: Hill exponent)."));
}

TEST_CASE("schema: every declared list length limit is enforced by validation", "[scenario][schema][errors]") {
  const std::string base_text = read_text(source_path("scenarios/default.yaml"));
  int checked = 0;
  for (const KeyInfo& k : schema::declared_keys()) {
    if (k.type != KeyType::numbers || k.meta.max_items == 0) continue;
    std::vector<double> too_many;
    for (std::size_t i = 1; i <= k.meta.max_items + 1; ++i) too_many.push_back(static_cast<double>(i));
    std::vector<std::string> sets = context_for(k.path);
    sets.push_back(set_path(k.path) + "=" + list_text(too_many));
    INFO("key " << k.path << " with " << too_many.size() << " entries (declared at most " << k.meta.max_items << ")");
    CHECK_FALSE(try_load(base_text, sets).scenario);
    ++checked;
  }
  CHECK(checked >= 1);
}

TEST_CASE("schema: the JSON Schema and the reference in docs/ are the generated ones", "[scenario][schema]") {
  // Regenerate with: celltrial schema > docs/scenario.schema.json, and scripts/docs_reference.sh.
  CHECK(read_text(source_path("docs/scenario.schema.json")) == schema::json_schema_text());
  const std::string doc = read_text(source_path("docs/scenario.md"));
  const std::string begin = "<!-- BEGIN REFERENCE: generated by `celltrial schema --markdown`; do not edit -->\n";
  const std::string end = "<!-- END REFERENCE -->";
  const auto b = doc.find(begin), e = doc.find(end);
  REQUIRE(b != std::string::npos);
  REQUIRE(e != std::string::npos);
  CHECK(doc.substr(b + begin.size(), e - b - begin.size()) == schema::reference_markdown());
}

TEST_CASE("schema: every key the writer writes is declared", "[scenario][schema]") {
  // The writer's keys (of a scenario that uses most sections) must all be declared: a key written
  // but not declared would be missing from the JSON Schema and the reference.
  std::map<std::string, KeyType> declared;
  for (const auto& k : schema::declared_keys()) declared[k.path] = k.type;
  const Attempt full = try_load(read_text(source_path("scenarios/default.yaml")),
                                {"arms[1].product={type: ucb}", "arms[1].effect_prior={distribution: normal, mean: 1, sd: 1}",
                                 "analysis.subgroups=[{name: young, age_months: {max: 48}, gmfcs: [I], sex: male}]",
                                 "design.sham_effect_by_month={6: 1}", "sweep.vary={analysis.alpha: [0.05, 0.025]}",
                                 "enrichment.strategies={all_comers: {}}", "tornado.vary={analysis.alpha: [0.05, 0.025]}"});
  REQUIRE(full.scenario);
  std::vector<std::pair<std::string, YAML::Node>> todo{{"", YAML::Load(to_yaml(*full.scenario))}};
  int seen = 0;
  while (!todo.empty()) {
    auto [prefix, node] = todo.back();
    todo.pop_back();
    if (node.IsSequence()) {  // a list of sections: its first element
      if (node.size() > 0) todo.emplace_back(prefix + "[]", node[0]);
      continue;
    }
    if (!node.IsMap()) continue;
    for (const auto& kv : node) {
      const std::string path = prefix.empty() ? kv.first.Scalar() : prefix + "." + kv.first.Scalar();
      INFO("written key " << path);
      const auto d = declared.find(path);
      CHECK(d != declared.end());
      ++seen;
      if (d != declared.end() &&
          (d->second == KeyType::section || d->second == KeyType::list || d->second == KeyType::choice_or_section))
        todo.emplace_back(path, kv.second);
    }
  }
  CHECK(seen > 100);
}

TEST_CASE("scenario: a prior written as an effect_prior flow mapping reads back as that prior", "[scenario]") {
  using celltrial::stats::parse_prior;
  for (const char* text : {"normal(1.42,0.56)", "truncnormal(1.42,0.56,0,inf)", "discrete(0:0.2,1.42:0.5,2.5:0.3)"}) {
    INFO(text);
    const celltrial::stats::Prior p = parse_prior(text);
    const Scenario s =
        load_scenario_file(source_path("scenarios/default.yaml"), {"arms[1].effect_prior=" + prior_flow_yaml(p)});
    const EffectPrior& e = s.arms[1].effect_prior;
    if (p.kind == celltrial::stats::PriorKind::discrete) {
      CHECK(e.kind == PriorKind::discrete);
      CHECK(e.values == p.values);
      CHECK(e.weights == p.weights);
    } else {
      CHECK(e.kind == (p.kind == celltrial::stats::PriorKind::normal ? PriorKind::normal : PriorKind::truncated_normal));
      CHECK(e.mean == p.mean);
      CHECK(e.sd == p.sd);
      if (p.kind == celltrial::stats::PriorKind::truncated_normal) {
        CHECK(e.lower == p.lower);
        CHECK(e.upper >= 1e300);  // the open upper end
      }
    }
  }
}
