#include "celltrial/design/sample_size.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include <boost/math/distributions/normal.hpp>

#include "celltrial/core/error.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/design/summary.hpp"
#include "celltrial/scenario/io.hpp"

namespace celltrial {

namespace {
double z_quantile(double p) { return boost::math::quantile(boost::math::normal_distribution<double>(), p); }

std::int64_t smallest_n(const Scenario& s) {
  return std::max<std::int64_t>(4 * static_cast<std::int64_t>(s.arms.size()), 8);
}
}  // namespace

std::vector<std::int64_t> arm_sizes(const Scenario& s, std::int64_t n) {
  std::vector<std::int64_t> count(s.arms.size(), 0);
  for (std::uint8_t a : fixed_arm_sequence(s, n)) ++count[a];
  return count;
}

PowerCurvePoint simulate_power(const Scenario& base, std::int64_t n, std::uint64_t trials, double confidence,
                               int threads, const std::atomic<bool>* stop) {
  Scenario s = base;
  s.design.sample_size = n;
  s.simulation.trials = trials;
  EngineOptions o;
  o.threads = threads;
  o.stop = stop;
  const Accumulator acc = run_trials(s, o);
  PowerCurvePoint p;
  p.n = n;
  p.trials = trials;
  const double k = static_cast<double>(acc.comparison(0).rejections_favourable);
  const double t = static_cast<double>(acc.trials());
  p.power = k / t;
  p.mc_se = std::sqrt(std::max(p.power * (1 - p.power), 0.25 / t) / t);
  p.lower = p.power - z_quantile(confidence) * p.mc_se;
  const auto ci = wilson95(acc.comparison(0).rejections_favourable, acc.trials());
  p.ci95_low = ci.first;
  p.ci95_high = ci.second;
  return p;
}

SampleSizeResult find_sample_size(const Scenario& with_priors, const SampleSizeSearch& opt) {
  // Conventional power: an arm with a design prior is simulated at the prior's mean.
  const Scenario s = without_priors(with_priors);
  const Location here{"command line", 0, 0};
  if (!(opt.target > s.analysis.alpha && opt.target < 1))
    throw Error(ExitCode::usage, Diagnostic{here, "--target",
                                            "the target power must be between alpha (" + format_number(s.analysis.alpha) +
                                                ") and 1 (got " + format_number(opt.target) + ").",
                                            "e.g. --target 0.9."});
  if (s.design.interims.reestimation.active())
    throw Error(ExitCode::data,
                Diagnostic{s.where("design.interims.sample_size_reestimation"), "design.interims.sample_size_reestimation",
                           "the scenario re-estimates its sample size at an interim look, so a search over "
                           "design.sample_size would move the planned N against a fixed cap.",
                           "simulate the scenario as it is (celltrial simulate, whose power and expected N are those of "
                           "the adaptive design), or remove sample_size_reestimation to size the group-sequential design."});
  if (s.design.interims.enrichment.active())
    throw Error(ExitCode::data,
                Diagnostic{s.where("design.interims.enrichment"), "design.interims.enrichment",
                           "the scenario may restrict enrolment to a subgroup at its interim look, and its claims are "
                           "made in two populations; a search for the N that gives one power would size for the claim "
                           "in everyone alone.",
                           "simulate the scenario at candidate sample sizes (celltrial simulate --set "
                           "design.sample_size=N, or a sweep) and read enrichment.claim, or remove enrichment to size the "
                           "group-sequential design."});
  if (s.design.interims.arm_selection.active())
    throw Error(ExitCode::data,
                Diagnostic{s.where("design.interims.arm_selection"), "design.interims.arm_selection",
                           "the scenario may drop arms at its interim look, and its claims are made for each arm kept; "
                           "a search for the N that gives one power would size for the first arm's claim alone.",
                           "simulate the scenario at candidate sample sizes (celltrial simulate --set "
                           "design.sample_size=N, or a sweep) and read arm_selection.claim, or remove arm_selection to "
                           "size the design."});
  const std::int64_t n_lo_limit = smallest_n(s);
  if (opt.n_max < n_lo_limit)
    throw Error(ExitCode::usage, Diagnostic{here, "--n-max", "the largest sample size must be at least " +
                                                                std::to_string(n_lo_limit) + " for " +
                                                                std::to_string(s.arms.size()) + " arms.",
                                            "raise --n-max."});
  auto log = [&](const std::string& m) {
    if (opt.log) opt.log(m);
  };

  SampleSizeResult res;
  res.delta = true_effects(s)[0];
  const double sign = s.analysis.direction == Direction::greater ? 1.0 : -1.0;
  if (!(sign * res.delta > 0))
    throw Error(ExitCode::data,
                Diagnostic{s.where("arms"), "arms",
                           "the true effect at the primary visit is " + format_number(res.delta) +
                               ", which is not in the direction of benefit, so no sample size reaches the target power.",
                           "give the active arm a positive effect (or set analysis.direction)."});

  // Pilot: the empirical SE at the scenario's own size gives a normal-approximation start.
  Scenario pilot_s = s;
  pilot_s.simulation.trials = std::min<std::uint64_t>(opt.trials, 1000);
  EngineOptions po;
  po.threads = opt.threads;
  po.stop = opt.stop;
  const Accumulator pilot = run_trials(pilot_s, po);
  const double se0 = pilot.comparison(0).estimate.sd();
  const double z = z_quantile(1 - s.analysis.alpha / s.analysis.sides) + z_quantile(opt.target);
  double start = static_cast<double>(s.design.sample_size) * std::pow(se0 * z / std::fabs(res.delta), 2);
  if (!std::isfinite(start)) start = static_cast<double>(s.design.sample_size);
  res.n_start = std::clamp<std::int64_t>(static_cast<std::int64_t>(std::ceil(start)), n_lo_limit, opt.n_max);
  log("normal-approximation start from a " + std::to_string(pilot.trials()) + "-trial pilot: N = " +
      std::to_string(res.n_start));

  std::uint64_t trials = opt.trials;
  std::map<std::int64_t, PowerCurvePoint> round;
  auto eval = [&](std::int64_t n) -> const PowerCurvePoint& {
    auto it = round.find(n);
    if (it == round.end()) {
      it = round.emplace(n, simulate_power(s, n, trials, opt.confidence, opt.threads, opt.stop)).first;
      log("  N = " + std::to_string(n) + ": power " + format_number(std::round(it->second.power * 1e4) / 1e4) +
          " (MC SE " + format_number(std::round(it->second.mc_se * 1e4) / 1e4) + ", " + std::to_string(trials) + " trials)");
    }
    return it->second;
  };
  // Smallest n in [lo, hi] satisfying ok(), assuming monotone; lo fails, hi passes.
  auto bisect = [&](std::int64_t lo, std::int64_t hi, auto ok) {
    while (hi - lo > 1) {
      const std::int64_t mid = lo + (hi - lo) / 2;
      (ok(eval(mid)) ? hi : lo) = mid;
    }
    return hi;
  };
  auto point_ok = [&](const PowerCurvePoint& p) { return p.power >= opt.target; };
  auto bound_ok = [&](const PowerCurvePoint& p) { return p.lower >= opt.target; };

  std::int64_t guess = res.n_start;
  for (;;) {
    round.clear();
    // Bracket the conservative answer (lower bound >= target).
    std::int64_t hi = guess, lo = n_lo_limit - 1;
    while (!bound_ok(eval(hi))) {
      lo = hi;
      if (hi >= opt.n_max) break;
      hi = std::min(opt.n_max, hi * 3 / 2 + 2);
    }
    if (!bound_ok(eval(hi))) {
      // Not reached below n_max: report the best found.
      res.reached = false;
      auto best = std::max_element(round.begin(), round.end(),
                                   [](const auto& a, const auto& b) { return a.second.power < b.second.power; });
      res.n_total = best->first;
      res.trials = trials;
      break;
    }
    if (hi == guess) {
      // Walk down to find a failing size.
      std::int64_t step = std::max<std::int64_t>(2, hi / 8);
      lo = hi - step;
      while (lo >= n_lo_limit && bound_ok(eval(lo))) {
        hi = lo;
        step *= 2;
        lo = hi - step;
      }
      lo = std::max(lo, n_lo_limit - 1);
    }
    res.n_total = lo < n_lo_limit ? n_lo_limit : bisect(lo, hi, bound_ok);
    // The point-estimate crossing, for n_total_exact and to judge whether more trials help.
    std::int64_t plo = n_lo_limit - 1, phi = res.n_total;
    for (const auto& [n, p] : round)
      if (n < res.n_total && !point_ok(p)) plo = std::max(plo, n);
    const std::int64_t n_point = plo < n_lo_limit ? n_lo_limit : bisect(plo, phi, point_ok);
    {
      const auto& a = round.count(n_point - 1) ? round.at(n_point - 1) : eval(n_point - 1 >= n_lo_limit ? n_point - 1 : n_point);
      const auto& b = eval(n_point);
      const double span = b.power - a.power;
      res.n_total_exact = span > 0 && a.n < b.n ? static_cast<double>(a.n) + (opt.target - a.power) / span
                                               : static_cast<double>(n_point);
    }
    res.trials = trials;
    const double gap = static_cast<double>(res.n_total - n_point) / static_cast<double>(n_point);
    log("with " + std::to_string(trials) + " trials per size: N = " + std::to_string(res.n_total) +
        " (point estimate crosses the target at " + std::to_string(n_point) + ")");
    if (gap <= 0.02 || trials * 2 > opt.max_trials) break;
    trials *= 4;
    if (trials > opt.max_trials) trials = opt.max_trials;
    guess = res.n_total;
  }

  const PowerCurvePoint& chosen = eval(res.n_total);
  res.power = chosen.power;
  res.power_mc_se = chosen.mc_se;
  res.confidence = boost::math::cdf(boost::math::normal_distribution<double>(), (chosen.power - opt.target) / chosen.mc_se);
  res.n_per_arm = arm_sizes(s, res.n_total);
  // Points for the plot: the search's own points plus a spread around the answer.
  for (double f : {0.5, 0.7, 0.85, 1.15, 1.3, 1.6}) {
    const auto n = static_cast<std::int64_t>(std::llround(f * static_cast<double>(res.n_total)));
    if (n >= n_lo_limit && n <= opt.n_max) eval(n);
  }
  for (const auto& [n, p] : round) res.curve.push_back(p);
  return res;
}

}  // namespace celltrial
