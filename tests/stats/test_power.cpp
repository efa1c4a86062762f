// Closed-form power and sample size: published values (REFERENCE.md) and properties.
#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

#include <boost/math/distributions/students_t.hpp>

#include "celltrial/stats/power.hpp"
#include "stats_test_util.hpp"

using namespace celltrial::stats;
using celltrial::stats::testing::require_usage_error;

namespace {

PowerInputs standardised(double d, int sides = 2, double alpha = 0.05) {
  PowerInputs in;
  in.delta = d;
  in.sd = 1.0;
  in.sides = sides;
  in.alpha = alpha;
  return in;
}

// The REFERENCE.md ANCOVA case: baseline N(50, 10), outcome = 0.9 baseline + 5 + 1.5 treated +
// N(0, 4²): outcome SD sqrt(0.81·100 + 16) = sqrt(97), baseline–outcome correlation 9/sqrt(97).
PowerInputs reference_ancova(Test test) {
  PowerInputs in;
  in.delta = 1.5;
  in.sd = std::sqrt(97.0);
  in.rho = 9.0 / std::sqrt(97.0);
  in.test = test;
  return in;
}

const std::vector<Test> all_tests = {Test::t_exact, Test::normal,       Test::ancova,
                                     Test::ancova_exact, Test::mmrm, Test::mmrm_normal};

}  // namespace

TEST_CASE("stats: two-sample t-test power matches R pwr", "[stats]") {
  // pwr.t.test counts both tails of a two-sided test.
  CHECK(power(standardised(1.0), 60) == Approx(0.967708258242517).margin(1e-10));
  CHECK(power(standardised(1.0, 1), 60) == Approx(0.985459690251624).margin(1e-10));
  CHECK(power(standardised(0.1), 40) == Approx(0.06095912465411235).margin(1e-10));
  CHECK(power_per_arm(standardised(1.0), 30, 30) == Approx(0.967708258242517).margin(1e-10));
}

TEST_CASE("stats: t-test sample size matches pwr and rpact", "[stats]") {
  const auto s = solve_n(standardised(0.5), 0.80);
  CHECK(s.n_total_exact / 2 == Approx(63.77).margin(0.005));  // pwr: n = 63.76561 per group
  CHECK(s.n_per_arm == std::vector<long>{64, 64});
  CHECK(s.n_total == 128);
  CHECK(s.achieved_power >= 0.80);
  CHECK(s.achieved_power == Approx(0.8015).margin(5e-4));

  PowerInputs rp;  // rpact issue #44: difference 10, SD 24, two-sided 0.05, power 0.8
  rp.delta = 10;
  rp.sd = 24;
  const auto r = solve_n(rp, 0.80);
  CHECK(std::round(r.n_total_exact * 10) / 10 == Approx(182.8));
  CHECK(r.n_per_arm == std::vector<long>{92, 92});
}

TEST_CASE("stats: exact ANCOVA power matches the patient-level reference", "[stats]") {
  // REFERENCE.md: exact 0.7492 (df 197), t approximation 0.7514.
  CHECK(power(reference_ancova(Test::ancova_exact), 200) == Approx(0.7492).margin(5e-5));
  CHECK(power(reference_ancova(Test::ancova), 200) == Approx(0.7514).margin(5e-5));

  // Giving the residual SD (4) directly is the same thing.
  PowerInputs direct;
  direct.delta = 1.5;
  direct.sd = 4.0;
  direct.sd_scale = SdScale::residual;
  for (Test t : {Test::ancova, Test::ancova_exact}) {
    direct.test = t;
    CHECK(power(direct, 200) == Approx(power(reference_ancova(t), 200)).epsilon(1e-12));
  }
}

