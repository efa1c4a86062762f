// Closed testing for arm selection (stats/arm_selection.hpp): the intersection tests and the closed
// combination test against hand-computed values, and strong control of the family-wise error rate
// in a stage-level simulation of the design (arm means against a shared control, the best arm or
// every arm above a threshold kept, the children of the dropped arms given to the arms kept) under
// the global null and under partial nulls; the naive unadjusted tests' inflation for contrast.
#include <array>
#include <cmath>

#include <catch2/catch.hpp>

#include "celltrial/core/random.hpp"
#include "celltrial/stats/arm_selection.hpp"
#include "celltrial/stats/enrichment.hpp"
#include "test_support.hpp"

using namespace celltrial;
using namespace celltrial::stats;

TEST_CASE("arm selection: intersection tests over the arms of a set that have a p-value", "[arm_selection]") {
  const double p[3] = {0.01, 0.04, 0.03};
  // Bonferroni: |I| min p; Simes: min_i |I| p_(i) / i.
  CHECK(intersection_p(p, 3, 0b111, false) == Approx(0.03));
  CHECK(intersection_p(p, 3, 0b111, true) == Approx(std::min({3 * 0.01, 3 * 0.03 / 2, 3 * 0.04 / 3})));
  CHECK(intersection_p(p, 3, 0b110, true) == Approx(std::min(2 * 0.03, 0.04)));
  CHECK(intersection_p(p, 3, 0b110, false) == Approx(0.06));
  CHECK(intersection_p(p, 3, 0b010, true) == Approx(0.04));
  CHECK(intersection_p(p, 3, 0b001, false) == Approx(0.01));
  // Capped at 1; an arm without a p-value (dropped) is left out; none: NaN.
  const double q[3] = {0.6, NAN, 0.9};
  CHECK(intersection_p(q, 3, 0b111, false) == 1.0);
  CHECK(intersection_p(q, 3, 0b111, true) == Approx(0.9));
  CHECK(intersection_p(q, 3, 0b011, false) == Approx(0.6));
  CHECK(std::isnan(intersection_p(q, 3, 0b010, true)));
}

TEST_CASE("arm selection: the closed test at the look and at the final analysis, by hand", "[arm_selection]") {
  const double c1 = 2.796510, c2 = 1.977432, w1 = std::sqrt(0.5);  // O'Brien-Fleming, t = 0.5, alpha 0.025
  {
    // One arm far above c1, the other near 0: Simes' H_12 p = 2 p(3.2) = 0.00137 (Z 2.99): arm 0 claimed.
    const double z1[2] = {3.2, 0.5};
    CHECK(closed_test_interim(z1, 2, true, c1) == 0b01);
    CHECK(closed_test_interim(z1, 2, false, c1) == 0b01);
  }
  {
    // Both at 2.9: H_1, H_2 and (Simes) H_12 rejected, both claimed; Bonferroni's H_12 (p 0.0037, Z 2.68) is not.
    const double z1[2] = {2.9, 2.9};
    CHECK(closed_test_interim(z1, 2, true, c1) == 0b11);
    CHECK(closed_test_interim(z1, 2, false, c1) == 0);
  }
  {
    // Three arms {2.9, 2.9, -1}: H_13 (Simes p 2 p(2.9) = 0.0037, Z 2.68) is not rejected at the look, so
    // nothing is claimed. Arm 0 kept with stage-2 Z 0.3: H_1's and H_13's combinations are
    // w1 (2.9 + 0.3) = 2.26 and w1 (2.68 + 0.3) = 2.10, H_123's stage 1 (Simes over 3: min(3 p1, 3 p2 / 2,
    // p3) = 0.0028, Z 2.77) gives w1 (2.77 + 0.3) = 2.17, all >= c2: arm 0 claimed, arm 1 (dropped) not.
    const double z1[3] = {2.9, 2.9, -1.0};
    CHECK(closed_test_interim(z1, 3, true, c1) == 0);
    const double z2[3] = {0.3, NAN, NAN};
    CHECK(closed_test_final(z1, z2, 3, true, w1, c1, c2) == 0b001);
    // Stage-2 Z -0.2: H_1's combination w1 (2.9 - 0.2) = 1.91 < c2, no claim.
    const double z2b[3] = {-0.2, NAN, NAN};
    CHECK(closed_test_final(z1, z2b, 3, true, w1, c1, c2) == 0);
    // Bonferroni: H_123's stage 1 is p 3 p(2.9) = 0.0056 (Z 2.54): w1 (2.54 + 0.3) = 2.01 >= c2, claimed.
    CHECK(closed_test_final(z1, z2, 3, false, w1, c1, c2) == 0b001);
    // Both of the first two arms kept: the stage-2 intersection over them.
    const double z2c[3] = {1.0, 1.0, NAN};
    CHECK(closed_test_final(z1, z2c, 3, true, w1, c1, c2) == 0b011);
  }
  {
    // {2.85, 2.85, -3}: H_13's Simes p is 2 p(2.85) = 0.0044 (Z 2.62 < c1), so nothing is claimed at the look.
    // Arm 0 kept with stage-2 Z 0.1: H_1 passes (w1 2.95 = 2.09) but H_13 does not (w1 (2.62 + 0.1) = 1.92).
    const double z1[3] = {2.85, 2.85, -3.0};
    CHECK(closed_test_interim(z1, 3, true, c1) == 0);
    const double z2[3] = {0.1, NAN, NAN};
    CHECK(closed_test_final(z1, z2, 3, true, w1, c1, c2) == 0);
  }
  // A stage-1 Z that is not estimable leaves its arm out of the look's intersections and unclaimable there.
  const double zn[2] = {NAN, 3.5};
  CHECK(closed_test_interim(zn, 2, true, c1) == 0b10);
}

