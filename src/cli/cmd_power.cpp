// celltrial power : closed-form power and sample size (flags), or the simulated sample size of a
// scenario (SCENARIO --target P), with assurance under a prior.
#include <cmath>
#include <limits>
#include <optional>
#include <cstdio>
#include <filesystem>
#include <ostream>
#include <sstream>

#include "celltrial/cli/commands.hpp"
#include "celltrial/report/boundaries.hpp"
#include "celltrial/report/figures.hpp"
#include "celltrial/design/sweep.hpp"
#include "celltrial/design/study.hpp"
#include "celltrial/core/error.hpp"
#include "celltrial/design/sample_size.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/report/output.hpp"
#include "celltrial/report/plot.hpp"
#include "celltrial/report/summary.hpp"
#include "celltrial/report/tables.hpp"
#include "celltrial/scenario/io.hpp"
#include "celltrial/stats/assurance.hpp"
#include "celltrial/stats/power.hpp"
#include "celltrial/stats/sequential_sample_size.hpp"
#include "celltrial/version_info.hpp"

namespace celltrial::cli {

namespace {
struct PowerArgs {
  std::string file;
  std::vector<double> delta, smd, power, n;
  double sd = 1;
  bool sd_given = false;
  double alpha = 0.05;
  int sides = 2;
  double allocation = 1;
  double rho = 0;
  double dropout = 0;
  std::string test = "t";
  std::vector<double> retention;
  double corr = 0;
  std::string prior;
  std::string plot_dir;
  // Scenario mode.
  double target = 0;
  double confidence = 0.95;
  std::int64_t trials = 2000;
  std::int64_t max_trials = 64000;
  std::int64_t n_max = 20000;
  int threads = 0;
  std::string out;
  std::vector<std::string> sets;
  bool json = false;
  bool quiet = false;
  // Flags mode, group-sequential (--looks ...).
  stats::BoundariesOptions design;
  std::vector<CLI::Option*> design_options;
};

[[noreturn]] void usage(const std::string& option, const std::string& problem, const std::string& fix) {
  throw Error(ExitCode::usage, Diagnostic{{"command line", 0, 0}, option, problem, fix});
}

std::string fmt(double x, int prec = 4) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", prec, x);
  return buf;
}

stats::Test parse_test(const std::string& t) {
  std::vector<std::string> names;
  for (const auto& [name, test] : stats::kTestNames) {
    if (t == name) return test;
    names.push_back(name);
  }
  const std::string guess = closest_match(t, names);
  usage("--test", "unknown test '" + t + "'.",
        guess.empty() ? "use t, normal, ancova, ancova-exact, mmrm or mmrm-normal." : "did you mean '" + guess + "'?");
}

/// The first group-sequential option given (--looks, --boundary, ...), or nullptr.
const CLI::Option* design_option_given(const PowerArgs& a) {
  for (const CLI::Option* o : a.design_options)
    if (o->count() > 0) return o;
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Flags mode: closed forms.
// ---------------------------------------------------------------------------------------------
int closed_form(const PowerArgs& a, Streams io) {
  const bool solve_n = !a.power.empty() && a.n.empty();
  const bool solve_power = a.power.empty() && !a.n.empty();
  const bool solve_delta = !a.power.empty() && !a.n.empty();
  if (!solve_n && !solve_power && !solve_delta)
    usage("--power/--n", "say what to solve for.",
          "give --power P to solve the sample size, --n N to solve the power, or both to solve the detectable difference.");
  if (!a.delta.empty() && !a.smd.empty()) usage("--smd", "give the effect as --delta (with --sd) or as --smd, not both.", "");
  if (!a.smd.empty() && a.sd_given) usage("--sd", "--smd is already standardised; --sd does not apply.", "drop --sd.");
  if (!solve_delta && a.delta.empty() && a.smd.empty())
    usage("--delta", "no effect size given.", "give --delta D (outcome units, with --sd) or --smd D.");
  stats::PowerInputs in;
  in.sd = a.smd.empty() ? a.sd : 1.0;
  in.alpha = a.alpha;
  in.sides = a.sides;
  in.allocation = a.allocation;
  in.rho = a.rho;
  in.dropout = a.dropout;
  in.test = parse_test(a.test);
  in.count = stats::Rejection::any_tail;  // classical power, as R pwr and rpact report it
  if (!a.retention.empty()) {
    in.mmrm.retention_control = a.retention;
    in.mmrm.correlation = stats::Correlation::ar1;
    in.mmrm.correlation_rho = a.corr;
  }
  std::optional<stats::Prior> prior;
  if (!a.prior.empty()) prior = stats::parse_prior(a.prior);
  const bool sequential = a.design.looks != 0 || !a.design.information_fractions.empty();
  if (const CLI::Option* o = design_option_given(a); o != nullptr && !sequential)
    usage(o->get_name(), "describes a group-sequential design, which needs the number of looks.",
          "add --looks K (or --information t1,...,1), or drop " + o->get_name() + ".");
  if (sequential && !solve_n)
    usage("--looks", "a group-sequential design is sized from the target power (maximum and expected N).",
          "give --power without --n.");
  if (sequential && (prior || !a.plot_dir.empty()))
    usage(prior ? "--prior" : "--plot",
          std::string(prior ? "assurance" : "the power curve") + " is computed for the fixed design only.",
          "drop it, or drop --looks.");

  const std::vector<double> deltas = solve_delta ? std::vector<double>{NAN} : (a.smd.empty() ? a.delta : a.smd);
  nlohmann::json rows = nlohmann::json::array();
  for (double d : deltas) {
    for (double target : solve_power ? std::vector<double>{NAN} : a.power) {
      for (double n : solve_n ? std::vector<double>{NAN} : a.n) {
        in.delta = std::isnan(d) ? 1.0 : d;
        for (const auto& diag : stats::check_inputs(in)) throw Error(ExitCode::usage, diag);
        nlohmann::json r;
        r["test"] = a.test;
        r["sd"] = in.sd;
        r["alpha"] = in.alpha;
        r["sides"] = in.sides;
        r["allocation"] = in.allocation;
        r["dropout"] = in.dropout;
        double n_analysed = n;
        if (solve_n) {
          const stats::SampleSize ss = stats::solve_n(in, target);
          r["delta"] = d;
          r["target_power"] = target;
          r["n_total_exact"] = ss.n_total_exact;
          r["n_per_arm"] = ss.n_per_arm;
          r["n_total"] = ss.n_total;
          r["power"] = ss.achieved_power;
          r["n_per_arm_randomised"] = ss.n_per_arm_randomised;
          r["n_total_randomised"] = ss.n_total_randomised;
          if (sequential) {
            const auto keys = sequential_sample_size_json(stats::sequential_sample_size(in, target, a.design));
            for (const auto& [key, value] : keys.items()) r[key] = value;
          }
          n_analysed = static_cast<double>(ss.n_total);
        } else if (solve_power) {
          if (n < 2 * 2)
            usage("--n", "the total sample size must be at least 4 (2 per arm) (got " + format_number(n) + ").", "");
          r["delta"] = d;
          r["n_total"] = n;
          r["power"] = stats::power(in, n);
        } else {
          const double dd = stats::solve_delta(in, n, target);
          r["delta"] = dd;
          r["n_total"] = n;
          r["target_power"] = target;
          r["power"] = target;
          in.delta = dd;
        }
        if (prior) {
          stats::PowerInputs success = in;
          success.count = stats::Rejection::favourable_tail;  // success = significant benefit
          r["assurance"] = stats::assurance(success, n_analysed, *prior);
          stats::PowerInputs at_mean = in;
          at_mean.delta = prior->kind == stats::PriorKind::discrete ? 0.0 : prior->mean;
          if (prior->kind == stats::PriorKind::discrete)
            for (std::size_t i = 0; i < prior->values.size(); ++i) at_mean.delta += prior->values[i] * prior->weights[i];
          r["power_at_prior_mean"] = stats::power(at_mean, n_analysed);
          r["prior"] = a.prior;
        }
        rows.push_back(r);
      }
    }
  }

  if (!a.plot_dir.empty()) {
    // Power against total N, one line per effect size.
    LinePlot plot;
    plot.title = "Power by total sample size (" + a.test + " test, alpha " + format_number(a.alpha) + ", " +
                 std::to_string(a.sides) + "-sided)";
    plot.xlabel = "total sample size (analysable)";
    plot.ylabel = "power";
    std::ostringstream csv;
    csv << "delta,n_total,power\n";
    double n_hi = 0;
    for (const auto& r : rows) n_hi = std::max(n_hi, r.value("n_total", 0.0) * 1.6);
    if (n_hi < 20) n_hi = 200;
    for (const auto& r : rows) {
      stats::PowerInputs pin = in;
      pin.delta = r["delta"].get<double>();
      PlotSeries s;
      s.label = (a.smd.empty() ? "delta " : "SMD ") + format_number(pin.delta);
      for (int k = 1; k <= 60; ++k) {
        const double n = std::max(6.0, n_hi * k / 60.0);
        const double p = stats::power(pin, n);
        s.x.push_back(n);
        s.y.push_back(p);
        csv << format_number(pin.delta) << "," << format_number(n) << "," << format_number(p) << "\n";
      }
      plot.series.push_back(s);
    }
    std::map<std::string, std::string> files{{"power_curve.csv", csv.str()}, {"power_curve.json", rows.dump(2) + "\n"}};
    const std::string note = render_line_plot(plot, "power_curve", files);
    write_results_folder(a.plot_dir, files);
    if (!note.empty()) io.err << note << "\n";
  }

  if (a.json) {
    io.out << (rows.size() == 1 ? rows[0] : rows).dump(2) << "\n";
    return 0;
  }
  // Table.
  char line[256];
  std::snprintf(line, sizeof line, "%-10s %-8s %13s %15s %8s %8s %10s%s%s\n", "delta", "sd", "n_total_exact", "n_per_arm (c/a)",
                "n_total", "power", "randomised", prior ? "  assurance  power@prior mean" : "",
                sequential ? "  inflation    n_max  E[N|H0]  E[N|H1]" : "");
  io.out << "Closed-form " << a.test << " test, alpha " << a.alpha << " (" << a.sides << "-sided), allocation "
         << a.allocation << ":1, dropout " << a.dropout << "\n";
  if (sequential) {
    const auto& r = rows[0];
    io.out << "Group-sequential: " << r["boundary"].get<std::string>() << ", " << r["looks"]
           << (r["looks"] == 1 ? " look" : " looks")
           << (r.contains("beta_spending") ? ", futility by " + r["beta_spending"].get<std::string>() + " beta spending" +
                                                 (r["binding"].get<bool>() ? " (binding)" : " (non-binding)")
                                           : "")
           << "; n_max = fixed N (favourable direction) x inflation, each arm rounded up; expected N under H0 and at "
              "delta\n";
  }
  io.out << line;
  for (const auto& r : rows) {
    const std::string per_arm = r.contains("n_per_arm") ? std::to_string(r["n_per_arm"][0].get<long>()) + "/" +
                                                              std::to_string(r["n_per_arm"][1].get<long>())
                                                        : "-";
    std::snprintf(line, sizeof line, "%-10s %-8s %13s %15s %8s %8s %10s", fmt(r["delta"].get<double>(), 4).c_str(),
                  fmt(r["sd"].get<double>(), 3).c_str(),
                  r.contains("n_total_exact") ? fmt(r["n_total_exact"].get<double>(), 2).c_str() : "-", per_arm.c_str(),
                  fmt(r["n_total"].get<double>(), 0).c_str(), fmt(r["power"].get<double>(), 4).c_str(),
                  r.contains("n_total_randomised") ? std::to_string(r["n_total_randomised"].get<long>()).c_str() : "-");
    io.out << line;
    if (prior)
      io.out << "  " << fmt(r["assurance"].get<double>(), 4) << "     " << fmt(r["power_at_prior_mean"].get<double>(), 4);
    if (sequential) {
      std::snprintf(line, sizeof line, "  %9s %8ld %8s %8s", fmt(r["inflation_factor"].get<double>(), 4).c_str(),
                    r["n_max"].get<long>(), fmt(r["expected_n_h0"].get<double>(), 1).c_str(),
                    fmt(r["expected_n_h1"].get<double>(), 1).c_str());
      io.out << line;
    }
    io.out << "\n";
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Scenario mode: simulated sample size.
// ---------------------------------------------------------------------------------------------
int simulated(const PowerArgs& a, Streams io) {
  std::vector<std::string> sets = a.sets;
  Scenario probe = load(a.file, sets);
  const std::size_t first = probe.active_arms().at(0);
  if (!a.prior.empty())
    sets.push_back("arms[" + std::to_string(first) + "].effect_prior=" + prior_flow_yaml(stats::parse_prior(a.prior)));
  const Scenario s = load(a.file, sets);
  const EffectPrior prior = s.arms[first].effect_prior;

  // The search targets the power at the prior's location (conventional power; find_sample_size()
  // drops the priors); assurance is reported beside it.
  const Scenario conventional = without_priors(s);

  SampleSizeSearch opt;
  opt.target = a.target;
  opt.confidence = a.confidence;
  opt.trials = static_cast<std::uint64_t>(a.trials);
  opt.max_trials = static_cast<std::uint64_t>(std::max(a.max_trials, a.trials));
  opt.n_max = a.n_max;
  opt.threads = a.threads;
  opt.stop = &stop_flag();
  if (!a.quiet && !a.json) opt.log = [&](const std::string& m) { io.err << m << "\n"; };
  if (!(a.confidence > 0.5 && a.confidence < 1))
    usage("--confidence", "must be in (0.5, 1) (got " + format_number(a.confidence) + ").", "e.g. 0.95.");
  const std::string out_dir =
      results_folder(a.out, s.name, ResultsKind::power);
  check_writable_folder(out_dir);

  SampleSizeResult r;
  try {
    r = find_sample_size(s, opt);
  } catch (const Error& e) {
    if (e.code() == ExitCode::interrupted) {
      io.err << "celltrial: interrupted; no results were written.\n";
      return static_cast<int>(ExitCode::interrupted);
    }
    throw;
  }

  nlohmann::json j;
  j["format"] = "celltrial.power/1";
  j["celltrial_version"] = build::version;
  j["git_commit"] = build::git_commit;
  j["scenario"] = s.name;
  j["seed"] = s.simulation.seed;
  j["target_power"] = a.target;
  j["confidence"] = a.confidence;
  j["success"] = "rejection in the favourable direction, first active arm vs control";
  j["delta"] = r.delta;
  j["n_start_normal_approximation"] = r.n_start;
  j["n_total_exact"] = r.n_total_exact;
  j["n_total"] = r.n_total;
  j["n_per_arm"] = r.n_per_arm;
  j["power"] = r.power;
  j["power_mc_se"] = r.power_mc_se;
  j["confidence_power_at_least_target"] = r.confidence;
  j["trials_per_size"] = r.trials;
  j["reached"] = r.reached;
  j["curve"] = nlohmann::json::array();
  for (const auto& p : r.curve)
    j["curve"].push_back({{"n", p.n}, {"trials", p.trials}, {"power", p.power}, {"mc_se", p.mc_se},
                          {"ci95", {p.ci95_low, p.ci95_high}}});
  if (prior.kind != PriorKind::none) {
    Scenario with_prior = s;
    with_prior.design.sample_size = r.n_total;
    with_prior.simulation.trials = r.trials;
    EngineOptions o;
    o.threads = a.threads;
    o.stop = &stop_flag();
    const Accumulator acc = run_trials(with_prior, o);
    const double k = static_cast<double>(acc.comparison(0).rejections_favourable), t = static_cast<double>(acc.trials());
    j["assurance"] = {{"estimate", k / t}, {"mc_se", std::sqrt(k / t * (1 - k / t) / t)}, {"n_total", r.n_total},
                      {"prior", to_json(s)["arms"][first]["effect_prior"]}};
  }
  j["resolved_scenario"] = to_json(conventional);

  std::ostringstream csv;
  csv << "n_total,trials,power,mc_se,ci95_low,ci95_high\n";
  for (const auto& p : r.curve)
    csv << p.n << "," << p.trials << "," << format_number(p.power) << "," << format_number(p.mc_se) << ","
        << format_number(p.ci95_low) << "," << format_number(p.ci95_high) << "\n";
  LinePlot plot;
  plot.title = "Simulated power, " + s.name;
  plot.xlabel = "total sample size (randomised)";
  plot.ylabel = "power (favourable rejection)";
  PlotSeries series;
  series.label = "simulated (95% MC CI)";
  for (const auto& p : r.curve) {
    series.x.push_back(static_cast<double>(p.n));
    series.y.push_back(p.power);
    series.y_low.push_back(p.ci95_low);
    series.y_high.push_back(p.ci95_high);
  }
  plot.series.push_back(series);
  plot.hline = a.target;
  plot.hline_label = "target " + format_number(a.target);
  std::map<std::string, std::string> files{{"power_curve.csv", csv.str()},
                                           {"power_curve.json", j.dump(2) + "\n"},
                                           {"scenario.yaml", "# Fully resolved scenario\n" + to_yaml(s)}};
  const std::string note = render_line_plot(plot, "power_curve", files);
  write_results_folder(out_dir, files);

  if (a.json) {
    io.out << j.dump(2) << "\n";
  } else if (!a.quiet) {
    io.out << "Simulated sample size for " << s.name << ": target power " << a.target << " (success: "
           << j["success"].get<std::string>() << ")\n\n      N   trials    power    MC SE   95% CI\n";
    char line[160];
    for (const auto& p : r.curve) {
      std::snprintf(line, sizeof line, "  %5lld %8llu   %.4f   %.4f   %.4f-%.4f%s\n", static_cast<long long>(p.n),
                    static_cast<unsigned long long>(p.trials), p.power, p.mc_se, p.ci95_low, p.ci95_high,
                    p.n == r.n_total ? "  <- chosen" : "");
      io.out << line;
    }
    io.out << "\n  normal-approximation start: " << r.n_start << "\n";
    if (r.reached) {
      io.out << "  chosen N = " << r.n_total << " (";
      for (std::size_t k = 0; k < r.n_per_arm.size(); ++k) io.out << (k ? " + " : "") << r.n_per_arm[k];
      io.out << "), power " << fmt(r.power) << " (MC SE " << fmt(r.power_mc_se) << "); one-sided " << a.confidence
             << " lower bound >= target; the estimated curve crosses the target at N = " << fmt(r.n_total_exact, 1)
             << "\n";
    }
    if (j.contains("assurance"))
      io.out << "  assurance under the prior at N = " << r.n_total << ": " << fmt(j["assurance"]["estimate"].get<double>())
             << " (MC SE " << fmt(j["assurance"]["mc_se"].get<double>()) << ")\n";
    io.out << "  results written to " << out_dir << "/\n";
  }
  if (!note.empty()) io.err << note << "\n";
  if (!r.reached) {
    io.err << "celltrial: the target power " << a.target << " is not reached with N up to " << a.n_max
           << "; the best found is N = " << r.n_total << " with power " << fmt(r.power) << ". Raise --n-max or revisit the assumptions.\n";
    return static_cast<int>(ExitCode::data);
  }
  return 0;
}
// The simulated sample size at every point of a grid: one row per point, like an enrichment table.
int sweep_sample_size(const PowerArgs& a, const SweepArgs& sw, Streams io) {
  std::vector<std::string> sets = a.sets;
  const Scenario base = load(a.file, sets);
  std::vector<SweepAxis> axes;
  for (const auto& t : sw.sweeps) axes.push_back(parse_sweep_axis(t));
  check_grid_size(axes, sw.zip || base.sweep.zip);
  const auto grid = sweep_grid(axes, sw.zip || base.sweep.zip);
  EnrichmentSection e;
  e.target_power = a.target;
  for (const auto& point : grid) {
    std::string label;
    for (const auto& [k, v] : point) label += (label.empty() ? "" : ", ") + k + "=" + v;
    e.strategies.emplace_back(label, point);
  }
  if (!a.prior.empty())
    usage("--prior", "is not used with --sweep (the search targets conventional power at every grid point).",
          "run 'celltrial power SCENARIO --target P --prior ...' for one scenario's assurance.");
  if (!(a.confidence > 0.5 && a.confidence < 1))
    usage("--confidence", "must be in (0.5, 1) (got " + format_number(a.confidence) + ").", "e.g. 0.95.");
  const std::string out_dir = results_folder(a.out, base.name, ResultsKind::power_sweep);
  check_writable_folder(out_dir);
  StudyOptions opt;
  opt.threads = a.threads;
  opt.stop = &stop_flag();
  opt.search_trials = static_cast<std::uint64_t>(a.trials);
  opt.search_max_trials = static_cast<std::uint64_t>(std::max(a.max_trials, a.trials));
  opt.search_confidence = a.confidence;
  opt.search_n_max = a.n_max;
  if (!a.quiet && !a.json) opt.log = [io](const std::string& m) { io.err << m << "\n"; };
  const double hours = seconds_per_trial(base, a.threads) * static_cast<double>(grid.size()) * 12 *
                       static_cast<double>(std::min<std::int64_t>(a.max_trials, 8 * a.trials)) / 3600;
  check_run_time(hours, sw.max_hours, sw.yes, "the sample-size search at " + std::to_string(grid.size()) + " grid points",
                 "--sweep");
  const nlohmann::json rows = run_enrichment(load_variants(file_loader(a.file, sets), sets, sweep_variants(grid)), e, opt);
  std::map<std::string, std::string> files{{"sample_size_sweep.csv", enrichment_csv(rows)},
                                           {"sample_size_sweep.json", dump_json({{"target_power", a.target},
                                                                                 {"run", run_provenance(base)},
                                                                                 {"rows", rows}})},
                                           {"scenario.yaml", "# Base scenario of the sweep\n" + to_yaml(base)}};
  const std::string note = plot_enrichment_power(rows, a.target, "power_by_point", files);
  write_results_folder(out_dir, files);
  if (a.json) io.out << dump_json(rows);
  else if (!a.quiet) io.out << enrichment_table(rows, "Simulated sample size for power " + format_number(a.target) + " at each grid point")
                         << "  results written to " << out_dir << "/\n";
  if (!note.empty()) io.err << note << "\n";
  std::size_t unreached = 0;
  for (const auto& r : rows) unreached += !r["reached"].get<bool>();
  if (unreached) {
    io.err << "celltrial: the target power " << a.target << " is not reached with N up to " << a.n_max << " at "
           << unreached << " of " << rows.size() << " grid points (marked + in the table). Raise --n-max or revisit the assumptions.\n";
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
  cmd->add_option("scenario", a->file,
                  "Scenario YAML file: simulate its power curve and find N (needs --target; without a file, --target "
                  "uses the built-in default scenario)");
  cmd->add_option("--delta", a->delta, "Difference active - control in outcome units; a list gives one row each")
      ->delimiter(',');
  cmd->add_option("--smd", a->smd, "Standardised difference (instead of --delta and --sd)")->delimiter(',');
  cmd->add_option("--sd", a->sd, "Outcome SD (default 1)")->check(CLI::PositiveNumber)->each([a](const std::string&) {
    a->sd_given = true;
  });
  cmd->add_option("--power", a->power, "Target power: solve the sample size (list allowed)")
      ->delimiter(',')
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--n", a->n, "Total analysable sample size: solve the power (list allowed)")->delimiter(',');
  cmd->add_option("--alpha", a->alpha, "Overall type I error (default 0.05)")->check(CLI::Range(0.0, 0.5));
  cmd->add_option("--sides", a->sides, "1 or 2 (default 2)")->check(CLI::IsMember({1, 2}));
  cmd->add_option("--allocation", a->allocation, "Active per control participant (default 1)")->check(CLI::PositiveNumber);
  cmd->add_option("--rho", a->rho, "Baseline-outcome correlation for --test ancova (default 0)");
  cmd->add_option("--dropout", a->dropout, "Fraction not analysable; randomised numbers are inflated (default 0)");
  cmd->add_option("--test", a->test, "t (default), normal, ancova, ancova-exact, mmrm, mmrm-normal");
  cmd->add_option("--retention", a->retention, "MMRM: retention at each visit, e.g. 0.97,0.93,0.9")->delimiter(',');
  cmd->add_option("--corr", a->corr, "MMRM: AR(1) correlation between visits (default 0)");
  cmd->add_option("--prior", a->prior,
                  "Prior on the effect for assurance: normal(m,s), truncnormal(m,s,lo,hi) or discrete(v:w,...)");
  cmd->add_option("--plot", a->plot_dir, "Flags mode: also write power-curve CSV/PNG/SVG into this folder");
  cmd->add_option("--target", a->target, "Scenario mode: power to reach")->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--confidence", a->confidence, "Scenario mode: one-sided confidence that power(N) >= target (0.95)");
  cmd->add_option("--trials", a->trials, "Scenario mode: trials per candidate N in the first round (2000)")
      ->check(CLI::Range(std::int64_t{100}, std::int64_t{100000000}));
  cmd->add_option("--max-trials", a->max_trials, "Scenario mode: trials per candidate N at most (64000)")
      ->check(CLI::Range(std::int64_t{100}, std::int64_t{1000000000}));
  cmd->add_option("--n-max", a->n_max, "Scenario mode: largest total N considered (20000)")
      ->check(CLI::Range(std::int64_t{4}, std::int64_t{1000000}));
  cmd->add_option("--threads,-t", a->threads, "Worker threads (default: all cores)")->check(CLI::Range(1, 4096));
  cmd->add_option("--out,-o", a->out, "Scenario mode: results folder (default results/<name>-power/)")->check(kFolderName);
  cmd->add_option("--set", a->sets, "Scenario mode: override a scenario value (repeatable)");
  cmd->add_flag("--json", a->json, "Print the results as JSON");
  cmd->add_flag("--quiet,-q", a->quiet, "No table or progress");
  a->design_options = add_design_options(cmd, a->design);
  for (CLI::Option* o : a->design_options) o->group("Flags mode, group-sequential (with --power; alpha and sides as above)");
  auto sw = std::make_shared<SweepArgs>();
  add_sweep_options(cmd, *sw, false);
  return [a, sw, io]() {
    if (!sw->sweeps.empty()) {
      if (!(a->target > 0))
        usage("--sweep", "a power sweep finds the simulated sample size at every grid point, so it needs --target.",
              "e.g. celltrial power SCENARIO --target 0.8 --sweep population.eligibility.max_age_months=120,59.99.");
      return sweep_sample_size(*a, *sw, io);
    }
    // A scenario (or --target alone, for the built-in default scenario) means simulation.
    if (!a->file.empty() || a->target > 0) {
      if (!(a->target > 0)) usage("--target", "scenario mode needs the power to reach.", "e.g. --target 0.9.");
      if (!a->delta.empty() || !a->smd.empty() || !a->power.empty() || !a->n.empty() || design_option_given(*a))
        usage("--delta/--smd/--power/--n/--looks", "these describe a closed-form calculation, not a scenario.",
              "drop them, or drop the scenario and --target for a closed-form calculation.");
      return simulated(*a, io);
    }
    return closed_form(*a, io);
  };
}

}  // namespace celltrial::cli
