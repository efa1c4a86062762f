#pragma once
// The patient-level model: who is screened and enrolled, which arm they get, what dose they
// receive, how they progress, what the therapy does for them, who drops out, adverse events.
//
// Model::simulate fills a TrialData for one trial from the trial's own random streams. Everything
// that does not change between trials (arm sequence, curve rates, thresholds, the true average
// effect) is computed once in the constructor.
//
// The parts of the model are components of their own, each with its constants and its stream:
// PopulationModel (who is screened and eligible), Dosing, EffectModel, Trajectory (the outcome
// without treatment), DropoutModel, SafetyModel, AccrualModel and FollowUp; compute_truth()
// (truth.hpp) and subgroup_truth() (subgroups.hpp) are functions over them. Model keeps the
// randomisation and the child loops that compose them.
#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "celltrial/core/random.hpp"
#include "celltrial/model/accrual.hpp"
#include "celltrial/model/child.hpp"
#include "celltrial/model/dosing.hpp"
#include "celltrial/model/dropout.hpp"
#include "celltrial/model/effect.hpp"
#include "celltrial/model/follow_up.hpp"
#include "celltrial/model/population.hpp"
#include "celltrial/model/safety.hpp"
#include "celltrial/model/trajectory.hpp"
#include "celltrial/scenario/limits.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

/// One trial's randomised participants, structure-of-arrays.
struct TrialData {
  std::vector<std::uint8_t> arm;       ///< arm index into Scenario::arms
  std::vector<std::uint8_t> stratum;   ///< analysis stratum (GMFCS level when adjusting), else 0
  std::vector<std::uint8_t> level;     ///< GMFCS level 0..4 (cp model), 0 otherwise
  std::vector<double> age;             ///< months at randomisation (cp model)
  std::vector<double> dose;            ///< dose per kg of the child's own arm product (0: none)
  /// Dose per kg the child would get from the first active arm's product, known before
  /// randomisation (UCB: the unit found at screening; MSC: from body weight); 0 without a product.
  std::vector<double> planned_dose;
  std::vector<std::uint8_t> male;      ///< 1 for boys (drawn when weight or a sex subgroup needs it)
  std::vector<std::uint8_t> hla;       ///< HLA mismatches (0, 1, 2+) of the unit found at screening
  std::vector<double> baseline;        ///< observed baseline score
  std::vector<double> change;          ///< observed change from baseline at the primary visit
  std::vector<std::uint8_t> observed;  ///< 1 when assessed at the primary visit (not dropped out)
  std::vector<std::uint32_t> screens;  ///< children screened for this one (>= 1; the last one eligible)
  /// Calendar month of randomisation, from the first site's opening (design.accrual; else empty).
  std::vector<double> month;
  /// First to last randomisation, and to the last child's primary-visit assessment (scheduled), in
  /// months; NaN without design.accrual.
  double accrual_months = 0, duration_months = 0;
  std::vector<std::uint32_t> site_count;  ///< workspace of the accrual model

