#pragma once
// The scenario schema, declared once. Each YAML section is a function `declare_<section>(v, s)` that
// names every key of the section in file order with its type, the struct member that holds it,
// and its metadata (meaning, unit, range or choices, source of the default, version). A *visitor*
// `v` walks these declarations: the JSON Schema and the reference tables of docs/scenario.md are
// generated this way (scenario/schema_export.hpp), and the tests walk them to check that every key
// is read, checked, written and part of the run's identity.
//
// A visitor provides (K = const char*, M = Meta, S = the struct, possibly const):
//   number(K, double&, M)                  a finite number
//   integer(K, I&, M)                      a whole number (I = int, std::int64_t, std::uint64_t)
//   text(K, std::string&, M)               free text
//   choice(K, E&, options, M)              one name of a fixed list (Options<E>)
//   choices(K, std::vector<E>&, options, M) a list of names of a fixed list, each at most once
//   numbers(K, std::vector<double>&, M)    a list of numbers (one number is a list of one)
//   texts(K, std::vector<std::string>&, M) a list of names
//   matrix(K, std::vector<std::vector<double>>&, M)  a list of rows of numbers
//   named(K, std::array<double, N>&, names, M)       a mapping of fixed names to numbers
//   named_partial(K, std::array<double, N>&, std::array<bool, N>& given, names, M)
//                                          the same, recording which names were given (the writer
//                                          writes those and the values other than 1)
//   levels(K, std::array<bool, N>&, names, M)        a list of some of fixed names
//   by_month(K, std::vector<std::pair<double, double>>&, M)  a mapping of month to number
//   section(K, M, body)                    a mapping whose keys body(v) declares
//   list(K, std::vector<T>&, M, body)      a list of mappings; body(v, T&) declares an element's keys
//   choice_or_section(K, E&, options, M, as_section, body)  a name, or a mapping whose keys
//                                          body(v) declares (written as a mapping when as_section)
//   free_form(K, X&, Shape, M)             a user-named mapping of a known shape (sweep, claims, ...)
//
// Declaration order is the order in which the writer (`celltrial show`, run identity) writes the
// keys; Meta::written says whether the writer writes a key of this scenario, Meta::flow whether a
// mapping is written on one line.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "celltrial/scenario/limits.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial::schema {

/// One end of an allowed range.
struct Bound {
  double value = 0;
  bool exclusive = false;
};
inline constexpr Bound at_least(double x) { return {x, false}; }
inline constexpr Bound above(double x) { return {x, true}; }
inline constexpr Bound at_most(double x) { return {x, false}; }
inline constexpr Bound below(double x) { return {x, true}; }

/// What a key means, beyond its type. Every text is one line of plain words.
struct Meta {
  const char* meaning = "";
  const char* unit = "";
  std::optional<Bound> min{};  ///< for numbers: the value; for lists and mappings: each entry
  std::optional<Bound> max{};
  std::size_t min_items = 0;      ///< lists: fewest entries
  std::size_t max_items = 0;      ///< lists: most entries (0: no limit beyond memory)
  bool shares = false;            ///< a mapping of shares (a mix): names left out are 0, not their default
  const char* source = "";        ///< where the default comes from, e.g. "[R2002]"; "" = a plain setting
  const char* rule = "";          ///< what else is checked, in words (cross-field rules)
  const char* example = "";       ///< a typical value or a hint, in words; ends the fix of a range error
  const char* default_text = "";  ///< the default in words when it is not the struct's value
  bool required = false;          ///< no default: the key must be given
  bool input_only = false;        ///< read and converted, never written (show writes its result instead)
  bool flow = false;              ///< a mapping written on one line: {a: 1, b: 2}
  bool written = true;            ///< whether the writer writes the key for this scenario
  const char* since = "0.1";      ///< the version that introduced the key
};

template <class E>
struct Option {
  const char* name;
  E value;
};
template <class E>
using Options = std::span<const Option<E>>;

/// User-named mappings, whose keys are not declared (key paths, strategy and claim names).
enum class Shape {
  path_to_values,     ///< sweep.vary: key path -> list of values
  path_to_low_high,   ///< tornado.vary: key path -> [low, high]
  name_to_overrides,  ///< enrichment.strategies: name -> {key path: value}
  name_to_names,      ///< analysis.claims: name -> list of hypothesis names
  path_to_value,      ///< designs.null_twin: key path -> value
};

// The names of fixed choices, in the order the documentation lists them.
inline constexpr std::array<const char*, kGmfcsLevels> kLevelNames = kGmfcsNames;
inline constexpr std::array<const char*, kUnitSources> kSourceNames{"autologous", "public", "sibling"};
inline constexpr std::array<const char*, kHlaLevels> kHlaNames{"0", "1", "2"};
inline constexpr std::array<const char*, 2> kRouteNames{"intravenous", "intrathecal"};

inline constexpr std::array<Option<OutcomeModel>, 2> kOutcomeModels{{{"cp", OutcomeModel::cp}, {"generic", OutcomeModel::generic}}};
inline constexpr std::array<Option<AgeDistribution>, 4> kAgeDistributions{{{"uniform", AgeDistribution::uniform},
                                                                          {"normal", AgeDistribution::normal},
                                                                          {"lognormal", AgeDistribution::lognormal},
                                                                          {"table", AgeDistribution::table}}};
inline constexpr std::array<Option<bool>, 2> kBooleans{{{"true", true}, {"false", false}}};
inline constexpr std::array<Option<ArmRole>, 2> kRoles{{{"control", ArmRole::control}, {"active", ArmRole::active}}};
inline constexpr std::array<Option<ProductType>, 3> kProductTypes{
    {{"none", ProductType::none}, {"ucb", ProductType::ucb}, {"msc", ProductType::msc}}};
inline constexpr std::array<Option<Route>, 2> kRoutes{{{"intravenous", Route::intravenous}, {"intrathecal", Route::intrathecal}}};
inline constexpr std::array<Option<DoseResponseModel>, 4> kDoseResponseModels{{{"none", DoseResponseModel::none},
                                                                              {"step", DoseResponseModel::step},
                                                                              {"emax", DoseResponseModel::emax},
                                                                              {"loglinear", DoseResponseModel::loglinear}}};
inline constexpr std::array<Option<Heterogeneity>, 3> kHeterogeneityModels{
    {{"none", Heterogeneity::none}, {"normal", Heterogeneity::normal}, {"responders", Heterogeneity::responders}}};
inline constexpr std::array<Option<PriorKind>, 4> kPriorKinds{{{"normal", PriorKind::normal},
                                                              {"truncated_normal", PriorKind::truncated_normal},
                                                              {"discrete", PriorKind::discrete},
                                                              {"none", PriorKind::none}}};
inline constexpr std::array<Option<Randomisation>, 2> kRandomisations{
    {{"fixed", Randomisation::fixed}, {"simple", Randomisation::simple}}};
inline constexpr std::array<Option<AnalysisMethod>, 2> kMethods{{{"ancova", AnalysisMethod::ancova}, {"mmrm", AnalysisMethod::mmrm}}};
inline constexpr std::array<Option<CovarianceStructure>, 5> kCovarianceStructures{
    {{"unstructured", CovarianceStructure::unstructured},
     {"ar1", CovarianceStructure::ar1},
     {"heterogeneous-ar1", CovarianceStructure::heterogeneous_ar1},
     {"cs", CovarianceStructure::cs},
     {"toeplitz", CovarianceStructure::toeplitz}}};
inline constexpr std::array<Option<DfMethod>, 4> kDfMethods{{{"satterthwaite", DfMethod::satterthwaite},
                                                             {"kenward-roger", DfMethod::kenward_roger},
                                                             {"between-within", DfMethod::between_within},
                                                             {"residual", DfMethod::residual}}};
inline constexpr std::array<Option<Estimand>, 2> kEstimands{
    {{"treatment-policy", Estimand::treatment_policy}, {"hypothetical", Estimand::hypothetical}}};
inline constexpr std::array<Option<Endpoint>, 3> kEndpoints{{{"change", Endpoint::change},
                                                             {"value", Endpoint::value},
                                                             {"excess_over_expected", Endpoint::excess_over_expected}}};
inline constexpr std::array<Option<VisitCorrelation>, 2> kVisitCorrelations{
    {{"ar1", VisitCorrelation::ar1}, {"cs", VisitCorrelation::cs}}};
