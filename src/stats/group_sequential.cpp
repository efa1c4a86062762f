// Group-sequential boundaries by recursive numerical integration.
//
// Following Jennison & Turnbull (2000, §19.2), the sub-density of Z_k on the continuation region
// (a_k, b_k), h_k(z) = d/dz P(Z_1 in C_1, ..., Z_{k−1} in C_{k−1}, Z_k <= z), satisfies
//   h_1(z) = φ(z − drift sqrt(t_1)),
//   h_k(z) = ∫_{C_{k−1}} h_{k−1}(u) (sqrt(t_k)/sqrt(Δ_k)) φ((z sqrt(t_k) − u sqrt(t_{k−1}) −
//            drift Δ_k) / sqrt(Δ_k)) du,     Δ_k = t_k − t_{k−1},
// and the probability of leaving upwards at look k is
//   ∫_{C_{k−1}} h_{k−1}(u) (1 − Φ((b_k sqrt(t_k) − u sqrt(t_{k−1}) − drift Δ_k) / sqrt(Δ_k))) du.
// Integrals use Simpson's rule on J&T's grid: 6r − 1 points around the mean drift sqrt(t_k),
// evenly spaced within ±3 and spreading logarithmically out to ±(3 + 4 ln r), cut at the
// boundaries (which become grid points), with midpoints added.
//
// Futility bounds by beta spending (one-sided): for a trial drift, look by look, the critical value
// c_k spends its alpha under the null hypothesis (with the futility bounds so far as lower
// boundaries when they are binding) and the futility bound f_k stops the beta allotted to look k
// at that drift; the drift is then found where f_K = c_K (rpact's getDesignGroupSequential with
// typeBetaSpending, Wassmer & Brannath 2016, §3.4).
#include "celltrial/stats/group_sequential.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <string>

#include "gs_recursion.hpp"
#include "numerics.hpp"

