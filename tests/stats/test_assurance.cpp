// Assurance: closed forms, limits and properties.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "celltrial/stats/assurance.hpp"
#include "stats_test_util.hpp"

using namespace celltrial::stats;
using celltrial::stats::testing::require_usage_error;

namespace {

double Phi(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

PowerInputs gmfm_inputs(Test test) {
  PowerInputs in;
  in.sd = 5.0;  // GMFM-66 points
  in.alpha = 0.05;
  in.sides = 2;
  in.test = test;
  in.rho = 0.8;
  in.count = Rejection::favourable_tail;
  return in;
}

}  // namespace

TEST_CASE("stats: assurance of the normal test with a normal prior has a closed form", "[stats]") {
  // Power of the z-test in the favourable tail: Φ(k delta − z), k = 1/(sd sqrt(1/n_c + 1/n_a)).
  // With delta ~ N(mu, s²): P(Z' < k delta − z) = Φ((k mu − z) / sqrt(1 + k² s²)).
  const double n = 120, R = 2.0, sd = 5.0;
  const double n_c = n / (1 + R), n_a = n * R / (1 + R);
  const double k = 1.0 / (sd * std::sqrt(1 / n_c + 1 / n_a));
  const double z = 1.959963984540054;  // two-sided 0.05
  PowerInputs in;
  in.test = Test::normal;
  in.sd = sd;
  in.allocation = R;
  for (double mu : {-1.0, 0.0, 1.42, 3.0}) {
    for (double s : {0.3, 0.56, 2.0, 8.0}) {
      in.count = Rejection::favourable_tail;
      const double favourable = Phi((k * mu - z) / std::sqrt(1 + k * k * s * s));
      CHECK(assurance(in, n, Prior::normal(mu, s)) == Approx(favourable).margin(1e-9));
      // Counting both tails adds the probability of significant harm, Φ((−k mu − z)/...).
      in.count = Rejection::any_tail;
      const double both = favourable + Phi((-k * mu - z) / std::sqrt(1 + k * k * s * s));
      CHECK(assurance(in, n, Prior::normal(mu, s)) == Approx(both).margin(1e-9));
    }
  }
}

TEST_CASE("stats: assurance with a vanishing prior SD is the power at the mean", "[stats]") {
  for (Test test : {Test::t_exact, Test::normal, Test::ancova, Test::ancova_exact, Test::mmrm}) {
    INFO("test " << static_cast<int>(test));
    PowerInputs in = gmfm_inputs(test);
    in.delta = 1.42;
    const double p = power(in, 150);
    CHECK(assurance(in, 150, Prior::normal(1.42, 0.0)) == p);
    CHECK(assurance(in, 150, Prior::normal(1.42, 1e-7)) == Approx(p).margin(1e-8));
    CHECK(assurance(in, 150, Prior::truncated_normal(1.42, 1e-7, 0.0, 10.0)) == Approx(p).margin(1e-8));
    CHECK(assurance(in, 150, Prior::discrete({1.42}, {1.0})) == p);
  }
}

TEST_CASE("stats: discrete and truncated priors", "[stats]") {
  PowerInputs in = gmfm_inputs(Test::ancova);
  const std::vector<double> values = {0.0, 1.0, 2.0, 3.5};
  const std::vector<double> weights = {0.1, 0.3, 0.4, 0.2};
  double expected = 0.0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    in.delta = values[i];
    expected += weights[i] * power(in, 200);
  }
  CHECK(assurance(in, 200, Prior::discrete(values, weights)) == Approx(expected).epsilon(1e-14));

  // A truncated normal with infinite limits is the normal.
  const double inf = std::numeric_limits<double>::infinity();
  const double normal = assurance(in, 200, Prior::normal(1.42, 0.56));
  CHECK(assurance(in, 200, Prior::truncated_normal(1.42, 0.56, -inf, inf)) == Approx(normal).epsilon(1e-10));

  // Truncated normal against a fine midpoint-rule discretisation of the same prior.
  const double mu = 1.0, s = 1.5, lo = 0.0, hi = 4.0;
  std::vector<double> v, w;
  const int cells = 4000;
  double total = 0.0;
  for (int i = 0; i < cells; ++i) {
    const double x = lo + (hi - lo) * (i + 0.5) / cells;
    v.push_back(x);
    w.push_back(std::exp(-0.5 * (x - mu) * (x - mu) / (s * s)));
    total += w.back();
  }
  for (double& x : w) x /= total;
  const double truncated = assurance(in, 200, Prior::truncated_normal(mu, s, lo, hi));
  CHECK(truncated == Approx(assurance(in, 200, Prior::discrete(v, w))).margin(2e-7));
  // Removing the harmful part of the prior raises the assurance.
  CHECK(truncated > assurance(in, 200, Prior::normal(mu, s)));

