#pragma once
// The scenario: plain structs with every default filled in. Reading, writing and validation live
// in scenario/io.hpp; nothing here knows about YAML.
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "celltrial/core/error.hpp"
#include "celltrial/stats/mmrm_types.hpp"

namespace celltrial {

inline constexpr int kSchemaVersion = 1;
inline constexpr int kGmfcsLevels = 5;
/// Roman numerals used as keys for GMFCS levels I..V.
inline constexpr std::array<const char*, kGmfcsLevels> kGmfcsNames{"I", "II", "III", "IV", "V"};

enum class OutcomeModel { cp, generic };
enum class AgeDistribution { uniform, normal, lognormal, table };

struct AgeSpec {
  AgeDistribution distribution = AgeDistribution::uniform;
  double min_months = 12;    ///< uniform: lower end
  double max_months = 72;    ///< uniform: upper end
  double mean_months = 36;   ///< normal and lognormal: mean age (months)
  double sd_months = 15;     ///< normal and lognormal: SD of age (months)
  /// table: bin edges in months (ascending) and the share of children in each bin; uniform
  /// within a bin.
  std::vector<double> table_edges;
  std::vector<double> table_weights;
};

struct Eligibility {
  double min_age_months = 0;    ///< children younger than this are screen failures
  double max_age_months = 240;  ///< children older than this are screen failures
  std::array<bool, 5> gmfcs{true, true, true, true, true};  ///< levels that may enrol
  double min_weight_kg = 0;
  double max_weight_kg = 1000;
  /// Dose floor: children whose available UCB unit gives less than this many TNC/kg (after
  /// thaw) are screen failures. 0: no floor. Uses the first UCB arm's product.
  double min_ucb_tnc_per_kg = 0;
};

/// Body weight: median weight-for-age by sex (reference table), shifted by GMFCS level in
/// z-units, with individual variation: weight = median * (1 + cv * (z + shift)).
struct WeightModel {
  double cv = 0.13;
  std::array<double, 5> gmfcs_z_shift{-0.3, -0.5, -0.8, -1.2, -1.8};
  /// Reference medians (kg) at ages (months), boys and girls; linear between points.
  std::vector<double> table_months{0, 12, 24, 36, 48, 60, 72, 84, 96, 120, 144, 168, 192, 216, 240};
  std::vector<double> boys_kg{3.3, 9.6, 12.2, 14.3, 16.3, 18.3, 20.5, 22.9, 25.4, 31.2, 40.5, 51.0, 61.0, 67.0, 70.5};
  std::vector<double> girls_kg{3.2, 8.9, 11.5, 13.9, 16.1, 18.2, 20.2, 22.4, 25.0, 31.9, 41.5, 50.0, 54.0, 56.5, 58.0};
};

/// Hanna et al. (2009) peak and decline for levels III-V: after the peak age the score falls
/// linearly by loss_points until until_age_years.
struct DeclineModel {
  bool enabled = false;
  std::array<double, 5> peak_age_years{0, 0, 7.9, 6.9, 6.9};
  std::array<double, 5> loss_points{0, 0, 4.7, 7.8, 6.4};
  double until_age_years = 21;
};

/// Rosenbaum et al. (2002) stable-limit curve: GMFM66(age) = limit * (1 - exp(-age / rate)),
/// with rate = age90 / ln 10.
struct GmfcsCurve {
  double limit = 0;
  double age90_years = 0;
};

struct CpModel {
  // Reid 2011 registry mean 34.2 / 25.6 / 11.5 / 13.7 / 15.6 %, which sums to 100.6 %, normalised.
  std::array<double, kGmfcsLevels> mix{0.340, 0.254, 0.114, 0.136, 0.156};
  std::array<GmfcsCurve, kGmfcsLevels> curves{
      {{87.7, 4.8}, {68.4, 4.4}, {54.3, 3.7}, {40.4, 3.5}, {22.3, 2.7}}};
  double child_limit_sd = 8.0;         ///< SD of the child-specific limit (GMFM-66 points)
  double progress_sd_per_year = 2.9;   ///< SD of the child-specific deviation in progress, points/year
  double measurement_sd = 1.3;         ///< measurement error SD at each assessment
  double occasion_sd = 2.6;            ///< within-child day-to-day variation at each assessment
  DeclineModel decline;
};

/// How a child's residuals in the generic model correlate between visits: rho^|i - j| by visit
/// order (ar1), or rho between any two visits (cs, compound symmetry).
enum class VisitCorrelation { ar1, cs };

/// The generic endpoint: outcome at visit v = intercept_v + slope * baseline + effect + e_v, with
/// a child's residuals e ~ MVN(0, D R D), D = diag(residual SD by visit), R their correlation.
struct GenericModel {
  double baseline_mean = 50;
  double baseline_sd = 10;
  double intercept = 5;
  double slope = 0.9;
  double residual_sd = 4;
  /// One value per scheduled visit (design.visits_months); empty: intercept, residual_sd at every visit.
  std::vector<double> intercept_by_visit;
  std::vector<double> residual_sd_by_visit;
  double correlation = 0;  ///< rho of correlation_structure
  VisitCorrelation correlation_structure = VisitCorrelation::ar1;
  /// V x V correlation of the residuals, instead of correlation and its structure; empty: none.
  std::vector<std::vector<double>> correlation_matrix;

