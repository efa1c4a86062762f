#include <algorithm>
#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

#include "celltrial/core/error.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/report/summary.hpp"
#include "test_support.hpp"

using namespace celltrial;

namespace {
Scenario cp_scenario(const std::vector<std::string>& overrides) {
  const std::string base = R"(schema_version: 1
name: m
population:
  outcome_model: cp
  age_months: {distribution: uniform, min: 12, max: 72}
  eligibility: {min_age_months: 12, max_age_months: 72}
arms:
  - {name: control, role: control}
  - {name: ucb, role: active, effect_by_month: {12: 1.42}, product: {type: ucb}}
design: {sample_size: 200, visits_months: [12]}
analysis: {primary_visit_months: 12}
simulation: {trials: 100, seed: 5}
)";
  return load_scenario_text(base, "m.yaml", overrides);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
}  // namespace

TEST_CASE("model: control-arm 12-month gains follow the Rosenbaum curves", "[model][calibration]") {
  // Children of one level and a narrow age band; the mean observed change in the control arm
  // must equal the curve's gain: E[limit] * (exp(-a/r) - exp(-(a+12)/r)).
  for (const auto& [level, name, limit, age90] : {std::tuple{0, "I", 87.7, 4.8}, {3, "IV", 40.4, 3.5}}) {
    for (double age : {24.0, 60.0}) {
      const std::string mix = std::string("population.gmfcs_mix={") + name + ": 1}";
      Scenario s = cp_scenario({mix, "population.age_months={distribution: uniform, min: " + std::to_string(age) +
                                         ", max: " + std::to_string(age + 0.001) + "}",
                                "population.eligibility={min_age_months: 0, max_age_months: 100}",
                                "design.sample_size=2000", "population.cp.child_limit_sd=0"});
      const Model m(s);
      TrialData d;
      double sum = 0;
      std::size_t n = 0;
      for (std::uint64_t t = 0; t < 20; ++t) {
        m.simulate(1, t, d);
        for (std::size_t j = 0; j < d.size(); ++j)
          if (d.arm[j] == 0) {
            sum += d.change[j];
            ++n;
          }
      }
      const double r = age90 * 12 / std::log(10.0);
      const double expected = limit * (std::exp(-age / r) - std::exp(-(age + 12) / r));
      // Change SD ~ sqrt(2.9^2 + 2 * 2.9^2) ~ 5; MC SE of the mean over 20,000 children ~ 0.036.
      INFO("level " << name << " age " << age << ": mean change " << sum / static_cast<double>(n) << ", curve " << expected);
      CHECK(std::fabs(sum / static_cast<double>(n) - expected) < 0.15);
    }
  }
}

TEST_CASE("model: younger and milder children gain more in 12 months", "[model][calibration]") {
  auto mean_gain = [](const char* level, double age) {
    Scenario s = cp_scenario({std::string("population.gmfcs_mix={") + level + ": 1}",
                              "population.age_months={distribution: uniform, min: " + std::to_string(age) +
                                  ", max: " + std::to_string(age + 1) + "}",
                              "population.eligibility={min_age_months: 0, max_age_months: 100}", "design.sample_size=4000"});
    const Model m(s);
    TrialData d;
    m.simulate(2, 0, d);
    double sum = 0;
    for (std::size_t j = 0; j < d.size(); ++j) sum += d.change[j];
    return sum / static_cast<double>(d.size());
  };
  CHECK(mean_gain("I", 24) > mean_gain("I", 60) + 3);
  CHECK(mean_gain("II", 36) > mean_gain("IV", 36) + 1);
}

