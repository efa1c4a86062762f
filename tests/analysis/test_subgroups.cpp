// Subgroup analyses, the confirmatory family and claims: per-trial fits against a dense
// least-squares reference, unbiasedness and coverage against the pre-run truth, family-wise error
// under the global null for every procedure, the step-down ordering of Bonferroni, Holm and
// unadjusted tests, claims, an empty subgroup, and reproducibility of the accumulators.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <Eigen/Dense>
#include <boost/math/distributions/students_t.hpp>
#include <catch2/catch.hpp>

#include "celltrial/analysis/trial_analysis.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/model/subgroups.hpp"
#include "celltrial/report/summary.hpp"
#include "test_support.hpp"

using namespace celltrial;

namespace {

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto pos = s.find(from);
  REQUIRE(pos != std::string::npos);
  return s.replace(pos, from.size(), to);
}

// ---------------------------------------------------------------------------------------------
// Dense reference fit: change ~ 1 + arm + stratum (+ G + arm:G) + baseline on the given children,
// by QR on the full design matrix.
struct Dense {
  bool ok = false;
  std::array<double, kMaxArms> est{}, se{};  ///< arm - control (or its interaction with G)
  long df = 0;
};

// `layer` (one entry per child of d) non-empty: the interaction model, estimates are arm:G.
Dense dense_fit(const TrialData& d, const std::vector<std::size_t>& rows, std::size_t arms, std::size_t control,
                bool strata, const std::vector<int>& layer) {
  Dense f;
  const bool inter = !layer.empty();
  std::vector<std::array<int, 2>> arm_count(arms, {0, 0});
  std::array<std::array<int, 2>, kGmfcsLevels> stratum_count{};
  for (std::size_t j : rows) {
    const int k = inter ? layer[j] : 0;
    ++arm_count[d.arm[j]][static_cast<std::size_t>(k)];
    ++stratum_count[strata ? d.stratum[j] : 0][static_cast<std::size_t>(k)];
  }
  for (std::size_t a = 0; a < arms; ++a)
    if (arm_count[a][0] == 0 || (inter && arm_count[a][1] == 0)) return f;
  std::vector<int> scols;
  bool first = true;
  for (int s = 0; s < kGmfcsLevels; ++s)
    if (stratum_count[static_cast<std::size_t>(s)][0] + stratum_count[static_cast<std::size_t>(s)][1] > 0) {
      if (first) first = false;
      else scols.push_back(s);
    }
  // G is dropped when the subgroup is made of whole strata (then the strata already hold it).
  bool gcol = false;
  for (const auto& c : stratum_count) gcol = gcol || (inter && c[0] > 0 && c[1] > 0);
  const long p = 1 + static_cast<long>(arms - 1) + static_cast<long>(scols.size()) +
                 (inter ? (gcol ? 1 : 0) + static_cast<long>(arms - 1) : 0) + 1;
  const long n = static_cast<long>(rows.size());
  f.df = n - p;
  if (f.df < 1) return f;
  double mx = 0;
  for (std::size_t j : rows) mx += d.baseline[j];
  mx /= static_cast<double>(n);
  Eigen::MatrixXd X = Eigen::MatrixXd::Zero(n, p);
  Eigen::VectorXd y(n);
  std::array<long, kMaxArms> arm_col{}, armg_col{};
  for (long i = 0; i < n; ++i) {
    const std::size_t j = rows[static_cast<std::size_t>(i)];
    const bool g = inter && layer[j] == 1;
    long c = 0;
    X(i, c++) = 1;
    for (std::size_t a = 0; a < arms; ++a)
      if (a != control) {
        arm_col[a] = c;
        X(i, c++) = d.arm[j] == a;
      }
    for (int s : scols) X(i, c++) = (strata ? d.stratum[j] : 0) == s;
    if (inter) {
      if (gcol) X(i, c++) = g;
      for (std::size_t a = 0; a < arms; ++a)
        if (a != control) {
          armg_col[a] = c;
          X(i, c++) = g && d.arm[j] == a;
        }
    }
    X(i, c++) = d.baseline[j] - mx;
    REQUIRE(c == p);
    y(i) = d.change[j];
  }
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(X);
  if (qr.rank() < p) return f;
  const Eigen::VectorXd beta = qr.solve(y);
  const double s2 = (y - X * beta).squaredNorm() / static_cast<double>(f.df);
  const Eigen::MatrixXd inv = (X.transpose() * X).inverse();
  for (std::size_t a = 0; a < arms; ++a) {
    if (a == control) continue;
    const long col = inter ? armg_col[a] : arm_col[a];
    f.est[a] = beta(col);
    f.se[a] = std::sqrt(s2 * inv(col, col));
  }
  f.ok = true;
  return f;
}

// |got - want| <= 1e-8 * max(|want|, scale): relative, with `scale` (the reference SE) guarding
// estimates that happen to be near 0.
bool close(double got, double want, double scale) {
  return std::fabs(got - want) <= 1e-8 * std::max(std::fabs(want), scale);
}

double t_upper(double tail, long df) {
  boost::math::students_t_distribution<double> t(static_cast<double>(df));
  return boost::math::quantile(boost::math::complement(t, tail));
}

// Two arms: UCB product (dose and HLA subgroups), age modifiers, simple randomisation so that
// small subgroups sometimes miss an arm. `toddlers_v` is tiny and often cannot be estimated.
const std::string kTwoArms = R"(schema_version: 1
name: sg_two
population:
  outcome_model: cp
  age_months: {distribution: uniform, min: 12, max: 120}
  eligibility: {min_age_months: 12, max_age_months: 120}
  gmfcs_mix: {I: 0.25, II: 0.25, III: 0.18, IV: 0.17, V: 0.15}