  /// The intercept and the residual SD at scheduled visit v.
  double intercept_at(std::size_t v) const { return intercept_by_visit.empty() ? intercept : intercept_by_visit[v]; }
  double residual_sd_at(std::size_t v) const { return residual_sd_by_visit.empty() ? residual_sd : residual_sd_by_visit[v]; }
};

/// The correlation of a child's residuals between `visits` scheduled visits, row-major V x V:
/// correlation_matrix when given, else rho^|i - j| (ar1) or rho off the diagonal (cs).
std::vector<double> visit_correlation(const GenericModel& g, std::size_t visits);

struct Population {
  OutcomeModel outcome_model = OutcomeModel::cp;
  AgeSpec age;
  double male_fraction = 0.56;
  Eligibility eligibility;
  WeightModel weight;
  CpModel cp;
  GenericModel generic;
};

enum class ArmRole { control, active };
enum class ProductType { none, ucb, msc };
enum class UnitSource { autologous = 0, public_bank = 1, sibling = 2 };
enum class Route { intravenous = 0, intrathecal = 1 };
inline constexpr int kUnitSources = 3;
inline constexpr int kHlaLevels = 3;  ///< 0, 1, 2 or more mismatches

/// Pre-freeze total nucleated cells of a cord blood unit: log-normal with this median and CV.
struct UnitSize {
  double median_tnc = 0;
  double cv = 0.5;
};

struct UcbProduct {
  std::array<double, kUnitSources> source_mix{0.16, 0.84, 0.0};
  std::array<UnitSize, kUnitSources> unit{{{4.7e8, 0.4}, {1.08e9, 0.4}, {8.0e8, 0.4}}};
  double post_thaw_recovery = 0.8;
  /// Public units: the bank offers up to `bank_choices` units; the first that gives at least
  /// target_tnc_per_kg is used, else the largest. 1 (1 to 100 allowed): a single random unit.
  double target_tnc_per_kg = 0;
  int bank_choices = 1;
  /// HLA mismatches among allogeneic units (0, 1, 2+).
  std::array<double, kHlaLevels> hla_mismatch_mix{0.26, 0.37, 0.37};
};

struct MscProduct {
  double cells_per_kg = 2e6;  ///< per dose; used when fixed_cells is 0
  double fixed_cells = 0;     ///< fixed cells per dose (then cells/kg = fixed_cells / weight)
  int doses = 1;
  double interval_weeks = 4;
  Route route = Route::intravenous;
  std::array<double, 2> route_multiplier{1.0, 1.0};  ///< intravenous, intrathecal
  std::vector<double> dose_count_multiplier;         ///< [k-1]: multiplier for k doses; empty = 1
};

enum class DoseResponseModel { none, step, emax, loglinear };

/// Effect multiplier m(d) = f(d) / f(reference_dose), d in TNC/kg (UCB) or cells/kg (MSC).
struct DoseResponse {
  DoseResponseModel model = DoseResponseModel::none;
  double reference_dose = 0;
  double threshold = 0;          ///< step: doses below have f = below_fraction, else 1
  double below_fraction = 0.5;
  double ed50 = 0;               ///< emax: f = d^h / (ed50^h + d^h)
  double hill = 1;
  double slope_per_log = 0.3;    ///< loglinear: f = max(0, 1 + slope * ln(d / reference))
};

/// Multiplicative effect modifiers (1 = no change). Age bands: multiplier[k] applies below
/// age_breaks_months[k]; the last multiplier above the last break.
struct EffectModifiers {
  std::vector<double> age_breaks_months;
  std::vector<double> age_multipliers{1.0};
  std::array<double, 5> gmfcs{1, 1, 1, 1, 1};
  std::array<double, kHlaLevels> hla_mismatch{1, 1, 1};
  std::array<bool, 5> gmfcs_given{false, false, false, false, false};
};

enum class Heterogeneity { none, normal, responders };
struct HeterogeneitySpec {
  Heterogeneity model = Heterogeneity::none;
  double sd = 0;                  ///< normal: SD of a child's effect around its expected effect (points)
  double responder_fraction = 1;  ///< responders: share who respond (with effect / fraction)
};

enum class PriorKind { none, normal, truncated_normal, discrete };

/// A design prior on an arm's effect at the primary visit (assurance): each simulated trial
/// draws its own effect, and the arm's whole time course is scaled to it.
struct EffectPrior {
  PriorKind kind = PriorKind::none;
  double mean = 0;
  double sd = 0;
  double lower = -1e300;  ///< truncated_normal bounds
  double upper = 1e300;
  std::vector<double> values;   ///< discrete
  std::vector<double> weights;  ///< discrete: relative weights of the values (used as given; their sum need not be 1)
};

struct SafetyRisks {
  double sae_risk = 0;             ///< probability of >= 1 serious adverse event over follow-up
  double infusion_reaction_risk = 0;
};

struct Arm {
  std::string name;
  ArmRole role = ArmRole::active;
  double allocation = 1;
  /// (month, effect vs control in outcome units), sorted by month; linear between points, 0 at
  /// month 0, constant after the last point. The effect of a reference child at the reference
  /// dose; modifiers, dose-response and heterogeneity act on it.
  std::vector<std::pair<double, double>> effect_by_month;
  ProductType product = ProductType::none;
  UcbProduct ucb;
  MscProduct msc;
  DoseResponse dose_response;
  EffectModifiers modifiers;
  HeterogeneitySpec heterogeneity;
  SafetyRisks safety;
  EffectPrior effect_prior;
};

enum class Randomisation { fixed, simple };

/// Recruitment over calendar time (design.accrual). Sites open at equally spaced months from 0 to
/// ramp_up_months; each open site screens children as a Poisson process; screening failures take
/// their place in time like everyone else; a site that has randomised cap_per_site children stops.
/// sites == 0: no calendar is simulated (the default).
struct Accrual {
  std::int64_t sites = 0;
  double ramp_up_months = 0;            ///< month at which the last site opens (the first opens at 0)
  double screened_per_site_month = 0;   ///< children screened per open site per month
  std::int64_t cap_per_site = 0;        ///< most children a site randomises; 0: no cap
  bool modelled() const { return sites > 0; }
};

/// An intercurrent event (design.intercurrent_events; for CP: botulinum toxin, orthopaedic surgery
/// or rhizotomy, treatment discontinuation). A child has each kind at most once, at a time drawn
/// from a constant monthly rate of its arm (exponential), and from that month on its trajectory
/// changes. Its trajectory without the event is kept too (TrialData::hypothetical).
struct IntercurrentEvent {
  std::string name;
  std::vector<double> rate_per_month{0};  ///< one value for every arm, or one per arm in arm order
  double shift_points = 0;                ///< step change of the score at the event
  double shift_per_month = 0;             ///< change of the score per month after the event
  bool stops_treatment = false;           ///< the therapy's effect stays at its value at the event
  /// The event's monthly rate in arm `a`.
  double rate(std::size_t a) const { return rate_per_month.size() == 1 ? rate_per_month[0] : rate_per_month[a]; }
  bool operator==(const IntercurrentEvent&) const = default;
};

/// The efficacy boundary of design.interims: the names of stats::boundary_names() (group_sequential.hpp).
enum class InterimBoundary {
  obrien_fleming, pocock, wang_tsiatis, haybittle_peto,
  spending_obrien_fleming, spending_pocock, spending_hsd, spending_kim_demets,
};
/// Futility stopping at an interim look: none; Z_k <= threshold; conditional power under the
/// current estimate below threshold; or Z_k <= f_k, the futility bounds of a beta-spending function
/// (stats/group_sequential.hpp) at the planned drift.
enum class FutilityRule { none, z, conditional_power, beta_spending };
/// The beta-spending function of FutilityRule::beta_spending (the names of stats::spending_names()).
enum class BetaSpending { obrien_fleming, pocock, hsd, kim_demets };
/// Sample-size re-estimation at the last interim look: none, the promising zone (increase only when
/// the conditional power at the planned N is in [lower, upper)), or always the N that reaches the
/// target conditional power (between the planned N and the cap).
enum class ReestimationRule { none, promising_zone, conditional_power };

/// design.interims.sample_size_reestimation. The final test after an increase is the weighted
/// inverse-normal combination of the stages (Cui, Hung & Wang 1999).
struct SampleSizeReestimation {
  ReestimationRule rule = ReestimationRule::none;
  double target_power = 0.9;           ///< conditional power the new N aims at, under the current estimate
  std::int64_t max_sample_size = 0;    ///< the cap on the children randomised (above design.sample_size)
  double zone_lower = 0.36, zone_upper = 0.8;  ///< promising zone: conditional power at the planned N in [lower, upper)
  bool active() const { return rule != ReestimationRule::none; }
  bool operator==(const SampleSizeReestimation&) const = default;
};

/// Adaptive enrichment at the interim look (design.interims.enrichment): the rule that continues the
/// trial in the full population, in a declared subgroup, or stops it.
enum class EnrichmentRule { none, threshold };
/// What the rule's thresholds are compared with: the stage-1 effect estimates (outcome units, in the
/// direction of benefit) or their Z statistics.
enum class SelectionStatistic { estimate, z };
/// The test of the intersection hypothesis (no effect in the full population nor in the subgroup).
enum class IntersectionTest { simes, bonferroni };

/// design.interims.enrichment. Two hypotheses: H_F (no effect in everyone) and H_S (no effect in the
/// subgroup), tested by closed testing with the weighted inverse-normal combination of the stages; after
/// selecting the subgroup, later enrolment admits only its children (stats/enrichment.hpp,
/// analysis/interim.hpp).
struct AdaptiveEnrichment {
  EnrichmentRule rule = EnrichmentRule::none;
  std::string subgroup;                     ///< the name of a subgroup of analysis.subgroups
  SelectionStatistic statistic = SelectionStatistic::estimate;
  double subgroup_threshold = 0;    ///< the subgroup is worth continuing in when its statistic is at least this
  double complement_threshold = 0;  ///< the complement benefits (continue in everyone) when its statistic is at least this
  IntersectionTest intersection = IntersectionTest::simes;
  bool active() const { return rule != EnrichmentRule::none; }
  bool operator==(const AdaptiveEnrichment&) const = default;
};

/// Adaptive arm selection at the interim look (design.interims.arm_selection): which active arms go on.
/// best: the arm with the largest statistic; threshold: every arm whose statistic is at least the
/// threshold; epsilon: every arm within epsilon of the best.
enum class ArmSelectionRule { none, best, threshold, epsilon };

/// design.interims.arm_selection. One hypothesis per active arm, H_j (no effect of arm j against
/// control), tested by closed testing with the weighted inverse-normal combination of the stages;
/// dropped arms stop recruiting and later children are randomised between control and the arms kept
/// (their allocation ratios), so the total stays design.sample_size (stats/arm_selection.hpp,
/// analysis/interim.hpp).
struct ArmSelection {
  ArmSelectionRule rule = ArmSelectionRule::none;
  SelectionStatistic statistic = SelectionStatistic::estimate;
  /// threshold: the least statistic of an arm kept; best and epsilon: the kept arms must also reach
  /// it (NaN: no such bound). No arm kept: stop for futility.
  double threshold = std::numeric_limits<double>::quiet_NaN();
  double epsilon = std::numeric_limits<double>::quiet_NaN();  ///< epsilon: keep arms within this of the best
  IntersectionTest intersection = IntersectionTest::simes;
  bool active() const { return rule != ArmSelectionRule::none; }
  bool operator==(const ArmSelection& o) const {
    auto same = [](double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); };
    return rule == o.rule && statistic == o.statistic && same(threshold, o.threshold) && same(epsilon, o.epsilon) &&
           intersection == o.intersection;
  }
};