TEST_CASE("model: autologous units reach 2e7 TNC/kg only up to about age 5", "[model][calibration]") {
  Scenario s = cp_scenario({"arms.ucb.product={type: ucb, source_mix: {autologous: 1, public: 0}}",
                            "population.age_months={distribution: uniform, min: 12, max: 120}",
                            "population.eligibility={min_age_months: 12, max_age_months: 120}"});
  const Model m(s);
  const Arm& arm = s.arms[1];
  Engine pop = make_stream(9, 0, Purpose::population), dosing = make_stream(9, 0, Purpose::dosing);
  std::vector<std::vector<double>> by_year(11);
  std::size_t above5e7 = 0, total = 0;
  for (int i = 0; i < 200000; ++i) {
    Model::Child c;
    m.screen(pop, dosing, c);
    int hla = 0;
    const double dose = m.ucb_dose(arm, c, dosing, hla);
    CHECK(hla == 0);  // autologous units are fully matched
    by_year[static_cast<std::size_t>(c.age / 12)].push_back(dose);
    if (c.age < 72) {
      ++total;
      above5e7 += dose >= 5e7;
    }
  }
  CHECK(median(by_year[3]) > 2e7);  // 3-4 years: the typical child reaches the floor
  CHECK(median(by_year[6]) < 2e7);  // 6-7 years: the typical child does not
  CHECK(median(by_year[9]) < 1.5e7);
  CHECK(static_cast<double>(above5e7) / static_cast<double>(total) < 0.15);  // >= 5e7 rarely, ages 1-6
}

TEST_CASE("model: dose-response, modifiers and heterogeneity", "[model]") {
  Scenario s = cp_scenario({"arms.ucb.dose_response={model: emax, reference_dose: 3e7, ed50: 2e7, hill: 1}",
                            "arms.ucb.modifiers={age: {breaks_months: [60], multipliers: [1.4, 0.6]}, gmfcs: {I: 1.3, IV: 0.5}}"});
  const Model m(s);
  const Arm& arm = s.arms[1];
  CHECK(m.dose_response(arm, 3e7) == Approx(1.0));
  CHECK(m.dose_response(arm, 2e7) == Approx((0.5) / (3.0 / 5.0)));
  CHECK(m.dose_response(arm, 1e9) > m.dose_response(arm, 5e7));
  Model::Child young_mild{30, 0, true, 12, 0, 0}, old_severe{70, 3, true, 20, 0, 0};
  CHECK(m.effect_multiplier(arm, young_mild, 3e7, 0) == Approx(1.4 * 1.3));
  CHECK(m.effect_multiplier(arm, old_severe, 3e7, 0) == Approx(0.6 * 0.5));
  // The truth is the population average of the expected effect, from the pre-run.
  CHECK_FALSE(m.truth().exact);
  CHECK(m.truth().effect_mc_se[0] > 0);
  CHECK(m.truth().effect_mc_se[0] < 0.01);

  Scenario step = cp_scenario({"arms.ucb.dose_response={model: step, reference_dose: 3e7, threshold: 2e7, below_fraction: 0.25}"});
  const Model ms(step);
  CHECK(ms.dose_response(step.arms[1], 1.9e7) == Approx(0.25));
  CHECK(ms.dose_response(step.arms[1], 2.1e7) == Approx(1.0));
  Scenario ll = cp_scenario({"arms.ucb.dose_response={model: loglinear, reference_dose: 3e7, slope_per_log: 0.5}"});
  CHECK(Model(ll).dose_response(ll.arms[1], 3e7 * std::exp(1.0)) == Approx(1.5));
}

TEST_CASE("model: heterogeneity keeps the average effect and the estimate unbiased", "[model][statistical]") {
  for (const char* het : {"{model: normal, sd: 2}", "{model: responders, responder_fraction: 0.3}"}) {
    Scenario s = cp_scenario({std::string("arms.ucb.heterogeneity=") + het, "design.sample_size=300"});
    s.simulation.trials = 3000;
    const auto j = summarise(s, run_trials(s, EngineOptions{}));
    const auto& e = j["estimate"];
    INFO(het << ": mean " << e["mean"] << " true " << e["true"]);
    CHECK(e["true"].get<double>() == Approx(1.42));
    CHECK(std::fabs(e["bias"].get<double>()) < 3 * e["bias_mc_se"].get<double>());
    CHECK(std::fabs(e["coverage"].get<double>() - 0.95) < 3 * e["coverage_mc_se"].get<double>() + 0.005);
  }
}

