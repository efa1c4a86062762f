#include "celltrial/design/study.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>

#include <boost/math/distributions/students_t.hpp>

#include "celltrial/analysis/trial_analysis.hpp"
#include "celltrial/core/error.hpp"
#include "celltrial/design/nuisance.hpp"
#include "celltrial/design/operating_characteristics.hpp"
#include "celltrial/design/sample_size.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/scenario/io.hpp"

namespace celltrial {

namespace {
nlohmann::json num(double x) { return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr); }

void say(const StudyOptions& o, const std::string& m) {
  if (o.log) o.log(m);
}

// Ages in words: whole years when the bound is (just below) a whole year.
std::string age_text(double m, bool upper) {
  char buf[64];
  const double years = std::round(m / 12);
  if (std::fabs(m - 12 * years) < 1e-9) std::snprintf(buf, sizeof buf, "%g year%s", years, years == 1 ? "" : "s");
  else if (upper && 12 * years - m > 0 && 12 * years - m <= 0.05) std::snprintf(buf, sizeof buf, "under %g years", years);
  else std::snprintf(buf, sizeof buf, "%g months", m);
  return buf;
}
}  // namespace

std::string eligibility_text(const Scenario& s) {
  const auto& el = s.population.eligibility;
  const auto& age = s.population.age;
  if (s.population.outcome_model != OutcomeModel::cp) return "everyone randomised (generic endpoint)";
  // Ages that can occur: the intersection of the age distribution's range and the eligibility.
  double lo = el.min_age_months, hi = el.max_age_months;
  if (age.distribution == AgeDistribution::uniform) {
    lo = std::max(lo, age.min_months);
    hi = std::min(hi, age.max_months);
  } else if (age.distribution == AgeDistribution::table && !age.table_edges.empty()) {
    lo = std::max(lo, age.table_edges.front());
    hi = std::min(hi, age.table_edges.back());
  }
  std::string out = "aged " + age_text(lo, false) + " to " + age_text(hi, true);
  std::string levels;
  std::size_t count = 0;
  for (int l = 0; l < kGmfcsLevels; ++l)
    if (el.gmfcs[static_cast<std::size_t>(l)] && s.population.cp.mix[static_cast<std::size_t>(l)] > 0) {
      levels += (levels.empty() ? "" : ",") + std::string(kGmfcsNames[static_cast<std::size_t>(l)]);
      ++count;
    }
  out += count == kGmfcsLevels ? ", all GMFCS levels" : ", GMFCS " + levels;
  if (el.min_weight_kg > 0) out += ", weight >= " + format_number(el.min_weight_kg) + " kg";
  if (el.max_weight_kg < 1000) out += ", weight <= " + format_number(el.max_weight_kg) + " kg";
  if (el.min_ucb_tnc_per_kg > 0) {
    char buf[64];
    std::snprintf(buf, sizeof buf, ", a cord blood unit giving >= %.3g TNC/kg", el.min_ucb_tnc_per_kg);
    out += buf;
  }
  return out;
}

std::vector<Variant> enrichment_variants(const EnrichmentSection& e) {
  std::vector<Variant> out;
  for (const auto& [name, sets] : e.strategies) {
    Variant v{"in enrichment strategy '" + name + "'", {}};
    for (const auto& [k, val] : sets) v.overrides.push_back(k + "=" + val);
    out.push_back(v);
  }
  return out;
}

std::vector<Variant> tornado_variants(const TornadoSection& t) {
  std::vector<Variant> out{{"in the tornado's base", {}}};
  for (const auto& [key, lh] : t.vary) {
    out.push_back({"in the tornado's low value of " + key, {key + "=" + lh.first}});
    out.push_back({"in the tornado's high value of " + key, {key + "=" + lh.second}});
  }
  return out;
}