inline constexpr std::array<Option<Covariate>, 1> kCovariates{{{"gmfcs", Covariate::gmfcs}}};
inline constexpr std::array<Option<Direction>, 2> kDirections{{{"greater", Direction::greater}, {"less", Direction::less}}};
inline constexpr std::array<Option<Multiplicity>, 7> kProcedures{{{"none", Multiplicity::none},
                                                                 {"bonferroni", Multiplicity::bonferroni},
                                                                 {"holm", Multiplicity::holm},
                                                                 {"hochberg", Multiplicity::hochberg},
                                                                 {"fixed_sequence", Multiplicity::fixed_sequence},
                                                                 {"fallback", Multiplicity::fallback},
                                                                 {"graphical", Multiplicity::graphical}}};
inline constexpr std::array<Option<InterimBoundary>, 8> kInterimBoundaries{
    {{"obrien-fleming", InterimBoundary::obrien_fleming},
     {"pocock", InterimBoundary::pocock},
     {"wang-tsiatis", InterimBoundary::wang_tsiatis},
     {"haybittle-peto", InterimBoundary::haybittle_peto},
     {"spending-obrien-fleming", InterimBoundary::spending_obrien_fleming},
     {"spending-pocock", InterimBoundary::spending_pocock},
     {"spending-hsd", InterimBoundary::spending_hsd},
     {"spending-kim-demets", InterimBoundary::spending_kim_demets}}};
inline constexpr std::array<Option<FutilityRule>, 4> kFutilityRules{
    {{"none", FutilityRule::none}, {"z", FutilityRule::z}, {"conditional-power", FutilityRule::conditional_power},
     {"beta-spending", FutilityRule::beta_spending}}};
inline constexpr std::array<Option<BetaSpending>, 4> kBetaSpendings{{{"obrien-fleming", BetaSpending::obrien_fleming},
                                                                    {"pocock", BetaSpending::pocock},
                                                                    {"hsd", BetaSpending::hsd},
                                                                    {"kim-demets", BetaSpending::kim_demets}}};
inline constexpr std::array<Option<ReestimationRule>, 2> kReestimationRules{
    {{"promising-zone", ReestimationRule::promising_zone}, {"conditional-power", ReestimationRule::conditional_power}}};
inline constexpr std::array<Option<EnrichmentRule>, 1> kEnrichmentRules{{{"threshold", EnrichmentRule::threshold}}};
inline constexpr std::array<Option<SelectionStatistic>, 2> kSelectionStatistics{
    {{"estimate", SelectionStatistic::estimate}, {"z", SelectionStatistic::z}}};
inline constexpr std::array<Option<IntersectionTest>, 2> kIntersectionTests{
    {{"simes", IntersectionTest::simes}, {"bonferroni", IntersectionTest::bonferroni}}};
inline constexpr std::array<Option<ArmSelectionRule>, 3> kArmSelectionRules{
    {{"best", ArmSelectionRule::best}, {"threshold", ArmSelectionRule::threshold}, {"epsilon", ArmSelectionRule::epsilon}}};
inline constexpr std::array<Option<int>, 2> kSexes{{{"female", 0}, {"male", 1}}};
inline constexpr std::array<Option<bool>, 2> kSweepModes{{{"cartesian", false}, {"zip", true}}};

template <class E, std::size_t N>
constexpr Options<E> options(const std::array<Option<E>, N>& a) {
  return Options<E>(a.data(), N);
}

// ---------------------------------------------------------------------------------------------
// population

