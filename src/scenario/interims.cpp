#include "celltrial/scenario/interims.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>

namespace celltrial {

stats::BoundariesOptions interim_boundaries_options(const Scenario& s) {
  return interim_boundaries_options_at(s, s.design.interims.information);
}

stats::Boundaries interim_boundaries_at(const Scenario& s, const std::vector<double>& fractions) {
  return stats::compute_boundaries(interim_boundaries_options_at(s, fractions));
}

stats::BoundariesOptions interim_boundaries_options_at(const Scenario& s, const std::vector<double>& fractions) {
  const Interims& in = s.design.interims;
  stats::BoundariesOptions o;
  o.information_fractions = fractions;
  o.information_fractions.push_back(1.0);
  o.looks = static_cast<int>(o.information_fractions.size());
  o.boundary = to_string(in.boundary);
  if (std::isfinite(in.parameter)) o.parameter = in.parameter;
  o.alpha = s.analysis.alpha;
  o.sides = s.analysis.sides;
  if (in.futility == FutilityRule::beta_spending) {
    o.beta_spending = to_string(in.beta_spending);
    if (std::isfinite(in.beta_parameter)) o.beta_parameter = in.beta_parameter;
    o.drift = planned_drift(s);
    o.binding = in.binding;
  } else if (in.futility == FutilityRule::z && in.binding) {
    o.binding_futility_bounds.assign(fractions.size(), in.futility_threshold);
  }
  return o;
}

double planned_drift(const Scenario& s) {
  const Interims& in = s.design.interims;
  double active = 0, total = 0;
  const auto act = s.active_arms();
  for (std::size_t a = 0; a < s.arms.size(); ++a) {
    total += s.arms[a].allocation;
    if (!act.empty() && a == act[0]) active += s.arms[a].allocation;
  }
  // Two arms: the active one and control (validated); a = its share of the allocation.
  const double share = total > 0 ? active / total : 0.5;
  return in.planned_effect / in.planned_sd *
         std::sqrt(static_cast<double>(s.design.sample_size) * share * (1 - share));
}

std::string boundaries_key(const stats::BoundariesOptions& o) {
  std::string k;
  char buf[40];
  auto add = [&](double x) {
    std::snprintf(buf, sizeof buf, "%a,", x);
    k += buf;
  };
  auto add_optional = [&](const std::optional<double>& x) {
    if (x) add(*x);
    else k += "-,";
  };
  k += std::to_string(o.looks) + "|" + o.boundary + "|" + std::to_string(o.sides) + "|" + o.beta_spending + "|" +
       (o.binding ? "b|" : "n|");
  for (double t : o.information_fractions) add(t);
  k += "|";
  add_optional(o.parameter);
  add(o.alpha);
  add_optional(o.beta_parameter);
  add_optional(o.beta);
  add_optional(o.drift);
  k += "|";
  for (double b : o.binding_futility_bounds) add(b);
  return k;
}

stats::Boundaries interim_boundaries(const Scenario& s) {
  // A boundary set costs about as much as thousands of trials, and a run asks for the same one for
  // each batch of trials (and for validation and the summary): computed once per process. The
  // result depends only on the options, so sharing it changes no result.
  static std::mutex mutex;
  static std::map<std::string, stats::Boundaries> computed;
  const stats::BoundariesOptions o = interim_boundaries_options(s);
  const std::string key = boundaries_key(o);
  {
    const std::lock_guard<std::mutex> lock(mutex);
    if (auto it = computed.find(key); it != computed.end()) return it->second;
  }
  stats::Boundaries b = stats::compute_boundaries(o);  // outside the lock; errors propagate uncached
  const std::lock_guard<std::mutex> lock(mutex);
  if (computed.size() >= 256) computed.clear();  // sweeps over many designs: bounded memory
  return computed.emplace(key, std::move(b)).first->second;
}

std::vector<std::int64_t> interim_children(const Scenario& s) {
  std::vector<std::int64_t> m;
  const double n = static_cast<double>(s.design.sample_size);
  // A fraction such as 0.3 of 1000 is 300 (not 301 from 300.00000000000006): round away the last bits.
  for (double t : s.design.interims.information) m.push_back(static_cast<std::int64_t>(std::ceil(t * n * (1 - 1e-12))));
  return m;
}

bool stagewise_ordering_applies(const Scenario& s) {
  const Interims& in = s.design.interims;
  return in.active() && !in.calendar() && !in.reestimation.active() && !in.enrichment.active() &&
         !in.arm_selection.active();
}

std::size_t enrichment_subgroup(const Scenario& s) {
  const auto& gs = s.analysis.subgroups;
  for (std::size_t g = 0; g < gs.size(); ++g)
    if (gs[g].name == s.design.interims.enrichment.subgroup) return g;
  throw Error(ExitCode::software, "the enrichment subgroup '" + s.design.interims.enrichment.subgroup + "' is not declared");
}

Scenario enriched_scenario(const Scenario& s) {
  Scenario e = s;
  const Subgroup& g = s.analysis.subgroups[enrichment_subgroup(s)];
  auto& el = e.population.eligibility;
  if (g.has_age) {
    el.min_age_months = std::max(el.min_age_months, g.age_min_months);
    // The subgroup excludes its upper end, eligibility includes it: the largest age below the end.
    if (g.age_max_months < 1e300)
      el.max_age_months = std::min(el.max_age_months, std::nextafter(g.age_max_months, 0.0));
  }
  if (g.has_gmfcs)
    for (std::size_t l = 0; l < el.gmfcs.size(); ++l) el.gmfcs[l] = el.gmfcs[l] && g.gmfcs[l];
  return e;
}

Scenario selected_scenario(const Scenario& s, unsigned kept) {
  Scenario e = s;
  const auto active = s.active_arms();
  for (std::size_t c = 0; c < active.size(); ++c)
    if (!(kept >> c & 1u)) e.arms[active[c]].allocation = 0;
  return e;
}

}  // namespace celltrial