arms:
  - {name: placebo, role: control, allocation: 1}
  - name: ucb
    role: active
    allocation: 1
    effect_by_month: {6: 1.36, 12: 1.42}
    product: {type: ucb, source_mix: {autologous: 0.16, public: 0.84}, target_tnc_per_kg: 3.0e7, bank_choices: 3}
    dose_response: {model: emax, reference_dose: 3.0e7, ed50: 2.0e7, hill: 1}
    modifiers:
      age: {breaks_months: [60], multipliers: [1.4, 0.6]}
design:
  sample_size: 160
  randomisation: simple
  visits_months: [6, 12]
  dropout: {by_last_visit: 0.15}
analysis:
  primary_visit_months: 12
  adjust_for: []
  subgroups:
    - {name: under5, age_months: {max: 60}, confirmatory: true}
    - {name: mild, gmfcs: [I, II, III]}
    - {name: boys, sex: male}
    - {name: high_dose, dose_per_kg: {min: 3.0e7}}
    - {name: matched, hla_mismatches: [0]}
    - {name: toddlers_v, age_months: {max: 30}, gmfcs: [V]}
  multiplicity: holm
simulation: {trials: 10, seed: 11}
)";

// Three arms, control in the middle: two MSC arms with different routes, and subgroups with a
// route condition (analysed for one arm only).
const std::string kThreeArms = R"(schema_version: 1
name: sg_three
population:
  outcome_model: cp
  age_months: {distribution: uniform, min: 12, max: 120}
  eligibility: {min_age_months: 12, max_age_months: 120}
  gmfcs_mix: {I: 0.3, II: 0.3, III: 0.2, IV: 0.1, V: 0.1}
arms:
  - name: msc_iv
    role: active
    allocation: 1
    effect_by_month: {6: 1, 12: 1.5}
    product: {type: msc, cells_per_kg: 2.0e6, route: intravenous}
  - {name: control, role: control, allocation: 1.5}
  - name: msc_it
    role: active
    allocation: 1
    effect_by_month: {6: 1.5, 12: 2.5}
    product: {type: msc, cells_per_kg: 2.0e6, route: intrathecal}
    modifiers:
      age: {breaks_months: [48], multipliers: [1.5, 0.8]}
design:
  sample_size: 190
  randomisation: simple
  visits_months: [6, 12]
  dropout: {by_last_visit: 0.2}
analysis:
  primary_visit_months: 12
  adjust_for: []
  subgroups:
    - {name: under4, age_months: {max: 48}, confirmatory: true}
    - {name: mild, gmfcs: [I, II, III]}
    - {name: girls, sex: female}
    - {name: it_young, route: intrathecal, age_months: {max: 60}}
    - {name: severe_young, gmfcs: [V], age_months: {max: 36}}
  multiplicity: bonferroni
simulation: {trials: 10, seed: 12}
)";

// Five arms: with GMFCS strata the interaction fit has 2 x 5 + 5 = 15 columns, more than the
// primary fit's largest (13).
const std::string kFiveArms = R"(schema_version: 1
name: sg_five
population:
  outcome_model: cp
  age_months: {distribution: uniform, min: 12, max: 120}
  eligibility: {min_age_months: 12, max_age_months: 120}
arms:
  - {name: control, role: control, allocation: 1}
  - {name: a1, role: active, allocation: 1, effect_by_month: {12: 1.0}}
  - {name: a2, role: active, allocation: 1, effect_by_month: {12: 1.5}}
  - {name: a3, role: active, allocation: 1, effect_by_month: {12: 2.0}}
  - {name: a4, role: active, allocation: 1, effect_by_month: {12: 2.5}}
design:
  sample_size: 400
  randomisation: simple
  visits_months: [12]
  dropout: {by_last_visit: 0.1}
analysis:
  primary_visit_months: 12
  adjust_for: []
  subgroups:
    - {name: under5, age_months: {max: 60}}
    - {name: mild_young, gmfcs: [I, II], age_months: {max: 72}}
  multiplicity: bonferroni
simulation: {trials: 10, seed: 15}
)";
}  // namespace