TEST_CASE("model: a dose floor changes who enrols and is reported", "[model]") {
  Scenario none = cp_scenario({});
  Scenario floor = cp_scenario({"population.eligibility.min_ucb_tnc_per_kg=2e7",
                                "arms.ucb.product={type: ucb, source_mix: {autologous: 1, public: 0}}"});
  none.simulation.trials = floor.simulation.trials = 300;
  const auto a = summarise(none, run_trials(none, EngineOptions{}));
  const auto b = summarise(floor, run_trials(floor, EngineOptions{}));
  CHECK(a["sample_size"]["screened_per_randomised"].get<double>() == Approx(1.0));
  CHECK(b["sample_size"]["screened_per_randomised"].get<double>() > 1.2);
  CHECK(b["enrolled"]["mean_age_months"].get<double>() < a["enrolled"]["mean_age_months"].get<double>() - 2);
  CHECK(b["arms"][1]["mean_dose"].get<double>() >= 2.0);  // in units of 1e7 TNC/kg
}

TEST_CASE("model: impossible eligibility is a located error, a tiny yield is not a hang", "[model][errors]") {
  // A floor no unit can reach: 100 x 10^7 TNC/kg from autologous units.
  try {
    Scenario s = cp_scenario({"population.eligibility.min_ucb_tnc_per_kg=1e9",
                              "arms.ucb.product={type: ucb, source_mix: {autologous: 1, public: 0}}"});
    Model m(s);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::data);
    CHECK_THAT(std::string(e.what()), Catch::Contains("m.yaml:6:") && Catch::Contains("population.eligibility") &&
                                          Catch::Contains("no child meets"));
  }
  // Weight limits nobody in the age range meets.
  CHECK_THROWS_AS(Model(cp_scenario({"population.eligibility.min_weight_kg=60"})), Error);
}

TEST_CASE("model: safety counts follow the arm risks", "[model][statistical]") {
  Scenario s = cp_scenario({"design.sample_size=400"});
  s.simulation.trials = 2000;
  const auto j = summarise(s, run_trials(s, EngineOptions{}));
  // 200 per arm: expected SAEs 25.8 (control, 12.9 %) and 32.0 (active, 16.0 %).
  CHECK(std::fabs(j["arms"][0]["sae_mean"].get<double>() - 25.8) < 4 * j["arms"][0]["sae_mc_se"].get<double>());
  CHECK(std::fabs(j["arms"][1]["sae_mean"].get<double>() - 32.0) < 4 * j["arms"][1]["sae_mc_se"].get<double>());
  CHECK(j["arms"][0]["infusion_reactions_mean"].get<double>() == 0);
  const double p = j["comparisons"][0]["safety"]["estimate"];
  CHECK(p > 0.2);
  CHECK(p < 0.5);  // P(difference of proportions > 0.05) with SE ~0.035 and mean 0.031: about 0.3
}

