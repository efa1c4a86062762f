// Recruitment in calendar time (model/accrual.hpp, design.accrual): the accrual model against its
// closed forms, its own random stream, and what the summary and the shard files carry.
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "celltrial/core/histogram.hpp"
#include "celltrial/design/summary.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/model/accrual.hpp"
#include "celltrial/model/model.hpp"
#include "test_support.hpp"

using namespace celltrial;

namespace {
Accrual accrual(std::int64_t sites, double ramp, double rate, std::int64_t cap = 0) {
  Accrual a;
  a.sites = sites;
  a.ramp_up_months = ramp;
  a.screened_per_site_month = rate;
  a.cap_per_site = cap;
  return a;
}

/// Randomisation months of n children, each the last of `screens` screened, in `reps` runs.
std::vector<std::vector<double>> months(const AccrualModel& m, std::size_t n, std::uint32_t screens, int reps) {
  std::vector<std::uint32_t> s(n, screens), work;
  std::vector<std::vector<double>> out;
  for (int k = 0; k < reps; ++k) {
    Engine g = make_stream(7, static_cast<std::uint64_t>(k), Purpose::accrual);
    std::vector<double> t(n);
    m.randomisation_months(g, s.data(), n, t.data(), work);
    out.push_back(std::move(t));
  }
  return out;
}

struct MeanVar {
  double mean = 0, var = 0;
};
MeanVar mean_var(const std::vector<double>& x) {
  MeanVar r;
  for (double v : x) r.mean += v;
  r.mean /= static_cast<double>(x.size());
  for (double v : x) r.var += (v - r.mean) * (v - r.mean);
  r.var /= static_cast<double>(x.size() - 1);
  return r;
}
const int kReps = test::full_mode() ? 200000 : 20000;
}  // namespace

TEST_CASE("accrual: at a constant rate, first to N-th randomisation is Gamma(N - 1, r)", "[accrual][statistical]") {
  // 4 sites x 2.5 children per month = r = 10 per month, all open at month 0, no cap, all eligible.
  const std::size_t n = 50;
  const double r = 10;
  const AccrualModel m(accrual(4, 0, 2.5));
  std::vector<double> span, first;
  for (const auto& t : months(m, n, 1, kReps)) {
    span.push_back(t[n - 1] - t[0]);
    first.push_back(t[0]);
    for (std::size_t j = 1; j < n; ++j) REQUIRE(t[j] >= t[j - 1]);
  }
  const MeanVar s = mean_var(span), f = mean_var(first);
  const double k = static_cast<double>(n - 1);
  // Mean within 4 Monte Carlo SEs of (N - 1) / r; variance (N - 1) / r^2 within 4 of its SEs
  // (the variance of a sample variance of a Gamma: var^2 (2 / (n - 1) + kurtosis excess 6 / k / n)).
  CHECK(std::fabs(s.mean - k / r) < 4 * std::sqrt(k / (r * r) / kReps));
  const double v = k / (r * r);
  CHECK(std::fabs(s.var - v) < 4 * v * std::sqrt(2.0 / (kReps - 1) + 6 / k / kReps));
  CHECK(std::fabs(f.mean - 1 / r) < 4 * (1 / r) / std::sqrt(kReps));  // first arrival: Exp(r)
  // The distribution, not only its moments: the share below three Gamma quantiles.
  const boost::math::gamma_distribution<> g(k, 1 / r);
  for (double p : {0.1, 0.5, 0.9}) {
    const double q = quantile(g, p);
    double below = 0;
    for (double x : span) below += x <= q;
    below /= kReps;
    CHECK(std::fabs(below - p) < 4 * std::sqrt(p * (1 - p) / kReps));
  }
}

TEST_CASE("accrual: screening failures take their time: N eligible of 3N screened is Gamma(3N, r)", "[accrual][statistical]") {
  const std::size_t n = 20;
  const double r = 4;
  const AccrualModel m(accrual(1, 0, r));
  std::vector<double> last;
  for (const auto& t : months(m, n, 3, kReps)) last.push_back(t[n - 1]);
  const MeanVar s = mean_var(last);
  const double k = 3.0 * n;
  CHECK(std::fabs(s.mean - k / r) < 4 * std::sqrt(k / (r * r) / kReps));
}