  // Every scheduled visit (design.visits_months), filled when the model follows the children over
  // time (Model::follow_up()); else `visits` is 0 and these are empty. Child j's visit v is at
  // [j * visits + v]. Changes are from baseline; `change` and `observed` above are the primary
  // visit's (as analysis.endpoint defines the response).
  std::size_t visits = 0;
  std::vector<double> visit_change;   ///< the change as it happens (intercurrent events, shift after dropout)
  std::vector<double> hypothetical;   ///< the same had no intercurrent event happened
  std::vector<std::uint8_t> status;   ///< VisitStatus of each visit
  std::vector<double> dropout_month;  ///< month of dropout; NaN: in the trial to the last visit
  std::vector<double> event_month;    ///< month of the first intercurrent event; NaN: none before the last visit
  std::vector<std::uint8_t> event_kind;  ///< that event's index in design.intercurrent_events; kNoEvent: none
  std::vector<double> treated_month;  ///< month of treatment: 0 in active arms, the delayed start in control, NaN never
  /// What the outcome model knows of a child that the follow-up needs (workspace).
  struct Latent {
    double remaining = 0, progress = 0, d0 = 0, e0 = 0;  ///< curve still to gain, progress per year, decline, baseline error
    double scale = 0, het = 0;                           ///< effect multiplier and heterogeneity
    double weight = 0;                                   ///< kg at randomisation (0 when not simulated)
    std::uint32_t drop_visit = 0;  ///< dropout on progress: the simulated visit first missed (= visits simulated: none)
    double residual = 0;           ///< generic model: the primary visit's residual in SD units (a standard normal)
  };
  std::vector<Latent> latent;
  /// Workspace of the model: children grouped by GMFCS level for the dropout draws.
  std::vector<std::uint32_t> order;
  std::uint64_t screened = 0;          ///< children screened to randomise these
  /// Per-arm factor applied to the arm's effect in this trial (a draw from the effect prior
  /// divided by the prior's reference effect); 1 without a prior.
  std::array<double, kMaxArms> effect_scale{1, 1, 1, 1, 1, 1, 1, 1};
  /// Sums over the children above, kept by the model while it fills them (describe_trial and the
  /// analysis's arm sizes read these instead of making another pass over the children).
  struct Totals {
    std::array<std::int64_t, kMaxArms> n{};         ///< children per arm
    std::array<std::int64_t, kMaxArms> sae{};       ///< children with >= 1 serious adverse event, per arm
    std::array<std::int64_t, kMaxArms> infusion{};  ///< children with an infusion reaction, per arm
    std::array<double, kMaxArms> dose{};            ///< sum of dose per arm
    double age = 0;                                 ///< sum of age
    std::int64_t under_5 = 0;                       ///< children with age < 60 months
    std::int64_t gmfcs_1_3 = 0;                     ///< children with level <= 2
  } totals;

  void resize(std::size_t n);
  /// Sets `visits` and sizes the per-visit arrays (n x visits) and the follow-up's per-child arrays
  /// for the size() children (contents left to the caller).
  void resize_visits(std::size_t visits);
  std::size_t size() const { return arm.size(); }
};

/// Why a scheduled visit has (or lacks) an assessment.
enum class VisitStatus : std::uint8_t { observed = 0, missed = 1, dropped_out = 2 };
inline constexpr std::uint8_t kNoEvent = 255;
const char* to_string(VisitStatus);

/// True effects at the primary visit, per (subgroup g, comparison c) slot g * comparisons + c:
/// the mean expected effect over eligible children inside and outside the subgroup, from a pre-run
/// on its own random stream (Monte Carlo SE given; 0 when the effect is the same for every child).
/// NaN where no eligible child is inside (or outside).
struct SubgroupTruth {
  std::vector<double> inside, inside_mc_se, outside, outside_mc_se;
  std::vector<double> prevalence;  ///< per subgroup: share of eligible children who belong
  std::vector<double> prevalence_mc_se;
  bool operator==(const SubgroupTruth&) const = default;
};

/// The true average effect of each active arm at the primary visit in the enrolled population,
/// and the share of screened children who are eligible.
struct Truth {
  std::vector<double> effect;  ///< per active arm, in arm order
  std::vector<double> effect_mc_se;  ///< 0 when exact
  double screening_yield = 1;
  bool exact = true;
  SubgroupTruth subgroups;  ///< empty without subgroups
  /// Trials of the pre-run that added the intercurrent events (treatment-policy estimand) and
  /// the shift after dropout to the effects; 0 when neither applies.
  std::uint64_t follow_up_trials = 0;
};

/// Whether the scenario's children must be followed over every scheduled visit to simulate it:
/// the mmrm analysis; intercurrent events, missed visits, a shift after dropout or a delayed start
/// (cp model); missed visits, a shift after dropout, or dropout on progress with a visit before the
/// primary one (generic model).
bool needs_follow_up(const Scenario& s);

/// Fixed randomisation as a deterministic sequence: the j-th child goes to the arm furthest behind
/// its target share (ties to the earlier arm). Arm sizes are within 1 of N * w / sum(w), and the
/// first n children are the same for every N (common random numbers across sample sizes).
std::vector<std::uint8_t> fixed_arm_sequence(const Scenario& s, std::int64_t n);