TEST_CASE("subgroups: inside, outside and interaction fits equal dense least squares", "[subgroups][analysis]") {
  std::size_t fits = 0, not_estimable = 0, g_dropped = 0;
  for (const std::string* text : {&kTwoArms, &kThreeArms, &kFiveArms}) {
    for (bool strata : {false, true}) {
      const Scenario s = load_scenario_text(*text, "sg.yaml", {strata ? "analysis.adjust_for=[gmfcs]" : "analysis.adjust_for=[]"});
      const Model m(s);
      const TrialAnalysis an(m);
      const auto active = s.active_arms();
      const std::size_t A = s.arms.size(), C = active.size(), G = s.analysis.subgroups.size(), control = s.control_arm();
      const double ci_q_level = (1 - s.analysis.ci_level) / 2;
      TrialData d;
      TrialResult r;
      for (std::uint64_t trial = 0; trial < 30; ++trial) {
        m.simulate(s.simulation.seed, trial, d);
        an.analyse(d, r);
        REQUIRE(r.subgroups.size() == G * C);
        for (std::size_t g = 0; g < G; ++g) {
          std::vector<std::size_t> in, out, all;
          std::vector<int> layer(d.size(), 0);
          bool split = false;
          std::array<std::array<int, 2>, kGmfcsLevels> per_stratum{};
          for (std::size_t j = 0; j < d.size(); ++j) {
            if (!d.observed[j]) continue;
            const bool inside = (subgroup_mask(s.analysis.subgroups, d, j) >> g) & 1u;
            layer[j] = inside;
            (inside ? in : out).push_back(j);
            all.push_back(j);
            ++per_stratum[strata ? d.stratum[j] : 0][inside];
          }
          for (const auto& c : per_stratum) split = split || (c[0] > 0 && c[1] > 0);
          const Dense fin = dense_fit(d, in, A, control, strata, {});
          const Dense fout = dense_fit(d, out, A, control, strata, {});
          const Dense fint = dense_fit(d, all, A, control, strata, layer);
          for (std::size_t c = 0; c < C; ++c) {
            const std::size_t arm = active[c], slot = g * C + c;
            const SubgroupResult& x = r.subgroups[slot];
            INFO("scenario " << s.name << ", strata " << strata << ", trial " << trial << ", subgroup "
                             << s.analysis.subgroups[g].name << ", arm " << s.arms[arm].name);
            REQUIRE(x.applies == subgroup_applies(s, s.analysis.subgroups[g], arm));
            if (!x.applies) {
              CHECK_FALSE(x.inside.estimable);
              CHECK_FALSE(x.interaction_estimable);
              continue;
            }
            CHECK(x.analysed_inside == static_cast<std::int64_t>(in.size()));
            ++fits;
            CHECK(x.inside.estimable == fin.ok);
            CHECK(x.outside.estimable == fout.ok);
            CHECK(x.interaction_estimable == fint.ok);
            not_estimable += !fin.ok;
            g_dropped += fint.ok && !split;
            for (auto [res, ref, truth] : {std::tuple{&x.inside, &fin, an.subgroup_truth().inside[slot]},
                                           std::tuple{&x.outside, &fout, an.subgroup_truth().outside[slot]}}) {
              if (!ref->ok || !res->estimable) continue;
              CHECK(close(res->estimate, ref->est[arm], ref->se[arm]));
              CHECK(close(res->se, ref->se[arm], 0));
              CHECK(res->df == static_cast<double>(ref->df));
              CHECK(res->t == Approx(res->estimate / res->se).epsilon(1e-12));
              // Coverage against the subgroup's truth with the t quantile at its own df.
              CHECK(res->truth == truth);
              CHECK(res->covered == (std::fabs(res->estimate - truth) <= t_upper(ci_q_level, ref->df) * ref->se[arm]));
            }
            if (fin.ok && x.inside.estimable) {
              // Outside the family: an unadjusted two-sided test at alpha.
              const bool in_family = s.analysis.subgroups[g].confirmatory;
              const bool unadjusted = std::fabs(fin.est[arm] / fin.se[arm]) > t_upper(s.analysis.alpha / 2, fin.df);
              if (!in_family) CHECK(x.inside.reject == unadjusted);
              CHECK(x.inside.reject_unadjusted_favourable == (unadjusted && fin.est[arm] > 0));
            }
            if (fint.ok && x.interaction_estimable) {
              CHECK(close(x.interaction, fint.est[arm], fint.se[arm]));
              CHECK(close(x.interaction_se, fint.se[arm], 0));
              CHECK(x.interaction_reject ==
                    (std::fabs(fint.est[arm] / fint.se[arm]) > t_upper(s.analysis.interaction_alpha / 2, fint.df)));
            }
          }
        }
      }
    }
  }
  INFO("fits " << fits << ", not estimable " << not_estimable << ", interaction without G " << g_dropped);
  CHECK(fits > 500);
  CHECK(not_estimable < fits / 4);
  CHECK(g_dropped > 0);  // GMFCS I-III with gmfcs adjustment: the subgroup is whole strata
}

// ---------------------------------------------------------------------------------------------
namespace {
const std::string kModifiers = R"(schema_version: 1
name: sg_modifiers
population:
  outcome_model: cp
  age_months: {distribution: uniform, min: 12, max: 120}
  eligibility: {min_age_months: 12, max_age_months: 120}
  gmfcs_mix: {I: 0.25, II: 0.25, III: 0.18, IV: 0.17, V: 0.15}
arms:
  - {name: placebo, role: control, allocation: 1}
  - name: cells
    role: active
    allocation: 1
    effect_by_month: {6: 1.5, 12: 2.0}
    modifiers:
      age: {breaks_months: [60], multipliers: [1.4, 0.6]}
design:
  sample_size: 200
  visits_months: [6, 12]
  dropout: {by_last_visit: 0.1}
analysis:
  primary_visit_months: 12
  adjust_for: [gmfcs]
  subgroups:
    - {name: under5, age_months: {max: 60}}
    - {name: mild, gmfcs: [I, II, III]}
    - {name: older_boys, sex: male, age_months: {min: 60}}
simulation: {trials: 2000, seed: 77}
)";
}  // namespace

namespace {
// A UCB arm whose effect depends on the dose (emax) and on the HLA mismatches of the unit: the
// dose and HLA subgroups' truths come from the planned dose and the screening unit.
const std::string kDoseHla = R"(schema_version: 1
name: sg_dose_hla
population:
  outcome_model: cp
  age_months: {distribution: uniform, min: 12, max: 120}
  eligibility: {min_age_months: 12, max_age_months: 120}
  gmfcs_mix: {I: 0.25, II: 0.25, III: 0.18, IV: 0.17, V: 0.15}
arms:
  - {name: placebo, role: control, allocation: 1}
  - name: ucb
    role: active
    allocation: 1
    effect_by_month: {6: 1.5, 12: 2.0}
    product: {type: ucb, source_mix: {autologous: 0.16, public: 0.84}, target_tnc_per_kg: 3.0e7, bank_choices: 3}
    dose_response: {model: emax, reference_dose: 3.0e7, ed50: 2.0e7, hill: 1}
    modifiers:
      hla_mismatch: {0: 1.5, 1: 1.0, 2: 0.6}
design:
  sample_size: 200
  visits_months: [6, 12]
  dropout: {by_last_visit: 0.1}
analysis:
  primary_visit_months: 12
  adjust_for: [gmfcs]
  subgroups:
    - {name: high_dose, dose_per_kg: {min: 5.0e7}}
    - {name: mid_dose, dose_per_kg: {min: 3.0e7, max: 5.0e7}}
    - {name: matched, hla_mismatches: [0]}
    - {name: mismatched, hla_mismatches: [1, 2]}
simulation: {trials: 2000, seed: 78}
)";
}  // namespace

