#include "celltrial/report/power.hpp"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "celltrial/report/boundaries.hpp"
#include "celltrial/report/plot.hpp"
#include "celltrial/scenario/io.hpp"
#include "celltrial/version_info.hpp"

namespace celltrial {

namespace {
std::string fmt(double x, int prec = 4) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", prec, x);
  return buf;
}
}  // namespace

nlohmann::json power_row_json(const PowerRow& row, const PowerQuery& q) {
  nlohmann::json r;
  r["test"] = q.test;
  r["sd"] = row.inputs.sd;
  r["alpha"] = row.inputs.alpha;
  r["sides"] = row.inputs.sides;
  r["allocation"] = row.inputs.allocation;
  r["dropout"] = row.inputs.dropout;
  r["delta"] = row.delta;
  r["power"] = row.power;
  switch (row.solved) {
    case Solve::sample_size: {
      const stats::SampleSize& ss = row.sample_size;
      r["target_power"] = row.target_power;
      r["n_total_exact"] = ss.n_total_exact;
      r["n_per_arm"] = ss.n_per_arm;
      r["n_total"] = ss.n_total;
      r["n_per_arm_randomised"] = ss.n_per_arm_randomised;
      r["n_total_randomised"] = ss.n_total_randomised;
      if (row.sequential) {
        const nlohmann::ordered_json keys = sequential_sample_size_json(*row.sequential);
        for (const auto& [key, value] : keys.items()) r[key] = value;
      }
      break;
    }
    case Solve::power:
      r["n_total"] = row.n_total;
      break;
    case Solve::delta:
      r["n_total"] = row.n_total;
      r["target_power"] = row.target_power;
      break;
  }
  if (q.prior) {
    r["assurance"] = row.assurance;
    r["power_at_prior_mean"] = row.power_at_prior_mean;
    r["prior"] = q.prior_text;
  }
  return r;
}

nlohmann::json power_rows_json(const std::vector<PowerRow>& rows, const PowerQuery& q) {
  nlohmann::json all = nlohmann::json::array();
  for (const auto& r : rows) all.push_back(power_row_json(r, q));
  return all.size() == 1 ? all[0] : all;
}

std::string power_rows_table(const std::vector<PowerRow>& rows, const PowerQuery& q) {
  std::ostringstream out;
  const bool prior = q.prior.has_value(), sequential = q.sequential.has_value();
  const stats::PowerInputs& in = q.inputs;
  char line[256];
  std::snprintf(line, sizeof line, "%-10s %-8s %13s %15s %8s %8s %10s%s%s\n", "delta", "sd", "n_total_exact",
                "n_per_arm (c/a)", "n_total", "power", "randomised", prior ? "  assurance  power@prior mean" : "",
                sequential ? "  inflation    n_max  E[N|H0]  E[N|H1]" : "");
  out << "Closed-form " << q.test << " test, alpha " << in.alpha << " (" << in.sides << "-sided), allocation "
      << in.allocation << ":1, dropout " << in.dropout << "\n";
  if (sequential && !rows.empty() && rows[0].sequential) {
    const stats::SequentialSampleSize& g = *rows[0].sequential;
    const nlohmann::ordered_json r = sequential_sample_size_json(g);
    out << "Group-sequential: " << r["boundary"].get<std::string>() << ", " << r["looks"]
        << (r["looks"] == 1 ? " look" : " looks")
        << (r.contains("beta_spending") ? ", futility by " + r["beta_spending"].get<std::string>() + " beta spending" +
                                              (r["binding"].get<bool>() ? " (binding)" : " (non-binding)")
                                        : "")
        << "; n_max = fixed N (favourable direction) x inflation, each arm rounded up; expected N under H0 and at "
           "delta\n";
  }
  out << line;
  for (const auto& r : rows) {
    const bool sized = r.solved == Solve::sample_size;
    const std::string per_arm =
        sized ? std::to_string(r.sample_size.n_per_arm[0]) + "/" + std::to_string(r.sample_size.n_per_arm[1]) : "-";
    std::snprintf(line, sizeof line, "%-10s %-8s %13s %15s %8s %8s %10s", fmt(r.delta, 4).c_str(),
                  fmt(r.inputs.sd, 3).c_str(), sized ? fmt(r.sample_size.n_total_exact, 2).c_str() : "-",
                  per_arm.c_str(), fmt(r.n_total, 0).c_str(), fmt(r.power, 4).c_str(),
                  sized ? std::to_string(r.sample_size.n_total_randomised).c_str() : "-");
    out << line;
    if (prior) out << "  " << fmt(r.assurance, 4) << "     " << fmt(r.power_at_prior_mean, 4);
    if (r.sequential) {
      std::snprintf(line, sizeof line, "  %9s %8ld %8s %8s", fmt(r.sequential->inflation_factor, 4).c_str(),
                    r.sequential->n_max, fmt(r.sequential->expected_n_h0, 1).c_str(),
                    fmt(r.sequential->expected_n_h1, 1).c_str());
      out << line;
    }
    out << "\n";
  }
  return out.str();
}