/// Group-sequential interim analyses (design.interims). Look k comes at the calendar month when
/// ceil(information[k] x sample_size) children have reached their primary visit (assessed or not);
/// the final analysis is information 1. Empty `information`: no interim analyses.
struct Interims {
  std::vector<double> information;  ///< fractions in (0, 1), increasing
  /// Looks at fixed calendar months instead (months of the randomisation calendar, design.accrual),
  /// increasing; exactly one of information and months is given. The information of a calendar look
  /// is random: the share of design.sample_size whose primary visit has come by the month.
  std::vector<double> months;
  InterimBoundary boundary = InterimBoundary::obrien_fleming;
  /// The boundary family's parameter (Wang-Tsiatis Delta, Haybittle-Peto's interim value, HSD
  /// gamma, Kim-DeMets rho); NaN: the family's default.
  double parameter = std::numeric_limits<double>::quiet_NaN();
  FutilityRule futility = FutilityRule::none;
  double futility_threshold = 0;  ///< z: a Z value; conditional-power: a probability
  /// Binding futility (rules z and beta-spending): the efficacy bounds are computed with the futility
  /// bounds as lower boundaries under the null hypothesis, so they are lower and the type I error
  /// holds only if every futility stop is obeyed.
  bool binding = false;
  /// Beta spending: the function, its parameter (HSD gamma, Kim-DeMets rho; NaN: the default), and
  /// the planned effect and SD that give the drift the bounds are derived for:
  /// drift = planned_effect / planned_sd * sqrt(sample_size * a (1 - a)), a the active arm's share
  /// of the allocation (rpact's getSampleSizeMeans, normal approximation, with maxNumberOfSubjects
  /// = sample_size). The futility bounds are those of the design whose power at that drift is
  /// 1 - beta, beta solved (stats::GroupSequentialOptions::futility_drift).
  BetaSpending beta_spending = BetaSpending::obrien_fleming;
  double beta_parameter = std::numeric_limits<double>::quiet_NaN();
  double planned_effect = std::numeric_limits<double>::quiet_NaN();  ///< outcome units, positive = benefit
  double planned_sd = std::numeric_limits<double>::quiet_NaN();      ///< outcome units
  /// Enrolment stops when the children of a look (ceil(t_k N)) are randomised and resumes at the
  /// look, once they are all at their primary visit: no child is in the pipeline at a look.
  bool pause_enrolment = false;
  SampleSizeReestimation reestimation;
  AdaptiveEnrichment enrichment;
  ArmSelection arm_selection;
  bool active() const { return !information.empty() || !months.empty(); }
  /// The looks are at calendar months (design.interims.months).
  bool calendar() const { return !months.empty(); }
  /// The number of interim looks planned.
  std::size_t looks() const { return calendar() ? months.size() : information.size(); }
  bool operator==(const Interims& o) const {
    auto same = [](double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); };
    return information == o.information && months == o.months && boundary == o.boundary && same(parameter, o.parameter) &&
           futility == o.futility && futility_threshold == o.futility_threshold && binding == o.binding &&
           beta_spending == o.beta_spending && same(beta_parameter, o.beta_parameter) &&
           same(planned_effect, o.planned_effect) && same(planned_sd, o.planned_sd) &&
           pause_enrolment == o.pause_enrolment && reestimation == o.reestimation && enrichment == o.enrichment && arm_selection == o.arm_selection;
  }
};