nlohmann::json run_enrichment(const std::vector<Scenario>& scenarios, const EnrichmentSection& e, const StudyOptions& opt) {
  CELLTRIAL_ASSERT(scenarios.size() == e.strategies.size());
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    const Scenario& s = scenarios[i];
    const std::string& name = e.strategies[i].first;
    say(opt, "strategy " + name + ": searching for the sample size with power " + format_number(e.target_power));
    SampleSizeSearch search;
    search.target = e.target_power;
    search.trials = opt.search_trials;
    search.max_trials = opt.search_max_trials;
    search.confidence = opt.search_confidence;
    search.n_max = opt.search_n_max;
    search.threads = opt.threads;
    search.stop = opt.stop;
    search.log = opt.log;
    const SampleSizeResult r = find_sample_size(s, search);
    // Screening, safety and enrolment at the chosen size.
    Scenario at = s;
    at.design.sample_size = r.n_total;
    at.simulation.trials = std::min<std::uint64_t>(r.trials, 4000);
    EngineOptions eo;
    eo.threads = opt.threads;
    eo.stop = opt.stop;
    const Model model(at);
    const Accumulator acc = run_trials(model, eo);
    const OperatingCharacteristics oc = operating_characteristics(at, acc, model.truth());
    double sae = 0, sae_var = 0;
    for (std::size_t a = 0; a < at.arms.size(); ++a) {
      sae += acc.arm(a).sae.mean();
      sae_var += std::pow(acc.arm(a).sae.mc_se(), 2);  // arms are simulated independently
    }
    const double ratio = oc.sample_size.screened_per_randomised.value;
    const double ratio_se = acc.screened().mc_se() / static_cast<double>(r.n_total);
    const double screened = ratio * static_cast<double>(r.n_total);
    // Months of accrual from the recruitment model when the scenario has one (screening failures
    // take their time there too), else from the flat screening rate, else not reported.
    std::array<nlohmann::json, 3> accrual{nullptr, nullptr, nullptr};
    if (at.design.accrual.modelled())
      accrual = {num(acc.accrual_months().moments.mean()), num(acc.accrual_months().moments.mc_se()), "design.accrual"};
    else if (e.screened_per_month > 0)
      accrual = {num(screened / e.screened_per_month), num(ratio_se * static_cast<double>(r.n_total) / e.screened_per_month),
                 "enrichment.screened_per_month"};
    nlohmann::json sets = nlohmann::json::object();
    for (const auto& [k, v] : e.strategies[i].second) sets[k] = v;
    nlohmann::json curve = nlohmann::json::array();
    for (const auto& p : r.curve) curve.push_back({{"n", p.n}, {"power", p.power}, {"mc_se", p.mc_se}, {"trials", p.trials}});
    rows.push_back({{"strategy", name},
                    {"overrides", sets},
                    {"claim_population", eligibility_text(s)},
                    {"n_total", r.n_total},
                    {"n_per_arm", r.n_per_arm},
                    {"n_crossing", num(r.n_total_exact)},
                    {"power", r.power},
                    {"power_mc_se", r.power_mc_se},
                    {"confidence", r.confidence},
                    {"reached", r.reached},
                    {"trials_per_candidate", r.trials},
                    {"true_effect", num(acc.truth(0))},
                    {"true_effect_mc_se", num(model.truth().effect_mc_se[0])},
                    {"screened_per_randomised", num(ratio)},
                    {"screened_per_randomised_mc_se", num(ratio_se)},
                    {"screened_total", num(screened)},
                    {"screened_total_mc_se", num(ratio_se * static_cast<double>(r.n_total))},
                    {"accrual_months", accrual[0]},
                    {"accrual_months_mc_se", accrual[1]},
                    {"accrual_source", accrual[2]},
                    {"expected_sae", num(sae)},
                    {"expected_sae_mc_se", num(std::sqrt(sae_var))},
                    {"share_under_5_years", num(oc.enrolled.share_under_5_years.value)},
                    {"share_under_5_years_mc_se", num(oc.enrolled.share_under_5_years.mc_se)},
                    {"share_gmfcs_I_III", num(oc.enrolled.share_gmfcs_I_III.value)},
                    {"share_gmfcs_I_III_mc_se", num(oc.enrolled.share_gmfcs_I_III.mc_se)},
                    {"curve", curve}});
  }
  return rows;
}

