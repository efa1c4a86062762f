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

TEST_CASE("trials.csv holds the run's children exactly, with months under design.accrual", "[report]") {
  const Scenario s = test::load_shipped("scenarios/msc_intravenous.yaml", {"design.accrual.sites=4", "design.accrual.screened_per_site_month=3"});
  const Model m(s);
  std::istringstream csv(trials_csv(m, 2));
  std::string line;
  std::getline(csv, line);
  const std::vector<std::string> header = fields(line);
  REQUIRE(header.size() == 14);
  CHECK(header[3] == "month_randomised");
  TrialData d;
  std::size_t rows = 0;
  for (std::uint64_t t = 0; t < 2; ++t) {
    m.simulate(s.simulation.seed, t, d);
    for (std::size_t j = 0; j < d.size(); ++j) {
      REQUIRE(std::getline(csv, line));
      const auto f = fields(line);
      REQUIRE(f.size() == header.size());
      CHECK(f[0] == std::to_string(t));
      CHECK(f[1] == std::to_string(j + 1));
      CHECK(f[2] == s.arms[d.arm[j]].name);
      CHECK(std::stod(f[3]) == d.month[j]);  // shortest round-trip text: the same double
      CHECK(std::stod(f[7]) == d.baseline[j]);
      if (d.observed[j]) CHECK(std::stod(f[6]) == d.change[j]);
      else CHECK(f[6].empty());
      CHECK(f[13] == std::to_string(d.screens[j]));
      ++rows;
    }
  }
  CHECK_FALSE(std::getline(csv, line));
  CHECK(rows == 2 * static_cast<std::size_t>(s.design.sample_size));
}
