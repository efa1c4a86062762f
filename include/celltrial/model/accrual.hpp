#pragma once
// Recruitment in calendar time (design.accrual): when each randomised child is randomised.
//
// Sites open at equally spaced months from 0 (the first) to ramp_up_months (the last). Each open
// site screens children as a Poisson process of rate screened_per_site_month; every screened child
// takes its place in time, eligible or not; a site that has randomised cap_per_site children stops.
// The superposed process has rate r a with a active sites. It is simulated child by child: the k
// screened children up to and including the next eligible one arrive after Gamma(k, 1) units of the
// integrated rate (a sum of k Exp(1)), which may span site openings; no site fills in between,
// because only a randomised child fills one. The child is randomised at a site drawn uniformly
// among the active ones (the sites are exchangeable); only the cap needs to know which.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "celltrial/core/random.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

class AccrualModel {
 public:
  /// `a` must be modelled (a.sites > 0) and valid (scenario validation).
  explicit AccrualModel(const Accrual& a);

  /// The month (from the first site's opening) at which each of n children is randomised, in
  /// order: child j is the last of screens[j] >= 1 screened children, the ones before it screen
  /// failures. Draws from `g` only; `site_count` is workspace.
  void randomisation_months(Engine& g, const std::uint32_t* screens, std::size_t n, double* month,
                            std::vector<std::uint32_t>& site_count) const;

  /// The recruitment's state between two randomisations: the month of the last event, the sites
  /// opened, and the randomised counts of the open sites that still recruit (site_count[0, active)).
  struct State {
    double t = 0;
    std::size_t opened = 0, active = 0;
    std::vector<std::uint32_t> site_count;
  };
  /// The state at month 0 (the first site open).
  void start(State& st) const;
  /// Randomises n more children from st, as randomisation_months (which is start, then advance).
  void advance(Engine& g, State& st, const std::uint32_t* screens, std::size_t n, double* month) const;
  /// Moves the state on to month t (>= st.t) with no child randomised in between, opening the sites
  /// due. Screening is a Poisson process, so the children screened after t do not depend on those
  /// before: recruitment may go on from t with draws of another stream and other screens.
  void skip_to(State& st, double t) const;

  /// The month at which site k (0-based) opens.
  double opening_month(std::size_t k) const;
  /// Expected children screened by month t without a cap: r * sum_k max(0, t - opening_month(k)).
  double expected_screened_by(double t) const;

 private:
  std::size_t sites_;
  double step_;   ///< months between two openings
  double rate_;   ///< children screened per open site per month
  std::uint32_t cap_;  ///< 0: none
};

}  // namespace celltrial
