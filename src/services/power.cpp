#include "celltrial/services/power.hpp"

#include <cstdio>
#include <sstream>

#include "celltrial/core/error.hpp"
#include "celltrial/core/files.hpp"
#include "celltrial/design/study.hpp"
#include "celltrial/design/summary.hpp"
#include "celltrial/design/sweep.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/report/output.hpp"
#include "celltrial/report/figures.hpp"
#include "celltrial/report/power.hpp"
#include "celltrial/report/summary.hpp"
#include "celltrial/report/tables.hpp"
#include "celltrial/scenario/io.hpp"
#include "celltrial/services/run_time.hpp"
#include "celltrial/services/scenario_source.hpp"
#include "celltrial/services/sweep.hpp"
#include "poll.hpp"

namespace celltrial::services {

ClosedFormPowerResult closed_form_power(const ClosedFormPowerRequest& rq) {
  const PowerQuery& q = rq.query;
  check_power_query(q);
  if (q.sequential && (q.prior || !rq.plot_dir.empty()))
    throw_usage(q.prior ? "--prior" : "--plot",
                std::string(q.prior ? "assurance" : "the power curve") + " is computed for the fixed design only.",
                "drop it, or drop --looks.");
  ClosedFormPowerResult res;
  res.rows = celltrial::closed_form_power(q);
  if (!rq.plot_dir.empty()) {
    std::map<std::string, std::string> files;
    res.plot_note = power_curve_files(res.rows, q, files);
    write_results_folder(rq.plot_dir, files);
  }
  return res;
}

SampleSizeReport sample_size(const SampleSizeRequest& rq, const Callbacks& cb) {
  std::vector<std::string> sets = rq.overrides;
  const Scenario probe = load(rq.scenario_file, rq.scenario_text, sets);
  const std::size_t first = probe.active_arms().at(0);
  if (!rq.prior.empty())
    sets.push_back("arms[" + std::to_string(first) + "].effect_prior=" + prior_flow_yaml(stats::parse_prior(rq.prior)));
  SampleSizeReport rep;
  rep.scenario = load(rq.scenario_file, rq.scenario_text, sets);
  const Scenario& s = rep.scenario;
  // The search targets the power at the prior's location (conventional power; find_sample_size()
  // drops the priors); assurance is reported beside it.
  const Scenario conventional = without_priors(s);
  if (!(rq.confidence > 0.5 && rq.confidence < 1))
    throw_usage("--confidence", "must be in (0.5, 1) (got " + format_number(rq.confidence) + ").", "e.g. 0.95.");
  rep.out_dir = results_folder(rq.out, s.name, ResultsKind::power);
  check_writable_folder(rep.out_dir);

  Poller poller(cb);
  SampleSizeSearch opt;
  opt.target = rq.target;
  opt.confidence = rq.confidence;
  opt.trials = rq.trials;
  opt.max_trials = std::max(rq.max_trials, rq.trials);
  opt.n_max = rq.n_max;
  opt.threads = rq.threads;
  opt.stop = poller.stop();
  opt.log = poller.log();
  rep.result = poller.run([&] { return find_sample_size(s, opt); });

  nlohmann::json assurance;  // null without a prior
  if (s.arms[first].effect_prior.kind != PriorKind::none) {
    Scenario with_prior = s;
    with_prior.design.sample_size = rep.result.n_total;
    with_prior.simulation.trials = rep.result.trials;
    EngineOptions o;
    o.threads = rq.threads;
    o.stop = poller.stop();
    const Accumulator acc = poller.run([&] { return run_trials(with_prior, o); });
    rep.assurance = share_estimate(acc.comparison(0).rejections_favourable, acc.trials());
    assurance = {{"estimate", rep.assurance->value}, {"mc_se", rep.assurance->mc_se}, {"n_total", rep.result.n_total},
                 {"prior", to_json(s)["arms"][first]["effect_prior"]}};
  }
  rep.json = sample_size_json(s, conventional, rq.target, rq.confidence, rep.result, assurance);
  std::map<std::string, std::string> files;
  rep.plot_note = sample_size_files(s, rq.target, rep.result, rep.json, files);
  write_results_folder(rep.out_dir, files);
  if (!rep.result.reached) {
    char power[32];
    std::snprintf(power, sizeof power, "%.4f", rep.result.power);
    std::ostringstream os;
    os << "the target power " << rq.target << " is not reached with N up to " << rq.n_max << "; the best found is N = "
       << rep.result.n_total << " with power " << power << ". Raise --n-max or revisit the assumptions.";
    rep.not_reached = os.str();
  }
  return rep;
}

SampleSizeSweepResult sample_size_sweep(const SampleSizeSweepRequest& rq, const Callbacks& cb) {
  const SampleSizeRequest& q = rq.search;
  SampleSizeSweepResult res;
  res.base = load(q.scenario_file, q.scenario_text, q.overrides);
  std::vector<SweepAxis> axes;
  for (const auto& t : rq.sweeps) axes.push_back(parse_sweep_axis(t));
  const bool zip = rq.zip || res.base.sweep.zip;
  check_grid_size(axes, zip);
  const auto grid = sweep_grid(axes, zip);
  EnrichmentSection e;
  e.target_power = q.target;
  for (const auto& point : grid) {
    std::string label;
    for (const auto& [k, v] : point) label += (label.empty() ? "" : ", ") + k + "=" + v;
    e.strategies.emplace_back(label, point);
  }
  if (!q.prior.empty())
    throw_usage("--prior", "is not used with --sweep (the search targets conventional power at every grid point).",
                "run 'celltrial power SCENARIO --target P --prior ...' for one scenario's assurance.");
  if (!(q.confidence > 0.5 && q.confidence < 1))
    throw_usage("--confidence", "must be in (0.5, 1) (got " + format_number(q.confidence) + ").", "e.g. 0.95.");
  res.out_dir = results_folder(q.out, res.base.name, ResultsKind::power_sweep);
  check_writable_folder(res.out_dir);
  Poller poller(cb);
  StudyOptions opt;
  opt.threads = q.threads;
  opt.stop = poller.stop();
  opt.search_trials = q.trials;
  opt.search_max_trials = std::max(q.max_trials, q.trials);
  opt.search_confidence = q.confidence;
  opt.search_n_max = q.n_max;
  opt.log = poller.log();
  const double hours = seconds_per_trial(res.base, q.threads) * static_cast<double>(grid.size()) * 12 *
                       static_cast<double>(std::min<std::uint64_t>(q.max_trials, 8 * q.trials)) / 3600;
  check_run_time(hours, rq.max_hours, rq.yes, "the sample-size search at " + std::to_string(grid.size()) + " grid points",
                 "--sweep");
  const std::vector<Scenario> points =
      load_variants(file_loader(q.scenario_file, q.overrides, q.scenario_text), q.overrides, sweep_variants(grid));
  res.rows = poller.run([&] { return run_enrichment(points, e, opt); });
  std::map<std::string, std::string> files{
      {"sample_size_sweep.csv", enrichment_csv(res.rows)},
      {"sample_size_sweep.json", dump_json({{"target_power", q.target}, {"run", run_provenance(res.base)}, {"rows", res.rows}})},
      {"scenario.yaml", "# Base scenario of the sweep\n" + to_yaml(res.base)}};
  res.plot_note = plot_enrichment_power(res.rows, q.target, "power_by_point", files);
  write_results_folder(res.out_dir, files);
  for (const auto& r : res.rows) res.unreached += !r["reached"].get<bool>();
  if (res.unreached) {
    std::ostringstream os;
    os << "the target power " << rq.search.target << " is not reached with N up to " << rq.search.n_max << " at "
       << res.unreached << " of " << res.rows.size()
       << " grid points (marked + in the table). Raise --n-max or revisit the assumptions.";
    res.not_reached = os.str();
  }
  return res;
}

}  // namespace celltrial::services