struct Design {
  std::int64_t sample_size = 200;
  Randomisation randomisation = Randomisation::fixed;
  std::vector<double> visits_months{6, 12};
  double dropout_by_last_visit = 0;  ///< cumulative probability of loss by the last visit
  std::array<double, 5> dropout_gmfcs_multiplier{1, 1, 1, 1, 1};  ///< hazard multiplier by level
  /// Missing at random on progress: the hazard in each interval is multiplied by
  /// exp(dropout_per_point * observed change at the previous visit). 0: MCAR.
  double dropout_per_point = 0;
  /// Probability that a child still in the trial misses a scheduled visit (intermittent, at random).
  double missed_visit = 0;
  /// Missing not at random: after a child drops out its unobserved trajectory is shifted by this
  /// many points per month since dropout; one value for every arm, or one per arm in arm order.
  std::vector<double> mnar_shift_per_month{0};
  double mnar_shift(std::size_t a) const { return mnar_shift_per_month.size() == 1 ? mnar_shift_per_month[0] : mnar_shift_per_month[a]; }
  /// Some arm's unobserved trajectory moves after dropout.
  bool mnar() const {
    for (double x : mnar_shift_per_month)
      if (x != 0) return true;
    return false;
  }
  /// A sham/placebo-procedure effect every randomised child gets (points), by month.
  std::vector<std::pair<double, double>> sham_effect_by_month;
  Accrual accrual;
  std::vector<IntercurrentEvent> intercurrent_events;
  /// Delayed-treatment design: the control arm receives the first active arm's product at this
  /// month (at the age, weight and dose of that month); 0: never.
  double delayed_start_month = 0;
  Interims interims;
};

