// celltrial analyse DATA.csv : the trial analysis of a trial's own long-format data.
#include <array>
#include <ostream>
#include <string>
#include <vector>

#include "celltrial/analysis/long_data.hpp"
#include "celltrial/cli/commands.hpp"
#include "celltrial/report/data_analysis.hpp"
#include "celltrial/scenario/schema.hpp"
#include "celltrial/services/analyse.hpp"

namespace celltrial::cli {

namespace {
// The names a scenario file uses for a choice (schema.hpp), and the value of each.
template <class E, std::size_t N>
std::vector<std::string> names(const std::array<schema::Option<E>, N>& options) {
  std::vector<std::string> out;
  for (const auto& o : options) out.push_back(o.name);
  return out;
}

struct AnalyseArgs {
  std::string file;
  LongDataOptions options;
  std::string method = "mmrm", covariance, df, estimand = "treatment-policy";
  std::vector<std::string> fallback;
  double visit = 0;
  std::string trial;
  bool json = false;
};
}  // namespace

Action add_analyse(CLI::App& app, Streams io) {
  auto* cmd = app.add_subcommand(
      "analyse",
      "Analyse a trial's own data (long-format CSV, one row per child and visit) with the analysis the simulated trials "
      "get: the mixed model for repeated measures or the ANCOVA");
  auto a = std::make_shared<AnalyseArgs>();
  LongDataOptions& o = a->options;
  cmd->add_option("data", a->file, "CSV file: a header, then one row per child and visit (columns below)")->required();
  cmd->add_option("--method", a->method, "mmrm (default): every visit up to the primary one; ancova: the primary visit alone")
      ->check(CLI::IsMember(names(schema::kMethods)));
  auto* covariance =
      cmd->add_option("--covariance", a->covariance,
                      "mmrm: covariance of a child's visits: unstructured (default), ar1, heterogeneous-ar1, cs, toeplitz")
          ->check(CLI::IsMember(names(schema::kCovarianceStructures)));
  auto* fallback = cmd->add_option("--fallback", a->fallback,
                                   "mmrm: structures tried in order when the fit does not converge, or none (default "
                                   "toeplitz,ar1,cs; none with one visit)")
                       ->delimiter(',')
                       ->check(CLI::IsMember([] {
                         auto n = names(schema::kCovarianceStructures);
                         n.push_back("none");
                         return n;
                       }()));
  auto* df = cmd->add_option("--df", a->df,
                             "mmrm: degrees of freedom: satterthwaite (default), kenward-roger, between-within, residual")
                 ->check(CLI::IsMember(names(schema::kDfMethods)));
  cmd->add_option("--control", o.control, "The control arm (default: the arm named placebo or control)");
  cmd->add_option("--arm", o.arm, "The arm compared with control (needed when the data have several)");
  auto* visit = cmd->add_option("--visit", a->visit, "The primary visit, in months (default: the last visit in the data)");
  cmd->add_option("--visits", o.visits,
                  "mmrm: average the difference over these visits (months, up to the primary), e.g. 6,12")
      ->delimiter(',');
  cmd->add_option("--response", o.response,
                  "The column analysed (default value; e.g. change in files written by simulate --export-trials)")
      ->capture_default_str();
  cmd->add_option("--adjust", o.adjust,
                  "Adjust for a stratification factor: a column of at most 5 levels, such as gmfcs I to V (an effect "
                  "per level but the first, common to the visits)");
  cmd->add_option("--estimand", a->estimand,
                  "treatment-policy (default) or hypothetical (mmrm: a child's visits after its event_month are missing)")
      ->check(CLI::IsMember(names(schema::kEstimands)));
  auto* trial = cmd->add_option("--trial", a->trial, "The trial to analyse when a 'trial' column holds several");
  cmd->add_option("--alpha", o.alpha, "Two-sided level: the p-value's test and the 1 - alpha confidence interval (default 0.05)");
  cmd->add_flag("--json", a->json,
                "Print one JSON object: estimate, se, df, t, p_value, ci_lower, ci_upper, covariance (rows; the "
                "ANCOVA's is [[residual variance]])");
  cmd->footer(std::string(
                  "The data: a header line, then one row per child and visit. Columns id, arm, visit (months after "
                  "randomisation), value (or the --response column) and baseline; optional status (a visit is assessed "
                  "only when it is 'observed'), trial (with --trial), event_month (the month of the child's first "
                  "intercurrent event, for --estimand hypothetical) and the --adjust column. An empty or NA response is a "
                  "visit not assessed; a child with no assessed visit up to the primary one is dropped and counted. The "
                  "files 'celltrial simulate --export-trials' writes can be analysed as they are (--response change). "
                  "For this command, exit code 64 also means an option that does not fit the data (an arm or visit "
                  "not in it, --arm or --trial needed), and 65 a problem in the file (file:line:column) or a model that "
                  "cannot be fitted to it.") +
              "\n\n" + cmd->get_footer());
  return [a, io, covariance, fallback, df, visit, trial]() {
    services::AnalyseRequest rq;
    rq.data_file = a->file;
    rq.method = a->method;
    rq.estimand = a->estimand;
    if (covariance->count() > 0) rq.covariance = a->covariance;
    if (df->count() > 0) rq.df = a->df;
    if (fallback->count() > 0) rq.fallback = a->fallback;
    rq.options = a->options;
    if (visit->count() > 0) rq.options.visit = a->visit;
    if (trial->count() > 0) rq.options.trial = a->trial;
    const DataAnalysis result = services::analyse(rq);
    if (a->json) io.out << data_analysis_json(result).dump(2) << "\n";
    else io.out << data_analysis_table(result);
    return 0;
  };
}

}  // namespace celltrial::cli