namespace celltrial::stats {

using detail::fail;
using detail::norm_cdf;
using detail::norm_isf;
using detail::norm_pdf;
using detail::norm_sf;
using detail::num;
using detail::solve_increasing;
using detail::Recursion;

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();


/// The lower boundary of look k: −c_k (two-sided), the futility bound, or none.
double lower_bound(const std::vector<double>& c, const std::vector<double>& f, int sides,
                   std::size_t k) {
  if (sides == 2) return -c[k];
  return f.empty() ? -inf : f[k];
}

/// The root of an increasing function of the drift, f(lo) < 0: widens [lo, hi] by half until
/// f(hi) >= 0 (`what` names the caller in the internal error when no drift up to 100 will do).
double solve_drift(const std::function<double(double)>& f, double lo, double f_lo, double hi,
                   double rel_tol, const char* what) {
  double f_hi = f(hi);
  while (f_hi < 0.0) {
    lo = hi;
    f_lo = f_hi;
    hi *= 1.5;
    if (hi > 100.0) throw Error(ExitCode::software, std::string(what) + ": no drift found");
    f_hi = f(hi);
  }
  return solve_increasing(f, lo, hi, f_lo, f_hi, rel_tol);
}

/// Exit probabilities for given critical values and futility bounds (empty for none).
ExitProbabilities run(const std::vector<double>& t, const std::vector<double>& c,
                      const std::vector<double>& f, int sides, double drift, int r) {
  ExitProbabilities e;
  Recursion rec(t, drift, r);
  double reach = 1.0;  // probability of reaching look k
  e.expected_information_fraction = 0.0;
  for (std::size_t k = 0; k < t.size(); ++k) {
    const double a = lower_bound(c, f, sides, k);
    const auto [up, lo] = rec.crossing(a, c[k]);
    const bool lower_rejects = sides == 2;
    e.upper.push_back(up);
    e.lower.push_back(lower_rejects ? lo : 0.0);
    e.futility.push_back(lower_rejects ? 0.0 : lo);
    e.upper_total += up;
    e.total += up + (lower_rejects ? lo : 0.0);
    if (k + 1 < t.size()) {
      e.expected_information_fraction += t[k] * (up + lo);
      reach -= up + lo;
      rec.advance(a, c[k]);
    }
  }
  e.expected_information_fraction += reach * t.back();
  return e;
}

std::vector<double> fractions_of(const GroupSequentialOptions& o) {
  std::vector<double> t = o.information_fractions;
  if (t.empty()) {
    if (o.looks == 0)
      fail("--looks", "is not given, or is 0.",
           "give the number of analyses including the final one, e.g. --looks 3, or their "
           "information fractions.");
    if (o.looks < 1 || o.looks > 100)
      fail("--looks", "is " + std::to_string(o.looks) + ".",
           "give between 1 and 100 analyses (including the final one).");
    for (int k = 1; k <= o.looks; ++k) t.push_back(static_cast<double>(k) / o.looks);
    return t;
  }
  if (o.looks != 0 && o.looks != static_cast<int>(t.size()))
    fail("--looks",
         "is " + std::to_string(o.looks) + " but " + std::to_string(t.size()) +
             " information fractions are given.",
         "give one information fraction per look, or leave the fractions out.");
  if (t.size() > 100) fail("--information", "has more than 100 looks.", "use at most 100.");
  for (std::size_t k = 0; k < t.size(); ++k) {
    if (!(t[k] > 0.0 && t[k] <= 1.0) || (k > 0 && !(t[k] > t[k - 1])))
      fail("--information",
           "must increase strictly within (0, 1]; entry " + std::to_string(k + 1) + " is " +
               num(t[k]) + ".",
           "list the fractions of the final information at each look, e.g. 0.5,1.");
    if (k > 0 && t[k] - t[k - 1] < 1e-4 - 1e-12)
      fail("--information",
           "looks " + std::to_string(k) + " and " + std::to_string(k + 1) + " are only " +
               num(t[k] - t[k - 1]) + " of the information apart.",
           "merge looks closer than 0.0001 of the final information.");
  }
  if (std::fabs(t.back() - 1.0) > 1e-9)
    fail("--information", "ends at " + num(t.back()) + " instead of 1.",
         "the last look is the final analysis at fraction 1.");
  t.back() = 1.0;
  return t;
}

const char* spending_name(Spending s) {
  for (const auto& f : kSpendingFamilies)
    if (f.kind == s) return f.name;
  return "?";
}

/// A family's parameter value, checked against its range.
void check_parameter(const FamilyParameter& p, double value, const std::string& option,
                     const std::string& family) {
  if (!(value >= p.min && value <= p.max))
    fail(option,
         "the " + family + " " + p.name + " is " + num(value) + ", outside [" + num(p.min) + ", " +
             num(p.max) + "].",
         "give a value in that range, or leave " + option + " out for the default " +
             num(p.default_value) + ".");
}

/// The parameter of a spending function: `value`, or the family's default when it is NaN.
double spending_parameter(Spending s, double value, ParameterOf what) {
  const FamilyParameter& p = parameter_of(s);
  if (p.name == nullptr) return 0.0;
  if (std::isnan(value)) return p.default_value;
  if (what == ParameterOf::beta_spending) check_parameter(p, value, "--beta-parameter", spending_name(s) + std::string(" beta spending"));
  else check_parameter(p, value, "--parameter", std::string(kSpendingPrefix) + spending_name(s));
  return value;
}

/// Fraction of `total` that a spending function has spent by information fraction t (one side).
double spent(Spending spending, double total, double t, double parameter) {
  if (t <= 0.0) return 0.0;
  double side = 0.0;
  switch (spending) {
    case Spending::lan_demets_obrien_fleming:
      side = 2.0 * norm_sf(norm_isf(0.5 * total) / std::sqrt(t));
      break;
    case Spending::lan_demets_pocock:
      side = total * std::log1p((std::exp(1.0) - 1.0) * t);
      break;
    case Spending::hwang_shih_decani:
      side = parameter == 0.0 ? total * t
                              : total * std::expm1(-parameter * t) / std::expm1(-parameter);
      break;
    case Spending::kim_demets:
      side = total * std::pow(t, parameter);
      break;
  }
  return std::min(total, side);
}

void check_alpha(double alpha) {
  if (!(alpha > 0.0 && alpha < 0.5))
    fail("--alpha", "is " + num(alpha) + "; it must be in (0, 0.5).",
         "give the overall type I error, e.g. 0.025 one-sided or 0.05 two-sided.");
}

void check_options(const GroupSequentialOptions& o) {
  if (o.sides != 1 && o.sides != 2)
    fail("--sides", "is " + std::to_string(o.sides) + ".", "use 1 or 2.");
  check_alpha(o.alpha);
  if (o.grid_r < 8 || o.grid_r > 400)
    fail("--grid-r", "is " + std::to_string(o.grid_r) + ".", "use between 8 and 400 (32 is plenty).");
  if (o.boundary == Boundary::spending && o.spending == Spending::hwang_shih_decani)
    spending_parameter(o.spending, o.hsd_gamma, ParameterOf::boundary);
  if (o.boundary == Boundary::spending && o.spending == Spending::kim_demets)
    spending_parameter(o.spending, o.kd_rho, ParameterOf::boundary);
  if (o.boundary == Boundary::wang_tsiatis)
    check_parameter(parameter_of(o.boundary), o.wang_tsiatis_delta, "--parameter", "wang-tsiatis");
  if (o.boundary == Boundary::haybittle_peto)
    check_parameter(parameter_of(o.boundary), o.haybittle_peto_interim, "--parameter",
                    "haybittle-peto");
  if (!o.binding_futility_bounds.empty()) {
    if (o.futility != Futility::none)
      fail("--futility-bounds", "binding futility bounds are given and derived by beta spending at once.",
           "give either the bounds or a beta-spending function.");
    if (o.sides != 1)
      fail("--futility-bounds", "futility bounds go with one-sided designs only.",
           "use --sides 1 with half the two-sided alpha, e.g. --alpha 0.025.");
    if (o.boundary == Boundary::unadjusted)
      fail("--futility-bounds", "binding futility bounds need an adjusted boundary.", "choose a boundary family.");
    for (double f : o.binding_futility_bounds)
      if (std::isnan(f) || f == inf)
        fail("--futility-bounds", "contains " + num(f) + ".", "give Z values, or -infinity for no futility stop.");
  }
  if (o.futility == Futility::none) {
    if (!std::isnan(o.futility_drift))
      fail("--drift", "applies to futility bounds by beta spending.", "add --beta-spending or leave --drift out.");
    return;
  }
  if (!std::isnan(o.futility_drift) && !(o.futility_drift > 0.0 && std::isfinite(o.futility_drift)))
    fail("--drift", "is " + num(o.futility_drift) + "; it must be positive.",
         "give the expected final Z under the planned effect, e.g. 3.");
  if (o.boundary != Boundary::spending)
    fail("--beta-spending", "futility bounds by beta spending go with an alpha-spending boundary.",
         "use a spending-* boundary, e.g. --boundary spending-obrien-fleming (as rpact does).");
  if (o.sides != 1)
    fail("--beta-spending",
         "futility bounds are computed for one-sided designs only (rpact calls its two-sided beta "
         "spending experimental).",
         "use --sides 1 with half the two-sided alpha, e.g. --alpha 0.025.");
  if (!(o.beta > 0.0 && o.beta < 0.5))
    fail("--beta", "is " + num(o.beta) + "; it must be in (0, 0.5).",
         "give the type II error at the design's effect, e.g. 0.2 for power 0.8.");
  spending_parameter(o.beta_spending, o.beta_parameter, ParameterOf::beta_spending);
}

/// Solves for the constant C of a boundary shape c_k = C * shape_k with overall level alpha.
/// `lower`: binding futility bounds under the null hypothesis (empty for none; one-sided).
std::vector<double> constant_boundary(const std::vector<double>& t, const std::vector<double>& shape,
                                      double alpha, int sides, int r, const std::vector<double>& lower = {}) {
  auto bounds = [&](double C) {
    std::vector<double> c(shape.size());
    for (std::size_t k = 0; k < c.size(); ++k) c[k] = C * shape[k];
    return c;
  };
  std::vector<double> f_lower;
  if (!lower.empty()) {
    f_lower = lower;
    f_lower.resize(t.size(), -inf);
  }
  auto f = [&](double C) { return alpha - run(t, bounds(C), f_lower, sides, 0.0, r).total; };  // increasing
  // At C = 0 the first look alone rejects with probability >= 1/2 >= alpha per side; widen the
  // upper end until the level drops below alpha.
  double lo = 0.0;
  double f_lo = f(lo);
  double hi = 1.0, f_hi = f(hi);
  while (f_hi < 0.0) {
    lo = hi;
    f_lo = f_hi;
    hi *= 2.0;
    f_hi = f(hi);
    if (hi > 1e3) throw Error(ExitCode::software, "group sequential: no boundary constant found");
  }
  if (f_lo >= 0.0)
    fail("--alpha", "is too large for this boundary shape.", "use a conventional level such as 0.025.");
  return bounds(solve_increasing(f, lo, hi, f_lo, f_hi, 1e-14));
}

/// The critical value of the recursion's current look that rejects with probability `increment`
/// (both sides), given continuation so far; +infinity when there is nothing to spend, nothing when
/// the whole remaining rejection region holds less than `increment`.
std::optional<double> try_efficacy_bound(const Recursion& rec, double increment, int sides) {
  if (!(increment > 0.0)) return inf;
  auto f = [&](double b) {  // increasing in b
    const auto [up, lo] = rec.crossing(sides == 2 ? -b : -inf, b);
    return increment - (up + (sides == 2 ? lo : 0.0));
  };
  const double lo = sides == 2 ? 0.0 : -40.0, hi = 40.0;
  const double f_lo = f(lo), f_hi = f(hi);
  if (f_lo >= 0.0) return std::nullopt;
  // Less than the mass beyond 40 SDs to spend: this look effectively spends nothing.
  return f_hi <= 0.0 ? inf : solve_increasing(f, lo, hi, f_lo, f_hi, 1e-14);
}

double efficacy_bound(const Recursion& rec, double increment, int sides, std::size_t k) {
  const auto c = try_efficacy_bound(rec, increment, sides);
  if (!c)
    fail("--alpha",
         "cannot spend " + num(increment) + " at look " + std::to_string(k + 1) +
             ": the whole remaining rejection region holds less.",
         "use a smaller alpha or a different spending function.");
  return *c;
}

/// The futility bound of the current look that stops `increment` below it (at the recursion's
/// drift), given continuation so far; nothing when even everything below the critical value c
/// holds less.
std::optional<double> futility_bound(const Recursion& rec, double increment, double c) {
  auto g = [&](double a) { return rec.crossing(a, inf).second - increment; };  // increasing in a
  const double lo = -40.0, hi = std::min(c, 40.0);
  const double g_lo = g(lo), g_hi = g(hi);
  if (g_hi < 0.0) return std::nullopt;
  if (g_lo >= 0.0) return lo;
  return solve_increasing(g, lo, hi, g_lo, g_hi, 1e-14);
}

/// The parameter of the alpha-spending function (gamma or rho; ignored by the others).
double alpha_parameter(const GroupSequentialOptions& o) {
  return o.spending == Spending::kim_demets ? o.kd_rho : o.hsd_gamma;
}

/// The lower boundary of look k under the null hypothesis while the efficacy bounds are found:
/// −c (two-sided), a given binding futility bound (interim looks), or none.
double null_lower(const GroupSequentialOptions& o, double c, std::size_t k) {
  if (o.sides == 2) return -c;
  return k < o.binding_futility_bounds.size() ? o.binding_futility_bounds[k] : -inf;
}

/// Efficacy spending look by look (Boundary::spending and haybittle_peto), with given binding
/// futility bounds as lower boundaries.
std::vector<double> spending_bounds(const GroupSequentialOptions& o, const std::vector<double>& t) {
  const std::size_t K = t.size();
  const int sides = o.sides;
  std::vector<double> c(K);
  Recursion rec(t, 0.0, o.grid_r);
  double spent_so_far = 0.0;
  for (std::size_t k = 0; k < K; ++k) {
    if (o.boundary == Boundary::haybittle_peto && k + 1 < K) {
      c[k] = o.haybittle_peto_interim;
    } else {
      const double target = o.boundary == Boundary::spending && k + 1 < K
                                ? alpha_spent(o.spending, o.alpha, sides, t[k], alpha_parameter(o))
                                : o.alpha;
      const double increment = target - spent_so_far;
      if (o.boundary == Boundary::haybittle_peto && !(increment > 0.0))
        fail("--parameter",
             "the interim boundaries " + num(o.haybittle_peto_interim) + " already spend " +
                 num(spent_so_far) + ", which is not below alpha = " + num(o.alpha) + ".",
             "use a larger interim critical value, typically 3.");
      c[k] = efficacy_bound(rec, increment, sides, k);
    }
    const double a = null_lower(o, c[k], k);
    const auto [up, lo] = rec.crossing(a, c[k]);
    spent_so_far += up + (sides == 2 ? lo : 0.0);
    if (k + 1 < K) rec.advance(a, c[k]);
  }
  return c;
}

/// One pass of the beta-spending construction at a trial drift: the bounds up to the last look
/// (f_K = c_K by construction) and how much of beta the last look leaves unspent then.
struct FutilityPass {
  std::vector<double> c, f;
  /// 1-based look where the drift proved too large (an interim futility bound would exceed c_k, or
  /// binding bounds leave too little to reject); 0 if none.
  std::size_t overshoot = 0;
  double unspent = 0.0;       ///< beta − P(stop for futility by look K) with f_K = c_K
};

FutilityPass futility_pass(const GroupSequentialOptions& o, const std::vector<double>& t,
                           const std::vector<double>& nonbinding_c, double drift) {
  const std::size_t K = t.size();
  const bool binding = o.futility == Futility::binding;
  const double beta_parameter = spending_parameter(o.beta_spending, o.beta_parameter, ParameterOf::beta_spending);
  FutilityPass p;
  p.c = nonbinding_c;
  p.f.assign(K, -inf);
  Recursion h0(t, 0.0, o.grid_r), h1(t, drift, o.grid_r);
  double alpha_so_far = 0.0, beta_so_far = 0.0;
  for (std::size_t k = 0; k < K; ++k) {
    if (binding) {
      const double target = k + 1 < K ? alpha_spent(o.spending, o.alpha, 1, t[k], alpha_parameter(o)) : o.alpha;
      const auto ck = try_efficacy_bound(h0, target - alpha_so_far, 1);
      if (!ck) {  // binding futility bounds so high that too little is left to reject under H0
        p.overshoot = k + 1;
        return p;
      }
      p.c[k] = *ck;
      alpha_so_far += h0.crossing(-inf, p.c[k]).first;
    }
    if (k + 1 == K) {
      p.f[k] = p.c[k];
      p.unspent = o.beta - beta_so_far - h1.crossing(p.c[k], inf).second;
      return p;
    }
    const double beta_target = spent(o.beta_spending, o.beta, t[k], beta_parameter);
    const auto fk = futility_bound(h1, beta_target - beta_so_far, p.c[k]);
    if (!fk) {
      p.overshoot = k + 1;
      return p;
    }
    p.f[k] = *fk;
    beta_so_far += h1.crossing(p.f[k], inf).second;
    h1.advance(p.f[k], p.c[k]);
    if (binding) h0.advance(p.f[k], p.c[k]);
  }
  return p;
}

/// Efficacy and futility bounds by alpha and beta spending, and the drift where they meet.
void beta_spending_design(const GroupSequentialOptions& o, const std::vector<double>& t,
                          GroupSequentialDesign& d) {
  const std::vector<double> nonbinding_c =
      o.futility == Futility::binding ? std::vector<double>(t.size(), inf) : spending_bounds(o, t);
  FutilityPass pass;
  // The beta left for the last look beyond what lies below c_K rises with the drift (f_K would
  // exceed c_K beyond the root); a futility bound meeting an efficacy bound at an interim look
  // counts as positive (the drift is too large).
  auto g = [&](double drift) {
    pass = futility_pass(o, t, nonbinding_c, drift);
    return pass.overshoot ? 1.0 : pass.unspent;
  };
  double drift = o.futility_drift;
  GroupSequentialOptions ob = o;  // with the beta solved for a given drift
  if (std::isnan(drift)) {
    const double g_0 = g(0.0);
    if (!(g_0 < 0.0))
      fail("--beta", "is " + num(o.beta) + ": the futility bounds meet the efficacy bounds with no effect.",
           "give a smaller beta (e.g. 0.2).");
    drift = solve_drift(g, 0.0, g_0, norm_isf(o.alpha) + norm_isf(o.beta), 1e-14, "beta spending");
    g(drift);
  } else {
    // The beta left unspent at the given drift rises with beta (a larger beta stops more for
    // futility at the interim looks, but less than it adds); an interim overshoot counts as positive.
    auto h = [&](double beta) {
      ob.beta = beta;
      pass = futility_pass(ob, t, nonbinding_c, drift);
      return pass.overshoot ? 1.0 : pass.unspent;
    };
    const double lo = 1e-6, hi = 0.5 - 1e-9;
    const double h_lo = h(lo), h_hi = h(hi);
    if (!(h_hi >= 0.0))
      fail("--drift",
           "is " + num(drift) + ": the design's power there is below 0.5 even with beta 0.5 (beta spending needs "
           "beta < 0.5).",
           "plan for a larger effect or more information (a drift of at least about " +
               num(norm_isf(o.alpha)) + ").");
    if (!(h_lo < 0.0))
      fail("--drift", "is " + num(drift) + ": the power there exceeds 1 - 1e-6.", "plan for a smaller effect.");
    h(solve_increasing(h, lo, hi, h_lo, h_hi, 1e-14));
  }
  if (pass.overshoot || std::fabs(pass.unspent) > 1e-9)
    fail("--beta-spending",
         "the " + std::string(spending_name(o.beta_spending)) + " beta spending stops so much for "
             "futility by look " + std::to_string(pass.overshoot ? pass.overshoot : t.size()) +
             " that its futility bound would lie above the efficacy bound there.",
         "spend beta later (e.g. --beta-spending obrien-fleming), give a smaller --beta, or move the "
         "early looks later.");
  d.critical_values = pass.c;
  d.futility_bounds = pass.f;
  d.drift = drift;
  d.beta = std::isnan(o.futility_drift) ? o.beta : ob.beta;
  const ExitProbabilities e = run(t, pass.c, pass.f, 1, drift, o.grid_r);
  double cum = 0.0;
  for (double b : e.futility) d.cumulative_beta.push_back(cum += b);
}

}  // namespace

