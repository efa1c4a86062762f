#include "celltrial/report/trials.hpp"

#include <sstream>

#include "celltrial/report/summary.hpp"
#include "celltrial/scenario/io.hpp"

namespace celltrial {

namespace {
// A number as the shortest text that reads back to the same double ("" for NaN).
std::string number(double x) { return x != x ? std::string() : format_number(x); }
}  // namespace

std::string trials_csv(const Model& model, std::uint64_t trials) {
  const Scenario& s = model.scenario();
  const bool cp = s.population.outcome_model == OutcomeModel::cp;
  const std::string visit = number(s.analysis.primary_visit_months);
  std::ostringstream os;
  os << "trial,id,arm,month_randomised,visit_months,observed,change,baseline,gmfcs,age_months,sex,dose_per_kg,"
        "hla_mismatches,screened\n";
  TrialData d;
  for (std::uint64_t t = 0; t < trials; ++t) {
    model.simulate(s.simulation.seed, t, d);
    for (std::size_t j = 0; j < d.size(); ++j) {
      const auto& arm = s.arms[d.arm[j]];
      const bool product = arm.product != ProductType::none;
      os << t << ',' << j + 1 << ',' << csv_field(arm.name) << ',' << (d.month.empty() ? "" : number(d.month[j])) << ','
         << visit << ',' << int{d.observed[j]} << ',' << (d.observed[j] ? number(d.change[j]) : "") << ','
         << number(d.baseline[j]) << ',' << (cp ? kGmfcsNames[d.level[j]] : "") << ',' << (cp ? number(d.age[j]) : "")
         << ',' << (model.sex_drawn() ? (d.male[j] ? "male" : "female") : "") << ',' << (product ? number(d.dose[j]) : "") << ','
         << (arm.product == ProductType::ucb ? std::to_string(d.hla[j]) : "") << ',' << d.screens[j] << '\n';
    }
  }
  return os.str();
}

}  // namespace celltrial