TEST_CASE("stats: exact ANCOVA power agrees with a patient-level simulation", "[stats]") {
  // Small trial (12 + 12) where the baseline imbalance matters: exact 0.62681, t approx 0.64672.
  PowerInputs in;
  in.delta = 1.0;
  in.sd = 1.0;
  in.sd_scale = SdScale::residual;
  in.test = Test::ancova_exact;
  const double exact = power(in, 24);
  in.test = Test::ancova;
  const double approx = power(in, 24);
  CHECK(exact == Approx(0.6268089369).margin(1e-8));  // R: integrate() over Beta(1/2, 11)
  CHECK(approx == Approx(0.6467223314).margin(1e-9));  // R: pt() with df 21

  std::mt19937_64 rng(20240611);
  std::normal_distribution<double> z;
  const int trials = 100000, m = 12;
  const double crit = boost::math::quantile(boost::math::complement(boost::math::students_t(21), 0.025));
  int rejected = 0;
  for (int i = 0; i < trials; ++i) {
    double sx[2] = {0, 0}, sy[2] = {0, 0}, sxx = 0, sxy = 0, syy = 0;
    double xs[2][m], ys[2][m];
    for (int g = 0; g < 2; ++g)
      for (int j = 0; j < m; ++j) {
        const double x = 10.0 * z(rng) + 50.0;
        const double y = 0.9 * x + 5.0 + (g == 1 ? 1.0 : 0.0) + z(rng);
        xs[g][j] = x;
        ys[g][j] = y;
        sx[g] += x;
        sy[g] += y;
      }
    for (int g = 0; g < 2; ++g)
      for (int j = 0; j < m; ++j) {
        const double dx = xs[g][j] - sx[g] / m, dy = ys[g][j] - sy[g] / m;
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
      }
    const double b = sxy / sxx;
    const double dxbar = (sx[1] - sx[0]) / m;
    const double est = (sy[1] - sy[0]) / m - b * dxbar;
    const double s2 = (syy - b * sxy) / (2 * m - 3);
    const double se = std::sqrt(s2 * (2.0 / m + dxbar * dxbar / sxx));
    if (std::fabs(est / se) > crit) ++rejected;
  }
  const double rate = static_cast<double>(rejected) / trials;
  const double mc_se = std::sqrt(exact * (1 - exact) / trials);
  CHECK(std::fabs(rate - exact) < 4 * mc_se);
  CHECK(std::fabs(rate - approx) > 4 * mc_se);  // the approximation is visibly off here
}

TEST_CASE("stats: Lu-Luo-Chen MMRM sample sizes match longpower", "[stats]") {
  // longpower tests/testthat/tests.R, Table 1 of Lu, Luo & Chen (2008): delta 0.5, two-sided
  // 0.05, power 0.9. longpower's lambda = N_a/N_b with phi1 for arm a; here arm a is "active".
  struct Row {
    double phi1, phi2, lambda, z, t;
  };
  const Row rows[] = {
      {1, 1, 1, 168.11876898305, 170.147602556564},
      {1, 1, 2, 189.133615105931, 191.157604171059},
      {1, 2, 0.707106781186548, 244.966998329937, 246.982211011525},
      {1, 2, 0.5, 252.178153474575, 254.192519905287},
      {1, 2, 1, 252.178153474575, 254.192519905287},
      {1, 2, 2, 315.222691843219, 317.23132678479},
      {2, 2, 1, 336.2375379661, 338.244744929957},
      {2, 2, 2, 378.267230211862, 380.272061544442},
  };
  for (const Row& row : rows) {
    PowerInputs in;
    in.delta = 0.5;
    in.test = Test::mmrm_normal;
    in.count = Rejection::favourable_tail;
    in.allocation = row.lambda;
    in.mmrm.phi_active = row.phi1;
    in.mmrm.phi_control = row.phi2;
    CHECK(lu_luo_chen_total_n(in, 0.9, LlcQuantiles::normal) == Approx(row.z).epsilon(1e-10));
    CHECK(lu_luo_chen_total_n(in, 0.9, LlcQuantiles::t_one_step) == Approx(row.t).epsilon(1e-10));
    // The z formula is the inverse of the normal-approximation power (favourable tail).
    CHECK(solve_n(in, 0.9).n_total_exact == Approx(row.z).epsilon(1e-9));
  }
  // REFERENCE.md to its printed precision, with phi from complete retention.
  PowerInputs in;
  in.delta = 0.5;
  in.test = Test::mmrm_normal;
  in.count = Rejection::favourable_tail;
  in.mmrm.retention_control = {1.0, 1.0, 1.0, 1.0};
  in.mmrm.correlation_rho = 0.5;
  CHECK(solve_n(in, 0.9).n_total_exact == Approx(168.11877).margin(5e-6));
  CHECK(lu_luo_chen_total_n(in, 0.9, LlcQuantiles::t_one_step) == Approx(170.14760).margin(5e-6));
  // The noncentral-t MMRM power (df N − 2) with complete data is the two-sample t-test; its
  // inverse (170.0626) is slightly below the one-step t formula.
  in.test = Test::mmrm;
  in.count = Rejection::any_tail;
  const double mmrm_t = solve_n(in, 0.9).n_total_exact;
  CHECK(mmrm_t == Approx(solve_n(standardised(0.5), 0.9).n_total_exact).epsilon(1e-10));
  CHECK(mmrm_t == Approx(170.0626).margin(1e-4));
}

