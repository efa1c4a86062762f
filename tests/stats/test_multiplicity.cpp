// Multiplicity procedures: hand-worked examples, the classical procedures as graphs, input
// checks, and family-wise error under the global null by simulation.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <boost/math/distributions/normal.hpp>

#include "celltrial/stats/multiplicity.hpp"

using namespace celltrial::stats;
using celltrial::Error;
using celltrial::ExitCode;

namespace {

using Flags = std::vector<bool>;

/// Runs f and requires Error(ExitCode::data) with a diagnostic at exactly `key_path`.
template <class F>
void require_data_error(F&& f, const std::string& key_path) {
  bool thrown = false;
  try {
    f();
  } catch (const Error& e) {
    thrown = true;
    CHECK(e.code() == ExitCode::data);
    bool found = false;
    for (const auto& d : e.diagnostics()) {
      if (d.key_path == key_path) {
        found = true;
        CHECK(d.where.file == "trial.yaml");
        CHECK_FALSE(d.problem.empty());
        CHECK_FALSE(d.fix.empty());
      }
    }
    INFO("message: " << e.what());
    CHECK(found);
  }
  if (!thrown) FAIL("expected a celltrial::Error at " << key_path);
}

const Where kWhere{"trial.yaml", "analysis.multiplicity"};

/// Random orders and weights for the equivalence checks.
std::vector<std::size_t> shuffled(std::size_t m, std::mt19937_64& rng) {
  std::vector<std::size_t> o(m);
  for (std::size_t i = 0; i < m; ++i) o[i] = i;
  std::shuffle(o.begin(), o.end(), rng);
  return o;
}

std::vector<double> random_weights(std::size_t m, std::mt19937_64& rng, bool allow_zero) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<double> w(m);
  double sum = 0.0;
  for (auto& x : w) {
    x = (allow_zero && u(rng) < 0.25) ? 0.0 : 0.05 + u(rng);
    sum += x;
  }
  if (sum == 0.0) w[0] = sum = 1.0;
  const double total = u(rng) < 0.5 ? 1.0 : 0.8;  // sums of 1 and below 1
  for (auto& x : w) x *= total / sum;
  return w;
}

/// p-values that fall near the local levels often: z statistics shifted by random effects.
std::vector<double> random_p(std::size_t m, std::mt19937_64& rng) {
  std::normal_distribution<double> z(0.0, 1.0);
  std::uniform_real_distribution<double> shift(0.0, 3.5);
  std::vector<double> p(m);
  for (auto& x : p) x = p_from_z(z(rng) + shift(rng));
  return p;
}

}  // namespace

TEST_CASE("stats: multiplicity p-values from z and t statistics", "[stats]") {
  CHECK(p_from_z(0.0) == Approx(0.5));
  CHECK(p_from_z(1.959963984540054) == Approx(0.025).epsilon(1e-10));
  CHECK(p_from_z(-1.959963984540054) == Approx(0.975).epsilon(1e-10));
  CHECK(p_from_z(10.0) > 0.0);  // upper tail computed without cancellation
  CHECK(p_from_z(10.0) == Approx(7.619853024160527e-24).epsilon(1e-8));

  CHECK(p_from_t(0.0, 10.0) == Approx(0.5));
  // qt(0.975, 10) = 2.228138851986274 and qt(0.95, 3) = 2.353363434801823 (R).
  CHECK(p_from_t(2.228138851986274, 10.0) == Approx(0.025).epsilon(1e-9));
  CHECK(p_from_t(2.353363434801823, 3.0) == Approx(0.05).epsilon(1e-9));
  CHECK(p_from_t(-2.228138851986274, 10.0) == Approx(0.975).epsilon(1e-9));
  CHECK(p_from_t(1.959963984540054, std::numeric_limits<double>::infinity()) == Approx(0.025).epsilon(1e-10));
  CHECK(p_from_t(1.96, 1e6) == Approx(p_from_z(1.96)).epsilon(1e-5));

  require_data_error([] { p_from_t(2.0, 0.0, kWhere); }, "analysis.multiplicity.df");
  require_data_error([] { p_from_t(2.0, -3.0, kWhere); }, "analysis.multiplicity.df");
  require_data_error([] { p_from_t(std::nan(""), 5.0, kWhere); }, "analysis.multiplicity.df");
}

