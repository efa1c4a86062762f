#pragma once
// Private: validated, pre-digested power inputs, shared by power.cpp and assurance.cpp.
#include "celltrial/stats/power.hpp"

namespace celltrial::stats::detail {

/// PowerInputs reduced to what the power formula needs. Built by prepare(), which validates.
struct PreparedPower {
  Test test = Test::t_exact;
  double sd_eff = 1.0;       ///< SD entering the variance of the difference (residual for ANCOVA)
  double phi_control = 1.0;  ///< MMRM variance inflation (1 for the other tests)
  double phi_active = 1.0;
  double alpha = 0.05;
  int sides = 2;
  bool both_tails = true;    ///< count rejections in the unfavourable tail too
  int covariates = 0;        ///< regressors besides the two arm means (0 unless ANCOVA)
  double allocation = 1.0;
  bool t_based = true;       ///< noncentral t (true) or normal (false)
};

/// Validates `inputs` (throws celltrial::Error listing every problem) and digests them.
PreparedPower prepare(const PowerInputs& inputs);

/// Residual degrees of freedom for a trial of n_total participants.
double residual_df(const PreparedPower& p, double n_total);

/// Power for arm sizes (validated by the caller) and a true difference delta.
double power_prepared(const PreparedPower& p, double delta, double n_control, double n_active);

/// Throws unless the arm sizes are usable (both >= 1 and at least one residual degree of freedom).
void check_arm_sizes(const PreparedPower& p, double n_control, double n_active);

}  // namespace celltrial::stats::detail
