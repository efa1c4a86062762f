#pragma once
// The closed-form power table of `celltrial power` without a scenario: for every effect size,
// target power and total N given, the sample size (from a target power), the power (from an N) or
// the detectable difference (from both), with assurance under a prior and, for a group-sequential
// design, its maximum and expected N.
#include <optional>
#include <string>
#include <vector>

#include "celltrial/stats/assurance.hpp"
#include "celltrial/stats/group_sequential.hpp"
#include "celltrial/stats/power.hpp"
#include "celltrial/stats/sequential_sample_size.hpp"

namespace celltrial {

/// What to solve, as the command line's options say it (messages name those options).
struct PowerQuery {
  std::vector<double> delta;     ///< --delta (outcome units, with sd) or --smd (standardised: sd 1)
  bool standardised = false;     ///< the effects are --smd
  std::vector<double> power;     ///< --power: target powers
  std::vector<double> n;         ///< --n: total analysable sample sizes
  std::string test = "t";        ///< --test, one of stats::kTestNames
  stats::PowerInputs inputs;     ///< sd, alpha, sides, allocation, rho, dropout, MMRM retention (delta and test unused)
  std::optional<stats::Prior> prior;
  std::string prior_text;        ///< as given (written into each row)
  std::optional<stats::BoundariesOptions> sequential;  ///< --looks ...: a group-sequential design
};

/// The closed-form inputs as a user gives them (the command line's flags, the R package's
/// arguments), before they become a query.
struct PowerFlags {
  std::vector<double> delta;  ///< differences in outcome units (with sd) ...
  std::vector<double> smd;    ///< ... or standardised differences: one of the two
  std::optional<double> sd;   ///< the outcome SD (1 when not given); not with smd
  std::vector<double> power, n;
  std::string test = "t";
  double alpha = 0.05;
  int sides = 2;
  double allocation = 1, rho = 0, dropout = 0;
  std::vector<double> retention;  ///< MMRM: retention at each visit (AR(1) correlation `corr`)
  double corr = 0;
  std::string prior;  ///< normal(m,s), truncnormal(m,s,lo,hi) or discrete(v:w,...); empty: none
  std::optional<stats::BoundariesOptions> sequential;
};

/// The query the flags say, checked (check_power_query, then the effect given once, --sd only
/// with --delta, the prior's text); Error(ExitCode::usage) naming the option otherwise.
PowerQuery power_query(const PowerFlags& flags);

enum class Solve { sample_size, power, delta };

/// One row of the table. Which fields are set depends on `solved` (see power_row_json).
struct PowerRow {
  Solve solved = Solve::sample_size;
  stats::PowerInputs inputs;  ///< with the row's delta (the solved one when solving delta)
  double delta = 0;
  double target_power = 0;    ///< sample size, delta
  double n_total = 0;         ///< analysable: the solved N, or the N given
  double power = 0;           ///< achieved (sample size), computed (power), the target (delta)
  stats::SampleSize sample_size;                          ///< sample size
  std::optional<stats::SequentialSampleSize> sequential;  ///< sample size of a group-sequential design
  double assurance = 0;            ///< with a prior: P(favourable rejection) averaged over it
  double power_at_prior_mean = 0;  ///< with a prior
};

/// The mode and checks of a query: Error(ExitCode::usage) naming the option for a query that says
/// nothing to solve, gives the effect twice, combines a group-sequential design with what it does
/// not support, or has invalid inputs (stats::check_inputs).
Solve check_power_query(const PowerQuery& q);

/// The rows: effect sizes x target powers x sample sizes (each list that the mode uses).
std::vector<PowerRow> closed_form_power(const PowerQuery& q);

/// The test of --test by name; Error(ExitCode::usage) with "did you mean" for an unknown one.
stats::Test parse_test_name(const std::string& name);

}  // namespace celltrial