std::vector<std::string> boundary_names() {
  std::vector<std::string> names;
  for (const auto& f : kClassicalFamilies) names.emplace_back(f.name);
  for (const auto& f : kSpendingFamilies) names.push_back(std::string(kSpendingPrefix) + f.name);
  return names;
}

std::vector<std::string> spending_names() {
  std::vector<std::string> names;
  for (const auto& f : kSpendingFamilies) names.emplace_back(f.name);
  return names;
}

std::string parameter_summary(ParameterOf which) {
  std::string list;
  auto add = [&](const std::string& name, const FamilyParameter& p) {
    if (p.name == nullptr) return;
    list += (list.empty() ? "" : ", ") + name + " (" + p.name + ", default " + num(p.default_value) +
            (std::isinf(p.max) ? ", at least " + num(p.min) : ", in [" + num(p.min) + ", " + num(p.max) + "]") + ")";
  };
  if (which == ParameterOf::boundary)
    for (const auto& f : kClassicalFamilies) add(f.name, f.parameter);
  for (const auto& f : kSpendingFamilies)
    add((which == ParameterOf::boundary ? std::string(kSpendingPrefix) : std::string()) + f.name, f.parameter);
  return list;
}

double alpha_spent(Spending spending, double alpha, int sides, double t, double parameter) {
  if (!(t >= 0.0 && t <= 1.0))
    fail("--information", "spending is evaluated at " + num(t) + ", outside [0, 1].",
         "use information fractions in (0, 1].");
  if (sides != 1 && sides != 2) fail("--sides", "is " + std::to_string(sides) + ".", "use 1 or 2.");
  check_alpha(alpha);
  const double p = spending_parameter(spending, parameter, ParameterOf::boundary);
  return spent(spending, alpha / sides, t, p) * sides;
}

