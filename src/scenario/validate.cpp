// Validation of a resolved scenario: the rules between keys (shares summing to 1, the primary
// visit among the visits, products and dose-response, subgroups and the confirmatory family, the
// limits of the model and engine), then every value against its declared range.
#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include <boost/math/distributions/normal.hpp>

#include "celltrial/scenario/limits.hpp"
#include "celltrial/scenario/schema.hpp"
#include "celltrial/scenario/schema_export.hpp"
#include "reader.hpp"

namespace celltrial::scenario_io {
namespace {

// Subgroups, the multiplicity family and claims.
// The confirmatory family: its hypotheses, weights, transitions and claims.
void validate_family(Reader& r, const Scenario& sc) {
  const auto& an = sc.analysis;
  const auto all = all_hypotheses(sc);
  std::vector<std::string> all_names;
  for (const auto& h : all) all_names.push_back(h.name);
  const std::string hp = "analysis.multiplicity.hypotheses";
  std::set<std::string> listed;
  for (std::size_t i = 0; i < an.testing.hypotheses.size(); ++i) {
    const std::string& h = an.testing.hypotheses[i];
    const std::string kp = hp + "[" + std::to_string(i) + "]";
    if (std::find(all_names.begin(), all_names.end(), h) == all_names.end()) {
      const std::string guess = closest_match(h, all_names);
      r.error_at(kp, "there is no hypothesis '" + h + "'.",
                 (guess.empty() ? std::string("") : "did you mean '" + guess + "'? ") + "The hypotheses are " + Reader::list(all_names) + ".");
    } else if (!listed.insert(h).second) {
      r.error_at(kp, "'" + h + "' is listed twice.", "list each hypothesis once.");
    }
  }
  // When the list is given it decides the family: a subgroup marked confirmatory must be in it.
  if (!an.testing.hypotheses.empty())
    for (const auto& h : all)
      if (h.subgroup >= 0 && an.subgroups[static_cast<std::size_t>(h.subgroup)].confirmatory && !listed.count(h.name))
        r.error_at("analysis.subgroups[" + std::to_string(h.subgroup) + "].confirmatory",
                   "'" + h.name + "' is marked confirmatory but " + hp + " leaves it out (the list decides the family).",
                   "add '" + h.name + "' to the list, or remove confirmatory: true.");
  const std::size_t m = family(sc).size();
  const auto& w = an.testing.weights;
  const auto& t = an.testing.transitions;
  const std::string wp = "analysis.multiplicity.weights", tp = "analysis.multiplicity.transitions";
  const bool weighted = an.multiplicity == Multiplicity::bonferroni || an.multiplicity == Multiplicity::holm ||
                        an.multiplicity == Multiplicity::fallback || an.multiplicity == Multiplicity::graphical;
  if (!w.empty()) {
    if (!weighted) r.error_at(wp, std::string("weights are not used by ") + to_string(an.multiplicity) + ".",
                              "remove them, or use bonferroni, holm, fallback or graphical.");
    else if (w.size() != m)
      r.error_at(wp, "there are " + std::to_string(w.size()) + " weights for " + std::to_string(m) + " hypotheses in the family.",
                 "give one weight per hypothesis, in the order of the family (" + std::to_string(m) + ").");
    double sum = 0;
    bool negative = false;
    for (double x : w) {
      sum += x;
      negative = negative || x < 0;
    }
    check(r, !negative, wp, "weights must not be negative.", "use shares of alpha between 0 and 1.");
    check(r, sum <= 1 + 1e-9, wp, "the weights sum to " + format_number(sum) + ", more than 1 (that would spend more than alpha).",
          "scale them down so that they sum to at most 1.");
  }
  if (an.multiplicity == Multiplicity::graphical && (w.empty() || t.empty()))
    r.error_at("analysis.multiplicity", "the graphical procedure needs weights and a transition matrix.",
               "add weights: [...] (one per hypothesis) and transitions: [[...], ...] (" + std::to_string(m) + " x " +
                   std::to_string(m) + ").");
  if (!t.empty()) {
    if (an.multiplicity != Multiplicity::graphical)
      r.error_at(tp, "transitions are used only by the graphical procedure.", "remove them or use procedure: graphical.");
    if (t.size() != m)
      r.error_at(tp, "the matrix has " + std::to_string(t.size()) + " rows for " + std::to_string(m) + " hypotheses.",
                 "give one row per hypothesis in the family.");
    for (std::size_t i = 0; i < t.size(); ++i) {
      const std::string rp = tp + "[" + std::to_string(i) + "]";
      if (t[i].size() != m) {
        r.error_at(rp, "the row has " + std::to_string(t[i].size()) + " entries, not " + std::to_string(m) + ".", "one entry per hypothesis.");
        continue;
      }
      double sum = 0;
      for (std::size_t j = 0; j < m; ++j) {
        sum += t[i][j];
        if (t[i][j] < 0) r.error_at(rp, "transition weights must not be negative.", "use shares between 0 and 1.");
      }
      if (i < m && t[i][i] != 0) r.error_at(rp, "a hypothesis cannot pass weight to itself (the diagonal must be 0).", "set entry " + std::to_string(i) + " to 0.");
      check(r, sum <= 1 + 1e-9, rp, "the row sums to " + format_number(sum) + ", more than 1.",
            "the shares a rejected hypothesis passes on must sum to at most 1.");
    }
  }
  const auto fam = family(sc);
  std::vector<std::string> fam_names;
  for (std::size_t h : fam) fam_names.push_back(all[h].name);
  for (const auto& c : an.claims) {
    const std::string claim_path = "analysis.claims." + c.name;
    for (std::size_t i = 0; i < c.all_of.size(); ++i)
      if (std::find(fam_names.begin(), fam_names.end(), c.all_of[i]) == fam_names.end()) {
        const std::string guess = closest_match(c.all_of[i], fam_names);
        r.error_at(claim_path + "[" + std::to_string(i) + "]",
                   "'" + c.all_of[i] + "' is not a hypothesis of the confirmatory family (" + Reader::list(fam_names) + ").",
                   guess.empty() ? "mark the subgroup confirmatory: true, or list it in analysis.multiplicity.hypotheses."
                                 : "did you mean '" + guess + "'?");
      }
  }
}

void validate_subgroups(Reader& r, const Scenario& sc) {
  const auto& an = sc.analysis;
  const bool cp = sc.population.outcome_model == OutcomeModel::cp;
  bool any_product = false, any_allogeneic = false;
  for (const auto& a : sc.arms) {
    any_product = any_product || (a.role == ArmRole::active && a.product != ProductType::none);
    any_allogeneic = any_allogeneic || (a.product == ProductType::ucb && (a.ucb.source_mix[1] > 0 || a.ucb.source_mix[2] > 0));
  }
  check(r, an.subgroups.size() <= kMaxSubgroups, "analysis.subgroups",
        "there are " + std::to_string(an.subgroups.size()) + " subgroups; the analysis supports at most " +
            std::to_string(kMaxSubgroups) + ".",
        "keep the 32 that matter most, or run several scenarios.");
  std::set<std::string> names;
  for (const auto& a : sc.arms) names.insert(a.name);
  for (std::size_t i = 0; i < an.subgroups.size(); ++i) {
    const Subgroup& g = an.subgroups[i];
    const std::string gp = "analysis.subgroups[" + std::to_string(i) + "]";
    if (!g.name.empty()) {
      check(r, g.name.find_first_of("/,\"") == std::string::npos && g.name != "primary", gp + ".name",
            "'" + g.name + "' cannot name a subgroup (it must not be 'primary' or hold '/', ',' or quotes).",
            "use a plain word such as under5.");
      check(r, names.insert(g.name).second, gp + ".name",
            "the name '" + g.name + "' is already used by an arm or another subgroup.", "give each subgroup its own name.");
    }
    if (g.has_age) {
      check(r, cp, gp + ".age_months", "age subgroups need the cp outcome model (the generic endpoint has no ages).",
            "remove the condition or set population.outcome_model: cp.");
      check(r, g.age_min_months < g.age_max_months, gp + ".age_months", "min must be below max.", "e.g. {min: 0, max: 60}.");
    }
    if (g.has_gmfcs) {
      check(r, cp, gp + ".gmfcs", "GMFCS subgroups need the cp outcome model.", "remove the condition or set population.outcome_model: cp.");
      check(r, std::find(g.gmfcs.begin(), g.gmfcs.end(), true) != g.gmfcs.end(), gp + ".gmfcs", "no GMFCS level is listed.",
            "list the levels in the subgroup, e.g. [I, II, III].");
    }
    if (g.has_dose) {
      check(r, cp && any_product, gp + ".dose_per_kg",
            "dose subgroups need an active arm with a UCB or MSC product (the planned dose per kg is its dose).",
            "add a product to the active arm or remove the condition.");
      check(r, g.dose_min < g.dose_max, gp + ".dose_per_kg", "min must be below max.", "e.g. {min: 2.0e7} TNC/kg.");
    }
    if (g.sex >= 0) check(r, cp, gp + ".sex", "sex subgroups need the cp outcome model.", "remove the condition.");
    if (g.has_hla) {
      check(r, any_allogeneic, gp + ".hla_mismatches",
            "HLA subgroups need a UCB arm with public or sibling units (autologous units have no mismatch).",
            "remove the condition or add allogeneic units to the source_mix.");
      check(r, std::find(g.hla.begin(), g.hla.end(), true) != g.hla.end(), gp + ".hla_mismatches", "no mismatch count is listed.",
            "e.g. [0, 1].");
    }
    if (g.has_route) {
      bool any = false;
      for (std::size_t a = 0; a < sc.arms.size(); ++a) any = any || subgroup_applies(sc, g, a);
      check(r, any, gp + ".route", std::string("no active arm gives MSC ") + to_string(g.route) + ".",
            "remove the condition or use the route of an MSC arm.");
    }
  }
  check(r, an.interaction_alpha >= kMinAlpha && an.interaction_alpha < 1, "analysis.interaction_alpha",
        "must be in [" + format_number(kMinAlpha) + ", 1) (two-sided level of the interaction test; got " +
            format_number(an.interaction_alpha) + ").",
        "e.g. 0.10.");
  validate_family(r, sc);
}

/// The index of the control arm after `skip` others.
std::size_t nth_control(const Scenario& sc, std::size_t skip) {
  for (std::size_t i = 0; i < sc.arms.size(); ++i)
    if (sc.arms[i].role == ArmRole::control && skip-- == 0) return i;
  return 0;
}

// Cross-field validation, after every value has been read.
// The outcome model: motor curves and variation (cp) or the generic endpoint.
void validate_outcome_model(Reader& r, const Scenario& sc) {
  [[maybe_unused]] const auto& p = sc.population;
  [[maybe_unused]] const bool cp = p.outcome_model == OutcomeModel::cp;
  if (cp) {
    const auto& a = p.age;
    if (a.distribution == AgeDistribution::uniform)
      check(r, a.min_months >= 0 && a.max_months > a.min_months, "population.age_months",
            "uniform ages need 0 <= min < max (got min " + format_number(a.min_months) + ", max " +
                format_number(a.max_months) + ").",
            "e.g. min: 12, max: 72.");
    else {
      // Bounded so that the lognormal's parameters stay finite and positive.
      check(r, a.mean_months >= 0.1 && a.mean_months <= 300, "population.age_months.mean",
            "the mean age must be between 0.1 and 300 months (got " + format_number(a.mean_months) + ").", "e.g. mean: 36.");
      check(r, a.sd_months >= 0.01 && a.sd_months <= 300, "population.age_months.sd",
            "the SD must be between 0.01 and 300 months (got " + format_number(a.sd_months) + ").", "e.g. sd: 15.");
    }
    const auto& e = p.eligibility;
    check(r, e.min_age_months >= 0 && e.max_age_months > e.min_age_months, "population.eligibility",
          "eligibility needs 0 <= min_age_months < max_age_months.", "e.g. min_age_months: 12, max_age_months: 72.");
    if (r.diags.empty()) {
      const double yield = age_eligibility_yield(p);
      check(r, yield >= 1e-4, "population.eligibility",
            yield == 0 ? std::string("no child from the age distribution meets the age limits.")
                       : "only " + format_number(yield) + " of children from the age distribution meet the age limits "
                         "(fewer than 1 in 10,000 screened would enrol).",
            "make population.age_months overlap population.eligibility.");
    }
    check(r, e.max_age_months <= 300, "population.eligibility.max_age_months",
          "ages above 300 months (25 years) are outside the motor-development curves.", "use at most 300.");
    double sum = 0;
    bool nonneg = true;
    for (double m : p.cp.mix) {
      sum += m;
      nonneg = nonneg && m >= 0;
    }
    check(r, nonneg, "population.gmfcs_mix", "shares must not be negative.", "use shares between 0 and 1.");
    check(r, std::fabs(sum - 1) < 1e-6, "population.gmfcs_mix",
          "the GMFCS shares sum to " + format_number(sum) + ", not 1.",
          "make the shares of levels I-V sum to 1 (levels left out count as 0).");
    for (int i = 0; i < kGmfcsLevels; ++i) {
      const auto& c = p.cp.curves[static_cast<std::size_t>(i)];
      const std::string cpth = std::string("population.cp.curves.") + kGmfcsNames[static_cast<std::size_t>(i)];
      check(r, c.limit > 0 && c.limit <= 100, cpth + ".limit", "the limit must be in (0, 100] GMFM-66 points.",
            "Rosenbaum 2002 gives 87.7, 68.4, 54.3, 40.4, 22.3 for levels I-V.");
      check(r, c.age90_years > 0, cpth + ".age90_years", "age90 must be positive (years).",
            "Rosenbaum 2002 gives 4.8, 4.4, 3.7, 3.5, 2.7 for levels I-V.");
    }
    check(r, p.cp.child_limit_sd >= 0, "population.cp.child_limit_sd", "an SD must not be negative.", "e.g. 8.");
    check(r, p.cp.progress_sd_per_year >= 0, "population.cp.progress_sd_per_year", "an SD must not be negative.",
          "e.g. 4.8.");
    check(r, p.cp.measurement_sd >= 0, "population.cp.measurement_sd", "an SD must not be negative.", "e.g. 1.3.");
  } else {
    const auto& g = p.generic;
    check(r, g.baseline_sd > 0, "population.generic.baseline_sd",
          "the SD must be positive (got " + format_number(g.baseline_sd) + ").", "e.g. 10.");
    check(r, g.residual_sd > 0, "population.generic.residual_sd",
          "the SD must be positive (got " + format_number(g.residual_sd) + ").", "e.g. 4.");
  }
}

// The children: sex, age, eligibility and weight.
void validate_children(Reader& r, const Scenario& sc) {
  [[maybe_unused]] const auto& p = sc.population;
  [[maybe_unused]] const bool cp = p.outcome_model == OutcomeModel::cp;
  check(r, p.male_fraction >= 0 && p.male_fraction <= 1, "population.male_fraction",
        "must be between 0 and 1 (got " + format_number(p.male_fraction) + ").", "e.g. 0.56.");
  if (cp && p.age.distribution == AgeDistribution::table) {
    const auto& e = p.age.table_edges;
    const auto& w = p.age.table_weights;
    bool ok = e.size() >= 2 && w.size() + 1 == e.size() && e.front() >= 0;
    for (std::size_t k = 1; ok && k < e.size(); ++k) ok = e[k] > e[k - 1];
    double sum = 0;
    for (double x : w) {
      ok = ok && x >= 0;
      sum += x;
    }
    check(r, ok && sum > 0, "population.age_months.table",
          "needs increasing bin edges (months, from 0 up) and one non-negative weight per bin (edges = weights + 1).",
          "e.g. {edges_months: [12, 24, 48, 72], weights: [0.3, 0.5, 0.2]}.");
  }
  const bool any_product = std::any_of(sc.arms.begin(), sc.arms.end(), [](const Arm& a) { return a.product != ProductType::none; });
  const auto& el = p.eligibility;
  const bool needs_weight = cp && (any_product || el.min_weight_kg > 0 || el.max_weight_kg < 1000);
  if (cp) {
    bool any_level = false;
    for (int l = 0; l < kGmfcsLevels; ++l)
      any_level = any_level || (el.gmfcs[static_cast<std::size_t>(l)] && p.cp.mix[static_cast<std::size_t>(l)] > 0);
    check(r, any_level, "population.eligibility.gmfcs", "no GMFCS level that occurs in the mix is eligible.",
          "list at least one level with a positive share in population.gmfcs_mix.");
    check(r, el.min_weight_kg >= 0 && el.max_weight_kg > el.min_weight_kg, "population.eligibility",
          "weight limits need 0 <= min_weight_kg < max_weight_kg.", "e.g. min_weight_kg: 8.");
    check(r, el.min_ucb_tnc_per_kg >= 0 && el.min_ucb_tnc_per_kg <= 1e9, "population.eligibility.min_ucb_tnc_per_kg",
          "must be between 0 and 1e9 TNC/kg (got " + format_number(el.min_ucb_tnc_per_kg) +
              "; no cord-blood unit gives a child 1e9 TNC/kg).",
          "e.g. 2e7 for a floor of 2 x 10^7 TNC/kg.");
    if (el.min_ucb_tnc_per_kg > 0)
      check(r, std::any_of(sc.arms.begin(), sc.arms.end(), [](const Arm& a) { return a.product == ProductType::ucb; }),
            "population.eligibility.min_ucb_tnc_per_kg", "a UCB dose floor needs an arm with a UCB product.",
            "add 'product: {type: ucb}' to the active arm or remove the floor.");
    const auto& w = p.weight;
    check(r, w.cv >= 0 && w.cv <= 0.5, "population.weight.cv", "must be in [0, 0.5] (got " + format_number(w.cv) + ").",
          "weight-for-age CVs are about 0.11-0.16.");
    bool table_ok = w.table_months.size() >= 2 && w.boys_kg.size() == w.table_months.size() &&
                    w.girls_kg.size() == w.table_months.size();
    for (std::size_t k = 0; table_ok && k < w.table_months.size(); ++k)
      table_ok = (k == 0 || w.table_months[k] > w.table_months[k - 1]) && w.boys_kg[k] > 0 && w.girls_kg[k] > 0;
    check(r, table_ok, "population.weight.table",
          "needs increasing months and a positive weight for boys and girls at each of them.",
          "give three lists of the same length.");
    if (table_ok && needs_weight) {
      const double top = w.table_months.back(), bottom = w.table_months.front();
      const double oldest = p.age.distribution == AgeDistribution::uniform
                                ? std::min(p.age.max_months, el.max_age_months)
                                : el.max_age_months;
      const double youngest = p.age.distribution == AgeDistribution::uniform ? std::max(p.age.min_months, el.min_age_months)
                                                                             : el.min_age_months;
      check(r, oldest <= top && youngest >= bottom, "population.eligibility",
            "children up to " + format_number(oldest) + " months can enrol, but the weight-for-age table covers " +
                format_number(bottom) + " to " + format_number(top) + " months.",
            "lower population.eligibility.max_age_months or extend population.weight.table.");
    }
    check(r, p.cp.occasion_sd >= 0, "population.cp.occasion_sd", "an SD must not be negative.", "e.g. 2.6.");
    check(r, p.cp.decline.until_age_years > 0, "population.cp.decline.until_age_years", "must be positive.", "e.g. 21.");
    for (int l = 0; l < kGmfcsLevels; ++l) {
      const auto i = static_cast<std::size_t>(l);
      check(r, p.cp.decline.loss_points[i] >= 0 && p.cp.decline.peak_age_years[i] >= 0 &&
                   (p.cp.decline.loss_points[i] == 0 || p.cp.decline.peak_age_years[i] < p.cp.decline.until_age_years),
            "population.cp.decline", "peak ages and losses must not be negative, and peaks come before until_age_years.",
            "Hanna 2009: peaks 7.9, 6.9, 6.9 years and losses 4.7, 7.8, 6.4 points for levels III-V.");
    }
  }
}

// The arms: roles, names, allocation, effects, products, dose-response, modifiers, priors, safety.
// An arm's product: UCB units and doses, MSC doses and route.
void validate_product(Reader& r, const Scenario& sc, const Arm& a, const std::string& ap) {
  [[maybe_unused]] const auto& p = sc.population;
  [[maybe_unused]] const bool cp = p.outcome_model == OutcomeModel::cp;
  if (a.product == ProductType::ucb) {
    const auto& u = a.ucb;
    const std::string pp = ap + ".product";
    double sum = 0;
    for (double x : u.source_mix) sum += x;
    check(r, std::fabs(sum - 1) < 1e-6 && *std::min_element(u.source_mix.begin(), u.source_mix.end()) >= 0,
          pp + ".source_mix", "unit-source shares must be non-negative and sum to 1 (got " + format_number(sum) + ").",
          "e.g. {autologous: 0.16, public: 0.84}.");
    for (std::size_t k = 0; k < u.unit.size(); ++k)
      if (u.source_mix[k] > 0)
        check(r, u.unit[k].median_tnc > 0 && u.unit[k].cv > 0 && u.unit[k].cv <= 3,
              pp + ".unit_tnc." + schema::kSourceNames[k], "needs a positive median TNC and a CV in (0, 3].",
              "e.g. {median: 4.7e8, cv: 0.6} for privately banked units.");
    check(r, u.post_thaw_recovery > 0 && u.post_thaw_recovery <= 1, pp + ".post_thaw_recovery",
          "must be in (0, 1] (got " + format_number(u.post_thaw_recovery) + ").", "about 0.8 is typical.");
    check(r, u.bank_choices >= 1 && u.bank_choices <= 100, pp + ".bank_choices", "must be between 1 and 100.",
          "1 means a single random unit.");
    check(r, u.target_tnc_per_kg >= 0, pp + ".target_tnc_per_kg", "must not be negative.", "e.g. 5e7.");
    sum = 0;
    for (double x : u.hla_mismatch_mix) sum += x;
    check(r, std::fabs(sum - 1) < 1e-6 && *std::min_element(u.hla_mismatch_mix.begin(), u.hla_mismatch_mix.end()) >= 0,
          pp + ".hla_mismatch_mix", "shares of 0, 1 and 2+ mismatches must be non-negative and sum to 1.",
          "e.g. {0: 0.26, 1: 0.37, 2: 0.37}.");
  }
  if (a.product == ProductType::msc) {
    const auto& m = a.msc;
    const std::string pp = ap + ".product";
    check(r, m.cells_per_kg > 0 || m.fixed_cells > 0, pp, "give cells_per_kg or fixed_cells (per dose), positive.",
          "e.g. cells_per_kg: 2e6 or fixed_cells: 5e7.");
    check(r, m.cells_per_kg >= 0 && m.fixed_cells >= 0, pp, "cell numbers must not be negative.", "");
    check(r, m.doses >= 1 && m.doses <= 20, pp + ".doses", "must be between 1 and 20.", "MSC trials gave 1-4 doses.");
    check(r, m.interval_weeks > 0, pp + ".interval_weeks", "must be positive.", "e.g. 4.");
    check(r, m.route_multiplier[0] >= 0 && m.route_multiplier[1] >= 0, pp + ".route_multiplier",
          "multipliers must not be negative.", "1 means no change.");
    check(r, m.dose_count_multiplier.empty() || static_cast<int>(m.dose_count_multiplier.size()) >= m.doses,
          pp + ".dose_count_multiplier",
          "give one multiplier for each number of doses from 1 up to doses (" + std::to_string(m.doses) + ").",
          "e.g. [0.8, 1.0] for doses: 2.");
    for (double x : m.dose_count_multiplier)
      check(r, x >= 0, pp + ".dose_count_multiplier", "multipliers must not be negative.", "");
  }
  const auto& d = a.dose_response;
  if (d.model != DoseResponseModel::none) {
    const std::string dp = ap + ".dose_response";
    check(r, a.product != ProductType::none, dp, "a dose-response needs a product that gives a dose.",
          "add 'product: {type: ucb}' or 'product: {type: msc, ...}'.");
    check(r, d.reference_dose > 0, dp + ".reference_dose",
          "the dose at which effect_by_month applies must be positive.", "e.g. 3e7 (TNC/kg) for UCB.");
    if (d.model == DoseResponseModel::step) {
      check(r, d.threshold > 0 && d.below_fraction >= 0 && d.below_fraction <= 1, dp,
            "step needs threshold > 0 and below_fraction between 0 and 1 (got threshold " + format_number(d.threshold) +
                ", below_fraction " + format_number(d.below_fraction) + ").",
            "e.g. threshold: 2e7, below_fraction: 0.3 (the share of the effect left below the threshold).");
      check(r, d.reference_dose >= d.threshold || d.below_fraction > 0, dp + ".reference_dose",
            "effect_by_month applies at the reference dose, which is below the threshold, where below_fraction 0 "
            "leaves no effect: every child's effect would be 0.",
            "use a reference_dose at or above the threshold, or a below_fraction above 0.");
    }
    if (d.model == DoseResponseModel::emax)
      check(r, d.ed50 > 0 && d.hill > 0 && d.hill <= 20, dp, "emax needs ed50 > 0 and 0 < hill <= 20.",
            "e.g. ed50: 2e7, hill: 1.");
  }
}

// An arm's dose-response, effect modifiers, heterogeneity, prior and safety risks.
void validate_effect_terms(Reader& r, const Scenario& sc, const Arm& a, const std::string& ap) {
  [[maybe_unused]] const auto& p = sc.population;
  [[maybe_unused]] const bool cp = p.outcome_model == OutcomeModel::cp;
  const auto& m = a.modifiers;
  {
    const std::string mp = ap + ".modifiers";
    bool ok = m.age_multipliers.size() == m.age_breaks_months.size() + 1;
    for (std::size_t k = 1; ok && k < m.age_breaks_months.size(); ++k) ok = m.age_breaks_months[k] > m.age_breaks_months[k - 1];
    for (double x : m.age_multipliers) ok = ok && x >= 0;
    check(r, ok, mp + ".age", "needs increasing breaks and one non-negative multiplier more than breaks.",
          "e.g. {breaks_months: [60], multipliers: [1.3, 0.6]}: 1.3 below 5 years, 0.6 from 5 years.");
    for (int l = 0; l < kGmfcsLevels; ++l) {
      const auto li = static_cast<std::size_t>(l);
      check(r, m.gmfcs[li] >= 0, mp + ".gmfcs", "multipliers must not be negative.", "1 means no change.");
      if (m.gmfcs_given[li] && cp)
        check(r, p.cp.mix[li] > 0, mp + ".gmfcs." + kGmfcsNames[li],
              std::string("a modifier is given for GMFCS level ") + kGmfcsNames[li] +
                  ", but that level has no share in population.gmfcs_mix.",
              "remove it, or give the level a share in population.gmfcs_mix.");
    }
    for (double x : m.hla_mismatch) check(r, x >= 0, mp + ".hla_mismatch", "multipliers must not be negative.", "");
    if (m.hla_mismatch != std::array<double, kHlaLevels>{1, 1, 1})
      check(r, a.product == ProductType::ucb, mp + ".hla_mismatch", "HLA modifiers apply to UCB products only.",
            "add 'product: {type: ucb}' or remove them.");
  }
  const auto& q = a.effect_prior;
  if (q.kind != PriorKind::none) {
    const std::string qp = ap + ".effect_prior";
    check(r, a.role == ArmRole::active, qp, "a control arm has no effect to put a prior on.", "move the prior to an active arm.");
    check(r, effect_at(a, sc.analysis.primary_visit_months) != 0, qp,
          "the prior scales the arm's effect_by_month, which is 0 at the primary visit.",
          "give effect_by_month a non-zero effect at the primary visit (e.g. the prior mean).");
    if (q.kind == PriorKind::normal || q.kind == PriorKind::truncated_normal)
      check(r, q.sd > 0, qp + ".sd", "the prior SD must be positive (got " + format_number(q.sd) + ").",
            "e.g. 0.56 for the IPDMA 12-month estimate.");
    if (q.kind == PriorKind::truncated_normal && q.sd > 0) {
      const boost::math::normal_distribution<double> nd(q.mean, q.sd);
      const double mass = q.lower < q.upper ? boost::math::cdf(nd, q.upper) - boost::math::cdf(nd, q.lower) : 0.0;
      check(r, mass >= 1e-3, qp, "the truncation bounds keep almost none of the prior (mass " + format_number(mass) + ").",
            "use lower < upper around the mean.");
    }
    if (q.kind == PriorKind::discrete) {
      bool ok = !q.values.empty() && q.values.size() == q.weights.size();
      double sum = 0;
      for (double w : q.weights) {
        ok = ok && w >= 0;
        sum += w;
      }
      check(r, ok && sum > 0, qp, "a discrete prior needs as many non-negative weights as values, not all 0.",
            "e.g. {distribution: discrete, values: [0, 1.42, 2.5], weights: [0.2, 0.5, 0.3]}.");
    }
  }
  const auto& h = a.heterogeneity;
  check(r, h.sd >= 0, ap + ".heterogeneity.sd", "an SD must not be negative.", "e.g. 1.0.");
  check(r, h.responder_fraction > 0 && h.responder_fraction <= 1, ap + ".heterogeneity.responder_fraction",
        "must be in (0, 1].", "e.g. 0.4 for 40 % responders.");
  check(r, a.safety.sae_risk >= 0 && a.safety.sae_risk <= 1 && a.safety.infusion_reaction_risk >= 0 &&
               a.safety.infusion_reaction_risk <= 1,
        ap + ".safety", "risks are probabilities in [0, 1].", "defaults: SAE 0.160 active, 0.129 control.");
}

void validate_arms(Reader& r, const Scenario& sc) {
  [[maybe_unused]] const auto& p = sc.population;
  [[maybe_unused]] const bool cp = p.outcome_model == OutcomeModel::cp;
  int controls = 0, actives = 0;
  std::set<std::string> names;
  for (std::size_t i = 0; i < sc.arms.size(); ++i) {
    const auto& a = sc.arms[i];
    const std::string ap = "arms[" + std::to_string(i) + "]";
    (a.role == ArmRole::control ? controls : actives)++;
    if (!a.name.empty() && !names.insert(a.name).second)
      r.error_at(ap + ".name", "the arm name '" + a.name + "' is used twice.", "give every arm its own name.");
    if (a.name == "all arms")
      r.error_at(ap + ".name", "'all arms' labels the trial's totals in summary.csv, so it cannot name one arm.",
                 "choose another name, e.g. 'arm " + std::to_string(i + 1) + "'.");
    check(r, a.allocation > 0 && a.allocation <= 1000, ap + ".allocation",
          "the allocation ratio must be positive (got " + format_number(a.allocation) + ").",
          "e.g. 1 for equal allocation, 2 for twice as many as an arm with 1.");
    if (a.role == ArmRole::active && a.effect_by_month.empty())
      r.error_at(ap, "the active arm has no effect_by_month.",
                 "add e.g. 'effect_by_month: {6: 1.36, 12: 1.42}' (use 0 for a null scenario).");
    if (a.role == ArmRole::control && !a.effect_by_month.empty())
      r.error_at(ap + ".effect_by_month", "a control arm has no effect relative to itself.",
                 "remove effect_by_month from the control arm.");
    if (a.role == ArmRole::control) {
      check(r, a.product == ProductType::none && a.dose_response.model == DoseResponseModel::none &&
                   a.heterogeneity.model == Heterogeneity::none && a.modifiers.age_breaks_months.empty(),
            ap, "a control arm takes no product, dose-response, modifiers or heterogeneity.",
            "describe the therapy on the active arm; a sham procedure goes in design.sham_effect_by_month.");
    }
    if (a.product != ProductType::none && !cp)
      r.error_at(ap + ".product", "cell products need the cp outcome model (dose depends on the child's weight).",
                 "set population.outcome_model: cp or remove the product.");
    validate_product(r, sc, a, ap);
    validate_effect_terms(r, sc, a, ap);
  }
  if (!sc.arms.empty()) {
    // A second control arm is reported at its role; a missing role at the list.
    check(r, controls == 1, controls > 1 ? "arms[" + std::to_string(nth_control(sc, 1)) + "].role" : std::string("arms"),
          "there must be exactly one control arm (found " + std::to_string(controls) + ").",
          controls > 1 ? "make all but one of them 'role: active'." : "give one arm 'role: control'.");
    check(r, actives >= 1, "arms", "there must be at least one active arm.", "give an arm 'role: active'.");
    check(r, sc.arms.size() <= kMaxArms, "arms",
          "there are " + std::to_string(sc.arms.size()) + " arms; celltrial simulates at most " +
              std::to_string(kMaxArms) + " (the control included).",
          "drop or merge arms, or compare them in separate scenarios that share the control arm's settings.");
  }
}

// The design; returns whether the visits are positive and increasing.
bool validate_design(Reader& r, const Scenario& sc) {
  [[maybe_unused]] const auto& p = sc.population;
  [[maybe_unused]] const bool cp = p.outcome_model == OutcomeModel::cp;
  const auto& d = sc.design;
  check(r, d.sample_size >= static_cast<std::int64_t>(std::max<std::size_t>(sc.arms.size(), 2)) * 2 &&
               d.sample_size <= 1000000,
        "design.sample_size",
        "the total sample size must be between twice the number of arms and 1,000,000 (got " +
            std::to_string(d.sample_size) + ").",
        "e.g. 200.");
  bool sorted = !d.visits_months.empty();
  for (std::size_t i = 0; i < d.visits_months.size(); ++i) {
    if (d.visits_months[i] <= 0) sorted = false;
    if (i && d.visits_months[i] <= d.visits_months[i - 1]) sorted = false;
  }
  check(r, sorted, "design.visits_months",
        "visits must be positive months in increasing order without repeats.", "e.g. [3, 6, 12].");
  check(r, d.visits_months.size() <= kMaxVisits, "design.visits_months",
        "there are " + std::to_string(d.visits_months.size()) + " visits; celltrial simulates at most " +
            std::to_string(kMaxVisits) + ".",
        "keep the visits the analysis and the dropout model need (at most " + std::to_string(kMaxVisits) + ").");
  check(r, d.dropout_by_last_visit >= 0 && d.dropout_by_last_visit < 1, "design.dropout.by_last_visit",
        "the dropout probability must be in [0, 1) (got " + format_number(d.dropout_by_last_visit) + ").",
        "e.g. 0.05 for 5 % lost by the last visit.");

  for (double x : d.dropout_gmfcs_multiplier)
    check(r, x >= 0, "design.dropout.gmfcs_multiplier", "multipliers must not be negative.", "1 means no change.");
  check(r, std::fabs(d.dropout_per_point) <= 5, "design.dropout.per_point_of_progress",
        "must be between -5 and 5 (log hazard ratio per point of observed change).", "e.g. -0.1: less loss when progressing.");
  if (d.dropout_per_point != 0)
    check(r, cp, "design.dropout.per_point_of_progress", "dropout on observed progress needs the cp outcome model.",
          "set it to 0 for the generic endpoint.");
  return sorted;
}

// Recruitment in calendar time: every site must open, screen and, with a cap, make room for the
// whole sample.
void validate_accrual(Reader& r, const Scenario& sc) {
  const Accrual& a = sc.design.accrual;
  check(r, !(a.modelled() && sc.enrichment.screened_per_month > 0), "enrichment.screened_per_month",
        "design.accrual already says how children are recruited; a second, flat rate would disagree with it.",
        "remove enrichment.screened_per_month: the enrichment table's months of accrual then come from design.accrual.");
  const bool other_keys = a.ramp_up_months != 0 || a.screened_per_site_month != 0 || a.cap_per_site != 0;
  if (!a.modelled()) {
    check(r, !other_keys, "design.accrual.sites",
          "accrual needs the number of recruiting sites (sites is 0 or missing while other accrual keys are given).",
          "give sites: e.g. 'sites: 12', or remove design.accrual to simulate no calendar.");
    return;
  }
  check(r, a.screened_per_site_month > 0, "design.accrual.screened_per_site_month",
        "with no children screened the trial would never recruit (the rate is 0 or missing).",
        "give the children screened per open site per month, e.g. 'screened_per_site_month: 1.5'.");
  if (a.cap_per_site > 0) {
    const double room = static_cast<double>(a.sites) * static_cast<double>(a.cap_per_site);
    check(r, room >= static_cast<double>(sc.design.sample_size), "design.accrual.cap_per_site",
          "the sites can randomise at most " + format_number(room) + " children (sites x cap_per_site), fewer than the " +
              std::to_string(sc.design.sample_size) + " of design.sample_size.",
          "raise cap_per_site to at least " +
              std::to_string((sc.design.sample_size + a.sites - 1) / a.sites) + ", add sites, or set it to 0 (no cap).");
  }
}

// The analysis, its subgroups and multiplicity.
void validate_analysis(Reader& r, const Scenario& sc, bool sorted) {
  [[maybe_unused]] const auto& p = sc.population;
  [[maybe_unused]] const bool cp = p.outcome_model == OutcomeModel::cp;
  const auto& d = sc.design;
  const auto& an = sc.analysis;
  check(r, an.sae_difference_threshold > -1 && an.sae_difference_threshold < 1, "analysis.sae_difference_threshold",
        "must be between -1 and 1 (a difference of SAE proportions).", "e.g. 0.05.");
  if (sorted)
    check(r, std::find(d.visits_months.begin(), d.visits_months.end(), an.primary_visit_months) != d.visits_months.end(),
          "analysis.primary_visit_months",
          "the primary visit (" + format_number(an.primary_visit_months) + " months) is not one of the visits.",
          "use one of design.visits_months.");
  check(r, an.alpha >= kMinAlpha && an.alpha <= 0.5, "analysis.alpha",
        "alpha must be in [" + format_number(kMinAlpha) + ", 0.5] (got " + format_number(an.alpha) + ").",
        "e.g. 0.05 two-sided or 0.025 one-sided.");
  check(r, an.sides == 1 || an.sides == 2, "analysis.sides", "sides must be 1 or 2 (got " + std::to_string(an.sides) + ").",
        "use 2 for a two-sided test, 1 for one-sided.");
  check(r, an.ci_level > 0.5 && an.ci_level <= 1 - kMinAlpha, "analysis.ci_level",
        "the confidence level must be in (0.5, " + format_number(1 - kMinAlpha) + "] (got " + format_number(an.ci_level) +
            ").",
        "e.g. 0.95.");
  for (auto c : an.adjust_for)
    if (c == Covariate::gmfcs && !cp)
      r.error_at("analysis.adjust_for", "gmfcs adjustment needs the cp outcome model.",
                 "remove gmfcs from adjust_for or set population.outcome_model: cp.");

  validate_subgroups(r, sc);
}

}  // namespace

void validate(Reader& r, const Scenario& sc) {
  check(r, sc.schema_version == kSchemaVersion, "schema_version",
        "schema version " + std::to_string(sc.schema_version) + " is not supported.",
        "this celltrial reads schema_version: " + std::to_string(kSchemaVersion) + ".");
  check(r, !sc.name.empty() && sc.name.find_first_of("/\\") == std::string::npos && sc.name != "." && sc.name != "..",
        "name", "the name must be non-empty and contain no '/' or '\\' (it names the results folder).",
        "use a short word such as ucb_phase3.");

  validate_outcome_model(r, sc);
  validate_children(r, sc);
  validate_arms(r, sc);
  const bool sorted = validate_design(r, sc);
  validate_accrual(r, sc);
  validate_analysis(r, sc, sorted);
  // Simulation.
  check(r, sc.simulation.trials >= 1 && sc.simulation.trials <= 10000000000ULL, "simulation.trials",
        "the number of trials must be between 1 and 10,000,000,000.", "e.g. 10000.");
}

namespace {
/// Checks every value against its declared range (schema.hpp), for the keys whose range validate()
/// does not check with a message of its own: it runs after validate() found nothing.
class DeclaredRanges {
 public:
  explicit DeclaredRanges(Reader& r) : r_(r) {}