TEST_CASE("stats: a t statistic's normal deviate, by Hill's expansion where it is accurate and from the exact tail elsewhere", "[stats]") {
  // qt(0.975, 10) = 2.228138851986274 and qt(0.975, 100) = 1.983971518523552 (R): both z = qnorm(0.975).
  CHECK(z_from_t(2.228138851986274, 10.0) == Approx(1.959963984540054).epsilon(1e-10));
  CHECK(z_from_t(1.983971518523552, 100.0) == Approx(1.959963984540054).epsilon(1e-10));
  CHECK(z_from_t(-1.983971518523552, 100.0) == Approx(-1.959963984540054).epsilon(1e-10));
  // Against the exact tail (for a negative t through the symmetric upper tail, which keeps the
  // precision), on both sides of where the expansion is used.
  const auto exact = [](double t, double df) {
    const double z = -boost::math::quantile(boost::math::normal_distribution<double>(), p_from_t(std::fabs(t), df));
    return t < 0 ? -z : z;
  };
  double worst = 0;
  for (double df : {59.0, 60.0, 61.0, 80.0, 99.0, 100.0, 137.0, 398.0, 1e4, 1e6})
    for (double t = -9.0; t <= 9.0; t += 0.0173) {
      const double z = z_from_t(t, df);
      INFO("df " << df << ", t " << t);
      CHECK(std::fabs(z - exact(t, df)) <= 5e-11);
      worst = std::max(worst, std::fabs(z - exact(t, df)));
    }
  // The exact branch at the edges of the expansion's domain: 1e-13 is far below the expansion's error.
  CHECK(std::fabs(z_from_t(5.02, 60.0) - exact(5.02, 60.0)) < 1e-13);
  CHECK(std::fabs(z_from_t(8.01, 100.0) - exact(8.01, 100.0)) < 1e-13);
  CHECK(worst > 0);  // the expansion is in use (it is not exact)
}

TEST_CASE("stats: a t quantile at degrees of freedom near 0 is infinite, not an exception", "[stats]") {
  CHECK(t_upper_quantile(0.025, 1e-300) == std::numeric_limits<double>::infinity());
  CHECK(std::isfinite(t_upper_quantile(0.025, 0.5)));
  CHECK(t_upper_quantile(0.025, 1.0) == Approx(12.70620473617471).epsilon(1e-12));  // qt(0.975, 1) (R)
}

TEST_CASE("stats: a table of t quantiles filled on demand gives t_upper_quantile in any order and from any thread", "[stats]") {
  // qt(0.975, 10) = 2.228138851986274 (R).
  const TQuantileTable table(0.025, 300);
  CHECK(table(10) == Approx(2.228138851986274).epsilon(1e-14));
  std::vector<std::int64_t> order;
  for (std::int64_t df = 300; df >= 1; df -= 7) order.push_back(df);
  for (std::int64_t df = 1; df <= 300; df += 3) order.push_back(df);
  for (std::int64_t df : order) REQUIRE(table(df) == t_upper_quantile(0.025, static_cast<double>(df)));
  // A copy keeps what is filled and fills the rest the same way.
  const TQuantileTable copy = table;
  for (std::int64_t df = 1; df <= 300; ++df) REQUIRE(copy(df) == t_upper_quantile(0.025, static_cast<double>(df)));
  // Two threads filling one fresh table in opposite orders store the same bits as one thread.
  const TQuantileTable shared(0.001, 400);
  std::vector<double> up(401), down(401);
  std::thread a([&] { for (std::int64_t df = 1; df <= 400; ++df) up[static_cast<std::size_t>(df)] = shared(df); });
  std::thread b([&] { for (std::int64_t df = 400; df >= 1; --df) down[static_cast<std::size_t>(df)] = shared(df); });
  a.join();
  b.join();
  for (std::int64_t df = 1; df <= 400; ++df) {
    const double want = t_upper_quantile(0.001, static_cast<double>(df));
    REQUIRE(up[static_cast<std::size_t>(df)] == want);
    REQUIRE(down[static_cast<std::size_t>(df)] == want);
    REQUIRE(shared(df) == want);
  }
}