enum class AnalysisMethod { ancova, mmrm };
using stats::CovarianceStructure;
using stats::DfMethod;
/// ICH E9(R1) strategy for intercurrent events: use the data as they happened (treatment policy)
/// or set the data after a child's first event missing (hypothetical: had the event not happened).
enum class Estimand { treatment_policy, hypothetical };
/// What the analysis compares at the primary visit: the change from baseline, the score itself,
/// or the change minus the change the child's GMFCS curve predicts for its age and the interval.
enum class Endpoint { change, value, excess_over_expected };
enum class Direction { greater, less };
enum class Multiplicity { none, bonferroni, holm, hochberg, fixed_sequence, fallback, graphical };

/// A subgroup of randomised children, defined by baseline attributes known before randomisation.
/// A child belongs when it meets every condition given. Ranges are [min, max).
struct Subgroup {
  std::string name;
  bool has_age = false;
  double age_min_months = 0, age_max_months = 1e300;
  bool has_gmfcs = false;
  std::array<bool, 5> gmfcs{true, true, true, true, true};
  bool has_dose = false;  ///< planned dose per kg: the first UCB arm's screening unit (TNC/kg), else the first active MSC arm's cells/kg
  double dose_min = 0, dose_max = 1e300;
  int sex = -1;  ///< -1: any; 0: girls; 1: boys
  bool has_hla = false;
  std::array<bool, kHlaLevels> hla{true, true, true};  ///< HLA mismatches 0, 1, 2+ of the unit
  bool has_route = false;
  Route route = Route::intravenous;  ///< only active arms whose MSC product has this route
  /// Part of the confirmatory family (tested with the primary hypotheses under the multiplicity
  /// procedure); otherwise reported with unadjusted tests.
  bool confirmatory = false;
  bool operator==(const Subgroup&) const = default;
};