template <class V, class P>
void declare_population(V& v, P& p) {
  v.choice("outcome_model", p.outcome_model, options(kOutcomeModels),
           {.meaning = "cp: GMFM-66 from motor-development curves; generic: a continuous endpoint (generic section)"});
  v.section("age_months", {.meaning = "age at screening"}, [&](V& a) {
    a.choice("distribution", p.age.distribution, options(kAgeDistributions), {.meaning = "shape of the age distribution"});
    a.number("min", p.age.min_months, {.meaning = "uniform: lower end", .unit = "months", .min = at_least(0), .rule = "min < max"});
    a.number("max", p.age.max_months, {.meaning = "uniform: upper end", .unit = "months", .min = above(0)});
    // mean and sd are bounded so that the lognormal's parameters stay finite and positive.
    a.number("mean", p.age.mean_months,
             {.meaning = "normal and lognormal: mean age (normal ages below 0 are redrawn)", .unit = "months",
              .min = at_least(0.1), .max = at_most(300), .example = "e.g. 36."});
    a.number("sd", p.age.sd_months,
             {.meaning = "normal and lognormal: SD of age", .unit = "months", .min = at_least(0.01), .max = at_most(300),
              .example = "e.g. 15."});
    a.section("table",
              {.meaning = "distribution table: bins of age with the share of children in each, uniform within a bin",
               .written = p.age.distribution == AgeDistribution::table},
              [&](V& t) {
                t.numbers("edges_months", p.age.table_edges,
                          {.meaning = "bin edges", .unit = "months", .min = at_least(0), .rule = "increasing",
                           .default_text = "none"});
                t.numbers("weights", p.age.table_weights,
                          {.meaning = "relative share of children in each bin", .min = at_least(0),
                           .rule = "one fewer than edges, not all 0", .default_text = "none"});
              });
  });
  v.number("male_fraction", p.male_fraction,
           {.meaning = "probability that a child is a boy (weight-for-age column, sex subgroups)", .unit = "fraction",
            .min = at_least(0), .max = at_most(1), .source = "assumed", .example = "e.g. 0.56."});
  v.section("eligibility", {.meaning = "who may enrol; children outside are screen failures"}, [&](V& e) {
    e.number("min_age_months", p.eligibility.min_age_months,
             {.meaning = "youngest age at screening", .unit = "months", .min = at_least(0), .rule = "min < max"});
    e.number("max_age_months", p.eligibility.max_age_months,
             {.meaning = "oldest age at screening", .unit = "months", .min = above(0), .max = at_most(300),
              .rule = "at least 1 in 10,000 children must qualify",
              .example = "Ages above 300 months (25 years) are outside the motor-development curves."});
    e.levels("gmfcs", p.eligibility.gmfcs, kLevelNames,
             {.meaning = "GMFCS levels that may enrol, e.g. [I, II, III]",
              .rule = "at least one level with a share in gmfcs_mix", .default_text = "all five"});
    e.number("min_weight_kg", p.eligibility.min_weight_kg,
             {.meaning = "lightest body weight at screening", .unit = "kg", .min = at_least(0), .rule = "min < max"});
    e.number("max_weight_kg", p.eligibility.max_weight_kg,
             {.meaning = "heaviest body weight at screening", .unit = "kg", .min = above(0)});
    e.number("min_ucb_tnc_per_kg", p.eligibility.min_ucb_tnc_per_kg,
             {.meaning = "dose floor: children whose UCB unit (first UCB arm) gives fewer TNC/kg after thaw are screen failures",
              .unit = "TNC/kg", .min = at_least(0), .max = at_most(1e9),
              .rule = "needs a UCB arm; at least 1 in 10,000 screened children must qualify",
              .example = "e.g. 2e7 for a floor of 2 x 10^7 TNC/kg; no cord-blood unit gives a child 1e9 TNC/kg."});
  });
  v.named("gmfcs_mix", p.cp.mix, kLevelNames,
          {.meaning = "share of each GMFCS level; levels left out are 0", .unit = "fraction", .min = at_least(0),
           .shares = true, .source = "registry mean, Reid et al. 2011 (normalised to sum 1)", .rule = "sums to 1"});
  v.section("weight", {.meaning = "body weight: median for sex and age x (1 + cv (Z + shift)), at least 0.3 x median",
                       .source = "WHO weight-for-age medians (under 10 y), approximate above; CP shift assumed (Brooks 2011)"}, [&](V& w) {
    w.number("cv", p.weight.cv,
             {.meaning = "coefficient of variation of weight around the median", .unit = "fraction", .min = at_least(0),
              .max = at_most(0.5), .example = "Weight-for-age CVs are about 0.11-0.16."});
    w.named("gmfcs_z_shift", p.weight.gmfcs_z_shift, kLevelNames,
            {.meaning = "shift of weight in units of cv by GMFCS level (children with CP are lighter)", .unit = "z",});
    w.section("table", {.meaning = "median weight for age, linear between points"}, [&](V& t) {
      t.numbers("months", p.weight.table_months,
                {.meaning = "ages of the medians", .unit = "months", .min = at_least(0), .rule = "increasing"});
      t.numbers("boys_kg", p.weight.boys_kg,
                {.meaning = "median weight of boys", .unit = "kg", .min = above(0), .rule = "one per age"});
      t.numbers("girls_kg", p.weight.girls_kg,
                {.meaning = "median weight of girls", .unit = "kg", .min = above(0), .rule = "one per age"});
    });
  });
  v.section("cp", {.meaning = "the CP outcome model (motor curves, child variation, measurement)"}, [&](V& c) {
    c.section("curves", {.meaning = "stable-limit motor curves by GMFCS level",
                         .source = "GMFM-66 stable-limit curves by GMFCS level: Rosenbaum et al., JAMA 2002"}, [&](V& cs) {
      for (std::size_t l = 0; l < p.cp.curves.size(); ++l)
        cs.section(kLevelNames[l], {.meaning = "curve of this GMFCS level"}, [&](V& one) {
          one.number("limit", p.cp.curves[l].limit,
                     {.meaning = "stable limit of GMFM-66", .unit = "points", .min = above(0), .max = at_most(100),
                      .example = "Rosenbaum 2002 gives 87.7, 68.4, 54.3, 40.4, 22.3 for levels I-V."});
          one.number("age90_years", p.cp.curves[l].age90_years,
                     {.meaning = "age at 90 % of the limit", .unit = "years", .min = above(0),
                      .example = "Rosenbaum 2002 gives 4.8, 4.4, 3.7, 3.5, 2.7 for levels I-V."});
        });
    });
    c.number("child_limit_sd", p.cp.child_limit_sd,
             {.meaning = "between-child SD of a child's own limit", .unit = "points", .min = at_least(0),
              .source = "between-child SD 6-10 points reported; 8 assumed", .example = "e.g. 8."});
    c.number("progress_sd_per_year", p.cp.progress_sd_per_year,
             {.meaning = "SD of a child's steady deviation from its curve", .unit = "points/year", .min = at_least(0),
              .source = "assumed; with occasion_sd reproduces IPDMA CI widths at 6 and 12 months", .example = "e.g. 4.8."});
    c.number("measurement_sd", p.cp.measurement_sd,
             {.meaning = "measurement error at each assessment", .unit = "points", .min = at_least(0),
              .source = "GMFM-66 SEM about 1-1.6 (Russell 2000); assumed", .example = "e.g. 1.3."});
    c.number("occasion_sd", p.cp.occasion_sd,
             {.meaning = "a child's day-to-day variation at each assessment (adds to the measurement error)",
              .unit = "points", .min = at_least(0), .source = "assumed; day-to-day variation, calibrated to IPDMA CI widths",
              .example = "e.g. 2.6."});
    c.section("decline", {.meaning = "peak and decline at GMFCS III-V",
                          .source = "Hanna et al., DMCN 2009: peaks 7.9/6.9/6.9 y, losses 4.7/7.8/6.4 points (III/IV/V)"}, [&](V& d) {
      d.choice("enabled", p.cp.decline.enabled, options(kBooleans),
               {.meaning = "after the level's peak age the score falls linearly by loss_points until until_age_years"});
      d.named("peak_age_years", p.cp.decline.peak_age_years, kLevelNames,
              {.meaning = "age of the peak score", .unit = "years", .min = at_least(0),
               .rule = "a level with a loss peaks before until_age_years"});
      d.named("loss_points", p.cp.decline.loss_points, kLevelNames,
              {.meaning = "points lost from the peak to until_age_years", .unit = "points", .min = at_least(0)});
      d.number("until_age_years", p.cp.decline.until_age_years,
               {.meaning = "age at which the decline ends", .unit = "years", .min = above(0), .example = "e.g. 21."});
    });
  });
  v.section("generic", {.meaning = "the generic outcome model: outcome = intercept + slope baseline + effect + noise"}, [&](V& g) {
    g.number("baseline_mean", p.generic.baseline_mean, {.meaning = "mean baseline", .unit = "outcome units"});
    g.number("baseline_sd", p.generic.baseline_sd,
             {.meaning = "SD of baseline", .unit = "outcome units", .min = above(0), .example = "e.g. 10."});
    g.number("intercept", p.generic.intercept, {.meaning = "intercept of the outcome", .unit = "outcome units"});
    g.number("slope", p.generic.slope, {.meaning = "slope of the outcome on baseline"});
    g.number("residual_sd", p.generic.residual_sd,
             {.meaning = "residual SD of the outcome", .unit = "outcome units", .min = above(0), .example = "e.g. 4."});
    const auto& G = p.generic;
    g.numbers("intercept_by_visit", p.generic.intercept_by_visit,
              {.meaning = "intercept at each visit: the control arm's mean of outcome - slope baseline (overrides intercept)",
               .unit = "outcome units", .max_items = kMaxVisits, .rule = "one per design.visits_months entry",
               .default_text = "intercept at every visit", .written = !G.intercept_by_visit.empty(), .since = "0.2"});
    g.numbers("residual_sd_by_visit", p.generic.residual_sd_by_visit,
              {.meaning = "residual SD at each visit (overrides residual_sd)", .unit = "outcome units", .min = above(0),
               .max_items = kMaxVisits, .rule = "one per design.visits_months entry", .example = "e.g. [3, 4, 5].",
               .default_text = "residual_sd at every visit", .written = !G.residual_sd_by_visit.empty(), .since = "0.2"});
    g.number("correlation", p.generic.correlation,
             {.meaning = "correlation of a child's residuals between visits (see correlation_structure)", .min = above(-1),
              .max = below(1), .rule = "cs: above -1/(visits - 1)", .example = "e.g. 0.6.",
              .written = G.correlation != 0, .since = "0.2"});
    g.choice("correlation_structure", p.generic.correlation_structure, options(kVisitCorrelations),
             {.meaning = "ar1: correlation^|i - j| between the i-th and j-th visits; cs: correlation between any two",
              .written = G.correlation_structure != VisitCorrelation::ar1, .since = "0.2"});
    g.matrix("correlation_matrix", p.generic.correlation_matrix,
             {.meaning = "the residuals' correlation between visits, row i for the i-th visit (overrides correlation)",
              .min = at_least(-1), .max = at_most(1), .rule = "visits x visits, symmetric, unit diagonal, positive definite",
              .example = "e.g. [[1, 0.6, 0.4], [0.6, 1, 0.6], [0.4, 0.6, 1]].", .default_text = "none",
              .written = !G.correlation_matrix.empty(), .since = "0.2"});
  });
}

// ---------------------------------------------------------------------------------------------
// arms

template <class V, class A>
void declare_product(V& v, A& arm) {
  auto& u = arm.ucb;
  auto& m = arm.msc;
  const bool ucb = arm.product == ProductType::ucb, msc = arm.product == ProductType::msc;
  v.named("source_mix", u.source_mix, kSourceNames,
          {.meaning = "UCB: share of units that are the child's own, from a public bank, or from a sibling; left out are 0",
           .unit = "fraction", .min = at_least(0), .shares = true, .source = "IPDMA: 84 % allogeneic, mostly unrelated", .rule = "sums to 1; UCB products only",
           .flow = true, .written = ucb});
  v.section("unit_tnc", {.meaning = "UCB: total nucleated cells of a unit before freezing, log-normal, by source",
                         .source = "median pre-freeze TNC: private 4.7e8, public 1.08e9 (Sun 2010); CVs assumed",
                         .written = ucb},
            [&](V& sizes) {
    for (std::size_t k = 0; k < kSourceNames.size(); ++k)
      sizes.section(kSourceNames[k], {.meaning = "units of this source", .flow = true}, [&](V& one) {
        one.number("median", u.unit[k].median_tnc,
                   {.meaning = "median TNC of a unit", .unit = "cells", .min = above(0),
                    .example = "e.g. 4.7e8 for privately banked units."});
        one.number("cv", u.unit[k].cv,
                   {.meaning = "CV of TNC between units", .min = above(0), .max = at_most(3),
                    .example = "e.g. 0.6 for privately banked units."});
      });
  });
  v.number("post_thaw_recovery", u.post_thaw_recovery,
           {.meaning = "UCB: fraction of TNC left after thaw", .unit = "fraction", .min = above(0), .max = at_most(1),
            .source = "assumed about 80 %", .example = "About 0.8 is typical.", .written = ucb});
  v.number("target_tnc_per_kg", u.target_tnc_per_kg,
           {.meaning = "UCB, public units: further units are offered until one gives this dose (0: one random unit)",
            .unit = "TNC/kg", .min = at_least(0), .example = "e.g. 5e7.", .written = ucb});
  v.integer("bank_choices", u.bank_choices,
            {.meaning = "UCB: most public units offered to reach target_tnc_per_kg", .min = at_least(1), .max = at_most(100),
             .example = "1 means a single random unit.", .written = ucb});
  v.named("hla_mismatch_mix", u.hla_mismatch_mix, kHlaNames,
          {.meaning = "UCB: shares of public and sibling units with 0, 1, 2 or more HLA mismatches; left out are 0",
           .unit = "fraction", .min = at_least(0), .shares = true, .source = "IPDMA: 26 % of allogeneic units without HLA mismatch; rest assumed", .rule = "sums to 1",
           .flow = true, .written = ucb});
  v.number("cells_per_kg", m.cells_per_kg,
           {.meaning = "MSC: cells per kg per dose", .unit = "cells/kg", .min = at_least(0), .rule = "it or fixed_cells > 0",
            .example = "e.g. 2e6.", .written = msc});
  v.number("fixed_cells", m.fixed_cells,
           {.meaning = "MSC: a fixed number of cells per dose whatever the weight (replaces cells_per_kg when > 0)",
            .unit = "cells", .min = at_least(0), .example = "e.g. 5e7.", .written = msc});
  v.integer("doses", m.doses,
            {.meaning = "MSC: number of doses", .min = at_least(1), .max = at_most(20), .example = "MSC trials gave 1-4 doses.",
             .written = msc});
  v.number("interval_weeks", m.interval_weeks,
           {.meaning = "MSC: weeks between doses (checked and written; not used by the simulation)", .unit = "weeks",
            .min = above(0), .example = "e.g. 4.", .written = msc});
  v.choice("route", m.route, options(kRoutes), {.meaning = "MSC: route of administration", .written = msc});
  v.named("route_multiplier", m.route_multiplier, kRouteNames,
          {.meaning = "MSC: effect multiplier for each route; left out keep 1", .min = at_least(0),
           .example = "1 means no change.", .flow = true, .written = msc});
  v.numbers("dose_count_multiplier", m.dose_count_multiplier,
            {.meaning = "MSC: entry k is the effect multiplier when doses is k", .min = at_least(0),
             .rule = "empty, or at least doses entries", .example = "1 means no change.",
             .default_text = "[] (multiplier 1)", .written = msc});
}

