#include "celltrial/report/html.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "celltrial/core/error.hpp"
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
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.92em}
th,td{border:1px solid #c8d0d8;padding:.3em .6em;text-align:right;vertical-align:top}
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
  auto pick = [&](const char* key) -> const json* {
    const json* v = at(run, {key});
    return v != nullptr ? v : at(in.summary, {key});
  };
  Table t({"Item", "Value"}, "provenance");
  t.row({"celltrial version", text(at(run, {"celltrial_version"}))});
  t.row({"git commit", text(at(run, {"git_commit"}))});
  t.row({"seed", text(pick("seed"))});
  t.row({"trials", text(at(in.summary, {"trials"}) ? at(in.summary, {"trials"}) : at(run, {"trials"}))});
  t.row({"threads", text(at(run, {"threads"}))});
  if (const json* r = at(run, {"mpi_ranks"}); r != nullptr && r->is_number() && r->get<double>() > 1)
    t.row({"MPI ranks", text(r)});
  t.row({"date (UTC, finished)", text(at(run, {"finished_utc"}))});
  t.row({"started (UTC)", text(at(run, {"started_utc"}))});
  t.row({"wall time (s)", sig(at(run, {"wall_seconds"}), 4)});
  t.row({"scenario source", text(at(run, {"scenario_source"}))});
  t.row({"overrides (--set)", text(at(run, {"overrides"}))});
  t.row({"analysis", text(at(in.summary, {"analysis", "method"})) + ", primary visit " +
                         text(at(in.summary, {"analysis", "primary_visit_months"})) + " months, alpha " +
                         text(at(in.summary, {"analysis", "alpha"})) + " (" + text(at(in.summary, {"analysis", "sides"})) +
                         "-sided), multiplicity " + text(at(in.summary, {"analysis", "multiplicity"}))});
  t.row({"report written by", std::string("celltrial ") + build::version + " (commit " + build::git_commit + ")"});
  os << t.str();
}

void comparison(std::ostream& os, const json& c) {
  const json* p = at(c, {"power"});
  const json* e = at(c, {"estimate"});
  const json nothing;
  const json& pj = p ? *p : nothing;
  const json& ej = e ? *e : nothing;
  os << "<h3>" << h(text(at(c, {"label"}))) << "</h3>\n";
  Table t({"Quantity", "Estimate", "MC SE", "95% CI", "Note"}, "comparison");
  t.row({"power (reject H0)", fixed(at(pj, {"estimate"}), 4), fixed(at(pj, {"mc_se"}), 4), ci(at(pj, {"ci95"}), 4),
         text(at(pj, {"count"})) + " of " + text(at(pj, {"of"})) + " trials"});
  t.row({"power, favourable direction", fixed(at(pj, {"favourable", "estimate"}), 4),
         fixed(at(pj, {"favourable", "mc_se"}), 4), ci(at(pj, {"favourable", "ci95"}), 4), ""});
  if (const json* a = at(c, {"assurance"}))
    t.row({"assurance (effect prior)", fixed(at(*a, {"estimate"}), 4), fixed(at(*a, {"mc_se"}), 4),
           ci(at(*a, {"ci95"}), 4), text(at(*a, {"meaning"}))});
  t.row({"mean estimate", sig(at(ej, {"mean"})), sig(at(ej, {"mc_se"}), 2), "", ""});
  t.row({"true effect", sig(at(ej, {"true"})), sig(at(ej, {"true_mc_se"}), 2), "", text(at(ej, {"true_source"}))});
  t.row({"bias", sig(at(ej, {"bias"})), sig(at(ej, {"bias_mc_se"}), 2), "", ""});
  t.row({"empirical SE", sig(at(ej, {"empirical_se"})), sig(at(ej, {"empirical_se_mc_se"}), 2), "", ""});
  t.row({"mean model SE", sig(at(ej, {"model_se"})), sig(at(ej, {"model_se_mc_se"}), 2), "", ""});
  t.row({"RMSE", sig(at(ej, {"rmse"})), sig(at(ej, {"rmse_mc_se"}), 2), "", ""});
  t.row({"CI coverage", fixed(at(ej, {"coverage"}), 4), fixed(at(ej, {"coverage_mc_se"}), 4), "",
         "nominal " + text(at(ej, {"ci_level"})) + "; " + text(at(ej, {"estimable_trials"})) + " estimable trials"});
  if (const json* s = at(c, {"safety"}))
    t.row({"P(SAE excess above threshold)", fixed(at(*s, {"estimate"}), 4), fixed(at(*s, {"mc_se"}), 4),
           ci(at(*s, {"ci95"}), 4), "threshold " + text(at(*s, {"threshold"}))});
  os << t.str();
}