std::vector<double> critical_values(const GroupSequentialOptions& o) {
  if (o.boundary != Boundary::spending || o.futility != Futility::none || !o.binding_futility_bounds.empty())
    return design_group_sequential(o).critical_values;
  check_options(o);
  return spending_bounds(o, fractions_of(o));
}

GroupSequentialDesign design_group_sequential(const GroupSequentialOptions& o) {
  check_options(o);
  const std::vector<double> t = fractions_of(o);
  const std::size_t K = t.size();
  const int sides = o.sides, r = o.grid_r;
  GroupSequentialDesign d;
  d.information_fractions = t;
  d.alpha = o.alpha;
  d.sides = sides;
  d.grid_r = r;
  d.futility = o.futility;

  if (!o.binding_futility_bounds.empty() && o.binding_futility_bounds.size() + 1 != K)
    fail("--futility-bounds",
         "has " + std::to_string(o.binding_futility_bounds.size()) + " entries for " + std::to_string(K - 1) +
             " interim looks.",
         "give one bound per interim look (none for the final analysis).");
  std::vector<double> c(K, norm_isf(o.alpha / sides));
  switch (o.boundary) {
    case Boundary::unadjusted:
      break;
    case Boundary::obrien_fleming:
    case Boundary::pocock:
    case Boundary::wang_tsiatis: {
      const double delta = o.boundary == Boundary::obrien_fleming ? 0.0
                           : o.boundary == Boundary::pocock       ? 0.5
                                                                  : o.wang_tsiatis_delta;
      std::vector<double> shape(K);
      for (std::size_t k = 0; k < K; ++k) shape[k] = std::pow(t[k], delta - 0.5);
      c = constant_boundary(t, shape, o.alpha, sides, r, o.binding_futility_bounds);
      break;
    }
    case Boundary::haybittle_peto:
    case Boundary::spending:
      if (o.futility == Futility::none) c = spending_bounds(o, t);
      break;
  }
  if (o.futility != Futility::none) {
    beta_spending_design(o, t, d);
    c = d.critical_values;
  }
  if (!o.binding_futility_bounds.empty()) {
    for (std::size_t k = 0; k + 1 < K; ++k)
      if (!(o.binding_futility_bounds[k] < c[k]))
        fail("--futility-bounds",
             "look " + std::to_string(k + 1) + " has futility bound " + num(o.binding_futility_bounds[k]) +
                 ", not below its efficacy bound " + num(c[k]) + ".",
             "lower the futility bound below the efficacy bound.");
    d.futility = Futility::binding;
    d.futility_bounds = o.binding_futility_bounds;
    d.futility_bounds.push_back(c[K - 1]);
  }
  d.critical_values = c;
  const std::vector<double> none;
  const ExitProbabilities e =
      run(t, c, d.futility == Futility::binding ? d.futility_bounds : none, sides, 0.0, r);
  double cum = 0.0;
  for (std::size_t k = 0; k < K; ++k) {
    cum += e.upper[k] + e.lower[k];
    d.cumulative_alpha.push_back(cum);
    d.nominal_alpha.push_back(c[k] == inf ? 0.0 : sides * norm_sf(c[k]));
  }
  return d;
}

