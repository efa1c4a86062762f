#include "celltrial/report/html.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <type_traits>
#include <vector>

#include "celltrial/core/error.hpp"
#include "celltrial/design/operating_characteristics.hpp"
#include "celltrial/report/svg.hpp"
#include "celltrial/version_info.hpp"

namespace celltrial {

namespace fs = std::filesystem;
using nlohmann::json;

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

namespace {

// ---- reading ---------------------------------------------------------------------------------

std::optional<std::string> read_bytes(const fs::path& p) {
  std::error_code ec;
  if (!fs::is_regular_file(p, ec)) return std::nullopt;
  std::ifstream f(p, std::ios::binary);
  if (!f) {
    throw Error(ExitCode::no_input, Diagnostic{Location{p.string(), 0, 0}, "", "cannot be read.",
                                               "check the file's permissions."});
  }
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

json parse_json(const std::string& text, const fs::path& p) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    // Turn the byte offset into a line and column.
    int line = 1, column = 1;
    const std::size_t end = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, text.size());
    for (std::size_t k = 0; k < end; ++k) {
      if (text[k] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    throw Error(ExitCode::data, Diagnostic{Location{p.string(), line, column}, "",
                                           "is not valid JSON (" + std::string(e.what()) + ").",
                                           "write the folder again with celltrial, or restore the file."});
  } catch (const json::exception& e) {
    // Valid syntax the reader cannot hold, e.g. a number beyond the range of a double (1e400).
    throw Error(ExitCode::data, Diagnostic{Location{p.string(), 0, 0}, "", "cannot be read (" + std::string(e.what()) + ").",
                                           "write the folder again with celltrial, or restore the file."});
  }
}

// ---- formatting ------------------------------------------------------------------------------

const json* at(const json& j, std::initializer_list<const char*> path) {
  const json* cur = &j;
  for (const char* key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

/// A number with `digits` decimals, or "NA" when missing, null or not a finite number.
std::string fixed(const json* v, int digits) {
  if (v == nullptr || !v->is_number()) return "NA";
  const double x = v->get<double>();
  if (!std::isfinite(x)) return "NA";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

/// A number with `sig` significant digits, or "NA".
std::string sig(const json* v, int digits = 4) {
  if (v == nullptr || !v->is_number()) return "NA";
  if (v->is_number_integer()) return v->dump();
  const double x = v->get<double>();
  if (!std::isfinite(x)) return "NA";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, x);
  return buf;
}

/// Text of any JSON value: strings unquoted, numbers via sig(), arrays joined, "NA" for null.
std::string text(const json* v) {
  if (v == nullptr || v->is_null()) return "NA";
  if (v->is_string()) return v->get<std::string>();
  if (v->is_number()) return sig(v, 6);
  if (v->is_boolean()) return v->get<bool>() ? "yes" : "no";
  if (v->is_array()) {
    if (v->empty()) return "none";
    std::string s;
    for (const auto& x : *v) s += (s.empty() ? "" : ", ") + text(&x);
    return s;
  }
  return v->dump();
}

std::string ci(const json* v, int digits) {
  if (v == nullptr || !v->is_array() || v->size() != 2) return "NA";
  const std::string lo = fixed(&(*v)[0], digits), hi = fixed(&(*v)[1], digits);
  if (lo == "NA" || hi == "NA") return "NA";
  return lo + " to " + hi;
}

std::string h(const std::string& s) { return html_escape(s); }

// The same for typed values (NaN is "NA", as null is).
std::string fixed(double x, int digits) {
  const json j = json_number(x);
  return fixed(&j, digits);
}
std::string sig(double x, int digits) {
  const json j = json_number(x);
  return sig(&j, digits);
}
std::string with_se(const Estimate& e, int d = 4) { return fixed(e.value, d) + " (" + fixed(e.mc_se, d) + ")"; }
std::string ci(const Share& x, int digits) {
  const std::string lo = fixed(x.ci95_low, digits), hi = fixed(x.ci95_high, digits);
  if (lo == "NA" || hi == "NA") return "NA";
  return lo + " to " + hi;
}
/// Numbers as text() shows a JSON array of them.
template <class T>
std::string text(const std::vector<T>& xs, int digits = 6) {
  if (xs.empty()) return "none";
  std::string s;
  for (const T& x : xs) {
    if constexpr (std::is_floating_point_v<T>)
      s += (s.empty() ? "" : ", ") + sig(x, digits);
    else
      s += (s.empty() ? "" : ", ") + std::to_string(x);
  }
  return s;
}

/// A typed value as text() shows it in JSON: numbers with 6 significant digits, counts whole, text
/// as it is ("NA" when empty), yes/no.
std::string text(double x) { return sig(x, 6); }
template <std::integral I>
std::string text(I x) {
  if constexpr (std::is_same_v<I, bool>)
    return x ? "yes" : "no";
  else
    return std::to_string(x);
}
std::string text(const std::string& x) { return x.empty() ? "NA" : x; }
/// A per-trial mean with its MC SE: "mean (mc_se)", the mean with `d` significant digits.
std::string mean_with_se(const TrialMean& m, int d = 4) { return sig(m.mean.value, d) + " (" + sig(m.mean.mc_se, 2) + ")"; }

struct Table {
  std::ostringstream os;
  explicit Table(const std::vector<std::string>& head, const std::string& cls = "") {
    os << "<table" << (cls.empty() ? "" : " class=\"" + cls + "\"") << "><thead><tr>";
    for (const auto& x : head) os << "<th>" << h(x) << "</th>";
    os << "</tr></thead><tbody>\n";
  }
  void row(const std::vector<std::string>& cells, bool highlight = false) {
    os << (highlight ? "<tr class=\"chosen\">" : "<tr>");
    bool first = true;
    for (const auto& x : cells) {
      os << (first ? "<th scope=\"row\">" : "<td>") << h(x) << (first ? "</th>" : "</td>");
      first = false;
    }
    os << "</tr>\n";
  }
  std::string str() const { return "<div class=\"scroll\">" + os.str() + "</tbody></table></div>\n"; }
};

constexpr const char* kStyle = R"(
body{font-family:"DejaVu Sans",Helvetica,Arial,sans-serif;margin:2em auto;max-width:1100px;color:#1a1a1a;
line-height:1.4;padding:0 1em}
h1{font-size:1.6em;border-bottom:2px solid #2b5d8a;padding-bottom:.3em}
h2{font-size:1.25em;color:#2b5d8a;margin-top:1.8em}
h3{font-size:1.05em;margin-bottom:.4em}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.92em;max-width:100%}
th,td{border:1px solid #c8d0d8;padding:.3em .6em;text-align:right;vertical-align:top;overflow-wrap:anywhere}
table.wide{font-size:.78em;table-layout:fixed;width:100%}
table.wide th,table.wide td{padding:.25em .3em}
table.rules td,table.assumptions td,table.glance td:last-child{text-align:left}
svg.chart{max-width:100%;height:auto;display:block;margin:.5em 0}
.glance{border:1px solid #c8d0d8;background:#fafcfe;padding:.2em 1em .6em;margin:1em 0}
thead th{background:#e8eef4;text-align:center}
tbody th{text-align:left;font-weight:normal;background:#f7f9fb}
table.provenance td,table.comparison td:last-child{text-align:left}
.warning{color:#8a4b00;font-weight:bold}
tr.chosen td,tr.chosen th{background:#fff4cc;font-weight:bold}
pre{background:#f4f4f4;border:1px solid #ddd;padding:.8em;overflow-x:auto;font-size:.85em}
.note{color:#555;font-size:.9em}
.description{font-style:italic}
img{max-width:100%;border:1px solid #ddd}
.scroll{overflow-x:auto}
@media print{body{margin:0;max-width:none}h2{page-break-after:avoid}table{page-break-inside:avoid}}
)";

void provenance(std::ostream& os, const ReportInputs& in) {
  os << "<h2 id=\"provenance\">Provenance</h2>\n";
  const json empty = json::object();
  const json& run = in.run ? *in.run : empty;
  if (!in.run) os << "<p class=\"note\">run.json is not in the folder: provenance comes from summary.json only.</p>\n";
  Table t({"Item", "Value"}, "provenance");
  auto known = [&](const char* label, const json* v) {
    t.row({label, v != nullptr && !v->is_null() ? text(v) : "not recorded in this folder"});
  };
  known("celltrial version", at(run, {"celltrial_version"}));
  known("git commit", at(run, {"git_commit"}));
  const OperatingCharacteristics& oc = in.summary;
  t.row({"seed", text(oc.seed)});
  t.row({"trials", text(oc.trials)});
  known("threads", at(run, {"threads"}));
  if (const json* r = at(run, {"mpi_ranks"}); r != nullptr && r->is_number() && r->get<double>() > 1)
    t.row({"MPI ranks", text(r)});
  known("date (UTC, finished)", at(run, {"finished_utc"}));
  known("started (UTC)", at(run, {"started_utc"}));
  if (const json* c = at(run, {"command"})) t.row({"command", "celltrial " + text(c)});
  if (const json* w = at(run, {"wall_seconds"}); w != nullptr && w->is_number()) t.row({"wall time (s)", sig(w, 4)});
  else known("wall time (s)", nullptr);
  known("scenario source", at(run, {"scenario_source"}));
  known("overrides (--set)", at(run, {"overrides"}));
  const AnalysisCharacteristics& a = oc.analysis;
  t.row({"analysis", text(a.method) + ", primary visit " + text(a.primary_visit_months) + " months, alpha " + text(a.alpha) +
                         " (" + text(a.sides) + "-sided), multiplicity " + text(a.multiplicity)});
  t.row({"report written by", std::string("celltrial ") + build::version + " (commit " + build::git_commit + ")"});
  os << t.str();
}

void comparison(std::ostream& os, const ComparisonCharacteristics& c) {
  const Share& p = c.power;
  const Share& pf = c.power_favourable;
  const EffectEstimate& e = c.estimate;
  os << "<h3>" << h(text(c.label)) << "</h3>\n";
  Table t({"Quantity", "Estimate", "MC SE", "95% CI", "Note"}, "comparison");
  t.row({"power (reject H0)", fixed(p.estimate.value, 4), fixed(p.estimate.mc_se, 4), ci(p, 4),
         text(p.count) + " of " + text(p.of) + " trials"});
  t.row({"power, favourable direction", fixed(pf.estimate.value, 4), fixed(pf.estimate.mc_se, 4), ci(pf, 4), ""});
  if (const auto& a = c.assurance)
    t.row({"assurance (effect prior)", fixed(a->estimate.value, 4), fixed(a->estimate.mc_se, 4), ci(*a, 4), text(a->meaning)});
  t.row({"mean estimate", sig(e.mean.value, 4), sig(e.mean.mc_se, 2), "", ""});
  t.row({"true effect", sig(e.truth.value, 4), sig(e.truth.mc_se, 2), "", text(e.true_source)});
  t.row({"bias", sig(e.bias.value, 4), sig(e.bias.mc_se, 2), "", ""});
  t.row({"empirical SE", sig(e.empirical_se.value, 4), sig(e.empirical_se.mc_se, 2), "", ""});
  t.row({"mean model SE", sig(e.model_se.value, 4), sig(e.model_se.mc_se, 2), "", ""});
  t.row({"RMSE", sig(e.rmse.value, 4), sig(e.rmse.mc_se, 2), "", ""});
  t.row({"CI coverage", fixed(e.coverage.value, 4), fixed(e.coverage.mc_se, 4), "",
         "nominal " + text(e.ci_level) + "; " + text(e.estimable_trials) + " estimable trials"});
  const Share& sf = c.safety;
  t.row({"P(SAE excess above threshold)", fixed(sf.estimate.value, 4), fixed(sf.estimate.mc_se, 4), ci(sf, 4),
         "threshold " + text(c.safety_threshold)});
  os << t.str();
}

void operating_characteristics(std::ostream& os, const OperatingCharacteristics& s) {
  os << "<h2 id=\"operating-characteristics\">Operating characteristics</h2>\n";
  os << "<p class=\"note\">Estimates over " << h(text(s.trials))
     << " simulated trials, with Monte Carlo standard errors (MC SE). Confidence intervals of proportions are Wilson "
        "95% intervals. NA: not available.</p>\n";
  for (const ComparisonCharacteristics& c : s.comparisons) comparison(os, c);
  const AdaptiveCharacteristics& adaptive = s.adaptive;
  if (adaptive.any_rejection || adaptive.all_rejections) {
    Table t({"Across active arms", "Estimate", "MC SE", "95% CI"}, "family");
    for (const auto& [label, x] : {std::pair{"any rejection", &adaptive.any_rejection}, {"all rejections", &adaptive.all_rejections}})
      if (*x) t.row({label, fixed((*x)->estimate.value, 4), fixed((*x)->estimate.mc_se, 4), ci(**x, 4)});
    os << t.str();
  }

  os << "<h2 id=\"arms\">Arms</h2>\n";
  Table arms({"Arm", "Role", "Randomised", "Analysed (MC SE)", "Mean change (MC SE)", "SAEs (MC SE)",
              "Infusion reactions (MC SE)", "Mean dose (MC SE)", "Dose unit"},
             "arms");
  const auto mean_se = [](const Estimate& e, int d) { return sig(e.value, d) + " (" + sig(e.mc_se, 2) + ")"; };
  for (const ArmCharacteristics& x : s.arms)
    arms.row({text(x.name), text(x.role), sig(x.randomised_mean, 5), mean_se(x.analysed_mean, 5), mean_se(x.mean_change, 4),
              mean_se(x.sae, 4), mean_se(x.infusion_reactions, 4),
              std::isfinite(x.mean_dose.value) ? mean_se(x.mean_dose, 4) : std::string("no product"),
              x.dose_unit.empty() ? "no product" : x.dose_unit});
  os << "<p class=\"note\">Means per simulated trial: participants randomised and analysed, mean change from "
        "baseline at the primary visit, serious adverse events, infusion reactions, dose received.</p>\n"
     << arms.str();

  os << "<h2 id=\"enrolment\">Enrolment</h2>\n";
  Table en({"Quantity", "Estimate", "MC SE"}, "enrolment");
  const SampleSizeCharacteristics& n = s.sample_size;
  const EnrolledCharacteristics& who = s.enrolled;
  en.row({"screened per trial", sig(n.screened.value, 5), sig(n.screened.mc_se, 2)});
  en.row({"screened per randomised", sig(n.screened_per_randomised.value, 4), sig(n.screened_per_randomised.mc_se, 2)});
  en.row({"randomised per trial", sig(n.randomised_mean.value, 5), sig(n.randomised_mean.mc_se, 2)});
  en.row({"analysed per trial", sig(n.analysed_mean.value, 5), sig(n.analysed_mean.mc_se, 2)});
  en.row({"mean age (months)", sig(who.mean_age_months.value, 4), sig(who.mean_age_months.mc_se, 2)});
  en.row({"share under 5 years", fixed(who.share_under_5_years.value, 4), fixed(who.share_under_5_years.mc_se, 4)});
  en.row({"share GMFCS I-III", fixed(who.share_gmfcs_I_III.value, 4), fixed(who.share_gmfcs_I_III.mc_se, 4)});
  // Recruitment in calendar time (design.accrual): mean, and the 5 % to 95 % range of the trials.
  for (const auto& [d, label] : {std::pair{&s.accrual_months, "months of accrual (first to last randomisation)"},
                                 {&s.duration_months, "months to the last primary-visit assessment"}})
    if (*d)
      en.row({std::string(label) + ", 5-95 % of trials " + sig((*d)->q05, 3) + "-" + sig((*d)->q95, 3), sig((*d)->mean.value, 4),
              sig((*d)->mean.mc_se, 2)});
  os << en.str();
  os << "<p class=\"note\">Diagnostics: " << h(text(s.diagnostics.not_estimable)) << " comparisons not estimable; "
     << h(text(s.diagnostics.values_out_of_range)) << " simulated values out of range.</p>\n";
}

// Trials in time (summary "follow_up", "delayed_treatment"): each visit per arm, and the delayed
// group's second period.
void follow_up(std::ostream& os, const OperatingCharacteristics& s) {
  if (!s.follow_up) return;
  const FollowUpCharacteristics& f = *s.follow_up;
  os << "<h2 id=\"visits\">Visits</h2>\n"
     << "<p class=\"note\">Per visit and arm, means over trials (MC SE): the share of children assessed, the mean change "
        "from baseline of the assessed, and of every child as it happened (assessed or not, known to the simulation); "
        "the difference is what looking only at the assessed children does.</p>\n";
  Table t({"Month", "Arm", "share assessed", "mean change, assessed", "mean change, all"}, "visits");
  for (const Visit& v : f.visits)
    for (const VisitArm& a : v.arms)
      t.row({sig(v.month, 4), text(a.name), mean_with_se(a.observed_share), mean_with_se(a.mean_change_observed),
             mean_with_se(a.mean_change_all)});
  os << t.str();
  Table arms({"Arm", "dropped out by the last visit", "intercurrent event by the last visit"}, "visits");
  for (const FollowUpArm& a : f.arms) arms.row({text(a.name), mean_with_se(a.dropped_out_share), mean_with_se(a.intercurrent_event_share)});
  os << arms.str();
  if (const auto& d = s.delayed_treatment) {
    os << "<h3>Delayed treatment at month " << h(sig(d->start_month, 4)) << "</h3>\n<p class=\"note\">"
       << h(text(d->comparison)) << ".</p>\n";
    Table dt({"Quantity", "Estimate", "MC SE"}, "delayed");
    dt.row({"delayed group's gain", sig(d->delayed_gain.mean.value, 4), sig(d->delayed_gain.mean.mc_se, 2)});
    dt.row({"early group's gain", sig(d->early_gain.mean.value, 4), sig(d->early_gain.mean.mc_se, 2)});
    dt.row({"difference (delayed - early)", sig(d->estimate.mean.value, 4), sig(d->estimate.mean.mc_se, 2)});
    dt.row({"power to detect the difference", fixed(d->power.estimate.value, 4), fixed(d->power.estimate.mc_se, 4)});
    os << dt.str();
  }
}

// The type I error under the null hypothesis at each point of the nuisance grid, and the worst point.
void nuisance_grid(std::ostream& os, const OperatingCharacteristics& s) {
  if (!s.nuisance_grid) return;
  const NuisanceGridCharacteristics& g = *s.nuisance_grid;
  const auto settings = [](const std::map<std::string, std::string>& x) {
    std::string t;
    for (const auto& [k, v] : x) t += (t.empty() ? "" : "; ") + k + " = " + v;
    return t;
  };
  std::string meaning = text(g.meaning);
  meaning[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(meaning[0])));
  os << "<h2 id=\"nuisance-grid\">Type I error over the nuisance grid</h2>\n<p class=\"note\">" << h(meaning) << ". "
     << h(text(g.trials_per_point)) << " trials per point; level " << h(sig(g.level, 6)) << " (alpha " << h(sig(g.alpha, 6))
     << ", " << g.sides << "-sided).</p>\n";
  const bool family = !g.points.empty() && g.points.front().family_wise.has_value();
  std::vector<std::string> head{"Point", "Settings", "Type I error (MC SE)"};
  if (family) head.push_back("Family-wise (MC SE)");
  Table t(head, "wide");
  for (std::size_t i = 0; i < g.points.size(); ++i) {
    const NuisancePoint& p = g.points[i];
    std::vector<std::string> row{std::to_string(i + 1), settings(p.settings), with_se(p.type_one_error.estimate)};
    if (family) row.push_back(p.family_wise ? with_se(p.family_wise->estimate) : "NA");
    t.row(row, g.worst && g.worst->point == i + 1);
  }
  os << t.str();
  if (const auto& w = g.worst)
    os << "<p>Worst point " << w->point << " (" << h(w->measure == "family_wise" ? "family-wise rate" : "type I error") << " "
       << h(with_se(w->rate)) << "): " << (w->within_level ? "within" : "<b>above</b>") << " the level + 3 MC SE.</p>\n";
}

void power_curve(std::ostream& os, const ReportInputs& in) {
  if (!in.power_curve && !in.power_png) return;
  os << "<h2 id=\"power-curve\">Simulated power curve</h2>\n";
  if (in.power_curve) {
    const json& pc = *in.power_curve;
    const json* pc_name = at(pc, {"scenario"});
    if (pc_name != nullptr && !(pc_name->is_string() && pc_name->get<std::string>() == in.summary.scenario))
      os << "<p class=\"warning\">Note: the power curve is for scenario " << h(text(pc_name))
         << ", not for the simulated scenario " << h(text(in.summary.scenario)) << " reported above.</p>\n";
    os << "<p>Target power " << h(text(at(pc, {"target_power"}))) << " (success: " << h(text(at(pc, {"success"})))
       << "). Chosen total N " << h(text(at(pc, {"n_total"}))) << " (per arm " << h(text(at(pc, {"n_per_arm"})))
       << "), power " << h(fixed(at(pc, {"power"}), 4)) << " (MC SE " << h(fixed(at(pc, {"power_mc_se"}), 4))
       << "); confidence that the power reaches the target " << h(fixed(at(pc, {"confidence_power_at_least_target"}), 3))
       << "; target reached: " << h(text(at(pc, {"reached"}))) << ". Seed " << h(text(at(pc, {"seed"})))
       << ", scenario " << h(text(at(pc, {"scenario"}))) << ".</p>\n";
    Table t({"Total N", "Trials", "Power", "MC SE", "95% CI"}, "power-curve");
    const json* chosen = at(pc, {"n_total"});
    if (const json* curve = at(pc, {"curve"}); curve != nullptr && curve->is_array()) {
      for (const auto& p : *curve) {
        const json* n = at(p, {"n"});
        const bool is_chosen = n != nullptr && chosen != nullptr && *n == *chosen;
        t.row({text(n), text(at(p, {"trials"})), fixed(at(p, {"power"}), 4), fixed(at(p, {"mc_se"}), 4),
               ci(at(p, {"ci95"}), 4)},
              is_chosen);
      }
    }
    os << t.str();
    if (const json* a = at(pc, {"assurance"}))
      os << "<p>Assurance under the effect prior at N = " << h(text(at(*a, {"n_total"}))) << ": "
         << h(fixed(at(*a, {"estimate"}), 4)) << " (MC SE " << h(fixed(at(*a, {"mc_se"}), 4)) << ").</p>\n";
  }
  if (in.power_png) {
    os << "<figure><img alt=\"Simulated power by total sample size\" src=\"data:image/png;base64,"
       << base64_encode(*in.power_png) << "\"><figcaption class=\"note\">Power by total sample size with 95% "
       << "Monte Carlo intervals (power_curve.png).</figcaption></figure>\n";
  }
}


void figure(std::ostream& os, const ReportInputs& in, const std::string& stem, const std::string& caption) {
  const auto it = in.images.find(stem);
  if (it == in.images.end()) return;
  os << "<figure><img alt=\"" << h(caption) << "\" src=\"data:image/png;base64," << base64_encode(it->second)
     << "\"><figcaption class=\"note\">" << h(caption) << " (" << h(stem) << ".png)</figcaption></figure>\n";
}

std::string with_se(const json* v, const json* se, int d = 4) { return fixed(v, d) + " (" + fixed(se, d) + ")"; }

void subgroups(std::ostream& os, const ReportInputs& in) {
  const OperatingCharacteristics& s = in.summary;
  if (!s.subgroups.empty()) {
    const std::vector<SubgroupCharacteristics>& gs = s.subgroups;
    os << "<h2 id=\"subgroups\">Subgroups</h2>\n<p class=\"note\">Each subgroup is analysed by the primary ANCOVA within "
          "the subgroup and within its complement; the interaction is the difference between the two effects, from one "
          "model with arm x subgroup terms, tested two-sided at the stated level. Power: favourable rejection (under the "
          "multiplicity procedure for confirmatory hypotheses, marked *). True effects: mean expected effect of "
          "eligible children inside / outside the subgroup (pre-run). Values are estimate (MC SE).</p>\n";
    Table t({"Subgroup", "Definition", "Prevalence", "Analysed", "Estimate", "True", "Power", "Power unadjusted",
             "Complement estimate", "Complement true", "Interaction", "True interaction", "P(interaction test)"},
            "wide");
    for (const SubgroupCharacteristics& g : gs) {
      std::string def = g.definition;
      for (std::size_t i = def.find(','); i != std::string::npos; i = def.find(',', i + 1))
        if (i + 1 < def.size() && def[i + 1] != ' ') def.insert(i + 1, " ");  // "GMFCS I,II,III" wraps
      t.row({g.hypothesis + (g.confirmatory ? " *" : ""), def, fixed(g.prevalence.value, 3), sig(g.analysed_mean.value, 4),
             with_se(g.estimate.mean, 3), fixed(g.estimate.truth.value, 3), with_se(g.power.estimate),
             with_se(g.power_unadjusted.estimate), with_se(g.complement.estimate.mean, 3),
             fixed(g.complement.estimate.truth.value, 3), with_se(g.interaction.mean, 3), fixed(g.interaction.truth.value, 3),
             with_se(g.interaction.power.estimate)});
    }
    os << t.str();
    for (const SubgroupCharacteristics& g : gs)
      if (!g.note.empty()) os << "<p class=\"warning\">" << h(g.hypothesis) << ": " << h(g.note) << "</p>\n";
    figure(os, in, "forest", "Estimates in everyone, each subgroup and its complement: one simulated trial with its CI, and the "
                             "sampling distribution over all trials (mean +- 1.96 SD), with the true effects");
  }
  if (s.family) {
    const FamilyCharacteristics& m = *s.family;
    os << "<h2 id=\"multiplicity\">Multiplicity</h2>\n<p>Procedure <b>" << h(m.procedure) << "</b> at alpha "
       << h(text(m.alpha)) << " (" << h(text(m.sides)) << "-sided)";
    if (!m.weights.empty()) os << ", weights " << h(json(m.weights).dump());
    if (!m.transitions.empty()) os << ", transitions " << h(json(m.transitions).dump());
    os << ".</p>\n";
    Table t({"Hypothesis", "Power (MC SE)", "Power unadjusted (MC SE)"});
    for (const FamilyHypothesis& x : m.hypotheses)
      t.row({x.name, with_se(x.power.estimate), with_se(x.power_unadjusted.estimate)});
    os << t.str();
    Table c({"Probability", "Estimate (MC SE)", "Meaning"});
    for (const auto& [k, x] : {std::pair<const char*, const Share*>{"at_least_one", &m.at_least_one},
                               {"all", &m.all},
                               {"any_rejection", &m.any_rejection}})
      c.row({k, with_se(x->estimate), x->meaning.empty() ? std::string("NA") : x->meaning});
    for (const ClaimCharacteristics& x : m.claims)
      c.row({"claim " + x.name, with_se(x.share.estimate), "all of " + json(x.all_of).dump() + " rejected favourably"});
    os << c.str();
  }
}

// ---- group-sequential and adaptive designs (summary "interims", "stopping", ...) -------------

/// A count of children: a whole number (quantiles of N come from histogram bins whose centres lie
/// within 0.05 % of the order statistic, e.g. 400.125 for 400).
std::string whole(double x) {
  if (!std::isfinite(x)) return "NA";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f", std::round(x));
  return buf;
}
std::string whole(const json* v) { return v != nullptr && v->is_number() ? whole(v->get<double>()) : "NA"; }

/// The futility bound on the Z scale at look k (information t), from the futility rule: the
/// beta-spending bound, a Z threshold, or the Z below which the conditional power under the current
/// trend, 1 - Phi((c_K - Z / sqrt(t)) / sqrt(1 - t)), falls below the threshold. NaN when there is none.
double futility_z(const InterimFutility& f, std::size_t k, double t, double c_final) {
  if (f.bounds && k < f.bounds->size()) return (*f.bounds)[k];
  const double thr = f.threshold ? *f.threshold : std::numeric_limits<double>::quiet_NaN();
  if (!std::isfinite(thr)) return std::numeric_limits<double>::quiet_NaN();
  if (f.rule == "z") return thr;
  if (f.rule == "conditional-power" && t > 0 && t < 1 && thr > 0 && thr < 1) {
    // CP = thr  <=>  (c - Z / sqrt(t)) / sqrt(1 - t) = Phi^-1(1 - thr); Phi^-1 by bisection on erfc.
    double lo = -10, hi = 10;
    for (int i = 0; i < 200; ++i) {
      const double mid = (lo + hi) / 2;
      (0.5 * std::erfc(mid / std::sqrt(2.0)) > thr ? lo : hi) = mid;  // upper tail of N(0, 1)
    }
    const double zq = (lo + hi) / 2;  // P(N(0,1) > zq) = thr
    return std::sqrt(t) * (c_final - zq * std::sqrt(1 - t));
  }
  return std::numeric_limits<double>::quiet_NaN();
}

/// The children at the primary visit at interim look k: planned, or the mean over the trials that
/// held a look at a calendar month.
std::string children_at_look(const InterimCharacteristics& in, std::size_t k) {
  if (in.months) return k < in.mean_children_at_look.size() ? sig(in.mean_children_at_look[k], 6) : "not recorded";
  return k < in.children_at_look.size() ? std::to_string(in.children_at_look[k]) : "not recorded";
}

void interims(std::ostream& os, const OperatingCharacteristics& s) {
  const AdaptiveCharacteristics& adaptive = s.adaptive;
  if (!adaptive.interims || !adaptive.stopping) return;
  const InterimCharacteristics& in = *adaptive.interims;
  const StoppingCharacteristics& st = *adaptive.stopping;
  os << "<h2 id=\"interims\">Interim analyses</h2>\n";
  const std::size_t K = in.information.size();  // analyses, the final one included
  const std::vector<double>& crit = in.critical_values;
  const double c_final = crit.empty() ? NAN : crit.back();
  const std::string& rule = in.futility.rule;
  const bool has_futility = rule != "none";
  os << "<p>" << (K > 0 ? K - 1 : 0) << " interim look" << (K == 2 ? "" : "s") << " and a final analysis; efficacy bound <b>"
     << h(in.boundary) << "</b>" << (std::isfinite(in.parameter) ? " (parameter " + h(sig(in.parameter, 6)) + ")" : "")
     << " at overall one-sided alpha " << h(sig(in.alpha, 6)) << " (" << in.sides << "-sided test); futility: "
     << (has_futility ? h(rule) + " at " + h(in.futility.threshold ? sig(*in.futility.threshold, 6) : "NA") +
                            (in.futility.binding ? " (binding)" : " (non-binding)")
                      : std::string("none"))
     << ". " << h(in.critical_values_scale) << ".</p>\n";
  // Per analysis: the design and what the simulated trials did there.
  Table t({"Analysis", "Information", "Children at the look", "Month (MC SE)", "Efficacy bound Z", "Nominal alpha",
           "Cumulative alpha", "Futility bound Z", "P(efficacy) (MC SE)", "P(futility stop) (MC SE)", "Trials with Z",
           "Z median (5-95 %)"},
          "wide");
  const auto at_k = [](const std::vector<double>& xs, std::size_t k) { return k < xs.size() ? xs[k] : NAN; };
  BoundaryChart chart;
  chart.two_sided = in.sides == 2;
  for (std::size_t k = 0; k < K; ++k) {
    const bool last = k + 1 == K;
    const double tk = in.information[k];
    const double fz = last ? NAN : futility_z(in.futility, k, tk, c_final);
    chart.information.push_back(tk);
    chart.efficacy.push_back(at_k(crit, k));
    chart.futility.push_back(fz);
    std::array<double, 7> q{};
    q.fill(NAN);
    std::string trials = "not recorded", zmed = "not recorded";
    if (k < in.z_distribution.analyses.size()) {
      const ZAnalysis& a = in.z_distribution.analyses[k];
      q = a.quantiles;  // at 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95
      trials = std::to_string(a.trials);
      zmed = fixed(q[3], 2) + " (" + fixed(q[0], 2) + " to " + fixed(q[6], 2) + ")";
    }
    chart.z_quantiles.push_back(q);
    t.row({last ? "final" : "look " + std::to_string(k + 1), fixed(tk, 3), last ? "all" : children_at_look(in, k),
           last ? "—" : (k < in.look_months.size() ? with_se(in.look_months[k].mean, 1) : "not recorded"),
           fixed(at_k(crit, k), 3), sig(at_k(in.nominal_alpha, k), 3), sig(at_k(in.cumulative_alpha, k), 3),
           std::isfinite(fz) ? fixed(fz, 3) : "none", k < st.efficacy.size() ? with_se(st.efficacy[k].estimate) : "NA",
           last ? "—" : (k < st.futility.size() ? with_se(st.futility[k].estimate) : "NA"), trials, zmed});
  }
  os << t.str();
  os << "<figure>" << svg_boundaries(chart)
     << "<figcaption class=\"note\">Efficacy (and futility) bounds on the Z scale at each analysis, with the distribution of the "
        "simulated Z statistic over the trials that made that analysis (a trial stopped at a look makes no later analysis; "
        "after a sample-size increase or an enrichment the final Z is the combination test's). Boxes: 25-75 % and 10-90 %; "
        "whiskers: 5-95 %; thick line: median.</figcaption></figure>\n";
  // Stopping probabilities by analysis.
  {
    BarChart b;
    b.ylabel = "probability";
    b.series = {"efficacy (benefit)"};
    if (has_futility) b.series.push_back("futility stop");
    b.value.assign(b.series.size(), {});
    b.mc_se.assign(b.series.size(), {});
    for (std::size_t k = 0; k < K; ++k) {
      b.groups.push_back(k + 1 == K ? "final" : "look " + std::to_string(k + 1));
      const Share* e = k < st.efficacy.size() ? &st.efficacy[k] : nullptr;
      b.value[0].push_back(e ? e->estimate.value : NAN);
      b.mc_se[0].push_back(e ? e->estimate.mc_se : NAN);
      if (has_futility) {
        const Share* f = k < st.futility.size() ? &st.futility[k] : nullptr;
        b.value[1].push_back(f ? f->estimate.value : NAN);
        b.mc_se[1].push_back(f ? f->estimate.mc_se : NAN);
      }
    }
    os << "<figure>" << svg_bars(b)
       << "<figcaption class=\"note\">Probability of crossing the efficacy bound (in the direction of benefit) at each analysis"
       << (has_futility ? " and of stopping for futility at each look" : "")
       << ", with 95 % Monte Carlo intervals (estimate +- 1.96 MC SE).</figcaption></figure>\n";
  }
  Table o({"Quantity", "Estimate (MC SE)", "Note"}, "glance");
  o.row({"P(stop at an interim look)", with_se(st.any_interim.estimate), "efficacy or futility"});
  o.row({"P(efficacy at any analysis)", with_se(st.efficacy_any.estimate), "the design's power (benefit)"});
  const EffectEstimate& naive = in.estimate_at_stopping.estimate;
  o.row({"naive estimate at the decision: mean", with_se(naive.mean, 3), "true " + fixed(naive.truth.value, 3)});
  o.row({"its bias", with_se(naive.bias, 3), in.estimate_at_stopping.meaning});
  o.row({"its RMSE", with_se(naive.rmse, 3), ""});
  o.row({"coverage of its fixed-design CI", with_se(naive.coverage, 4), "nominal " + sig(naive.ci_level, 6)});
  os << o.str();

  // Sample size and duration.
  os << "<h3 id=\"sample-size\">Sample size and duration</h3>\n";
  Table n({"Quantity", "Expected (MC SE)", "SD", "5 %", "25 %", "Median", "75 %", "95 %", "Maximum"}, "wide");
  std::vector<BoxRow> boxes_n, boxes_d;
  if (const auto& ss = adaptive.sample_size) {
    const Distribution& d = ss->distribution;
    std::vector<std::string> row{"children randomised (N)", fixed(ss->expected.value, 1) + " (" + fixed(ss->expected.mc_se, 2) + ")",
                                 fixed(d.sd, 1)};
    BoxRow b{"children randomised", {}, ss->expected.value};
    int i = 0;
    for (double q : {d.q05, d.q25, d.q50, d.q75, d.q95}) {
      row.push_back(whole(q));
      b.q[static_cast<std::size_t>(i++)] = std::round(q);
    }
    row.push_back(ss->max_observed ? text(*ss->max_observed) + " (design " + text(ss->max) + ")" : text(ss->max) + " (design)");
    n.row(row);
    boxes_n.push_back(b);
  }
  if (const auto& d = s.duration_months) {
    std::vector<std::string> row{"months to the decision", fixed(d->mean.value, 1) + " (" + fixed(d->mean.mc_se, 2) + ")",
                                 fixed(d->sd, 1)};
    BoxRow b{"months to the decision", {}, d->mean.value};
    int i = 0;
    for (double q : {d->q05, d->q25, d->q50, d->q75, d->q95}) {
      row.push_back(fixed(q, 1));
      b.q[static_cast<std::size_t>(i++)] = q;
    }
    const auto& longest = adaptive.duration ? adaptive.duration->max_observed : std::nullopt;
    row.push_back(longest ? fixed(*longest, 1) : "not recorded");
    n.row(row);
    boxes_d.push_back(b);
  }
  os << n.str();
  os << "<p class=\"note\">Quantiles over the simulated trials (children as whole numbers; months within "
     << "0.05 % of the order statistic). N: children randomised — a trial stopped at a look randomises those recruited by "
        "then, and they are followed up; duration: months from the first site's opening to the decision.</p>\n";
  if (!boxes_n.empty()) os << "<figure>" << svg_boxes(boxes_n, "children randomised per trial") << "</figure>\n";
  if (!boxes_d.empty())
    os << "<figure>" << svg_boxes(boxes_d, "months from the first site's opening to the decision")
       << "<figcaption class=\"note\">Distributions over the simulated trials: whiskers 5-95 %, box 25-75 %, line the median, "
          "dot the mean.</figcaption></figure>\n";

  // Sample-size re-estimation.
  if (const auto& r = adaptive.sample_size_reestimation) {
    os << "<h3 id=\"reestimation\">Sample-size re-estimation</h3>\n<p>Rule <b>" << h(text(r->rule)) << "</b> at look "
       << h(text(r->at_look)) << " (" << h(text(r->children_at_look)) << " children): planned N "
       << h(text(r->planned_sample_size)) << ", at most " << h(text(r->max_sample_size)) << ", target conditional power "
       << h(text(r->target_power));
    if (const auto& z = r->promising_zone)
      os << ", promising zone of conditional power " << h(text(z->lower)) << " to " << h(text(z->upper));
    os << ". " << h(text(r->weights_meaning)) << ".</p>\n";
    Table rt({"Quantity", "Estimate (MC SE)", "Meaning"}, "glance");
    for (const auto& [k, x] : {std::pair{"decided", &r->decided}, {"increase", &r->increase}, {"no_increase", &r->no_increase}})
      rt.row({k, with_se(x->estimate), text(x->meaning)});
    if (const auto& z = r->zones)  // in the order of their names
      for (const auto& [name, x] : {std::pair{"favourable", &z->favourable}, {"promising", &z->promising}, {"unfavourable", &z->unfavourable}})
        rt.row({std::string("zone: ") + name, with_se(x->estimate), text(x->meaning)});
    rt.row({"N if increased", with_se(r->sample_size_if_increased.mean.mean, 1), text(r->sample_size_if_increased.meaning)});
    rt.row({"conditional power at the look", with_se(r->conditional_power_at_look.mean.mean),
            text(r->conditional_power_at_look.meaning)});
    rt.row({"naive test (not valid)", with_se(r->naive_test.estimate), text(r->naive_test.meaning)});
    os << rt.str();
  }
  // Adaptive enrichment.
  if (const auto& e = adaptive.enrichment) {
    os << "<h3 id=\"adaptive-enrichment\">Adaptive enrichment</h3>\n<p class=\"note\">" << h(text(e->meaning)) << ".</p>\n";
    Table et({"Quantity", "Everyone", "Subgroup", "Stopped at the look", "Either / any"}, "glance");
    const auto cell = [](const Share& x) { return with_se(x.estimate); };
    et.row({"final population", cell(e->final_population.full), cell(e->final_population.subgroup),
            cell(e->final_population.stopped), "—"});
    et.row({"claim (closed test)", cell(e->claim.full), cell(e->claim.subgroup), "—", cell(e->claim.any)});
    et.row({"claim in the final population", cell(e->claim_in_final_population.full),
            cell(e->claim_in_final_population.subgroup), cell(e->claim_in_final_population.stopped), "—"});
    et.row({"naive tests (not valid)", cell(e->naive_test.full), cell(e->naive_test.subgroup), "—", cell(e->naive_test.any)});
    os << et.str();
    Table bt({"Decision at the look", "Claim in everyone (MC SE)", "Claim in the subgroup (MC SE)", "Children screened (MC SE)",
              "Months to the decision (MC SE)", "Trials"},
             "glance");
    const EnrichmentBySelection& by = e->by_selection;
    for (const auto& [name, x] : {std::pair{"full", &by.full}, {"stopped_efficacy", &by.stopped_efficacy},
                                  {"stopped_futility", &by.stopped_futility}, {"subgroup", &by.subgroup}})  // by name
      bt.row({name, cell(x->full), cell(x->subgroup), with_se(x->screened_mean.mean, 1), with_se(x->duration_months.mean, 1),
              text(x->duration_months.trials)});
    os << bt.str() << "<p class=\"note\">" << h(text(e->by_selection_meaning)) << ".</p>\n";
  }

  // Arm selection.
  if (const auto& e = adaptive.arm_selection) {
    os << "<h3 id=\"arm-selection\">Arm selection</h3>\n<p class=\"note\">" << h(text(e->meaning)) << ".</p>\n";
    // One row per active arm: its true effect, how often it was kept, and its claims.
    const auto by_arm = [](const std::vector<ArmShare>& list, std::size_t c) {
      return c < list.size() ? with_se(list[c].share.estimate) : std::string("—");
    };
    Table arms_table({"Arm", "True effect", "Kept at the look", "Claim (closed test)", "of which at the look", "Naive test (not valid)"},
                     "glance");
    for (std::size_t c = 0; c < e->arms.size(); ++c)
      arms_table.row({text(e->arms[c]), c < e->true_effect.size() ? fixed(e->true_effect[c], 3) : std::string("—"),
                      by_arm(e->selected, c), by_arm(e->claim, c), by_arm(e->claim_at_look, c), by_arm(e->naive_test.claim, c)});
    os << arms_table.str();
    Table ot({"Quantity", "Estimate (MC SE)", "Meaning"}, "glance");
    // The look's decision, then the arms the trials went on with: each group's meaning once.
    ot.row({"the look: went on", with_se(e->outcome.continued.estimate), text(e->outcome.meaning)});
    ot.row({"the look: stopped for efficacy", with_se(e->outcome.stopped_efficacy.estimate), "—"});
    ot.row({"the look: stopped for futility", with_se(e->outcome.stopped_futility.estimate), "—"});
    bool first = true;
    for (const ArmSetShare& x : e->final_selection) {
      std::string arms;
      for (const std::string& name : x.arms) arms += (arms.empty() ? "" : " + ") + name;
      ot.row({"went on with " + arms, with_se(x.share.estimate), first ? text(e->final_selection_meaning) : std::string("—")});
      first = false;
    }
    ot.row({"a claim for at least one arm", with_se(e->claim_any.estimate), text(e->claim_meaning)});
    ot.row({"family-wise error rate", with_se(e->fwer.share.estimate), text(e->fwer.share.meaning)});
    ot.row({"naive tests: any claim (not valid)", with_se(e->naive_test.any.estimate), text(e->naive_test.meaning)});
    ot.row({"naive tests: a claim for an arm without effect", with_se(e->naive_test.false_claim.estimate),
            "the error the closed test controls, without it"});
    os << ot.str();
    if (!e->sample_size_note.empty()) os << "<p class=\"note\">" << h(e->sample_size_note) << ".</p>\n";
  }
}

// ---- the opening summary, the design rules and the assumptions -------------------------------

/// The resolved scenario as JSON: run.json's "scenario" (simulate) or "resolved_scenario" (study),
/// else the power curve's.
const json* resolved_scenario(const ReportInputs& in) {
  if (in.run) {
    if (const json* x = at(*in.run, {"scenario"}); x != nullptr && x->is_object()) return x;
    if (const json* x = at(*in.run, {"resolved_scenario"}); x != nullptr && x->is_object()) return x;
  }
  if (in.power_curve)
    if (const json* x = at(*in.power_curve, {"resolved_scenario"}); x != nullptr && x->is_object()) return x;
  return nullptr;
}

/// Every leaf of `j` as (key path, value text), arrays of scalars kept whole.
void flatten(const json& j, const std::string& path, std::vector<std::pair<std::string, std::string>>& out) {
  const bool scalars = j.is_array() && std::all_of(j.begin(), j.end(), [](const json& x) { return !x.is_structured(); });
  if (j.is_object() && !j.empty()) {
    for (const auto& [k, v] : j.items()) flatten(v, path.empty() ? k : path + "." + k, out);
  } else if (j.is_array() && !scalars && !j.empty()) {
    for (std::size_t i = 0; i < j.size(); ++i) {
      const json* name = j[i].is_object() ? at(j[i], {"name"}) : nullptr;
      flatten(j[i], path + "[" + (name && name->is_string() ? name->get<std::string>() : std::to_string(i)) + "]", out);
    }
  } else {
    out.emplace_back(path, j.is_string() ? j.get<std::string>() : j.dump());
  }
}

/// A sentence per design rule, from the resolved scenario's design and analysis.
std::vector<std::pair<std::string, std::string>> design_rules(const json& sc, const OperatingCharacteristics& s) {
  std::vector<std::pair<std::string, std::string>> r;
  const json* d = at(sc, {"design"});
  const json* a = at(sc, {"analysis"});
  if (d == nullptr || a == nullptr) return r;
  std::string arms;
  if (const json* list = at(sc, {"arms"}); list && list->is_array())
    for (const auto& x : *list)
      arms += (arms.empty() ? "" : "; ") + text(at(x, {"name"})) + " (" + text(at(x, {"role"})) + ", allocation " +
              text(at(x, {"allocation"})) + ")";
  r.emplace_back("arms", arms);
  r.emplace_back("sample size", text(at(*d, {"sample_size"})) + " children randomised in total (" +
                                    text(at(*d, {"randomisation"})) + " randomisation)");
  r.emplace_back("visits", "months " + text(at(*d, {"visits_months"})) + "; primary visit at month " +
                               text(at(*a, {"primary_visit_months"})));
  if (const json* ac = at(*d, {"accrual"}))
    r.emplace_back("recruitment", text(at(*ac, {"sites"})) + " sites, " + text(at(*ac, {"screened_per_site_month"})) +
                                      " children screened per site-month, ramp-up " + text(at(*ac, {"ramp_up_months"})) +
                                      " months");
  else
    r.emplace_back("recruitment", "not modelled in calendar time (all children enrolled at once)");
  std::string analysis = text(at(*a, {"method"})) + " at month " + text(at(*a, {"primary_visit_months"}));
  if (const json* adj = at(*a, {"adjust_for"}); adj && adj->is_array() && !adj->empty()) analysis += ", adjusted for " + text(adj);
  analysis += "; " + text(at(*a, {"sides"})) + "-sided alpha " + text(at(*a, {"alpha"})) + " (direction: " +
              text(at(*a, {"direction"})) + "), CI level " + text(at(*a, {"ci_level"}));
  r.emplace_back("primary analysis", analysis);
  if (const json* m = at(*a, {"multiplicity"}))
    r.emplace_back("multiplicity", m->is_string() ? m->get<std::string>() : text(at(*m, {"procedure"})) + " over " + text(at(*m, {"hypotheses"})));
  if (const json* sg = at(*a, {"subgroups"}); sg && sg->is_array())
    for (const auto& g : *sg) {
      std::vector<std::pair<std::string, std::string>> f;
      flatten(g, "", f);
      std::string def;
      for (const auto& [k, v] : f)
        if (k != "name") def += (def.empty() ? "" : ", ") + k + " " + v;
      r.emplace_back("subgroup " + text(at(g, {"name"})), def);
    }
  if (const json* in = at(*d, {"interims"})) {
    const InterimCharacteristics* si = s.adaptive.interims ? &*s.adaptive.interims : nullptr;
    std::string looks;
    if (const json* months = at(*in, {"months"})) {
      looks = "interim looks at calendar months " + text(months);
      if (si) looks += " (mean information held: " + text(si->information) + "; bounds recomputed per trial at the observed fractions)";
    } else {
      looks = "interim looks at information " + text(at(*in, {"information"}));
      if (si) looks += " (children with the primary visit: " + text(si->children_at_look) + ")";
    }
    r.emplace_back("interim looks", looks);
    std::string eff = text(at(*in, {"efficacy", "boundary"}));
    if (si) {
      std::string c;
      for (double x : si->critical_values) c += (c.empty() ? "" : ", ") + fixed(x, 3);
      eff += "; stop for efficacy when Z >= " + c + " at the successive analyses";
    }
    r.emplace_back("efficacy stopping", eff);
    std::vector<std::pair<std::string, std::string>> f;
    if (const json* fu = at(*in, {"futility"})) {
      flatten(*fu, "", f);
      std::string t;
      for (const auto& [k, v] : f) t += (t.empty() ? "" : ", ") + k + " " + v;
      r.emplace_back("futility stopping", t);
    } else {
      r.emplace_back("futility stopping", "none");
    }
    for (const char* key : {"sample_size_reestimation", "enrichment", "arm_selection"})
      if (const json* x = at(*in, {key})) {
        f.clear();
        flatten(*x, "", f);
        std::string t;
        for (const auto& [k, v] : f) t += (t.empty() ? "" : ", ") + k + " " + v;
        r.emplace_back(std::string(key) == "enrichment" ? "adaptive enrichment"
                       : std::string(key) == "arm_selection" ? "arm selection" : "sample-size re-estimation",
                       t);
      }
    r.emplace_back("overrunning", "children randomised before a stop are followed up to their primary visit");
  }
  if (const json* dr = at(*d, {"dropout"})) r.emplace_back("dropout", "by the last visit " + text(at(*dr, {"by_last_visit"})));
  return r;
}

void glance(std::ostream& os, const ReportInputs& in) {
  const OperatingCharacteristics& s = in.summary;
  os << "<section class=\"glance\" id=\"summary\"><h2>Summary</h2>\n";
  if (const json* sc = resolved_scenario(in)) {
    std::string line;
    for (const auto& [k, v] : design_rules(*sc, s))
      if (k == "arms" || k == "sample size" || k == "primary analysis" || k == "interim looks" || k == "efficacy stopping" ||
          k == "adaptive enrichment" || k == "sample-size re-estimation" || k == "arm selection")
        line += "<li><b>" + h(k) + ":</b> " + h(v) + "</li>";
    os << "<ul>" << line << "</ul>\n";
  }
  Table t({"Key operating characteristic", "Estimate (MC SE)", "Note"}, "glance");
  const ComparisonCharacteristics& primary = s.comparisons.front();
  t.row({"power (primary comparison, benefit)", with_se(primary.power_favourable.estimate), text(s.trials) + " simulated trials"});
  if (s.family)
    t.row({"any rejection in the family", with_se(s.family->any_rejection.estimate),
           "the family-wise error rate when every effect is null"});
  const AdaptiveCharacteristics& adaptive = s.adaptive;
  if (adaptive.enrichment) {
    t.row({"P(claim in the subgroup)", with_se(adaptive.enrichment->claim.subgroup.estimate), "closed test"});
    t.row({"P(claim in everyone)", with_se(adaptive.enrichment->claim.full.estimate), "closed test"});
  }
  if (const auto& n = adaptive.sample_size)
    t.row({"expected N", fixed(n->expected.value, 1) + " (" + fixed(n->expected.mc_se, 2) + ")", "maximum " + text(n->max)});
  else
    t.row({"N randomised", sig(s.sample_size.randomised_mean.value, 5), "fixed design"});
  if (const auto& d = s.duration_months)
    t.row({"expected duration (months)", fixed(d->mean.value, 1) + " (" + fixed(d->mean.mc_se, 2) + ")",
           "to the decision: 5-95 % " + fixed(d->q05, 1) + " to " + fixed(d->q95, 1)});
  if (adaptive.stopping) t.row({"P(stop at an interim look)", with_se(adaptive.stopping->any_interim.estimate), "efficacy or futility"});
  if (adaptive.sample_size_reestimation)
    t.row({"P(sample size increased)", with_se(adaptive.sample_size_reestimation->increase.estimate), ""});
  // With interim looks the naive estimate at the decision, else the fixed design's.
  const EffectEstimate& e = adaptive.interims ? adaptive.interims->estimate_at_stopping.estimate : primary.estimate;
  t.row({"mean estimate (true effect)", with_se(e.mean, 3),
         "true " + fixed(e.truth.value, 3) + "; bias " + fixed(e.bias.value, 3) + " (MC SE " + fixed(e.bias.mc_se, 3) + ")"});
  t.row({"CI coverage", with_se(e.coverage, 4), "nominal " + sig(e.ci_level, 6)});
  os << t.str();
  os << "<p class=\"note\">Every estimate is a Monte Carlo average over the simulated trials with its Monte Carlo standard "
        "error (MC SE) in brackets; seed "
     << h(text(s.seed)) << ". The sections below give the details, the design rules, the assumptions with their "
     << "sources and the fully resolved scenario.</p></section>\n";
}

void rules_section(std::ostream& os, const ReportInputs& in) {
  const json* sc = resolved_scenario(in);
  os << "<h2 id=\"design-rules\">Design rules</h2>\n";
  if (sc == nullptr) {
    os << "<p class=\"note\">run.json with the resolved scenario is not in the folder: the rules are in scenario.yaml "
          "(end of the report).</p>\n";
    return;
  }
  Table t({"Rule", "As simulated"}, "rules");
  for (const auto& [k, v] : design_rules(*sc, in.summary)) t.row({k, v});
  os << t.str();
}

/// Comments of the original scenario file by key path: a trailing comment belongs to its line's
/// key, comment lines inside the body to the next key. A block sequence item (`- name: x`) is
/// addressed by its name ([x]) or index.
std::vector<std::array<std::string, 3>> commented_keys(const std::string& yaml, std::string& header) {
  std::vector<std::array<std::string, 3>> out;  // key path, value, comment
  std::vector<std::pair<int, std::string>> stack;  // indentation, path
  std::map<std::string, int> seq_index;
  std::string pending;
  bool body = false;
  std::istringstream is(yaml);
  std::string line;
  while (std::getline(is, line)) {
    const auto first = line.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    if (line[first] == '#') {
      std::string c = line.substr(line.find_first_not_of("# ", first) == std::string::npos ? line.size() : line.find_first_not_of("# ", first));
      if (!body) {
        if (c.rfind("yaml-language-server", 0) != 0) header += (header.empty() ? "" : " ") + c;
      } else {
        pending += (pending.empty() ? "" : " ") + c;
      }
      continue;
    }
    body = true;
    // The comment: a '#' after a space, outside quotes.
    std::string content = line, comment;
    bool quote1 = false, quote2 = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '\'' && !quote2) quote1 = !quote1;
      if (line[i] == '"' && !quote1) quote2 = !quote2;
      if (line[i] == '#' && !quote1 && !quote2 && i > 0 && line[i - 1] == ' ') {
        content = line.substr(0, i);
        comment = line.substr(std::min(line.size(), line.find_first_not_of("# ", i)));
        break;
      }
    }
    while (!content.empty() && content.back() == ' ') content.pop_back();
    int indent = static_cast<int>(first);
    std::string rest = content.substr(first);
    while (!stack.empty() && stack.back().first >= indent) stack.pop_back();
    std::string parent = stack.empty() ? "" : stack.back().second;
    if (rest.rfind("- ", 0) == 0 || rest == "-") {
      // A block sequence item: its index (or name) under the parent.
      const std::string item_text = rest.size() > 2 ? rest.substr(2) : "";
      std::string name = std::to_string(seq_index[parent]++);
      if (const auto p = item_text.find("name:"); p != std::string::npos) {
        std::string n = item_text.substr(p + 5);
        n = n.substr(0, n.find_first_of(",}"));
        n.erase(0, n.find_first_not_of(' '));
        while (!n.empty() && n.back() == ' ') n.pop_back();
        if (!n.empty()) name = n;
      }
      parent = parent + "[" + name + "]";
      stack.emplace_back(indent, parent);
      indent += 2;
      rest = item_text;
      if (rest.empty() || rest.front() == '{') {
        if (!rest.empty() || !comment.empty() || !pending.empty())
          out.push_back({parent, rest, comment.empty() ? pending : comment});
        pending.clear();
        continue;
      }
    }
    const auto colon = rest.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = rest.substr(0, colon);
    std::string value = rest.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    const std::string path = parent.empty() ? key : parent + "." + key;
    stack.emplace_back(indent, path);
    std::string why = comment;
    if (!pending.empty()) why = pending + (why.empty() ? "" : " " + why);
    pending.clear();
    if (!value.empty() || !why.empty()) out.push_back({path, value, why});
  }
  return out;
}

/// The bracketed source tags of a comment ("[IPDMA; assumed]" -> "IPDMA; assumed"), else "".
std::string source_tags(const std::string& comment) {
  std::string tags;
  for (std::size_t i = comment.find('['); i != std::string::npos; i = comment.find('[', i + 1)) {
    const auto j = comment.find(']', i);
    if (j == std::string::npos) break;
    tags += (tags.empty() ? "" : "; ") + comment.substr(i + 1, j - i - 1);
  }
  return tags;
}

void assumptions(std::ostream& os, const ReportInputs& in) {
  os << "<h2 id=\"assumptions\">Assumptions and their sources</h2>\n";
  if (!in.scenario_source) {
    os << "<p class=\"note\">The scenario file " << h(in.scenario_source_path.empty() ? "(not recorded)" : in.scenario_source_path)
       << " was not found next to the results, so the sources its comments give are not shown; every value used is in the "
          "fully resolved scenario at the end of this report.</p>\n";
    return;
  }
  std::string header;
  const auto rows = commented_keys(*in.scenario_source, header);
  os << "<p class=\"note\">Every value set in the scenario file <code>" << h(in.scenario_source_path)
     << "</code>, with the comment it carries there; the source is the bracketed tag of the comment (e.g. a study, "
        "\"assumed\" for a planning assumption, \"DOMAIN\" for the project's domain brief). Values the file does not set "
        "take celltrial's defaults (see the fully resolved scenario at the end).</p>\n";
  if (!header.empty()) os << "<p class=\"description\">" << h(header) << "</p>\n";
  Table t({"Key", "Value", "Source", "Comment"}, "assumptions wide");
  for (const auto& [key, value, comment] : rows) {
    if (key == "schema_version" || key == "name" || key == "description") continue;
    const std::string tags = source_tags(comment);
    t.row({key, value, tags.empty() ? (comment.empty() ? "scenario file (no source stated)" : "scenario file comment") : tags, comment});
  }
  os << t.str();
}

void study_sections(std::ostream& os, const ReportInputs& in) {
  if (auto it = in.study.find("designs"); it != in.study.end()) {
    const json& dj = it->second;
    const bool with_null = at(dj, {"null_overrides"}) != nullptr && !at(dj, {"null_overrides"})->is_null();
    os << "<h2 id=\"designs\">Design comparison</h2>\n<p class=\"note\">Each design is the base scenario with the overrides "
          "listed, simulated with the same seed and trial indices (common random numbers: trial i of every design draws the "
          "same children), "
       << h(text(at(dj, {"trials"}))) << " trials each. Power: a claim in the direction of benefit for the primary comparison. "
       << "Difference: power minus the first design's, with the MC SE of the paired per-trial differences. Expected N: "
          "children randomised; duration: months from the first site's opening to the decision. P(claim in the responders): "
       << h(text(at(dj, {"responders_meaning"})))
       << (with_null ? ". Type I error: the same design with every effect 0 (" + h(text(at(dj, {"null_overrides"}))) +
                           "), a claim of benefit (nominal level: alpha one-sided, alpha / 2 two-sided; family-wise for "
                           "adaptive enrichment)"
                     : ". No null variant was declared (designs.null_twin_twin), so the type I error is not simulated here")
       << ". Values are estimate (MC SE).</p>\n";
    std::vector<std::string> head{"Design", "Power", "Difference from the first", "Expected N", "Maximum N",
                                  "Expected duration (months)", "P(claim in the responders)"};
    if (with_null) head.push_back("Type I error");
    Table t(head, "wide");
    if (const json* rows = at(dj, {"rows"}); rows && rows->is_array())
      for (const auto& r : *rows) {
        std::vector<std::string> c{text(at(r, {"design"})), with_se(at(r, {"power"}), at(r, {"power_mc_se"})),
                                   at(r, {"power_difference"}) && !at(r, {"power_difference"})->is_null()
                                       ? with_se(at(r, {"power_difference"}), at(r, {"power_difference_mc_se"}))
                                       : "—",
                                   fixed(at(r, {"expected_n"}), 1) + " (" + fixed(at(r, {"expected_n_mc_se"}), 2) + ")",
                                   whole(at(r, {"max_n"})),
                                   at(r, {"expected_duration_months"}) && !at(r, {"expected_duration_months"})->is_null()
                                       ? fixed(at(r, {"expected_duration_months"}), 1) + " (" +
                                             fixed(at(r, {"expected_duration_months_mc_se"}), 2) + ")"
                                       : "not modelled (no design.accrual)",
                                   at(r, {"claim_responders"}) && !at(r, {"claim_responders"})->is_null()
                                       ? with_se(at(r, {"claim_responders"}), at(r, {"claim_responders_mc_se"}))
                                       : "no claim in the responders"};
        if (with_null) c.push_back(with_se(at(r, {"type1"}), at(r, {"type1_mc_se"})));
        t.row(c);
      }
    os << t.str();
    Table o({"Design", "Overrides of the base scenario"}, "rules");
    if (const json* rows = at(dj, {"rows"}); rows && rows->is_array())
      for (const auto& r : *rows) {
        std::string sets;
        if (const json* ov = at(r, {"overrides"}); ov && ov->is_object())
          for (const auto& [k, v] : ov->items()) sets += (sets.empty() ? "" : "; ") + k + " = " + (v.is_string() ? v.get<std::string>() : v.dump());
        o.row({text(at(r, {"design"})), sets.empty() ? "none (the base scenario)" : sets});
      }
    os << o.str();
  }
  if (auto it = in.study.find("enrichment"); it != in.study.end()) {
    const json& e = it->second;
    bool from_model = false;
    if (const json* rows = at(e, {"rows"}); rows && rows->is_array() && !rows->empty())
      from_model = text(at((*rows)[0], {"accrual_source"})) == "design.accrual";
    os << "<h2 id=\"enrichment\">Enrichment strategies</h2>\n<p class=\"note\">For each enrolment strategy: the smallest "
          "total sample size whose simulated power (lower one-sided 95% confidence bound) reaches the target of "
       << h(text(at(e, {"target_power"}))) << ", the children screened to randomise them, months of accrual "
       << (from_model ? std::string("from the scenario's recruitment model (design.accrual; mean over the simulated trials)")
                      : "at " + h(text(at(e, {"screened_per_month"}))) + " children screened per month")
       << ", the expected number of children with a "
          "serious adverse event in the trial, and the population a positive trial's claim would cover.</p>\n";
    Table t({"Strategy", "Total N", "Power (MC SE)", "True effect", "Screened per randomised", "Screened", "Accrual (months)",
             "Expected SAEs (MC SE)", "Claim population"});
    if (const json* rows = at(e, {"rows"}); rows && rows->is_array())
      for (const auto& r : *rows)
        t.row({text(at(r, {"strategy"})),
               text(at(r, {"n_total"})) + (at(r, {"reached"}) && *at(r, {"reached"}) == false ? " (target not reached)" : ""),
               with_se(at(r, {"power"}), at(r, {"power_mc_se"}), 3), fixed(at(r, {"true_effect"}), 3),
               fixed(at(r, {"screened_per_randomised"}), 2), fixed(at(r, {"screened_total"}), 0),
               fixed(at(r, {"accrual_months"}), 1), with_se(at(r, {"expected_sae"}), at(r, {"expected_sae_mc_se"}), 1),
               text(at(r, {"claim_population"}))});
    os << t.str();
    figure(os, in, "enrichment_power", "Simulated power by total sample size for each strategy, with 95% Monte Carlo intervals");
  }
  if (auto it = in.study.find("tornado"); it != in.study.end()) {
    const json& tj = it->second;
    os << "<h2 id=\"tornado\">One-at-a-time sensitivity</h2>\n<p class=\"note\">Power of the primary comparison with each "
          "assumption at its low and high value and everything else at the base scenario (base power "
       << h(with_se(at(tj, {"base", "power"}), at(tj, {"base", "mc_se"}))) << ", " << h(text(at(tj, {"trials"})))
       << " trials per setting, common random numbers).</p>\n";
    Table t({"Assumption", "Low", "High", "Power at low (MC SE)", "Power at high (MC SE)", "Swing (paired MC SE)"});
    if (const json* rows = at(tj, {"rows"}); rows && rows->is_array())
      for (const auto& r : *rows)
        t.row({text(at(r, {"key"})), text(at(r, {"low"})), text(at(r, {"high"})),
               with_se(at(r, {"power_low"}), at(r, {"power_low_mc_se"})), with_se(at(r, {"power_high"}), at(r, {"power_high_mc_se"})),
               with_se(at(r, {"swing"}), at(r, {"swing_mc_se"}))});
    os << t.str();
    figure(os, in, "tornado", "Tornado plot: power with each assumption at its low and high value");
  }
  if (auto it = in.study.find("sweep"); it != in.study.end()) {
    const json& sw = it->second;
    os << "<h2 id=\"sweep\">Sweep</h2>\n";
    std::vector<std::string> keys;
    if (const json* axes = at(sw, {"axes"}); axes && axes->is_array())
      for (const auto& a : *axes) keys.push_back(text(at(a, {"key"})));
    std::vector<std::string> head = keys;
    for (const char* x : {"Power (MC SE)", "Mean estimate", "True effect", "Screened per randomised"}) head.push_back(x);
    Table t(head);
    if (const json* rows = at(sw, {"rows"}); rows && rows->is_array())
      for (std::size_t i = 0; i < rows->size(); ++i) {
        const json& r = (*rows)[i];
        std::vector<std::string> cells;
        for (const auto& k : keys) cells.push_back(text(at(r, {"point", k.c_str()})));
        const json* sm = at(r, {"summary"});
        const OperatingCharacteristics p = operating_characteristics_from_json(
            sm ? *sm : json(nullptr), in.folder + "/sweep.json", "rows[" + std::to_string(i) + "].summary");
        const ComparisonCharacteristics& c = p.comparisons.front();
        cells.push_back(with_se(c.power_favourable.estimate));
        cells.push_back(fixed(c.estimate.mean.value, 3));
        cells.push_back(fixed(c.estimate.truth.value, 3));
        cells.push_back(fixed(p.sample_size.screened_per_randomised.value, 2));
        t.row(cells);
      }
    os << t.str();
    figure(os, in, "sweep_heatmap", "Heat map of power over the first two swept assumptions");
    figure(os, in, "sweep_power", "Power across the first swept assumption");
  }
}

}  // namespace

ReportInputs read_report_inputs(const std::string& dir) {
  const fs::path d(dir);
  std::error_code ec;
  if (!fs::is_directory(d, ec)) {
    throw Error(ExitCode::no_input,
                Diagnostic{Location{dir, 0, 0}, "",
                           fs::exists(d, ec) ? "is not a folder." : "does not exist.",
                           "give the results folder written by 'celltrial simulate SCENARIO --out FOLDER'."});
  }
  ReportInputs in;
  const fs::path summary = d / "summary.json";
  const auto summary_text = read_bytes(summary);
  if (!summary_text) {
    throw Error(ExitCode::no_input,
                Diagnostic{Location{summary.string(), 0, 0}, "", "does not exist, so this is not a results folder.",
                           "run 'celltrial simulate SCENARIO --out " + dir + "' first (or merge shards with "
                           "'celltrial merge'), then report on that folder."});
  }
  const json summary_json = parse_json(*summary_text, summary);
  if (!summary_json.is_object()) {
    throw Error(ExitCode::data, Diagnostic{Location{summary.string(), 1, 1}, "", "is not a JSON object.",
                                           "write the folder again with 'celltrial simulate'."});
  }
  in.folder = dir;
  in.summary = operating_characteristics_from_json(summary_json, summary.string());
  if (auto t = read_bytes(d / "run.json")) in.run = parse_json(*t, d / "run.json");
  in.scenario_yaml = read_bytes(d / "scenario.yaml");
  // The scenario file the run read (its comments give the sources of the values): as recorded,
  // relative to the current folder, else to the folder two above the results (results/<name>).
  if (in.run)
    if (const json* src = at(*in.run, {"scenario_source"}); src != nullptr && src->is_string() && !src->get<std::string>().empty()) {
      in.scenario_source_path = src->get<std::string>();
      const fs::path p(in.scenario_source_path);
      for (const fs::path& candidate : {p, d / ".." / ".." / p})
        if (p.extension() == ".yaml" || p.extension() == ".yml")
          if (auto t = read_bytes(candidate)) {
            in.scenario_source = std::move(t);
            break;
          }
    }
  if (auto t = read_bytes(d / "power_curve.json")) in.power_curve = parse_json(*t, d / "power_curve.json");
  static constexpr char kSignature[] = "\x89PNG\r\n\x1a\n";
  if (auto png = read_bytes(d / "power_curve.png")) {
    if (png->compare(0, 8, kSignature, 8) == 0) in.power_png = std::move(png);
  }
  for (const char* stem : {"enrichment", "tornado", "sweep", "forest", "designs"})
    if (auto t = read_bytes(d / (std::string(stem) + ".json"))) in.study[stem] = parse_json(*t, d / (std::string(stem) + ".json"));
  for (const char* stem : {"forest", "enrichment_power", "tornado", "sweep_heatmap", "sweep_power"})
    if (auto png = read_bytes(d / (std::string(stem) + ".png")); png && png->compare(0, 8, kSignature, 8) == 0)
      in.images[stem] = std::move(*png);
  return in;
}

std::string render_html_report(const ReportInputs& in) {
  const OperatingCharacteristics& s = in.summary;
  const std::string name = text(s.scenario);
  const json* sc = resolved_scenario(in);
  const json* description = sc != nullptr ? at(*sc, {"description"}) : nullptr;

  std::ostringstream os;
  os << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
     << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
     << "<title>celltrial report: " << h(name) << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n";
  os << "<h1>Simulated operating characteristics: " << h(name) << "</h1>\n";
  if (description != nullptr && description->is_string() && !description->get<std::string>().empty())
    os << "<p class=\"description\">" << h(description->get<std::string>()) << "</p>\n";
  else
    os << "<p class=\"description\">The scenario has no description (its <code>description:</code> is empty or the "
          "resolved scenario is not in the folder).</p>\n";
  glance(os, in);
  os << "<nav class=\"note\">Contents: <a href=\"#summary\">summary</a> · <a href=\"#provenance\">provenance</a> · "
        "<a href=\"#design-rules\">design rules</a> · <a href=\"#assumptions\">assumptions</a> · "
        "<a href=\"#operating-characteristics\">operating characteristics</a>"
     << (s.adaptive.interims ? " · <a href=\"#interims\">interim analyses</a>" : "")
     << " · <a href=\"#arms\">arms</a> · <a href=\"#enrolment\">enrolment</a>"
     << (s.follow_up ? " · <a href=\"#visits\">visits</a>" : "")
     << (!s.subgroups.empty() ? " · <a href=\"#subgroups\">subgroups</a>" : "")
     << (s.family ? " · <a href=\"#multiplicity\">multiplicity</a>" : "")
     << (s.nuisance_grid ? " · <a href=\"#nuisance-grid\">nuisance grid</a>" : "")
     << (in.study.count("designs") ? " · <a href=\"#designs\">design comparison</a>" : "")
     << (in.study.count("enrichment") ? " · <a href=\"#enrichment\">enrichment</a>" : "")
     << (in.study.count("tornado") ? " · <a href=\"#tornado\">tornado</a>" : "")
     << (in.study.count("sweep") ? " · <a href=\"#sweep\">sweep</a>" : "")
     << (in.power_curve || in.power_png ? " · <a href=\"#power-curve\">power curve</a>" : "")
     << " · <a href=\"#scenario\">scenario</a></nav>\n";
  provenance(os, in);
  rules_section(os, in);
  assumptions(os, in);
  operating_characteristics(os, s);
  interims(os, s);
  follow_up(os, s);
  subgroups(os, in);
  nuisance_grid(os, s);
  study_sections(os, in);
  power_curve(os, in);
  os << "<h2 id=\"scenario\">Fully resolved scenario</h2>\n";
  if (in.scenario_yaml)
    os << "<pre>" << h(*in.scenario_yaml) << "</pre>\n";
  else
    os << "<p class=\"note\">scenario.yaml is not in the folder.</p>\n";
  os << "</body>\n</html>\n";
  return os.str();
}

std::string html_report(const std::string& dir) { return render_html_report(read_report_inputs(dir)); }

}  // namespace celltrial
