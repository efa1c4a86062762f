// celltrial analyse: a trial's own data analysed by the code that analyses simulated trials
// (analysis/long_data.hpp), and every kind of bad input refused with one located message.
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "celltrial/analysis/long_data.hpp"
#include "celltrial/analysis/trial_analysis.hpp"
#include "celltrial/report/data_analysis.hpp"
#include "celltrial/report/trials.hpp"
#include "test_support.hpp"

using namespace celltrial;

namespace {

DataAnalysis analyse_text(const std::string& text, const LongDataOptions& o = {}) {
  return analyse_long_data(prepare_long_data(parse_csv(text, "d.csv"), o));
}

/// Every message of an Error, one per line.
std::string message(const Error& e) {
  std::string out;
  for (const auto& d : e.diagnostics()) out += d.str() + "\n";
  return out;
}

/// The error analysing `text` gives; the test fails when there is none or its code differs.
Error failure(const std::string& text, const LongDataOptions& o, ExitCode code) {
  try {
    analyse_text(text, o);
  } catch (const Error& e) {
    INFO(message(e));
    CHECK(e.code() == code);
    return e;
  }
  FAIL("expected an error");
  return Error(ExitCode::ok, "unreachable");
}

template <class F>
Error failure_of(F&& f, ExitCode code) {
  try {
    f();
  } catch (const Error& e) {
    INFO(message(e));
    CHECK(e.code() == code);
    return e;
  }
  FAIL("expected an error");
  return Error(ExitCode::ok, "unreachable");
}

double relative(double a, double b) { return std::fabs(a - b) / std::max(std::fabs(b), 1e-300); }

// Two arms x 4 children, visits 6 and 12; child 8 has no assessed visit.
const std::string kSmall =
    "id,arm,visit,value,baseline\n"
    "1,placebo,6,1.5,40\n1,placebo,12,2.5,40\n"
    "2,placebo,6,0.5,52\n2,placebo,12,1.0,52\n"
    "3,placebo,6,2.0,47\n3,placebo,12,,47\n"
    "4,placebo,6,-1.0,35\n4,placebo,12,0.5,35\n"
    "5,ucb,6,3.0,44\n5,ucb,12,4.5,44\n"
    "6,ucb,6,2.5,50\n6,ucb,12,3.0,50\n"
    "7,ucb,6,1.0,38\n7,ucb,12,3.5,38\n"
    "8,ucb,6,,41\n8,ucb,12,,41\n";

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  const auto at = s.find(from);
  REQUIRE(at != std::string::npos);
  return s.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("analysing an exported trial reproduces that trial's in-simulation result exactly", "[analysis][analyse]") {
  struct Case {
    const char* name;
    std::vector<std::string> sets;
    AnalysisMethod method;
    Estimand estimand;
  };
  const std::vector<Case> cases{
      {"mmrm, treatment policy", {"analysis.method=mmrm"}, AnalysisMethod::mmrm, Estimand::treatment_policy},
      {"mmrm, hypothetical", {"analysis.method=mmrm", "analysis.estimand=hypothetical"}, AnalysisMethod::mmrm,
       Estimand::hypothetical},
      {"ancova", {"analysis.method=ancova"}, AnalysisMethod::ancova, Estimand::treatment_policy},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      const Scenario s = test::load_shipped("scenarios/longitudinal_ucb.yaml", c.sets);
      const Model m(s);
      const TrialAnalysis analysis(m);
      TrialData d;
      m.simulate(s.simulation.seed, 0, d);
      TrialResult r;
      analysis.analyse(d, r);
      const ComparisonResult& sim = r.comparisons[0];
      REQUIRE(sim.estimable);

      // The trial as --export-trials writes it, read back and analysed.
      LongDataOptions o;
      o.method = c.method;
      o.estimand = c.estimand;
      o.response = "change";
      o.adjust = "gmfcs";
      const DataAnalysis a = analyse_text(trials_csv(s, 1), o);
      CHECK(relative(a.estimate, sim.estimate) <= 1e-12);
      CHECK(relative(a.se, sim.se) <= 1e-12);
      CHECK(relative(a.df, sim.df) <= 1e-12);
      CHECK(relative(a.t, sim.t) <= 1e-12);
      // The same numbers in the same order: the very same doubles.
      CHECK(a.estimate == sim.estimate);
      CHECK(a.se == sim.se);
      CHECK(a.df == sim.df);
      CHECK(a.t == sim.t);
      for (std::size_t arm = 0; arm < 2; ++arm) {
        CHECK(a.analysed_by_arm[arm] == r.analysed[arm]);
        CHECK(a.children_by_arm[arm] == r.randomised[arm]);
      }
      CHECK(a.children == static_cast<std::int64_t>(d.size()));
      CHECK(a.arms == std::vector<std::string>{"placebo", "ucb"});
      if (c.method == AnalysisMethod::mmrm) {
        CHECK(a.covariance == r.mmrm.sigma);
        CHECK(a.covariance_size == 3);
        CHECK(a.structure == static_cast<CovarianceStructure>(r.mmrm.structure));
        CHECK(a.fallback == r.mmrm.fallback);
      } else {
        CHECK(a.covariance_size == 1);
        CHECK(a.df == static_cast<double>(a.analysed - 7));  // intercept, arm, 4 strata (GMFCS II-V), baseline
      }
    }
  }
}