namespace {
// A stage-level simulation of the two-stage design (as rpact's getSimulationMultiArmMeans draws it, with
// the stage-2 children of the dropped arms shared among control and the arms kept): known variance 1,
// n1 children per arm at stage 1, n2 children at stage 2 shared equally between control and the arms
// kept; effects theta (per arm, in SD units). Select: the best estimate (threshold floor) or every arm at
// or above the threshold. Counts the trials with a claim for an arm whose effect is 0 and the naive
// (each arm alone, pooled data) false claims.
struct Rates {
  double fwer = 0, naive = 0, any = 0;
};
Rates simulate(std::size_t m, const double* theta, bool best, double threshold, bool simes, double n1, double n2,
               std::uint64_t reps, std::uint64_t seed) {
  const double c1 = 2.796510, c2 = 1.977432, w1 = std::sqrt(0.5);
  Engine g = make_stream(seed, 0, Purpose::outcomes);
  std::uint64_t fwer = 0, naive = 0, any = 0;
  for (std::uint64_t r = 0; r < reps; ++r) {
    std::array<double, 5> mean1{};
    for (std::size_t a = 0; a <= m; ++a) mean1[a] = (a ? theta[a - 1] : 0.0) + std_normal(g) / std::sqrt(n1);
    std::array<double, 4> z1{}, z2{}, est{};
    z2.fill(NAN);
    for (std::size_t j = 0; j < m; ++j) {
      est[j] = mean1[j + 1] - mean1[0];
      z1[j] = est[j] / std::sqrt(2 / n1);
    }
    unsigned claims = closed_test_interim(z1.data(), m, simes, c1);
    unsigned naive_claims = 0;
    for (std::size_t j = 0; j < m; ++j)
      if (z1[j] >= c1) naive_claims |= 1u << j;
    if (claims == 0) {
      unsigned kept = 0;
      std::size_t top = 0;
      for (std::size_t j = 1; j < m; ++j)
        if (est[j] > est[top]) top = j;
      for (std::size_t j = 0; j < m; ++j)
        if ((best ? j == top : true) && est[j] >= threshold) kept |= 1u << j;
      if (kept != 0) {
        double k = 1;
        for (std::size_t j = 0; j < m; ++j) k += kept >> j & 1u;
        const double per = n2 / k;  // each arm kept and control
        const double mean0 = std_normal(g) / std::sqrt(per);
        for (std::size_t j = 0; j < m; ++j)
          if (kept >> j & 1u) {
            const double mean_j = theta[j] + std_normal(g) / std::sqrt(per);
            z2[j] = (mean_j - mean0) / std::sqrt(2 / per);
            // Pooled: n1 + per children in the arm and in control.
            const double pooled = ((mean1[j + 1] * n1 + mean_j * per) - (mean1[0] * n1 + mean0 * per)) / (n1 + per);
            if (pooled / std::sqrt(2 / (n1 + per)) >= c2) naive_claims |= 1u << j;
          }
        claims = closed_test_final(z1.data(), z2.data(), m, simes, w1, c1, c2);
      }
    }
    unsigned null = 0;
    for (std::size_t j = 0; j < m; ++j)
      if (theta[j] == 0) null |= 1u << j;
    fwer += (claims & null) != 0;
    naive += (naive_claims & null) != 0;
    any += claims != 0;
  }
  const double n = static_cast<double>(reps);
  return {static_cast<double>(fwer) / n, static_cast<double>(naive) / n, static_cast<double>(any) / n};
}
}  // namespace

TEST_CASE("arm selection: strong control of the family-wise error rate at the stage level", "[arm_selection][statistical]") {
  // Each configuration's FWER at most alpha + 3 MC SE: 2 and 3 arms, best or threshold, Simes or
  // Bonferroni, the global null and partial nulls (one arm effective: a drift of 3 at the look).
  const std::uint64_t reps = test::full_mode() ? 2000000 : 100000;
  const double alpha = 0.025, se = std::sqrt(alpha * (1 - alpha) / static_cast<double>(reps));
  const double n1 = 50, n2 = 150;  // 50 a group at the look; 150 children after it
  const double big = 3 * std::sqrt(2 / n1);
  std::uint64_t seed = 1;
  for (bool simes : {true, false})
    for (bool best : {true, false}) {
      for (std::size_t m : {2, 3}) {
        const double null[3] = {0, 0, 0};
        const double one[3] = {big, 0, 0};
        const double small[3] = {0, 0.5 * big, 0};  // an arm often kept but rarely claimed at the look
        for (const double* theta : {null, one, small}) {
          const Rates r = simulate(m, theta, best, best ? -1e9 : 0.0, simes, n1, n2, reps, seed++);
          INFO((simes ? "simes" : "bonferroni") << ", " << (best ? "best" : "threshold 0") << ", " << m
                                                << " arms, effects " << theta[0] << " " << theta[1] << ": FWER "
                                                << r.fwer << ", naive " << r.naive << " (MC SE " << se << ")");
          CHECK(r.fwer <= alpha + 3 * se);
        }
      }
    }
  // The naive tests inflate the error under the global null far beyond the Monte Carlo error.
  const double null[3] = {0, 0, 0};
  const Rates naive = simulate(3, null, false, -1e9, true, n1, n2, reps, 99);
  INFO("naive, every arm kept: " << naive.naive);
  CHECK(naive.naive > alpha + 10 * se);
}