/// Sizes of the model's pre-runs on the estimand streams (Truth). The defaults are part of the
/// results: they set the true effects and their Monte Carlo errors. Smaller sizes are only for
/// checks that need a quick set-up and no exact truth (the fuzz targets).
struct PreRunSizes {
  std::uint64_t eligible = 400000;  ///< eligible children whose effects are averaged (effects vary by child)
  std::uint64_t eligible_exact = 20000;  ///< eligible children when only the screening yield is estimated
  std::uint64_t max_screened = 4000000;  ///< the pre-run stops after this many screened children
  std::uint64_t subgroup_children = 200000;  ///< children of the subgroup pre-run (subgroup_truth)
};

class Model {
 public:
  /// Throws Error(ExitCode::data) naming the scenario location when no child, or fewer than
  /// 1 in 10,000 screened, can meet the eligibility criteria.
  /// `every_visit`: follow every child over every scheduled visit (TrialData::visits), as
  /// needs_follow_up(s) scenarios are anyway (either outcome model). The primary visit's data are
  /// the same either way.
  explicit Model(const Scenario& s, const PreRunSizes& pre_run = {}, bool every_visit = false);

  /// Simulates trial `trial` of the run seeded with `seed`.
  void simulate(std::uint64_t seed, std::uint64_t trial, TrialData& out) const;

  /// Randomisation months of `n` children recruited after month `from` (>= the month of d's child
  /// kept - 1) in trial `trial` of the run seeded with `seed`: d's first `kept` children are recruited
  /// again from the trial's accrual stream (the same months, and which sites they filled), then
  /// recruitment goes on from `from` with draws from `g` and the new children's `screens` (adaptive
  /// enrichment: children of a subgroup screened among everyone). Requires design.accrual.
  void accrue_after(std::uint64_t seed, std::uint64_t trial, const TrialData& d, std::size_t kept, double from, Engine& g,
                    const std::uint32_t* screens, std::size_t n, double* month) const;

  const Truth& truth() const { return truth_; }
  /// Normal deviates one trial draws, where the number is fixed: 4 per child (limit, progress,
  /// and two assessments) in the common path of the CP model; 0 where it varies with the draws.
  std::uint64_t normals_per_trial() const { return plain_ ? 4 * static_cast<std::uint64_t>(sc_.design.sample_size) : 0; }
  const Scenario& scenario() const { return sc_; }
  std::size_t arm_count() const { return arms_; }
  std::size_t strata() const { return strata_; }
  /// Dose unit used in reports for an arm's product (1e7 TNC/kg for UCB, 1e6 cells/kg for MSC).
  static double dose_unit(ProductType p);

  // The components, each with the constants of its part of the model.
  const PopulationModel& population() const { return population_; }
  const Dosing& dosing() const { return dosing_; }
  const EffectModel& effect() const { return effect_; }
  const Trajectory& trajectory() const { return trajectory_; }
  const DropoutModel& dropout() const { return dropout_; }
  const SafetyModel& safety() const { return safety_; }
  /// The visits the model simulates itself: every visit up to the primary when dropout depends on
  /// progress, else the primary visit alone.
  const std::vector<double>& simulated_months() const { return visit_months_; }

