#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <vector>

#include <boost/math/distributions/normal.hpp>
#include <catch2/catch.hpp>

#include "celltrial/core/binomial.hpp"
#include "celltrial/core/error.hpp"
#include "celltrial/core/exact_sum.hpp"
#include "celltrial/core/histogram.hpp"
#include "celltrial/core/fastmath.hpp"
#include "celltrial/core/random.hpp"

using namespace celltrial;

TEST_CASE("core: a LocalEngine draws exactly the numbers of the Engine it was taken from", "[core]") {
  for (std::uint64_t trial : {0ULL, 1ULL, 987654321ULL}) {
    Engine g = make_stream(7, trial, Purpose::outcomes);
    LocalEngine local{g};
    // Raw outputs, then normals: about 1 % of these take the ziggurat's slow path (tail and
    // wedges), which has its own code for a LocalEngine.
    for (int i = 0; i < 1000; ++i) REQUIRE(local() == g());
    std::size_t slow = 0;
    for (int i = 0; i < 200000; ++i) {
      Engine one_draw = g;
      one_draw();
      const double x = std_normal(g), y = std_normal(local);
      REQUIRE(std::bit_cast<std::uint64_t>(x) == std::bit_cast<std::uint64_t>(y));
      slow += !(one_draw == g);  // this deviate took more than one draw
      REQUIRE(local() == g());   // still in step
    }
    CHECK(slow > 100);
  }
}

TEST_CASE("core: exact sums are independent of order and partition", "[core]") {
  std::vector<double> xs;
  Engine g = make_stream(42, 0, Purpose::outcomes);
  for (int i = 0; i < 10000; ++i) xs.push_back(std_normal(g) * std::pow(10.0, (i % 7) - 3));
  ExactSum forward, backward, split_a, split_b;
  for (double x : xs) forward.add(x);
  for (auto it = xs.rbegin(); it != xs.rend(); ++it) backward.add(*it);
  for (std::size_t i = 0; i < xs.size(); ++i) (i % 3 ? split_a : split_b).add(xs[i]);
  split_b.merge(split_a);
  CHECK(forward == backward);
  CHECK(forward == split_b);
  long double plain = 0;
  for (double x : xs) plain += x;
  CHECK(std::fabs(static_cast<double>(forward.value() - plain)) < 1e-8);
}

TEST_CASE("core: exact sums round each value as nearbyint(ldexp(x, 40)) does", "[core]") {
  // The fast rounding must give the library's integer for every magnitude, ties included.
  auto library = [](double x) { return static_cast<int128_t>(std::nearbyint(std::ldexp(x, ExactSum::fraction_bits))); };
  std::vector<double> xs = {0.0, -0.0, 0x1.0p-41, -0x1.0p-41, 0x1.8p-40, 0x1.4p-39, -0x1.8p-40, 4095.99999, 4096.0,
                            -4096.0, 0x1.fffffffffffffp11, 0x1.0p22, -0x1.0p22, 0x1.fffffffffffffp21,
                            ExactSum::max_abs * 0.999, -ExactSum::max_abs * 0.999, 1e-300, 5e-324};
  Engine g = make_stream(9, 0, Purpose::estimand);
  for (int i = 0; i < 200000; ++i) {
    const double scale = std::ldexp(1.0, static_cast<int>(g() % 90) - 44);  // 2^-44 .. 2^45
    const double x = (uniform01(g) * 2 - 1) * scale;
    xs.push_back(x);
    // Exact ties at the rounding point: k + 1/2 units of 2^-40.
    const auto k = static_cast<double>(static_cast<std::int64_t>(g() >> 30));
    xs.push_back((k + 0.5) * 0x1.0p-40);
    xs.push_back(-(k + 0.5) * 0x1.0p-40);
  }
  for (double x : xs) {
    if (!(std::fabs(x) < ExactSum::max_abs)) continue;
    INFO(x);
    CHECK(ExactSum::to_fixed(x) == library(x));
  }
}

TEST_CASE("core: exact sums reject values out of range and round-trip as text", "[core]") {
  ExactSum s;
  CHECK_FALSE(s.add(std::nan("")));
  CHECK_FALSE(s.add(1e300));
  CHECK(s.add(-123.456));
  ExactSum back;
  REQUIRE(ExactSum::from_string(s.to_string(), back));
  CHECK(back == s);
  CHECK_FALSE(ExactSum::from_string("12a", back));
  CHECK_FALSE(ExactSum::from_string("", back));
  CHECK_FALSE(ExactSum::from_string("999999999999999999999999999999999999999999", back));
  ExactSum big;
  big.set_raw(-(static_cast<int128_t>(1) << 126));
  REQUIRE(ExactSum::from_string(big.to_string(), back));
  CHECK(back == big);
}