template <class V, class A>
void declare_arm(V& v, A& arm, bool cp_model) {
  const bool active = arm.role == ArmRole::active;
  v.text("name", arm.name, {.meaning = "arm name", .rule = "unique; not 'all arms'", .required = true});
  v.choice("role", arm.role, options(kRoles),
           {.meaning = "control or active", .rule = "exactly one control, at least one active", .required = true});
  v.number("allocation", arm.allocation,
           {.meaning = "allocation weight (1:1 = both 1; 2:1 = 2 and 1)", .min = above(0), .max = at_most(1000),
            .example = "e.g. 1 for equal allocation, 2 for twice as many as an arm with 1."});
  v.by_month("effect_by_month", arm.effect_by_month,
             {.meaning = "effect vs control by month after randomisation; linear between points, 0 at month 0",
              .unit = "outcome units", .source = "IPDMA, Pediatrics 2025 (+1.36 at 6 m, +1.42 at 12 m)",
              .rule = "required for active arms (or effect_smd_by_month); not on the control arm", .default_text = "none",
              .flow = true, .written = active});
  v.by_month("effect_smd_by_month", arm.effect_by_month,
             {.meaning = "the effect as standardised mean differences by month; times smd_sd gives effect_by_month",
              .unit = "SMD", .rule = "instead of effect_by_month; needs smd_sd", .default_text = "none", .input_only = true});
  double smd_sd = 0;
  v.number("smd_sd", smd_sd,
           {.meaning = "SD of the endpoint that converts effect_smd_by_month to outcome units", .unit = "outcome units",
            .min = above(0), .rule = "only with effect_smd_by_month", .default_text = "none", .input_only = true});
  v.choice_or_section("product", arm.product, options(kProductTypes),
                      {.meaning = "the cell product: its type alone (ucb, msc, none) or a mapping with 'type'",
                       .rule = "active arms of the cp model; UCB keys only on ucb, MSC keys only on msc",
                       .default_text = "none", .written = active},
                      true, [&](V& p) {
                        p.choice("type", arm.product, options(kProductTypes),
                                 {.meaning = "ucb (umbilical cord blood), msc (mesenchymal stromal cells) or none",
                                  .required = true});
                        declare_product(p, arm);
                      });
  v.section("dose_response",
            {.meaning = "effect multiplier f(d) / f(reference_dose) by the child's dose per kg",
             .source = "higher TNC/kg, larger effect (IPDMA; Sun 2017 ACCeNT-CP); shape assumed", .written = active},
            [&](V& d) {
    auto& x = arm.dose_response;
    d.choice("model", x.model, options(kDoseResponseModels),
             {.meaning = "how the effect depends on dose", .rule = "any but none needs a product"});
    d.number("reference_dose", x.reference_dose,
             {.meaning = "dose at which effect_by_month applies", .unit = "TNC/kg or cells/kg", .min = at_least(0),
              .rule = "> 0 unless the model is none"});
    d.number("threshold", x.threshold, {.meaning = "step: doses below have below_fraction of the effect", .min = at_least(0)});
    d.number("below_fraction", x.below_fraction,
             {.meaning = "step: fraction of the effect below the threshold", .min = at_least(0), .max = at_most(1)});
    d.number("ed50", x.ed50, {.meaning = "emax: dose with half the maximum effect", .min = at_least(0)});
    d.number("hill", x.hill, {.meaning = "emax: Hill exponent", .min = above(0), .max = at_most(20)});
    d.number("slope_per_log", x.slope_per_log, {.meaning = "loglinear: f = max(0, 1 + slope ln(d / reference_dose))"});
  });
  v.section("modifiers",
            {.meaning = "effect multipliers by the child's attributes (active arms, cp model)",
             .source = "responders under about 5 y and GMFCS I-III (IPDMA); sizes assumed", .written = active && cp_model},
            [&](V& mo) {
    auto& x = arm.modifiers;
    mo.section("age", {.meaning = "multiplier by age band"}, [&](V& a) {
      a.numbers("breaks_months", x.age_breaks_months,
                {.meaning = "band edges", .unit = "months", .min = above(0), .rule = "increasing"});
      a.numbers("multipliers", x.age_multipliers,
                {.meaning = "one multiplier per band: multipliers[k] below breaks_months[k], the last above the last break",
                 .min = at_least(0), .rule = "one more than breaks"});
    });
    mo.named_partial("gmfcs", x.gmfcs, x.gmfcs_given, kLevelNames,
                     {.meaning = "multiplier by GMFCS level; left out keep 1", .min = at_least(0),
                      .rule = "a level given has a share > 0 in gmfcs_mix", .example = "1 means no change.", .flow = true});
    mo.named("hla_mismatch", x.hla_mismatch, kHlaNames,
             {.meaning = "multiplier by HLA mismatches of the unit; left out keep 1", .min = at_least(0),
              .rule = "values other than 1 need a UCB product", .example = "1 means no change.", .flow = true});
  });
  v.section("heterogeneity",
            {.meaning = "variation of a child's effect around its expected effect (active arms, cp model)",
             .written = active && cp_model},
            [&](V& h) {
              h.choice("model", arm.heterogeneity.model, options(kHeterogeneityModels),
                       {.meaning = "normal adds Normal(0, sd); responders gives effect / fraction to a fraction, 0 to the rest"});
              h.number("sd", arm.heterogeneity.sd,
                       {.meaning = "normal: SD of a child's deviation at the primary visit", .unit = "outcome units",
                        .min = at_least(0), .example = "e.g. 1.0."});
              h.number("responder_fraction", arm.heterogeneity.responder_fraction,
                       {.meaning = "responders: probability that a child responds", .min = above(0), .max = at_most(1),
                        .example = "e.g. 0.4 for 40 % responders."});
            });
  const auto prior = arm.effect_prior.kind;
  const bool normal_prior = prior == PriorKind::normal || prior == PriorKind::truncated_normal;
  v.section("effect_prior",
            {.meaning = "design prior on the effect at the primary visit, for assurance",
             .source = "e.g. Normal(1.42, 0.56^2) from the IPDMA 12-month CI", .written = active && prior != PriorKind::none},
            [&](V& q) {
    auto& x = arm.effect_prior;
    q.choice("distribution", x.kind, options(kPriorKinds),
             {.meaning = "prior family", .rule = "required when effect_prior is given"});
    q.numbers("values", x.values,
              {.meaning = "discrete: the possible effects", .unit = "outcome units", .default_text = "none",
               .written = prior == PriorKind::discrete});
    q.numbers("weights", x.weights,
              {.meaning = "discrete: relative weights of the values", .min = at_least(0),
               .rule = "one per value, not all 0", .default_text = "none", .written = prior == PriorKind::discrete});
    q.number("mean", x.mean,
             {.meaning = "normal, truncated_normal: mean effect", .unit = "outcome units", .written = normal_prior});
    q.number("sd", x.sd,
             {.meaning = "normal, truncated_normal: SD of the effect", .unit = "outcome units", .min = at_least(0),
              .rule = "> 0 for normal and truncated_normal", .written = normal_prior});
    q.number("lower", x.lower,
             {.meaning = "truncated_normal: lower bound", .unit = "outcome units", .rule = "keeps at least 0.1 % of the mass",
              .default_text = "no bound", .written = prior == PriorKind::truncated_normal});
    q.number("upper", x.upper,
             {.meaning = "truncated_normal: upper bound", .unit = "outcome units", .default_text = "no bound",
              .written = prior == PriorKind::truncated_normal});
  });
  v.section("safety", {.meaning = "serious adverse events and infusion reactions"}, [&](V& s) {
    s.number("sae_risk", arm.safety.sae_risk,
             {.meaning = "probability of at least one serious adverse event during follow-up", .min = at_least(0),
              .max = at_most(1), .source = "IPDMA: 16.0 % UCB vs 12.9 % control", .example = "e.g. 0.16.",
              .default_text = "0.160 active, 0.129 control (cp model; 0 generic)"});
    s.number("infusion_reaction_risk", arm.safety.infusion_reaction_risk,
             {.meaning = "probability of an infusion reaction", .min = at_least(0), .max = at_most(1), .source = "assumed",
              .example = "e.g. 0.05.", .default_text = "0.05 active, 0 control (cp model; 0 generic)"});
  });
}

