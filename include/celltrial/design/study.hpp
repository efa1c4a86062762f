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

#include "celltrial/model/model.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

/// Loads the base scenario with extra "key=value" overrides (throws Error on a bad key or value).
using VariantLoader = std::function<Scenario(const std::vector<std::string>&)>;

struct StudyOptions {
  int threads = 0;
  const std::atomic<bool>* stop = nullptr;
  std::function<void(const std::string&)> log;  ///< progress messages (may be empty)
  std::uint64_t search_trials = 2000;            ///< first-round trials per candidate N (enrichment)
  std::uint64_t search_max_trials = 16000;       ///< at most, per candidate N
};

/// Who can enrol under a scenario's eligibility, in words (the population a claim would cover).
std::string eligibility_text(const Scenario& s);

/// One row per strategy: {"strategy", "overrides", "claim_population", "n_total", "n_per_arm",
/// "power", "power_mc_se", "confidence", "reached", "true_effect", "screened_per_randomised",
/// "screened_total", "accrual_months" (null without a screening rate), "expected_sae",
/// "expected_sae_mc_se", "share_under_5_years", "share_gmfcs_I_III", "curve": [{n, power, mc_se}]}.
nlohmann::json run_enrichment(const VariantLoader& load, const EnrichmentSection& e, const StudyOptions& opt);
std::string enrichment_csv(const nlohmann::json& rows);
/// The enrichment rows as a terminal table.
std::string enrichment_table(const nlohmann::json& rows,
                             const std::string& title = "Enrichment: sample size for the target power, by enrolment strategy");

/// {"base": {power, mc_se}, "rows": [{key, low, high, power_low, power_low_mc_se, power_high,
/// power_high_mc_se, swing}]} with rows sorted by swing (|high - low|), largest first. Power is the
/// first comparison's favourable rejection rate.
nlohmann::json run_tornado(const VariantLoader& load, const TornadoSection& t, const StudyOptions& opt);
std::string tornado_csv(const nlohmann::json& t);

/// Trial `trial` of the run, analysed: [{label, estimate, low, high}] for the first active arm's
/// comparison in everyone, then in each subgroup and its complement (confidence intervals at the
/// scenario's level).
nlohmann::json typical_trial(const Model& m, std::uint64_t trial);

}  // namespace celltrial