TEST_CASE("stats: multiplicity Bonferroni hand-worked", "[stats]") {
  const std::vector<double> p{0.01, 0.02, 0.004};
  // Equal weights: every hypothesis at 0.025 / 3 = 0.00833; only p = 0.004 is below.
  CHECK(bonferroni(p, 0.025) == Flags{false, false, true});
  // Weights 0.5, 0.3, 0.2: levels 0.0125, 0.0075, 0.005 -> H0 (0.01) and H2 (0.004).
  CHECK(bonferroni(p, 0.025, {0.5, 0.3, 0.2}) == Flags{true, false, true});
  // A p-value equal to its level is rejected.
  CHECK(bonferroni({0.0125, 0.5}, 0.025) == Flags{true, false});
  // A hypothesis with weight 0 is never rejected by Bonferroni.
  CHECK(bonferroni({0.0, 0.001}, 0.025, {0.0, 1.0}) == Flags{false, true});
}

TEST_CASE("stats: multiplicity Holm hand-worked", "[stats]") {
  // Sorted: 0.004 <= 0.025/3 = 0.00833 yes; 0.01 <= 0.025/2 = 0.0125 yes; 0.02 <= 0.025 yes.
  CHECK(holm({0.01, 0.004, 0.02}, 0.025) == Flags{true, true, true});
  // 0.013 > 0.0125 stops the step-down after the first rejection, although 0.02 <= 0.025.
  CHECK(holm({0.013, 0.004, 0.02}, 0.025) == Flags{false, true, false});
  // Nothing below 0.00833: nothing rejected.
  CHECK(holm({0.009, 0.01, 0.011}, 0.025) == Flags{false, false, false});
  // Weighted, weights 0.6, 0.2, 0.2: H0 at 0.015 (p 0.014 yes); then the remaining weight 0.4 is
  // rescaled to 1, so H1 and H2 are each at 0.025 * 0.2 / 0.4 = 0.0125: p 0.012 yes; then H2 at
  // 0.025: p 0.02 yes.
  CHECK(holm({0.014, 0.012, 0.02}, 0.025, {0.6, 0.2, 0.2}) == Flags{true, true, true});
  // Same weights: H0 at 0.015 fails (0.03) and H1 passes (0.004 <= 0.005). Then H0 is at
  // 0.025 * 0.6 / 0.8 = 0.01875 (fails) and H2 at 0.025 * 0.2 / 0.8 = 0.00625 (0.007 fails).
  CHECK(holm({0.03, 0.004, 0.007}, 0.025, {0.6, 0.2, 0.2}) == Flags{false, true, false});
}

TEST_CASE("stats: multiplicity Hochberg hand-worked", "[stats]") {
  // Largest p 0.02 <= 0.025: all rejected (Holm above rejected only H1 here).
  CHECK(hochberg({0.013, 0.004, 0.02}, 0.025) == Flags{true, true, true});
  // 0.03 > 0.025; 0.013 > 0.0125; 0.004 <= 0.00833: only the smallest.
  CHECK(hochberg({0.013, 0.004, 0.03}, 0.025) == Flags{false, true, false});
  // 0.03 > 0.025; 0.012 <= 0.0125: the two smallest.
  CHECK(hochberg({0.012, 0.004, 0.03}, 0.025) == Flags{true, true, false});
  // Nothing: 0.04 > 0.025, 0.03 > 0.0125, 0.02 > 0.00833.
  CHECK(hochberg({0.02, 0.03, 0.04}, 0.025) == Flags{false, false, false});
  // Ties: both 0.02 <= 0.025 at k = 2.
  CHECK(hochberg({0.02, 0.02}, 0.025) == Flags{true, true});
}

