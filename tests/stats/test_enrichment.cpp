// Closed testing for adaptive enrichment (stats/enrichment.hpp): the intersection tests and the
// closed combination test against hand-computed values and rpact's closed test
// (tests/reference/enrichment/), and strong control of the family-wise error rate in a stage-level
// simulation of the design under the global null and under each partial null, the configuration the
// patient-level engine cannot build (no effect on average in everyone while the subgroup benefits)
// included; the naive unadjusted tests' inflation for contrast.
#include <algorithm>
#include <cmath>
#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "celltrial/core/random.hpp"
#include "celltrial/stats/enrichment.hpp"
#include "test_support.hpp"

using namespace celltrial;
using namespace celltrial::stats;

TEST_CASE("enrichment: intersection tests and the closed test against hand-computed values", "[enrichment]") {
  // Simes: min(2 min, max); Bonferroni: min(1, 2 min).
  CHECK(intersection_p(0.01, 0.03, true) == Approx(0.02));
  CHECK(intersection_p(0.01, 0.015, true) == Approx(0.015));
  CHECK(intersection_p(0.01, 0.015, false) == Approx(0.02));
  CHECK(intersection_p(0.6, 0.9, false) == 1.0);
  CHECK(intersection_p(0.6, 0.9, true) == Approx(0.9));
  CHECK(std::isnan(intersection_p(NAN, 0.1, true)));
  CHECK(p_of_z(1.959963984540054) == Approx(0.025).epsilon(1e-12));
  CHECK(z_of_p(0.025) == Approx(1.959963984540054).epsilon(1e-12));
  CHECK(z_of_p(1e-300) > 37);
  // One population only: the intersection is that population's Z.
  CHECK(stage_z(NAN, 1.3, true).intersection == 1.3);
  CHECK(stage_z(0.7, NAN, true).intersection == 0.7);
  // Both: Z_F = 2.0 (p 0.022750), Z_S = 2.5 (p 0.0062097): Simes min(0.012419, 0.022750) = 0.012419,
  // Z 2.243903; Bonferroni the same.
  const StageZ s = stage_z(2.0, 2.5, true);
  CHECK(s.intersection == Approx(z_of_p(2 * p_of_z(2.5))).epsilon(1e-12));
  CHECK(s.intersection == Approx(2.243903).epsilon(1e-6));
  // Z_F = 2.6, Z_S = 2.7 (p 0.004661, 0.003467): Simes min(0.006934, 0.004661) = 0.004661 = p_F (Z 2.6);
  // Bonferroni 0.0069339 (Z 2.460667).
  CHECK(stage_z(2.6, 2.7, true).intersection == Approx(2.6).epsilon(1e-12));
  CHECK(stage_z(2.6, 2.7, false).intersection == Approx(2.460667).epsilon(1e-6));
  // At the look (c1 = 2.5): with Simes both Z are at least c1 and so is the intersection, both
  // rejected; with Bonferroni the intersection (2.4607) is not: neither.
  CHECK(closed_test_interim(stage_z(2.6, 2.7, true), 2.5).full);
  CHECK(closed_test_interim(stage_z(2.6, 2.7, true), 2.5).subgroup);
  CHECK_FALSE(closed_test_interim(stage_z(2.6, 2.7, false), 2.5).any());
  // Final (w1 = sqrt(0.5), c = 1.9774): stage 1 Z_F 1.0 (p 0.158655), Z_S 2.0 (p 0.022750), Simes
  // min(0.045500, 0.158655) = 0.045500, Z 1.690143; stage 2 the subgroup only, Z_S2 1.5. Intersection:
  // 0.70711 (1.690143 + 1.5) = 2.2557 >= c; H_S: 0.70711 (2.0 + 1.5) = 2.4749 >= c: H_S rejected; H_F
  // dropped.
  const StageZ s1 = stage_z(1.0, 2.0, true), s2 = stage_z(NAN, 1.5, true);
  CHECK(s1.intersection == Approx(1.690143).epsilon(1e-6));
  const ClosedDecision d = closed_test_final(s1, s2, std::sqrt(0.5), 1.9774);
  CHECK(d.subgroup);
  CHECK_FALSE(d.full);
  // The same with a weaker second stage, Z_S2 1.0: intersection 0.70711 (1.690143 + 1) = 1.9022 < c, so
  // H_S is not rejected although its own combination 0.70711 (2 + 1) = 2.1213 >= c.
  CHECK(combine(2.0, 1.0, std::sqrt(0.5)) >= 1.9774);
  CHECK_FALSE(closed_test_final(s1, stage_z(NAN, 1.0, true), std::sqrt(0.5), 1.9774).any());
  // Not estimable at either stage: no claim.
  CHECK_FALSE(closed_test_final(stage_z(NAN, NAN, true), s2, std::sqrt(0.5), 1.9774).any());
}