/// A set of hypotheses that together make a claim (e.g. the overall effect and a subgroup).
struct ClaimSet {
  std::string name;
  std::vector<std::string> all_of;
  bool operator==(const ClaimSet&) const = default;
};

/// The multiplicity procedure over the confirmatory family: the primary comparison of every active
/// arm plus every confirmatory subgroup. Hypotheses are named "primary" and the subgroup's name
/// with one active arm, else "<arm>" and "<arm>/<subgroup>".
struct Testing {
  std::vector<std::string> hypotheses;  ///< the family in order; empty: the default family
  std::vector<double> weights;          ///< bonferroni/holm (optional), fallback, graphical
  std::vector<std::vector<double>> transitions;  ///< graphical
};
enum class Covariate { gmfcs };

/// The mixed model for repeated measures (analysis.method: mmrm).
struct MmrmOptions {
  CovarianceStructure covariance = CovarianceStructure::unstructured;
  DfMethod df = DfMethod::satterthwaite;
  /// Visits whose arm differences are averaged into the estimate; empty: the primary visit alone.
  std::vector<double> visits_months;
  /// Structures tried in order when the fit with `covariance` fails to converge.
  std::vector<CovarianceStructure> fallback{CovarianceStructure::toeplitz, CovarianceStructure::ar1,
                                            CovarianceStructure::cs};
  bool operator==(const MmrmOptions&) const = default;
};