TEST_CASE("analyse: the ANCOVA's residual variance is that of the one-visit mixed model, and the test and interval are "
          "those of the t distribution",
          "[analysis][analyse]") {
  const Scenario s = test::load_shipped("scenarios/longitudinal_ucb.yaml", {"design.sample_size=120"});
  std::string csv = trials_csv(s, 1);
  LongDataOptions o;
  o.response = "change";
  o.method = AnalysisMethod::ancova;
  o.visit = 12;
  const DataAnalysis ancova = analyse_text(csv, o);
  // The rows of the primary visit alone: the mixed model with one visit is the ANCOVA, fitted by REML.
  std::string one_visit;
  std::istringstream in(csv);
  for (std::string line; std::getline(in, line);) {
    // trial,id,arm,month_randomised,visit,...
    std::size_t at = 0;
    for (int comma = 0; comma < 4; ++comma) at = line.find(',', at) + 1;
    if (one_visit.empty() || line.compare(at, 3, "12,") == 0) one_visit += line + "\n";
  }
  o.method = AnalysisMethod::mmrm;
  o.visit.reset();
  const DataAnalysis mmrm = analyse_text(one_visit, o);
  REQUIRE(mmrm.covariance_size == 1);
  CHECK(mmrm.fallbacks.empty());
  CHECK(relative(ancova.covariance[0], mmrm.covariance[0]) < 1e-8);
  CHECK(relative(ancova.estimate, mmrm.estimate) < 1e-9);
  CHECK(relative(ancova.se, mmrm.se) < 1e-8);
  CHECK(ancova.analysed == mmrm.analysed);

  // p-value and interval.
  CHECK(relative(ancova.p_value, 2 * stats::p_from_t(std::fabs(ancova.t), ancova.df)) < 1e-14);
  const double q = stats::t_upper_quantile(0.025, ancova.df);
  CHECK(relative(ancova.ci_upper - ancova.estimate, q * ancova.se) < 1e-12);
  CHECK(relative(ancova.estimate - ancova.ci_lower, q * ancova.se) < 1e-12);
  const nlohmann::ordered_json j = data_analysis_json(ancova);
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.items()) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"estimate", "se", "df", "t", "p_value", "ci_lower", "ci_upper", "covariance"});
  CHECK(nlohmann::json::parse(j.dump())["estimate"].get<double>() == ancova.estimate);  // round trip
  CHECK(j["covariance"].size() == 1);
}