TEST_CASE("stats: multiplicity fixed-sequence hand-worked", "[stats]") {
  const std::vector<double> p{0.02, 0.001, 0.03, 0.001};
  // H0 0.02 yes, H1 yes, H2 0.03 > 0.025 stops: H3 is not tested although p = 0.001.
  CHECK(fixed_sequence(p, 0.025) == Flags{true, true, false, false});
  // Order H1, H0, H3, H2: the first three pass, H2 fails.
  CHECK(fixed_sequence(p, 0.025, {1, 0, 3, 2}) == Flags{true, true, false, true});
  // Order H2 first: it fails and nothing else is tested.
  CHECK(fixed_sequence(p, 0.025, {2, 0, 1, 3}) == Flags{false, false, false, false});
}

TEST_CASE("stats: multiplicity fallback hand-worked", "[stats]") {
  const std::vector<double> w{0.5, 0.25, 0.25};  // levels 0.0125, 0.00625, 0.00625
  // H0 0.01 <= 0.0125; H1 at 0.00625 + 0.0125 = 0.01875 (0.015 yes); H2 at 0.00625 + 0.01875 =
  // 0.025 (0.005 yes).
  CHECK(fallback({0.01, 0.015, 0.005}, 0.025, w) == Flags{true, true, true});
  // H0 fails; H1 at its own 0.00625 (0.006 yes); H2 at 0.00625 + 0.00625 = 0.0125 (0.012 yes).
  CHECK(fallback({0.02, 0.006, 0.012}, 0.025, w) == Flags{false, true, true});
  // Unlike fixed-sequence, testing continues after a failure: H0 and H1 fail, H2 at 0.00625 passes.
  CHECK(fallback({0.02, 0.007, 0.006}, 0.025, w) == Flags{false, false, true});
  // Nothing is carried past a failure: H1 fails, so H2 (0.012) is at 0.00625 only.
  CHECK(fallback({0.01, 0.02, 0.012}, 0.025, w) == Flags{true, false, false});
  // Order H2, H1, H0 with the same weights: H2 0.005 <= 0.00625 yes; H1 at 0.0125 (0.01 yes);
  // H0 at 0.0125 + 0.0125 = 0.025 (0.02 yes).
  CHECK(fallback({0.02, 0.01, 0.005}, 0.025, w, {2, 1, 0}) == Flags{true, true, true});
}