TEST_CASE("subgroups: the pre-run truth of a subgroup where every child has the same effect", "[subgroups]") {
  const Scenario s = load_scenario_text(kModifiers, "modifiers.yaml");
  const Model m(s);
  const Truth& truth = m.truth();
  // Every child under 5 has 1.4 x 2.0, every child over 5 has 0.6 x 2.0: exact truths (up to the
  // round-off of summing 200,000 pre-run children).
  REQUIRE(truth.subgroups.inside.size() == 3);
  CHECK(truth.subgroups.inside[0] == Approx(2.8).epsilon(1e-9));
  CHECK(truth.subgroups.outside[0] == Approx(1.2).epsilon(1e-9));
  CHECK(truth.subgroups.inside[2] == Approx(1.2).epsilon(1e-9));
  CHECK(truth.subgroups.inside_mc_se[1] > 0);  // GMFCS I-III mixes ages: a real MC error
  // The prevalences: under 5 in a uniform 12-120 month population is 48/108; boys over 5 are
  // 0.56 x 60/108.
  CHECK(std::fabs(truth.subgroups.prevalence[0] - 48.0 / 108) < 4 * truth.subgroups.prevalence_mc_se[0]);
  CHECK(std::fabs(truth.subgroups.prevalence[2] - 0.56 * 60 / 108) < 4 * truth.subgroups.prevalence_mc_se[2]);
  // model.hpp: "Monte Carlo SE given; 0 when the effect is the same for every child".
  CHECK(truth.subgroups.inside_mc_se[0] == 0);
  CHECK(truth.subgroups.outside_mc_se[0] == 0);
  CHECK(truth.subgroups.inside_mc_se[2] == 0);
}

TEST_CASE("subgroups: estimates are unbiased for the pre-run truth and CIs cover at 95 %",
          "[subgroups][statistical]") {
  for (const std::string* text : {&kModifiers, &kDoseHla}) {
    Scenario s = load_scenario_text(*text, "truth.yaml");
    s.simulation.trials = test::full_mode() ? 40000 : 2000;
    const Model m(s);
    const Truth& truth = m.truth();
    const std::size_t G = s.analysis.subgroups.size();
    INFO(s.name);
    // The subgroup and its complement average to the overall effect (two independent pre-runs).
    for (std::size_t g = 0; g < G; ++g) {
      const double p = truth.subgroups.prevalence[g];
      const double mix = p * truth.subgroups.inside[g] + (1 - p) * truth.subgroups.outside[g];
      INFO(s.analysis.subgroups[g].name << ": prevalence " << p << ", inside " << truth.subgroups.inside[g]
                                        << ", outside " << truth.subgroups.outside[g] << ", overall " << truth.effect[0]);
      CHECK(p > 0.2);
      CHECK(std::fabs(mix - truth.effect[0]) <
            4 * (truth.effect_mc_se[0] + truth.subgroups.inside_mc_se[g] + truth.subgroups.outside_mc_se[g]) + 1e-6);
    }

    const auto j = summarise(s, run_trials(m, EngineOptions{}), truth);
    const double n = static_cast<double>(s.simulation.trials);
    const double cov_se = std::sqrt(0.95 * 0.05 / n);
    REQUIRE(j["subgroups"].size() == G);
    for (const auto& g : j["subgroups"]) {
      for (const auto* e : {&g["estimate"], &g["complement"]["estimate"]}) {
        INFO(g["name"].get<std::string>() << (e == &g["estimate"] ? " inside" : " outside") << ": " << e->dump());
        CHECK((*e)["estimable_trials"].get<double>() == n);
        const double mean = (*e)["mean"], truth_v = (*e)["true"];
        const double se = std::hypot((*e)["mc_se"].get<double>(), (*e)["true_mc_se"].get<double>());
        CHECK(std::fabs(mean - truth_v) < 4 * se);
        CHECK(std::fabs((*e)["coverage"].get<double>() - 0.95) < 4 * cov_se);
        // The model SE estimates the spread of the estimates.
        CHECK((*e)["model_se"].get<double>() == Approx((*e)["empirical_se"].get<double>()).epsilon(0.1));
      }
      const auto& i = g["interaction"];
      INFO(g["name"].get<std::string>() << " interaction: " << i.dump());
      CHECK(i["estimable_trials"].get<double>() == n);
      CHECK(std::fabs(i["mean"].get<double>() - i["true"].get<double>()) <
            4 * std::hypot(i["mc_se"].get<double>(), i["true_mc_se"].get<double>()));
    }
    if (s.name == "sg_modifiers") {
      // The age modifier makes the under-5 interaction large: 2.8 - 1.2.
      CHECK(j["subgroups"][0]["interaction"]["true"].get<double>() == Approx(1.6).epsilon(1e-9));
    } else {
      // Larger doses and better-matched units do better.
      CHECK(j["subgroups"][0]["interaction"]["true"].get<double>() > 0.1);
      CHECK(j["subgroups"][1]["interaction"]["true"].get<double>() < -0.1);
      CHECK(j["subgroups"][2]["interaction"]["true"].get<double>() > 0.5);
    }
  }
}

