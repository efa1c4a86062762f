// Group-sequential boundaries: published values (REFERENCE.md) and properties.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <utility>
#include <vector>

#include "celltrial/stats/group_sequential.hpp"
#include "stats_test_util.hpp"

using namespace celltrial::stats;
using celltrial::stats::testing::require_usage_error;

namespace {

GroupSequentialOptions looks(int k, Boundary b, double alpha = 0.025, int sides = 1) {
  GroupSequentialOptions o;
  o.looks = k;
  o.boundary = b;
  o.alpha = alpha;
  o.sides = sides;
  return o;
}

/// Upper normal quantile by bisection (test-only, independent of the library).
double z_upper(double p) {
  double lo = -10, hi = 10;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (0.5 * std::erfc(mid / std::sqrt(2.0)) > p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace

TEST_CASE("stats: O'Brien-Fleming boundaries match rpact", "[stats][group_sequential]") {
  // rpact getDesignInverseNormal(kMax = 3, typeOfDesign = "OF"), one-sided 0.025.
  auto o = looks(3, Boundary::obrien_fleming);
  o.grid_r = 64;  // the cumulative alpha is printed to 8 significant digits
  const auto d = design_group_sequential(o);
  REQUIRE(d.critical_values.size() == 3);
  CHECK(d.critical_values[0] == Approx(3.4710914).margin(5e-8));
  CHECK(d.critical_values[1] == Approx(2.4544323).margin(5e-8));
  CHECK(d.critical_values[2] == Approx(2.0040356).margin(5e-8));
  CHECK(d.cumulative_alpha[0] == Approx(0.00025917372).margin(5e-15));
  CHECK(d.cumulative_alpha[1] == Approx(0.0071600594).margin(5e-11));
  CHECK(d.cumulative_alpha[2] == Approx(0.025).margin(1e-13));
  CHECK(d.nominal_alpha[2] == Approx(0.5 * std::erfc(2.0040356 / std::sqrt(2.0))).epsilon(1e-6));
  // The O'Brien-Fleming shape: c_k sqrt(t_k) constant.
  for (std::size_t k = 0; k < 3; ++k)
    CHECK(d.critical_values[k] * std::sqrt(d.information_fractions[k]) == Approx(d.critical_values[2]));
  // The default grid (r = 32) is already good to ~1e-8.
  const auto coarse = design_group_sequential(looks(3, Boundary::obrien_fleming));
  for (std::size_t k = 0; k < 3; ++k)
    CHECK(coarse.critical_values[k] == Approx(d.critical_values[k]).margin(3e-8));
}

TEST_CASE("stats: two-sided symmetric O'Brien-Fleming matches gsDesign", "[stats]") {
  // gsDesign(k = 4, test.type = 2, sfu = "OF", alpha = 0.025, beta = 0.2): 4.05, 2.86, 2.34, 2.02.
  const auto d = design_group_sequential(looks(4, Boundary::obrien_fleming, 0.05, 2));
  const double expected[] = {4.05, 2.86, 2.34, 2.02};
  for (std::size_t k = 0; k < 4; ++k) CHECK(d.critical_values[k] == Approx(expected[k]).margin(0.005));
  CHECK(d.cumulative_alpha.back() == Approx(0.05).margin(1e-12));
  // Symmetric two-sided at 2 alpha is nearly the one-sided design at alpha (lower crossings are rare).
  const auto one = design_group_sequential(looks(4, Boundary::obrien_fleming, 0.025, 1));
  for (std::size_t k = 0; k < 4; ++k)
    CHECK(d.critical_values[k] == Approx(one.critical_values[k]).margin(1e-4));
}

TEST_CASE("stats: Haybittle-Peto final boundary", "[stats]") {
  const auto d = design_group_sequential(looks(4, Boundary::haybittle_peto));
  CHECK(d.critical_values[0] == 3.0);
  CHECK(d.critical_values[1] == 3.0);
  CHECK(d.critical_values[2] == 3.0);
  CHECK(d.critical_values[3] == Approx(1.9827514).margin(5e-8));
  CHECK(d.cumulative_alpha[0] == Approx(0.5 * std::erfc(3.0 / std::sqrt(2.0))).epsilon(1e-12));
  CHECK(d.cumulative_alpha[3] == Approx(0.025).margin(1e-13));
}

TEST_CASE("stats: maximum sample size inflation factors match gsDesign", "[stats]") {
  CHECK(inflation_factor(design_group_sequential(looks(5, Boundary::obrien_fleming)), 0.8) ==
        Approx(1.028).margin(5e-4));
  auto obf20 = looks(20, Boundary::obrien_fleming);
  obf20.grid_r = 16;  // three decimals needed; keeps the test fast
  CHECK(inflation_factor(design_group_sequential(obf20), 0.9) == Approx(1.045).margin(5e-4));
  CHECK(inflation_factor(design_group_sequential(looks(4, Boundary::pocock)), 0.8) ==
        Approx(1.202).margin(5e-4));
  // Same values for the two-sided versions at twice the level (Jennison & Turnbull tables 2.3, 2.6).
  CHECK(inflation_factor(design_group_sequential(looks(4, Boundary::pocock, 0.05, 2)), 0.8) ==
        Approx(1.202).margin(5e-4));
  // A single look is the fixed design.
  CHECK(inflation_factor(design_group_sequential(looks(1, Boundary::pocock)), 0.9) ==
        Approx(1.0).margin(1e-10));
}

TEST_CASE("stats: naive repeated testing inflates the type I error", "[stats]") {
  CHECK(repeated_testing_alpha(1, 0.025) == Approx(0.025).margin(1e-14));
  CHECK(repeated_testing_alpha(2, 0.025) == Approx(0.042).margin(5e-4));
  CHECK(repeated_testing_alpha(4, 0.025) == Approx(0.063).margin(5e-4));
  CHECK(repeated_testing_alpha(10, 0.025) == Approx(0.097).margin(5e-4));
  CHECK(repeated_testing_alpha(20, 0.025) == Approx(0.124).margin(5e-4));
  // Two-sided 0.05 (Armitage, McPherson & Rowe 1969; Jennison & Turnbull table 1.1).
  CHECK(repeated_testing_alpha(2, 0.05, 2) == Approx(0.083).margin(5e-4));
  CHECK(repeated_testing_alpha(5, 0.05, 2) == Approx(0.142).margin(5e-4));
  CHECK(repeated_testing_alpha(10, 0.05, 2) == Approx(0.193).margin(5e-4));
}

TEST_CASE("stats: naive repeated testing by exit_probabilities with constant bounds", "[stats][group_sequential]") {
  // The same inflation computed directly: a design whose every look is tested at the fixed
  // design's one-sided 0.025 bound 1.959964, equally spaced, under the null (drift 0). Published
  // values (Armitage, McPherson & Rowe 1969; Jennison & Turnbull 2000, table 1.1, halved for one
  // side): 0.042 / 0.063 / 0.097 for 2 / 4 / 10 looks.
  const double c = 1.959963984540054;
  for (const auto& [looks, published] : std::vector<std::pair<int, double>>{{2, 0.042}, {4, 0.063}, {10, 0.097}}) {
    GroupSequentialDesign d;
    for (int k = 1; k <= looks; ++k) d.information_fractions.push_back(static_cast<double>(k) / looks);
    d.critical_values.assign(static_cast<std::size_t>(looks), c);
    d.alpha = 0.025;
    d.sides = 1;
    const ExitProbabilities e = exit_probabilities(d, 0.0);
    INFO(looks << " looks: " << e.upper_total);
    CHECK(e.upper_total == Approx(published).margin(5e-4));
    // The first look alone is the fixed design's test; each later look adds less.
    CHECK(e.upper[0] == Approx(0.025).margin(1e-9));
    for (int k = 1; k < looks; ++k) CHECK(e.upper[static_cast<std::size_t>(k)] < e.upper[static_cast<std::size_t>(k) - 1]);
    CHECK(e.upper_total == Approx(repeated_testing_alpha(looks, 0.025)).margin(1e-7));
  }
}

TEST_CASE("stats: alpha spending functions and spending boundaries", "[stats]") {
  for (Spending s : {Spending::lan_demets_obrien_fleming, Spending::lan_demets_pocock,
                     Spending::hwang_shih_decani}) {
    for (double gamma : {-4.0, 0.0, 1.0}) {
      CHECK(alpha_spent(s, 0.025, 1, 0.0, gamma) == 0.0);
      CHECK(alpha_spent(s, 0.025, 1, 1.0, gamma) == Approx(0.025).epsilon(1e-12));
      CHECK(alpha_spent(s, 0.05, 2, 1.0, gamma) == Approx(0.05).epsilon(1e-12));
      double last = 0.0;
      for (double t : {0.1, 0.3, 0.5, 0.8, 1.0}) {
        const double a = alpha_spent(s, 0.025, 1, t, gamma);
        CHECK(a > last);
        last = a;
      }
    }
  }
  CHECK(alpha_spent(Spending::hwang_shih_decani, 0.025, 1, 0.4, 0.0) == Approx(0.01));
  CHECK(alpha_spent(Spending::lan_demets_pocock, 0.025, 1, 0.5, 0.0) ==
        Approx(0.025 * std::log(1 + (std::exp(1.0) - 1) * 0.5)));

  // Each look spends exactly what the function allows, for uneven looks and both sides.
  for (int sides : {1, 2}) {
    for (Spending s : {Spending::lan_demets_obrien_fleming, Spending::lan_demets_pocock,
                       Spending::hwang_shih_decani}) {
      GroupSequentialOptions o;
      o.information_fractions = {0.25, 0.6, 0.8, 1.0};
      o.alpha = 0.025 * sides;
      o.sides = sides;
      o.spending = s;
      o.hsd_gamma = -2.0;
      const auto d = design_group_sequential(o);
      for (std::size_t k = 0; k < 4; ++k)
        CHECK(d.cumulative_alpha[k] ==
              Approx(alpha_spent(s, o.alpha, sides, o.information_fractions[k], -2.0)).margin(1e-12));
      for (std::size_t k = 1; k < 4; ++k) CHECK(std::isfinite(d.critical_values[k]));
    }
  }
  // Widely tabulated values (one-sided 0.025, three equally spaced looks).
  auto o = looks(3, Boundary::spending);
  auto d = design_group_sequential(o);
  CHECK(d.critical_values[0] == Approx(3.7103).margin(1e-4));
  CHECK(d.critical_values[1] == Approx(2.5114).margin(1e-4));
  CHECK(d.critical_values[2] == Approx(1.9930).margin(1e-4));
  o.spending = Spending::lan_demets_pocock;
  d = design_group_sequential(o);
  CHECK(d.critical_values[0] == Approx(2.2794).margin(1e-4));
  CHECK(d.critical_values[2] == Approx(2.2959).margin(1e-4));
  o.spending = Spending::hwang_shih_decani;
  o.hsd_gamma = -4.0;
  d = design_group_sequential(o);
  CHECK(d.critical_values[0] == Approx(3.0107).margin(1e-4));
  CHECK(d.critical_values[2] == Approx(1.9992).margin(1e-4));

  // OBF-like spending at a very early look spends almost nothing: a huge but finite boundary.
  GroupSequentialOptions early;
  early.information_fractions = {0.01, 1.0};
  d = design_group_sequential(early);
  CHECK(d.critical_values[0] > 20.0);
  CHECK(d.critical_values[1] == Approx(z_upper(0.025)).margin(1e-6));
}

TEST_CASE("stats: classical boundaries and single looks", "[stats]") {
  const auto p = design_group_sequential(looks(5, Boundary::pocock));
  for (double c : p.critical_values) CHECK(c == Approx(p.critical_values[0]).epsilon(1e-14));
  CHECK(p.critical_values[0] == Approx(2.413).margin(1e-3));  // Pocock (1977), K = 5, 0.025
  // Wang-Tsiatis with Delta 0 / 0.5 reproduces O'Brien-Fleming / Pocock.
  auto wt = looks(5, Boundary::wang_tsiatis);
  wt.wang_tsiatis_delta = 0.5;
  CHECK(design_group_sequential(wt).critical_values[0] == Approx(p.critical_values[0]).epsilon(1e-10));
  wt.wang_tsiatis_delta = 0.0;
  CHECK(design_group_sequential(wt).critical_values[4] ==
        Approx(design_group_sequential(looks(5, Boundary::obrien_fleming)).critical_values[4]).epsilon(1e-10));
  // With one look every family is the fixed design.
  for (Boundary b : {Boundary::obrien_fleming, Boundary::pocock, Boundary::haybittle_peto,
                     Boundary::spending, Boundary::unadjusted}) {
    CHECK(design_group_sequential(looks(1, b)).critical_values[0] == Approx(z_upper(0.025)).margin(1e-9));
    CHECK(design_group_sequential(looks(1, b, 0.05, 2)).critical_values[0] ==
          Approx(z_upper(0.025)).margin(1e-9));
  }
}

TEST_CASE("stats: boundary crossing probabilities agree with simulation", "[stats]") {
  GroupSequentialOptions o;
  o.information_fractions = {0.3, 0.7, 1.0};
  o.spending = Spending::hwang_shih_decani;
  o.hsd_gamma = -2.0;
  const auto d = design_group_sequential(o);
  const double drift = drift_for_power(d, 0.9);
  const auto e = exit_probabilities(d, drift);
  CHECK(e.upper_total == Approx(0.9).margin(1e-10));
  CHECK(e.expected_information_fraction < 1.0);
  CHECK(e.expected_information_fraction > 0.3);
  const auto null = exit_probabilities(d, 0.0);
  CHECK(null.total == Approx(0.025).margin(1e-12));
  CHECK(null.expected_information_fraction > 0.99);

  // Brownian motion with drift observed at the three looks.
  std::mt19937_64 rng(7);
  std::normal_distribution<double> z;
  const int trials = 200000;
  int h0 = 0, h1 = 0;
  double info = 0.0;
  for (int i = 0; i < trials; ++i) {
    for (int hyp = 0; hyp < 2; ++hyp) {
      const double theta = hyp == 0 ? 0.0 : drift;
      double s = 0.0, t_prev = 0.0;
      for (std::size_t k = 0; k < 3; ++k) {
        const double t = o.information_fractions[k];
        s += theta * (t - t_prev) + std::sqrt(t - t_prev) * z(rng);
        t_prev = t;
        if (s / std::sqrt(t) >= d.critical_values[k]) {
          (hyp == 0 ? h0 : h1)++;
          if (hyp == 1) info += t;
          break;
        }
        if (k == 2 && hyp == 1) info += 1.0;
      }
    }
  }
  const double a = static_cast<double>(h0) / trials, pw = static_cast<double>(h1) / trials;
  CHECK(std::fabs(a - 0.025) < 4 * std::sqrt(0.025 * 0.975 / trials));
  CHECK(std::fabs(pw - 0.9) < 4 * std::sqrt(0.9 * 0.1 / trials));
  CHECK(info / trials == Approx(e.expected_information_fraction).margin(0.003));
}

TEST_CASE("stats: invalid group-sequential options are reported clearly", "[stats]") {
  GroupSequentialOptions o;
  require_usage_error([&] { design_group_sequential(o); }, "--looks");  // neither looks nor fractions
  o.information_fractions = {0.5, 0.4, 1.0};
  require_usage_error([&] { design_group_sequential(o); }, "increase strictly");
  o.information_fractions = {0.5, 0.9};
  require_usage_error([&] { design_group_sequential(o); }, "instead of 1");
  o.information_fractions = {0.5, 1.0};
  o.looks = 3;
  require_usage_error([&] { design_group_sequential(o); }, "one information fraction per look");
  auto bad = looks(3, Boundary::spending, 0.0);
  require_usage_error([&] { design_group_sequential(bad); }, "--alpha");
  bad = looks(3, Boundary::spending, 0.025, 3);
  require_usage_error([&] { design_group_sequential(bad); }, "--sides");
  bad = looks(3, Boundary::wang_tsiatis);
  bad.wang_tsiatis_delta = 0.8;
  require_usage_error([&] { design_group_sequential(bad); }, "--parameter");
  o.information_fractions = {0.5, 0.50001, 1.0};
  o.looks = 0;
  require_usage_error([&] { design_group_sequential(o); }, "merge looks");
  bad = looks(4, Boundary::haybittle_peto);
  bad.haybittle_peto_interim = 1.5;
  require_usage_error([&] { design_group_sequential(bad); }, "already spend");
  auto d = design_group_sequential(looks(3, Boundary::pocock));
  require_usage_error([&] { inflation_factor(d, 0.02); }, "--power");
  d.critical_values.pop_back();
  require_usage_error([&] { exit_probabilities(d, 1.0); }, "one critical value per look");
  require_usage_error([&] { alpha_spent(Spending::lan_demets_pocock, 0.025, 1, 1.5); }, "outside [0, 1]");
}

TEST_CASE("stats: hand-built designs and close looks", "[stats]") {
  // Custom critical values: the exit probabilities follow the recursion; with two looks the
  // type I error is 1 − P(Z1 < c1, Z2 < c2), corr sqrt(1/2).
  GroupSequentialDesign d;
  d.information_fractions = {0.5, 1.0};
  d.critical_values = {2.5, 2.0};
  const auto e = exit_probabilities(d, 0.0);
  CHECK(e.upper[0] == Approx(0.5 * std::erfc(2.5 / std::sqrt(2.0))).epsilon(1e-12));
  CHECK(e.total > 0.5 * std::erfc(2.0 / std::sqrt(2.0)));
  CHECK(e.total < 0.5 * std::erfc(2.0 / std::sqrt(2.0)) + e.upper[0]);
  // Looks very close together: the grid is refined so the answer does not depend on r.
  GroupSequentialOptions o;
  o.information_fractions = {0.2, 0.2002, 0.6, 1.0};
  o.boundary = Boundary::pocock;
  o.grid_r = 16;
  const double coarse = design_group_sequential(o).critical_values[0];
  o.grid_r = 64;
  CHECK(coarse == Approx(design_group_sequential(o).critical_values[0]).margin(1e-7));
}

TEST_CASE("stats: Kim-DeMets power spending", "[stats][group_sequential]") {
  for (double rho : {0.5, 1.0, 2.0, 3.0})
    for (double t : {0.1, 0.4, 0.75, 1.0})
      CHECK(alpha_spent(Spending::kim_demets, 0.025, 1, t, rho) == Approx(0.025 * std::pow(t, rho)).epsilon(1e-14));
  CHECK(alpha_spent(Spending::kim_demets, 0.05, 2, 0.5, 2.0) == Approx(0.05 * 0.25).epsilon(1e-14));
  // The default rho is 3 (NaN means the family's default).
  CHECK(alpha_spent(Spending::kim_demets, 0.025, 1, 0.5) == Approx(0.025 * 0.125).epsilon(1e-14));
  CHECK(parameter_of(Spending::kim_demets).default_value == 3.0);
  // rho = 1 spends linearly, as Hwang-Shih-DeCani with gamma = 0.
  GroupSequentialOptions kd;
  kd.information_fractions = {0.3, 0.55, 1.0};
  kd.spending = Spending::kim_demets;
  kd.kd_rho = 1.0;
  GroupSequentialOptions hsd = kd;
  hsd.spending = Spending::hwang_shih_decani;
  hsd.hsd_gamma = 0.0;
  const auto a = design_group_sequential(kd), b = design_group_sequential(hsd);
  for (std::size_t k = 0; k < 3; ++k) CHECK(a.critical_values[k] == Approx(b.critical_values[k]).epsilon(1e-12));
  // Each look spends what the function allows; larger rho spends later (higher early bounds).
  kd.kd_rho = 3.0;
  const auto c = design_group_sequential(kd);
  for (std::size_t k = 0; k < 3; ++k)
    CHECK(c.cumulative_alpha[k] == Approx(0.025 * std::pow(kd.information_fractions[k], 3.0)).margin(1e-12));
  CHECK(c.critical_values[0] > a.critical_values[0]);
  CHECK(c.critical_values[2] < a.critical_values[2]);
}

TEST_CASE("stats: futility bounds by beta spending", "[stats][group_sequential]") {
  BoundariesOptions o;
  o.looks = 3;
  o.boundary = "spending-obrien-fleming";
  o.beta_spending = "obrien-fleming";
  const auto nb = compute_boundaries(o).design;
  o.binding = true;
  const auto bi = compute_boundaries(o).design;
  // rpact 3.3.4: getDesignGroupSequential(kMax = 3, typeOfDesign = "asOF", typeBetaSpending =
  // "bsOF", tolerance = 1e-10), non-binding and binding (futilityBounds, criticalValues, shift).
  CHECK(nb.futility_bounds[0] == Approx(-0.236144607779).margin(1e-6));
  CHECK(nb.futility_bounds[1] == Approx(1.170372031884).margin(1e-6));
  CHECK(nb.critical_values[2] == Approx(1.99304747785).margin(1e-6));
  CHECK(nb.drift * nb.drift == Approx(8.66778491187).epsilon(1e-6));
  CHECK(bi.futility_bounds[0] == Approx(-0.2700055638).margin(1e-6));
  CHECK(bi.futility_bounds[1] == Approx(1.1224846072).margin(1e-6));
  CHECK(bi.critical_values[1] == Approx(2.5111084357).margin(1e-6));
  CHECK(bi.critical_values[2] == Approx(1.9309157208).margin(1e-6));
  CHECK(bi.drift * bi.drift == Approx(8.3258870126).epsilon(1e-6));

  for (const auto* d : {&nb, &bi}) {
    // The last futility bound is the last critical value; at the drift the power is 1 - beta and
    // the beta spent by each look is the spending function's.
    CHECK(d->futility_bounds[2] == d->critical_values[2]);
    const auto e = exit_probabilities(*d, d->drift);
    CHECK(e.upper_total == Approx(0.8).margin(1e-9));
    for (std::size_t k = 0; k < 3; ++k) {
      const double t = d->information_fractions[k];
      CHECK(d->cumulative_beta[k] == Approx(alpha_spent(Spending::lan_demets_obrien_fleming, 0.2, 1, t)).margin(1e-10));
      CHECK(d->cumulative_alpha[k] == Approx(alpha_spent(Spending::lan_demets_obrien_fleming, 0.025, 1, t)).margin(1e-12));
    }
    CHECK(drift_for_power(*d, 0.8) == Approx(d->drift).epsilon(1e-8));
  }
  // Non-binding: the efficacy bounds are those without futility, and obeying the futility stops
  // only lowers the type I error. Binding: lower efficacy bounds, exactly alpha with the stops.
  const auto plain = design_group_sequential([] {
    GroupSequentialOptions g;
    g.looks = 3;
    return g;
  }());
  for (std::size_t k = 0; k < 3; ++k) CHECK(nb.critical_values[k] == plain.critical_values[k]);
  CHECK(exit_probabilities(nb, 0.0).total < 0.025 - 1e-3);
  CHECK(exit_probabilities(bi, 0.0).total == Approx(0.025).margin(1e-12));
  CHECK(bi.critical_values[2] < nb.critical_values[2]);
  CHECK(bi.drift < nb.drift);
  // Futility stopping shortens the trial under H0 far more than under H1.
  CHECK(exit_probabilities(nb, 0.0).expected_information_fraction < 0.7);

  // Brownian motion with drift through the binding design: type I error, power and the early
  // futility stops within 4 Monte Carlo SEs.
  std::mt19937_64 rng(11);
  std::normal_distribution<double> z;
  const int trials = 100000;
  int reject0 = 0, reject1 = 0, futile1 = 0;
  for (int i = 0; i < trials; ++i) {
    for (double theta : {0.0, bi.drift}) {
      double s = 0.0, t_prev = 0.0;
      for (std::size_t k = 0; k < 3; ++k) {
        const double t = bi.information_fractions[k];
        s += theta * (t - t_prev) + std::sqrt(t - t_prev) * z(rng);
        t_prev = t;
        const double zk = s / std::sqrt(t);
        if (zk >= bi.critical_values[k]) {
          (theta == 0.0 ? reject0 : reject1)++;
          break;
        }
        if (zk <= bi.futility_bounds[k]) {
          if (theta != 0.0 && k + 1 < 3) ++futile1;
          break;
        }
      }
    }
  }
  auto within = [&](int count, double p) {
    return std::fabs(static_cast<double>(count) / trials - p) < 4 * std::sqrt(p * (1 - p) / trials);
  };
  CHECK(within(reject0, 0.025));
  CHECK(within(reject1, 0.8));
  CHECK(within(futile1, bi.cumulative_beta[1]));
}

TEST_CASE("stats: boundary names and parameters are checked", "[stats][group_sequential]") {
  const auto names = boundary_names();
  CHECK(names.size() == kClassicalFamilies.size() + kSpendingFamilies.size());
  CHECK(names.back() == "spending-kim-demets");
  BoundariesOptions o;
  o.looks = 3;
  require_usage_error([&] { compute_boundaries(o); }, "--boundary: is not given");
  o.boundary = "spending-pocok";
  require_usage_error([&] { compute_boundaries(o); }, "did you mean 'spending-pocock'?");
  o.boundary = "pocock";
  o.parameter = 1.0;
  require_usage_error([&] { compute_boundaries(o); }, "--parameter: the pocock boundary takes no parameter");
  o.boundary = "spending-kim-demets";
  o.parameter = 9.0;
  require_usage_error([&] { compute_boundaries(o); }, "rho is 9, outside [0.4, 8]");
  o.boundary = "spending-hsd";
  o.parameter = -11.0;
  require_usage_error([&] { compute_boundaries(o); }, "gamma is -11, outside [-10, 5]");
  o.boundary = "wang-tsiatis";
  o.parameter = 0.7;
  require_usage_error([&] { compute_boundaries(o); }, "--parameter: the wang-tsiatis Delta is 0.7");
  o.parameter.reset();
  o.alpha = 0.5;
  require_usage_error([&] { compute_boundaries(o); }, "--alpha: is 0.5; it must be in (0, 0.5)");
  o.alpha = 0.025;
  o.binding = true;
  require_usage_error([&] { compute_boundaries(o); }, "--binding: applies to futility bounds");
  o.binding = false;
  o.beta = 0.1;
  require_usage_error([&] { compute_boundaries(o); }, "--beta: applies to futility bounds");
  o.beta_spending = "pocock";
  require_usage_error([&] { compute_boundaries(o); }, "--beta-spending: futility bounds by beta spending go with");
  o.boundary = "spending-pocock";
  o.sides = 2;
  o.alpha = 0.05;
  require_usage_error([&] { compute_boundaries(o); }, "one-sided designs only");
  o.sides = 1;
  o.alpha = 0.025;
  o.beta_parameter = 2.0;
  require_usage_error([&] { compute_boundaries(o); }, "--beta-parameter: the pocock beta spending takes no parameter");
  o.beta_spending = "kim-demets";
  o.beta_parameter = 0.1;
  require_usage_error([&] { compute_boundaries(o); }, "the kim-demets beta spending rho is 0.1");
  o.beta_spending = "kim-dmets";
  require_usage_error([&] { compute_boundaries(o); }, "did you mean 'kim-demets'?");
  o.beta_spending = "kim-demets";
  o.beta_parameter.reset();
  o.beta = 0.6;
  require_usage_error([&] { compute_boundaries(o); }, "--beta: is 0.6");
  o.beta = 0.1;
  // The names and parameters used come back with the result (defaults filled in).
  const auto b = compute_boundaries(o);
  CHECK(b.boundary == "spending-pocock");
  CHECK_FALSE(b.parameter);
  CHECK(b.beta_spending == "kim-demets");
  CHECK(b.beta_parameter == 3.0);
  CHECK(b.design.beta == 0.1);
  o.boundary = "haybittle-peto";
  o.beta_spending.clear();
  o.beta.reset();
  CHECK(compute_boundaries(o).parameter == 3.0);
  // A hand-built design with a futility bound above the efficacy bound is refused.
  GroupSequentialDesign d = compute_boundaries([] {
    BoundariesOptions f;
    f.looks = 2;
    f.boundary = "spending-obrien-fleming";
    f.beta_spending = "pocock";
    return f;
  }()).design;
  d.futility_bounds[0] = d.critical_values[0] + 0.1;
  require_usage_error([&] { exit_probabilities(d, 1.0); }, "futility bounds must not exceed the efficacy bounds");
}

// Given binding futility bounds with a classical family (rpact's futilityBounds with
// bindingFutility = TRUE): checked against a Monte Carlo of the canonical joint distribution (Brownian
// motion at the looks), independent of the recursion. With the futility stops obeyed the level is
// alpha; ignoring them the same (lower) bounds exceed alpha, as the closed form without the stops says.
TEST_CASE("stats: binding futility bounds with classical families hold alpha only with the stops obeyed",
          "[stats][group_sequential]") {
  for (const char* boundary : {"obrien-fleming", "pocock", "haybittle-peto"}) {
    BoundariesOptions b;
    b.information_fractions = {0.3, 0.6, 1};
    b.boundary = boundary;
    b.binding_futility_bounds = {0.0, 0.5};
    const GroupSequentialDesign d = compute_boundaries(b).design;
    BoundariesOptions nb = b;
    nb.binding_futility_bounds.clear();
    const GroupSequentialDesign n = compute_boundaries(nb).design;
    INFO(boundary << ": binding final bound " << d.critical_values[2] << ", non-binding " << n.critical_values[2]);
    CHECK(d.futility == Futility::binding);
    CHECK(d.futility_bounds == std::vector<double>{0.0, 0.5, d.critical_values[2]});
    for (std::size_t k = 0; k < 3; ++k) CHECK(d.critical_values[k] <= n.critical_values[k] + 1e-12);
    CHECK(d.critical_values[2] < n.critical_values[2] - 0.005);
    // The level of the same bounds with the futility stops ignored (closed form), above alpha.
    GroupSequentialDesign ignoring = d;
    ignoring.futility_bounds.clear();
    ignoring.futility = Futility::none;
    const double level_ignoring = exit_probabilities(ignoring, 0.0).upper_total;
    CHECK(level_ignoring > 0.0253);
    CHECK(d.cumulative_alpha.back() == Approx(0.025).epsilon(1e-9));
    std::mt19937_64 rng(20251207);
    std::normal_distribution<double> z01;
    const std::size_t M = 1000000;
    std::size_t obeyed = 0, ignored = 0;
    for (std::size_t i = 0; i < M; ++i) {
      double w = 0, t_prev = 0;
      bool stopped = false, rejected_ignoring = false;
      for (std::size_t k = 0; k < 3; ++k) {
        const double t = d.information_fractions[k];
        w += std::sqrt(t - t_prev) * z01(rng);
        t_prev = t;
        const double z = w / std::sqrt(t);
        if (!rejected_ignoring && z >= d.critical_values[k]) rejected_ignoring = true;
        if (!stopped) {
          if (z >= d.critical_values[k]) {
            ++obeyed;
            stopped = true;
          } else if (k < 2 && z <= d.futility_bounds[k]) {
            stopped = true;
          }
        }
      }
      ignored += rejected_ignoring;
    }
    const double se = std::sqrt(0.025 * 0.975 / M);
    const double p_obeyed = static_cast<double>(obeyed) / M, p_ignored = static_cast<double>(ignored) / M;
    INFO("simulated level with the stops obeyed " << p_obeyed << ", ignored " << p_ignored << " (MC SE " << se << ")");
    CHECK(std::fabs(p_obeyed - 0.025) < 3.5 * se);
    CHECK(std::fabs(p_ignored - level_ignoring) < 3.5 * se);
  }
  // A futility bound not below the efficacy bound, or the wrong number of them, is refused.
  BoundariesOptions bad;
  bad.information_fractions = {0.5, 1};
  bad.boundary = "obrien-fleming";
  bad.binding_futility_bounds = {3.0};
  require_usage_error([&] { compute_boundaries(bad); }, "not below its efficacy bound");
  bad.binding_futility_bounds = {0.0, 0.0};
  require_usage_error([&] { compute_boundaries(bad); }, "has 2 entries for 1 interim looks");
}