TEST_CASE("stats: MMRM variance inflation factors phi", "[stats]") {
  // longpower tests.R: Table 2 of Lu, Luo & Chen (2008), AR(1) with rho^(J-1) = p1J, retention
  // falling linearly from 1 to 1 - aJ.
  struct Case {
    int J;
    double aJ, p1J, phi;
  };
  const Case cases[] = {
      {2, 0.1, 0.0, 1.11111111111111}, {2, 0.1, 0.5, 1.08333333333333},
      {2, 0.4, 0.9, 1.12666666666667}, {4, 0.1, 0.1, 1.10050206679506},
      {4, 0.2, 0.7, 1.08796962333115}, {4, 0.4, 0.3, 1.47488822527398},
      {4, 0.4, 0.9, 1.07728040119987},
  };
  for (const Case& c : cases) {
    MmrmSpec s;
    for (int j = 0; j < c.J; ++j) s.retention_control.push_back(1.0 - c.aJ * j / (c.J - 1));
    s.correlation = Correlation::ar1;
    s.correlation_rho = std::pow(c.p1J, 1.0 / (c.J - 1));
    const MmrmPhi phi = mmrm_phi(s);
    CHECK(phi.control == Approx(c.phi).epsilon(1e-10));
    CHECK(phi.active == phi.control);
  }

  // General matrix formula = closed AR(1) formula (longpower power.mmrm.ar1) for uneven times.
  MmrmSpec s;
  s.retention_control = {0.95, 0.9, 0.78, 0.7};
  s.retention_active = {1.0, 0.92, 0.85, 0.8};
  s.visit_times = {1.0, 2.5, 3.0, 6.0};
  s.correlation_rho = 0.6;
  auto ar1_phi = [&](const std::vector<double>& r) {
    const std::size_t J = r.size();
    double phi = 1.0 / r[J - 1];
    for (std::size_t j = 0; j + 1 < J; ++j)
      phi -= std::pow(s.correlation_rho, 2 * (s.visit_times[J - 1] - s.visit_times[j])) *
             (1.0 / r[j + 1] - 1.0 / r[j]);
    return phi;
  };
  const MmrmPhi phi = mmrm_phi(s);
  CHECK(phi.control == Approx(ar1_phi(s.retention_control)).epsilon(1e-12));
  CHECK(phi.active == Approx(ar1_phi(s.retention_active)).epsilon(1e-12));

  // The same AR(1) written out as an unstructured matrix.
  MmrmSpec u = s;
  u.correlation = Correlation::unstructured;
  u.correlation_matrix = mmrm_correlation_matrix(s);
  CHECK(mmrm_phi(u).control == Approx(phi.control).epsilon(1e-12));

  // Complete data: phi = 1 whatever the correlation; independence: phi = 1 / r_J.
  MmrmSpec cs;
  cs.retention_control = {1, 1, 1};
  cs.correlation = Correlation::compound_symmetry;
  cs.correlation_rho = 0.4;
  CHECK(mmrm_phi(cs).control == Approx(1.0).epsilon(1e-12));
  cs.retention_control = {0.9, 0.8, 0.75};
  cs.correlation_rho = 0.0;
  CHECK(mmrm_phi(cs).control == Approx(1.0 / 0.75).epsilon(1e-12));
  // More correlation with earlier visits recovers more information.
  cs.correlation_rho = 0.5;
  const double phi_half = mmrm_phi(cs).control;
  cs.correlation_rho = 0.8;
  CHECK(mmrm_phi(cs).control < phi_half);
  CHECK(phi_half < 1.0 / 0.75);

  // MMRM power uses phi: with phi from retention it lies below the complete-data power.
  PowerInputs in = standardised(0.5);
  in.test = Test::mmrm;
  const double complete = power(in, 150);
  in.mmrm = s;
  CHECK(power(in, 150) < complete);
  CHECK(power(in, 150) == Approx(power_per_arm(in, 75, 75)));
}