  void number(const char* key, double x, const schema::Meta& m) { check(at(key), x, m, false); }
  template <class I>
  void integer(const char* key, I x, const schema::Meta& m) { check(at(key), static_cast<double>(x), m, true); }
  void text(const char*, const std::string&, const schema::Meta&) {}
  template <class E>
  void choice(const char*, const E&, schema::Options<E>, const schema::Meta&) {}
  template <class E>
  void choices(const char*, const std::vector<E>&, schema::Options<E>, const schema::Meta&) {}
  void numbers(const char* key, const std::vector<double>& x, const schema::Meta& m) {
    for (std::size_t i = 0; i < x.size(); ++i) check(at(key) + "[" + std::to_string(i) + "]", x[i], m, false);
  }
  void texts(const char*, const std::vector<std::string>&, const schema::Meta&) {}
  void matrix(const char* key, const std::vector<std::vector<double>>& x, const schema::Meta& m) {
    for (std::size_t i = 0; i < x.size(); ++i)
      for (std::size_t j = 0; j < x[i].size(); ++j)
        check(at(key) + "[" + std::to_string(i) + "][" + std::to_string(j) + "]", x[i][j], m, false);
  }
  template <std::size_t N, std::size_t K>
  void named(const char* key, const std::array<double, N>& x, const std::array<const char*, K>& names, const schema::Meta& m) {
    for (std::size_t i = 0; i < N; ++i) check(at(key) + "." + names[i], x[i], m, false);
  }
  template <std::size_t N, std::size_t K>
  void named_partial(const char* key, const std::array<double, N>& x, const std::array<bool, N>&,
                     const std::array<const char*, K>& names, const schema::Meta& m) {
    named(key, x, names, m);
  }
  template <std::size_t N, std::size_t K>
  void levels(const char*, const std::array<bool, N>&, const std::array<const char*, K>&, const schema::Meta&) {}
  void by_month(const char*, const std::vector<std::pair<double, double>>&, const schema::Meta&) {}
  template <class F>
  void section(const char* key, const schema::Meta& m, F&& body) {
    if (m.input_only) return;
    path_.push_back(key);
    body(*this);
    path_.pop_back();
  }
  template <class T, class F>
  void list(const char* key, const std::vector<T>& x, const schema::Meta&, F&& body) {
    for (std::size_t i = 0; i < x.size(); ++i) {
      path_.push_back(std::string(key) + "[" + std::to_string(i) + "]");
      body(*this, x[i]);
      path_.pop_back();
    }
  }
  template <class E, class F>
  void choice_or_section(const char* key, const E&, schema::Options<E>, const schema::Meta& m, bool, F&& body) {
    section(key, m, body);
  }
  template <class X>
  void free_form(const char*, const X&, schema::Shape, const schema::Meta&) {}

 private:
  Reader& r_;
  std::vector<std::string> path_;

  std::string at(const char* key) const {
    std::string p;
    for (const auto& part : path_) p += part + ".";
    return p + key;
  }
  void check(const std::string& path, double x, const schema::Meta& m, bool integer) {
    if (m.input_only) return;
    const bool low = m.min && (m.min->exclusive ? !(x > m.min->value) : !(x >= m.min->value));
    const bool high = m.max && (m.max->exclusive ? !(x < m.max->value) : !(x <= m.max->value));
    if (!low && !high) return;
    std::string range = schema::range_text(m, integer);
    if (range.find(" to ") != std::string::npos) range = "from " + range;
    else if (range[0] == '(' || range[0] == '[') range = "in " + range;
    r_.error_at(path, "must be " + range + " (got " + format_number(x) + ").", "give a value " + range + " (" + m.meaning + ").");
  }
};
}  // namespace

void check_declared_ranges(Reader& r, const Scenario& sc) {
  DeclaredRanges ranges(r);
  schema::declare_scenario(ranges, sc);
}

}  // namespace celltrial::scenario_io