  // The components' functions most callers need, under the names they have always had.
  using Child = celltrial::Child;
  /// Draws children until one is eligible; returns the number screened (capped; 0 if the cap
  /// was reached without an eligible child).
  std::uint64_t screen(Engine& pop, Engine& dosing, Child& c) const {
    return population_.screen_child(pop, dosing_, dosing, c);
  }
  double median_weight(double age_months, bool male) const { return population_.median_weight(age_months, male); }
  double ucb_dose(const Arm& arm, const Child& c, Engine& dosing, int& hla) const {
    return dosing_.ucb_dose(arm, c, dosing, hla);
  }
  double msc_dose(const Arm& arm, const Child& c) const { return Dosing::msc_dose(arm, c); }
  double dose_response(const Arm& arm, double dose) const { return EffectModel::dose_response(arm, dose); }
  /// Expected effect multiplier for a child (dose-response x modifiers), before heterogeneity.
  double effect_multiplier(const Arm& arm, const Child& c, double dose, int hla) const {
    return EffectModel::multiplier(arm, c, dose, hla);
  }
  /// Dose per kg of arm a's product for a screened child: the screening unit for the screening
  /// UCB arm, a unit of its own (drawn from `dosing`, setting `hla`) for another UCB arm, from
  /// weight for MSC; 0 without a product.
  double dose_for(std::size_t a, const Child& c, Engine& dosing, int& hla) const { return dosing_.dose_for(a, c, dosing, hla); }
  /// The dose known before randomisation (TrialData::planned_dose).
  double planned_dose(const Child& c) const { return dosing_.planned_dose(c); }
  /// Sex is drawn for each enrolled child from a stream of its own (a subgroup by sex, no weight
  /// simulated), so that declaring the subgroup leaves every other draw unchanged.
  bool sex_from_own_stream() const { return population_.sex_own_stream(); }
  /// Whether children's sex is simulated (with weights, or for a subgroup by sex); else
  /// TrialData::male holds a placeholder.
  bool sex_drawn() const { return population_.needs_weight() || population_.sex_own_stream(); }
  const PreRunSizes& pre_run_sizes() const { return pre_run_; }
  /// The follow-up over every scheduled visit, when simulated (else nullptr).
  const FollowUp* follow_up() const { return follow_ ? &*follow_ : nullptr; }
  /// The change the mean curve of a child's GMFCS level predicts from `age_months` over `months`
  /// (analysis.endpoint excess_over_expected).
  double expected_change(int level, double age_months, double months) const {
    return trajectory_.expected_change(level, age_months, months);
  }

 private:
  void simulate_cp(std::uint64_t seed, std::uint64_t trial, TrialData& out) const;
  /// simulate_cp() for the common case (plain_): the same values from simpler loops.
  void simulate_plain(std::uint64_t seed, std::uint64_t trial, TrialData& out) const;
  void simulate_generic(std::uint64_t seed, std::uint64_t trial, TrialData& out) const;
  /// Randomisation months, accrual and duration (design.accrual), from the accrual stream. With
  /// pauses_ the recruitment's clock jumps to each look's month after its children (screening is a
  /// Poisson process, so the draws are those without pauses, the waits counted from the look).
  void accrue(std::uint64_t seed, std::uint64_t trial, TrialData& out) const;
  /// analysis.endpoint: turns the primary visit's change into the analysed response.
  void apply_endpoint(TrialData& out) const;

  const Scenario& sc_;
  PreRunSizes pre_run_;
  std::size_t arms_ = 0;
  std::size_t strata_ = 1;
  std::vector<double> visit_months_;  ///< the visits simulated (simulated_months())
  std::size_t visits_ = 0;            ///< their number
  std::vector<std::uint8_t> arm_sequence_;  ///< fixed randomisation: arm of the j-th child
  std::array<std::int64_t, kMaxArms> arm_counts_{};  ///< children per arm in arm_sequence_
  std::vector<double> alloc_cdf_;
  // The components (declared in the order they are built: the population asks the dosing).
  Dosing dosing_;
  PopulationModel population_;
  EffectModel effect_;
  Trajectory trajectory_;
  DropoutModel dropout_;
  SafetyModel safety_;
  /// Uniform ages, no weight, no products, no heterogeneity, no decline, one visit simulated, no
  /// follow-up: simulate_plain() gives the same values as simulate_cp().
  bool plain_ = false;
  std::optional<AccrualModel> accrual_;  ///< design.accrual
  /// design.interims.pause_enrolment: enrolment stops after these many children (each look's
  /// ceil(t_k N)) and resumes one primary-visit interval later, at the look; empty: no pauses.
  std::vector<std::size_t> pauses_;
  std::optional<FollowUp> follow_;       ///< every scheduled visit (every_visit, events, missed visits, ...)
  /// The generic model at the primary visit: its intercept and residual SD (population.generic).
  double generic_intercept_ = 0, generic_sd_ = 0;
  Truth truth_;
};

}  // namespace celltrial
