// trials.csv (celltrial simulate --export-trials): the run's own children, one row each.
#include <catch2/catch.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "celltrial/report/trials.hpp"
#include "test_support.hpp"

using namespace celltrial;

namespace {
std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out;
  std::string f;
  std::istringstream is(line);
  while (std::getline(is, f, ',')) out.push_back(f);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}
}  // namespace

TEST_CASE("trials.csv holds the run's children exactly, every visit, with months under design.accrual", "[report]") {
  const Scenario s = test::load_shipped("scenarios/msc_intravenous.yaml", {"design.accrual.sites=4", "design.accrual.screened_per_site_month=3"});
  const Model m(s);  // the run's model: the primary visit's data must be these
  const std::size_t V = s.design.visits_months.size();
  std::istringstream csv(trials_csv(s, 2));
  std::string line;
  std::getline(csv, line);
  const std::vector<std::string> header = fields(line);
  REQUIRE(header == std::vector<std::string>{"trial", "id", "arm", "month_randomised", "visit", "status", "value", "change",
                                             "baseline", "gmfcs", "age_months", "sex", "dose_per_kg", "hla_mismatches",
                                             "screened", "dropout_month", "event", "event_month", "treated_month"});
  TrialData d;
  std::size_t rows = 0;
  for (std::uint64_t t = 0; t < 2; ++t) {
    m.simulate(s.simulation.seed, t, d);
    for (std::size_t j = 0; j < d.size(); ++j)
      for (std::size_t v = 0; v < V; ++v) {
        REQUIRE(std::getline(csv, line));
        const auto f = fields(line);
        REQUIRE(f.size() == header.size());
        CHECK(f[0] == std::to_string(t));
        CHECK(f[1] == std::to_string(j + 1));
        CHECK(f[2] == s.arms[d.arm[j]].name);
        CHECK(std::stod(f[3]) == d.month[j]);  // shortest round-trip text: the same double
        CHECK(std::stod(f[4]) == s.design.visits_months[v]);
        CHECK(std::stod(f[8]) == d.baseline[j]);
        CHECK(f[14] == std::to_string(d.screens[j]));
        CHECK(f[16].empty());  // no intercurrent events
        const bool seen = f[5] == "observed";
        CHECK(f[6].empty() != seen);
        CHECK(f[7].empty() != seen);
        if (seen) CHECK(std::stod(f[6]) == d.baseline[j] + std::stod(f[7]));
        if (s.design.visits_months[v] == s.analysis.primary_visit_months) {
          CHECK(seen == (d.observed[j] != 0));
          if (seen) CHECK(std::stod(f[7]) == d.change[j]);
        }
        ++rows;
      }
  }
  CHECK_FALSE(std::getline(csv, line));
  CHECK(rows == 2 * V * static_cast<std::size_t>(s.design.sample_size));
}

TEST_CASE("trials.csv names each child's first intercurrent event and the delayed group's treatment month", "[report]") {
  const Scenario s = test::load_shipped("scenarios/delayed_treatment.yaml",
                                        {"design.intercurrent_events=[{name: botox, rate_per_month: 0.05}]"});
  std::istringstream csv(trials_csv(s, 1));
  std::string line;
  std::getline(csv, line);
  std::size_t events = 0, delayed = 0;
  while (std::getline(csv, line)) {
    const auto f = fields(line);
    REQUIRE(f.size() == 19);
    if (!f[16].empty()) {
      CHECK(f[16] == "botox");
      CHECK(std::stod(f[17]) < 24);
      ++events;
    }
    if (f[2] == "placebo") {
      CHECK(f[18] == "12");
      ++delayed;
    } else {
      CHECK(f[18] == "0");
    }
  }
  CHECK(events > 0);
  CHECK(delayed == 100 * 4);
}