TEST_CASE("stats: power rises with n and delta and falls as alpha shrinks", "[stats]") {
  for (Test test : all_tests) {
    for (int sides : {1, 2}) {
      PowerInputs in = standardised(0.4, sides);
      in.test = test;
      in.rho = 0.6;
      if (test == Test::mmrm || test == Test::mmrm_normal) {
        in.mmrm.retention_control = {1.0, 0.9, 0.85};
        in.mmrm.correlation_rho = 0.5;
      }
      INFO("test " << static_cast<int>(test) << ", sides " << sides);
      double last = 0.0;
      for (double n : {8.0, 20.0, 50.5, 120.0, 400.0}) {
        const double p = power(in, n);
        CHECK(p > last);
        last = p;
      }
      last = 0.0;
      for (double d : {0.0, 0.1, 0.3, 0.6, 1.2}) {
        in.delta = d;
        const double p = power(in, 60);
        CHECK(p > last);
        last = p;
      }
      in.delta = 0.4;
      last = 1.0;
      for (double a : {0.2, 0.1, 0.05, 0.01, 0.001}) {
        in.alpha = a;
        const double p = power(in, 60);
        CHECK(p < last);
        last = p;
      }
      // At delta 0 the power is the type I error.
      in.delta = 0.0;
      in.alpha = 0.05;
      CHECK(power(in, 60) == Approx(0.05).margin(1e-7));
    }
  }
}

TEST_CASE("stats: equal allocation maximises power for equal variances", "[stats]") {
  for (Test test : {Test::t_exact, Test::normal, Test::ancova, Test::ancova_exact}) {
    PowerInputs in = standardised(0.5);
    in.test = test;
    in.rho = 0.5;
    const double equal = power(in, 90);
    for (double R : {0.5, 0.8, 1.25, 2.0, 3.0}) {
      in.allocation = R;
      CHECK(power(in, 90) < equal);
    }
    in.allocation = 1.0;
    // Between two per-arm splits of 90, the balanced one wins.
    CHECK(power_per_arm(in, 45, 45) > power_per_arm(in, 44, 46));
  }
}

TEST_CASE("stats: solve_n returns the smallest design reaching the target", "[stats]") {
  for (Test test : all_tests) {
    for (double R : {1.0, 2.0, 0.5}) {
      for (double target : {0.8, 0.9}) {
        PowerInputs in = standardised(0.45);
        in.test = test;
        in.allocation = R;
        in.rho = 0.7;
        if (test == Test::mmrm || test == Test::mmrm_normal) {
          in.mmrm.retention_control = {1.0, 0.9, 0.8};
          in.mmrm.retention_active = {1.0, 0.95, 0.9};
          in.mmrm.correlation_rho = 0.6;
        } else {
          in.dropout = 0.15;
        }
        INFO("test " << static_cast<int>(test) << ", R " << R << ", target " << target);
        const SampleSize s = solve_n(in, target);
        CHECK(power(in, s.n_total_exact) == Approx(target).margin(1e-10));
        REQUIRE(s.n_per_arm.size() == 2);
        CHECK(s.n_per_arm[0] == static_cast<long>(std::ceil(s.n_total_exact / (1 + R) - 1e-9)));
        CHECK(s.n_per_arm[1] == static_cast<long>(std::ceil(s.n_total_exact * R / (1 + R) - 1e-9)));
        CHECK(s.n_total == s.n_per_arm[0] + s.n_per_arm[1]);
        CHECK(s.achieved_power >= target);
        CHECK(s.achieved_power ==
              Approx(power_per_arm(in, static_cast<double>(s.n_per_arm[0]),
                                   static_cast<double>(s.n_per_arm[1]))));
        // One fewer in each arm misses the target.
        CHECK(power_per_arm(in, static_cast<double>(s.n_per_arm[0]) - 1.0, static_cast<double>(s.n_per_arm[1]) - 1.0) < target);
        for (std::size_t a = 0; a < 2; ++a) {
          CHECK(s.n_per_arm_randomised[a] ==
                static_cast<long>(std::ceil(static_cast<double>(s.n_per_arm[a]) / (1.0 - in.dropout) - 1e-9)));
          CHECK(s.n_per_arm_randomised[a] >= s.n_per_arm[a]);
        }
        CHECK(s.n_total_randomised == s.n_per_arm_randomised[0] + s.n_per_arm_randomised[1]);
      }
    }
  }
  // ANCOVA needs (1 − rho²) times the t-test's sample size, approximately (Borm et al. 2007).
  PowerInputs t = standardised(0.3);
  PowerInputs a = t;
  a.test = Test::ancova;
  a.rho = 0.6;
  CHECK(solve_n(a, 0.8).n_total_exact / solve_n(t, 0.8).n_total_exact == Approx(0.64).margin(0.005));
  // A negative effect is as detectable as a positive one by a two-sided test counting both tails.
  PowerInputs neg = standardised(-0.45);
  CHECK(solve_n(neg, 0.8).n_total_exact == Approx(solve_n(standardised(0.45), 0.8).n_total_exact));
}