namespace {

/// A design may be built by hand (e.g. custom critical values); check it is usable. Its fields have
/// no command-line option: the messages name the field.
void check_design(const GroupSequentialDesign& d) {
  GroupSequentialOptions o;
  o.information_fractions = d.information_fractions;
  o.alpha = d.alpha;
  o.sides = d.sides;
  o.grid_r = d.grid_r;
  check_options(o);
  if (d.information_fractions.empty())
    fail("--information", "the design has no looks.", "give at least one look.");
  fractions_of(o);
  if (d.critical_values.size() != d.information_fractions.size())
    fail("critical_values",
         "has " + std::to_string(d.critical_values.size()) + " entries for " +
             std::to_string(d.information_fractions.size()) + " looks.",
         "give one critical value per look.");
  for (double c : d.critical_values)
    if (std::isnan(c) || (d.sides == 2 && c < 0.0))
      fail("critical_values", "contains " + num(c) + ".",
           "give critical values on the Z scale (non-negative for two-sided designs).");
  if (d.futility_bounds.empty()) return;
  if (d.sides != 1 || d.futility_bounds.size() != d.critical_values.size())
    fail("--futility-bounds", "has " + std::to_string(d.futility_bounds.size()) + " entries.",
         "give one futility bound per look, for one-sided designs only.");
  for (std::size_t k = 0; k < d.futility_bounds.size(); ++k)
    if (std::isnan(d.futility_bounds[k]) || d.futility_bounds[k] > d.critical_values[k])
      fail("--futility-bounds",
           "look " + std::to_string(k + 1) + " has futility bound " + num(d.futility_bounds[k]) +
               " above its critical value " + num(d.critical_values[k]) + ".",
           "futility bounds must not exceed the efficacy bounds.");
}

}  // namespace

