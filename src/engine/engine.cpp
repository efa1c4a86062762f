#include "celltrial/engine/engine.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <thread>

#include <tbb/blocked_range.h>
#include <tbb/combinable.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "celltrial/analysis/interim.hpp"
#include "celltrial/analysis/trial_analysis.hpp"
#include "celltrial/core/error.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/scenario/interims.hpp"

namespace celltrial {

std::vector<double> true_effects(const Scenario& s) { return Model(s).truth().effect; }

Accumulator make_accumulator(const Scenario& s) { return make_accumulator(Model(s)); }

Accumulator make_accumulator(const Model& m) {
  const Scenario& s = m.scenario();
  Accumulator acc(s.arms.size(), s.active_arms().size(), m.truth().effect, family(s).size(), s.analysis.claims.size(),
                  m.truth().subgroups);
  if (const FollowUp* f = m.follow_up())
    acc.set_follow_up(FollowUpAccumulator(f->visits(), s.arms.size(), s.design.delayed_start_month > 0));
  if (s.design.interims.active())
    acc.set_interims(InterimAccumulator(s.design.interims.looks(), s.design.interims.reestimation.active(),
                                        s.design.interims.enrichment.active(), stagewise_ordering_applies(s),
                                        s.design.interims.arm_selection.active() ? s.active_arms().size() : 0,
                                        s.design.interims.calendar()));
  return acc;
}

int resolve_threads(int threads) {
  if (threads > 0) return threads;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

Accumulator run_trials(const Scenario& s, const EngineOptions& opt) {
  const Model model(s);
  return run_trials(model, opt);
}

Accumulator run_trials(const Model& model, const EngineOptions& opt) {
  const Scenario& s = model.scenario();
  const std::uint64_t first = opt.first_trial;
  const std::uint64_t last = opt.last_trial == 0 ? s.simulation.trials : opt.last_trial;
  CELLTRIAL_ASSERT(first <= last);
  const TrialAnalysis ancova(model);
  // Group-sequential looks (design.interims): the trial is analysed at each look and may stop.
  std::optional<InterimAnalyses> interims;
  if (s.design.interims.active()) interims.emplace(s, ancova);
  // Sample-size re-estimation: a trial whose N is increased takes its added children from the same
  // trial simulated with the cap's number of children (the model randomises in calendar order).
  std::optional<Scenario> capped_scenario;
  std::optional<Model> capped_model;
  if (s.design.interims.active() && s.design.interims.reestimation.active()) {
    capped_scenario.emplace(s);
    capped_scenario->design.sample_size = s.design.interims.reestimation.max_sample_size;
    capped_model.emplace(*capped_scenario, model.pre_run_sizes(), model.follow_up() != nullptr);
  }
  // Adaptive enrichment: after the look selects the subgroup, the children recruited after it come
  // from the trial simulated with eligibility restricted to the subgroup, on streams of their own
  // (seeded from the enrichment stream, so that the trials' other draws do not change).
  std::optional<Scenario> enriched_scenario_;
  std::optional<Model> enriched_model;
  if (s.design.interims.active() && s.design.interims.enrichment.active()) {
    enriched_scenario_.emplace(enriched_scenario(s));
    enriched_model.emplace(*enriched_scenario_, model.pre_run_sizes(), model.follow_up() != nullptr);
  }
  // Arm selection: after the look drops arms, the children recruited after it come from the trial
  // simulated with allocation only to control and the arms kept (one model per set of arms kept), on
  // streams of their own (seeded from the arm-selection stream).
  std::array<std::optional<Scenario>, (1u << kMaxSelectionArms)> selected_scenarios;
  std::array<std::optional<Model>, (1u << kMaxSelectionArms)> selected_models;
  const bool arm_selection = s.design.interims.active() && s.design.interims.arm_selection.active();
  if (arm_selection) {
    const unsigned all = (1u << s.active_arms().size()) - 1;
    for (unsigned kept = 1; kept < all; ++kept) {
      selected_scenarios[kept].emplace(selected_scenario(s, kept));
      selected_models[kept].emplace(*selected_scenarios[kept], model.pre_run_sizes(), model.follow_up() != nullptr);
    }
  }
  std::optional<FollowUpAnalysis> follow_up;
  if (model.follow_up()) follow_up.emplace(model);
  const std::uint64_t seed = s.simulation.seed;
  // Safety and enrolment descriptions cost a pass over the children; skip when there is nothing
  // to describe (the generic endpoint without risks).
  bool describe = s.population.outcome_model == OutcomeModel::cp;
  for (const auto& a : s.arms) describe = describe || a.safety.sae_risk > 0 || a.safety.infusion_reaction_risk > 0;
  const std::uint64_t bs = opt.block_size == 0 ? 256 : opt.block_size;
  const std::uint64_t blocks = (last - first + bs - 1) / bs;

  struct Workspace {
    TrialData data;
    TrialResult result;
    InterimWorkspace interim;
    TrialData capped;  ///< the trial with the re-estimation's cap of children
    TrialData enriched;  ///< the children recruited after the look restricted the trial to the subgroup
    TrialData selected;  ///< the children recruited after the look dropped arms
  };
  tbb::enumerable_thread_specific<Workspace> workspaces;
  tbb::combinable<Accumulator> partial([&] { return make_accumulator(model); });
  std::atomic<bool> stopped{false};

  const int threads = resolve_threads(opt.threads);
  // Allow more threads than cores when asked (TBB otherwise caps its workers at cores - 1).
  tbb::global_control allow(tbb::global_control::max_allowed_parallelism,
                            std::max<std::size_t>(static_cast<std::size_t>(threads),
                                                  tbb::global_control::active_value(
                                                      tbb::global_control::max_allowed_parallelism)));
  tbb::task_arena arena(threads);
  arena.execute([&] {
    tbb::parallel_for(
        tbb::blocked_range<std::uint64_t>(0, blocks, 1),
        [&](const tbb::blocked_range<std::uint64_t>& r) {
          Workspace& ws = workspaces.local();
          Accumulator& acc = partial.local();
          for (std::uint64_t b = r.begin(); b != r.end(); ++b) {
            if (opt.stop && opt.stop->load(std::memory_order_relaxed)) {
              stopped.store(true);
              return;
            }
            const std::uint64_t lo = first + b * bs;
            const std::uint64_t hi = std::min(last, lo + bs);
            for (std::uint64_t i = lo; i < hi; ++i) {
              model.simulate(seed, i, ws.data);
              // The data of the final analysis: the trial, or after an interim stop its children
              // randomised by then.
              const TrialData* final_data = &ws.data;
              if (capped_model)
                final_data = &interims->analyse(ws.data, ws.interim, ws.result, [&]() -> const TrialData& {
                  capped_model->simulate(seed, i, ws.capped);
                  return ws.capped;
                });
              else if (enriched_model)
                final_data = &interims->analyse(ws.data, ws.interim, ws.result, {},
                                                [&](std::size_t kept, double month) -> const TrialData& {
                  Engine g = make_stream(seed, i, Purpose::enrichment);
                  enriched_model->simulate(g(), i, ws.enriched);
                  const std::size_t m = ws.data.size() - kept;
                  model.accrue_after(seed, i, ws.data, kept, month, g, ws.enriched.screens.data(), m,
                                     ws.enriched.month.data());
                  return ws.enriched;
                });
              else if (arm_selection)
                final_data = &interims->analyse(ws.data, ws.interim, ws.result, {}, {},
                                                [&](unsigned kept_arms, std::size_t kept, double month) -> const TrialData& {
                  Engine g = make_stream(seed, i, Purpose::arm_selection);
                  const Model& sm = *selected_models[kept_arms];
                  sm.simulate(g(), i, ws.selected);
                  const std::size_t m = ws.data.size() - kept;
                  model.accrue_after(seed, i, ws.data, kept, month, g, ws.selected.screens.data(), m,
                                     ws.selected.month.data());
                  return ws.selected;
                });
              else if (interims)
                final_data = &interims->analyse(ws.data, ws.interim, ws.result);
              else ancova.analyse(ws.data, ws.result);
              if (follow_up) follow_up->analyse(*final_data, ws.result.follow_up);
              if (describe) describe_trial(s, *final_data, ws.result);
              if (interims) {
                ws.result.accrual_months = final_data->accrual_months;
                ws.result.duration_months = ws.result.interim.duration_months;
              } else if (!describe) {
                // Nothing else to describe, but the calendar (NaN when no accrual is modelled).
                ws.result.accrual_months = final_data->accrual_months;
                ws.result.duration_months = final_data->duration_months;
              }
              acc.add(ws.result);
              if (opt.on_trial) opt.on_trial(i, ws.result);
            }
            if (opt.progress) opt.progress->fetch_add(hi - lo, std::memory_order_relaxed);
          }
        },
        tbb::simple_partitioner());
  });
  if (stopped.load() || (opt.stop && opt.stop->load())) throw Error(ExitCode::interrupted, "interrupted; no results were written");
  Accumulator total = make_accumulator(model);
  partial.combine_each([&](const Accumulator& a) { total.merge(a); });
  return total;
}

}  // namespace celltrial