TEST_CASE("stats: multiplicity graphical hand-worked example", "[stats]") {
  // Two primary hypotheses H0, H1 (weight 1/2 each) and a secondary hypothesis for each, H2 after
  // H0 and H3 after H1. A rejected primary passes half its weight to the other primary and half to
  // its own secondary; a rejected secondary passes everything to the other primary.
  //        H0 --0.5--> H1, H0 --0.5--> H2, H1 --0.5--> H0, H1 --0.5--> H3, H2 --1--> H1, H3 --1--> H0
  const Graph graph{{0.5, 0.5, 0.0, 0.0},
                    {{0.0, 0.5, 0.5, 0.0}, {0.5, 0.0, 0.0, 0.5}, {0.0, 1.0, 0.0, 0.0}, {1.0, 0.0, 0.0, 0.0}}};
  const double alpha = 0.025;
  const std::vector<double> p{0.01, 0.02, 0.005, 0.024};
  // Step 1: levels 0.0125, 0.0125, 0, 0. Only H0 qualifies (0.01 <= 0.0125). Reject H0.
  //   w1 = 0.5 + 0.5 * 0.5 = 0.75, w2 = 0 + 0.5 * 0.5 = 0.25, w3 = 0.
  //   g12 = (0 + g10 g02) / (1 - g10 g01) = 0.25 / 0.75 = 1/3; g13 = (0.5 + 0.5 * 0) / 0.75 = 2/3;
  //   g21 = (1 + 0) / (1 - 0) = 1; g23 = 0;
  //   g31 = (0 + g30 g01) / (1 - g30 g03) = 0.5; g32 = (0 + 1 * 0.5) / 1 = 0.5.
  // Step 2: levels H1 0.01875 (p 0.02 fails), H2 0.00625 (p 0.005 passes), H3 0. Reject H2.
  //   w1 = 0.75 + 0.25 * g21 = 1, w3 = 0 + 0.25 * g23 = 0.
  //   g13 = (2/3 + g12 g23) / (1 - g12 g21) = (2/3) / (2/3) = 1; g31 = (0.5 + 0.5 * 1) / (1 - 0) = 1.
  // Step 3: H1 at 0.025 (p 0.02 passes). Reject H1: w3 = 0 + 1 * g13 = 1; g has no edges left.
  // Step 4: H3 at 0.025 (p 0.024 passes). Reject H3. Everything is rejected.
  const GraphResult r = graphical(p, alpha, graph);
  CHECK(r.rejected == Flags{true, true, true, true});
  REQUIRE(r.steps.size() == 4);
  CHECK(r.steps[0].rejected == 0);
  CHECK(r.steps[0].local_level == Approx(0.0125));
  CHECK(r.steps[0].after.weights[1] == Approx(0.75));
  CHECK(r.steps[0].after.weights[2] == Approx(0.25));
  CHECK(r.steps[0].after.weights[3] == Approx(0.0).margin(1e-15));
  CHECK(r.steps[0].after.transitions[1][2] == Approx(1.0 / 3.0));
  CHECK(r.steps[0].after.transitions[1][3] == Approx(2.0 / 3.0));
  CHECK(r.steps[0].after.transitions[2][1] == Approx(1.0));
  CHECK(r.steps[0].after.transitions[2][3] == Approx(0.0).margin(1e-15));
  CHECK(r.steps[0].after.transitions[3][1] == Approx(0.5));
  CHECK(r.steps[0].after.transitions[3][2] == Approx(0.5));
  CHECK(r.steps[1].rejected == 2);
  CHECK(r.steps[1].local_level == Approx(0.00625));
  CHECK(r.steps[1].after.weights[1] == Approx(1.0));
  CHECK(r.steps[1].after.transitions[1][3] == Approx(1.0));
  CHECK(r.steps[1].after.transitions[3][1] == Approx(1.0));
  CHECK(r.steps[2].rejected == 1);
  CHECK(r.steps[2].local_level == Approx(0.025));
  CHECK(r.steps[2].after.weights[3] == Approx(1.0));
  CHECK(r.steps[3].rejected == 3);
  CHECK(r.steps[3].local_level == Approx(0.025));
  // Rejected hypotheses keep no weight.
  CHECK(r.steps[3].after.weights == std::vector<double>{0.0, 0.0, 0.0, 0.0});

  // The same p-values with Holm and Bonferroni (all at 0.00625 first) reject only H2: the graph
  // spends alpha where the trial's structure puts it.
  CHECK(holm(p, alpha) == Flags{false, false, true, false});
  CHECK(bonferroni(p, alpha) == Flags{false, false, true, false});

  // With p1 = 0.03 the chain stops after step 2: H1 fails at 0.025 and H3 never gets weight.
  const GraphResult r2 = graphical({0.01, 0.03, 0.005, 0.001}, alpha, graph);
  CHECK(r2.rejected == Flags{true, false, true, false});
  CHECK(r2.steps.size() == 2);
}