// ---------------------------------------------------------------------------------------------
// design, analysis, simulation

template <class V, class E>
void declare_intercurrent_event(V& v, E& ev) {
  v.text("name", ev.name, {.meaning = "a plain word, e.g. botulinum_toxin", .rule = "unique", .required = true, .since = "0.2"});
  v.numbers("rate_per_month", ev.rate_per_month,
            {.meaning = "monthly rate of the event (exponential time from randomisation)", .unit = "per month",
             .min = at_least(0), .max = at_most(1), .rule = "one value for every arm, or one per arm in arm order",
             .example = "e.g. 0.01 (about 11 % of children within a year).", .since = "0.2"});
  v.number("shift_points", ev.shift_points,
           {.meaning = "step change of the score at the event", .unit = "points", .min = at_least(-100), .max = at_most(100),
            .source = "assumed", .example = "e.g. -2 for a temporary loss after surgery.", .since = "0.2"});
  v.number("shift_per_month", ev.shift_per_month,
           {.meaning = "change of the score per month after the event", .unit = "points per month", .min = at_least(-10),
            .max = at_most(10), .source = "assumed", .example = "e.g. 0.05.", .since = "0.2"});
  v.choice("stops_treatment", ev.stops_treatment, options(kBooleans),
           {.meaning = "true: the therapy's effect stays at its value at the event (treatment discontinuation)",
            .since = "0.2"});
}