TEST_CASE("accrual: with sites opening over a ramp-up, the N-th randomisation follows the integrated rate",
          "[accrual][statistical]") {
  // 5 sites open at months 0, 2.5, 5, 7.5 and 10, each screening 1 child a month.
  const AccrualModel m(accrual(5, 10, 1));
  CHECK(m.opening_month(0) == 0);
  CHECK(m.opening_month(4) == 10);
  CHECK(m.expected_screened_by(0) == 0);
  CHECK(m.expected_screened_by(5) == Approx(5 + 2.5));
  CHECK(m.expected_screened_by(20) == Approx(20 + 17.5 + 15 + 12.5 + 10));
  // P(T_N > t) = P(Poisson(Lambda(t)) < N) = Q(N, Lambda(t)); E T_N is its integral over t.
  const std::size_t n = 30;
  double expected = 0;
  const double dt = 0.001;
  for (double t = dt / 2; t < 200; t += dt) expected += boost::math::gamma_q(static_cast<double>(n), m.expected_screened_by(t)) * dt;
  std::vector<double> last;
  for (const auto& t : months(m, n, 1, kReps)) last.push_back(t[n - 1]);
  const MeanVar s = mean_var(last);
  INFO("simulated " << s.mean << ", integral " << expected);
  CHECK(std::fabs(s.mean - expected) < 4 * std::sqrt(s.var / kReps));
  // Without the ramp-up it would be N / 5 = 6 months: the ramp-up matters here.
  CHECK(expected > 9);
}

TEST_CASE("accrual: a full site stops recruiting", "[accrual][statistical]") {
  // Two sites of rate r, each taking 1 child: the first child comes at rate 2r, the second only
  // from the other site, at rate r. So first to second randomisation is Exp(r), mean 1 / r
  // (without the cap: Exp(2r)).
  const double r = 2;
  const AccrualModel capped(accrual(2, 0, r, 1)), open(accrual(2, 0, r));
  std::vector<double> a, b;
  for (const auto& t : months(capped, 2, 1, kReps)) a.push_back(t[1] - t[0]);
  for (const auto& t : months(open, 2, 1, kReps)) b.push_back(t[1] - t[0]);
  CHECK(std::fabs(mean_var(a).mean - 1 / r) < 4 * (1 / r) / std::sqrt(kReps));
  CHECK(std::fabs(mean_var(b).mean - 1 / (2 * r)) < 4 * (1 / (2 * r)) / std::sqrt(kReps));
}

TEST_CASE("accrual: the calendar draws from its own stream and changes nothing else", "[accrual][reproducibility]") {
  const Scenario plain = test::load_shipped("scenarios/default.yaml");
  const Scenario timed = test::load_shipped("scenarios/default.yaml",
                                            {"design.accrual.sites=12", "design.accrual.ramp_up_months=6",
                                             "design.accrual.screened_per_site_month=1.5"});
  const Model a(plain), b(timed);
  TrialData x, y;
  for (std::uint64_t trial : {0u, 1u, 17u}) {
    a.simulate(3, trial, x);
    b.simulate(3, trial, y);
    CHECK(x.baseline == y.baseline);
    CHECK(x.change == y.change);
    CHECK(x.observed == y.observed);
    CHECK(x.screens == y.screens);
    CHECK(x.month.empty());
    REQUIRE(y.month.size() == y.size());
    CHECK(y.accrual_months == y.month.back() - y.month.front());
    CHECK(y.duration_months == y.month.back() + timed.analysis.primary_visit_months);
    CHECK(std::isnan(x.accrual_months));
  }
}

TEST_CASE("accrual: the summary reports accrual and duration with MC errors and quantiles, shards keep them",
          "[accrual][engine]") {
  Scenario s = test::load_shipped("scenarios/default.yaml",
                                  {"design.accrual.sites=10", "design.accrual.screened_per_site_month=2"});
  s.simulation.trials = 400;
  const Accumulator acc = run_trials(s, EngineOptions{0, 0, 2});
  CHECK(acc == run_trials(s, EngineOptions{0, 0, 1}));
  CHECK(Accumulator::from_state(acc.state()) == acc);
  const auto j = summarise(s, acc);
  REQUIRE(j.contains("accrual_months"));
  const auto& am = j["accrual_months"];
  CHECK(am["trials"] == 400);
  CHECK(am["mc_se"].get<double>() > 0);
  // 200 children at 20 screened a month, each eligible with the scenario's yield.
  const double yield = j["sample_size"]["screening_yield_prerun"].get<double>();
  const double n = static_cast<double>(s.design.sample_size);
  const double per_child = j["sample_size"]["screened_per_randomised"].get<double>();
  INFO("yield " << yield);
  CHECK(am["mean"].get<double>() == Approx((n * per_child - 1) / 20).epsilon(0.03));
  CHECK(am["quantiles"]["0.05"].get<double>() < am["quantiles"]["0.5"].get<double>());
  CHECK(am["quantiles"]["0.5"].get<double>() < am["quantiles"]["0.95"].get<double>());
  CHECK(j["duration_months"]["mean"].get<double>() > am["mean"].get<double>() + s.analysis.primary_visit_months);
  // The generic endpoint without safety risks describes nothing else, but still reports its calendar.
  Scenario generic = test::load_shipped("scenarios/validation/reference_ancova.yaml",
                                        {"design.accrual={sites: 10, screened_per_site_month: 1}"});
  generic.simulation.trials = 100;
  const auto g = summarise(generic, run_trials(generic, EngineOptions{0, 0, 1}));
  CHECK(g["accrual_months"]["trials"] == 100);
  CHECK(g["duration_months"]["trials"] == 100);
  // 200 children, all eligible, at 10 a month: about 20 months, then 12 months to the last visit.
  CHECK(g["accrual_months"]["mean"].get<double>() == Approx(19.9).margin(1.0));
  CHECK(g["duration_months"]["mean"].get<double>() > g["accrual_months"]["mean"].get<double>() + 12);
  // Without design.accrual nothing is reported.
  Scenario plain = test::load_shipped("scenarios/default.yaml");
  plain.simulation.trials = 50;
  CHECK_FALSE(summarise(plain, run_trials(plain, EngineOptions{0, 0, 1})).contains("accrual_months"));
}