TEST_CASE("stats: multiplicity classical procedures are special cases of the graphical approach", "[stats]") {
  std::mt19937_64 rng(20240611);
  std::uniform_int_distribution<std::size_t> size(2, 5);
  int agreements = 0;
  for (int rep = 0; rep < 3000; ++rep) {
    const std::size_t m = size(rng);
    const double alpha = rep % 2 == 0 ? 0.025 : 0.05;
    const std::vector<double> p = random_p(m, rng);
    INFO("rep " << rep << " m " << m);

    const std::vector<double> wz = random_weights(m, rng, true);
    CHECK(graphical(p, alpha, bonferroni_graph(wz)).rejected == bonferroni(p, alpha, wz));

    CHECK(graphical(p, alpha, holm_graph(m)).rejected == holm(p, alpha));
    const std::vector<double> wp = random_weights(m, rng, false);
    CHECK(graphical(p, alpha, holm_graph(m, wp)).rejected == holm(p, alpha, wp));

    const std::vector<std::size_t> order = shuffled(m, rng);
    CHECK(graphical(p, alpha, fixed_sequence_graph(m)).rejected == fixed_sequence(p, alpha));
    CHECK(graphical(p, alpha, fixed_sequence_graph(m, order)).rejected == fixed_sequence(p, alpha, order));

    CHECK(graphical(p, alpha, fallback_graph(wz)).rejected == fallback(p, alpha, wz));
    CHECK(graphical(p, alpha, fallback_graph(wz, order)).rejected == fallback(p, alpha, wz, order));
    ++agreements;
  }
  CHECK(agreements == 3000);

  // Holm of two hypotheses is the graph with w = (1/2, 1/2) and one edge each way.
  const Graph h2 = holm_graph(2);
  CHECK(h2.transitions[0][1] == 1.0);
  CHECK(h2.transitions[1][0] == 1.0);
  // Fallback with weights (1, 0, ..., 0) is fixed-sequence.
  const std::vector<double> p{0.02, 0.001, 0.03, 0.001};
  CHECK(fallback(p, 0.025, {1.0, 0.0, 0.0, 0.0}) == fixed_sequence(p, 0.025));
}

TEST_CASE("stats: multiplicity the graphical result does not depend on the rejection order", "[stats]") {
  // Re-labelling the hypotheses changes which qualifying hypothesis is picked first but not the
  // set of rejections.
  std::mt19937_64 rng(77);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int rep = 0; rep < 500; ++rep) {
    const std::size_t m = 4;
    Graph g{random_weights(m, rng, true), std::vector<std::vector<double>>(m, std::vector<double>(m, 0.0))};
    for (std::size_t i = 0; i < m; ++i) {
      double sum = 0.0;
      for (std::size_t j = 0; j < m; ++j)
        if (i != j) sum += (g.transitions[i][j] = u(rng) < 0.3 ? 0.0 : u(rng));
      const double scale = sum > 0.0 ? (u(rng) < 0.5 ? 1.0 : 0.7) / sum : 0.0;
      for (auto& x : g.transitions[i]) x *= scale;
    }
    const std::vector<double> p = random_p(m, rng);
    const std::vector<std::size_t> perm = shuffled(m, rng);
    Graph gp{std::vector<double>(m), std::vector<std::vector<double>>(m, std::vector<double>(m, 0.0))};
    std::vector<double> pp(m);
    for (std::size_t i = 0; i < m; ++i) {
      gp.weights[perm[i]] = g.weights[i];
      pp[perm[i]] = p[i];
      for (std::size_t j = 0; j < m; ++j) gp.transitions[perm[i]][perm[j]] = g.transitions[i][j];
    }
    const Flags a = graphical(p, 0.025, g).rejected;
    const Flags b = graphical(pp, 0.025, gp).rejected;
    for (std::size_t i = 0; i < m; ++i) CHECK(a[i] == b[perm[i]]);
  }
}

