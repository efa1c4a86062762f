#include "celltrial/services/validate.hpp"

#include "celltrial/design/study.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/services/scenario_source.hpp"

namespace celltrial::services {

Scenario validate(const ValidateRequest& rq) {
  const Scenario s = load(rq.scenario_file, rq.scenario_text, rq.overrides);
  // The variants the study, sweep and simulate commands would load (each names itself in its error).
  load_every_variant(file_loader(rq.scenario_file, rq.overrides, rq.scenario_text), rq.overrides, s);
  // What simulate sets up before its first trial: the model refuses eligibility limits that no
  // child (or fewer than 1 in 10,000 screened) meets, which only screening children shows.
  (void)Model(s);
  return s;
}

}  // namespace celltrial::services
