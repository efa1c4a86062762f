#include "celltrial/design/operating_characteristics.hpp"

#include <cmath>
#include <limits>

#include "celltrial/design/summary.hpp"
#include "celltrial/model/truth.hpp"

namespace celltrial {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

nlohmann::json json_number(double x) {
  if (!std::isfinite(x)) return nullptr;
  return x;
}

Share share(std::uint64_t x, std::uint64_t n) {
  Share s;
  const double p = n ? static_cast<double>(x) / static_cast<double>(n) : kNaN;
  s.estimate = {p, n ? std::sqrt(p * (1 - p) / static_cast<double>(n)) : kNaN};
  std::tie(s.ci95_low, s.ci95_high) = wilson95(x, n);
  s.count = x;
  s.of = n;
  return s;
}

EffectEstimate effect_estimate(const ComparisonAccumulator& a, double truth_value, double truth_se, bool with_prior,
                               const char* true_source, double ci_level) {
  const std::uint64_t n = a.estimable;
  const double dn = static_cast<double>(n);
  const double emp_se = a.estimate.sd();
  const double rmse = std::sqrt(a.squared_error.mean());
  EffectEstimate e;
  e.mean = {a.estimate.mean(), a.estimate.mc_se()};
  e.truth = {with_prior ? a.truth.mean() : truth_value, with_prior ? std::hypot(a.truth.mc_se(), truth_se) : truth_se};
  e.true_source = true_source;
  e.bias = {a.error.mean(), std::hypot(a.error.mc_se(), truth_se)};
  e.empirical_se = {emp_se, n > 1 ? emp_se / std::sqrt(2.0 * (dn - 1)) : kNaN};
  e.model_se = {a.se.mean(), a.se.mc_se()};
  e.rmse = {rmse, rmse > 0 ? a.squared_error.mc_se() / (2 * rmse) : kNaN};
  const double cov = n ? static_cast<double>(a.covered) / dn : kNaN;
  e.coverage = {cov, n ? std::sqrt(cov * (1 - cov) / dn) : kNaN};
  e.ci_level = ci_level;
  e.estimable_trials = n;
  return e;
}

ComparisonCharacteristics comparison_characteristics(const Scenario& s, const Accumulator& acc, std::size_t c,
                                                     std::size_t arm, const Truth& truth) {
  const ComparisonAccumulator& a = acc.comparison(c);
  const bool with_prior = s.arms[arm].effect_prior.kind != PriorKind::none;
  ComparisonCharacteristics k;
  k.arm = s.arms[arm].name;
  k.label = s.arms[arm].name + " vs " + s.arms[s.control_arm()].name;
  k.power = share(a.rejections, acc.trials());
  k.power_favourable = share(a.rejections_favourable, acc.trials());
  k.power_unadjusted = share(a.rejections_unadjusted_favourable, acc.trials());
  k.estimate = effect_estimate(a, acc.truth(c), truth.effect_mc_se[c], with_prior,
                               with_prior    ? "mean of the per-trial effects drawn from the prior"
                               : truth.exact ? "scenario effect at the primary visit"
                                             : "mean expected effect over eligible children (pre-run)",
                               s.analysis.ci_level);
  // The true effect is the estimand's: with the shift after dropout (what the children lost to
  // follow-up had), and with the intercurrent events under the treatment policy only.
  if (truth.follow_up_trials > 0) {
    const bool events = s.analysis.estimand == Estimand::treatment_policy && !s.design.intercurrent_events.empty();
    const std::string what = events && s.design.mnar() ? "intercurrent events and the shift after dropout"
                             : events                  ? "intercurrent events"
                                                       : "the shift after dropout";
    k.estimate.true_includes = what + ", averaged over " + std::to_string(truth.follow_up_trials) + " pre-run trials";
  }
  if (s.analysis.estimand == Estimand::hypothetical && !s.design.intercurrent_events.empty())
    k.estimate.true_excludes = "intercurrent events (the effect had they not happened)";
  if (with_prior) k.assurance = share(a.rejections_favourable, acc.trials());
  k.safety = share(a.sae_difference_exceeds, acc.trials());
  k.safety_threshold = s.analysis.sae_difference_threshold;
  return k;
}

OperatingCharacteristics operating_characteristics(const Scenario& s, const Accumulator& acc, const Truth& truth) {
  OperatingCharacteristics oc;
  oc.trials = acc.trials();
  oc.seed = s.simulation.seed;
  const auto active = s.active_arms();
  for (std::size_t c = 0; c < active.size(); ++c)
    oc.comparisons.push_back(comparison_characteristics(s, acc, c, active[c], truth));
  return oc;
}

nlohmann::json to_json(const Share& x) {
  return {{"estimate", json_number(x.estimate.value)},
          {"mc_se", json_number(x.estimate.mc_se)},
          {"ci95", {json_number(x.ci95_low), json_number(x.ci95_high)}},
          {"count", x.count},
          {"of", x.of}};
}

nlohmann::json to_json(const EffectEstimate& e) {
  nlohmann::json j = {
      {"mean", json_number(e.mean.value)},
      {"mc_se", json_number(e.mean.mc_se)},
      {"true", json_number(e.truth.value)},
      {"true_mc_se", json_number(e.truth.mc_se)},
      {"true_source", e.true_source},
      {"bias", json_number(e.bias.value)},
      {"bias_mc_se", json_number(e.bias.mc_se)},
      {"empirical_se", json_number(e.empirical_se.value)},
      {"empirical_se_mc_se", json_number(e.empirical_se.mc_se)},
      {"model_se", json_number(e.model_se.value)},
      {"model_se_mc_se", json_number(e.model_se.mc_se)},
      {"rmse", json_number(e.rmse.value)},
      {"rmse_mc_se", json_number(e.rmse.mc_se)},
      {"coverage", json_number(e.coverage.value)},
      {"coverage_mc_se", json_number(e.coverage.mc_se)},
      {"ci_level", e.ci_level},
      {"estimable_trials", e.estimable_trials},
  };
  if (!e.true_includes.empty()) j["true_includes"] = e.true_includes;
  if (!e.true_excludes.empty()) j["true_excludes"] = e.true_excludes;
  return j;
}

nlohmann::json to_json(const ComparisonCharacteristics& c) {
  nlohmann::json j;
  j["arm"] = c.arm;
  j["label"] = c.label;
  j["power"] = to_json(c.power);
  j["power"]["favourable"] = to_json(c.power_favourable);
  j["power_unadjusted"] = to_json(c.power_unadjusted);
  j["power_unadjusted"]["meaning"] = "favourable and significant at alpha without multiplicity adjustment";
  j["estimate"] = to_json(c.estimate);
  if (c.assurance) {
    j["assurance"] = to_json(*c.assurance);
    j["assurance"]["meaning"] = "probability of success: rejection in the favourable direction, averaged over the effect prior";
  }
  j["safety"] = to_json(c.safety);
  j["safety"]["threshold"] = c.safety_threshold;
  j["safety"]["meaning"] = "probability that a trial shows an active - control SAE proportion above the threshold";
  return j;
}

}  // namespace celltrial
