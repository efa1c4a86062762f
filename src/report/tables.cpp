#include "celltrial/report/tables.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "celltrial/design/operating_characteristics.hpp"
#include "celltrial/report/summary.hpp"

namespace celltrial {

namespace {
std::string num(const nlohmann::json& v) { return v.is_null() ? "" : v.dump(); }
}  // namespace

std::string sweep_csv(const nlohmann::json& rows, const std::vector<SweepAxis>& axes) {
  std::ostringstream os;
  for (const auto& a : axes) os << csv_field(a.key) << ",";
  os << "comparison,trials,seed,power,power_mc_se,power_favourable,power_favourable_mc_se,estimate_mean,estimate_mc_se,"
        "true_effect,true_effect_mc_se,bias,bias_mc_se,empirical_se,empirical_se_mc_se,model_se,model_se_mc_se,coverage,"
        "coverage_mc_se,assurance,assurance_mc_se,randomised_mean,randomised_mean_mc_se,analysed_mean,analysed_mean_mc_se,screened_per_randomised,"
        "screened_per_randomised_mc_se,mean_age_months,mean_age_months_mc_se,share_under_5_years,share_under_5_years_mc_se,"
        "share_gmfcs_I_III,share_gmfcs_I_III_mc_se,p_sae_difference_exceeds,p_sae_difference_exceeds_mc_se\n";
  // A typed estimate's value and MC SE; an effect estimate's columns.
  auto est = [](const Estimate& e) { return num(json_number(e.value)) + "," + num(json_number(e.mc_se)); };
  auto effect = [&](const EffectEstimate& e) {
    return est(e.mean) + "," + est(e.truth) + "," + est(e.bias) + "," + est(e.empirical_se) + "," + est(e.model_se) + "," +
           est(e.coverage);
  };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const auto& s = r["summary"];
    const std::string at = "rows[" + std::to_string(i) + "].summary";
    const auto ss = member_from_json<SampleSizeCharacteristics>(s, "sample_size", "sweep.json", at);
    const auto en = member_from_json<EnrolledCharacteristics>(s, "enrolled", "sweep.json", at);
    // The columns after the comparison's own: the trial's enrolment (analysed: `analysed` and its SE).
    auto enrolment = [&](const std::string& analysed) {
      return est(ss.randomised_mean) + "," + analysed + "," + est(ss.screened_per_randomised) + "," +
             est(en.mean_age_months) + "," + est(en.share_under_5_years) + "," + est(en.share_gmfcs_I_III);
    };
    for (const ComparisonCharacteristics& c :
         member_from_json<std::vector<ComparisonCharacteristics>>(s, "comparisons", "sweep.json", at)) {
      for (const auto& a : axes) os << csv_field(r["point"][a.key].get<std::string>()) << ",";
      os << csv_field(c.label) << "," << s["trials"] << "," << s["seed"] << "," << est(c.power.estimate) << ","
         << est(c.power_favourable.estimate) << "," << effect(c.estimate) << ","
         << (c.assurance ? est(c.assurance->estimate) : std::string(",")) << "," << enrolment(est(ss.analysed_mean)) << ","
         << est(c.safety.estimate) << "\n";
    }
    // Subgroup rows: power is the favourable rejection (under the multiplicity procedure when
    // confirmatory), so it fills both power columns; analysed_mean is the subgroup's.
    if (s.contains("subgroups")) {
      for (const SubgroupCharacteristics& g : from_json<std::vector<SubgroupCharacteristics>>(s["subgroups"], "sweep.json", at + ".subgroups")) {
        for (const auto& a : axes) os << csv_field(r["point"][a.key].get<std::string>()) << ",";
        os << csv_field(g.label) << "," << s["trials"] << "," << s["seed"] << "," << est(g.power.estimate) << ","
           << est(g.power.estimate) << "," << effect(g.estimate) << ",,," << enrolment(est(g.analysed_mean)) << ",,\n";
      }
    }
  }
  return os.str();
}