TEST_CASE("accrual: the quantile histogram is exact under merging and within its resolution", "[accrual]") {
  QuantileHistogram all, a, b;
  for (int k = 1; k <= 1000; ++k) {
    const double x = 0.37 * k;
    all.add(x);
    (k % 3 ? a : b).add(x);
  }
  QuantileHistogram m = b;
  m.merge(a);
  CHECK(m == all);
  for (double p : {0.01, 0.25, 0.5, 0.9, 1.0}) {
    const double exact = 0.37 * std::ceil(p * 1000);
    CHECK(std::fabs(all.quantile(p) - exact) <= exact * QuantileHistogram::kRelativeResolution);
  }
  CHECK(all.add(0));
  CHECK_FALSE(all.add(-1));
  CHECK_FALSE(all.add(std::nan("")));
  QuantileHistogram bad;
  CHECK_FALSE(bad.set({{0xFFFFFFFFu, 1}}));
  CHECK_FALSE(bad.set({{5, 0}}));
}

TEST_CASE("accrual: mistakes in design.accrual are located errors with the fix", "[accrual]") {
  auto message = [](const std::vector<std::string>& set) { return std::string(test::data_error(test::kSmallScenario, set).what()); };
  // No sites while other keys are given: not a silent 'no calendar'.
  CHECK_THAT(message({"design.accrual.screened_per_site_month=2"}),
             Catch::Contains("design.accrual.sites") && Catch::Contains("give sites"));
  // Sites that never screen anyone.
  CHECK_THAT(message({"design.accrual.sites=3"}),
             Catch::Contains("design.accrual.screened_per_site_month") && Catch::Contains("never recruit"));
  CHECK_THAT(message({"design.accrual.sites=3", "design.accrual.screened_per_site_month=0"}),
             Catch::Contains("never recruit"));
  // Caps that leave no room for the sample: 3 x 30 < 100.
  CHECK_THAT(message({"design.accrual.sites=3", "design.accrual.screened_per_site_month=1", "design.accrual.cap_per_site=30"}),
             Catch::Contains("design.accrual.cap_per_site") && Catch::Contains("at least 34"));
  // Declared ranges.
  CHECK_THAT(message({"design.accrual.sites=100000", "design.accrual.screened_per_site_month=1"}),
             Catch::Contains("design.accrual.sites"));
  CHECK_THAT(message({"design.accrual.sites=2", "design.accrual.screened_per_site_month=1",
                      "design.accrual.ramp_up_months=1000"}),
             Catch::Contains("design.accrual.ramp_up_months"));
  CHECK_THAT(message({"design.accrual.sites=2", "design.accrual.screened_per_site_month=-1"}),
             Catch::Contains("design.accrual.screened_per_site_month"));
  CHECK_THAT(message({"design.accrual.sits=2"}), Catch::Contains("did you mean 'sites'"));
  // A valid one loads and writes back the section.
  const Scenario ok = load_scenario_text(test::kSmallScenario, "s.yaml",
                                         {"design.accrual.sites=3", "design.accrual.screened_per_site_month=1.5"});
  CHECK(ok.design.accrual.sites == 3);
  CHECK_THAT(to_yaml(ok), Catch::Contains("accrual:") && Catch::Contains("screened_per_site_month: 1.5"));
  CHECK_THAT(to_yaml(load_scenario_text(test::kSmallScenario, "s.yaml", {})), !Catch::Contains("accrual"));
}
