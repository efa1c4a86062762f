#include "celltrial/design/closed_form_power.hpp"

#include <cmath>

#include "celltrial/core/error.hpp"
#include "celltrial/scenario/io.hpp"

namespace celltrial {

stats::Test parse_test_name(const std::string& t) {
  std::vector<std::string> names;
  for (const auto& [name, test] : stats::kTestNames) {
    if (t == name) return test;
    names.push_back(name);
  }
  const std::string guess = closest_match(t, names);
  throw_usage("--test", "unknown test '" + t + "'.",
              guess.empty() ? "use t, normal, ancova, ancova-exact, mmrm or mmrm-normal." : "did you mean '" + guess + "'?");
}

Solve check_power_query(const PowerQuery& q) {
  const bool solve_n = !q.power.empty() && q.n.empty();
  const bool solve_power = q.power.empty() && !q.n.empty();
  const bool solve_delta = !q.power.empty() && !q.n.empty();
  if (!solve_n && !solve_power && !solve_delta)
    throw_usage("--power/--n", "say what to solve for.",
                "give --power P to solve the sample size, --n N to solve the power, or both to solve the detectable difference.");
  if (!solve_delta && q.delta.empty())
    throw_usage("--delta", "no effect size given.", "give --delta D (outcome units, with --sd) or --smd D.");
  if (q.sequential && !solve_n)
    throw_usage("--looks", "a group-sequential design is sized from the target power (maximum and expected N).",
                "give --power without --n.");
  return solve_n ? Solve::sample_size : solve_power ? Solve::power : Solve::delta;
}

PowerQuery power_query(const PowerFlags& f) {
  PowerQuery q;
  q.delta = f.smd.empty() ? f.delta : f.smd;
  q.standardised = !f.smd.empty();
  q.power = f.power;
  q.n = f.n;
  q.test = f.test;
  check_power_query(q);  // what to solve, before the finer checks below
  if (!f.delta.empty() && !f.smd.empty()) throw_usage("--smd", "give the effect as --delta (with --sd) or as --smd, not both.", "");
  if (!f.smd.empty() && f.sd) throw_usage("--sd", "--smd is already standardised; --sd does not apply.", "drop --sd.");
  stats::PowerInputs& in = q.inputs;
  in.sd = f.sd.value_or(1.0);
  in.alpha = f.alpha;
  in.sides = f.sides;
  in.allocation = f.allocation;
  in.rho = f.rho;
  in.dropout = f.dropout;
  if (!f.retention.empty()) {
    in.mmrm.retention_control = f.retention;
    in.mmrm.correlation = stats::Correlation::ar1;
    in.mmrm.correlation_rho = f.corr;
  }
  if (!f.prior.empty()) q.prior = stats::parse_prior(f.prior);
  q.prior_text = f.prior;
  q.sequential = f.sequential;  // checked with the rest by closed_form_power
  return q;
}

std::vector<PowerRow> closed_form_power(const PowerQuery& q) {
  const Solve mode = check_power_query(q);
  stats::PowerInputs in = q.inputs;
  in.test = parse_test_name(q.test);
  in.count = stats::Rejection::any_tail;  // classical power, as R pwr and rpact report it
  const std::vector<double> nan{NAN};
  const std::vector<double>& deltas = mode == Solve::delta ? nan : q.delta;
  const std::vector<double>& targets = mode == Solve::power ? nan : q.power;
  const std::vector<double>& sizes = mode == Solve::sample_size ? nan : q.n;
  std::vector<PowerRow> rows;
  for (double d : deltas) {
    for (double target : targets) {
      for (double n : sizes) {
        in.delta = std::isnan(d) ? 1.0 : d;
        for (const auto& diag : stats::check_inputs(in)) throw Error(ExitCode::usage, diag);
        PowerRow r;
        r.solved = mode;
        r.target_power = target;
        if (mode == Solve::sample_size) {
          r.sample_size = stats::solve_n(in, target);
          r.delta = d;
          r.n_total = static_cast<double>(r.sample_size.n_total);
          r.power = r.sample_size.achieved_power;
          if (q.sequential) r.sequential = stats::sequential_sample_size(in, target, *q.sequential);
        } else if (mode == Solve::power) {
          if (n < 2 * 2)
            throw_usage("--n", "the total sample size must be at least 4 (2 per arm) (got " + format_number(n) + ").", "");
          r.delta = d;
          r.n_total = n;
          r.power = stats::power(in, n);
        } else {
          r.delta = stats::solve_delta(in, n, target);
          r.n_total = n;
          r.power = target;
          in.delta = r.delta;
        }
        if (q.prior) {
          stats::PowerInputs success = in;
          success.count = stats::Rejection::favourable_tail;  // success = significant benefit
          r.assurance = stats::assurance(success, r.n_total, *q.prior);
          stats::PowerInputs at_mean = in;
          const stats::Prior& p = *q.prior;
          at_mean.delta = p.kind == stats::PriorKind::discrete ? 0.0 : p.mean;
          if (p.kind == stats::PriorKind::discrete)
            for (std::size_t i = 0; i < p.values.size(); ++i) at_mean.delta += p.values[i] * p.weights[i];
          r.power_at_prior_mean = stats::power(at_mean, r.n_total);
        }
        r.inputs = in;
        rows.push_back(r);
      }
    }
  }
  return rows;
}

}  // namespace celltrial
