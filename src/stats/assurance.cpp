// Assurance: power averaged over a prior on the effect.
//
// Continuous priors are integrated on the standardised scale delta = mean + sd·z, where the
// weight is the standard normal density (renormalised to the truncation interval); the range is
// cut where the remaining normal mass is below ~1e-23.
#include "celltrial/stats/assurance.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/math/quadrature/gauss_kronrod.hpp>

#include "celltrial/core/error.hpp"
#include "numerics.hpp"
#include "power_detail.hpp"

namespace celltrial::stats {

using detail::fail;
using detail::num;

Prior Prior::normal(double mean, double sd) {
  Prior p;
  p.kind = PriorKind::normal;
  p.mean = mean;
  p.sd = sd;
  return p;
}

Prior Prior::truncated_normal(double mean, double sd, double lower, double upper) {
  Prior p = normal(mean, sd);
  p.kind = PriorKind::truncated_normal;
  p.lower = lower;
  p.upper = upper;
  return p;
}

Prior Prior::discrete(std::vector<double> values, std::vector<double> weights) {
  Prior p;
  p.kind = PriorKind::discrete;
  p.values = std::move(values);
  p.weights = std::move(weights);
  return p;
}

namespace {

constexpr double z_cut = 10.0;  // standard normal mass beyond ±10 is 1.5e-23

void check_prior(const Prior& p) {
  if (p.kind == PriorKind::discrete) {
    if (p.values.empty())
      fail("--prior-values", "the discrete prior has no values.", "list at least one effect size.");
    if (p.values.size() != p.weights.size())
      fail("--prior-weights",
           "has " + std::to_string(p.weights.size()) + " entries for " +
               std::to_string(p.values.size()) + " values.",
           "give one weight per value.");
    double sum = 0.0;
    for (std::size_t i = 0; i < p.values.size(); ++i) {
      if (!std::isfinite(p.values[i]))
        fail("--prior-values", "value " + std::to_string(i + 1) + " is not finite.",
             "give finite effect sizes.");
      if (!(p.weights[i] >= 0.0 && std::isfinite(p.weights[i])))
        fail("--prior-weights", "weight " + std::to_string(i + 1) + " is " + num(p.weights[i]) + ".",
             "weights are probabilities: non-negative.");
      sum += p.weights[i];
    }
    if (std::fabs(sum - 1.0) > 1e-6)
      fail("--prior-weights", "sum to " + num(sum) + ".", "make the weights sum to 1.");
    return;
  }
  if (!std::isfinite(p.mean))
    fail("--prior-mean", "is not finite.", "give the prior mean of the effect.");
  if (!(p.sd >= 0.0 && std::isfinite(p.sd)))
    fail("--prior-sd", "is " + num(p.sd) + "; it must be >= 0.",
         "give the prior SD (e.g. the standard error of a published estimate).");
  if (p.kind == PriorKind::truncated_normal) {
    if (std::isnan(p.lower) || std::isnan(p.upper) || !(p.lower < p.upper))
      fail("--prior-lower",
           "the truncation interval [" + num(p.lower) + ", " + num(p.upper) + "] is empty.",
           "give lower < upper.");
    if (p.sd == 0.0 && !(p.mean >= p.lower && p.mean <= p.upper))
      fail("--prior-mean",
           "the point mass at " + num(p.mean) + " lies outside [" + num(p.lower) + ", " +
               num(p.upper) + "].",
           "move the mean inside the truncation interval or give a positive SD.");
  }
}

/// Standard normal mass on [a, b], accurate in the tails.
double normal_mass(double a, double b) {
  if (a >= 0.0) return detail::norm_sf(a) - detail::norm_sf(b);
  if (b <= 0.0) return detail::norm_cdf(b) - detail::norm_cdf(a);
  return 1.0 - detail::norm_cdf(a) - detail::norm_sf(b);
}

/// E[f(mean + sd Z)] for Z standard normal restricted to [a, b].
template <class F>
double normal_expectation(F f, double mean, double sd, double a, double b) {
  if (sd == 0.0) return f(mean);
  const double mass = normal_mass(a, b);
  if (!(mass > 0.0))
    fail("--prior-lower", "the truncation interval holds no prior mass (less than 1e-300).",
         "move the interval closer to the prior mean.");
  // The weight peaks at the point of [a, b] nearest 0; beyond z_cut from it, it is negligible.
  const double c = std::clamp(0.0, a, b);
  const double lo = std::max(a, c - z_cut), hi = std::min(b, c + z_cut);
  auto integrand = [&](double z) { return detail::norm_pdf(z) * f(mean + sd * z); };
  double err = 0.0;
  const double v = boost::math::quadrature::gauss_kronrod<double, 31>::integrate(
      integrand, lo, hi, 15, 1e-10, &err);
  return v / mass;
}

}  // namespace

double assurance(const PowerInputs& inputs, double n_total, const Prior& prior) {
  const auto p = detail::prepare(inputs);
  check_prior(prior);
  const double R = p.allocation;
  const double n_c = n_total / (1.0 + R), n_a = n_total * R / (1.0 + R);
  detail::check_arm_sizes(p, n_c, n_a);
  auto power_at = [&](double delta) { return detail::power_prepared(p, delta, n_c, n_a); };
  double value = 0.0;
  switch (prior.kind) {
    case PriorKind::discrete:
      for (std::size_t i = 0; i < prior.values.size(); ++i)
        if (prior.weights[i] > 0.0) value += prior.weights[i] * power_at(prior.values[i]);
      break;
    case PriorKind::normal:
      value = normal_expectation(power_at, prior.mean, prior.sd, -z_cut, z_cut);
      break;
    case PriorKind::truncated_normal: {
      const double a = prior.sd > 0.0 ? (prior.lower - prior.mean) / prior.sd : -z_cut;
      const double b = prior.sd > 0.0 ? (prior.upper - prior.mean) / prior.sd : z_cut;
      value = normal_expectation(power_at, prior.mean, prior.sd, a, b);
      break;
    }
  }
  return std::clamp(value, 0.0, 1.0);
}

double prior_probability_favourable(const Prior& prior) {
  check_prior(prior);
  switch (prior.kind) {
    case PriorKind::discrete: {
      double s = 0.0;
      for (std::size_t i = 0; i < prior.values.size(); ++i)
        if (prior.values[i] > 0.0) s += prior.weights[i];
      return s;
    }
    case PriorKind::normal:
      if (prior.sd == 0.0) return prior.mean > 0.0 ? 1.0 : 0.0;
      return detail::norm_cdf(prior.mean / prior.sd);
    case PriorKind::truncated_normal: {
      if (prior.sd == 0.0) return prior.mean > 0.0 ? 1.0 : 0.0;
      const double a = (prior.lower - prior.mean) / prior.sd;
      const double b = (prior.upper - prior.mean) / prior.sd;
      const double zero = -prior.mean / prior.sd;
      if (zero >= b) return 0.0;
      return normal_mass(std::max(a, zero), b) / normal_mass(a, b);
    }
  }
  return 0.0;
}

Prior parse_prior(const std::string& text, const std::string& option) {
  const std::string fix = "write normal(1.42,0.56), truncnormal(1.42,0.56,0,inf) or discrete(0:0.2,1.42:0.5,2.5:0.3).";
  auto refuse = [&](const std::string& problem) -> Prior {
    throw Error(ExitCode::usage, Diagnostic{{"command line", 0, 0}, option, problem, fix});
  };
  const auto open = text.find('('), close = text.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) return refuse("cannot read '" + text + "'.");
  const std::string kind = text.substr(0, open);
  std::vector<std::string> parts;
  std::stringstream ss(text.substr(open + 1, close - open - 1));
  for (std::string p; std::getline(ss, p, ',');) parts.push_back(p);
  auto number = [&](const std::string& s) {
    if (s == "inf" || s == "+inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
    try {
      std::size_t used = 0;
      const double v = std::stod(s, &used);
      if (used != s.size()) throw std::invalid_argument(s);
      return v;
    } catch (const std::exception&) {
      refuse("'" + s + "' is not a number.");
    }
    return 0.0;
  };
  if (kind == "normal" && parts.size() == 2) return Prior::normal(number(parts[0]), number(parts[1]));
  if (kind == "truncnormal" && parts.size() == 4)
    return Prior::truncated_normal(number(parts[0]), number(parts[1]), number(parts[2]), number(parts[3]));
  if (kind == "discrete" && !parts.empty()) {
    std::vector<double> v, w;
    for (const auto& p : parts) {
      const auto c = p.find(':');
      if (c == std::string::npos) return refuse("discrete entries are value:weight (got '" + p + "').");
      v.push_back(number(p.substr(0, c)));
      w.push_back(number(p.substr(c + 1)));
    }
    return Prior::discrete(v, w);
  }
  return refuse("unknown prior '" + text + "'.");
}

}  // namespace celltrial::stats
