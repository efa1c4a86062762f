#include <cmath>

#include <catch2/catch.hpp>

#include "celltrial/core/error.hpp"
#include "celltrial/design/sample_size.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/report/summary.hpp"
#include "celltrial/stats/assurance.hpp"
#include "celltrial/stats/power.hpp"
#include "test_support.hpp"

using namespace celltrial;

namespace {
// The reference scenario's closed form: ANCOVA with residual SD 4, exact power.
stats::PowerInputs reference_inputs() {
  stats::PowerInputs in;
  in.delta = 1.5;
  in.sd = 4;
  in.sd_scale = stats::SdScale::residual;
  in.test = stats::Test::ancova_exact;
  in.count = stats::Rejection::favourable_tail;
  return in;
}
}  // namespace

TEST_CASE("design: arm sizes follow the allocation and are nested", "[design]") {
  Scenario s = test::load_shipped("scenarios/validation/reference_ancova.yaml");
  CHECK(arm_sizes(s, 200) == std::vector<std::int64_t>{100, 100});
  CHECK(arm_sizes(s, 201) == std::vector<std::int64_t>{101, 100});
  s.arms[1].allocation = 2;
  CHECK(arm_sizes(s, 300) == std::vector<std::int64_t>{100, 200});
  const auto a = arm_sizes(s, 301);
  CHECK(a[0] + a[1] == 301);
  CHECK(std::abs(static_cast<double>(a[1]) - 301.0 * 2 / 3) <= 1);
}

TEST_CASE("design: simulated power at fixed N agrees with the exact closed form", "[design][statistical]") {
  const Scenario s = test::load_shipped("scenarios/validation/reference_ancova.yaml");
  const std::uint64_t trials = test::full_mode() ? 400000 : 20000;
  for (std::int64_t n : {60, 200}) {
    const PowerCurvePoint p = simulate_power(s, n, trials, 0.95, 0, nullptr);
    const double exact = stats::power(reference_inputs(), static_cast<double>(n));
    INFO("N " << n << ": simulated " << p.power << " (MC SE " << p.mc_se << "), exact " << exact);
    CHECK(std::fabs(p.power - exact) < 3 * p.mc_se);
  }
}

TEST_CASE("design: the simulated sample size matches the closed form", "[design][statistical]") {
  const Scenario s = test::load_shipped("scenarios/validation/reference_ancova.yaml");
  SampleSizeSearch opt;
  opt.target = 0.9;
  opt.trials = test::full_mode() ? 20000 : 2000;
  opt.max_trials = test::full_mode() ? 320000 : 8000;
  const SampleSizeResult r = find_sample_size(s, opt);
  const double exact = stats::solve_n(reference_inputs(), 0.9).n_total_exact;
  INFO("simulated crossing " << r.n_total_exact << ", chosen " << r.n_total << ", closed form " << exact);
  REQUIRE(r.reached);
  CHECK(std::fabs(r.n_total_exact - exact) / exact < (test::full_mode() ? 0.03 : 0.08));
  CHECK(static_cast<double>(r.n_total) >= std::floor(r.n_total_exact));
  CHECK(r.power - 1.6448536269514722 * r.power_mc_se >= 0.9 - 1e-12);  // the chosen N's lower bound meets the target
  CHECK(r.confidence >= 0.95);
  CHECK(r.n_per_arm[0] + r.n_per_arm[1] == r.n_total);
  // The curve rises with N (common random numbers keep it smooth).
  for (std::size_t i = 1; i < r.curve.size(); ++i)
    CHECK(r.curve[i].power >= r.curve[i - 1].power - 3 * r.curve[i].mc_se);
}

TEST_CASE("design: searches that cannot succeed say so", "[design][errors]") {
  Scenario s = test::load_shipped("scenarios/validation/reference_ancova.yaml");
  SampleSizeSearch opt;
  opt.target = 0.9;
  opt.trials = 500;
  SECTION("target outside (alpha, 1)") {
    opt.target = 0.01;
    CHECK_THROWS_AS(find_sample_size(s, opt), Error);
  }
  SECTION("no effect") {
    s.arms[1].effect_by_month = {{12, 0.0}};
    try {
      find_sample_size(s, opt);
      FAIL("no error");
    } catch (const Error& e) {
      CHECK_THAT(std::string(e.what()), Catch::Contains("no sample size reaches"));
    }
  }
  SECTION("not reachable below n_max: best found, not reached") {
    opt.n_max = 60;
    const auto r = find_sample_size(s, opt);
    CHECK_FALSE(r.reached);
    CHECK(r.n_total <= 60);
  }
}

TEST_CASE("design: simulated assurance agrees with numerical integration", "[design][statistical]") {
  Scenario s = test::load_shipped("scenarios/validation/reference_ancova.yaml",
                                  {"arms.treated.effect_prior={distribution: normal, mean: 1.5, sd: 0.6}"});
  s.simulation.trials = test::full_mode() ? 400000 : 30000;
  const auto j = summarise(s, run_trials(s, EngineOptions{}));
  const double simulated = j["assurance"]["estimate"], se = j["assurance"]["mc_se"];
  const double integrated = stats::assurance(reference_inputs(), 200, stats::Prior::normal(1.5, 0.6));
  INFO("simulated " << simulated << " (MC SE " << se << "), integrated " << integrated);
  CHECK(std::fabs(simulated - integrated) < 3 * se);
  CHECK(integrated < stats::power(reference_inputs(), 200));  // uncertainty costs probability of success here
  // Bias and coverage are judged against each trial's own drawn effect.
  CHECK(std::fabs(j["estimate"]["bias"].get<double>()) < 3 * j["estimate"]["bias_mc_se"].get<double>());
  CHECK(std::fabs(j["estimate"]["coverage"].get<double>() - 0.95) < 3 * j["estimate"]["coverage_mc_se"].get<double>());
}