TEST_CASE("analyse matches the R reference fits (tests/reference/mmrm)", "[analysis][analyse]") {
  const auto ref = nlohmann::json::parse(test::read_text(test::source_path("tests/reference/mmrm/reference.json")));
  int compared = 0;
  for (const auto& rec : ref["records"]) {
    if (rec["covariates"] != "baseline") continue;
    const std::string method = rec["df_method"];
    if (method == "kenward-roger") continue;  // pbkrtest's lmer fit: compared in the statistics tests
    LongDataOptions o;
    o.control = rec["contrast"]["control"].get<std::string>();
    o.arm = rec["contrast"]["arm"].get<std::string>();
    o.covariance = rec["covariance"] == "unstructured"        ? CovarianceStructure::unstructured
                   : rec["covariance"] == "ar1"               ? CovarianceStructure::ar1
                   : rec["covariance"] == "heterogeneous-ar1" ? CovarianceStructure::heterogeneous_ar1
                   : rec["covariance"] == "cs"                ? CovarianceStructure::cs
                                                              : CovarianceStructure::toeplitz;
    o.fallback = std::vector<CovarianceStructure>{};
    o.df = method == "residual" ? DfMethod::residual : DfMethod::satterthwaite;
    if (rec["contrast"]["visits"].size() > 1) o.visits = rec["contrast"]["visits"].get<std::vector<double>>();
    const std::string file = "tests/reference/mmrm/" + rec["dataset"].get<std::string>();
    INFO(file << " " << rec["covariance"] << " " << method << " " << rec["contrast"]["visits"].dump());
    const DataAnalysis a = analyse_data_file(test::source_path(file), o);
    // Every data set, small.csv's flat REML surface (29 children) included.
    const double tol = 1e-6;
    CHECK(relative(a.estimate, rec["estimate"].get<double>()) < tol);
    CHECK(relative(a.se, rec["se"].get<double>()) < tol);
    CHECK(relative(a.df, method == "residual" ? rec["df"].get<double>() : rec["df_independent"].get<double>()) < 1e-4);
    CHECK(a.analysed == rec["n_children"].get<std::int64_t>());
    CHECK(a.observations == rec["n_obs"].get<std::int64_t>());
    const auto sigma = rec["covariance_matrix"].get<std::vector<double>>();
    REQUIRE(a.covariance.size() == sigma.size());
    const double scale = *std::max_element(sigma.begin(), sigma.end());
    for (std::size_t i = 0; i < sigma.size(); ++i) CHECK(std::fabs(a.covariance[i] - sigma[i]) < tol * scale);
    ++compared;
  }
  CHECK(compared >= 40);
}

TEST_CASE("analyse: rows of unassessed visits, a status column, CRLF line endings and a byte-order mark change nothing",
          "[analysis][analyse]") {
  const DataAnalysis base = analyse_text(kSmall);
  CHECK(base.children == 8);
  CHECK(base.analysed == 7);
  CHECK(base.observations == 13);
  CHECK(base.arms == std::vector<std::string>{"placebo", "ucb"});
  // Rows of visits not assessed left out.
  std::string absent;
  std::istringstream in(kSmall);
  for (std::string line; std::getline(in, line);)
    if (line.back() != ',' && line.find(",,") == std::string::npos) absent += line + "\n";
  const DataAnalysis a = analyse_text(absent);
  CHECK(a.estimate == base.estimate);
  CHECK(a.children == 7);
  // Every row with a status; values of visits not observed are not read.
  std::string status = "id,arm,visit,value,baseline,status\n";
  std::istringstream in2(kSmall);
  std::string line;
  std::getline(in2, line);
  while (std::getline(in2, line)) status += line.find(",,") != std::string::npos ? replaced(line, ",,", ",x,") + ",missed\n" : line + ",observed\n";
  CHECK(analyse_text(status).estimate == base.estimate);
  // CRLF and a UTF-8 byte-order mark.
  std::string crlf = "\xEF\xBB\xBF";
  for (char ch : kSmall) crlf += ch == '\n' ? std::string("\r\n") : std::string(1, ch);
  const DataAnalysis b = analyse_text(crlf);
  CHECK(b.estimate == base.estimate);
  CHECK(b.se == base.se);
  // Quoted cells and NA.
  const DataAnalysis q = analyse_text(replaced(replaced(kSmall, "3,placebo,12,,47", "\"3\",\"placebo\",12,NA,47"), "8,ucb,6,,41", "8,ucb,6,NA,41"));
  CHECK(q.estimate == base.estimate);
}