template <class V, class D>
void declare_design(V& v, D& d) {
  v.integer("sample_size", d.sample_size,
            {.meaning = "children randomised in total", .unit = "children", .min = at_least(2), .max = at_most(1e6),
             .rule = "at least 2 per arm"});
  v.choice("randomisation", d.randomisation, options(kRandomisations),
           {.meaning = "fixed: exact arm sizes (as permuted blocks); simple: each child independently"});
  v.numbers("visits_months", d.visits_months,
            {.meaning = "assessments after randomisation", .unit = "months", .min = above(0),
             .max_items = kMaxVisits, .rule = "increasing"});
  v.section("dropout", {.meaning = "loss to follow-up"}, [&](V& o) {
    o.number("by_last_visit", d.dropout_by_last_visit,
             {.meaning = "probability of loss by the last visit (constant hazard)", .unit = "fraction", .min = at_least(0),
              .max = below(1), .source = "0-9 % per year in these trials; value assumed",
              .example = "e.g. 0.05 for 5 % lost by the last visit."});
    o.named("gmfcs_multiplier", d.dropout_gmfcs_multiplier, kLevelNames,
            {.meaning = "multiplier of the dropout hazard by GMFCS level; left out keep 1", .min = at_least(0),
             .example = "1 means no change."});
    o.number("per_point_of_progress", d.dropout_per_point,
             {.meaning = "missing at random: log hazard ratio per point of observed change at the previous visit",
              .unit = "log hazard ratio per point", .min = at_least(-5), .max = at_most(5),
              .example = "e.g. -0.1: less loss when progressing."});
    o.number("missed_visit", d.missed_visit,
             {.meaning = "probability that a child still in the trial misses a scheduled visit (intermittent, at random)",
              .unit = "fraction", .min = at_least(0), .max = at_most(0.5), .source = "assumed",
              .example = "e.g. 0.05.", .written = d.missed_visit > 0, .since = "0.2"});
    o.numbers("mnar_shift_per_month", d.mnar_shift_per_month,
              {.meaning = "missing not at random: after dropout the unobserved trajectory moves by this much per month",
               .unit = "points per month", .min = at_least(-10), .max = at_most(10),
               .rule = "one value for every arm, or one per arm in arm order", .example = "e.g. -0.1 (worse after leaving).",
               .written = d.mnar_shift_per_month != std::vector<double>{0}, .since = "0.2"});
  });
  v.by_month("sham_effect_by_month", d.sham_effect_by_month,
             {.meaning = "effect of a sham procedure every randomised child gets, by month", .unit = "points",
              .default_text = "none", .flow = true, .written = !d.sham_effect_by_month.empty()});
  const bool accrual = d.accrual.modelled();
  v.section("accrual",
            {.meaning = "recruitment in calendar time: sites opening, children screened per site (Poisson), a cap per site",
             .default_text = "none (no calendar: accrual and duration are not reported)", .written = accrual, .since = "0.2"},
            [&](V& a) {
    a.integer("sites", d.accrual.sites,
              {.meaning = "recruiting sites (0: no calendar)", .unit = "sites", .min = at_least(0), .max = at_most(kMaxSites),
               .rule = "at least 1 when any other accrual key is given", .required = true, .since = "0.2"});
    a.number("ramp_up_months", d.accrual.ramp_up_months,
             {.meaning = "month at which the last site opens; sites open at equal steps from month 0", .unit = "months",
              .min = at_least(0), .max = at_most(kMaxRampUpMonths), .since = "0.2"});
    a.number("screened_per_site_month", d.accrual.screened_per_site_month,
             {.meaning = "children screened per open site per month (a Poisson process); screening failures count",
              .unit = "children/site/month", .min = at_least(0), .max = at_most(1e6), .rule = "> 0 when sites > 0",
              .required = true, .since = "0.2"});
    a.integer("cap_per_site", d.accrual.cap_per_site,
              {.meaning = "most children a site randomises; a full site stops screening (0: no cap)", .unit = "children",
               .min = at_least(0), .rule = "sites x cap_per_site >= design.sample_size", .since = "0.2"});
  });
  v.list("intercurrent_events", d.intercurrent_events,
         {.meaning = "events that change a child's trajectory from the month they happen (e.g. botulinum toxin, surgery)",
          .max_items = kMaxEvents, .default_text = "none", .written = !d.intercurrent_events.empty(), .since = "0.2"},
         [](V& e, auto& ev) { declare_intercurrent_event(e, ev); });
  v.number("delayed_start_month", d.delayed_start_month,
           {.meaning = "delayed treatment: the control arm gets the first active arm's product at this month (0: never)",
            .unit = "months", .min = at_least(0), .max = at_most(600),
            .source = "crossover at 12 months as in the Duke randomised trial and ACCeNT-CP",
            .rule = "0, or at least the primary visit; a visit at it and one primary interval after it",
            .example = "e.g. 12.", .written = d.delayed_start_month > 0, .since = "0.2"});
  const bool interims = d.interims.active();
  v.section("interims",
            {.meaning = "group-sequential interim analyses: looks at shares of the children who reached the primary visit "
                        "or at calendar months, efficacy boundaries, futility stopping; children randomised before a stop "
                        "are followed up",
             .default_text = "none (a fixed design)", .written = interims, .since = "0.2"},
            [&](V& i) {
    i.numbers("information", d.interims.information,
              {.meaning = "the interim looks: shares of design.sample_size who have reached the primary visit (assessed or "
                          "not); the final analysis (1) is implied",
               .unit = "fraction", .min = above(0), .max = below(1), .max_items = kMaxInterims,
               .rule = "increasing; each look at least one child after the last; needs design.accrual (calendar time); "
                       "exactly one of information and months",
               .example = "e.g. [0.33, 0.67] for two interims.", .default_text = "none (required unless months)",
               .written = !d.interims.information.empty(), .since = "0.2"});
    i.numbers("months", d.interims.months,
              {.meaning = "the interim looks at fixed calendar months of the randomisation calendar (design.accrual); a "
                          "look's information is random: the share of design.sample_size whose primary visit has come "
                          "(assessed or not), and the efficacy bounds are recomputed at the observed fractions",
               .unit = "months", .min = above(0), .max = at_most(600), .max_items = kMaxInterims,
               .rule = "increasing; exactly one of information and months; a spending-* boundary; futility z or "
                       "conditional-power, not binding; not with sample_size_reestimation, enrichment, arm_selection "
                       "or pause_enrolment; a look with no child at the primary visit, none more than the previous "
                       "look held, all of them, or an analysis that estimates nothing is not held",
               .example = "e.g. [25, 38] for looks at about 1/3 and 2/3 of the information.",
               .default_text = "none (looks at information fractions)", .written = d.interims.calendar(), .since = "0.2"});
    i.choice("pause_enrolment", d.interims.pause_enrolment, options(kBooleans),
             {.meaning = "true: enrolment stops once a look's children are randomised and resumes at the look (when "
                         "they have all reached the primary visit), so no child is in the pipeline at a look; the "
                         "trial takes longer",
              .rule = "not with sample_size_reestimation or enrichment",
              .written = d.interims.pause_enrolment, .since = "0.2"});
    i.section("efficacy", {.meaning = "the efficacy boundary over the looks and the final analysis, at analysis.alpha and analysis.sides",
                           .since = "0.2"},
              [&](V& e) {
      e.choice("boundary", d.interims.boundary, options(kInterimBoundaries),
               {.meaning = "the boundary family (as celltrial boundaries --boundary)", .since = "0.2"});
      e.number("parameter", d.interims.parameter,
               {.meaning = "the family's parameter: wang-tsiatis Delta, haybittle-peto interim value, spending-hsd gamma, "
                           "spending-kim-demets rho",
                .rule = "only for those families, in the family's range", .default_text = "the family's default",
                .written = std::isfinite(d.interims.parameter), .since = "0.2"});
    });
    const bool beta = d.interims.futility == FutilityRule::beta_spending;
    i.section("futility", {.meaning = "stopping for futility at an interim look",
                           .default_text = "none", .written = d.interims.futility != FutilityRule::none, .since = "0.2"},
              [&](V& f) {
      f.choice("rule", d.interims.futility, options(kFutilityRules),
               {.meaning = "z: stop when Z_k <= threshold; conditional-power: stop when the conditional power under the "
                           "current estimate is below threshold; beta-spending: stop when Z_k <= f_k, the futility bounds "
                           "of a beta-spending function at the planned drift (as celltrial boundaries --beta-spending)",
                .since = "0.2"});
      f.number("threshold", d.interims.futility_threshold,
               {.meaning = "a Z value (rule z) or a probability in (0, 1) (rule conditional-power)", .min = at_least(-10),
                .max = at_most(10), .rule = "below every interim efficacy bound (z); in (0, 1) (conditional-power); not "
                                            "with beta-spending",
                .example = "e.g. 0 (z) or 0.1 (conditional-power).", .written = !beta, .since = "0.2"});
      f.choice("spending", d.interims.beta_spending, options(kBetaSpendings),
               {.meaning = "the beta-spending function (rule beta-spending; rpact's typeBetaSpending bsOF, bsP, bsHSD, "
                           "bsKD)",
                .source = "Wassmer & Brannath 2016, section 3.4", .written = beta, .since = "0.2"});
      f.number("spending_parameter", d.interims.beta_parameter,
               {.meaning = "the beta-spending function's parameter: hsd gamma, kim-demets rho",
                .rule = "only for hsd and kim-demets, in the family's range", .default_text = "the family's default",
                .written = beta && std::isfinite(d.interims.beta_parameter), .since = "0.2"});
      f.number("planned_effect", d.interims.planned_effect,
               {.meaning = "the effect the design is planned for (rule beta-spending), in the direction of benefit: "
                           "rpact's alternative",
                .unit = "outcome units",
                .rule = "positive; with planned_sd: drift = planned_effect / planned_sd x sqrt(N a (1 - a)), N = "
                        "design.sample_size, a the active arm's share; the futility bounds are those of the design "
                        "whose power at that drift is 1 - beta (beta solved, below 0.5)",
                .example = "e.g. the active arm's effect at the primary visit.", .default_text = "required for beta-spending",
                .written = beta, .since = "0.2"});
      f.number("planned_sd", d.interims.planned_sd,
               {.meaning = "the SD the design is planned with (rule beta-spending): rpact's stDev, the residual SD of the "
                           "analysed outcome",
                .unit = "outcome units", .rule = "positive",
                .example = "e.g. the generic model's residual_sd.", .default_text = "required for beta-spending",
                .written = beta, .since = "0.2"});
      f.choice("binding", d.interims.binding, options(kBooleans),
               {.meaning = "true: the efficacy bounds count on every futility stop (computed with the futility bounds as "
                           "lower boundaries under the null hypothesis, rpact's bindingFutility = TRUE)",
                .rule = "false with conditional-power", .since = "0.2"});
    });
    const SampleSizeReestimation& ssr = d.interims.reestimation;
    i.section("sample_size_reestimation",
              {.meaning = "re-estimate the sample size at the last interim look from the conditional power under the "
                          "current estimate; after an increase the final test is the weighted inverse-normal combination "
                          "of the two stages",
               .source = "Cui, Hung & Wang 1999; Mehta & Pocock 2011", .default_text = "none (the planned N)",
               .written = ssr.active(), .since = "0.2"},
              [&](V& r) {
      r.choice("rule", d.interims.reestimation.rule, options(kReestimationRules),
               {.meaning = "promising-zone: increase only when the conditional power at the planned N is in the zone; "
                           "conditional-power: always the N that reaches target_power, between the planned N and the cap",
                .required = true, .since = "0.2"});
      r.number("target_power", d.interims.reestimation.target_power,
               {.meaning = "the conditional power (under the current estimate) the new sample size aims at",
                .unit = "probability", .min = above(0), .max = below(1), .source = "Mehta & Pocock 2011",
                .example = "e.g. 0.9.", .since = "0.2"});
      r.integer("max_sample_size", d.interims.reestimation.max_sample_size,
                {.meaning = "the cap: most children randomised after an increase", .unit = "children",
                 .min = at_least(0), .max = at_most(1e6),
                 .rule = "above design.sample_size; sites x cap_per_site must reach it",
                 .example = "e.g. 1.5 times design.sample_size.", .required = true, .since = "0.2"});
      r.section("promising_zone",
                {.meaning = "the zone of conditional power at the planned N (under the current estimate) where N is "
                            "increased; below it (unfavourable) and above it (favourable) N stays as planned",
                 .source = "Mehta & Pocock 2011", .flow = true,
                 .written = ssr.rule == ReestimationRule::promising_zone, .since = "0.2"},
                [&](V& z) {
        z.number("lower", d.interims.reestimation.zone_lower,
                 {.meaning = "lower end of the zone (included)", .unit = "probability", .min = above(0), .max = below(1),
                  .rule = "below upper", .example = "e.g. 0.36.", .since = "0.2"});
        z.number("upper", d.interims.reestimation.zone_upper,
                 {.meaning = "upper end of the zone (excluded)", .unit = "probability", .min = above(0), .max = below(1),
                  .example = "e.g. 0.8.", .since = "0.2"});
      });
    });
    const AdaptiveEnrichment& en = d.interims.enrichment;
    i.section("enrichment",
              {.meaning = "adaptive enrichment at the interim look: go on in everyone, only in a declared subgroup "
                          "(later enrolment admits only its children), or stop; claims by closed testing with the "
                          "weighted inverse-normal combination of the stages (Brannath et al. 2009)",
               .default_text = "none (no selection)",
               .written = en.active(), .since = "0.2"},
              [&](V& e) {
      e.choice("rule", d.interims.enrichment.rule, options(kEnrichmentRules),
               {.meaning = "threshold: everyone when the complement's statistic is at least complement_threshold, else "
                           "the subgroup when its statistic is at least subgroup_threshold, else stop for futility",
                .required = true, .since = "0.2"});
      e.text("subgroup", d.interims.enrichment.subgroup,
             {.meaning = "the name of the subgroup (analysis.subgroups) the trial may be restricted to",
              .rule = "defined by age_months and gmfcs only; not confirmatory", .required = true, .since = "0.2"});
      e.choice("statistic", d.interims.enrichment.statistic, options(kSelectionStatistics),
               {.meaning = "what the thresholds apply to: the look's effect estimates (outcome units, positive = benefit) "
                           "in the subgroup and in its complement, or their Z statistics",
                .since = "0.2"});
      e.number("subgroup_threshold", d.interims.enrichment.subgroup_threshold,
               {.meaning = "the subgroup is worth going on in when its statistic is at least this",
                .unit = "outcome units (estimate) or Z", .min = at_least(-1e6), .max = at_most(1e6),
                .example = "e.g. 0 (any sign of benefit).", .since = "0.2"});
      e.number("complement_threshold", d.interims.enrichment.complement_threshold,
               {.meaning = "the complement benefits (go on in everyone) when its statistic is at least this",
                .unit = "outcome units (estimate) or Z", .min = at_least(-1e6), .max = at_most(1e6),
                .example = "e.g. 0.5 (points).", .since = "0.2"});
      e.choice("intersection_test", d.interims.enrichment.intersection, options(kIntersectionTests),
               {.meaning = "test of the intersection (no effect in everyone nor in the subgroup) at each stage: simes "
                           "min(2 min(p), max(p)) or bonferroni 2 min(p)",
                .since = "0.2"});
    });
    const ArmSelection& as = d.interims.arm_selection;
    i.section("arm_selection",
              {.meaning = "adaptive arm selection at the interim look (two or more active arms): the arms dropped stop "
                          "recruiting and later children are randomised between control and the arms kept (their "
                          "allocation ratios; the total stays design.sample_size); no arm kept: stop for futility; "
                          "claims by closed testing with the weighted inverse-normal combination of the stages (Bretz "
                          "et al. 2006; Wassmer & Brannath 2016, ch. 11)",
               .default_text = "none (no selection)",
               .written = as.active(), .since = "0.2"},
              [&](V& a) {
      a.choice("select", d.interims.arm_selection.rule, options(kArmSelectionRules),
               {.meaning = "best: keep the arm with the largest statistic; threshold: keep every arm whose statistic is at "
                           "least threshold; epsilon: keep every arm whose statistic is within epsilon of the largest",
                .required = true, .since = "0.2"});
      a.choice("statistic", d.interims.arm_selection.statistic, options(kSelectionStatistics),
               {.meaning = "what the rule compares: each active arm's effect estimate against control at the look "
                           "(outcome units, positive = benefit) or its Z statistic",
                .since = "0.2"});
      a.number("threshold", d.interims.arm_selection.threshold,
               {.meaning = "the least statistic of an arm kept (rule threshold); with best or epsilon an optional floor "
                           "the kept arms must also reach",
                .unit = "outcome units (estimate) or Z", .rule = "required by threshold; -1e6 to 1e6",
                .example = "e.g. 0 (any sign of benefit).", .default_text = "none",
                .written = std::isfinite(as.threshold), .since = "0.2"});
      a.number("epsilon", d.interims.arm_selection.epsilon,
               {.meaning = "rule epsilon: keep every arm whose statistic is at least the largest minus epsilon",
                .unit = "outcome units (estimate) or Z", .rule = "required by epsilon and only there; >= 0",
 .example = "e.g. 0.5 (points).", .default_text = "none", .written = std::isfinite(as.epsilon),
                .since = "0.2"});
      a.choice("intersection_test", d.interims.arm_selection.intersection, options(kIntersectionTests),
               {.meaning = "test of each intersection of the arms' hypotheses at each stage, over its arms still in the "
                           "trial: simes min_k(m p_(k) / k) or bonferroni m min(p)",
                .since = "0.2"});
    });
  });
}