TEST_CASE("model: safety counts per arm and dropout per level have their probabilities", "[model][statistical]") {
  // Safety counts are Binomial(arm size, risk) per arm; missing at the primary visit is drawn per
  // level by skipping geometric gaps. With fixed and simple randomisation, and dropout by level:
  // each count's mean and variance, and each level's missing share, in the first and the second
  // half of the children alike.
  for (const std::string randomisation : {"fixed", "simple"}) {
    INFO(randomisation);
    Scenario s = cp_scenario({"design.randomisation=" + randomisation,
                              "design.dropout={by_last_visit: 0.1, gmfcs_multiplier: {I: 1, V: 4}}",
                              "arms[0].safety={sae_risk: 0.3, infusion_reaction_risk: 0}",
                              "arms[1].safety={sae_risk: 0.05, infusion_reaction_risk: 1}"});
    const Model m(s);
    TrialData d;
    constexpr int kTrials = 2000;
    // Per arm: sum of (count - n p) / sd and its square, over trials.
    std::array<double, 2> z{}, z2{};
    std::array<std::array<double, 5>, 2> at_level{}, missing{};
    for (std::uint64_t t = 0; t < kTrials; ++t) {
      m.simulate(11, t, d);
      const std::array<double, 2> risk{0.3, 0.05};
      for (std::size_t a = 0; a < 2; ++a) {
        const auto n = static_cast<double>(d.totals.n[a]);
        REQUIRE(d.totals.sae[a] >= 0);
        REQUIRE(d.totals.sae[a] <= d.totals.n[a]);
        const double x = (static_cast<double>(d.totals.sae[a]) - n * risk[a]) / std::sqrt(n * risk[a] * (1 - risk[a]));
        z[a] += x;
        z2[a] += x * x;
      }
      CHECK(d.totals.infusion[0] == 0);
      CHECK(d.totals.infusion[1] == d.totals.n[1]);
      if (t < 400)
        for (std::size_t j = 0; j < d.size(); ++j) {
          const std::size_t h = j < d.size() / 2 ? 0 : 1;
          at_level[h][d.level[j]] += 1;
          missing[h][d.level[j]] += 1 - d.observed[j];
        }
    }
    for (std::size_t a = 0; a < 2; ++a) {
      INFO("arm " << a);
      CHECK(std::fabs(z[a] / kTrials) < 4 / std::sqrt(kTrials));                    // mean n p
      CHECK(std::fabs(z2[a] / kTrials - 1) < 4 * std::sqrt(2.0 / kTrials) + 0.05);  // variance n p (1 - p)
    }
    auto close = [](double events, double count, double p) {
      INFO(events << " of " << count << " for p = " << p);
      CHECK(std::fabs(events / count - p) < 4 * std::sqrt(p * (1 - p) / count) + 1e-12);
    };
    for (std::size_t h = 0; h < 2; ++h) {
      close(missing[h][0], at_level[h][0], 0.1);
      close(missing[h][4], at_level[h][4], 1 - std::pow(0.9, 4));
    }
  }
}

TEST_CASE("model: dropout depending on GMFCS and progress", "[model]") {
  Scenario s = cp_scenario({"design.visits_months=[6, 12]", "design.dropout={by_last_visit: 0.2, gmfcs_multiplier: {V: 3}}"});
  const Model m(s);
  TrialData d;
  std::array<double, 5> kept{}, count{};
  for (std::uint64_t t = 0; t < 50; ++t) {
    m.simulate(3, t, d);
    for (std::size_t j = 0; j < d.size(); ++j) {
      count[d.level[j]] += 1;
      kept[d.level[j]] += d.observed[j];
    }
  }
  CHECK(1 - kept[0] / count[0] == Approx(0.2).margin(0.03));
  CHECK(1 - kept[4] / count[4] == Approx(1 - std::pow(0.8, 3)).margin(0.04));
  // Missing at random: children who progress less drop out more (negative coefficient).
  Scenario mar = cp_scenario({"design.visits_months=[6, 12]", "design.dropout={by_last_visit: 0.3, per_point_of_progress: -0.3}"});
  const Model mm(mar);
  double lost_change = 0, kept_change = 0, lost = 0, keptn = 0;
  for (std::uint64_t t = 0; t < 50; ++t) {
    mm.simulate(4, t, d);
    for (std::size_t j = 0; j < d.size(); ++j) {
      if (d.observed[j]) { kept_change += d.change[j]; keptn += 1; }
      else { lost_change += d.change[j]; lost += 1; }
    }
  }
  CHECK(lost_change / lost < kept_change / keptn - 1);
}