ExitProbabilities exit_probabilities(const GroupSequentialDesign& d, double drift) {
  check_design(d);
  if (!std::isfinite(drift)) fail("--drift", "is not finite.", "give the expected final Z statistic.");
  return run(d.information_fractions, d.critical_values, d.futility_bounds, d.sides, drift, d.grid_r);
}

double drift_for_power(const GroupSequentialDesign& d, double power) {
  check_design(d);
  const double alpha_side = d.alpha / d.sides;
  if (!(power > alpha_side && power < 1.0))
    fail("--power", "is " + num(power) + ", outside (" + num(alpha_side) + ", 1).",
         "give a target power such as 0.8 or 0.9.");
  auto f = [&](double drift) {
    return run(d.information_fractions, d.critical_values, d.futility_bounds, d.sides, drift,
               d.grid_r)
               .upper_total -
           power;
  };
  const double f_0 = f(0.0);
  if (!(f_0 < 0.0)) throw Error(ExitCode::software, "drift_for_power: power at drift 0 too high");
  return solve_drift(f, 0.0, f_0, norm_isf(alpha_side) + norm_isf(1.0 - power), 1e-12, "drift_for_power");
}

double inflation_factor(const GroupSequentialDesign& d, double power) {
  const double drift = drift_for_power(d, power);
  const double fixed = norm_isf(d.alpha / d.sides) + norm_isf(1.0 - power);
  return (drift / fixed) * (drift / fixed);
}