nlohmann::json run_tornado(const std::vector<Scenario>& scenarios, const TornadoSection& t, const StudyOptions& opt,
                           const Accumulator* base_run) {
  CELLTRIAL_ASSERT(scenarios.size() == 1 + 2 * t.vary.size());
  CELLTRIAL_ASSERT(base_run == nullptr || base_run->trials() == scenarios[0].simulation.trials);
  const auto variants = tornado_variants(t);
  // Power and its MC SE per variant; and for the bars' ends, whether each trial rejected.
  std::vector<std::pair<double, double>> power;
  std::vector<std::vector<std::uint8_t>> rejected(scenarios.size());
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    Accumulator run;
    if (i > 0 || base_run == nullptr) {
      say(opt, "tornado: " + (i == 0 ? std::string("base") : variants[i].name.substr(std::string("in the tornado's ").size())));
      EngineOptions eo;
      eo.threads = opt.threads;
      eo.stop = opt.stop;
      if (i > 0) {
        rejected[i].assign(scenarios[i].simulation.trials, 0);
        eo.on_trial = [&r = rejected[i]](std::uint64_t trial, const TrialResult& x) {
          r[trial] = x.comparisons[0].estimable && x.comparisons[0].reject_favourable;
        };
      }
      run = run_trials(Model(scenarios[i]), eo);
    }
    const Accumulator& acc = i == 0 && base_run != nullptr ? *base_run : run;
    const double tr = static_cast<double>(acc.trials());
    const double p = static_cast<double>(acc.comparison(0).rejections_favourable) / tr;
    power.emplace_back(p, std::sqrt(p * (1 - p) / tr));
  }
  // The MC SE of a bar's swing: trial i of both ends uses the same random streams, so the pairs
  // (high_i, low_i) are independent draws and the SE of the mean difference comes from their
  // differences (usually far below treating the ends as independent). Ends with different trial
  // counts cannot be paired: then the independent-runs bound.
  auto swing_se = [&](std::size_t lo, std::size_t hi) {
    const auto& a = rejected[lo];
    const auto& b = rejected[hi];
    if (a.size() != b.size() || a.size() < 2) return std::hypot(power[lo].second, power[hi].second);
    std::int64_t sum = 0, sum_sq = 0;
    for (std::size_t j = 0; j < a.size(); ++j) {
      const int d = b[j] - a[j];
      sum += d;
      sum_sq += d * d;
    }
    const double n = static_cast<double>(a.size()), mean = static_cast<double>(sum) / n;
    const double var = std::max(0.0, (static_cast<double>(sum_sq) / n - mean * mean) * n / (n - 1));
    return std::sqrt(var / n);
  };
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t k = 0; k < t.vary.size(); ++k) {
    const auto& lo = power[1 + 2 * k];
    const auto& hi = power[2 + 2 * k];
    rows.push_back({{"key", t.vary[k].first},
                    {"low", t.vary[k].second.first},
                    {"high", t.vary[k].second.second},
                    {"power_low", lo.first},
                    {"power_low_mc_se", lo.second},
                    {"power_high", hi.first},
                    {"power_high_mc_se", hi.second},
                    {"swing", std::fabs(hi.first - lo.first)},
                    {"swing_mc_se", swing_se(1 + 2 * k, 2 + 2 * k)}});
  }
  std::stable_sort(rows.begin(), rows.end(),
                   [](const nlohmann::json& a, const nlohmann::json& b) { return a["swing"].get<double>() > b["swing"].get<double>(); });
  return {{"base", {{"power", power[0].first}, {"mc_se", power[0].second}}},
          {"trials", scenarios[0].simulation.trials},
          {"seed", scenarios[0].simulation.seed},
          {"metric", "power of the first comparison (favourable rejection)"},
          {"rows", rows}};
}

std::vector<Variant> design_variants(const DesignsSection& d, bool null) {
  std::vector<Variant> out;
  for (const auto& [name, sets] : d.variants) {
    Variant v{std::string(null ? "in the null twin of design '" : "in design '") + name + "'", {}};
    for (const auto& [k, val] : sets) v.overrides.push_back(k + "=" + val);
    if (null)
      for (const auto& [k, val] : d.null_overrides) v.overrides.push_back(k + "=" + val);
    out.push_back(v);
  }
  return out;
}