void operating_characteristics(std::ostream& os, const json& s) {
  os << "<h2 id=\"operating-characteristics\">Operating characteristics</h2>\n";
  os << "<p class=\"note\">Estimates over " << h(text(at(s, {"trials"})))
     << " simulated trials, with Monte Carlo standard errors (MC SE). Confidence intervals of proportions are Wilson "
        "95% intervals. NA: not available.</p>\n";
  const json* comps = at(s, {"comparisons"});
  if (comps != nullptr && comps->is_array() && !comps->empty()) {
    for (const auto& c : *comps) comparison(os, c);
  } else {
    comparison(os, s);  // a summary with only the top-level comparison
  }
  const json* any = at(s, {"any_rejection"});
  const json* all = at(s, {"all_rejections"});
  if (any != nullptr || all != nullptr) {
    Table t({"Across active arms", "Estimate", "MC SE", "95% CI"}, "family");
    if (any) t.row({"any rejection", fixed(at(*any, {"estimate"}), 4), fixed(at(*any, {"mc_se"}), 4), ci(at(*any, {"ci95"}), 4)});
    if (all) t.row({"all rejections", fixed(at(*all, {"estimate"}), 4), fixed(at(*all, {"mc_se"}), 4), ci(at(*all, {"ci95"}), 4)});
    os << t.str();
  }

  os << "<h2 id=\"arms\">Arms</h2>\n";
  Table arms({"Arm", "Role", "Randomised", "Analysed (MC SE)", "Mean change (MC SE)", "SAEs (MC SE)",
              "Infusion reactions (MC SE)", "Mean dose (MC SE)", "Dose unit"},
             "arms");
  if (const json* a = at(s, {"arms"}); a != nullptr && a->is_array()) {
    for (const auto& x : *a) {
      auto with_se = [&](const char* v, const char* se, int d) {
        return sig(at(x, {v}), d) + " (" + sig(at(x, {se}), 2) + ")";
      };
      const json* unit = at(x, {"dose_unit"});
      arms.row({text(at(x, {"name"})), text(at(x, {"role"})), sig(at(x, {"randomised_mean"}), 5),
                with_se("analysed_mean", "analysed_mean_mc_se", 5), with_se("mean_change", "mean_change_mc_se", 4),
                with_se("sae_mean", "sae_mc_se", 4), with_se("infusion_reactions_mean", "infusion_reactions_mc_se", 4),
                with_se("mean_dose", "mean_dose_mc_se", 4),
                unit != nullptr && unit->is_string() && !unit->get<std::string>().empty() ? unit->get<std::string>() : "NA"});
    }
  }
  os << "<p class=\"note\">Means per simulated trial: participants randomised and analysed, mean change from "
        "baseline at the primary visit, serious adverse events, infusion reactions, dose received.</p>\n"
     << arms.str();

  os << "<h2 id=\"enrolment\">Enrolment</h2>\n";
  Table en({"Quantity", "Estimate", "MC SE"}, "enrolment");
  en.row({"screened per trial", sig(at(s, {"sample_size", "screened_mean"}), 5), sig(at(s, {"sample_size", "screened_mc_se"}), 2)});
  en.row({"screened per randomised", sig(at(s, {"sample_size", "screened_per_randomised"}), 4),
          sig(at(s, {"sample_size", "screened_per_randomised_mc_se"}), 2)});
  en.row({"randomised per trial", sig(at(s, {"sample_size", "randomised_mean"}), 5),
          sig(at(s, {"sample_size", "randomised_mean_mc_se"}), 2)});
  en.row({"analysed per trial", sig(at(s, {"sample_size", "analysed_mean"}), 5),
          sig(at(s, {"sample_size", "analysed_mean_mc_se"}), 2)});
  en.row({"mean age (months)", sig(at(s, {"enrolled", "mean_age_months"}), 4), sig(at(s, {"enrolled", "mean_age_months_mc_se"}), 2)});
  en.row({"share under 5 years", fixed(at(s, {"enrolled", "share_under_5_years"}), 4),
          fixed(at(s, {"enrolled", "share_under_5_years_mc_se"}), 4)});
  en.row({"share GMFCS I-III", fixed(at(s, {"enrolled", "share_gmfcs_I_III"}), 4),
          fixed(at(s, {"enrolled", "share_gmfcs_I_III_mc_se"}), 4)});
  // Recruitment in calendar time (design.accrual): mean, and the 5 % to 95 % range of the trials.
  for (const auto& [key, label] : {std::pair{"accrual_months", "months of accrual (first to last randomisation)"},
                                   {"duration_months", "months to the last primary-visit assessment"}})
    if (const json* d = at(s, {key}))
      en.row({std::string(label) + ", 5-95 % of trials " + sig(at(*d, {"quantiles", "0.05"}), 3) + "-" +
                  sig(at(*d, {"quantiles", "0.95"}), 3),
              sig(at(*d, {"mean"}), 4), sig(at(*d, {"mc_se"}), 2)});
  os << en.str();
  if (const json* d = at(s, {"diagnostics"}))
    os << "<p class=\"note\">Diagnostics: " << h(text(at(*d, {"not_estimable"}))) << " comparisons not estimable; "
       << h(text(at(*d, {"values_out_of_range"}))) << " simulated values out of range.</p>\n";
}

