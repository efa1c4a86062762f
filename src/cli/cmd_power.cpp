// celltrial power : closed-form power and sample size (flags), or the simulated sample size of a
// scenario (SCENARIO --target P), with assurance under a prior.
#include <ostream>

#include "celltrial/cli/commands.hpp"
#include "celltrial/cli/terminal.hpp"
#include "celltrial/core/error.hpp"
#include "celltrial/design/closed_form_power.hpp"
#include "celltrial/report/power.hpp"
#include "celltrial/report/summary.hpp"
#include "celltrial/report/tables.hpp"
#include "celltrial/services/power.hpp"

namespace celltrial::cli {

namespace {
struct PowerArgs {
  PowerFlags flags;  ///< flags mode (sd and the group-sequential design are set from the options given)
  CLI::Option* sd = nullptr;
  double sd_value = 1;
  stats::BoundariesOptions design;
  std::vector<CLI::Option*> design_options;
  std::string plot_dir;
  services::SampleSizeRequest search;  ///< scenario mode (trials, max_trials and the prior set below)
  std::int64_t trials = 2000, max_trials = 64000;
  bool json = false;
  bool quiet = false;
};


/// The first group-sequential option given (--looks, --boundary, ...), or nullptr.
const CLI::Option* design_option_given(const PowerArgs& a) {
  for (const CLI::Option* o : a.design_options)
    if (o->count() > 0) return o;
  return nullptr;
}

/// Flags mode: closed forms (services::closed_form_power).
int closed_form(const PowerArgs& a, Streams io) {
  PowerFlags f = a.flags;
  if (a.sd->count() > 0) f.sd = a.sd_value;
  if (a.design.looks != 0 || !a.design.information_fractions.empty()) f.sequential = a.design;
  else if (const CLI::Option* o = design_option_given(a))
    throw_usage(o->get_name(), "describes a group-sequential design, which needs the number of looks.",
                "add --looks K (or --information t1,...,1), or drop " + o->get_name() + ".");
  services::ClosedFormPowerRequest rq;
  rq.query = power_query(f);
  rq.plot_dir = a.plot_dir;
  const services::ClosedFormPowerResult r = services::closed_form_power(rq);
  if (!r.plot_note.empty()) io.err << r.plot_note << "\n";
  if (a.json) io.out << power_rows_json(r.rows, rq.query).dump(2) << "\n";
  else io.out << power_rows_table(r.rows, rq.query);
  return 0;
}

/// The search's request from the scenario-mode options.
services::SampleSizeRequest search_request(const PowerArgs& a) {
  services::SampleSizeRequest rq = a.search;
  rq.prior = a.flags.prior;
  rq.trials = static_cast<std::uint64_t>(a.trials);
  rq.max_trials = static_cast<std::uint64_t>(a.max_trials);
  return rq;
}

/// Scenario mode: the simulated sample size (services::sample_size).
int simulated(const PowerArgs& a, Streams io) {
  const services::SampleSizeRequest rq = search_request(a);
  services::Callbacks cb;
  cb.stop = &stop_flag();
  if (!a.quiet && !a.json) cb.log = [io](const std::string& m) { io.err << m << "\n"; };
  services::SampleSizeReport rep;
  try {
    rep = services::sample_size(rq, cb);
  } catch (const Error& e) {
    if (e.code() == ExitCode::interrupted) return report_interrupted(io.err);
    throw;
  }
  const SampleSizeResult& r = rep.result;
  if (a.json) io.out << rep.json.dump(2) << "\n";
  else if (!a.quiet)
    io.out << sample_size_table(rep.scenario, a.search.target, a.search.confidence, r, rep.json) << "  results written to "
           << rep.out_dir << "/\n";
  if (!rep.plot_note.empty()) io.err << rep.plot_note << "\n";
  if (!rep.not_reached.empty()) {
    io.err << "celltrial: " << rep.not_reached << "\n";
    return static_cast<int>(ExitCode::data);
  }
  return 0;
}
/// The simulated sample size at every grid point (services::sample_size_sweep).
int sweep_sample_size(const PowerArgs& a, const SweepArgs& sw, Streams io) {
  services::SampleSizeSweepRequest rq;
  rq.search = search_request(a);
  rq.sweeps = sw.sweeps;
  rq.zip = sw.zip;
  rq.max_hours = sw.max_hours;
  rq.yes = sw.yes;
  services::Callbacks cb;
  cb.stop = &stop_flag();
  if (!a.quiet && !a.json) cb.log = [io](const std::string& m) { io.err << m << "\n"; };
  const services::SampleSizeSweepResult r = services::sample_size_sweep(rq, cb);
  if (a.json) io.out << dump_json(r.rows);
  else if (!a.quiet)
    io.out << enrichment_table(r.rows, "Simulated sample size for power " + format_number(a.search.target) + " at each grid point")
           << "  results written to " << r.out_dir << "/\n";
  if (!r.plot_note.empty()) io.err << r.plot_note << "\n";
  if (!r.not_reached.empty()) {
    io.err << "celltrial: " << r.not_reached << "\n";
    return static_cast<int>(ExitCode::data);
  }
  return 0;
}
}  // namespace

Action add_power(CLI::App& app, Streams io) {
  auto* cmd = app.add_subcommand(
      "power",
      "Power and sample size: closed forms from flags (no scenario), or the simulated sample size of a scenario "
      "(SCENARIO --target P); assurance under a prior");
  auto a = std::make_shared<PowerArgs>();
  a->search.target = 0;  // given: scenario mode
  cmd->add_option("scenario", a->search.scenario_file,
                  "Scenario YAML file: simulate its power curve and find N (needs --target; without a file, --target "
                  "uses the built-in default scenario)");
  cmd->add_option("--delta", a->flags.delta, "Difference active - control in outcome units; a list gives one row each")
      ->delimiter(',');
  cmd->add_option("--smd", a->flags.smd, "Standardised difference (instead of --delta and --sd)")->delimiter(',');
  a->sd = cmd->add_option("--sd", a->sd_value, "Outcome SD (default 1)")->check(CLI::PositiveNumber);
  cmd->add_option("--power", a->flags.power, "Target power: solve the sample size (list allowed)")
      ->delimiter(',')
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--n", a->flags.n, "Total analysable sample size: solve the power (list allowed)")->delimiter(',');
  cmd->add_option("--alpha", a->flags.alpha, "Overall type I error (default 0.05)")->check(CLI::Range(0.0, 0.5));
  cmd->add_option("--sides", a->flags.sides, "1 or 2 (default 2)")->check(CLI::IsMember({1, 2}));
  cmd->add_option("--allocation", a->flags.allocation, "Active per control participant (default 1)")->check(CLI::PositiveNumber);
  cmd->add_option("--rho", a->flags.rho, "Baseline-outcome correlation for --test ancova (default 0)");
  cmd->add_option("--dropout", a->flags.dropout, "Fraction not analysable; randomised numbers are inflated (default 0)");
  cmd->add_option("--test", a->flags.test, "t (default), normal, ancova, ancova-exact, mmrm, mmrm-normal");
  cmd->add_option("--retention", a->flags.retention, "MMRM: retention at each visit, e.g. 0.97,0.93,0.9")->delimiter(',');
  cmd->add_option("--corr", a->flags.corr, "MMRM: AR(1) correlation between visits (default 0)");
  cmd->add_option("--prior", a->flags.prior,
                  "Prior on the effect for assurance: normal(m,s), truncnormal(m,s,lo,hi) or discrete(v:w,...)");
  cmd->add_option("--plot", a->plot_dir, "Flags mode: also write power-curve CSV/PNG/SVG into this folder");
  cmd->add_option("--target", a->search.target, "Scenario mode: power to reach")->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--confidence", a->search.confidence, "Scenario mode: one-sided confidence that power(N) >= target (0.95)");
  cmd->add_option("--trials", a->trials, "Scenario mode: trials per candidate N in the first round (2000)")
      ->check(CLI::Range(std::int64_t{100}, std::int64_t{100000000}));
  cmd->add_option("--max-trials", a->max_trials, "Scenario mode: trials per candidate N at most (64000)")
      ->check(CLI::Range(std::int64_t{100}, std::int64_t{1000000000}));
  cmd->add_option("--n-max", a->search.n_max, "Scenario mode: largest total N considered (20000)")
      ->check(CLI::Range(std::int64_t{4}, std::int64_t{1000000}));
  cmd->add_option("--threads,-t", a->search.threads, "Worker threads (default: all cores)")->check(CLI::Range(1, 4096));
  cmd->add_option("--out,-o", a->search.out, "Scenario mode: results folder (default results/<name>-power/)")->check(kFolderName);
  cmd->add_option("--set", a->search.overrides, "Scenario mode: override a scenario value (repeatable)");
  cmd->add_flag("--json", a->json, "Print the results as JSON");
  cmd->add_flag("--quiet,-q", a->quiet, "No table or progress");
  a->design_options = add_design_options(cmd, a->design);
  for (CLI::Option* o : a->design_options) o->group("Flags mode, group-sequential (with --power; alpha and sides as above)");
  auto sw = std::make_shared<SweepArgs>();
  add_sweep_options(cmd, *sw, false);
  return [a, sw, io]() {
    if (!sw->sweeps.empty()) {
      if (!(a->search.target > 0))
        throw_usage("--sweep", "a power sweep finds the simulated sample size at every grid point, so it needs --target.",
                    "e.g. celltrial power SCENARIO --target 0.8 --sweep population.eligibility.max_age_months=120,59.99.");
      return sweep_sample_size(*a, *sw, io);
    }
    // A scenario (or --target alone, for the built-in default scenario) means simulation.
    if (!a->search.scenario_file.empty() || a->search.target > 0) {
      if (!(a->search.target > 0)) throw_usage("--target", "scenario mode needs the power to reach.", "e.g. --target 0.9.");
      if (!a->flags.delta.empty() || !a->flags.smd.empty() || !a->flags.power.empty() || !a->flags.n.empty() || design_option_given(*a))
        throw_usage("--delta/--smd/--power/--n/--looks", "these describe a closed-form calculation, not a scenario.",
                    "drop them, or drop the scenario and --target for a closed-form calculation.");
      return simulated(*a, io);
    }
    return closed_form(*a, io);
  };
}

}  // namespace celltrial::cli