// ---------------------------------------------------------------------------------------------
namespace {
const std::string kNull = R"(schema_version: 1
name: sg_null
population:
  outcome_model: cp
  age_months: {distribution: uniform, min: 12, max: 120}
  eligibility: {min_age_months: 12, max_age_months: 120}
  gmfcs_mix: {I: 0.25, II: 0.25, III: 0.18, IV: 0.17, V: 0.15}
arms:
  - {name: placebo, role: control, allocation: 1}
  - {name: cells, role: active, allocation: 1, effect_by_month: {6: 0, 12: 0}}
design:
  sample_size: 200
  visits_months: [6, 12]
  dropout: {by_last_visit: 0.1}
analysis:
  primary_visit_months: 12
  adjust_for: [gmfcs]
  alpha: 0.05
  sides: 2
  subgroups:
    - {name: under5, age_months: {max: 60}, confirmatory: true}
    - {name: mild, gmfcs: [I, II, III], confirmatory: true}
    - {name: boys, sex: male, confirmatory: true}
MULTIPLICITY
simulation: {trials: 3000, seed: 909}
)";
}  // namespace

TEST_CASE("subgroups: every procedure controls the family-wise error under the global null, and none does not",
          "[subgroups][statistical]") {
  const std::uint64_t trials = test::full_mode() ? 50000 : 3000;
  const double alpha = 0.05, n = static_cast<double>(trials);
  const double se = std::sqrt(alpha * (1 - alpha) / n);
  const std::vector<std::pair<const char*, std::string>> procedures{
      {"none", "  multiplicity: none"},
      {"bonferroni", "  multiplicity: bonferroni"},
      {"weighted bonferroni", "  multiplicity: {procedure: bonferroni, weights: [0.7, 0.1, 0.1, 0.1]}"},
      {"holm", "  multiplicity: holm"},
      {"weighted holm", "  multiplicity: {procedure: holm, weights: [0.4, 0.3, 0.2, 0.1]}"},
      {"hochberg", "  multiplicity: hochberg"},
      {"fixed_sequence", "  multiplicity: fixed_sequence"},
      {"fixed_sequence, subgroup first",
       "  multiplicity: {procedure: fixed_sequence, hypotheses: [under5, primary, mild, boys]}"},
      {"fallback", "  multiplicity: {procedure: fallback, weights: [0.4, 0.2, 0.2, 0.2]}"},
      {"graphical",
       "  multiplicity:\n    procedure: graphical\n    weights: [0.5, 0.2, 0.2, 0.1]\n"
       "    transitions: [[0, 0.4, 0.4, 0.2], [0.5, 0, 0.5, 0], [0.5, 0.5, 0, 0], [1, 0, 0, 0]]"},
  };
  for (const auto& [label, block] : procedures) {
    Scenario s = load_scenario_text(replace(kNull, "MULTIPLICITY", block), "null.yaml");
    s.simulation.trials = trials;
    const auto j = summarise(s, run_trials(s, EngineOptions{}));
    REQUIRE(j.contains("multiplicity"));
    const auto& mj = j["multiplicity"];
    REQUIRE(mj["hypotheses"].size() == 4);
    const double fwer = mj["any_rejection"]["estimate"];
    INFO(label << ": FWER " << fwer << " (MC SE at alpha " << se << ")");
    if (std::string(label) == "none") {
      // Four tests at 0.05 each: clearly above alpha, so the check below can fail.
      CHECK(fwer > alpha + 5 * se);
      // Each test alone is valid: favourable rejections at alpha / 2 each.
      for (const auto& h : mj["hypotheses"]) {
        INFO(h["name"].get<std::string>() << " " << h["power"].dump());
        CHECK(std::fabs(h["power"]["estimate"].get<double>() - alpha / 2) <
              4 * std::sqrt(alpha / 2 * (1 - alpha / 2) / n));
      }
    } else {
      CHECK(fwer <= alpha + 3 * se);
    }
    CHECK(mj["at_least_one"]["estimate"].get<double>() <= fwer);
  }

  // One-sided tests with 'less' as the direction of benefit: the family's level is alpha = 0.025,
  // and every rejection is favourable.
  {
    const double a1 = 0.025, se1 = std::sqrt(a1 * (1 - a1) / n);
    for (const char* block : {"  multiplicity: holm",
                              "  multiplicity:\n    procedure: graphical\n    weights: [0.5, 0.2, 0.2, 0.1]\n"
                              "    transitions: [[0, 0.4, 0.4, 0.2], [0.5, 0, 0.5, 0], [0.5, 0.5, 0, 0], [1, 0, 0, 0]]"}) {
      Scenario s = load_scenario_text(
          replace(replace(kNull, "  alpha: 0.05\n  sides: 2\n", "  alpha: 0.025\n  sides: 1\n  direction: less\n"),
                  "MULTIPLICITY", block),
          "null1.yaml");
      s.simulation.trials = trials;
      const auto j = summarise(s, run_trials(s, EngineOptions{}));
      const auto& mj = j["multiplicity"];
      const double fwer = mj["any_rejection"]["estimate"];
      INFO("one-sided " << block << ": FWER " << fwer);
      CHECK(fwer <= a1 + 3 * se1);
      CHECK(mj["at_least_one"]["count"] == mj["any_rejection"]["count"]);
    }
  }

  // Three arms sharing the control, with a confirmatory subgroup for each: four hypotheses.
  {
    Scenario s = load_scenario_text(kThreeArms, "three.yaml",
                                    {"arms.msc_iv.effect_by_month={6: 0, 12: 0}", "arms.msc_it.effect_by_month={6: 0, 12: 0}",
                                     "analysis.multiplicity=holm", "analysis.adjust_for=[gmfcs]"});
    s.simulation.trials = trials;
    const auto j = summarise(s, run_trials(s, EngineOptions{}));
    const auto& mj = j["multiplicity"];
    REQUIRE(mj["hypotheses"].size() == 4);
    CHECK(mj["hypotheses"][2]["name"] == "msc_iv/under4");
    const double fwer = mj["any_rejection"]["estimate"];
    INFO("three arms, holm: FWER " << fwer);
    CHECK(fwer <= alpha + 3 * se);
  }
}