TEST_CASE("stats: multiplicity input checks", "[stats]") {
  const std::vector<double> p{0.01, 0.02, 0.03};
  const std::string k = "analysis.multiplicity";
  require_data_error([&] { bonferroni(p, 0.025, {0.5, -0.1, 0.5}, kWhere); }, k + ".weights[1]");
  require_data_error([&] { bonferroni(p, 0.025, {0.5, 0.3, 0.3}, kWhere); }, k + ".weights");
  require_data_error([&] { bonferroni(p, 0.025, {0.5, 0.5}, kWhere); }, k + ".weights");
  require_data_error([&] { holm({0.01, 1.2, 0.03}, 0.025, {}, kWhere); }, k + ".p_values[1]");
  require_data_error([&] { hochberg({-0.01, 0.2}, 0.025, kWhere); }, k + ".p_values[0]");
  require_data_error([&] { hochberg({std::nan(""), 0.2}, 0.025, kWhere); }, k + ".p_values[0]");
  require_data_error([&] { hochberg({}, 0.025, kWhere); }, k + ".p_values");
  require_data_error([&] { holm(p, 1.5, {}, kWhere); }, k + ".alpha");
  require_data_error([&] { fixed_sequence(p, 0.025, {0, 1}, kWhere); }, k + ".order");
  require_data_error([&] { fixed_sequence(p, 0.025, {0, 1, 1}, kWhere); }, k + ".order[2]");
  require_data_error([&] { fallback(p, 0.025, {}, {}, kWhere); }, k + ".weights");

  const std::vector<double> w{0.5, 0.5, 0.0};
  const std::vector<std::vector<double>> ok{{0, 0.5, 0.5}, {1, 0, 0}, {0.5, 0.5, 0}};
  CHECK_NOTHROW(graphical(p, 0.025, Graph{w, ok}, kWhere));
  // Weights summing to 1 up to rounding are accepted (0.1 + 0.2 + 0.7).
  CHECK_NOTHROW(graphical(p, 0.025, Graph{{0.1, 0.2, 0.7}, ok}, kWhere));

  auto g = ok;
  g[0] = {0, 0.6, 0.5};
  require_data_error([&] { graphical(p, 0.025, Graph{w, g}, kWhere); }, k + ".transitions[0]");
  g = ok;
  g[1] = {1.2, 0, -0.2};
  require_data_error([&] { graphical(p, 0.025, Graph{w, g}, kWhere); }, k + ".transitions[1][2]");
  g = ok;
  g[2][2] = 0.1;
  g[2][1] = 0.4;
  require_data_error([&] { graphical(p, 0.025, Graph{w, g}, kWhere); }, k + ".transitions[2][2]");
  g = ok;
  g.pop_back();
  require_data_error([&] { graphical(p, 0.025, Graph{w, g}, kWhere); }, k + ".transitions");
  g = ok;
  g[1].pop_back();
  require_data_error([&] { graphical(p, 0.025, Graph{w, g}, kWhere); }, k + ".transitions[1]");
  require_data_error([&] { graphical(p, 0.025, Graph{{0.6, 0.6, 0.0}, ok}, kWhere); }, k + ".weights");
  require_data_error([&] { graphical(p, 0.025, Graph{{0.5, 0.5}, ok}, kWhere); }, k + ".weights");
  require_data_error([&] { graphical(p, 0.025, Graph{{}, ok}, kWhere); }, k + ".weights");

  // Every problem is listed, not only the first.
  try {
    graphical({0.01, 2.0}, 0.025, Graph{{-0.5, 0.7}, {{0.5, 0.6}, {0.0, 0.0}}}, kWhere);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.diagnostics().size() >= 4);
  }
}