TEST_CASE("core: moments give mean, variance and MC error", "[core]") {
  ExactMoments m;
  for (double x : {1.0, 2.0, 3.0, 4.0}) m.add(x);
  CHECK(m.mean() == Approx(2.5));
  CHECK(m.variance() == Approx(5.0 / 3.0));
  CHECK(m.mc_se() == Approx(std::sqrt(5.0 / 3.0 / 4.0)));
}

TEST_CASE("core: streams depend only on seed, trial and purpose", "[core]") {
  Engine a = make_stream(1, 5, Purpose::outcomes), b = make_stream(1, 5, Purpose::outcomes);
  for (int i = 0; i < 100; ++i) REQUIRE(a() == b());
  Engine c = make_stream(1, 6, Purpose::outcomes), d = make_stream(1, 5, Purpose::population),
         e = make_stream(2, 5, Purpose::outcomes);
  Engine f = make_stream(1, 5, Purpose::outcomes);
  const auto x = f();
  CHECK(c() != x);
  CHECK(d() != x);
  CHECK(e() != x);
}

TEST_CASE("core: ziggurat normals have the standard normal distribution", "[core][statistical]") {
  // 2 million deviates: moments, tail frequencies and a Kolmogorov-Smirnov distance.
  const int n = 2000000;
  std::vector<double> z(n);
  Engine g = make_stream(2025, 1, Purpose::outcomes);
  double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
  int beyond2 = 0, beyond_r = 0, beyond4 = 0;
  for (int i = 0; i < n; ++i) {
    const double x = std_normal(g);
    z[static_cast<std::size_t>(i)] = x;
    s1 += x;
    s2 += x * x;
    s3 += x * x * x;
    s4 += x * x * x * x;
    beyond2 += std::fabs(x) > 2;
    beyond_r += std::fabs(x) > detail::ZigguratTables::r;
    beyond4 += std::fabs(x) > 4;
  }
  const double dn = n;
  CHECK(std::fabs(s1 / dn) < 4 / std::sqrt(dn));                 // SE 1/sqrt(n)
  CHECK(std::fabs(s2 / dn - 1) < 4 * std::sqrt(2.0 / dn));       // SE sqrt(2/n)
  CHECK(std::fabs(s3 / dn) < 4 * std::sqrt(15.0 / dn));          // SE sqrt(15/n)
  CHECK(std::fabs(s4 / dn - 3) < 4 * std::sqrt(96.0 / dn));      // SE sqrt(96/n)
  boost::math::normal_distribution<double> N01;
  auto check_tail = [&](int count, double c) {
    const double p = 2 * boost::math::cdf(boost::math::complement(N01, c));
    CHECK(std::fabs(count - dn * p) < 4 * std::sqrt(dn * p * (1 - p)) + 1);
  };
  check_tail(beyond2, 2.0);
  check_tail(beyond_r, detail::ZigguratTables::r);
  check_tail(beyond4, 4.0);
  std::sort(z.begin(), z.end());
  double ks = 0;
  for (int i = 0; i < n; i += 7) {
    const double F = boost::math::cdf(N01, z[static_cast<std::size_t>(i)]);
    ks = std::max({ks, std::fabs(F - i / dn), std::fabs(F - (i + 1) / dn)});
  }
  CHECK(ks < 1.63 / std::sqrt(dn));  // 1 % critical value of the KS statistic
}

TEST_CASE("core: uniform01 lies in the unit interval with mean 1/2", "[core]") {
  Engine g = make_stream(3, 3, Purpose::dropout);
  double s = 0;
  for (int i = 0; i < 100000; ++i) {
    const double u = uniform01(g);
    REQUIRE(u >= 0);
    REQUIRE(u < 1);
    s += u;
  }
  CHECK(std::fabs(s / 100000 - 0.5) < 4 * std::sqrt(1.0 / 12 / 100000));
}