// ---------------------------------------------------------------------------------------------
namespace {
const std::string kEffect = R"(schema_version: 1
name: sg_effect
population:
  outcome_model: cp
  age_months: {distribution: uniform, min: 12, max: 120}
  eligibility: {min_age_months: 12, max_age_months: 120}
  gmfcs_mix: {I: 0.25, II: 0.25, III: 0.18, IV: 0.17, V: 0.15}
arms:
  - {name: placebo, role: control, allocation: 1}
  - name: cells
    role: active
    allocation: 1
    effect_by_month: {6: 1.2, 12: 1.6}
    modifiers:
      age: {breaks_months: [60], multipliers: [1.4, 0.6]}
      gmfcs: {I: 1.3, II: 1.3, III: 1.3, IV: 0.5, V: 0.5}
design:
  sample_size: 300
  visits_months: [6, 12]
  dropout: {by_last_visit: 0.05}
analysis:
  primary_visit_months: 12
  adjust_for: [gmfcs]
  subgroups:
    - {name: under5, age_months: {max: 60}, confirmatory: true}
    - {name: mild, gmfcs: [I, II, III], confirmatory: true}
    - {name: boys, sex: male, confirmatory: true}
    - {name: girls, sex: female}
MULTIPLICITY
simulation: {trials: 1000, seed: 4242}
)";

ComparisonResult& family_result(TrialResult& r, const Hypothesis& h, std::size_t C) {
  return h.subgroup < 0 ? r.comparisons[h.comparison]
                        : r.subgroups[static_cast<std::size_t>(h.subgroup) * C + h.comparison].inside;
}
}  // namespace

TEST_CASE("subgroups: per trial, Bonferroni rejects no more than Holm, Holm no more than unadjusted tests",
          "[subgroups][statistical]") {
  const Scenario bonf = load_scenario_text(replace(kEffect, "MULTIPLICITY", "  multiplicity: bonferroni"), "b.yaml");
  const Scenario holm = load_scenario_text(replace(kEffect, "MULTIPLICITY", "  multiplicity: holm"), "h.yaml");
  const Scenario hoch = load_scenario_text(replace(kEffect, "MULTIPLICITY", "  multiplicity: hochberg"), "c.yaml");
  const Model m(bonf);
  const TrialAnalysis ab(m);
  // The data do not depend on the procedure: one model simulates, three analyses decide.
  const TrialAnalysis ah(holm, m.truth().effect), ac(hoch, m.truth().effect);
  const auto hyps = all_hypotheses(bonf);
  const auto fam = family(bonf);
  REQUIRE(fam == family(holm));
  REQUIRE(fam.size() == 4);
  const std::size_t C = 1;
  const std::uint64_t trials = test::full_mode() ? 10000 : 500;
  std::vector<std::uint64_t> nb(4), nh(4), nc(4), nu(4);
  TrialData d;
  TrialResult rb, rh, rc;
  for (std::uint64_t trial = 0; trial < trials; ++trial) {
    m.simulate(bonf.simulation.seed, trial, d);
    ab.analyse(d, rb);
    ah.analyse(d, rh);
    ac.analyse(d, rc);
    for (std::size_t i = 0; i < fam.size(); ++i) {
      const Hypothesis& h = hyps[fam[i]];
      const ComparisonResult& xb = family_result(rb, h, C);
      const ComparisonResult& xh = family_result(rh, h, C);
      const ComparisonResult& xc = family_result(rc, h, C);
      INFO("trial " << trial << ", " << h.name << ": t " << xb.t << ", df " << xb.df);
      // Same estimates whatever the procedure.
      REQUIRE(xb.estimate == xh.estimate);
      REQUIRE(xb.t == xh.t);
      CHECK(rb.family_favourable[i] == xb.reject_favourable);
      CHECK(rh.family_favourable[i] == xh.reject_favourable);
      // Step-down: every Bonferroni rejection is a Holm rejection, every Holm rejection is an
      // unadjusted one; Hochberg (step-up) rejects at least what Holm rejects.
      CHECK((!xb.reject_favourable || xh.reject_favourable));
      CHECK((!xh.reject_favourable || xh.reject_unadjusted_favourable));
      CHECK((!xh.reject_favourable || xc.reject_favourable));
      CHECK(xb.reject_unadjusted_favourable == xh.reject_unadjusted_favourable);
      nb[i] += xb.reject_favourable;
      nh[i] += xh.reject_favourable;
      nc[i] += xc.reject_favourable;
      nu[i] += xh.reject_unadjusted_favourable;
    }
  }
  std::uint64_t tb = 0, th = 0, tu = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    INFO(hyps[fam[i]].name << ": bonferroni " << nb[i] << ", holm " << nh[i] << ", hochberg " << nc[i]
                           << ", unadjusted " << nu[i] << " of " << trials);
    CHECK(nb[i] <= nh[i]);
    CHECK(nh[i] <= nc[i]);
    CHECK(nh[i] <= nu[i]);
    tb += nb[i];
    th += nh[i];
    tu += nu[i];
  }
  // The orderings are not vacuous: Holm gains over Bonferroni, and adjustment costs power.
  CHECK(tb < th);
  CHECK(th < tu);
}

