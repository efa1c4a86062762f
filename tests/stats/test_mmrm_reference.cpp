// The mixed model against R: nlme::gls REML fits, emmeans' Satterthwaite df and pbkrtest's
// Kenward-Roger adjustment, recorded in tests/reference/mmrm/reference.json by reference.R from
// the datasets next to it (README.md there says how). The model is R's
// value ~ 0 + visit:arm + visit:baseline [+ visit:gmfcs_<level>] for each of the five structures.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "celltrial/stats/mmrm.hpp"
#include "test_support.hpp"

using namespace celltrial;
using stats::CovarianceStructure;
using stats::DfMethod;
using celltrial::test::source_path;

namespace {

struct Row {
  std::string id, arm, gmfcs;
  double visit = 0, baseline = 0, value = 0;
  bool has_value = false;
};

std::vector<Row> read_rows(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  std::string line;
  std::getline(in, line);
  std::vector<std::string> header;
  {
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) header.push_back(cell);
  }
  std::vector<Row> rows;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    cells.resize(header.size());
    Row r;
    for (std::size_t i = 0; i < header.size(); ++i) {
      const std::string& h = header[i];
      if (h == "id") r.id = cells[i];
      else if (h == "arm") r.arm = cells[i];
      else if (h == "gmfcs") r.gmfcs = cells[i];
      else if (h == "visit") r.visit = std::stod(cells[i]);
      else if (h == "baseline") r.baseline = std::stod(cells[i]);
      else if (h == "value" && !cells[i].empty()) {
        r.value = std::stod(cells[i]);
        r.has_value = true;
      }
    }
    rows.push_back(r);
  }
  return rows;
}

CovarianceStructure structure_of(const std::string& s) {
  if (s == "unstructured") return CovarianceStructure::unstructured;
  if (s == "ar1") return CovarianceStructure::ar1;
  if (s == "heterogeneous-ar1") return CovarianceStructure::heterogeneous_ar1;
  if (s == "cs") return CovarianceStructure::cs;
  REQUIRE(s == "toeplitz");
  return CovarianceStructure::toeplitz;
}

// The data set as the model sees it: covariates (arms with the control first, then the others in
// sorted order; baseline; one indicator per gmfcs level after the first), all loaded visit by visit.
struct Prepared {
  stats::MmrmData data;
  std::vector<stats::MmrmColumn> cols;
  std::vector<std::string> arms;
  std::vector<double> visits;
  std::size_t k = 0;
  int column(std::size_t visit, std::size_t covariate) const {
    for (std::size_t j = 0; j < cols.size(); ++j)
      if (cols[j].visit == visit && cols[j].covariate == covariate) return static_cast<int>(j);
    return -1;
  }
};

Prepared prepare(const std::string& file, const std::string& control, bool gmfcs) {
  const auto rows = read_rows(source_path("tests/reference/mmrm/" + file));
  Prepared p;
  std::set<std::string> others, levels;
  std::set<double> visits;
  for (const Row& r : rows) {
    if (r.arm != control) others.insert(r.arm);
    levels.insert(r.gmfcs);
    visits.insert(r.visit);
  }
  p.arms.push_back(control);
  p.arms.insert(p.arms.end(), others.begin(), others.end());
  p.visits.assign(visits.begin(), visits.end());
  const std::vector<std::string> lv(levels.begin(), levels.end());
  const std::size_t A = p.arms.size(), G = gmfcs ? lv.size() - 1 : 0, V = p.visits.size();
  p.k = A + 1 + G;
  // Children in order of first appearance.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const Row*>> by_child;
  for (const Row& r : rows) {
    if (!by_child.count(r.id)) order.push_back(r.id);
    by_child[r.id].push_back(&r);
  }
  p.data.reset(V, p.k);
  std::vector<double> z(p.k), y(V);
  for (const auto& id : order) {
    const auto& rs = by_child[id];
    std::fill(z.begin(), z.end(), 0.0);
    const std::size_t a = static_cast<std::size_t>(std::find(p.arms.begin(), p.arms.end(), rs[0]->arm) - p.arms.begin());
    z[a] = 1;
    z[A] = rs[0]->baseline;
    if (gmfcs) {
      const std::size_t l = static_cast<std::size_t>(std::find(lv.begin(), lv.end(), rs[0]->gmfcs) - lv.begin());
      if (l > 0) z[A + l] = 1;
    }
    std::uint32_t mask = 0;
    for (const Row* r : rs) {
      if (!r->has_value) continue;
      const std::size_t v = static_cast<std::size_t>(std::find(p.visits.begin(), p.visits.end(), r->visit) - p.visits.begin());
      y[v] = r->value;
      mask |= 1u << v;
    }
    p.data.add(z.data(), y.data(), mask);
  }
  for (std::size_t v = 0; v < V; ++v)
    for (std::size_t c = 0; c < p.k; ++c) p.cols.push_back({static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(c)});
  return p;
}