template <class V, class G>
void declare_subgroup(V& v, G& g) {
  v.text("name", g.name, {.meaning = "a plain word, not an arm's name nor 'primary'", .required = true});
  // A range writes min only when it is above 0 or the only bound, so that it reads back the same.
  auto range = [&](V& r, auto& lo, auto& hi, const char* unit) {
    r.number("min", lo,
             {.meaning = "lower end", .unit = unit, .min = at_least(0), .example = "Leave min out for no lower limit.",
              .written = lo > 0 || !(hi < 1e300)});
    r.number("max", hi, {.meaning = "upper end (excluded)", .unit = unit, .default_text = "no limit", .written = hi < 1e300});
  };
  v.section("age_months",
            {.meaning = "[min, max) age at randomisation (cp model)", .default_text = "any age", .flow = true,
             .written = g.has_age},
            [&](V& r) { range(r, g.age_min_months, g.age_max_months, "months"); });
  v.levels("gmfcs", g.gmfcs, kLevelNames,
           {.meaning = "GMFCS levels, e.g. [I, II, III] (cp model)", .default_text = "any level", .written = g.has_gmfcs});
  v.section("dose_per_kg",
            {.meaning = "[min, max) planned dose per kg (first UCB arm's unit, else first MSC arm)", .default_text = "any dose",
             .flow = true, .written = g.has_dose},
            [&](V& r) { range(r, g.dose_min, g.dose_max, "TNC/kg or cells/kg"); });
  v.choice("sex", g.sex, options(kSexes), {.meaning = "boys or girls", .default_text = "either", .written = g.sex >= 0});
  v.levels("hla_mismatches", g.hla, kHlaNames,
           {.meaning = "HLA mismatches of the unit found at screening (2 = two or more)", .default_text = "any",
            .written = g.has_hla});
  v.choice("route", g.route, options(kRoutes),
           {.meaning = "make the comparisons only for MSC arms given this way", .rule = "with at least one other condition",
            .default_text = "any", .written = g.has_route});
  v.choice("confirmatory", g.confirmatory, options(kBooleans),
           {.meaning = "true: the subgroup's test joins the confirmatory family"});
}