TEST_CASE("model: the IPDMA-shaped trial reproduces the published effects and CI widths", "[model][calibration][statistical]") {
  // Published: +1.36 (95 % CI 0.41-2.32) at 6 months, +1.42 (0.31-2.52) at 12 months.
  const std::uint64_t trials = test::full_mode() ? 200000 : 6000;
  for (const auto& [visit, effect, half_width] : {std::tuple{6.0, 1.36, 0.955}, {12.0, 1.42, 1.105}}) {
    Scenario s = test::load_shipped("scenarios/ipdma_replication.yaml",
                                    {"analysis.primary_visit_months=" + std::to_string(visit)});
    s.simulation.trials = trials;
    const auto j = summarise(s, run_trials(s, EngineOptions{}));
    const auto& e = j["estimate"];
    INFO("visit " << visit << ": mean " << e["mean"] << " model SE " << e["model_se"]);
    CHECK(e["true"].get<double>() == Approx(effect));
    CHECK(std::fabs(e["mean"].get<double>() - effect) < 3 * e["mc_se"].get<double>());
    const double hw = 1.967 * e["model_se"].get<double>();
    CHECK(hw > 0.75 * half_width);
    CHECK(hw < 1.25 * half_width);
  }
}

TEST_CASE("model: a reused TrialData carries no doses from a scenario with products into one without", "[model]") {
  // The plain path (no products) has dose, planned dose and HLA zero; a scenario with products
  // writes them, and must not leave them behind when the same TrialData is reused.
  const Scenario plain = cp_scenario({"arms.ucb.product={type: none}"});
  const Scenario ucb = cp_scenario({"arms.ucb.product={type: ucb, source_mix: {autologous: 0, public: 1}}"});
  const Model mp(plain), mu(ucb);
  REQUIRE(mp.normals_per_trial() > 0);  // the plain path
  REQUIRE(mu.normals_per_trial() == 0);
  TrialData d;
  auto all_blank = [&] {
    for (std::size_t j = 0; j < d.size(); ++j)
      if (d.dose[j] != 0 || d.planned_dose[j] != 0 || d.hla[j] != 0) return false;
    return true;
  };
  // Plain, products, plain twice, products, plain: each trial's fields are its own.
  const std::vector<const Model*> order{&mp, &mu, &mp, &mp, &mu, &mp};
  for (std::size_t t = 0; t < order.size(); ++t) {
    order[t]->simulate(1, t, d);
    INFO("trial " << t);
    CHECK(all_blank() == (order[t] == &mp));
  }
}

TEST_CASE("model: the fast path is taken exactly when every component allows it", "[model]") {
  // Model's plain path is decided from what its components report; each case changes one of them.
  const std::string none = "arms.ucb.product={type: none}";
  struct Case {
    const char* what;
    std::vector<std::string> overrides;
    bool plain;
  };
  const std::vector<Case> cases{
      {"no product, uniform ages", {none}, true},
      {"a product (dosing, weights)", {}, false},
      {"a weight limit", {none, "population.eligibility={min_age_months: 12, max_age_months: 72, min_weight_kg: 8}"}, false},
      {"normal ages", {none, "population.age_months={distribution: normal, mean: 40, sd: 10}"}, false},
      {"age bands of the effect", {none, "arms.ucb.modifiers={age: {breaks_months: [60], multipliers: [1.5, 0.5]}}"}, false},
      {"heterogeneity", {none, "arms.ucb.heterogeneity={model: normal, sd: 2}"}, false},
      {"decline", {none, "population.cp.decline.enabled=true"}, false},
      {"dropout on progress", {none, "design.visits_months=[6, 12]", "design.dropout.by_last_visit=0.1",
                               "design.dropout.per_point_of_progress=0.1"}, false},
      {"missed visits (follow-up)", {none, "design.dropout.missed_visit=0.1"}, false},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    const Scenario s = cp_scenario(c.overrides);
    const Model m(s);
    CHECK((m.normals_per_trial() > 0) == c.plain);
    const bool components_allow = m.population().age_uniform() && !m.population().needs_weight() &&
                                  !m.dosing().any_product() && m.effect().fixed_by_level() &&
                                  !m.trajectory().decline_on() && m.simulated_months().size() == 1 && !m.follow_up();
    CHECK(components_allow == c.plain);
  }
}