double repeated_testing_alpha(int looks, double alpha, int sides, int grid_r) {
  GroupSequentialOptions o;
  o.looks = looks;
  o.alpha = alpha;
  o.sides = sides;
  o.boundary = Boundary::unadjusted;
  o.grid_r = grid_r;
  return design_group_sequential(o).cumulative_alpha.back();
}

namespace {

/// The field of GroupSequentialOptions that holds the parameter of the chosen family.
double* parameter_field(GroupSequentialOptions& o) {
  switch (o.boundary) {
    case Boundary::wang_tsiatis:
      return &o.wang_tsiatis_delta;
    case Boundary::haybittle_peto:
      return &o.haybittle_peto_interim;
    case Boundary::spending:
      if (o.spending == Spending::hwang_shih_decani) return &o.hsd_gamma;
      if (o.spending == Spending::kim_demets) return &o.kd_rho;
      return nullptr;
    default:
      return nullptr;
  }
}

std::string choices(const std::vector<std::string>& names) {
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  return list;
}

[[noreturn]] void unknown_name(const std::string& option, const std::string& name,
                               const std::vector<std::string>& names) {
  const std::string guess = closest_match(name, names);
  fail(option, "'" + name + "' is not one of " + choices(names) + ".",
       guess.empty() ? "choose one of them." : "did you mean '" + guess + "'?");
}

}  // namespace