std::string power_curve_files(const std::vector<PowerRow>& rows, const PowerQuery& q,
                              std::map<std::string, std::string>& files) {
  // Power against total N, one line per effect size.
  LinePlot plot;
  plot.title = "Power by total sample size (" + q.test + " test, alpha " + format_number(q.inputs.alpha) + ", " +
               std::to_string(q.inputs.sides) + "-sided)";
  plot.xlabel = "total sample size (analysable)";
  plot.ylabel = "power";
  std::ostringstream csv;
  csv << "delta,n_total,power\n";
  double n_hi = 0;
  for (const auto& r : rows) n_hi = std::max(n_hi, r.n_total * 1.6);
  if (n_hi < 20) n_hi = 200;
  for (const auto& r : rows) {
    stats::PowerInputs pin = r.inputs;
    pin.delta = r.delta;
    PlotSeries s;
    s.label = (q.standardised ? "SMD " : "delta ") + format_number(pin.delta);
    for (int k = 1; k <= 60; ++k) {
      const double n = std::max(6.0, n_hi * k / 60.0);
      const double p = stats::power(pin, n);
      s.x.push_back(n);
      s.y.push_back(p);
      csv << format_number(pin.delta) << "," << format_number(n) << "," << format_number(p) << "\n";
    }
    plot.series.push_back(s);
  }
  nlohmann::json all = nlohmann::json::array();
  for (const auto& r : rows) all.push_back(power_row_json(r, q));
  files["power_curve.csv"] = csv.str();
  files["power_curve.json"] = all.dump(2) + "\n";
  return render_line_plot(plot, "power_curve", files);
}

nlohmann::json sample_size_json(const Scenario& s, const Scenario& conventional, double target, double confidence,
                                const SampleSizeResult& r, const nlohmann::json& assurance) {
  nlohmann::json j;
  j["format"] = "celltrial.power/1";
  j["celltrial_version"] = build::version;
  j["git_commit"] = build::git_commit;
  j["scenario"] = s.name;
  j["seed"] = s.simulation.seed;
  j["target_power"] = target;
  j["confidence"] = confidence;
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
  if (!assurance.is_null()) j["assurance"] = assurance;
  j["resolved_scenario"] = to_json(conventional);
  return j;
}

std::string sample_size_files(const Scenario& s, double target, const SampleSizeResult& r, const nlohmann::json& j,
                              std::map<std::string, std::string>& files) {
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
  plot.hline = target;
  plot.hline_label = "target " + format_number(target);
  files["power_curve.csv"] = csv.str();
  files["power_curve.json"] = j.dump(2) + "\n";
  files["scenario.yaml"] = "# Fully resolved scenario\n" + to_yaml(s);
  return render_line_plot(plot, "power_curve", files);
}

std::string sample_size_table(const Scenario& s, double target, double confidence, const SampleSizeResult& r,
                              const nlohmann::json& j) {
  std::ostringstream out;
  out << "Simulated sample size for " << s.name << ": target power " << target << " (success: "
      << j["success"].get<std::string>() << ")\n\n      N   trials    power    MC SE   95% CI\n";
  char line[160];
  for (const auto& p : r.curve) {
    std::snprintf(line, sizeof line, "  %5lld %8llu   %.4f   %.4f   %.4f-%.4f%s\n", static_cast<long long>(p.n),
                  static_cast<unsigned long long>(p.trials), p.power, p.mc_se, p.ci95_low, p.ci95_high,
                  p.n == r.n_total ? "  <- chosen" : "");
    out << line;
  }
  out << "\n  normal-approximation start: " << r.n_start << "\n";
  if (r.reached) {
    out << "  chosen N = " << r.n_total << " (";
    for (std::size_t k = 0; k < r.n_per_arm.size(); ++k) out << (k ? " + " : "") << r.n_per_arm[k];
    out << "), power " << fmt(r.power) << " (MC SE " << fmt(r.power_mc_se) << "); one-sided " << confidence
        << " lower bound >= target; the estimated curve crosses the target at N = " << fmt(r.n_total_exact, 1) << "\n";
  }
  if (j.contains("assurance"))
    out << "  assurance under the prior at N = " << r.n_total << ": " << fmt(j["assurance"]["estimate"].get<double>())
        << " (MC SE " << fmt(j["assurance"]["mc_se"].get<double>()) << ")\n";
  return out.str();
}

}  // namespace celltrial