namespace {
struct DesignRun {
  OperatingCharacteristics characteristics;
  std::vector<std::uint8_t> rejected;  ///< per trial: the design's favourable claim (primary comparison)
};

DesignRun run_design(const Scenario& s, const StudyOptions& opt) {
  DesignRun out;
  out.rejected.assign(s.simulation.trials, 0);
  EngineOptions eo;
  eo.threads = opt.threads;
  eo.stop = opt.stop;
  eo.on_trial = [&r = out.rejected](std::uint64_t trial, const TrialResult& x) {
    r[trial] = x.comparisons[0].estimable && x.comparisons[0].reject_favourable;
  };
  const Model model(s);
  const Accumulator acc = run_trials(model, eo);
  out.characteristics = operating_characteristics(s, acc, model.truth());
  return out;
}

}  // namespace

nlohmann::json run_designs(const std::vector<Scenario>& designs, const std::vector<Scenario>& nulls, const DesignsSection& d,
                           const StudyOptions& opt) {
  CELLTRIAL_ASSERT(designs.size() == d.variants.size() && (nulls.empty() || nulls.size() == designs.size()));
  nlohmann::json rows = nlohmann::json::array();
  std::vector<std::uint8_t> first;
  for (std::size_t i = 0; i < designs.size(); ++i) {
    const Scenario& s = designs[i];
    const std::string& name = d.variants[i].first;
    say(opt, "design " + name + ": " + std::to_string(s.simulation.trials) + " trials");
    DesignRun run = run_design(s, opt);
    const double trials = static_cast<double>(s.simulation.trials);
    std::int64_t count = 0;
    for (auto x : run.rejected) count += x;
    const double power = static_cast<double>(count) / trials;
    nlohmann::json row = {{"design", name}, {"power", power}, {"power_mc_se", std::sqrt(power * (1 - power) / trials)}};
    nlohmann::json sets = nlohmann::json::object();
    for (const auto& [k, v] : d.variants[i].second) sets[k] = v;
    row["overrides"] = sets;
    // The paired difference from the first design: trial j of both draws the same children.
    if (i == 0) {
      first = run.rejected;
      row["power_difference"] = nullptr;
      row["power_difference_mc_se"] = nullptr;
    } else if (first.size() == run.rejected.size() && first.size() > 1) {
      std::int64_t sum_d = 0, sum_sq = 0;
      for (std::size_t j = 0; j < first.size(); ++j) {
        const int diff = run.rejected[j] - first[j];
        sum_d += diff;
        sum_sq += diff * diff;
      }
      const double n = static_cast<double>(first.size()), mean = static_cast<double>(sum_d) / n;
      const double var = std::max(0.0, (static_cast<double>(sum_sq) / n - mean * mean) * n / (n - 1));
      row["power_difference"] = mean;
      row["power_difference_mc_se"] = std::sqrt(var / n);
    } else {
      row["power_difference"] = nullptr;
      row["power_difference_mc_se"] = nullptr;
    }
    // N: the expected number randomised (a fixed design randomises its sample size in every trial).
    const AdaptiveCharacteristics& adaptive = run.characteristics.adaptive;
    if (adaptive.sample_size) {
      row["expected_n"] = num(adaptive.sample_size->expected.value);
      row["expected_n_mc_se"] = num(adaptive.sample_size->expected.mc_se);
      row["max_n"] = adaptive.sample_size->max;
    } else {
      row["expected_n"] = num(run.characteristics.sample_size.randomised_mean.value);
      row["expected_n_mc_se"] = 0.0;
      row["max_n"] = s.design.sample_size;
    }
    const std::optional<Distribution>& duration = run.characteristics.duration_months;
    row["expected_duration_months"] = duration ? num(duration->mean.value) : nlohmann::json(nullptr);
    row["expected_duration_months_mc_se"] = duration ? num(duration->mean.mc_se) : nlohmann::json(nullptr);
    // A claim in the responders: the closed test's claim in the enrichment subgroup, else the
    // multiplicity-adjusted claim in the named confirmatory subgroup.
    row["claim_responders"] = nullptr;
    row["claim_responders_mc_se"] = nullptr;
    row["claim_responders_source"] = "no confirmatory claim in the responders in this design";
    if (adaptive.enrichment) {
      row["claim_responders"] = num(adaptive.enrichment->claim.subgroup.estimate.value);
      row["claim_responders_mc_se"] = num(adaptive.enrichment->claim.subgroup.estimate.mc_se);
      row["claim_responders_source"] = "adaptive enrichment: closed-test claim in subgroup " + s.design.interims.enrichment.subgroup;
    } else if (!d.responders.empty()) {
      for (const SubgroupCharacteristics& g : run.characteristics.subgroups)
        if ((g.name == d.responders || g.hypothesis == d.responders) && g.confirmatory) {
          row["claim_responders"] = json_number(g.power.estimate.value);
          row["claim_responders_mc_se"] = json_number(g.power.estimate.mc_se);
          row["claim_responders_source"] = "confirmatory subgroup " + d.responders + " (multiplicity-adjusted)";
        }
    }
    row["type1"] = nullptr;
    row["type1_mc_se"] = nullptr;
    row["type1_source"] = nullptr;
    if (!nulls.empty()) {
      say(opt, "design " + name + ", null twin: " + std::to_string(nulls[i].simulation.trials) + " trials");
      const DesignRun n = run_design(nulls[i], opt);
      if (const auto& enrichment = n.characteristics.adaptive.enrichment) {
        row["type1"] = num(enrichment->claim.any.estimate.value);
        row["type1_mc_se"] = num(enrichment->claim.any.estimate.mc_se);
        row["type1_source"] = "family-wise: any claim (everyone or the subgroup) with every effect 0";
      } else {
        std::int64_t k = 0;
        for (auto x : n.rejected) k += x;
        const double nt = static_cast<double>(n.rejected.size()), p = static_cast<double>(k) / nt;
        row["type1"] = p;
        row["type1_mc_se"] = std::sqrt(p * (1 - p) / nt);
        row["type1_source"] = "favourable claim in the primary comparison with every effect 0";
      }
    }
    rows.push_back(row);
  }
  return rows;
}