TEST_CASE("stats: multiplicity family-wise error under the global null by simulation", "[stats]") {
  // Equicorrelated standard normal statistics Z_i = sqrt(rho) U + sqrt(1 - rho) E_i, all nulls
  // true, so any rejection is a family-wise error. Each estimate must be at most alpha plus three
  // Monte Carlo standard errors (fixed seeds, so the outcome is reproducible).
  const double alpha = 0.025;
  const int families = 20000;
  const double tolerance = alpha + 3.0 * std::sqrt(alpha * (1.0 - alpha) / families);
  const bool print = std::getenv("CELLTRIAL_PRINT_FWER") != nullptr;

  struct Procedure {
    std::string name;
    std::function<Flags(const std::vector<double>&)> run;
  };

  for (std::size_t m = 2; m <= 4; ++m) {
    // Fallback: half of alpha on the first hypothesis, the rest split equally.
    std::vector<double> fb(m, 0.5 / static_cast<double>(m - 1));
    fb[0] = 0.5;
    // A general graph: two primaries with half of alpha each; each hypothesis passes half its
    // weight to the next and half to the one after that (both to the other one when m = 2).
    Graph graph{std::vector<double>(m, 0.0), std::vector<std::vector<double>>(m, std::vector<double>(m, 0.0))};
    graph.weights[0] = graph.weights[1] = 0.5;
    for (std::size_t i = 0; i < m; ++i) {
      graph.transitions[i][(i + 1) % m] += 0.5;
      graph.transitions[i][(i + 2) % m] += 0.5;
    }
    for (std::size_t i = 0; i < m; ++i) graph.transitions[i][i] = 0.0;
    if (m == 2) graph.transitions = {{0.0, 1.0}, {1.0, 0.0}};

    const std::vector<Procedure> procedures{
        {"bonferroni", [&](const std::vector<double>& p) { return bonferroni(p, alpha); }},
        {"holm", [&](const std::vector<double>& p) { return holm(p, alpha); }},
        {"hochberg", [&](const std::vector<double>& p) { return hochberg(p, alpha); }},
        {"fixed_sequence", [&](const std::vector<double>& p) { return fixed_sequence(p, alpha); }},
        {"fallback", [&](const std::vector<double>& p) { return fallback(p, alpha, fb); }},
        {"graphical", [&](const std::vector<double>& p) { return graphical(p, alpha, graph).rejected; }},
    };

    for (double rho : {0.0, 0.5, 0.9}) {
      std::mt19937_64 rng(1000003ULL * m + static_cast<unsigned long long>(rho * 10.0));
      std::normal_distribution<double> normal(0.0, 1.0);
      std::vector<int> errors(procedures.size(), 0);
      std::vector<double> p(m);
      for (int f = 0; f < families; ++f) {
        const double shared = normal(rng);
        for (std::size_t i = 0; i < m; ++i)
          p[i] = p_from_z(std::sqrt(rho) * shared + std::sqrt(1.0 - rho) * normal(rng));
        for (std::size_t k = 0; k < procedures.size(); ++k) {
          const Flags r = procedures[k].run(p);
          for (bool x : r) {
            if (x) {
              ++errors[k];
              break;
            }
          }
        }
      }
      for (std::size_t k = 0; k < procedures.size(); ++k) {
        const double fwer = static_cast<double>(errors[k]) / families;
        if (print)
          std::cout << "FWER m=" << m << " rho=" << rho << " " << procedures[k].name << " " << fwer << "\n";
        INFO(procedures[k].name << " m " << m << " rho " << rho << ": FWER " << fwer);
        CHECK(fwer <= tolerance);
      }
      // With independent statistics Bonferroni's FWER is exactly 1 - (1 - alpha/m)^m.
      if (rho == 0.0) {
        const double exact = 1.0 - std::pow(1.0 - alpha / static_cast<double>(m), static_cast<double>(m));
        const double se = std::sqrt(exact * (1.0 - exact) / families);
        CHECK(std::abs(static_cast<double>(errors[0]) / families - exact) <= 4.0 * se);
      }
      // Fixed-sequence errs exactly when the first test does: FWER = alpha for any rho.
      const double se = std::sqrt(alpha * (1.0 - alpha) / families);
      CHECK(std::abs(static_cast<double>(errors[3]) / families - alpha) <= 4.0 * se);
    }
  }
}

TEST_CASE("stats: multiplicity power ordering Bonferroni then Holm then Hochberg", "[stats]") {
  std::mt19937_64 rng(4242);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> effect(0.0, 3.5);
  long bonf_total = 0, holm_total = 0, hoch_total = 0;
  for (int rep = 0; rep < 5000; ++rep) {
    const std::size_t m = 2 + static_cast<std::size_t>(rep % 4);
    std::vector<double> p(m);
    const double shared = normal(rng);
    for (auto& x : p) x = p_from_z(0.7 * shared + 0.714 * normal(rng) + effect(rng));
    const Flags b = bonferroni(p, 0.025);
    const Flags h = holm(p, 0.025);
    const Flags u = hochberg(p, 0.025);
    for (std::size_t i = 0; i < m; ++i) {
      if (b[i]) CHECK(h[i]);
      if (h[i]) CHECK(u[i]);
      bonf_total += b[i];
      holm_total += h[i];
      hoch_total += u[i];
    }
  }
  // The orderings are strict somewhere in 5000 families.
  CHECK(bonf_total < holm_total);
  CHECK(holm_total < hoch_total);
}