struct Analysis {
  AnalysisMethod method = AnalysisMethod::ancova;
  MmrmOptions mmrm;
  Estimand estimand = Estimand::treatment_policy;
  Endpoint endpoint = Endpoint::change;
  double primary_visit_months = 12;
  /// The ANCOVA has the baseline as a covariate; false: change ~ arm (+ adjust_for), with one
  /// stratum the two-sample t-test with pooled variance (method ancova only).
  bool adjust_for_baseline = true;
  std::vector<Covariate> adjust_for;
  double alpha = 0.05;
  int sides = 2;
  Direction direction = Direction::greater;  ///< which sign of (active - control) is benefit
  double ci_level = 0.95;
  Multiplicity multiplicity = Multiplicity::none;
  Testing testing;
  std::vector<Subgroup> subgroups;
  std::vector<ClaimSet> claims;
  double interaction_alpha = 0.10;  ///< two-sided level of the treatment x subgroup interaction test
  double sae_difference_threshold = 0.05;  ///< safety: report P(active - control SAE rate > this)
};

struct Simulation {
  std::uint64_t trials = 10000;
  std::uint64_t seed = 20250411;
};

/// A sensitivity sweep declared in the scenario: key paths (as for --set) and their values (YAML
/// text), crossed (Cartesian) or taken in step (zip). Used by `celltrial sweep`.
struct SweepSection {
  bool zip = false;
  std::vector<std::pair<std::string, std::vector<std::string>>> vary;
};

/// A grid of nuisance parameters (key paths and values, crossed) at which `celltrial simulate` also
/// runs the scenario under the null hypothesis (every arm's effect 0, no effect prior or
/// heterogeneity) and reports the type I error at each point and the worst case.
struct NuisanceGrid {
  std::int64_t trials = 0;  ///< trials per grid point; 0: simulation.trials
  std::vector<std::pair<std::string, std::vector<std::string>>> vary;
  bool active() const { return !vary.empty(); }
};

/// Enrichment strategies compared by `celltrial study`: each is a set of overrides (key path, YAML
/// value text) of the base scenario, typically its eligibility.
struct EnrichmentSection {
  double target_power = 0.8;
  double screened_per_month = 0;  ///< children screened per month across sites (0: accrual not reported)
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> strategies;
};

/// Designs compared by `celltrial study` (designs.csv): each a set of overrides of the base scenario
/// (e.g. its interims), simulated with common random numbers; `null_overrides`, applied on top of
/// each design, make its null twin for the type I error; `responders` names the analysis subgroup
/// whose (multiplicity-adjusted) claim counts as a claim in the responders for designs without
/// adaptive enrichment.
struct DesignsSection {
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> variants;
  std::vector<std::pair<std::string, std::string>> null_overrides;
  std::string responders;
};

/// One-at-a-time sensitivity (tornado): each key path at a low and a high value (YAML text).
struct TornadoSection {
  std::vector<std::pair<std::string, std::pair<std::string, std::string>>> vary;
};

/// The location recorded for `path` or for its closest enclosing key path; `fallback` (no line)
/// when none was recorded.
Location closest_location(const std::map<std::string, Location>& locations, const std::string& path,
                          const std::string& fallback);