TEST_CASE("subgroups: a claim is the joint favourable rejection of its hypotheses", "[subgroups][statistical]") {
  Scenario s = load_scenario_text(
      replace(kEffect, "MULTIPLICITY",
              "  multiplicity:\n    procedure: graphical\n    hypotheses: [primary, under5, mild]\n"
              "    weights: [0.6, 0.2, 0.2]\n    transitions: [[0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]]\n"
              "  claims:\n    young: [primary, under5]\n    mild_and_young: [mild, under5]"),
      "claims.yaml", {"analysis.subgroups[2].confirmatory=false"});
  s.simulation.trials = test::full_mode() ? 20000 : 1500;
  const Model m(s);
  const TrialAnalysis an(m);
  const std::size_t C = 1;
  // under5 is subgroup 0, mild subgroup 1.
  std::uint64_t young = 0, mild_young = 0, primary = 0, under5 = 0, mild = 0;
  TrialData d;
  TrialResult r;
  for (std::uint64_t trial = 0; trial < s.simulation.trials; ++trial) {
    m.simulate(s.simulation.seed, trial, d);
    an.analyse(d, r);
    const bool p = r.comparisons[0].reject_favourable;
    const bool u = r.subgroups[0 * C].inside.reject_favourable;
    const bool g = r.subgroups[1 * C].inside.reject_favourable;
    REQUIRE(r.claims.size() == 2);
    CHECK(static_cast<bool>(r.claims[0]) == (p && u));
    CHECK(static_cast<bool>(r.claims[1]) == (g && u));
    young += p && u;
    mild_young += g && u;
    primary += p;
    under5 += u;
    mild += g;
  }
  const auto j = summarise(s, run_trials(m, EngineOptions{}), m.truth());
  const auto& mj = j["multiplicity"];
  REQUIRE(mj["claims"].size() == 2);
  CHECK(mj["claims"][0]["name"] == "young");
  CHECK(mj["claims"][0]["count"].get<std::uint64_t>() == young);
  CHECK(mj["claims"][1]["count"].get<std::uint64_t>() == mild_young);
  REQUIRE(mj["hypotheses"].size() == 3);
  CHECK(mj["hypotheses"][0]["power"]["count"].get<std::uint64_t>() == primary);
  CHECK(mj["hypotheses"][1]["power"]["count"].get<std::uint64_t>() == under5);
  CHECK(mj["hypotheses"][2]["power"]["count"].get<std::uint64_t>() == mild);
  const double claim = mj["claims"][0]["estimate"];
  const double p_primary = mj["hypotheses"][0]["power"]["estimate"], p_under5 = mj["hypotheses"][1]["power"]["estimate"];
  INFO("P(claim) " << claim << ", P(primary) " << p_primary << ", P(under5) " << p_under5);
  CHECK(claim <= std::min(p_primary, p_under5));
  CHECK(claim > 0);  // not vacuous
  CHECK(mj["all"]["count"].get<std::uint64_t>() <= std::min(young, mild_young));
}

// ---------------------------------------------------------------------------------------------
TEST_CASE("subgroups: a subgroup nobody eligible belongs to is reported, not a crash", "[subgroups]") {
  const std::string text = R"(schema_version: 1
name: sg_empty
population:
  outcome_model: cp
  age_months: {distribution: uniform, min: 12, max: 120}
  eligibility: {min_age_months: 72, max_age_months: 120}
arms:
  - {name: placebo, role: control, allocation: 1}
  - {name: cells, role: active, allocation: 1, effect_by_month: {6: 1, 12: 1.5}}
design:
  sample_size: 120
  visits_months: [6, 12]
  dropout: {by_last_visit: 0.05}
analysis:
  primary_visit_months: 12
  adjust_for: [gmfcs]
  subgroups:
    - {name: under5, age_months: {max: 60}, confirmatory: true}
    - {name: boys, sex: male}
  multiplicity: holm
simulation: {trials: 300, seed: 5}
)";
  const Scenario s = load_scenario_text(text, "empty.yaml");
  const Model m(s);
  CHECK(m.truth().subgroups.prevalence[0] == 0);
  CHECK(std::isnan(m.truth().subgroups.inside[0]));
  Accumulator acc;
  REQUIRE_NOTHROW(acc = run_trials(m, EngineOptions{}));
  nlohmann::json j;
  REQUIRE_NOTHROW(j = summarise(s, acc, m.truth()));
  REQUIRE(j["subgroups"].size() == 2);
  const auto& g = j["subgroups"][0];
  INFO(g.dump(1));
  CHECK(g["name"] == "under5");
  CHECK(g["prevalence_prerun"].get<double>() == 0);
  CHECK(g["estimate"]["estimable_trials"].get<std::uint64_t>() == 0);
  CHECK(g["empty_trials"].get<std::uint64_t>() == s.simulation.trials);
  CHECK(g.contains("note"));
  CHECK(g["power"]["estimate"].get<double>() == 0);
  CHECK(g["estimate"]["true"].is_null());
  CHECK(g["interaction"]["estimable_trials"].get<std::uint64_t>() == 0);
  CHECK(g["analysed_mean"].get<double>() == 0);
  // Everyone is outside, so the complement is the whole trial.
  CHECK(g["complement"]["estimate"]["estimable_trials"].get<std::uint64_t>() == s.simulation.trials);
  CHECK(g["complement"]["estimate"]["mean"].get<double>() ==
        Approx(j["comparisons"][0]["estimate"]["mean"].get<double>()).epsilon(1e-9));
  // The other subgroup is unaffected.
  CHECK(j["subgroups"][1]["estimate"]["estimable_trials"].get<std::uint64_t>() == s.simulation.trials);
  CHECK_FALSE(j["subgroups"][1].contains("note"));
  // The empty hypothesis is never rejected; the family still works for the primary.
  CHECK(j["multiplicity"]["hypotheses"][1]["power"]["count"].get<std::uint64_t>() == 0);
  CHECK(j["multiplicity"]["hypotheses"][0]["power"]["count"].get<std::uint64_t>() > 0);
  // The reports built from the summary cope with the missing values.
  CHECK_NOTHROW(summary_csv(j));
  CHECK_NOTHROW(summary_table(j));
  CHECK_NOTHROW(dump_json(j));
}