// Trials in time (summary "follow_up", "delayed_treatment"): each visit per arm, and the delayed
// group's second period.
void follow_up(std::ostream& os, const json& s) {
  const json* f = at(s, {"follow_up"});
  if (f == nullptr) return;
  os << "<h2 id=\"visits\">Visits</h2>\n"
     << "<p class=\"note\">Per visit and arm, means over trials (MC SE): the share of children assessed, the mean change "
        "from baseline of the assessed, and of every child as it happened (assessed or not, known to the simulation); "
        "the difference is what looking only at the assessed children does.</p>\n";
  Table t({"Month", "Arm", "share assessed", "mean change, assessed", "mean change, all"}, "visits");
  auto mean = [](const json* x, int d) {
    return x == nullptr ? std::string("NA") : sig(at(*x, {"mean"}), d) + " (" + sig(at(*x, {"mc_se"}), 2) + ")";
  };
  if (const json* visits = at(*f, {"visits"}); visits != nullptr && visits->is_array())
    for (const auto& v : *visits)
      if (const json* arms = at(v, {"arms"}); arms != nullptr && arms->is_array())
        for (const auto& a : *arms)
          t.row({sig(at(v, {"month"}), 4), text(at(a, {"name"})), mean(at(a, {"observed_share"}), 4),
                 mean(at(a, {"mean_change_observed"}), 4), mean(at(a, {"mean_change_all"}), 4)});
  os << t.str();
  Table arms({"Arm", "dropped out by the last visit", "intercurrent event by the last visit"}, "visits");
  if (const json* list = at(*f, {"arms"}); list != nullptr && list->is_array())
    for (const auto& a : *list)
      arms.row({text(at(a, {"name"})), mean(at(a, {"dropped_out_share"}), 4), mean(at(a, {"intercurrent_event_share"}), 4)});
  os << arms.str();
  if (const json* d = at(s, {"delayed_treatment"})) {
    os << "<h3>Delayed treatment at month " << h(sig(at(*d, {"start_month"}), 4)) << "</h3>\n<p class=\"note\">"
       << h(text(at(*d, {"comparison"}))) << ".</p>\n";
    Table dt({"Quantity", "Estimate", "MC SE"}, "delayed");
    dt.row({"delayed group's gain", sig(at(*d, {"delayed_gain", "mean"}), 4), sig(at(*d, {"delayed_gain", "mc_se"}), 2)});
    dt.row({"early group's gain", sig(at(*d, {"early_gain", "mean"}), 4), sig(at(*d, {"early_gain", "mc_se"}), 2)});
    dt.row({"difference (delayed - early)", sig(at(*d, {"estimate", "mean"}), 4), sig(at(*d, {"estimate", "mc_se"}), 2)});
    dt.row({"power to detect the difference", fixed(at(*d, {"power", "estimate"}), 4), fixed(at(*d, {"power", "mc_se"}), 4)});
    os << dt.str();
  }
}