TEST_CASE("analyse: every kind of bad input gives one located message", "[analysis][analyse]") {
  const LongDataOptions o;
  SECTION("a missing file") {
    try {
      read_csv_file("no_such_dir/data.csv");
      FAIL("read");
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::no_input);
      CHECK(message(e) == "no_such_dir/data.csv: error: no such file. Fix: check the path.\n");
    }
  }
  SECTION("an empty file") {
    CHECK_THAT(message(failure("", o, ExitCode::data)), Catch::StartsWith("d.csv: error: the file is empty."));
    CHECK_THAT(message(failure("\r\n\n", o, ExitCode::data)), Catch::StartsWith("d.csv: error: the file is empty."));
    CHECK_THAT(message(failure("id,arm,visit,value,baseline\n", o, ExitCode::data)),
               Catch::StartsWith("d.csv: error: the file has a header but no rows."));
  }
  SECTION("a missing column") {
    CHECK_THAT(message(failure("id,arm,visit,value,Baseline\n1,placebo,6,1,40\n", o, ExitCode::data)),
               Catch::StartsWith("d.csv:1: error: the header has no column 'baseline' (each child's baseline score); its "
                                 "columns are: id, arm, visit, value, Baseline. Fix: did you mean 'Baseline'?"));
    LongDataOptions r;
    r.response = "chnage";
    CHECK_THAT(message(failure(kSmall, r, ExitCode::usage)),
               Catch::StartsWith("command line (--response chnage): error: the header has no column 'chnage'"));
  }
  SECTION("a cell that is not a number") {
    CHECK(message(failure(replaced(kSmall, "2,placebo,12,1.0,52", "2,placebo,twelve,1.0,52"), o, ExitCode::data)) ==
          "d.csv:5:11: error: column 'visit': 'twelve' is not a number. Fix: write a number such as 12 or -3.5 (a decimal "
          "point, not a comma; no units).\n");
    CHECK_THAT(message(failure(replaced(kSmall, "6,ucb,6,2.5,50", "6,ucb,6,\"2,5\",50"), o, ExitCode::data)),
               Catch::StartsWith("d.csv:12:9: error: column 'value': '2,5' is not a number."));
    CHECK_THAT(message(failure(replaced(kSmall, "6,ucb,6,2.5,50", "6,ucb,6,inf,50"), o, ExitCode::data)),
               Catch::StartsWith("d.csv:12:9: error: column 'value': 'inf' is not a finite number."));
    CHECK_THAT(message(failure(replaced(kSmall, "6,ucb,6,2.5,50", "6,ucb,6,2.5,"), o, ExitCode::data)),
               Catch::StartsWith("d.csv:12:13: error: column 'baseline' is empty."));
  }
  SECTION("a visit at or before randomisation") {
    CHECK_THAT(message(failure(replaced(kSmall, "1,placebo,6,1.5,40", "1,placebo,0,0,40"), o, ExitCode::data)),
               Catch::StartsWith("d.csv:2:11: error: visit 0 is not after randomisation"));
  }
  SECTION("an unknown arm for --control or --arm") {
    LongDataOptions c;
    c.control = "plaecbo";
    CHECK(message(failure(kSmall, c, ExitCode::usage)) ==
          "command line (--control plaecbo): error: there is no arm 'plaecbo' in the data (arms: 'placebo', 'ucb'). Fix: did "
          "you mean 'placebo'?\n");
    LongDataOptions a;
    a.arm = "msc";
    CHECK_THAT(message(failure(kSmall, a, ExitCode::usage)),
               Catch::StartsWith("command line (--arm msc): error: there is no arm 'msc' in the data (arms: 'placebo', 'ucb')."));
    a.arm = "placebo";
    CHECK_THAT(message(failure(kSmall, a, ExitCode::usage)),
               Catch::StartsWith("command line (--arm placebo): error: 'placebo' is the control arm."));
  }
  SECTION("no arm that is clearly the control, and several arms to compare") {
    CHECK_THAT(message(failure(replaced(replaced(replaced(replaced(kSmall, "1,placebo,6", "1,sham,6"), "1,placebo,12", "1,sham,12"),
                                                 "2,placebo,6", "2,sham,6"),
                                        "2,placebo,12", "2,sham,12"),
                               o, ExitCode::usage)),
               Catch::StartsWith("command line: error: --arm: the data have 2 arms besides the control 'placebo' ('sham', 'ucb')"));
    std::string none = kSmall;
    for (int i = 0; i < 8; ++i) none = replaced(none, ",placebo,", ",sham,");
    CHECK_THAT(message(failure(none, o, ExitCode::usage)),
               Catch::StartsWith("command line: error: --control: no arm is named 'placebo' or 'control', so the control arm is "
                                 "not known (arms: 'sham', 'ucb'). Fix: name it, e.g. --control sham."));
  }
  SECTION("a single arm") {
    std::string one = kSmall;
    for (int i = 0; i < 8; ++i) one = replaced(one, ",ucb,", ",placebo,");
    CHECK_THAT(message(failure(one, o, ExitCode::data)),
               Catch::StartsWith("d.csv: error: the data have one arm ('placebo'); the analysis compares an arm with a control."));
  }
  SECTION("two rows for one child and visit") {
    CHECK(message(failure(kSmall + "2,placebo,12,1.5,52\n", o, ExitCode::data)) ==
          "d.csv:18:11: error: child '2' has a second row for visit 12 (the first is on line 5). Fix: keep one row per child "
          "and visit.\n");
  }
  SECTION("a child whose baseline, arm or event month differs between its rows") {
    CHECK(message(failure(replaced(kSmall, "2,placebo,12,1.0,52", "2,placebo,12,1.0,52.5"), o, ExitCode::data)) ==
          "d.csv:5:18: error: child '2' has baseline 52.5 here but 52 on line 4. Fix: a child has one baseline score: give "
          "the same value on each of its rows.\n");
    CHECK_THAT(message(failure(replaced(kSmall, "2,placebo,12,1.0,52", "2,ucb,12,1.0,52"), o, ExitCode::data)),
               Catch::StartsWith("d.csv:5:3: error: child '2' is in arm 'ucb' here but in arm 'placebo' on line 4."));
  }
  SECTION("a visit not in the data, or averaged visits after the primary one") {
    LongDataOptions v;
    v.visit = 9;
    CHECK(message(failure(kSmall, v, ExitCode::usage)) ==
          "command line (--visit 9): error: month 9 is not a visit in the data (visits: 6, 12). Fix: use the data's visits "
          "(months, as in column 'visit').\n");
    v.visit = std::numeric_limits<double>::quiet_NaN();
    CHECK_THAT(message(failure(kSmall, v, ExitCode::usage)),
               Catch::StartsWith("command line (--visit nan): error: month nan is not a visit in the data"));
    LongDataOptions w;
    w.visits = {6, 9};
    CHECK_THAT(message(failure(kSmall, w, ExitCode::usage)),
               Catch::StartsWith("command line (--visits 6,9): error: month 9 is not a visit in the data (visits: 6, 12)."));
    w.visits = {6, 12};
    w.visit = 6;
    CHECK_THAT(message(failure(kSmall, w, ExitCode::usage)),
               Catch::StartsWith("command line (--visits 6,12): error: month 12 is after the primary visit (month 6); the "
                                 "model has the visits up to the primary one."));
  }
  SECTION("a structure with a correlation and one visit: the message a scenario file gets") {
    LongDataOptions c;
    c.covariance = CovarianceStructure::ar1;
    c.visit = 6;
    const std::string got = message(failure(kSmall, c, ExitCode::usage));
    CHECK_THAT(got, Catch::StartsWith("command line (--covariance ar1): error: analysis.mmrm.covariance: the ar1 structure "
                                      "has a correlation to estimate, but the model has 1 visit (the visits up to the "
                                      "primary one)."));
    const Error file = test::data_error(test::small_scenario_with("  alpha: 0.05\n", "  alpha: 0.05\n  method: mmrm\n  primary_visit_months: 6\n  mmrm: {covariance: ar1}\n"));
    const std::string problem = file.diagnostics().front().problem;
    CHECK_THAT(got, Catch::Contains(problem));
  }
  SECTION("options of the mixed model with the ANCOVA, and an alpha out of range") {
    LongDataOptions a;
    a.method = AnalysisMethod::ancova;
    a.covariance = CovarianceStructure::cs;
    CHECK_THAT(message(failure(kSmall, a, ExitCode::usage)),
               Catch::StartsWith("command line (--covariance cs): error: a covariance structure is part of the mixed model"));
    LongDataOptions al;
    al.alpha = 0.7;
    CHECK_THAT(message(failure(kSmall, al, ExitCode::usage)),
               Catch::StartsWith("command line (--alpha 0.7): error: analysis.alpha: must be from 1e-06 to 0.5"));
  }
  SECTION("the hypothetical estimand without event months") {
    LongDataOptions h;
    h.estimand = Estimand::hypothetical;
    CHECK_THAT(message(failure(kSmall, h, ExitCode::data)),
               Catch::StartsWith("d.csv:1: error: the hypothetical estimand sets a child's visits after its first intercurrent "
                                 "event missing, but the header has no column 'event_month'"));
  }
  SECTION("several trials without --trial, and a trial not in the file") {
    std::string two = "trial,id,arm,visit,value,baseline\n";
    std::istringstream in(kSmall);
    std::string line;
    std::getline(in, line);
    std::string rows;
    while (std::getline(in, line)) rows += line + "\n";
    std::istringstream again(rows);
    while (std::getline(again, line)) two += "0," + line + "\n";
    std::istringstream third(rows);
    while (std::getline(third, line)) two += "1," + line + "\n";
    CHECK(message(failure(two, o, ExitCode::usage)) ==
          "command line: error: --trial: the file holds 2 trials (column 'trial': 0, 1); the analysis takes one. Fix: "
          "choose one, e.g. --trial 0.\n");
    LongDataOptions t;
    t.trial = "7";
    CHECK_THAT(message(failure(two, t, ExitCode::usage)),
               Catch::StartsWith("command line (--trial 7): error: the file has no trial '7' (column 'trial': 0, 1)."));
    t.trial = "1";
    CHECK(analyse_text(two, t).estimate == analyse_text(kSmall).estimate);
    CHECK(analyse_text(two, t).trial == "1");
    // The reader can keep the rows of one trial alone (as analyse_data_file does), with the same results.
    const CsvTable one = parse_csv(two, "d.csv", CsvSelection{"trial", std::string("1.0")});
    CHECK(one.selected);
    CHECK(one.values == std::vector<std::string>{"0", "1"});
    CHECK(one.rows.size() == 16);
    CHECK(one.rows.front().line == 18);
    CHECK(analyse_long_data(prepare_long_data(one, t)).estimate == analyse_text(kSmall).estimate);
    CHECK_THAT(message(failure_of([&] { prepare_long_data(parse_csv(two, "d.csv", CsvSelection{"trial", {}}), o); }, ExitCode::usage)),
               Catch::StartsWith("command line: error: --trial: the file holds 2 trials (column 'trial': 0, 1)"));
  }
  SECTION("a factor with more than 5 levels for --adjust") {
    LongDataOptions a;
    a.adjust = "baseline";
    CHECK_THAT(message(failure(kSmall, a, ExitCode::usage)),
               Catch::StartsWith("command line (--adjust baseline): error: column 'baseline' has 8 levels; --adjust takes a "
                                 "factor of at most 5 levels (such as gmfcs I to V)."));
  }
  SECTION("too few children for the covariance, or no convergence with any structure") {
    // Two children per arm, three visits: unstructured has 6 parameters and 3 residual degrees of freedom.
    const std::string tiny =
        "id,arm,visit,value,baseline\n"
        "1,placebo,3,1,40\n1,placebo,6,2,40\n1,placebo,12,4,40\n"
        "2,placebo,3,0,52\n2,placebo,6,3,52\n2,placebo,12,2,52\n"
        "3,ucb,3,2,44\n3,ucb,6,3,44\n3,ucb,12,6,44\n"
        "4,ucb,3,1,50\n4,ucb,6,1,50\n4,ucb,12,5,50\n";
    LongDataOptions u;
    u.fallback = std::vector<CovarianceStructure>{};
    CHECK_THAT(message(failure(tiny, u, ExitCode::data)),
               Catch::StartsWith("d.csv: error: the mixed model cannot be fitted with the unstructured covariance: 4 "
                                 "children with 12 observations over 3 visits are too few to estimate it, or the fit does "
                                 "not converge") &&
                   Catch::Contains("Fix: try a simpler --covariance"));
    LongDataOptions an;
    an.method = AnalysisMethod::ancova;
    CHECK_THAT(message(failure("id,arm,visit,value,baseline\n1,placebo,6,1,40\n2,ucb,6,2,44\n3,ucb,6,0,41\n", an, ExitCode::data)),
               Catch::StartsWith("d.csv: error: the difference 'ucb' - 'placebo' cannot be estimated from 3 children "
                                 "assessed at month 6: the model has more parameters than the data determine. Fix: analyse "
                                 "more children."));
  }
  SECTION("an arm without an assessed visit") {
    std::string s = kSmall;
    for (const char* v : {"5,ucb,6,3.0", "5,ucb,12,4.5", "6,ucb,6,2.5", "6,ucb,12,3.0", "7,ucb,6,1.0", "7,ucb,12,3.5"})
      s = replaced(s, v, std::string(v).substr(0, std::string(v).rfind(',') + 1));
    CHECK_THAT(message(failure(s, o, ExitCode::data)),
               Catch::StartsWith("d.csv: error: arm 'ucb' has no child with an assessed visit up to month 12."));
  }
  SECTION("line endings, encodings and the shape of the file") {
    CHECK_THAT(message(failure(replaced(kSmall, "1,placebo,12,2.5,40\n", "1,placebo,12,2.5,40\r"), o, ExitCode::data)),
               Catch::StartsWith("d.csv:3:20: error: a carriage return without a line feed ends a line here"));
    CHECK_THAT(message(failure(std::string("\xFF\xFEi\0d\0", 6), o, ExitCode::data)),
               Catch::StartsWith("d.csv:1:1: error: the file is UTF-16 text"));
    CHECK_THAT(message(failure(replaced(kSmall, "4,placebo", std::string("4,plac\0bo", 9)), o, ExitCode::data)),
               Catch::StartsWith("d.csv:8:7: error: the file is not text (it contains a NUL byte)."));
    CHECK_THAT(message(failure(replaced(kSmall, "4,placebo", "4,plac\xE9" "bo"), o, ExitCode::data)),
               Catch::StartsWith("d.csv:8:7: error: the file is not UTF-8 text"));
    CHECK(message(failure(replaced(kSmall, "7,ucb,6,1.0,38", "7,ucb,6,1.0"), o, ExitCode::data)) ==
          "d.csv:14: error: the row has 4 cells; the header has 5 (id, arm, visit, value, baseline). Fix: give every row "
          "one cell per column; a cell that holds a comma must be in quotes.\n");
    CHECK_THAT(message(failure("id,arm,visit,value,baseline,visit\n1,placebo,6,1,40,6\n", o, ExitCode::data)),
               Catch::StartsWith("d.csv:1:29: error: the column name 'visit' appears twice in the header (columns 3 and 6)."));
    CHECK_THAT(message(failure(replaced(kSmall, "7,ucb,6,1.0,38", "7,\"ucb,6,1.0,38"), o, ExitCode::data)),
               Catch::StartsWith("d.csv:14:3: error: this quoted cell has no closing quote."));
  }
}