std::string enrichment_csv(const nlohmann::json& rows) {
  auto n = [](const nlohmann::json& v) { return v.is_null() ? std::string() : v.dump(); };
  // A value and its MC SE (keys "<v>" and "<v>_mc_se").
  auto pair = [&](const nlohmann::json& r, const std::string& v) { return n(r[v]) + "," + n(r[v + "_mc_se"]); };
  std::ostringstream os;
  os << "strategy,claim_population,n_total,power,power_mc_se,reached,true_effect,true_effect_mc_se,screened_per_randomised,"
        "screened_per_randomised_mc_se,screened_total,screened_total_mc_se,accrual_months,accrual_months_mc_se,expected_sae,"
        "expected_sae_mc_se,share_under_5_years,share_under_5_years_mc_se,share_gmfcs_I_III,share_gmfcs_I_III_mc_se\n";
  for (const auto& r : rows)
    os << csv_field(r["strategy"].get<std::string>()) << "," << csv_field(r["claim_population"].get<std::string>()) << ","
       << r["n_total"] << "," << pair(r, "power") << "," << (r["reached"].get<bool>() ? "yes" : "no") << ","
       << pair(r, "true_effect") << "," << pair(r, "screened_per_randomised") << "," << pair(r, "screened_total") << ","
       << pair(r, "accrual_months") << "," << pair(r, "expected_sae") << "," << pair(r, "share_under_5_years") << ","
       << pair(r, "share_gmfcs_I_III") << "\n";
  return os.str();
}

std::string enrichment_table(const nlohmann::json& rows, const std::string& title) {
  std::ostringstream os;
  char line[1024];
  int w = 8;
  for (const auto& r : rows) w = std::max<int>(w, static_cast<int>(r["strategy"].get<std::string>().size()));
  w = std::min(w, 60);
  os << "  " << title << "\n";
  std::snprintf(line, sizeof line, "  %-*s %7s %15s %7s %11s %9s %8s %12s  %s\n", w, "strategy", "N", "power (MC SE)", "effect",
                "screened/N", "screened", "months", "SAEs", "claim population");
  os << line;
  auto f = [](const nlohmann::json& v, const char* fmt) {
    char b[64];
    if (v.is_null()) return std::string("NA");
    std::snprintf(b, sizeof b, fmt, v.get<double>());
    return std::string(b);
  };
  for (const auto& r : rows) {
    const std::string n = r["n_total"].dump() + (r["reached"].get<bool>() ? "" : "+");
    std::snprintf(line, sizeof line, "  %-*.*s %7s %7s (%5s) %7s %11s %9s %8s %12s  %s\n", w, w, r["strategy"].get<std::string>().c_str(),
                  n.c_str(), f(r["power"], "%.3f").c_str(), f(r["power_mc_se"], "%.3f").c_str(), f(r["true_effect"], "%.2f").c_str(),
                  f(r["screened_per_randomised"], "%.2f").c_str(), f(r["screened_total"], "%.0f").c_str(),
                  f(r["accrual_months"], "%.1f").c_str(), (f(r["expected_sae"], "%.1f") + " (" + f(r["expected_sae_mc_se"], "%.1f") + ")").c_str(),
                  r["claim_population"].get<std::string>().c_str());
    os << line;
  }
  return os.str();
}

std::string designs_csv(const nlohmann::json& rows) {
  auto n = [](const nlohmann::json& v) { return v.is_null() ? std::string() : v.dump(); };
  auto pair = [&](const nlohmann::json& r, const std::string& v) { return n(r[v]) + "," + n(r[v + "_mc_se"]); };
  std::ostringstream os;
  os << "design,power,power_mc_se,power_difference,power_difference_mc_se,expected_n,expected_n_mc_se,max_n,"
        "expected_duration_months,expected_duration_months_mc_se,claim_responders,claim_responders_mc_se,type1,type1_mc_se,"
        "claim_responders_source,type1_source\n";
  for (const auto& r : rows)
    os << csv_field(r["design"].get<std::string>()) << "," << pair(r, "power") << "," << pair(r, "power_difference") << ","
       << pair(r, "expected_n") << "," << n(r["max_n"]) << "," << pair(r, "expected_duration_months") << ","
       << pair(r, "claim_responders") << "," << pair(r, "type1") << ","
       << csv_field(r["claim_responders_source"].is_string() ? r["claim_responders_source"].get<std::string>() : "") << ","
       << csv_field(r["type1_source"].is_string() ? r["type1_source"].get<std::string>() : "") << "\n";
  return os.str();
}