void power_curve(std::ostream& os, const ReportInputs& in) {
  if (!in.power_curve && !in.power_png) return;
  os << "<h2 id=\"power-curve\">Simulated power curve</h2>\n";
  if (in.power_curve) {
    const json& pc = *in.power_curve;
    const json* pc_name = at(pc, {"scenario"});
    const json* name = at(in.summary, {"scenario"});
    if (pc_name != nullptr && name != nullptr && *pc_name != *name)
      os << "<p class=\"warning\">Note: the power curve is for scenario " << h(text(pc_name))
         << ", not for the simulated scenario " << h(text(name)) << " reported above.</p>\n";
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
  const json& s = in.summary;
  const json* gs = at(s, {"subgroups"});
  const json* m = at(s, {"multiplicity"});
  if (gs == nullptr && m == nullptr) return;
  if (gs != nullptr && gs->is_array()) {
    os << "<h2 id=\"subgroups\">Subgroups</h2>\n<p class=\"note\">Each subgroup is analysed by the primary ANCOVA within "
          "the subgroup and within its complement; the interaction is the difference between the two effects, from one "
          "model with arm x subgroup terms, tested two-sided at the stated level. Power: favourable rejection (under the "
          "multiplicity procedure for confirmatory hypotheses, marked *). True effects: mean expected effect of "
          "eligible children inside / outside the subgroup (pre-run). Values are estimate (MC SE).</p>\n";
    Table t({"Subgroup", "Definition", "Prevalence", "Analysed", "Estimate", "True", "Power", "Power unadjusted",
             "Complement estimate", "Complement true", "Interaction", "True interaction", "P(interaction test)"});
    for (const auto& g : *gs) {
      const bool conf = at(g, {"confirmatory"}) && at(g, {"confirmatory"})->is_boolean() && at(g, {"confirmatory"})->get<bool>();
      t.row({text(at(g, {"hypothesis"})) + (conf ? " *" : ""), text(at(g, {"definition"})),
             fixed(at(g, {"prevalence_prerun"}), 3), sig(at(g, {"analysed_mean"}), 4),
             with_se(at(g, {"estimate", "mean"}), at(g, {"estimate", "mc_se"}), 3), fixed(at(g, {"estimate", "true"}), 3),
             with_se(at(g, {"power", "estimate"}), at(g, {"power", "mc_se"})),
             with_se(at(g, {"power_unadjusted", "estimate"}), at(g, {"power_unadjusted", "mc_se"})),
             with_se(at(g, {"complement", "estimate", "mean"}), at(g, {"complement", "estimate", "mc_se"}), 3),
             fixed(at(g, {"complement", "estimate", "true"}), 3),
             with_se(at(g, {"interaction", "mean"}), at(g, {"interaction", "mc_se"}), 3), fixed(at(g, {"interaction", "true"}), 3),
             with_se(at(g, {"interaction", "power", "estimate"}), at(g, {"interaction", "power", "mc_se"}))});
    }
    os << t.str();
    for (const auto& g : *gs)
      if (const json* n = at(g, {"note"})) os << "<p class=\"warning\">" << h(text(at(g, {"hypothesis"}))) << ": " << h(text(n)) << "</p>\n";
    figure(os, in, "forest", "Estimates in everyone, each subgroup and its complement: one simulated trial with its CI, and the "
                             "sampling distribution over all trials (mean +- 1.96 SD), with the true effects");
  }
  if (m != nullptr) {
    os << "<h2 id=\"multiplicity\">Multiplicity</h2>\n<p>Procedure <b>" << h(text(at(*m, {"procedure"}))) << "</b> at alpha "
       << h(text(at(*m, {"alpha"}))) << " (" << h(text(at(*m, {"sides"}))) << "-sided)";
    if (const json* w = at(*m, {"weights"})) os << ", weights " << h(w->dump());
    if (const json* tr = at(*m, {"transitions"})) os << ", transitions " << h(tr->dump());
    os << ".</p>\n";
    Table t({"Hypothesis", "Power (MC SE)", "Power unadjusted (MC SE)"});
    if (const json* hs = at(*m, {"hypotheses"}); hs && hs->is_array())
      for (const auto& x : *hs)
        t.row({text(at(x, {"name"})), with_se(at(x, {"power", "estimate"}), at(x, {"power", "mc_se"})),
               with_se(at(x, {"power_unadjusted", "estimate"}), at(x, {"power_unadjusted", "mc_se"}))});
    os << t.str();
    Table c({"Probability", "Estimate (MC SE)", "Meaning"});
    for (const char* k : {"at_least_one", "all", "any_rejection"})
      if (const json* x = at(*m, {k})) c.row({k, with_se(at(*x, {"estimate"}), at(*x, {"mc_se"})), text(at(*x, {"meaning"}))});
    if (const json* cl = at(*m, {"claims"}); cl && cl->is_array())
      for (const auto& x : *cl)
        c.row({"claim " + text(at(x, {"name"})), with_se(at(x, {"estimate"}), at(x, {"mc_se"})),
               "all of " + (at(x, {"all_of"}) ? at(x, {"all_of"})->dump() : std::string("NA")) + " rejected favourably"});
    os << c.str();
  }
}

void study_sections(std::ostream& os, const ReportInputs& in) {
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
      for (const auto& r : *rows) {
        std::vector<std::string> cells;
        for (const auto& k : keys) cells.push_back(text(at(r, {"point", k.c_str()})));
        const json* sm = at(r, {"summary"});
        const json nothing;
        const json& smj = sm ? *sm : nothing;
        cells.push_back(with_se(at(smj, {"power", "favourable", "estimate"}), at(smj, {"power", "favourable", "mc_se"})));
        cells.push_back(fixed(at(smj, {"estimate", "mean"}), 3));
        cells.push_back(fixed(at(smj, {"estimate", "true"}), 3));
        cells.push_back(fixed(at(smj, {"sample_size", "screened_per_randomised"}), 2));
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
  in.summary = parse_json(*summary_text, summary);
  if (!in.summary.is_object()) {
    throw Error(ExitCode::data, Diagnostic{Location{summary.string(), 1, 1}, "", "is not a JSON object.",
                                           "write the folder again with 'celltrial simulate'."});
  }
  if (auto t = read_bytes(d / "run.json")) in.run = parse_json(*t, d / "run.json");
  in.scenario_yaml = read_bytes(d / "scenario.yaml");
  if (auto t = read_bytes(d / "power_curve.json")) in.power_curve = parse_json(*t, d / "power_curve.json");
  static constexpr char kSignature[] = "\x89PNG\r\n\x1a\n";
  if (auto png = read_bytes(d / "power_curve.png")) {
    if (png->compare(0, 8, kSignature, 8) == 0) in.power_png = std::move(png);
  }
  for (const char* stem : {"enrichment", "tornado", "sweep", "forest"})
    if (auto t = read_bytes(d / (std::string(stem) + ".json"))) in.study[stem] = parse_json(*t, d / (std::string(stem) + ".json"));
  for (const char* stem : {"forest", "enrichment_power", "tornado", "sweep_heatmap", "sweep_power"})
    if (auto png = read_bytes(d / (std::string(stem) + ".png")); png && png->compare(0, 8, kSignature, 8) == 0)
      in.images[stem] = std::move(*png);
  return in;
}

std::string render_html_report(const ReportInputs& in) {
  const json& s = in.summary;
  std::string name = text(at(s, {"scenario"}));
  const json* description = in.run ? at(*in.run, {"scenario", "description"}) : nullptr;
  if ((description == nullptr || description->is_null()) && in.power_curve)
    description = at(*in.power_curve, {"resolved_scenario", "description"});

  std::ostringstream os;
  os << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
     << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
     << "<title>celltrial report: " << h(name) << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n";
  os << "<h1>Simulated operating characteristics: " << h(name) << "</h1>\n";
  if (description != nullptr && description->is_string() && !description->get<std::string>().empty())
    os << "<p class=\"description\">" << h(description->get<std::string>()) << "</p>\n";
  else
    os << "<p class=\"description\">Description: NA</p>\n";
  os << "<nav class=\"note\">Contents: <a href=\"#provenance\">provenance</a> · <a href=\"#operating-characteristics\">"
        "operating characteristics</a> · <a href=\"#arms\">arms</a> · <a href=\"#enrolment\">enrolment</a>"
     << (at(s, {"follow_up"}) ? " · <a href=\"#visits\">visits</a>" : "")
     << (at(s, {"subgroups"}) ? " · <a href=\"#subgroups\">subgroups</a>" : "")
     << (at(s, {"multiplicity"}) ? " · <a href=\"#multiplicity\">multiplicity</a>" : "")
     << (in.study.count("enrichment") ? " · <a href=\"#enrichment\">enrichment</a>" : "")
     << (in.study.count("tornado") ? " · <a href=\"#tornado\">tornado</a>" : "")
     << (in.study.count("sweep") ? " · <a href=\"#sweep\">sweep</a>" : "")
     << (in.power_curve || in.power_png ? " · <a href=\"#power-curve\">power curve</a>" : "")
     << " · <a href=\"#scenario\">scenario</a></nav>\n";
  provenance(os, in);
  operating_characteristics(os, s);
  follow_up(os, s);
  subgroups(os, in);
  study_sections(os, in);
  power_curve(os, in);
  os << "<h2 id=\"scenario\">Fully resolved scenario</h2>\n";
  if (in.scenario_yaml)
    os << "<pre>" << h(*in.scenario_yaml) << "</pre>\n";
  else
    os << "<p class=\"note\">scenario.yaml is not in the folder: NA.</p>\n";
  os << "</body>\n</html>\n";
  return os.str();
}

std::string html_report(const std::string& dir) { return render_html_report(read_report_inputs(dir)); }

}  // namespace celltrial
