#include "celltrial/report/trials.hpp"

#include <sstream>

#include "celltrial/report/summary.hpp"
#include "celltrial/scenario/io.hpp"

namespace celltrial {

namespace {
// A number as the shortest text that reads back to the same double ("" for NaN).
std::string number(double x) { return x != x ? std::string() : format_number(x); }
}  // namespace

std::string trials_csv(const Scenario& s, std::uint64_t trials) {
  // Every visit of every child: the primary visit's data are those of the run's own model.
  const Model model(s, PreRunSizes{}, true);
  const bool cp = s.population.outcome_model == OutcomeModel::cp;
  const auto& months = s.design.visits_months;
  const double primary = s.analysis.primary_visit_months;
  std::ostringstream os;
  os << "trial,id,arm,month_randomised,visit,status,value,change,baseline,gmfcs,age_months,sex,dose_per_kg,"
        "hla_mismatches,screened,dropout_month,event,event_month,treated_month\n";
  TrialData d;
  for (std::uint64_t t = 0; t < trials; ++t) {
    model.simulate(s.simulation.seed, t, d);
    for (std::size_t j = 0; j < d.size(); ++j) {
      const auto& arm = s.arms[d.arm[j]];
      const bool product = arm.product != ProductType::none;
      // What does not change between a child's visits.
      std::ostringstream child;
      child << number(d.baseline[j]) << ',' << (cp ? kGmfcsNames[d.level[j]] : "") << ',' << (cp ? number(d.age[j]) : "")
            << ',' << (model.sex_drawn() ? (d.male[j] ? "male" : "female") : "") << ','
            << (product ? number(d.dose[j]) : "") << ',' << (arm.product == ProductType::ucb ? std::to_string(d.hla[j]) : "")
            << ',' << d.screens[j] << ',';
      if (d.visits > 0) {
        const std::uint8_t kind = d.event_kind[j];
        child << number(d.dropout_month[j]) << ','
              << (kind == kNoEvent ? std::string() : csv_field(s.design.intercurrent_events[kind].name)) << ','
              << number(d.event_month[j]) << ',' << number(d.treated_month[j]);
      } else {
        child << ",,,";
      }
      const std::string tail = child.str();
      const std::string head = std::to_string(t) + ',' + std::to_string(j + 1) + ',' + csv_field(arm.name) + ',' +
                               (d.month.empty() ? "" : number(d.month[j])) + ',';
      if (d.visits == 0) {  // the generic endpoint: the primary visit only
        const bool seen = d.observed[j];
        os << head << number(primary) << ',' << (seen ? "observed" : "dropped_out") << ','
           << (seen ? number(d.baseline[j] + d.change[j]) : "") << ',' << (seen ? number(d.change[j]) : "") << ',' << tail << '\n';
        continue;
      }
      for (std::size_t v = 0; v < d.visits; ++v) {
        const auto status = static_cast<VisitStatus>(d.status[j * d.visits + v]);
        const double change = d.visit_change[j * d.visits + v];
        const bool seen = status == VisitStatus::observed;
        os << head << number(months[v]) << ',' << to_string(status) << ',' << (seen ? number(d.baseline[j] + change) : "")
           << ',' << (seen ? number(change) : "") << ',' << tail << '\n';
      }
    }
  }
  return os.str();
}

}  // namespace celltrial
