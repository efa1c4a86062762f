#pragma once
// The pieces of a sensitivity study on responder subgroups (celltrial study):
//  - the enrichment comparison: for each enrolment strategy, the simulated sample size for the
//    target power, the screening burden, accrual time, expected SAEs and the claim population;
//  - one-at-a-time (tornado) sensitivity of power to each assumption at a low and a high value;
//  - a typical trial's subgroup estimates (for the forest plot).
// Every variant is loaded (and checked) before any is simulated, and every variant uses the same
// seed and trial indices (common random numbers).
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "celltrial/design/sample_size.hpp"
#include "celltrial/design/sweep.hpp"
#include "celltrial/engine/accumulator.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

struct StudyOptions {
  int threads = 0;
  const std::atomic<bool>* stop = nullptr;
  std::function<void(const std::string&)> log;  ///< progress messages (may be empty)
  std::uint64_t search_trials = 2000;            ///< first-round trials per candidate N (enrichment)
  std::uint64_t search_max_trials = 16000;       ///< at most, per candidate N
  double search_confidence = SampleSizeSearch{}.confidence;  ///< one-sided confidence that power(N) >= target
  std::int64_t search_n_max = SampleSizeSearch{}.n_max;      ///< largest total sample size considered
};

/// Who can enrol under a scenario's eligibility, in words (the population a claim would cover).
std::string eligibility_text(const Scenario& s);

/// The strategies as variants of the base scenario ("in enrichment strategy 'under5'").
std::vector<Variant> enrichment_variants(const EnrichmentSection& e);
/// The base scenario, then each assumption at its low and at its high value.
std::vector<Variant> tornado_variants(const TornadoSection& t);

/// One row per strategy (`strategies[i]` is strategy i of `e`, loaded): {"strategy", "overrides", "claim_population", "n_total", "n_per_arm",
/// "power", "power_mc_se", "confidence", "reached", "true_effect", "screened_per_randomised",
/// "screened_total", "accrual_months" (null without a screening rate), "expected_sae",
/// "expected_sae_mc_se", "share_under_5_years", "share_gmfcs_I_III", "curve": [{n, power, mc_se}]}.
nlohmann::json run_enrichment(const std::vector<Scenario>& strategies, const EnrichmentSection& e, const StudyOptions& opt);

/// {"base": {power, mc_se}, "rows": [{key, low, high, power_low, power_low_mc_se, power_high,
/// power_high_mc_se, swing, swing_mc_se}]} with rows sorted by swing (|high - low|), largest first.
/// Power is the first comparison's favourable rejection rate; `variants` are tornado_variants(t),
/// loaded. swing_mc_se pairs the two ends trial by trial (trial i of each uses the same random
/// streams); ends with different trial counts get the independent-runs bound. `base_run`, when given, is the
/// accumulated run of variants[0] (same scenario, seed and trials), which is then not run again.
nlohmann::json run_tornado(const std::vector<Scenario>& variants, const TornadoSection& t, const StudyOptions& opt,
                           const Accumulator* base_run = nullptr);

/// The designs as variants of the base scenario ("in design 'fixed'"); with `null`, each design's
/// null twin instead (its overrides, then designs.null_twin).
std::vector<Variant> design_variants(const DesignsSection& d, bool null = false);

/// Loads every variant the scenario's sections define — enrichment strategies, tornado settings,
/// sweep grid points, nuisance grid points, compared designs and their null twins — so that what
/// validate accepts, every command can run; the first bad one throws, naming itself.
void load_every_variant(const std::function<Scenario(const std::vector<std::string>&)>& load,
                        const std::vector<std::string>& overrides, const Scenario& s);

/// One row per design (`designs[i]` is design i of `d`, loaded; `nulls` empty or their null twins):
/// {"design", "overrides", "power", "power_mc_se", "power_difference", "power_difference_mc_se" (from
/// the first design, paired over trials: common random numbers), "expected_n", "expected_n_mc_se",
/// "max_n", "expected_duration_months", "expected_duration_months_mc_se" (null without
/// design.accrual), "claim_responders", "claim_responders_mc_se" (null when the design makes no
/// claim in the responders), "claim_responders_source", "type1", "type1_mc_se", "type1_source" (null
/// without nulls)}. Power is the first comparison's favourable rejection rate (the design's
/// decision); the type I error is that of the null twin, or its family-wise rate (any claim) when
/// the design has adaptive enrichment.
nlohmann::json run_designs(const std::vector<Scenario>& designs, const std::vector<Scenario>& nulls, const DesignsSection& d,
                           const StudyOptions& opt);

/// Trial `trial` of the run, analysed: [{label, estimate, low, high}] for the first active arm's
/// comparison in everyone, then in each subgroup and its complement (confidence intervals at the
/// scenario's level).
nlohmann::json typical_trial(const Model& m, std::uint64_t trial);

}  // namespace celltrial
