// The power and sweep services: the closed-form table from a query (the stats routines' numbers, the
// command line's checks) and the simulated sample size with its callbacks.
#include <filesystem>

#include <catch2/catch.hpp>

#include <unistd.h>

#include "celltrial/core/error.hpp"
#include "celltrial/services/power.hpp"
#include "celltrial/services/simulate.hpp"
#include "celltrial/services/sweep.hpp"
#include "test_support.hpp"

using namespace celltrial;
namespace fs = std::filesystem;

TEST_CASE("services: closed-form power rows are the stats routines' numbers in every mode", "[services]") {
  services::ClosedFormPowerRequest rq;
  PowerQuery& q = rq.query;
  q.delta = {1.0, 2.0};
  q.power = {0.8};
  q.inputs.sd = 3;
  q.inputs.dropout = 0.1;
  auto rows = services::closed_form_power(rq).rows;
  REQUIRE(rows.size() == 2);
  stats::PowerInputs in = q.inputs;
  in.test = stats::Test::t_exact;
  in.delta = 2.0;
  const stats::SampleSize ss = stats::solve_n(in, 0.8);
  CHECK(rows[1].solved == Solve::sample_size);
  CHECK(rows[1].sample_size.n_total == ss.n_total);
  CHECK(rows[1].sample_size.n_total_randomised == ss.n_total_randomised);
  CHECK(rows[1].power == ss.achieved_power);

  q.power.clear();
  q.n = {100};
  q.prior = stats::parse_prior("normal(1,0.5)");
  rows = services::closed_form_power(rq).rows;
  REQUIRE(rows.size() == 2);
  in.delta = 1.0;
  CHECK(rows[0].solved == Solve::power);
  CHECK(rows[0].power == stats::power(in, 100));
  stats::PowerInputs success = in;
  success.count = stats::Rejection::favourable_tail;
  CHECK(rows[0].assurance == stats::assurance(success, 100, *q.prior));

  q.prior.reset();
  q.power = {0.9};
  q.delta.clear();
  rows = services::closed_form_power(rq).rows;
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].solved == Solve::delta);
  in.delta = rows[0].delta;
  CHECK(stats::power(in, 100) == Approx(0.9).epsilon(1e-9));
}

TEST_CASE("services: closed-form power refuses what the command line refuses, naming the option", "[services]") {
  services::ClosedFormPowerRequest rq;
  rq.query.delta = {1.0};
  auto refused = [&](const std::string& option) {
    try {
      services::closed_form_power(rq);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::usage);
      CHECK_THAT(std::string(e.what()), Catch::Contains(option));
    }
  };
  refused("--power/--n");  // nothing to solve
  rq.query.n = {100};
  rq.query.test = "ancva";
  refused("did you mean 'ancova'");
  rq.query.test = "t";
  rq.query.sequential = stats::BoundariesOptions{};
  rq.query.sequential->looks = 3;
  refused("--looks");  // a group-sequential design is sized from a target power
  rq.query.n.clear();
  rq.query.power = {0.8};
  rq.plot_dir = "/tmp/never";
  refused("--plot");
  CHECK_FALSE(fs::exists("/tmp/never"));
}

TEST_CASE("services: the flags a user gives become the query the command line and the R package both run",
          "[services]") {
  PowerFlags f;
  f.delta = {2.0};
  f.sd = 8;
  f.power = {0.8};
  f.retention = {0.95, 0.9};
  f.corr = 0.5;
  f.prior = "normal(2,1)";
  const PowerQuery q = power_query(f);
  CHECK(q.delta == std::vector<double>{2.0});
  CHECK_FALSE(q.standardised);
  CHECK(q.inputs.sd == 8);
  CHECK(q.inputs.mmrm.retention_control == f.retention);
  CHECK(q.inputs.mmrm.correlation == stats::Correlation::ar1);
  CHECK(q.inputs.mmrm.correlation_rho == 0.5);
  REQUIRE(q.prior.has_value());
  CHECK(q.prior_text == "normal(2,1)");

  PowerFlags g;
  g.smd = {0.3};
  g.n = {100};
  const PowerQuery s = power_query(g);
  CHECK(s.standardised);
  CHECK(s.inputs.sd == 1.0);
  auto refused = [](const PowerFlags& x, const std::string& what) {
    try {
      power_query(x);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::usage);
      CHECK_THAT(std::string(e.what()), Catch::Contains(what));
    }
  };
  PowerFlags both = g;
  both.delta = {1.0};
  refused(both, "not both");
  PowerFlags sd_with_smd = g;
  sd_with_smd.sd = 2;
  refused(sd_with_smd, "--sd does not apply");
  PowerFlags bad_prior = g;
  bad_prior.prior = "normal(1)";
  refused(bad_prior, "--prior");
  refused(PowerFlags{}, "--power/--n");
}