// ---------------------------------------------------------------------------------------------
TEST_CASE("subgroups: accumulators are identical for any thread count and split, and survive state()",
          "[subgroups][reproducibility]") {
  const std::string sg = R"(schema_version: 1
name: sg_repro
population:
  outcome_model: cp
  age_months: {distribution: uniform, min: 12, max: 120}
  eligibility: {min_age_months: 12, max_age_months: 120}
  gmfcs_mix: {I: 0.25, II: 0.25, III: 0.18, IV: 0.17, V: 0.15}
arms:
  - {name: placebo, role: control, allocation: 1}
  - name: ucb
    role: active
    allocation: 1
    effect_by_month: {6: 1.36, 12: 1.42}
    product: {type: ucb, source_mix: {autologous: 0.16, public: 0.84}, target_tnc_per_kg: 3.0e7, bank_choices: 3}
    dose_response: {model: emax, reference_dose: 3.0e7, ed50: 2.0e7, hill: 1}
    modifiers:
      age: {breaks_months: [60], multipliers: [1.4, 0.6]}
      gmfcs: {I: 1.3, II: 1.3, III: 1.3, IV: 0.5, V: 0.5}
design:
  sample_size: 200
  visits_months: [6, 12]
  dropout: {by_last_visit: 0.05}
analysis:
  primary_visit_months: 12
  adjust_for: [gmfcs]
  subgroups:
    - {name: under5, age_months: {max: 60}, confirmatory: true}
    - {name: mild, gmfcs: [I, II, III], confirmatory: true}
    - {name: high_dose, dose_per_kg: {min: 3.0e7}}
    - {name: boys, sex: male}
    - {name: hla_matched, hla_mismatches: [0]}
  multiplicity:
    procedure: graphical
    hypotheses: [primary, under5, mild]
    weights: [0.6, 0.2, 0.2]
    transitions: [[0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]]
  claims:
    overall_and_young: [primary, under5]
simulation: {trials: 700, seed: 2025}
)";
  for (const std::string* text : {&sg, &kThreeArms}) {
    Scenario s = load_scenario_text(*text, "repro.yaml");
    s.simulation.trials = 700;
    const Model m(s);
    for (double x : m.truth().subgroups.inside) REQUIRE(std::isfinite(x));  // NaN != NaN would spoil ==
    for (double x : m.truth().subgroups.outside) REQUIRE(std::isfinite(x));
    const Accumulator one = run_trials(m, EngineOptions{0, 0, 1});
    INFO(s.name);
    REQUIRE(one.trials() == 700);
    REQUIRE(one.subgroup_slots() == s.analysis.subgroups.size() * s.active_arms().size());
    CHECK(one.subgroup(0).inside.estimable > 0);
    CHECK(run_trials(m, EngineOptions{0, 0, 2}) == one);
    EngineOptions small_blocks{0, 0, 3};
    small_blocks.block_size = 17;
    CHECK(run_trials(m, small_blocks) == one);
    Accumulator halves = make_accumulator(m);
    halves.merge(run_trials(m, EngineOptions{350, 700, 2}));
    halves.merge(run_trials(m, EngineOptions{0, 350, 1}));
    CHECK(halves == one);
    CHECK(Accumulator::from_state(one.state()) == one);
    CHECK(Accumulator::from_state(nlohmann::json::parse(one.state().dump())) == one);
    CHECK(dump_json(summarise(s, halves, m.truth())) == dump_json(summarise(s, one, m.truth())));
  }
}

TEST_CASE("subgroups: declaring a subgroup by sex changes no other simulated value", "[subgroups]") {
  // Without weights, sex comes from a stream of its own: the children, their outcomes and who is
  // assessed stay the same, and the boys' share is the scenario's.
  const Scenario a = load_scenario_text(kFiveArms, "sg.yaml");
  const Scenario b = load_scenario_text(
      kFiveArms, "sg.yaml",
      {"analysis.subgroups=[{name: under5, age_months: {max: 60}}, {name: mild_young, gmfcs: [I, II], age_months: {max: 72}}, "
       "{name: boys, sex: male}]"});
  const Model ma(a), mb(b);
  REQUIRE(mb.sex_from_own_stream());
  TrialData da, db;
  double boys = 0, children = 0;
  for (std::uint64_t t = 0; t < 40; ++t) {
    ma.simulate(3, t, da);
    mb.simulate(3, t, db);
    CHECK(da.age == db.age);
    CHECK(da.baseline == db.baseline);
    CHECK(da.change == db.change);
    CHECK(da.observed == db.observed);
    for (std::uint8_t m : db.male) boys += m;
    children += static_cast<double>(db.size());
  }
  const double p = b.population.male_fraction;
  CHECK(std::fabs(boys / children - p) < 4 * std::sqrt(p * (1 - p) / children));
  const auto& truth = mb.truth().subgroups;
  CHECK(std::fabs(truth.prevalence[2] - p) < 4 * truth.prevalence_mc_se[2] + 1e-12);
}
