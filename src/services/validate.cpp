#include "celltrial/services/validate.hpp"

#include "celltrial/design/nuisance.hpp"
#include "celltrial/design/study.hpp"
#include "celltrial/design/sweep.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/services/scenario_source.hpp"

namespace celltrial::services {

Scenario validate(const ValidateRequest& rq) {
  const Scenario s = load(rq.scenario_file, rq.scenario_text, rq.overrides);
  // The variants the study, sweep and simulate commands would load: enrichment strategies, tornado
  // settings, sweep grid points, nuisance grid points and compared designs (each names itself in its
  // error).
  const auto loader = file_loader(rq.scenario_file, rq.overrides, rq.scenario_text);
  load_variants(loader, rq.overrides, enrichment_variants(s.enrichment));
  if (!s.tornado.vary.empty()) load_variants(loader, rq.overrides, tornado_variants(s.tornado));
  std::vector<SweepAxis> axes;
  for (const auto& [k, v] : s.sweep.vary) axes.push_back(SweepAxis{k, v});
  if (!axes.empty()) load_variants(loader, rq.overrides, sweep_variants(sweep_grid(axes, s.sweep.zip)));
  if (s.nuisance_grid.active()) nuisance_scenarios(loader, rq.overrides, s);
  if (!s.designs.variants.empty()) {
    load_variants(loader, rq.overrides, design_variants(s.designs));
    if (!s.designs.null_overrides.empty()) load_variants(loader, rq.overrides, design_variants(s.designs, true));
  }
  // What simulate sets up before its first trial: the model refuses eligibility limits that no
  // child (or fewer than 1 in 10,000 screened) meets, which only screening children shows.
  (void)Model(s);
  return s;
}

}  // namespace celltrial::services