TEST_CASE("services: the simulated sample size reports through the log callback, writes its folder, and stops "
          "on the host's interrupt without writing it",
          "[services]") {
  const fs::path out = fs::temp_directory_path() / ("celltrial-services-power-" + std::to_string(::getpid()));
  fs::remove_all(out);
  services::SampleSizeRequest rq;
  rq.scenario_file = test::source_path("scenarios/validation/reference_ancova.yaml");
  rq.target = 0.8;
  rq.trials = 400;
  rq.max_trials = 800;
  rq.threads = 2;
  rq.out = out.string();
  rq.prior = "normal(2,1)";
  std::vector<std::string> lines;
  services::Callbacks cb;
  cb.log = [&](const std::string& l) { lines.push_back(l); };
  const services::SampleSizeReport rep = services::sample_size(rq, cb);
  CHECK_FALSE(lines.empty());
  CHECK(rep.result.n_total > 0);
  REQUIRE(rep.assurance.has_value());
  CHECK(rep.assurance->mc_se > 0);
  CHECK(rep.json["assurance"]["estimate"] == rep.assurance->value);
  CHECK(fs::exists(out / "power_curve.json"));
  CHECK(rep.not_reached.empty() == rep.result.reached);
  fs::remove_all(out);

  services::SampleSizeRequest small = rq;  // a target the largest N allowed cannot reach
  small.prior.clear();
  small.target = 0.99;
  small.n_max = 60;
  const services::SampleSizeReport unreached = services::sample_size(small);
  CHECK_FALSE(unreached.result.reached);
  CHECK_THAT(unreached.not_reached, Catch::Contains("not reached with N up to 60") && Catch::Contains("--n-max"));
  fs::remove_all(out);

  services::Callbacks stop_now;
  stop_now.interrupted = [] { return true; };
  try {
    services::sample_size(rq, stop_now);
    FAIL("an interrupted search finished");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::interrupted);
  }
  CHECK_FALSE(fs::exists(out / "power_curve.json"));
  fs::remove_all(out);
}

TEST_CASE("services: a sweep's rows are the simulate service's summaries at each point, and its folder is written",
          "[services]") {
  const fs::path out = fs::temp_directory_path() / ("celltrial-services-sweep-" + std::to_string(::getpid()));
  fs::remove_all(out);
  services::SweepRequest rq;
  rq.scenario_file = test::source_path("scenarios/validation/reference_ancova.yaml");
  rq.sweeps = {"design.sample_size=100,200"};
  rq.trials = 500;
  rq.seed = 5;
  rq.threads = 2;
  rq.out = (out / "sweep").string();
  std::uint64_t last_done = 0, total = 0, points = 0;
  services::Callbacks cb;
  cb.progress = [&](const services::Progress& p) {
    last_done = p.done;
    total = p.total;
    points = p.points;
  };
  const services::SweepResult r = services::sweep(rq, cb);
  REQUIRE(r.rows.size() == 2);
  CHECK(total == 1000);
  CHECK(last_done == 1000);
  CHECK(points == 2);
  CHECK(fs::exists(out / "sweep" / "sweep.csv"));
  services::SimulateRequest one;
  one.scenario_file = rq.scenario_file;
  one.overrides = {"design.sample_size=200"};
  one.trials = 500;
  one.seed = 5;
  one.out = (out / "one").string();
  CHECK(services::simulate(one).summary == r.rows[1]["summary"]);

  rq.sweeps = {"design.sample_sise=100,200"};
  try {
    services::sweep(rq);
    FAIL("a misspelt sweep key ran");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::data);
    CHECK_THAT(std::string(e.what()), Catch::Contains("did you mean 'sample_size'"));
  }
  fs::remove_all(out);
}