nlohmann::json typical_trial(const Model& m, std::uint64_t trial) {
  const Scenario& s = m.scenario();
  TrialData d;
  m.simulate(s.simulation.seed, trial, d);
  const TrialAnalysis ancova(m);
  TrialResult r;
  ancova.analyse(d, r);
  const auto active = s.active_arms();
  const std::size_t C = active.size();
  nlohmann::json out = nlohmann::json::array();
  auto add = [&](const std::string& label, const ComparisonResult& x) {
    nlohmann::json row = {{"label", label}, {"estimate", nullptr}, {"low", nullptr}, {"high", nullptr}};
    if (x.estimable) {
      boost::math::students_t_distribution<double> t(static_cast<double>(x.df));
      const double q = boost::math::quantile(boost::math::complement(t, (1 - s.analysis.ci_level) / 2));
      row["estimate"] = x.estimate;
      row["low"] = x.estimate - q * x.se;
      row["high"] = x.estimate + q * x.se;
    }
    out.push_back(row);
  };
  {
    const std::size_t c = 0;  // the first active arm
    add("everyone", r.comparisons[c]);
    for (std::size_t g = 0; g < s.analysis.subgroups.size(); ++g) {
      const SubgroupResult& x = r.subgroups[g * C + c];
      if (!x.applies) continue;
      add(s.analysis.subgroups[g].name, x.inside);
      add("not " + s.analysis.subgroups[g].name, x.outside);
    }
  }
  return out;
}

void load_every_variant(const std::function<Scenario(const std::vector<std::string>&)>& load,
                        const std::vector<std::string>& overrides, const Scenario& s) {
  load_variants(load, overrides, enrichment_variants(s.enrichment));
  if (!s.tornado.vary.empty()) load_variants(load, overrides, tornado_variants(s.tornado));
  std::vector<SweepAxis> axes;
  for (const auto& [k, v] : s.sweep.vary) axes.push_back(SweepAxis{k, v});
  if (!axes.empty()) load_variants(load, overrides, sweep_variants(sweep_grid(axes, s.sweep.zip)));
  if (s.nuisance_grid.active()) nuisance_scenarios(load, overrides, s);
  if (!s.designs.variants.empty()) {
    load_variants(load, overrides, design_variants(s.designs));
    if (!s.designs.null_overrides.empty()) load_variants(load, overrides, design_variants(s.designs, true));
  }
}

}  // namespace celltrial
