// Validation of a resolved scenario: every value against its declared range (schema.hpp), then,
// when all are in range, the rules between keys (shares summing to 1, the primary visit among the
// visits, products and dose-response, subgroups and the confirmatory family, the limits of the
// model and engine). A range is declared once, in schema.hpp, and not checked again here.
#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include <Eigen/Dense>
#include <boost/math/distributions/normal.hpp>

#include "celltrial/scenario/interims.hpp"
#include "celltrial/scenario/limits.hpp"
#include "celltrial/scenario/schema.hpp"
#include "celltrial/scenario/schema_export.hpp"
#include "celltrial/stats/group_sequential.hpp"
#include "reader.hpp"

namespace celltrial::scenario_io {
namespace {

// The confirmatory family: its hypotheses, weights, transitions and claims.

// analysis.multiplicity.hypotheses: known names, each once; when given, the list decides the family.
void validate_family_hypotheses(Reader& r, const Scenario& sc, const std::vector<Hypothesis>& all) {
  const auto& an = sc.analysis;
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
}

// analysis.multiplicity.weights: for a weighted procedure, one per hypothesis of the family (m hypotheses),
// summing to at most 1.
void validate_family_weights(Reader& r, const Scenario& sc, std::size_t m) {
  const auto& an = sc.analysis;
  const auto& w = an.testing.weights;
  if (w.empty()) return;
  const std::string wp = "analysis.multiplicity.weights";
  const bool weighted = an.multiplicity == Multiplicity::bonferroni || an.multiplicity == Multiplicity::holm ||
                        an.multiplicity == Multiplicity::fallback || an.multiplicity == Multiplicity::graphical;
  if (!weighted) r.error_at(wp, std::string("weights are not used by ") + to_string(an.multiplicity) + ".",
                            "remove them, or use bonferroni, holm, fallback or graphical.");
  else if (w.size() != m)
    r.error_at(wp, "there are " + std::to_string(w.size()) + " weights for " + std::to_string(m) + " hypotheses in the family.",
               "give one weight per hypothesis, in the order of the family (" + std::to_string(m) + ").");
  double sum = 0;
  for (double x : w) sum += x;
  check(r, sum <= 1 + 1e-9, wp, "the weights sum to " + format_number(sum) + ", more than 1 (that would spend more than alpha).",
        "scale them down so that they sum to at most 1.");
}

// analysis.multiplicity.transitions: for the graphical procedure only, an m x m matrix with a zero diagonal and
// rows summing to at most 1.
void validate_family_transitions(Reader& r, const Scenario& sc, std::size_t m) {
  const auto& an = sc.analysis;
  const auto& t = an.testing.transitions;
  const std::string tp = "analysis.multiplicity.transitions";
  if (an.multiplicity == Multiplicity::graphical && (an.testing.weights.empty() || t.empty()))
    r.error_at("analysis.multiplicity", "the graphical procedure needs weights and a transition matrix.",
               "add weights: [...] (one per hypothesis) and transitions: [[...], ...] (" + std::to_string(m) + " x " +
                   std::to_string(m) + ").");
  if (t.empty()) return;
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
    for (std::size_t j = 0; j < m; ++j) sum += t[i][j];
    if (i < m && t[i][i] != 0) r.error_at(rp, "a hypothesis cannot pass weight to itself (the diagonal must be 0).", "set entry " + std::to_string(i) + " to 0.");
    check(r, sum <= 1 + 1e-9, rp, "the row sums to " + format_number(sum) + ", more than 1.",
          "the shares a rejected hypothesis passes on must sum to at most 1.");
  }
}

// analysis.claims: each names hypotheses of the confirmatory family.
void validate_claims(Reader& r, const Scenario& sc, const std::vector<Hypothesis>& all) {
  std::vector<std::string> fam_names;
  for (std::size_t h : family(sc)) fam_names.push_back(all[h].name);
  for (const auto& c : sc.analysis.claims) {
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

void validate_family(Reader& r, const Scenario& sc) {
  const auto all = all_hypotheses(sc);
  validate_family_hypotheses(r, sc, all);
  const std::size_t m = family(sc).size();
  validate_family_weights(r, sc, m);
  validate_family_transitions(r, sc, m);
  validate_claims(r, sc, all);
}

// Subgroups: names, conditions and the models they need; then the confirmatory family.
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
  validate_family(r, sc);
}

/// The index of the control arm after `skip` others.
std::size_t nth_control(const Scenario& sc, std::size_t skip) {
  for (std::size_t i = 0; i < sc.arms.size(); ++i)
    if (sc.arms[i].role == ArmRole::control && skip-- == 0) return i;
  return 0;
}

// The generic endpoint over the visits: values by visit, and a correlation of the residuals that
// children can have (a positive definite matrix).
void validate_generic(Reader& r, const Scenario& sc) {
  const GenericModel& g = sc.population.generic;
  const std::size_t V = sc.design.visits_months.size();
  const std::string gp = "population.generic";
  std::string months = "[";
  for (std::size_t v = 0; v < V; ++v) months += (v ? ", " : "") + format_number(sc.design.visits_months[v]);
  months += "]";
  const std::string visits = std::to_string(V) + (V == 1 ? " visit" : " visits");
  auto by_visit = [&](const std::vector<double>& x, const char* key, const char* scalar) {
    check(r, x.empty() || x.size() == V, gp + "." + key,
          "there are " + std::to_string(x.size()) + " values for the " + visits + " of design.visits_months " + months + ".",
          std::string("give one value per visit, in the order of design.visits_months, or remove it to use ") + scalar +
              " at every visit.");
  };
  by_visit(g.intercept_by_visit, "intercept_by_visit", "intercept");
  by_visit(g.residual_sd_by_visit, "residual_sd_by_visit", "residual_sd");

  const auto& m = g.correlation_matrix;
  if (m.empty()) {
    if (g.correlation_structure == VisitCorrelation::cs && V >= 2) {
      const double bound = -1.0 / static_cast<double>(V - 1);
      check(r, g.correlation > bound, gp + ".correlation",
            "with the cs structure over " + visits + " the correlation must be above -1/(visits - 1) = " + format_number(bound) +
                " (got " + format_number(g.correlation) + "): no children's residuals could be that correlated with "
                "each other all at once (the matrix is not positive definite).",
            "give a correlation above " + format_number(bound) + ", or use correlation_structure: ar1.");
    }
    return;
  }
  const std::string mp = gp + ".correlation_matrix";
  if (m.size() != V) {
    r.error_at(mp, "the matrix has " + std::to_string(m.size()) + " rows for the " + visits + " of design.visits_months " + months + ".",
               "give one row of " + std::to_string(V) + " entries per visit, in the order of design.visits_months.");
    return;
  }
  bool ok = true;
  for (std::size_t i = 0; i < V; ++i)
    if (m[i].size() != V) {
      r.error_at(mp + "[" + std::to_string(i) + "]",
                 "the row has " + std::to_string(m[i].size()) + " entries, not " + std::to_string(V) + " (one per visit).",
                 "give the correlation of this visit with each of the " + visits + ", itself included (1).");
      ok = false;
    }
  if (!ok) return;
  auto at = [&](std::size_t i, std::size_t j) { return mp + "[" + std::to_string(i) + "][" + std::to_string(j) + "]"; };
  for (std::size_t i = 0; i < V; ++i) {
    if (std::fabs(m[i][i] - 1) > 1e-9) {
      r.error_at(at(i, i), "a visit's correlation with itself must be 1 (got " + format_number(m[i][i]) + ").",
                 "set the diagonal entries to 1.");
      ok = false;
    }
    for (std::size_t j = i + 1; j < V; ++j)
      if (std::fabs(m[i][j] - m[j][i]) > 1e-9) {
        r.error_at(at(j, i),
                   "the matrix is not symmetric: entry [" + std::to_string(i) + "][" + std::to_string(j) + "] is " +
                       format_number(m[i][j]) + " but [" + std::to_string(j) + "][" + std::to_string(i) + "] is " +
                       format_number(m[j][i]) + ".",
                   "give both the same value: the correlation of two visits is one number.");
        ok = false;
      }
  }
  if (!ok) return;
  const std::vector<double> c = visit_correlation(g, V);
  const Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> R(
      c.data(), static_cast<Eigen::Index>(V), static_cast<Eigen::Index>(V));
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(Eigen::MatrixXd(R), Eigen::EigenvaluesOnly);
  const double smallest = eigen.info() == Eigen::Success ? eigen.eigenvalues().minCoeff() : -1.0;
  check(r, smallest > 1e-8, mp,
        "the matrix is not positive definite (its smallest eigenvalue is " + format_number(smallest) +
            "): no children's residuals could have these correlations all at once.",
        "make the correlations consistent with each other (e.g. two visits that both correlate highly with a third "
        "also correlate with each other), or use correlation with correlation_structure: ar1 or cs.");
}

// Cross-field validation, after every value has been read.
// The outcome model: motor curves and variation (cp) or the generic endpoint.
void validate_outcome_model(Reader& r, const Scenario& sc) {
  const auto& p = sc.population;
  const bool cp = p.outcome_model == OutcomeModel::cp;
  if (cp) {
    const auto& a = p.age;
    if (a.distribution == AgeDistribution::uniform)
      check(r, a.max_months > a.min_months, "population.age_months",
            "uniform ages need 0 <= min < max (got min " + format_number(a.min_months) + ", max " +
                format_number(a.max_months) + ").",
            "e.g. min: 12, max: 72.");
    const auto& e = p.eligibility;
    check(r, e.max_age_months > e.min_age_months, "population.eligibility",
          "eligibility needs 0 <= min_age_months < max_age_months.", "e.g. min_age_months: 12, max_age_months: 72.");
    if (r.diags.empty()) {
      const double yield = age_eligibility_yield(p);
      check(r, yield >= 1e-4, "population.eligibility",
            yield == 0 ? std::string("no child from the age distribution meets the age limits.")
                       : "only " + format_number(yield) + " of children from the age distribution meet the age limits "
                         "(fewer than 1 in 10,000 screened would enrol).",
            "make population.age_months overlap population.eligibility.");
    }
    double sum = 0;
    for (double m : p.cp.mix) sum += m;
    check(r, std::fabs(sum - 1) < 1e-6, "population.gmfcs_mix",
          "the GMFCS shares sum to " + format_number(sum) + ", not 1.",
          "make the shares of levels I-V sum to 1 (levels left out count as 0).");
  } else {
    validate_generic(r, sc);
  }
}

// The children: sex, age, eligibility and weight.
void validate_children(Reader& r, const Scenario& sc) {
  [[maybe_unused]] const auto& p = sc.population;
  [[maybe_unused]] const bool cp = p.outcome_model == OutcomeModel::cp;
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
    check(r, el.max_weight_kg > el.min_weight_kg, "population.eligibility",
          "weight limits need 0 <= min_weight_kg < max_weight_kg.", "e.g. min_weight_kg: 8.");
    if (el.min_ucb_tnc_per_kg > 0)
      check(r, std::any_of(sc.arms.begin(), sc.arms.end(), [](const Arm& a) { return a.product == ProductType::ucb; }),
            "population.eligibility.min_ucb_tnc_per_kg", "a UCB dose floor needs an arm with a UCB product.",
            "add 'product: {type: ucb}' to the active arm or remove the floor.");
    const auto& w = p.weight;
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
    const auto& d = p.cp.decline;
    for (std::size_t l = 0; l < d.loss_points.size(); ++l)
      check(r, d.loss_points[l] == 0 || d.peak_age_years[l] < d.until_age_years, "population.cp.decline",
            std::string("GMFCS ") + kGmfcsNames[l] + " has a loss, so its peak (" + format_number(d.peak_age_years[l]) +
                " years) must come before until_age_years (" + format_number(d.until_age_years) + ").",
            "Hanna 2009: peaks 7.9, 6.9, 6.9 years and losses 4.7, 7.8, 6.4 points for levels III-V.");
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
    check(r, m.dose_count_multiplier.empty() || static_cast<int>(m.dose_count_multiplier.size()) >= m.doses,
          pp + ".dose_count_multiplier",
          "give one multiplier for each number of doses from 1 up to doses (" + std::to_string(m.doses) + ").",
          "e.g. [0.8, 1.0] for doses: 2.");
  }
  const auto& d = a.dose_response;
  if (d.model != DoseResponseModel::none) {
    const std::string dp = ap + ".dose_response";
    check(r, a.product != ProductType::none, dp, "a dose-response needs a product that gives a dose.",
          "add 'product: {type: ucb}' or 'product: {type: msc, ...}'.");
    check(r, d.reference_dose > 0, dp + ".reference_dose",
          "the dose at which effect_by_month applies must be positive.", "e.g. 3e7 (TNC/kg) for UCB.");
    if (d.model == DoseResponseModel::step) {
      check(r, d.threshold > 0, dp + ".threshold",
            "the step model needs a positive threshold (got " + format_number(d.threshold) + ").",
            "e.g. threshold: 2e7, below_fraction: 0.3 (the share of the effect left below the threshold).");
      check(r, d.reference_dose >= d.threshold || d.below_fraction > 0, dp + ".reference_dose",
            "effect_by_month applies at the reference dose, which is below the threshold, where below_fraction 0 "
            "leaves no effect: every child's effect would be 0.",
            "use a reference_dose at or above the threshold, or a below_fraction above 0.");
    }
    if (d.model == DoseResponseModel::emax)
      check(r, d.ed50 > 0, dp + ".ed50", "the emax model needs a positive ed50 (got " + format_number(d.ed50) + ").",
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
      if (m.gmfcs_given[li] && cp)
        check(r, p.cp.mix[li] > 0, mp + ".gmfcs." + kGmfcsNames[li],
              std::string("a modifier is given for GMFCS level ") + kGmfcsNames[li] +
                  ", but that level has no share in population.gmfcs_mix.",
              "remove it, or give the level a share in population.gmfcs_mix.");
    }
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
  return sorted;
}

// The study's design comparison: the responders' subgroup must be one the analysis declares.
void validate_designs(Reader& r, const Scenario& sc) {
  const std::string& want = sc.designs.responders;
  if (want.empty()) return;
  std::vector<std::string> names;
  for (const auto& g : sc.analysis.subgroups) names.push_back(g.name);
  if (std::find(names.begin(), names.end(), want) != names.end()) return;
  const std::string guess = closest_match(want, names);
  r.error_at("designs.responders", "there is no subgroup '" + want + "' in analysis.subgroups.",
             !guess.empty()  ? "did you mean '" + guess + "'?"
             : names.empty() ? std::string("declare it under analysis.subgroups, e.g. '- {name: responders, "
                                           "age_months: {max: 60}, gmfcs: [I, II, III]}', or remove designs.responders.")
                             : "the subgroups are " + Reader::list(names) + ".");
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

// The parameter of a boundary family (stats/group_sequential.hpp); name nullptr when it takes none.
stats::FamilyParameter boundary_parameter(InterimBoundary b) {
  const std::string name = to_string(b);
  for (const auto& f : stats::kClassicalFamilies)
    if (name == f.name) return f.parameter;
  for (const auto& f : stats::kSpendingFamilies)
    if (name == std::string(stats::kSpendingPrefix) + f.name) return f.parameter;
  return {};
}

// Sample-size re-estimation at the last interim look (design.interims.sample_size_reestimation):
// a rule, a cap above the planned N that the sites can reach, an ordered promising zone, and the
// ANCOVA (whose stages are disjoint cohorts).
void validate_reestimation(Reader& r, const Scenario& sc) {
  const SampleSizeReestimation& ssr = sc.design.interims.reestimation;
  const std::string sp = "design.interims.sample_size_reestimation";
  bool given = false;
  for (auto it = r.seen.lower_bound(sp); it != r.seen.end() && it->first.rfind(sp, 0) == 0; ++it) given = true;
  if (!ssr.active()) {
    check(r, !given, sp, "sample-size re-estimation needs its rule (rule is missing).",
          "add 'rule: promising-zone' or 'rule: conditional-power', or remove sample_size_reestimation.");
    return;
  }
  const std::int64_t n = sc.design.sample_size;
  if (ssr.max_sample_size == 0)
    r.error_at(sp, "sample-size re-estimation needs its cap (max_sample_size is missing or 0).",
               "add e.g. 'max_sample_size: " + std::to_string(n + (n + 1) / 2) + "' (1.5 times design.sample_size).");
  else
    check(r, ssr.max_sample_size > n, sp + ".max_sample_size",
          "the cap " + std::to_string(ssr.max_sample_size) + " is not above design.sample_size (" + std::to_string(n) +
              "), so the sample size could never be increased.",
          "raise max_sample_size above " + std::to_string(n) + ", e.g. " + std::to_string(n + (n + 1) / 2) +
              ", or remove sample_size_reestimation.");
  const auto& a = sc.design.accrual;
  if (a.cap_per_site > 0 && ssr.max_sample_size > n) {
    const double room = static_cast<double>(a.sites) * static_cast<double>(a.cap_per_site);
    check(r, room >= static_cast<double>(ssr.max_sample_size), sp + ".max_sample_size",
          "the sites can randomise at most " + format_number(room) + " children (sites x cap_per_site), fewer than the cap " +
              std::to_string(ssr.max_sample_size) + ".",
          "lower max_sample_size to at most " + format_number(room) + ", or raise design.accrual.cap_per_site to at least " +
              std::to_string((ssr.max_sample_size + a.sites - 1) / a.sites) + ".");
  }
  if (ssr.rule == ReestimationRule::promising_zone)
    check(r, ssr.zone_lower < ssr.zone_upper, sp + ".promising_zone",
          "the zone's ends are out of order (lower " + format_number(ssr.zone_lower) + ", upper " +
              format_number(ssr.zone_upper) + ").",
          "give lower < upper, e.g. '{lower: 0.36, upper: 0.8}'.");
  else if (const std::string zp = sp + ".promising_zone"; [&] {
             const auto it = r.seen.lower_bound(zp);
             return it != r.seen.end() && it->first.rfind(zp, 0) == 0;
           }())
    r.error_at(sp + ".promising_zone", "the promising zone is used only by rule promising-zone.",
               "remove promising_zone, or set 'rule: promising-zone'.");
  check(r, sc.analysis.method == AnalysisMethod::ancova, sp,
        "sample-size re-estimation combines the two stages' statistics, which must come from disjoint children; the "
        "MMRM's interim analysis also uses the early visits of children who belong to the second stage.",
        "use 'analysis.method: ancova' (children assessed at the primary visit), or remove sample_size_reestimation.");
}

// Adaptive enrichment at the interim look (design.interims.enrichment): a rule, a declared subgroup
// that eligibility can express (age and GMFCS level) with children both inside and outside it among
// the eligible, one look, the ANCOVA, and none of the options it does not combine with.
void validate_enrichment(Reader& r, const Scenario& sc) {
  const AdaptiveEnrichment& en = sc.design.interims.enrichment;
  const std::string ep = "design.interims.enrichment";
  bool given = false;
  for (auto it = r.seen.lower_bound(ep); it != r.seen.end() && it->first.rfind(ep, 0) == 0; ++it) given = true;
  if (!en.active()) {
    check(r, !given, ep, "adaptive enrichment needs its rule (rule is missing).",
          "add 'rule: threshold', or remove enrichment.");
    return;
  }
  const auto& in = sc.design.interims;
  check(r, in.information.size() == 1, ep,
        "adaptive enrichment is a two-stage design with its selection at the one interim look, but there are " +
            std::to_string(in.information.size()) + " looks.",
        "give one look, e.g. 'information: [0.5]', or remove enrichment.");
  check(r, !in.reestimation.active(), ep,
        "adaptive enrichment together with sample-size re-estimation is not supported.",
        "remove sample_size_reestimation or enrichment.");
  check(r, in.futility == FutilityRule::none, ep,
        "the enrichment rule decides the stop for futility (when neither the complement nor the subgroup reaches its "
        "threshold); design.interims.futility would be a second futility rule.",
        "remove design.interims.futility and set the rule's thresholds instead.");
  check(r, sc.analysis.method == AnalysisMethod::ancova, ep,
        "adaptive enrichment combines the two stages' statistics, which must come from disjoint children; the MMRM's "
        "interim analysis also uses the early visits of children who belong to the second stage.",
        "use 'analysis.method: ancova', or remove enrichment.");
  for (std::size_t a = 0; a < sc.arms.size(); ++a)
    check(r, sc.arms[a].effect_prior.kind == PriorKind::none, "arms[" + std::to_string(a) + "].effect_prior",
          "adaptive enrichment with a design prior on the effect (assurance) is not supported.",
          "remove the effect prior, or remove design.interims.enrichment.");
  const auto& gs = sc.analysis.subgroups;
  std::vector<std::string> names;
  for (const auto& g : gs) names.push_back(g.name);
  const auto it = std::find(names.begin(), names.end(), en.subgroup);
  if (it == names.end()) {
    const std::string guess = closest_match(en.subgroup, names);
    r.error_at(ep + ".subgroup", "there is no subgroup '" + en.subgroup + "' in analysis.subgroups.",
               !guess.empty()  ? "did you mean '" + guess + "'?"
               : names.empty() ? std::string("declare it under analysis.subgroups, e.g. '- {name: responders, "
                                             "age_months: {max: 60}, gmfcs: [I, II, III]}'.")
                               : "the subgroups are " + Reader::list(names) + ".");
    return;
  }
  const auto gi = static_cast<std::size_t>(it - names.begin());
  const Subgroup& g = gs[gi];
  const std::string gp = "analysis.subgroups[" + std::to_string(gi) + "]";
  check(r, !g.has_dose && g.sex < 0 && !g.has_hla && !g.has_route, gp,
        "after selecting the subgroup '" + g.name + "' only its children may enrol, and eligibility can restrict age "
        "and GMFCS level but not dose, sex, HLA mismatches or route.",
        "define the enrichment subgroup by age_months and gmfcs only.");
  if (!g.has_age && !g.has_gmfcs) return;  // reported above (or by the subgroup checks)
  // Children both inside and outside the subgroup among the eligible.
  const auto& el = sc.population.eligibility;
  const auto& mix = sc.population.cp.mix;
  const double lo = std::max(el.min_age_months, g.has_age ? g.age_min_months : 0.0);
  const double hi = std::min(el.max_age_months, g.has_age ? g.age_max_months : 1e300);
  bool inside_level = false, outside_level = false;
  for (std::size_t l = 0; l < kGmfcsLevels; ++l) {
    if (!el.gmfcs[l] || !(mix[l] > 0)) continue;
    (g.has_gmfcs && !g.gmfcs[l] ? outside_level : inside_level) = true;
  }
  check(r, lo < hi && inside_level, gp,
        "no eligible child belongs to the subgroup '" + g.name + "' (its ages or GMFCS levels are outside "
        "population.eligibility), so the trial could never be restricted to it.",
        "widen the subgroup or the eligibility so that they overlap.");
  const bool outside_age = g.has_age && (g.age_min_months > el.min_age_months || g.age_max_months < el.max_age_months);
  check(r, outside_age || outside_level, gp,
        "every eligible child belongs to the subgroup '" + g.name + "', so selecting it would change nothing.",
        "narrow the subgroup, e.g. 'age_months: {max: 60}' or 'gmfcs: [I, II, III]'.");
}

// Adaptive arm selection at the interim look (design.interims.arm_selection): two to
// kMaxSelectionArms active arms, a rule with its threshold or epsilon, one look, the ANCOVA, the
// family of the arms' primary comparisons without another multiplicity procedure, and none of the
// options it does not combine with.
void validate_arm_selection(Reader& r, const Scenario& sc) {
  const ArmSelection& as = sc.design.interims.arm_selection;
  const std::string ap = "design.interims.arm_selection";
  bool given = false;
  for (auto it = r.seen.lower_bound(ap); it != r.seen.end() && it->first.rfind(ap, 0) == 0; ++it) given = true;
  if (!as.active()) {
    check(r, !given, ap, "arm selection needs its rule (select is missing).",
          "add 'select: best', 'select: threshold' or 'select: epsilon', or remove arm_selection.");
    return;
  }
  const auto& in = sc.design.interims;
  const std::size_t m = sc.active_arms().size();
  check(r, m >= 2 && m <= kMaxSelectionArms, "arms",
        "arm selection chooses among two to " + std::to_string(kMaxSelectionArms) + " active arms against control, but "
            "there " + (m == 1 ? std::string("is 1 active arm") : "are " + std::to_string(m) + " active arms") + ".",
        m < 2 ? "add a second active arm (e.g. another dose or route), or remove design.interims.arm_selection."
              : "keep at most " + std::to_string(kMaxSelectionArms) + " active arms, or remove design.interims.arm_selection.");
  check(r, in.information.size() == 1, ap,
        "arm selection is a two-stage design with its selection at the one interim look, but there are " +
            std::to_string(in.information.size()) + " looks.",
        "give one look, e.g. 'information: [0.5]', or remove arm_selection.");
  check(r, !in.enrichment.active(), ap, "arm selection together with adaptive enrichment is not supported.",
        "remove enrichment or arm_selection.");
  check(r, !in.reestimation.active(), ap, "arm selection together with sample-size re-estimation is not supported.",
        "remove sample_size_reestimation or arm_selection.");
  check(r, in.futility == FutilityRule::none, ap,
        "the selection rule decides the stop for futility (when no arm is kept); design.interims.futility would be a "
        "second futility rule.",
        "remove design.interims.futility and set the rule's threshold instead.");
  check(r, sc.analysis.method == AnalysisMethod::ancova, ap,
        "arm selection combines the two stages' statistics, which must come from disjoint children; the MMRM's interim "
        "analysis also uses the early visits of children who belong to the second stage.",
        "use 'analysis.method: ancova', or remove arm_selection.");
  check(r, sc.analysis.multiplicity == Multiplicity::none, "analysis.multiplicity",
        std::string("the claims for the arms come from arm selection's closed test, which controls the family-wise error "
                    "rate itself; analysis.multiplicity '") +
            to_string(sc.analysis.multiplicity) + "' would be a second procedure.",
        "set 'multiplicity: none' (or leave it out); the intersection test is design.interims.arm_selection."
        "intersection_test.");
  check(r, sc.analysis.claims.empty(), "analysis.claims",
        "claim sets are not supported with arm selection (its claims per arm are arm_selection.claim in summary.json).",
        "remove analysis.claims, or remove arm_selection.");
  check(r, sc.design.delayed_start_month == 0, "design.delayed_start_month",
        "a delayed-treatment design with arm selection is not supported.", "remove delayed_start_month or arm_selection.");
  for (std::size_t a = 0; a < sc.arms.size(); ++a)
    check(r, sc.arms[a].effect_prior.kind == PriorKind::none, "arms[" + std::to_string(a) + "].effect_prior",
          "arm selection with a design prior on the effect (assurance) is not supported.",
          "remove the effect prior, or remove design.interims.arm_selection.");
  const bool has_threshold = std::isfinite(as.threshold), has_epsilon = std::isfinite(as.epsilon);
  if (as.rule == ArmSelectionRule::threshold)
    check(r, has_threshold, ap, "rule threshold keeps the arms whose statistic reaches its threshold (threshold is missing).",
          "add e.g. 'threshold: 0' (every arm with an estimate in the direction of benefit).");
  if (has_threshold)
    check(r, std::fabs(as.threshold) <= 1e6, ap + ".threshold",
          "the threshold must be between -1e6 and 1e6 (got " + format_number(as.threshold) + ").",
          "give a value in outcome units (statistic estimate) or on the Z scale (statistic z), e.g. 0.");
  if (as.rule == ArmSelectionRule::epsilon) {
    check(r, has_epsilon, ap, "rule epsilon keeps the arms within epsilon of the best (epsilon is missing).",
          "add e.g. 'epsilon: 0.5'.");
    if (has_epsilon)
      check(r, as.epsilon >= 0 && as.epsilon <= 1e6, ap + ".epsilon",
            "epsilon must be between 0 and 1e6 (got " + format_number(as.epsilon) + ").",
            "give 0 (the best arm and its ties) or a positive distance, e.g. 0.5.");
  } else if (has_epsilon) {
    r.error_at(ap + ".epsilon", std::string("epsilon is used only by 'select: epsilon' (the rule is ") + to_string(as.rule) + ").",
               "remove epsilon, or set 'select: epsilon'.");
  }
}

// Enrolment paused at each look (design.interims.pause_enrolment): the re-estimated and the enriched
// trials' later children are recruited by a calendar that knows no pauses.
void validate_pause(Reader& r, const Scenario& sc) {
  const Interims& in = sc.design.interims;
  if (!in.pause_enrolment) return;
  const std::string pp = "design.interims.pause_enrolment";
  check(r, !in.reestimation.active(), pp, "pausing enrolment at the looks together with sample-size re-estimation is "
        "not supported.", "remove pause_enrolment or sample_size_reestimation.");
  check(r, !in.enrichment.active(), pp, "pausing enrolment at the look together with adaptive enrichment is not "
        "supported.", "remove pause_enrolment or enrichment.");
  check(r, !in.arm_selection.active(), pp, "pausing enrolment at the look together with arm selection is not "
        "supported.", "remove pause_enrolment or arm_selection.");
}

// K interim fractions k / (K + 1).
std::vector<double> equally_spaced(std::size_t k) {
  std::vector<double> t;
  for (std::size_t i = 1; i <= k; ++i) t.push_back(static_cast<double>(i) / static_cast<double>(k + 1));
  return t;
}

// Interim looks at calendar months (design.interims.months): increasing months after the first
// child can reach the primary visit, instead of (not with) information fractions; error-spending
// efficacy bounds (recomputed per trial at the observed fractions); futility that needs no planned
// fractions (z, conditional-power; not binding); none of the designs whose stages are fixed by the
// planned fractions.
void validate_calendar_looks(Reader& r, const Scenario& sc) {
  const Interims& in = sc.design.interims;
  const std::string ip = "design.interims", mp = ip + ".months";
  check(r, in.information.empty(), mp,
        "the looks are given twice: as information fractions and as calendar months.",
        "give exactly one of information (shares of the children at their primary visit) and months (calendar months).");
  for (std::size_t i = 1; i < in.months.size(); ++i)
    check(r, in.months[i] > in.months[i - 1], mp + "[" + std::to_string(i) + "]",
          "the looks must come in increasing order of month (" + format_number(in.months[i]) + " follows " +
              format_number(in.months[i - 1]) + ").",
          "list the months in increasing order without repeats, e.g. [24, 36].");
  const double primary = sc.analysis.primary_visit_months;
  check(r, in.months[0] > primary, mp + "[0]",
        "the first look at month " + format_number(in.months[0]) +
            " comes before any child can reach the primary visit (analysis.primary_visit_months " +
            format_number(primary) + " after randomisation, which starts at month 0), so it would never be held.",
        "look later than month " + format_number(primary) + ".");
  const bool spending = in.boundary == InterimBoundary::spending_obrien_fleming ||
                        in.boundary == InterimBoundary::spending_pocock || in.boundary == InterimBoundary::spending_hsd ||
                        in.boundary == InterimBoundary::spending_kim_demets;
  check(r, spending, ip + ".efficacy.boundary",
        "at calendar looks the information is random, so the efficacy bounds must come from an error-spending function "
        "recomputed at the observed fractions (" + std::string(to_string(in.boundary)) + " is fixed by planned fractions).",
        "use spending-obrien-fleming (or spending-pocock, spending-hsd, spending-kim-demets), or use looks at information "
        "fractions.");
  const std::string fp = ip + ".futility";
  check(r, in.futility != FutilityRule::beta_spending, fp + ".rule",
        "beta-spending futility bounds at calendar looks are not supported (they are derived jointly with the efficacy "
        "bounds at planned fractions and a planned drift).",
        "use 'rule: z' or 'rule: conditional-power' (at the observed fraction), or use looks at information fractions.");
  check(r, !in.binding, fp + ".binding",
        "binding futility at calendar looks is not supported (the efficacy bounds are recomputed at the observed "
        "fractions without futility bounds).",
        "use 'binding: false' (the type I error then holds whether or not a futility stop is obeyed), or use looks at "
        "information fractions.");
  const char* fix = ", or use looks at information fractions ('information: [...]' instead of months).";
  check(r, !in.reestimation.active(), ip + ".sample_size_reestimation",
        "sample-size re-estimation at calendar looks is not supported (its combination weights are fixed by the planned "
        "fraction of the last look).",
        std::string("remove sample_size_reestimation") + fix);
  check(r, !in.enrichment.active(), ip + ".enrichment",
        "adaptive enrichment at a calendar look is not supported (its combination weights are fixed by the planned "
        "fraction of the look).",
        std::string("remove enrichment") + fix);
  check(r, !in.arm_selection.active(), ip + ".arm_selection",
        "arm selection at a calendar look is not supported (its combination weights are fixed by the planned fraction "
        "of the look).",
        std::string("remove arm_selection") + fix);
  check(r, !in.pause_enrolment, ip + ".pause_enrolment",
        "pausing enrolment at calendar looks is not supported (a pause waits for a planned number of children).",
        std::string("remove pause_enrolment") + fix);
}

// Group-sequential interim analyses: looks in calendar time (design.accrual), one comparison, a
// boundary family and its parameter, a futility rule below the efficacy bounds.
void validate_interims(Reader& r, const Scenario& sc) {
  const Interims& in = sc.design.interims;
  const std::string ip = "design.interims";
  bool given = false;
  for (auto it = r.seen.lower_bound(ip); it != r.seen.end() && it->first.rfind(ip, 0) == 0; ++it) given = true;
  if (!in.active()) {
    check(r, !given, ip, "interim analyses need their looks (information and months are missing or empty).",
          "give the looks as shares of the children who reached the primary visit, e.g. 'information: [0.5]', or as "
          "calendar months, e.g. 'months: [24, 36]', or remove design.interims for a fixed design.");
    return;
  }
  const std::string tp = ip + ".information";
  check(r, sc.design.accrual.modelled(), ip,
        "interim looks happen at calendar months (when a share of the children has reached the primary visit), but the "
        "scenario simulates no calendar (design.accrual is missing).",
        "add design.accrual, e.g. 'accrual: {sites: 10, screened_per_site_month: 1}', or remove design.interims.");
  const std::size_t problems = r.diags.size();  // those of other sections
  check(r, in.looks() <= kMaxInterims, in.calendar() ? ip + ".months" : tp,
        "there are " + std::to_string(in.looks()) + " interim looks; at most " + std::to_string(kMaxInterims) +
            " are supported.",
        "keep at most " + std::to_string(kMaxInterims) + " looks.");
  if (r.diags.size() > problems) return;
  if (in.calendar()) {
    validate_calendar_looks(r, sc);
    if (r.diags.size() > problems) return;
  }
  bool increasing = true;
  for (std::size_t i = 1; i < in.information.size(); ++i)
    if (!(in.information[i] > in.information[i - 1])) {
      increasing = false;
      r.error_at(tp + "[" + std::to_string(i) + "]",
                 "the looks must come in increasing order of information (" + format_number(in.information[i]) +
                     " follows " + format_number(in.information[i - 1]) + ").",
                 "list the fractions in increasing order without repeats, e.g. [0.33, 0.67].");
    }
  if (increasing && !in.calendar()) {
    const auto m = interim_children(sc);
    const std::int64_t n = sc.design.sample_size;
    const auto least = static_cast<std::int64_t>(2 * sc.arms.size() + 2);
    check(r, m[0] >= least, tp + "[0]",
          "the first look would analyse " + std::to_string(m[0]) + " children, too few to estimate the effect (at least " +
              std::to_string(least) + ").",
          "look later, or raise design.sample_size.");
    for (std::size_t k = 0; k < m.size(); ++k) {
      const std::int64_t next = k + 1 < m.size() ? m[k + 1] : n;
      check(r, m[k] < next, tp + "[" + std::to_string(k) + "]",
            "look " + std::to_string(k + 1) + " and the " + (k + 1 < m.size() ? "next look" : "final analysis") +
                " would both come when " + std::to_string(m[k]) + " of the " + std::to_string(n) +
                " children have reached the primary visit.",
            "space the looks at least one child apart.");
    }
  }
  if (!in.arm_selection.active())
    check(r, sc.active_arms().size() == 1, "arms",
          "interim analyses are supported for one active arm against control (there are " +
              std::to_string(sc.active_arms().size()) + " active arms).",
          "keep one active arm, add design.interims.arm_selection, or remove design.interims.");
  const auto fam = family(sc);
  if (in.arm_selection.active())
    check(r, fam.size() == sc.active_arms().size() && sc.analysis.testing.hypotheses.empty(), "analysis.subgroups",
          "with arm selection the claims for the arms come from its closed test, so the confirmatory family must be "
          "the active arms' primary comparisons, but it has " +
              std::to_string(fam.size()) + " hypotheses.",
          "set confirmatory: false on the subgroups and leave analysis.multiplicity.hypotheses out.");
  else if (in.enrichment.active())
    check(r, fam.size() <= 1, "analysis.subgroups",
          "with adaptive enrichment the claims in everyone and in the subgroup come from its closed test "
          "(design.interims.enrichment), so the confirmatory family must be the primary comparison alone, but it has " +
              std::to_string(fam.size()) + " hypotheses.",
          "set confirmatory: false on the subgroups and leave analysis.multiplicity.hypotheses out; the enrichment "
          "subgroup's claim is enrichment.claim.subgroup in summary.json.");
  else
    check(r, fam.size() <= 1, "analysis.subgroups",
          "interim analyses decide on the primary comparison alone, but the confirmatory family has " +
              std::to_string(fam.size()) + " hypotheses.",
          "set confirmatory: false on the subgroups (they are then analysed at the final analysis, unadjusted), or remove "
          "design.interims.");
  const stats::FamilyParameter par = boundary_parameter(in.boundary);
  const std::string pp = ip + ".efficacy.parameter";
  bool bounds_ok = true;
  if (std::isfinite(in.parameter)) {
    if (!par.name) {
      bounds_ok = false;
      r.error_at(pp, std::string(to_string(in.boundary)) + " takes no parameter.",
                 "remove parameter, or choose wang-tsiatis, haybittle-peto, spending-hsd or spending-kim-demets.");
    } else if (!(in.parameter >= par.min && in.parameter <= par.max)) {
      bounds_ok = false;
      r.error_at(pp,
                 std::string(to_string(in.boundary)) + "'s " + par.name + " must be in [" + format_number(par.min) + ", " +
                     (std::isfinite(par.max) ? format_number(par.max) + "]" : "infinity)") + " (got " +
                     format_number(in.parameter) + ").",
                 "give a value in that range, e.g. the default " + format_number(par.default_value) + ".");
    }
  }
  const std::string fp = ip + ".futility";
  auto seen = [&](const std::string& key) { return r.seen.count(fp + "." + key) > 0; };
  if (in.binding) {
    check(r, in.futility != FutilityRule::conditional_power, fp + ".binding",
          "conditional-power futility cannot be binding: its stops depend on the final critical value, which binding "
          "bounds would change in turn, and no efficacy bounds are derived for it.",
          "use 'binding: false' (the efficacy bounds then ignore the futility stops and the type I error holds whether "
          "or not a stop is obeyed), or a binding rule z or beta-spending.");
    check(r, in.futility != FutilityRule::none, fp + ".binding", "binding futility needs a futility rule.",
          "add 'rule: z' or 'rule: beta-spending', or remove binding.");
  }
  const bool beta = in.futility == FutilityRule::beta_spending;
  for (const char* key : {"spending", "spending_parameter", "planned_effect", "planned_sd"})
    check(r, beta || !seen(key), fp + "." + key,
          std::string(key) + " applies to the rule beta-spending (the rule is " + to_string(in.futility) + ").",
          "remove " + std::string(key) + ", or set 'rule: beta-spending'.");
  if (beta) {
    check(r, !seen("threshold"), fp + ".threshold",
          "beta-spending futility stops at the bounds of its spending function, so a threshold would be a second rule.",
          "remove threshold (or use 'rule: z' for a fixed Z threshold).");
    check(r, !(in.planned_effect <= 0), fp + ".planned_effect",
          "the planned effect must be positive, in the direction of benefit (got " + format_number(in.planned_effect) + ").",
          "give the effect the design is planned for as a positive number of outcome units.");
    check(r, !(in.planned_sd <= 0), fp + ".planned_sd",
          "the planned SD must be positive (got " + format_number(in.planned_sd) + ").", "e.g. 'planned_sd: 4'.");
    check(r, std::isfinite(in.planned_effect), fp + ".planned_effect",
          "beta-spending futility bounds are derived at the drift of the effect the design is planned for, but no "
          "planned_effect is given.",
          "add planned_effect (outcome units, positive = benefit, e.g. the active arm's effect at the primary visit) and "
          "planned_sd.");
    check(r, std::isfinite(in.planned_sd), fp + ".planned_sd",
          "beta-spending futility bounds need the SD the design is planned with (the planned effect's scale), but no "
          "planned_sd is given.",
          "add planned_sd (outcome units, e.g. the residual SD of the analysed outcome).");
    check(r, sc.analysis.sides == 1, "analysis.sides",
          "beta-spending futility bounds are derived for one-sided designs only (as rpact's).",
          "use 'sides: 1' with half the two-sided alpha (e.g. alpha: 0.025), or a futility rule z or conditional-power.");
    const bool spending = in.boundary == InterimBoundary::spending_obrien_fleming ||
                          in.boundary == InterimBoundary::spending_pocock || in.boundary == InterimBoundary::spending_hsd ||
                          in.boundary == InterimBoundary::spending_kim_demets;
    check(r, spending, ip + ".efficacy.boundary",
          "beta-spending futility bounds are derived together with an alpha-spending efficacy boundary (not " +
              std::string(to_string(in.boundary)) + ").",
          "use a spending-* boundary, e.g. 'boundary: spending-obrien-fleming'.");
    if (std::isfinite(in.beta_parameter)) {
      const bool takes = in.beta_spending == BetaSpending::hsd || in.beta_spending == BetaSpending::kim_demets;
      if (!takes) {
        bounds_ok = false;
        r.error_at(fp + ".spending_parameter", std::string(to_string(in.beta_spending)) + " beta spending takes no parameter.",
                   "remove spending_parameter, or choose hsd (gamma) or kim-demets (rho).");
      } else {
        const stats::FamilyParameter bp = stats::parameter_of(in.beta_spending == BetaSpending::hsd
                                                                  ? stats::Spending::hwang_shih_decani
                                                                  : stats::Spending::kim_demets);
        if (!(in.beta_parameter >= bp.min && in.beta_parameter <= bp.max)) {
          bounds_ok = false;
          r.error_at(fp + ".spending_parameter",
                     std::string(to_string(in.beta_spending)) + "'s " + bp.name + " must be in [" + format_number(bp.min) +
                         ", " + format_number(bp.max) + "] (got " + format_number(in.beta_parameter) + ").",
                     "give a value in that range, e.g. the default " + format_number(bp.default_value) + ".");
        }
      }
    }
  }
  if (in.futility == FutilityRule::conditional_power)
    check(r, in.futility_threshold > 0 && in.futility_threshold < 1, ip + ".futility.threshold",
          "conditional power is a probability; the threshold must be in (0, 1) (got " + format_number(in.futility_threshold) +
              ").",
          "e.g. 'threshold: 0.1' stops when the chance of success under the current estimate is below 10 %.");
  validate_reestimation(r, sc);
  validate_enrichment(r, sc);
  validate_arm_selection(r, sc);
  validate_pause(r, sc);
  if (!bounds_ok || !increasing || !r.diags.empty()) return;
  try {
    // Calendar looks: the bounds are recomputed at each trial's observed fractions; equally spaced
    // ones show that the family and its parameter give a design.
    const stats::Boundaries b = in.calendar() ? interim_boundaries_at(sc, equally_spaced(in.months.size())) : interim_boundaries(sc);
    if (in.futility == FutilityRule::z && !in.calendar())
      for (std::size_t k = 0; k + 1 < b.design.critical_values.size(); ++k) {
        const double c = b.design.critical_values[k];
        check(r, in.futility_threshold < c, ip + ".futility.threshold",
              "the futility bound " + format_number(in.futility_threshold) + " is not below the efficacy bound " +
                  format_number(c) + " of look " + std::to_string(k + 1) + " (a trial could be stopped both ways).",
              "lower the threshold below " + format_number(c) + ".");
      }
  } catch (const Error& e) {
    // A problem of the futility bounds is reported at the futility key that causes it.
    const Diagnostic* d = e.diagnostics().empty() ? nullptr : &e.diagnostics()[0];
    const std::string key = d ? d->key_path : "";
    if (key == "--futility-bounds")
      r.error_at(fp + ".threshold", "the binding futility bound " + d->problem,
                 "lower the threshold below every interim efficacy bound.");
    else if (key == "--drift")
      r.error_at(fp + ".planned_effect", "the planned drift " + d->problem,
                 "the planned effect and SD must give the design a power between 0.5 and 1 with design.sample_size "
                 "children: " + d->fix);
    else if (key == "--beta-spending" || key == "--beta-parameter")
      r.error_at(fp + ".spending", d->problem, d->fix);
    else
      r.error_at(ip + ".efficacy", std::string("the boundaries cannot be computed: ") + e.what(),
                 "check the boundary, its parameter, analysis.alpha and the looks.");
  }
}

// A value given once for every arm or once per arm.
void check_per_arm(Reader& r, const Scenario& sc, const std::vector<double>& x, const std::string& path) {
  check(r, x.size() == 1 || x.size() == sc.arms.size(), path,
        "give one value for every arm or one per arm (" + std::to_string(sc.arms.size()) + " arms); got " +
            std::to_string(x.size()) + ".",
        "e.g. 0.01, or a list in arm order such as [0.02, 0.01].");
}

// Trials in time beyond the primary visit: missing data, intercurrent events, the delayed start.
void validate_follow_up(Reader& r, const Scenario& sc, bool sorted) {
  const auto& d = sc.design;
  const bool cp = sc.population.outcome_model == OutcomeModel::cp;
  const std::string generic_fix = "remove it, or set population.outcome_model: cp.";
  check_per_arm(r, sc, d.mnar_shift_per_month, "design.dropout.mnar_shift_per_month");
  std::set<std::string> names;
  for (std::size_t i = 0; i < d.intercurrent_events.size(); ++i) {
    const auto& e = d.intercurrent_events[i];
    const std::string ep = "design.intercurrent_events[" + std::to_string(i) + "]";
    check(r, cp, ep, "intercurrent events change trajectories, which need the cp outcome model.", generic_fix);
    check(r, !e.name.empty() && e.name.find_first_of("/,\"") == std::string::npos, ep + ".name",
          "an event needs a plain name without '/', ',' or quotes.", "e.g. 'name: botulinum_toxin'.");
    check(r, names.insert(e.name).second, ep + ".name", "the name '" + e.name + "' is used by another event.",
          "give each event its own name.");
    check_per_arm(r, sc, e.rate_per_month, ep + ".rate_per_month");
  }
  if (d.delayed_start_month > 0) {
    const double m = d.delayed_start_month, primary = sc.analysis.primary_visit_months;
    const std::string dp = "design.delayed_start_month";
    check(r, cp, dp, "the delayed-treatment design needs the cp outcome model (ages, weights and doses at the crossover).",
          generic_fix);
    check(r, m >= primary, dp,
          "the control group would be treated at month " + format_number(m) + ", before the primary visit at month " +
              format_number(primary) + ", so the primary comparison would no longer be of treated against untreated children.",
          "set it to at least " + format_number(primary) + " (the primary visit), or to 0 for no delayed start.");
    bool product = false;
    for (const auto& a : sc.arms) product = product || (a.role == ArmRole::active && a.product != ProductType::none);
    check(r, product, dp, "the control arm would receive the first active arm's product, but no active arm has one.",
          "give the active arm a product (ucb or msc), or set delayed_start_month to 0.");
    if (sorted && m >= primary) {
      auto has = [&](double t) { return std::find(d.visits_months.begin(), d.visits_months.end(), t) != d.visits_months.end(); };
      check(r, has(m) && has(m + primary), dp,
            "the delayed group's gain is measured from a visit at the crossover (month " + format_number(m) +
                ") to one primary interval later (month " + format_number(m + primary) + "); design.visits_months lacks " +
                (has(m) ? format_number(m + primary) : format_number(m)) + ".",
            "add both months to design.visits_months, e.g. [" + format_number(primary) + (m > primary ? ", " + format_number(m) : "") +
                ", " + format_number(m + primary) + "].");
    }
  }
  if (sc.analysis.endpoint == Endpoint::excess_over_expected)
    check(r, cp, "analysis.endpoint", "the change a child's GMFCS curve predicts needs the cp outcome model.",
          "use endpoint: change, or set population.outcome_model: cp.");
}

// The mixed model: its visits, and enough of them for the covariance structure's parameters.
void validate_mmrm(Reader& r, const Scenario& sc, bool sorted) {
  const auto& d = sc.design;
  const auto& m = sc.analysis.mmrm;
  const double primary = sc.analysis.primary_visit_months;
  std::size_t up_to_primary = 0;
  for (double v : d.visits_months) up_to_primary += v <= primary;
  auto needs_two = [&](CovarianceStructure c, const std::string& path) {
    if (!sorted || c == CovarianceStructure::unstructured) return;
    check(r, up_to_primary >= 2, path,
          std::string("the ") + to_string(c) + " structure has a correlation to estimate, but the model has " +
              std::to_string(up_to_primary) + " visit (the visits up to the primary one).",
          "use covariance: unstructured, or add visits before the primary one to design.visits_months.");
  };
  needs_two(m.covariance, "analysis.mmrm.covariance");
  for (std::size_t i = 0; i < m.fallback.size(); ++i) {
    needs_two(m.fallback[i], "analysis.mmrm.fallback[" + std::to_string(i) + "]");
  }
  for (std::size_t i = 0; i < m.visits_months.size(); ++i) {
    const double v = m.visits_months[i];
    const std::string path = "analysis.mmrm.visits_months[" + std::to_string(i) + "]";
    check(r, std::find(d.visits_months.begin(), d.visits_months.end(), v) != d.visits_months.end(), path,
          "month " + format_number(v) + " is not one of design.visits_months.", "use scheduled visits only.");
    check(r, v <= primary, path,
          "month " + format_number(v) + " is after the primary visit (" + format_number(primary) +
              "); the model has the visits up to the primary one.",
          "average over visits up to the primary one, or move analysis.primary_visit_months.");
    check(r, std::find(m.visits_months.begin(), m.visits_months.begin() + static_cast<std::ptrdiff_t>(i), v) ==
                 m.visits_months.begin() + static_cast<std::ptrdiff_t>(i),
          path, "month " + format_number(v) + " is listed twice.", "list each visit once.");
  }
}

// The analysis, its subgroups and multiplicity.
void validate_analysis(Reader& r, const Scenario& sc, bool sorted) {
  [[maybe_unused]] const auto& p = sc.population;
  [[maybe_unused]] const bool cp = p.outcome_model == OutcomeModel::cp;
  const auto& d = sc.design;
  const auto& an = sc.analysis;
  if (sorted)
    check(r, std::find(d.visits_months.begin(), d.visits_months.end(), an.primary_visit_months) != d.visits_months.end(),
          "analysis.primary_visit_months",
          "the primary visit (" + format_number(an.primary_visit_months) + " months) is not one of the visits.",
          "use one of design.visits_months.");
  for (auto c : an.adjust_for)
    if (c == Covariate::gmfcs && !cp)
      r.error_at("analysis.adjust_for", "gmfcs adjustment needs the cp outcome model.",
                 "remove gmfcs from adjust_for or set population.outcome_model: cp.");
  if (an.method == AnalysisMethod::mmrm) validate_mmrm(r, sc, sorted);
  check(r, an.adjust_for_baseline || an.method == AnalysisMethod::ancova, "analysis.adjust_for_baseline",
        "the mixed model always has the baseline (visit x baseline); adjust_for_baseline: false is an option of the "
        "ANCOVA.",
        "remove adjust_for_baseline, or use 'analysis.method: ancova'.");

  validate_subgroups(r, sc);
}

}  // namespace

void validate(Reader& r, const Scenario& sc) {
  check(r, !sc.name.empty() && sc.name.find_first_of("/\\") == std::string::npos && sc.name != "." && sc.name != "..",
        "name", "the name must be non-empty and contain no '/' or '\\' (it names the results folder).",
        "use a short word such as ucb_phase3.");

  validate_outcome_model(r, sc);
  validate_children(r, sc);
  validate_arms(r, sc);
  const bool sorted = validate_design(r, sc);
  validate_accrual(r, sc);
  validate_designs(r, sc);
  validate_analysis(r, sc, sorted);
  validate_interims(r, sc);
  validate_follow_up(r, sc, sorted);
}

namespace {
/// Checks every value against its declared range (schema.hpp), with one message for all keys: the
/// range, the value, the key's meaning and its example. It runs before validate(), which sees only
/// values in range.
class DeclaredRanges {
 public:
  explicit DeclaredRanges(Reader& r) : r_(r) {}

  void number(const char* key, double x, const schema::Meta& m) { check(at(key), x, m); }
  template <class I>
  void integer(const char* key, I x, const schema::Meta& m) { check(at(key), static_cast<double>(x), m); }
  void text(const char*, const std::string&, const schema::Meta&) {}
  template <class E>
  void choice(const char*, const E&, schema::Options<E>, const schema::Meta&) {}
  template <class E>
  void choices(const char*, const std::vector<E>&, schema::Options<E>, const schema::Meta&) {}
  void numbers(const char* key, const std::vector<double>& x, const schema::Meta& m) {
    for (std::size_t i = 0; i < x.size(); ++i) check(at(key) + "[" + std::to_string(i) + "]", x[i], m);
  }
  void texts(const char*, const std::vector<std::string>&, const schema::Meta&) {}
  void matrix(const char* key, const std::vector<std::vector<double>>& x, const schema::Meta& m) {
    for (std::size_t i = 0; i < x.size(); ++i)
      for (std::size_t j = 0; j < x[i].size(); ++j)
        check(at(key) + "[" + std::to_string(i) + "][" + std::to_string(j) + "]", x[i][j], m);
  }
  template <std::size_t N, std::size_t K>
  void named(const char* key, const std::array<double, N>& x, const std::array<const char*, K>& names, const schema::Meta& m) {
    for (std::size_t i = 0; i < N; ++i) check(at(key) + "." + names[i], x[i], m);
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
  // The reader has already refused a fraction for an integer key, so the range is worded as for numbers.
  void check(const std::string& path, double x, const schema::Meta& m) {
    if (m.input_only) return;
    const bool low = m.min && (m.min->exclusive ? !(x > m.min->value) : !(x >= m.min->value));
    const bool high = m.max && (m.max->exclusive ? !(x < m.max->value) : !(x <= m.max->value));
    if (!low && !high) return;
    const bool single = m.min && m.max && !m.min->exclusive && !m.max->exclusive && m.min->value == m.max->value;
    std::string range = single ? format_number(m.min->value) : schema::range_text(m, false);
    if (range.find(" to ") != std::string::npos) range = "from " + range;
    else if (range[0] == '(' || range[0] == '[') range = "in " + range;
    std::string fix = (single ? "give " : "give a value ") + range + " (" + m.meaning + ").";
    if (m.example[0]) fix += std::string(" ") + m.example;
    r_.error_at(path, "must be " + range + " (got " + format_number(x) + ").", fix);
  }
};
}  // namespace

void check_declared_ranges(Reader& r, const Scenario& sc) {
  DeclaredRanges ranges(r);
  schema::declare_scenario(ranges, sc);
}

}  // namespace celltrial::scenario_io