  // A truncation interval far in the tail still works (mass ~1e-23 renormalised).
  in.test = Test::normal;
  in.delta = 12.0;
  const double p12 = power(in, 200);
  CHECK(assurance(in, 200, Prior::truncated_normal(0.0, 1.0, 12.0, 12.0 + 1e-9)) == Approx(p12).margin(1e-6));
}

TEST_CASE("stats: assurance grows with n towards the prior probability of benefit", "[stats]") {
  // DOMAIN.md: the IPDMA 12-month estimate gives Normal(1.42, 0.56²).
  const Prior prior = Prior::normal(1.42, (2.52 - 0.31) / 3.92);
  PowerInputs in = gmfm_inputs(Test::t_exact);
  const double limit = prior_probability_favourable(prior);
  CHECK(limit == Approx(Phi(1.42 / 0.5637755)).epsilon(1e-6));
  double last = 0.0;
  for (double n : {20.0, 100.0, 400.0, 1600.0, 6400.0}) {
    const double a = assurance(in, n, prior);
    CHECK(a > last);
    CHECK(a < limit);
    last = a;
  }
  CHECK(assurance(in, 1e8, prior) == Approx(limit).margin(1e-4));
  // With a power of 0.8 at the prior mean, uncertainty about the effect lowers the chance of success.
  in.delta = 1.42;
  const SampleSize s = solve_n(in, 0.8);
  CHECK(assurance(in, static_cast<double>(s.n_total), prior) < 0.8);

  CHECK(prior_probability_favourable(Prior::discrete({-1, 0, 2}, {0.2, 0.3, 0.5})) == Approx(0.5));
  CHECK(prior_probability_favourable(Prior::truncated_normal(0.0, 1.0, -1.0, 1.0)) == Approx(0.5));
}

TEST_CASE("stats: invalid priors are reported clearly", "[stats]") {
  const PowerInputs in = gmfm_inputs(Test::t_exact);
  require_usage_error([&] { assurance(in, 100, Prior::normal(1.0, -1.0)); }, "--prior-sd");
  require_usage_error([&] { assurance(in, 100, Prior::normal(NAN, 1.0)); }, "--prior-mean");
  require_usage_error([&] { assurance(in, 100, Prior::truncated_normal(1.0, 1.0, 2.0, 1.0)); }, "is empty");
  require_usage_error([&] { assurance(in, 100, Prior::truncated_normal(1.0, 0.0, 2.0, 3.0)); },
                      "outside");
  require_usage_error([&] { assurance(in, 100, Prior::truncated_normal(0.0, 1.0, 50.0, 60.0)); },
                      "no prior mass");
  require_usage_error([&] { assurance(in, 100, Prior::discrete({}, {})); }, "no values");
  require_usage_error([&] { assurance(in, 100, Prior::discrete({1, 2}, {1.0})); }, "one weight per value");
  require_usage_error([&] { assurance(in, 100, Prior::discrete({1, 2}, {0.5, 0.6})); }, "sum to 1");
  require_usage_error([&] { assurance(in, 100, Prior::discrete({1, 2}, {1.5, -0.5})); }, "non-negative");
  require_usage_error([&] { assurance(in, 1.5, Prior::normal(1, 1)); }, "below 2");
}

TEST_CASE("stats: priors read from their command-line text", "[stats]") {
  using celltrial::stats::parse_prior;
  const Prior n = parse_prior("normal(1.42,0.56)");
  CHECK(n.kind == celltrial::stats::PriorKind::normal);
  CHECK(n.mean == 1.42);
  CHECK(n.sd == 0.56);
  const Prior t = parse_prior("truncnormal(1.42,0.56,0,inf)");
  CHECK(t.kind == celltrial::stats::PriorKind::truncated_normal);
  CHECK(t.lower == 0);
  CHECK(std::isinf(t.upper));
  const Prior d = parse_prior("discrete(0:0.2,1.42:0.5,2.5:0.3)");
  CHECK(d.values == std::vector<double>{0, 1.42, 2.5});
  CHECK(d.weights == std::vector<double>{0.2, 0.5, 0.3});
  // Every mistake is a usage error naming the option, with the fix.
  for (const char* bad : {"normal(1.42)", "normal(1.42,x)", "gamma(1,2)", "normal 1,2", "discrete(1;2)", "normal(1.4e,0.5)"}) {
    INFO(bad);
    try {
      (void)parse_prior(bad, "--my-prior");
      FAIL("accepted");
    } catch (const celltrial::Error& e) {
      CHECK(e.code() == celltrial::ExitCode::usage);
      REQUIRE(e.diagnostics().size() == 1);
      CHECK(e.diagnostics()[0].key_path == "--my-prior");
      CHECK(e.diagnostics()[0].fix.find("normal(1.42,0.56)") != std::string::npos);
    }
  }
}