TEST_CASE("enrichment: the closed combination test agrees with rpact's", "[enrichment]") {
  // tests/reference/enrichment/reference.R: rpact's getClosedCombinationTestResults for two-stage
  // inverse-normal designs over stage-wise p-values of H_F and H_S, both populations continued or one.
  std::ifstream in(test::source_path("tests/reference/enrichment/reference.json"));
  REQUIRE(in);
  const auto ref = nlohmann::json::parse(in);
  REQUIRE(ref["cases"].size() >= 20);
  for (const auto& c : ref["cases"]) {
    INFO(c.dump());
    const bool simes = c["intersection"] == "simes";
    const double w1 = c["w1"].get<double>(), c1 = c["critical"][0].get<double>(), c2 = c["critical"][1].get<double>();
    auto z = [](const nlohmann::json& p) { return p.is_null() ? NAN : z_of_p(p.get<double>()); };
    const StageZ s1 = stage_z(z(c["p1"][0]), z(c["p1"][1]), simes);
    const StageZ s2 = stage_z(z(c["p2"][0]), z(c["p2"][1]), simes);
    // The intersection's combined p-value as rpact reports it (overall adjusted test statistics).
    const ClosedDecision look = closed_test_interim(s1, c1);
    CHECK(look.full == c["reject1"][0].get<bool>());
    CHECK(look.subgroup == c["reject1"][1].get<bool>());
    if (!look.any()) {
      const ClosedDecision fin = closed_test_final(s1, s2, w1, c2);
      CHECK(fin.full == c["reject2"][0].get<bool>());
      CHECK(fin.subgroup == c["reject2"][1].get<bool>());
      CHECK(combine(s1.intersection, s2.intersection, w1) == Approx(c["z_intersection2"].get<double>()).margin(1e-6));
    }
  }
}

namespace {
// A stage-level simulation of the two-stage enrichment design (as rpact's getSimulationEnrichmentMeans
// draws it): a known-variance Z per population and stage, F's a mix of the subgroup's and the
// complement's (Z_F = sqrt(p) Z_S + sqrt(1 - p) Z_C with equal shares p of the stage's children).
// Drifts are per stage of n children: theta_S sqrt(p), theta_C sqrt(1 - p) in everyone; theta_S after
// selecting the subgroup (all n children in it). The rule on the look's Z: everyone when Z_C >= tc,
// else the subgroup when Z_S >= ts, else stop.
struct Rates {
  double full = 0, subgroup = 0, any = 0, naive_any = 0;
};
Rates simulate_stages(double p, double theta_s, double theta_c, double tc, double ts, bool simes, std::uint64_t reps,
                      std::uint64_t seed) {
  const double c1 = 2.796510, c2 = 1.977432, w1 = std::sqrt(0.5);  // O'Brien-Fleming, t = 0.5, alpha 0.025
  Engine g = make_stream(seed, 0, Purpose::outcomes);
  std::uint64_t full = 0, sub = 0, any = 0, naive = 0;
  for (std::uint64_t r = 0; r < reps; ++r) {
    const double zs1 = theta_s * std::sqrt(p) + std_normal(g), zc1 = theta_c * std::sqrt(1 - p) + std_normal(g);
    const double zf1 = std::sqrt(p) * zs1 + std::sqrt(1 - p) * zc1;
    const StageZ s1 = stage_z(zf1, zs1, simes);
    ClosedDecision d = closed_test_interim(s1, c1);
    bool naive_claim = zf1 >= c1 || zs1 >= c1;
    if (!d.any()) {
      if (zc1 >= tc) {
        const double zs2 = theta_s * std::sqrt(p) + std_normal(g), zc2 = theta_c * std::sqrt(1 - p) + std_normal(g);
        const double zf2 = std::sqrt(p) * zs2 + std::sqrt(1 - p) * zc2;
        d = closed_test_final(s1, stage_z(zf2, zs2, simes), w1, c2);
        // Pooled: each population's children of both stages together (equal stage sizes).
        naive_claim = naive_claim || (zf1 + zf2) / std::sqrt(2.0) >= c2 || (zs1 + zs2) / std::sqrt(2.0) >= c2;
      } else if (zs1 >= ts) {
        const double zs2 = theta_s + std_normal(g);  // every stage-2 child in the subgroup
        d = closed_test_final(s1, stage_z(NAN, zs2, simes), w1, c2);
        // Pooled subgroup: p n children of stage 1 and n of stage 2.
        naive_claim = naive_claim || (std::sqrt(p) * zs1 + zs2) / std::sqrt(p + 1) >= c2;
      }
    }
    full += d.full;
    sub += d.subgroup;
    any += d.any();
    naive += naive_claim;
  }
  const double n = static_cast<double>(reps);
  return {static_cast<double>(full) / n, static_cast<double>(sub) / n, static_cast<double>(any) / n,
          static_cast<double>(naive) / n};
}
}  // namespace