TEST_CASE("stats: solve_delta inverts power and solve_n", "[stats]") {
  for (Test test : all_tests) {
    PowerInputs in = standardised(0.0);
    in.sd = 6.0;
    in.test = test;
    in.rho = 0.5;
    in.allocation = 2.0;
    INFO("test " << static_cast<int>(test));
    const double d = solve_delta(in, 90, 0.85);
    in.delta = d;
    CHECK(d > 0);
    CHECK(power(in, 90) == Approx(0.85).margin(1e-10));
    CHECK(solve_n(in, 0.85).n_total_exact == Approx(90).epsilon(1e-8));
  }
  // Normal approximation, one tail: delta = (z_{1−alpha} + z_power) · sd · sqrt(1/n_c + 1/n_a).
  PowerInputs z = standardised(0.0, 1, 0.025);
  z.test = Test::normal;
  CHECK(solve_delta(z, 100, 0.9) == Approx((1.959963984540054 + 1.2815515655446004) * std::sqrt(0.04)));
}

TEST_CASE("stats: one-sided and two-sided tests are related", "[stats]") {
  for (Test test : all_tests) {
    INFO("test " << static_cast<int>(test));
    PowerInputs one = standardised(0.5, 1, 0.025);
    one.test = test;
    one.rho = 0.3;
    PowerInputs two = one;
    two.sides = 2;
    two.alpha = 0.05;
    // Two-sided at 2 alpha, favourable tail only = one-sided at alpha.
    two.count = Rejection::favourable_tail;
    CHECK(power(two, 80) == Approx(power(one, 80)).epsilon(1e-12));
    // Counting the far tail adds a little.
    two.count = Rejection::any_tail;
    CHECK(power(two, 80) > power(one, 80));
    CHECK(power(two, 80) - power(one, 80) < 1e-3);
    // At the same alpha the one-sided test is more powerful.
    two.alpha = 0.025;
    CHECK(power(two, 80) < power(one, 80));
    // One-sided power of a harmful effect is below alpha.
    one.delta = -0.5;
    CHECK(power(one, 80) < 0.025);
  }
}