TEST_CASE("core: did-you-mean suggestions", "[core]") {
  CHECK(closest_match("alpah", {"alpha", "sides", "method"}) == "alpha");
  CHECK(closest_match("sample_sise", {"sample_size", "visits_months"}) == "sample_size");
  CHECK(closest_match("zzzzzz", {"alpha", "sides"}).empty());
  CHECK(edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("core: diagnostics name place, key, problem and fix", "[core]") {
  Diagnostic d{{"a.yaml", 3, 7}, "analysis.alpha", "must be in (0, 0.5].", "use 0.05."};
  CHECK(d.str() == "a.yaml:3:7: error: analysis.alpha: must be in (0, 0.5]. Fix: use 0.05.");
  Error e(ExitCode::data, d);
  CHECK(e.code() == ExitCode::data);
  CHECK_THROWS_AS(CELLTRIAL_ASSERT(1 == 2), Error);
}

TEST_CASE("core: fast_exp and fast_log agree with exactly rounded values", "[core]") {
  // Reference values in long double (64-bit mantissa) rounded once to double.
  Engine g = make_stream(7, 0, Purpose::estimand);
  double worst_exp = 0, worst_log = 0;
  auto ulps = [](double got, long double want) {
    const double w = static_cast<double>(want);
    const double ulp = std::nextafter(std::fabs(w), INFINITY) - std::fabs(w);
    return static_cast<double>(std::fabs(static_cast<long double>(got) - want) / ulp);
  };
  for (int i = 0; i < 200000; ++i) {
    const double x = -20 + 40 * uniform01(g);  // the curves' arguments are within (-10, 0]
    worst_exp = std::max(worst_exp, ulps(fast_exp(x), std::exp(static_cast<long double>(x))));
    // log over the uniforms of the event draws, (0, 1], and beyond.
    const double u = static_cast<double>((g() >> 11) + 1) * 0x1.0p-53;
    const double y = i % 2 ? u : std::ldexp(0.5 + uniform01(g), static_cast<int>(g() % 200) - 100);
    const long double want = std::log(static_cast<long double>(y));
    // The stated bound: 2^-58 absolute plus 1.6 ulp of the result (relative accuracy is lost
    // only where log(y) is near 0, which matters nowhere here).
    const double err = static_cast<double>(std::fabs(static_cast<long double>(fast_log(y)) - want));
    worst_log = std::max(worst_log, err / (0x1.0p-58 + 1.6 * std::fabs(static_cast<double>(want)) * 0x1.0p-52));
  }
  INFO("worst exp error " << worst_exp << " ulp; worst log error " << worst_log << " of the bound");
  CHECK(worst_exp <= 0.52);
  CHECK(worst_log <= 1.0);
  // Exact and special values.
  CHECK(fast_exp(0.0) == 1.0);
  CHECK(std::fabs(fast_log(1.0)) <= 0x1.0p-58);
  CHECK(fast_log(2.0) == std::log(2.0));
  CHECK(fast_exp(300.0) == std::exp(300.0));
  CHECK(std::isnan(fast_log(-1.0)));
  CHECK(fast_log(0.0) == -INFINITY);
  CHECK(fast_log(0x1.0p-1070) == std::log(0x1.0p-1070));  // subnormal: the library's
}

namespace {
// P(X = k) for X ~ Binomial(n, p), in long double from the product formula.
long double binomial_pmf(std::int64_t n, long double p, std::int64_t k) {
  long double log_c = 0;
  for (std::int64_t i = 1; i <= k; ++i) log_c += std::log(static_cast<long double>(n - k + i) / i);
  return std::exp(log_c + k * std::log(p) + (n - k) * std::log1p(-p));
}
}  // namespace

TEST_CASE("core: binomial inversion gives each count a share of the unit interval equal to its probability", "[core]") {
  // Every u in [0, 1) maps to one count, and the counts' stretches are intervals laid end to end:
  // on a grid of 2^20 points each count's share is its probability within 2 grid steps.
  struct Case {
    std::int64_t n;
    double p;
  };
  for (const Case c : {Case{20, 0.3}, Case{7, 0.9}, Case{1, 0.5}, Case{50, 0.02}, Case{220, 0.16}, Case{3, 0.999}}) {
    INFO("n = " << c.n << ", p = " << c.p);
    const BinomialInverse b(c.n, c.p), table = b.tabulated();
    CHECK(b.mode() == static_cast<std::int64_t>(std::floor(static_cast<double>(c.n + 1) * c.p)));
    CHECK(static_cast<double>(b.pmf_mode()) == Approx(static_cast<double>(binomial_pmf(c.n, c.p, b.mode()))).epsilon(1e-12));
    constexpr std::int64_t kGrid = 1 << 20;
    std::vector<std::int64_t> hits(static_cast<std::size_t>(c.n + 1), 0);
    for (std::int64_t i = 0; i < kGrid; ++i) {
      const std::int64_t k = b((static_cast<double>(i) + 0.5) / kGrid);
      REQUIRE(k >= 0);
      REQUIRE(k <= c.n);
      REQUIRE(table((static_cast<double>(i) + 0.5) / kGrid) == k);  // the tabulated search agrees
      hits[static_cast<std::size_t>(k)] += 1;
    }
    for (std::int64_t k = 0; k <= c.n; ++k)
      CHECK(std::fabs(static_cast<double>(hits[static_cast<std::size_t>(k)]) / kGrid -
                      static_cast<double>(binomial_pmf(c.n, c.p, k))) <= 2.0 / kGrid);
    // The top of the unit interval still gives a count in range.
    const std::int64_t top = b(1 - 0x1.0p-53);
    CHECK(top >= 0);
    CHECK(top <= c.n);
    CHECK(table(1 - 0x1.0p-53) == top);
  }
}

TEST_CASE("core: binomial inversion at the edges and for large n", "[core][statistical]") {
  CHECK(BinomialInverse()(0.7) == 0);
  CHECK(BinomialInverse(0, 0.4)(0.3) == 0);
  CHECK(BinomialInverse(12, 0.0)(0.99) == 0);
  CHECK(BinomialInverse(12, 1.0)(0.01) == 12);
  CHECK(BinomialInverse(0, 0.4).tabulated()(0.3) == 0);
  CHECK(BinomialInverse(12, 0.0).tabulated()(0.99) == 0);
  CHECK(BinomialInverse(12, 1.0).tabulated()(0.01) == 12);
  // Large n, where (1 - p)^n underflows, and a rare event: mean and variance of 20,000 draws.
  struct Case {
    std::int64_t n;
    double p;
  };
  for (const Case c : {Case{200000, 0.3}, Case{10000, 1e-4}, Case{5000, 0.5}}) {
    INFO("n = " << c.n << ", p = " << c.p);
    const BinomialInverse b(c.n, c.p), table = b.tabulated();
    Engine g = make_stream(5, static_cast<std::uint64_t>(c.n), Purpose::safety);
    constexpr int kDraws = 20000;
    double sum = 0, sum2 = 0;
    for (int i = 0; i < kDraws; ++i) {
      const double u = uniform01(g);
      const auto k = static_cast<double>(b(u));
      REQUIRE(static_cast<double>(table(u)) == k);
      sum += k;
      sum2 += k * k;
    }
    const double mean = sum / kDraws, var = sum2 / kDraws - mean * mean;
    const double mu = static_cast<double>(c.n) * c.p, sigma2 = mu * (1 - c.p);
    CHECK(std::fabs(mean - mu) < 4 * std::sqrt(sigma2 / kDraws));
    // The sample variance has SE about sigma^2 sqrt(2 / draws) (plus a kurtosis term for small mu).
    CHECK(std::fabs(var / sigma2 - 1) < 4 * std::sqrt(2.0 / kDraws + 1 / (sigma2 * kDraws)));
  }
}

TEST_CASE("FixedWidthHistogram: quantiles within half a bin of the order statistic, merge in any order", "[core]") {
  using celltrial::FixedWidthHistogram;
  std::vector<double> x;
  for (int i = 0; i < 2001; ++i) x.push_back(std::sin(0.37 * i) * 4.1 - 0.3);  // both signs
  FixedWidthHistogram all, a, b;
  for (std::size_t i = 0; i < x.size(); ++i) {
    CHECK(all.add(x[i]));
    CHECK((i % 3 == 0 ? a : b).add(x[i]));
  }
  std::vector<double> sorted = x;
  std::sort(sorted.begin(), sorted.end());
  for (double p : {0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 1.0}) {
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
    CHECK(std::fabs(all.quantile(p) - sorted[rank - 1]) <= FixedWidthHistogram::kResolution);
  }
  FixedWidthHistogram ab = a, ba = b;
  ab.merge(b);
  ba.merge(a);
  CHECK(ab == all);
  CHECK(ba == all);
  // Bins rebuild the histogram; NaN, infinities and huge values are refused, not counted.
  FixedWidthHistogram copy;
  CHECK(copy.set(all.bins()));
  CHECK(copy == all);
  CHECK_FALSE(copy.add(std::nan("")));
  CHECK_FALSE(copy.add(INFINITY));
  CHECK_FALSE(copy.add(-2e9));
  CHECK(copy.count() == x.size());
  CHECK_FALSE(copy.set({{0, 0}}));
  CHECK(std::isnan(FixedWidthHistogram{}.quantile(0.5)));
  // A value on a bin edge is in the bin above it: -1 is in [-1, -1 + 1/128).
  FixedWidthHistogram edge;
  edge.add(-1.0);
  CHECK(edge.quantile(0.5) == -1.0 + 0.5 / FixedWidthHistogram::kBinsPerUnit);
}
