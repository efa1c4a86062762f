#include "celltrial/model/accrual.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "celltrial/core/error.hpp"

namespace celltrial {

AccrualModel::AccrualModel(const Accrual& a)
    : sites_(static_cast<std::size_t>(a.sites)),
      step_(a.sites > 1 ? a.ramp_up_months / static_cast<double>(a.sites - 1) : 0.0),
      rate_(a.screened_per_site_month),
      cap_(static_cast<std::uint32_t>(std::min<std::int64_t>(a.cap_per_site, std::numeric_limits<std::uint32_t>::max()))) {
  CELLTRIAL_ASSERT(a.sites > 0 && rate_ > 0);
}

double AccrualModel::opening_month(std::size_t k) const { return step_ * static_cast<double>(k); }

double AccrualModel::expected_screened_by(double t) const {
  double open_months = 0;
  for (std::size_t k = 0; k < sites_ && opening_month(k) < t; ++k) open_months += t - opening_month(k);
  return rate_ * open_months;
}

namespace {
// The sum of k independent Exp(1) draws, Gamma(k, 1): minus the log of a product of k uniforms on
// (0, 1], taken in parts so that the product never leaves the normal doubles. One log per about 17
// draws instead of one per draw.
double exponential_sum(Engine& g, std::uint32_t k) {
  double sum = 0, product = 1;
  for (std::uint32_t i = 0; i < k; ++i) {
    product *= static_cast<double>((g() >> 11) + 1) * 0x1.0p-53;
    if (product < 0x1.0p-900) {
      sum -= std::log(product);
      product = 1;
    }
  }
  return sum - std::log(product);
}
}  // namespace

void AccrualModel::start(State& st) const {
  st.site_count.assign(sites_, 0);
  st.opened = st.active = 0;
  st.t = 0;
  skip_to(st, 0);
}

void AccrualModel::skip_to(State& st, double t) const {
  st.t = t;
  while (st.opened < sites_ && opening_month(st.opened) <= st.t) {
    st.site_count[st.active++] = 0;
    ++st.opened;
  }
}

void AccrualModel::randomisation_months(Engine& g, const std::uint32_t* screens, std::size_t n, double* month,
                                        std::vector<std::uint32_t>& site_count) const {
  State st;
  st.site_count = std::move(site_count);
  start(st);
  advance(g, st, screens, n, month);
  site_count = std::move(st.site_count);
}

void AccrualModel::advance(Engine& g, State& st, const std::uint32_t* screens, std::size_t n, double* month) const {
  // st.site_count[0, active) are the randomised counts of the open sites that still recruit.
  std::vector<std::uint32_t>& site_count = st.site_count;
  std::size_t opened = st.opened, active = st.active;
  double t = st.t;
  auto open_due = [&] {
    while (opened < sites_ && opening_month(opened) <= t) {
      site_count[active++] = 0;
      ++opened;
    }
  };
  for (std::size_t j = 0; j < n; ++j) {
    // Child j arrives screens[j] arrivals after child j - 1. Only openings change the rate before
    // it (a site fills only when a child is randomised), so the wait is Gamma(screens[j], 1) units of
    // the integrated rate, walked through the openings it spans.
    double e = exponential_sum(g, screens[j]);
    for (;;) {
      const double rate = rate_ * static_cast<double>(active);
      if (opened < sites_) {
        const double until_open = opening_month(opened) - t;
        if (!(rate * until_open > e)) {  // the next site opens first (or nobody recruits until then)
          e -= rate * until_open;
          t = opening_month(opened);
          open_due();
          continue;
        }
      }
      CELLTRIAL_ASSERT(active > 0);  // validation: sites x cap >= the sample size
      t += e / rate;
      break;
    }
    month[j] = t;
    if (cap_ > 0) {
      // The child is randomised at one of the active sites, each equally likely.
      const auto k = static_cast<std::size_t>(uniform01(g) * static_cast<double>(active));
      if (++site_count[k] == cap_) site_count[k] = site_count[--active];  // the site is full
    }
  }
  st.opened = opened;
  st.active = active;
  st.t = t;
}

}  // namespace celltrial
