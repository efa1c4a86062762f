// celltrial boundaries : group-sequential efficacy (and futility) boundaries; the design options
// are shared with `celltrial power --looks`.
#include <ostream>
#include <string>
#include <vector>

#include "celltrial/cli/commands.hpp"
#include "celltrial/report/boundaries.hpp"
#include "celltrial/stats/group_sequential.hpp"

namespace celltrial::cli {

namespace {
std::string listed(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}
}  // namespace

std::vector<CLI::Option*> add_design_options(CLI::App* cmd, stats::BoundariesOptions& o) {
  return {
      cmd->add_option("--looks", o.looks, "Number of analyses, the final one included (1 to 100)"),
      cmd->add_option("--information", o.information_fractions,
                      "Information fractions of the looks, increasing, the last 1, e.g. 0.3,0.6,1 (default: equally "
                      "spaced)")
          ->delimiter(','),
      cmd->add_option("--boundary", o.boundary, "Efficacy boundary: " + listed(stats::boundary_names())),
      cmd->add_option_function<double>(
          "--parameter", [&o](const double& x) { o.parameter = x; },
          "The boundary's parameter: " + stats::parameter_summary(stats::ParameterOf::boundary)),
      cmd->add_option("--beta-spending", o.beta_spending,
                      "Futility bounds by beta spending (one-sided, spending-* boundaries): " +
                          listed(stats::spending_names())),
      cmd->add_option_function<double>(
          "--beta-parameter", [&o](const double& x) { o.beta_parameter = x; },
          "The beta spending's parameter: " + stats::parameter_summary(stats::ParameterOf::beta_spending)),
      cmd->add_flag("--binding", o.binding,
                    "Binding futility: the efficacy bounds count on every futility stop (default non-binding)"),
  };
}

Action add_boundaries(CLI::App& app, Streams io) {
  auto* cmd = app.add_subcommand(
      "boundaries",
      "Group-sequential boundaries: critical values, nominal levels and alpha spent per look, and futility bounds by "
      "beta spending");
  auto o = std::make_shared<stats::BoundariesOptions>();
  auto json = std::make_shared<bool>(false);
  add_design_options(cmd, *o);
  cmd->add_option("--alpha", o->alpha, "Overall type I error, in (0, 0.5) (default 0.025)");
  cmd->add_option("--sides", o->sides, "1 (default) or 2 (symmetric; alpha/2 per side)")->check(CLI::IsMember({1, 2}));
  cmd->add_option_function<double>(
      "--beta", [o](const double& x) { o->beta = x; },
      "Type II error at which the futility bounds are derived, in (0, 0.5) (default 0.2)");
  cmd->add_flag("--json", *json,
                "Print one JSON object: boundary, parameter, looks, alpha, sides, information, critical, "
                "nominal_alpha, alpha_spent (and beta_spending, beta_parameter, beta, binding, futility, beta_spent, "
                "drift)");
  cmd->footer(std::string("Z > 0 favours the active arm. Designs as rpact's getDesignGroupSequential (typeOfDesign "
                          "OF, P, WT, HP, asOF, asP, asHSD, asKD; typeBetaSpending bsOF, bsP, bsHSD, bsKD). A usage "
                          "error (exit 64) names the option, the problem and the fix.") +
              "\n\n" + cmd->get_footer());
  return [o, json, io]() {
    const stats::Boundaries b = stats::compute_boundaries(*o);
    if (*json) io.out << boundaries_json(b).dump(2) << "\n";
    else io.out << boundaries_table(b);
    return 0;
  };
}

}  // namespace celltrial::cli