GroupSequentialOptions group_sequential_options(const BoundariesOptions& b) {
  GroupSequentialOptions o;
  o.looks = b.looks;
  o.information_fractions = b.information_fractions;
  o.alpha = b.alpha;
  o.sides = b.sides;
  if (b.boundary.empty())
    fail("--boundary", "is not given.", "choose one of " + choices(boundary_names()) + ".");
  bool found = false;
  for (const auto& f : kClassicalFamilies)
    if (b.boundary == f.name) {
      o.boundary = f.kind;
      found = true;
    }
  for (const auto& f : kSpendingFamilies)
    if (b.boundary == std::string(kSpendingPrefix) + f.name) {
      o.boundary = Boundary::spending;
      o.spending = f.kind;
      found = true;
    }
  if (!found) unknown_name("--boundary", b.boundary, boundary_names());
  if (b.parameter) {
    double* field = parameter_field(o);
    if (field == nullptr)
      fail("--parameter",
           "the " + b.boundary + " boundary takes no parameter (got " + num(*b.parameter) + ").",
           "leave --parameter out; it applies to " + parameter_summary(ParameterOf::boundary) + ".");
    *field = *b.parameter;
  }
  o.binding_futility_bounds = b.binding_futility_bounds;
  if (b.drift) o.futility_drift = *b.drift;
  if (b.drift && b.beta)
    fail("--drift", "and --beta both fix the design's power.", "give one of them.");
  if (b.beta_spending.empty()) {
    const char* stray = b.beta_parameter ? "--beta-parameter"
                        : b.beta         ? "--beta"
                        : b.binding && b.binding_futility_bounds.empty() ? "--binding"
                                                                          : nullptr;
    if (stray != nullptr)
      fail(stray, "applies to futility bounds, which need --beta-spending.",
           "add --beta-spending (" + choices(spending_names()) + ") or leave " + stray + " out.");
  } else {
    found = false;
    for (const auto& f : kSpendingFamilies)
      if (b.beta_spending == f.name) {
        o.beta_spending = f.kind;
        found = true;
      }
    if (!found) unknown_name("--beta-spending", b.beta_spending, spending_names());
    o.futility = b.binding ? Futility::binding : Futility::non_binding;
    if (b.beta) o.beta = *b.beta;
    if (b.beta_parameter) {
      if (parameter_of(o.beta_spending).name == nullptr)
        fail("--beta-parameter",
             "the " + b.beta_spending + " beta spending takes no parameter (got " +
                 num(*b.beta_parameter) + ").",
             "leave --beta-parameter out; it applies to " + parameter_summary(ParameterOf::beta_spending) + ".");
      o.beta_parameter = *b.beta_parameter;
    }
  }
  check_options(o);
  fractions_of(o);
  return o;
}

Boundaries compute_boundaries(const BoundariesOptions& b) {
  GroupSequentialOptions o = group_sequential_options(b);
  Boundaries r;
  r.boundary = b.boundary;
  if (const double* field = parameter_field(o)) r.parameter = *field;
  if (o.futility != Futility::none) {
    r.beta_spending = b.beta_spending;
    if (parameter_of(o.beta_spending).name != nullptr)
      r.beta_parameter = spending_parameter(o.beta_spending, o.beta_parameter, ParameterOf::beta_spending);
  }
  r.design = design_group_sequential(o);
  return r;
}

}  // namespace celltrial::stats