struct Scenario {
  int schema_version = kSchemaVersion;
  std::string name = "scenario";
  std::string description;
  Population population;
  std::vector<Arm> arms;
  Design design;
  Analysis analysis;
  Simulation simulation;
  SweepSection sweep;
  NuisanceGrid nuisance_grid;
  EnrichmentSection enrichment;
  TornadoSection tornado;
  DesignsSection designs;

  /// Where each key path was read from (file, line, column), for messages from later checks.
  /// Not part of the scenario's value: ignored by to_yaml and comparisons.
  std::map<std::string, Location> locations;
  std::string source;  ///< file name or description of where the scenario came from
  /// The location of `path` or of its closest enclosing key that was read.
  Location where(const std::string& path) const;

  std::size_t control_arm() const;
  std::vector<std::size_t> active_arms() const;
};

/// One tested hypothesis: an active arm's comparison with control in everyone (subgroup -1) or in
/// a subgroup.
struct Hypothesis {
  std::string name;
  std::size_t comparison = 0;  ///< index into active_arms()
  int subgroup = -1;           ///< index into analysis.subgroups, -1 for the primary comparison
};

/// Whether a subgroup's comparison is made for an active arm (its route condition, if any).
bool subgroup_applies(const Scenario& s, const Subgroup& g, std::size_t arm);
/// Every hypothesis the analysis tests: each active arm's primary comparison, then each subgroup
/// for each active arm it applies to. Named "primary" / "<subgroup>" with one active arm, else
/// "<arm>" / "<arm>/<subgroup>".
std::vector<Hypothesis> all_hypotheses(const Scenario& s);
/// The confirmatory family, as indices into all_hypotheses(s) in testing order: the names in
/// analysis.multiplicity.hypotheses, else every primary comparison and confirmatory subgroup.
/// Unknown names are skipped (validation reports them).
std::vector<std::size_t> family(const Scenario& s);
/// A subgroup's conditions in words, e.g. "age < 60 months, GMFCS I-III".
std::string describe(const Subgroup& g);

/// Probability that a child drawn from the age distribution meets the age eligibility bounds.
double age_eligibility_yield(const Population& p);

/// Effect of an arm at a given month (linear interpolation, 0 at month 0).
double effect_at(const Arm& arm, double month);
/// The months whose arm differences the analysis estimates: the primary visit, or the mixed
/// model's analysis.mmrm.visits_months (averaged).
std::vector<double> estimated_months(const Scenario& s);
/// The arm's effect that the analysis estimates: its mean over estimated_months().
double estimated_effect(const Scenario& s, const Arm& arm);
/// The scenario under the null hypothesis: every arm's effect by month 0, no effect prior, no
/// effect heterogeneity (nuisance_grid).
Scenario null_scenario(const Scenario& s);
/// The scenario without its design priors: each arm with an effect prior gets the prior's mean
/// as its effect at the primary visit (its effect by month scaled to match). Conventional power,
/// which sample-size searches target, is the power of this scenario.
Scenario without_priors(const Scenario& s);
/// The same interpolation for any (month, value) list.
double interpolate_by_month(const std::vector<std::pair<double, double>>& points, double month);

const char* to_string(PriorKind);
const char* to_string(ProductType);
const char* to_string(UnitSource);
const char* to_string(Route);
const char* to_string(DoseResponseModel);
const char* to_string(Heterogeneity);
const char* to_string(OutcomeModel);
const char* to_string(AgeDistribution);
const char* to_string(ArmRole);
const char* to_string(Randomisation);
const char* to_string(AnalysisMethod);
const char* to_string(CovarianceStructure);
const char* to_string(DfMethod);
const char* to_string(Estimand);
const char* to_string(Endpoint);
const char* to_string(Direction);
const char* to_string(Multiplicity);
const char* to_string(Covariate);
const char* to_string(VisitCorrelation);
const char* to_string(InterimBoundary);
const char* to_string(FutilityRule);
const char* to_string(BetaSpending);
const char* to_string(ReestimationRule);
const char* to_string(EnrichmentRule);
const char* to_string(SelectionStatistic);
const char* to_string(IntersectionTest);
const char* to_string(ArmSelectionRule);

}  // namespace celltrial