double rel(double a, double b) { return std::fabs(a - b) / std::max(std::fabs(b), 1e-300); }

}  // namespace

TEST_CASE("mmrm: estimates, SEs, REML, covariance and df agree with nlme::gls, emmeans and pbkrtest", "[stats][mmrm][reference]") {
  std::ifstream in(source_path("tests/reference/mmrm/reference.json"));
  REQUIRE(in);
  const auto ref = nlohmann::json::parse(in);
  int checked = 0;
  std::map<std::string, Prepared> cache;
  for (const auto& r : ref["records"]) {
    const std::string file = r["dataset"], covariates = r["covariates"], method = r["df_method"];
    const std::string control = r["contrast"]["control"], arm = r["contrast"]["arm"];
    INFO(file << " " << covariates << " " << r["covariance"].get<std::string>() << " " << method << " " << arm << " "
              << r["contrast"]["visits"].dump());
    const std::string key = file + covariates;
    if (!cache.count(key)) cache.emplace(key, prepare(file, control, covariates.find("gmfcs") != std::string::npos));
    const Prepared& p = cache.at(key);
    CHECK(p.data.subjects() == r["n_children"].get<std::size_t>());
    CHECK(p.data.observations() == r["n_obs"].get<std::size_t>());
    CHECK(p.cols.size() == r["n_fixed"].get<std::size_t>());
    stats::Mmrm m;
    REQUIRE(m.fit(p.data, p.cols, structure_of(r["covariance"])));
    // The contrast: arm - control, weighted over the listed visits.
    std::vector<double> c(p.cols.size(), 0.0);
    const std::size_t a = static_cast<std::size_t>(std::find(p.arms.begin(), p.arms.end(), arm) - p.arms.begin());
    for (std::size_t i = 0; i < r["contrast"]["visits"].size(); ++i) {
      const double month = r["contrast"]["visits"][i], w = r["contrast"]["weights"][i];
      const std::size_t v = static_cast<std::size_t>(std::find(p.visits.begin(), p.visits.end(), month) - p.visits.begin());
      c[static_cast<std::size_t>(p.column(v, a))] += w;
      c[static_cast<std::size_t>(p.column(v, 0))] -= w;
    }
    const DfMethod df = method == "satterthwaite" ? DfMethod::satterthwaite
                        : method == "residual"    ? DfMethod::residual
                                                  : DfMethod::kenward_roger;
    const auto x = m.contrast(c, df);
    REQUIRE(x.ok);
    CHECK(rel(x.estimate, r["estimate"]) < 1e-6);
    CHECK(rel(m.log_likelihood(), r["reml_loglik"]) < 1e-9);
    const auto& cov = r["covariance_matrix"];
    for (std::size_t i = 0; i < cov.size(); ++i) CHECK(rel(m.sigma().data()[i], cov[i]) < 1e-6);
    if (method == "kenward-roger") {
      // pbkrtest on lme4's random-intercept fit, which is the compound-symmetry model.
      CHECK(rel(x.se, r["se_adjusted"]) < 1e-6);
      CHECK(rel(x.df, r["df"]) < 1e-4);
    } else {
      CHECK(rel(x.se, r["se"]) < 1e-6);
      if (method == "residual") CHECK(x.df == r["df"].get<double>());
      else {
        // emmeans differentiates numerically (about 1e-3 relative); df_independent is the same
        // formula with an accurate Hessian.
        CHECK(rel(x.df, r["df"]) < 1e-2);
        CHECK(rel(x.df, r["df_independent"]) < 1e-5);
      }
    }
    ++checked;
  }
  CHECK(checked == 110);
}
