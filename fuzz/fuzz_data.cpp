// Fuzz target: a trial's own data (celltrial analyse): the CSV reader, the checks of the data
// against the options, the Scenario and TrialData built from them and the analysis. Every input is
// analysed three ways (the default mixed model; the ANCOVA of `change` adjusted for `gmfcs`; the
// mixed model with compound symmetry, Kenward-Roger d.f., the hypothetical estimand and visits
// averaged) and each either gives a finite result that the table and JSON show, or is refused
// with a celltrial::Error of kind data or usage.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "celltrial/analysis/long_data.hpp"
#include "celltrial/report/data_analysis.hpp"
#include "fuzz_support.hpp"

namespace {
void analyse_one(const std::string& text, const celltrial::LongDataOptions& o) {
  using namespace celltrial;
  DataAnalysis a;
  try {
    a = analyse_long_data(prepare_long_data(parse_csv(text, "fuzz.csv"), o));
  } catch (const Error& e) {
    fuzz::expect_user_error(e, {ExitCode::data, ExitCode::usage});
    return;
  }
  for (double x : {a.estimate, a.se, a.df, a.t, a.p_value, a.ci_lower, a.ci_upper})
    if (!std::isfinite(x)) fuzz::bug("an analysis with a number that is not finite:\n" + data_analysis_table(a));
  if (!(a.se > 0 && a.df > 0 && a.p_value >= 0 && a.p_value <= 1 && a.ci_lower <= a.ci_upper))
    fuzz::bug("an analysis whose test or interval is impossible:\n" + data_analysis_table(a));
  if (a.covariance.size() != a.covariance_size * a.covariance_size)
    fuzz::bug("a covariance of the wrong size:\n" + data_analysis_table(a));
  (void)data_analysis_table(a);
  (void)data_analysis_json(a).dump();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace celltrial;
  const std::string text(reinterpret_cast<const char*>(data), size);
  analyse_one(text, LongDataOptions{});
  LongDataOptions ancova;
  ancova.method = AnalysisMethod::ancova;
  ancova.response = "change";
  ancova.adjust = "gmfcs";
  ancova.trial = "0";
  analyse_one(text, ancova);
  LongDataOptions cs;
  cs.covariance = CovarianceStructure::cs;
  cs.df = DfMethod::kenward_roger;
  cs.estimand = Estimand::hypothetical;
  cs.visits = {6, 12};
  analyse_one(text, cs);
  return 0;
}