TEST_CASE("stats: invalid power inputs are reported clearly", "[stats]") {
  const PowerInputs ok = standardised(0.5);
  auto with = [&](auto change) {
    PowerInputs in = ok;
    change(in);
    return in;
  };
  require_usage_error([&] { solve_n(standardised(0.0), 0.8); },
                      "no sample size reaches the target power when delta is 0");
  require_usage_error([&] { solve_n(ok, 0.04); }, "outside (alpha, 1)");
  require_usage_error([&] { solve_n(ok, 1.0); }, "outside (alpha, 1)");
  require_usage_error([&] { solve_delta(ok, 50, 0.01); }, "outside (alpha, 1)");
  require_usage_error([&] { power(with([](PowerInputs& i) { i.rho = 1.0; }), 50); }, "--rho");
  require_usage_error([&] { power(with([](PowerInputs& i) { i.rho = -1.2; }), 50); }, "outside (-1, 1)");
  require_usage_error([&] { solve_n(with([](PowerInputs& i) { i.dropout = 1.0; }), 0.8); }, "--dropout");
  require_usage_error([&] { power(with([](PowerInputs& i) { i.sd = 0.0; }), 50); }, "--sd");
  require_usage_error([&] { power(with([](PowerInputs& i) { i.sd = -2.0; }), 50); }, "must be positive");
  require_usage_error([&] { power(with([](PowerInputs& i) { i.alpha = 0.0; }), 50); }, "--alpha");
  require_usage_error([&] { power(with([](PowerInputs& i) { i.sides = 3; }), 50); }, "--sides");
  require_usage_error([&] { power(with([](PowerInputs& i) { i.allocation = 0.0; }), 50); }, "--allocation");
  require_usage_error([&] { power(ok, 1.0); }, "below 2");
  require_usage_error([&] { power(ok, 2.0); }, "residual degrees of freedom");
  require_usage_error([&] { power(with([](PowerInputs& i) { i.allocation = 4.0; }), 3.0); },
                      "each arm needs at least one");
  require_usage_error([&] { power_per_arm(ok, 0.0, 10.0); }, "each arm needs at least one");
  require_usage_error([&] { solve_n(with([](PowerInputs& i) { i.sides = 1; i.delta = -0.5; }), 0.8); },
                      "favours control");
  require_usage_error([&] { solve_n(with([](PowerInputs& i) { i.delta = 1e-5; }), 0.8); },
                      "more than");
  require_usage_error([&] { solve_n(with([](PowerInputs& i) { i.delta = 30; }), 0.8); },
                      "smallest possible trial");
  require_usage_error(
      [&] { power(with([](PowerInputs& i) { i.sd_scale = SdScale::residual; }), 50); },
      "only makes sense for ANCOVA");
  require_usage_error([&] { power(with([](PowerInputs& i) { i.test = Test::ancova; i.covariates = 0; }), 50); },
                      "--covariates");
  // Several problems are reported together.
  try {
    power(with([](PowerInputs& i) { i.sd = 0; i.alpha = 2; }), 50);
    FAIL("no error");
  } catch (const celltrial::Error& e) {
    CHECK(e.diagnostics().size() == 2);
  }

  // MMRM specifications.
  auto mmrm = [&](auto change) {
    PowerInputs in = ok;
    in.test = Test::mmrm;
    in.mmrm.retention_control = {1.0, 0.9, 0.8};
    in.mmrm.correlation_rho = 0.5;
    change(in);
    return in;
  };
  require_usage_error([&] { power(mmrm([](PowerInputs& i) { i.dropout = 0.1; }), 50); },
                      "already models dropout");
  require_usage_error([&] { power(mmrm([](PowerInputs& i) { i.mmrm.retention_control = {1.0, 0.8, 0.9}; }), 50); },
                      "non-increasing");
  require_usage_error([&] { power(mmrm([](PowerInputs& i) { i.mmrm.retention_control = {1.0, 0.8, 0.0}; }), 50); },
                      "outside (0, 1]");
  require_usage_error([&] { power(mmrm([](PowerInputs& i) { i.mmrm.retention_active = {1.0, 0.9}; }), 50); },
                      "--retention-active");
  require_usage_error([&] { power(mmrm([](PowerInputs& i) { i.mmrm.correlation_rho = 1.0; }), 50); },
                      "--correlation-rho");
  require_usage_error(
      [&] {
        power(mmrm([](PowerInputs& i) {
                i.mmrm.correlation = Correlation::compound_symmetry;
                i.mmrm.correlation_rho = -0.6;
              }),
              50);
      },
      "not positive definite");
  require_usage_error(
      [&] {
        power(mmrm([](PowerInputs& i) {
                i.mmrm.correlation = Correlation::unstructured;
                i.mmrm.correlation_matrix = {1, 0.9, 0.1, 0.9, 1, 0.9, 0.1, 0.9, 1};
              }),
              50);
      },
      "not positive definite");
  require_usage_error(
      [&] {
        power(mmrm([](PowerInputs& i) {
                i.mmrm.correlation = Correlation::unstructured;
                i.mmrm.correlation_matrix = {1, 0.5, 0.5, 1};
              }),
              50);
      },
      "need 9");
  require_usage_error([&] { power(mmrm([](PowerInputs& i) { i.mmrm.phi_control = 1.2; }), 50); },
                      "one arm only");
  require_usage_error(
      [&] {
        power(mmrm([](PowerInputs& i) {
                i.mmrm.retention_control.clear();
                i.mmrm.phi_control = 0.5;
                i.mmrm.phi_active = 1.2;
              }),
              50);
      },
      "below 1");
}