std::string designs_table(const nlohmann::json& rows) {
  std::ostringstream os;
  int w = 6;
  for (const auto& r : rows) w = std::max<int>(w, static_cast<int>(r["design"].get<std::string>().size()));
  w = std::min(w, 40);
  auto est = [](const nlohmann::json& v, const nlohmann::json& se, int d) {
    if (!v.is_number()) return std::string("-");
    char buf[64];
    if (se.is_number()) std::snprintf(buf, sizeof buf, "%.*f (%.*f)", d, v.get<double>(), d + 1, se.get<double>());
    else std::snprintf(buf, sizeof buf, "%.*f", d, v.get<double>());
    return std::string(buf);
  };
  char line[1024];
  os << "Design comparison (common random numbers; estimate (MC SE); '-': not applicable)\n";
  std::snprintf(line, sizeof line, "  %-*s  %-16s  %-17s  %-16s  %-16s  %-16s\n", w, "design", "power", "expected N",
                "duration (months)", "claim responders", "type I error");
  os << line;
  for (const auto& r : rows) {
    std::snprintf(line, sizeof line, "  %-*s  %-16s  %-17s  %-16s  %-16s  %-16s\n", w, r["design"].get<std::string>().c_str(),
                  est(r["power"], r["power_mc_se"], 4).c_str(), est(r["expected_n"], r["expected_n_mc_se"], 1).c_str(),
                  est(r["expected_duration_months"], r["expected_duration_months_mc_se"], 1).c_str(),
                  est(r["claim_responders"], r["claim_responders_mc_se"], 4).c_str(), est(r["type1"], r["type1_mc_se"], 4).c_str());
    os << line;
  }
  return os.str();
}

std::string tornado_csv(const nlohmann::json& t) {
  std::ostringstream os;
  os << "key,low,high,power_low,power_low_mc_se,power_high,power_high_mc_se,swing,swing_mc_se,base_power,base_power_mc_se\n";
  for (const auto& r : t["rows"])
    os << csv_field(r["key"].get<std::string>()) << "," << csv_field(r["low"].get<std::string>()) << ","
       << csv_field(r["high"].get<std::string>()) << "," << r["power_low"].dump() << "," << r["power_low_mc_se"].dump() << ","
       << r["power_high"].dump() << "," << r["power_high_mc_se"].dump() << "," << r["swing"].dump() << ","
       << r["swing_mc_se"].dump() << ","
       << t["base"]["power"].dump() << "," << t["base"]["mc_se"].dump() << "\n";
  return os.str();
}

std::string sweep_table(const nlohmann::json& rows, const std::vector<SweepAxis>& axes, const std::string& scenario_name,
                        std::uint64_t trials, std::uint64_t seed) {
  std::ostringstream out;
  out << "Sweep of " << scenario_name << ": " << rows.size() << " points x " << trials << " trials, seed " << seed
      << " (same random numbers at every point)\n\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    std::string label;
    for (const auto& ax : axes) label += (label.empty() ? "" : ", ") + ax.key + "=" + r["point"][ax.key].get<std::string>();
    // The first comparison (the summary's top-level power and estimate are copies of it).
    const std::string at = "rows[" + std::to_string(i) + "].summary";
    const auto c = member_from_json<std::vector<ComparisonCharacteristics>>(r["summary"], "comparisons", "sweep.json", at);
    const auto ss = member_from_json<SampleSizeCharacteristics>(r["summary"], "sample_size", "sweep.json", at);
    char buf[256];
    std::snprintf(buf, sizeof buf, "  power %.4f (MC SE %.4f)  estimate %.3f  true %.3f  screened/rand %.2f   %s\n",
                  c[0].power.estimate.value, c[0].power.estimate.mc_se, c[0].estimate.mean.value, c[0].estimate.truth.value,
                  ss.screened_per_randomised.value, label.c_str());
    out << buf;
  }
  return out.str();
}

}  // namespace celltrial
