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

void AccrualModel::randomisation_months(Engine& g, const std::uint32_t* screens, std::size_t n, double* month,
                                        std::vector<std::uint32_t>& site_count) const {
  // site_count[0, active) are the randomised counts of the open sites that still recruit.
  site_count.assign(sites_, 0);
  std::size_t opened = 0, active = 0;
  double t = 0;
  auto open_due = [&] {
    while (opened < sites_ && opening_month(opened) <= t) {
      site_count[active++] = 0;
      ++opened;
    }
  };
  open_due();
  for (std::size_t j = 0; j < n; ++j) {
    for (std::uint32_t s = 0; s < screens[j]; ++s) {
      // Exp(1) of cumulative intensity: -log(U) with U in (0, 1].
      double e = -std::log(static_cast<double>((g() >> 11) + 1) * 0x1.0p-53);
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
    }
    month[j] = t;
    if (cap_ > 0) {
      // The child is randomised at one of the active sites, each equally likely.
      const auto k = static_cast<std::size_t>(uniform01(g) * static_cast<double>(active));
      if (++site_count[k] == cap_) site_count[k] = site_count[--active];  // the site is full
    }
  }
}

}  // namespace celltrial