template <class V, class N>
void declare_analysis(V& v, N& a) {
  v.choice("method", a.method, options(kMethods),
           {.meaning = "ancova: change at the primary visit on arm + baseline (+ adjust_for), complete cases; mmrm: "
                       "every visit up to the primary, visit x arm and visit x baseline (+ visit x adjust_for), REML"});
  v.section("mmrm",
            {.meaning = "the mixed model for repeated measures (method: mmrm)", .default_text = "unstructured, satterthwaite",
             .written = a.method == AnalysisMethod::mmrm, .since = "0.2"},
            [&](V& m) {
    m.choice("covariance", a.mmrm.covariance, options(kCovarianceStructures),
             {.meaning = "covariance of a child's visits (ar1 and toeplitz by visit order)", .since = "0.2"});
    m.choice("df", a.mmrm.df, options(kDfMethods), {.meaning = "denominator degrees of freedom of the tests", .since = "0.2"});
    m.numbers("visits_months", a.mmrm.visits_months,
              {.meaning = "visits whose arm differences are averaged into the estimate", .unit = "months", .min = above(0),
               .max_items = kMaxVisits, .rule = "each one of design.visits_months, at most the primary visit",
               .default_text = "the primary visit", .written = !a.mmrm.visits_months.empty(), .since = "0.2"});
    m.choices("fallback", a.mmrm.fallback, options(kCovarianceStructures),
              {.meaning = "structures tried in order when the fit does not converge (the main one is skipped)", .since = "0.2"});
  });
  v.choice("estimand", a.estimand, options(kEstimands),
           {.meaning = "intercurrent events: use the data as they happened (treatment-policy) or set a child's data after "
                       "its first event missing (hypothetical)",
            .source = "ICH E9(R1)", .written = a.estimand != Estimand::treatment_policy, .since = "0.2"});
  v.choice("endpoint", a.endpoint, options(kEndpoints),
           {.meaning = "change from baseline; the score itself (value); or the change minus the change the child's "
                       "GMFCS curve predicts for its age and the interval (excess_over_expected)",
            .source = "excess over expected: ACCeNT-CP", .rule = "excess_over_expected needs the cp model",
            .written = a.endpoint != Endpoint::change, .since = "0.2"});
  v.number("primary_visit_months", a.primary_visit_months,
           {.meaning = "visit analysed", .unit = "months", .rule = "one of design.visits_months"});
  v.choice("adjust_for_baseline", a.adjust_for_baseline, options(kBooleans),
           {.meaning = "false: the ANCOVA leaves the baseline out (change ~ arm + adjust_for; without adjust_for the "
                       "two-sample t-test with pooled variance)",
            .rule = "method ancova", .written = !a.adjust_for_baseline, .since = "0.2"});
  v.choices("adjust_for", a.adjust_for, options(kCovariates),
            {.meaning = "extra covariates (stratification factors)", .rule = "cp model only"});
  v.number("alpha", a.alpha,
           {.meaning = "significance level (total over both tails when two-sided)", .min = at_least(kMinAlpha), .max = at_most(0.5),
            .example = "e.g. 0.05 two-sided or 0.025 one-sided."});
  v.integer("sides", a.sides,
            {.meaning = "one- or two-sided tests", .min = at_least(1), .max = at_most(2),
             .example = "Use 2 for a two-sided test, 1 for one-sided."});
  v.choice("direction", a.direction, options(kDirections), {.meaning = "which sign of (active - control) is benefit"});
  v.number("ci_level", a.ci_level,
           {.meaning = "confidence level of the interval used for coverage", .min = above(0.5), .max = at_most(1 - kMinAlpha),
            .example = "e.g. 0.95."});
  v.choice_or_section("multiplicity", a.multiplicity, options(kProcedures),
                      {.meaning = "the procedure over the confirmatory family: a name, or a mapping with 'procedure'"},
                      !(a.testing.hypotheses.empty() && a.testing.weights.empty() && a.testing.transitions.empty()),
                      [&](V& m) {
                        m.choice("procedure", a.multiplicity, options(kProcedures),
                                 {.meaning = "the procedure", .required = true});
                        m.texts("hypotheses", a.testing.hypotheses,
                                {.meaning = "the family in testing order",
                                 .default_text = "every primary comparison, then every confirmatory subgroup",
                                 .written = !a.testing.hypotheses.empty()});
                        m.numbers("weights", a.testing.weights,
                                  {.meaning = "shares of alpha per hypothesis", .min = at_least(0), .rule = "sum at most 1",
                                   .example = "Use shares of alpha between 0 and 1.", .default_text = "equal",
                                   .written = !a.testing.weights.empty()});
                        m.matrix("transitions", a.testing.transitions,
                                 {.meaning = "graphical: row i passes shares of H_i's weight to each H_j", .min = at_least(0),
                                  .rule = "rows sum to at most 1, zero diagonal", .example = "Use shares between 0 and 1.",
                                  .default_text = "none",
                                  .written = !a.testing.transitions.empty()});
                      });
  v.number("sae_difference_threshold", a.sae_difference_threshold,
           {.meaning = "the summary gives P(active - control SAE proportion > this)", .min = above(-1), .max = below(1),
            .example = "e.g. 0.05."});
  v.number("interaction_alpha", a.interaction_alpha,
           {.meaning = "two-sided level of each treatment x subgroup interaction test", .min = at_least(kMinAlpha), .max = below(1),
            .example = "e.g. 0.10."});
  v.list("subgroups", a.subgroups, {.meaning = "subgroups analysed in every trial", .max_items = kMaxSubgroups, .written = !a.subgroups.empty()},
         [](V& g, auto& sg) { declare_subgroup(g, sg); });
  v.free_form("claims", a.claims, Shape::name_to_names,
              {.meaning = "named sets of family hypotheses; the summary gives P(all rejected favourably)",
               .default_text = "none", .written = !a.claims.empty()});
}

template <class V, class S>
void declare_simulation(V& v, S& sim) {
  v.integer("trials", sim.trials,
            {.meaning = "simulated trials (--trials overrides)", .min = at_least(1), .max = at_most(1e10), .example = "e.g. 10000."});
  v.integer("seed", sim.seed, {.meaning = "master seed (--seed overrides)", .min = at_least(0)});
}

// ---------------------------------------------------------------------------------------------
// study sections and the whole scenario

template <class V, class S>
void declare_sweep(V& v, S& sw) {
  v.choice("mode", sw.zip, options(kSweepModes), {.meaning = "cartesian: every combination; zip: values in step"});
  v.free_form("vary", sw.vary, Shape::path_to_values,
              {.meaning = "key paths (as for --set) and the list of values each takes", .required = true});
}

template <class V, class G>
void declare_nuisance_grid(V& v, G& g) {
  v.integer("trials", g.trials,
            {.meaning = "trials per grid point (0: simulation.trials)", .min = at_least(0), .max = at_most(1e10),
             .example = "e.g. 20000."});
  v.free_form("vary", g.vary, Shape::path_to_values,
              {.meaning = "nuisance parameters (key paths, as for --set) and their values, crossed", .required = true});
}

template <class V, class E>
void declare_enrichment(V& v, E& en) {
  v.number("target_power", en.target_power,
           {.meaning = "power each strategy's sample size must reach", .min = above(0), .max = below(1),
            .example = "e.g. 0.8 or 0.9."});
  v.number("screened_per_month", en.screened_per_month,
           {.meaning = "children screened per month across sites, for months of accrual (0: not reported)",
            .unit = "children/month", .min = at_least(0), .example = "e.g. 20."});
  v.free_form("strategies", en.strategies, Shape::name_to_overrides,
              {.meaning = "strategy names and their overrides of the base scenario ({} is the base scenario)",
               .required = true});
}

template <class V, class T>
void declare_tornado(V& v, T& to) {
  v.free_form("vary", to.vary, Shape::path_to_low_high,
              {.meaning = "key paths and their [low, high] values; power is simulated at each end", .required = true});
}

template <class V, class D>
void declare_designs(V& v, D& ds) {
  v.free_form("variants", ds.variants, Shape::name_to_overrides,
              {.meaning = "design names and their overrides of the base scenario ({} is the base scenario)", .required = true});
  v.free_form("null_twin", ds.null_overrides, Shape::path_to_value,
              {.meaning = "overrides (key path: value) that make each design's null twin, for its type I error",
               .default_text = "none (no type I error)", .written = !ds.null_overrides.empty()});
  v.text("responders", ds.responders,
         {.meaning = "analysis subgroup whose claim counts as a claim in the responders in designs without adaptive "
                     "enrichment",
          .default_text = "none", .written = !ds.responders.empty()});
}

template <class V, class S>
void declare_scenario(V& v, S& sc) {
  v.integer("schema_version", sc.schema_version,
            {.meaning = "scenario format version", .min = at_least(kSchemaVersion), .max = at_most(kSchemaVersion),
             .example = "This celltrial reads only this version.", .required = true});
  v.text("name", sc.name, {.meaning = "scenario name; names the results folder results/<name>/", .rule = "no / or \\"});
  v.text("description", sc.description, {.meaning = "free text"});
  v.section("population", {.meaning = "who is screened and enrolled, and their outcomes"},
            [&](V& p) { declare_population(p, sc.population); });
  v.list("arms", sc.arms, {.meaning = "the arms of the trial", .min_items = 2, .max_items = kMaxArms, .required = true},
         [&](V& a, auto& arm) { declare_arm(a, arm, sc.population.outcome_model == OutcomeModel::cp); });
  v.section("design", {.meaning = "sample size, randomisation, visits and dropout"}, [&](V& d) { declare_design(d, sc.design); });
  v.section("analysis", {.meaning = "the analysis of each simulated trial"}, [&](V& a) { declare_analysis(a, sc.analysis); });
  v.section("simulation", {.meaning = "how many trials and the seed"}, [&](V& s) { declare_simulation(s, sc.simulation); });
  v.section("sweep",
            {.meaning = "a sensitivity sweep (celltrial sweep, simulate --sweep, study)", .default_text = "none",
             .written = !sc.sweep.vary.empty()},
            [&](V& s) { declare_sweep(s, sc.sweep); });
  v.section("nuisance_grid",
            {.meaning = "type I error under the null at every point of a grid of nuisance parameters (celltrial "
                        "simulate reports the worst case)",
             .default_text = "none", .written = sc.nuisance_grid.active()},
            [&](V& g) { declare_nuisance_grid(g, sc.nuisance_grid); });
  v.section("enrichment",
            {.meaning = "enrichment strategies compared by celltrial study", .default_text = "none",
             .written = !sc.enrichment.strategies.empty()},
            [&](V& e) { declare_enrichment(e, sc.enrichment); });
  v.section("tornado",
            {.meaning = "one-at-a-time sensitivity for celltrial study", .default_text = "none",
             .written = !sc.tornado.vary.empty()},
            [&](V& t) { declare_tornado(t, sc.tornado); });
  v.section("designs",
            {.meaning = "designs compared by celltrial study (fixed, group-sequential, adaptive ...)", .default_text = "none",
             .written = !sc.designs.variants.empty()},
            [&](V& d) { declare_designs(d, sc.designs); });
}

}  // namespace celltrial::schema