TEST_CASE("enrichment: strong control of the family-wise error rate at the stage level", "[enrichment][statistical]") {
  // Each rate of a true hypothesis (or of any claim when both are true) at most alpha + 3 MC SE.
  const std::uint64_t reps = test::full_mode() ? 4000000 : 400000;
  const double alpha = 0.025, se = std::sqrt(alpha * (1 - alpha) / static_cast<double>(reps));
  const double p = 0.3;
  for (bool simes : {true, false})
    for (auto [tc, ts] : {std::pair{0.0, 0.0}, {1.0, -0.5}, {-10.0, 0.0}, {10.0, -10.0}}) {
      INFO((simes ? "simes" : "bonferroni") << ", thresholds complement " << tc << ", subgroup " << ts);
      // Global null: both hypotheses true.
      const Rates g0 = simulate_stages(p, 0, 0, tc, ts, simes, reps, 1);
      INFO("global null: any " << g0.any << " naive " << g0.naive_any << " (MC SE " << se << ")");
      CHECK(g0.any <= alpha + 3 * se);
      // Only the complement benefits: H_S true.
      const Rates c = simulate_stages(p, 0, 2.0, tc, ts, simes, reps, 2);
      INFO("effect in the complement only: claim in the subgroup " << c.subgroup);
      CHECK(c.subgroup <= alpha + 3 * se);
      // The subgroup benefits and the complement is harmed so that everyone averages 0: H_F true.
      // F's drift sqrt(p) theta_s sqrt(p) + sqrt(1 - p) theta_c sqrt(1 - p) = p theta_s + (1 - p) theta_c = 0.
      const double theta_s = 2.5, theta_c0 = -theta_s * p / (1 - p);
      const Rates f = simulate_stages(p, theta_s, theta_c0, tc, ts, simes, reps, 3);
      INFO("no effect on average in everyone, the subgroup benefits: claim in everyone " << f.full << ", in the subgroup "
                                                                                        << f.subgroup);
      CHECK(f.full <= alpha + 3 * se);
    }
  // The naive tests inflate the error under the global null far beyond the Monte Carlo error.
  const Rates naive = simulate_stages(p, 0, 0, 1.0, -0.5, true, reps, 4);
  INFO("naive any " << naive.naive_any);
  CHECK(naive.naive_any > alpha + 10 * se);
}

TEST_CASE("enrichment: the stage-level rejection rates agree with rpact's simulation of the same design",
          "[enrichment][statistical]") {
  // tests/reference/enrichment/simulation.R: rpact's getSimulationEnrichmentMeans (20,000 iterations a
  // case) with prevalence 0.3, 200 subjects at the look and 400 in all, standardised effects
  // (delta_S, delta_R): a population's Z over n subjects has drift delta sqrt(n / 4). The selection is
  // fixed (the subgroup alone, or both), which the threshold rule gives with thresholds beyond reach.
  std::ifstream in(test::source_path("tests/reference/enrichment/simulation.json"));
  REQUIRE(in);
  const auto ref = nlohmann::json::parse(in);
  REQUIRE(ref["cases"].size() == 16);
  const std::uint64_t reps = test::full_mode() ? 1000000 : 100000;
  std::uint64_t seed = 10;
  for (const auto& c : ref["cases"]) {
    INFO(c.dump());
    const bool subgroup_only = c["selection"] == "subgroup";
    const double root = std::sqrt(200.0 / 4);
    const Rates r = simulate_stages(0.3, c["delta"][0].get<double>() * root, c["delta"][1].get<double>() * root,
                                    subgroup_only ? 1e9 : -1e9, -1e9, c["intersection"] == "simes", reps, seed++);
    const double n_ref = c["iterations"].get<double>(), n = static_cast<double>(reps);
    for (auto [mine, key] : {std::pair{r.subgroup, "reject_subgroup"}, {r.full, "reject_full"}, {r.any, "reject_any"}}) {
      const double theirs = c[key].get<double>();
      const double se = std::sqrt(std::max(theirs * (1 - theirs), 1e-4) * (1 / n_ref + 1 / n));
      INFO(key << ": celltrial " << mine << ", rpact " << theirs << " (MC SE of the difference " << se << ")");
      CHECK(std::fabs(mine - theirs) <= 4 * se);
    }
  }
}
