#pragma once
// The analyse service: what `celltrial analyse` does, for any host program. A trial's own
// long-format data (a CSV file, or CSV text from a host program such as an R data frame) analysed
// with the analysis the simulated trials get: the mixed model for repeated measures or the ANCOVA.
// Failures throw celltrial::Error with the command line's located message and exit code.
#include <optional>
#include <string>
#include <vector>

#include "celltrial/analysis/long_data.hpp"

namespace celltrial::services {

struct AnalyseRequest {
  std::string data_file;  ///< the CSV file
  std::string data_text;  ///< CSV text to use instead (data_file then only names it in messages)
  // The analysis by the names a scenario uses (each checked; messages name the command's option).
  std::string method = "mmrm";                         ///< mmrm or ancova (--method)
  std::string covariance;                              ///< empty: unstructured (--covariance)
  std::optional<std::vector<std::string>> fallback;    ///< unset: the default; {"none"}: none (--fallback)
  std::string df;                                      ///< empty: satterthwaite (--df)
  std::string estimand = "treatment-policy";           ///< (--estimand)
  /// Arms, visits, response, adjustment, trial and alpha; its method, covariance, fallback, df and
  /// estimand are set from the names above.
  LongDataOptions options;
};

/// Throws Error: an unknown name (usage, with "did you mean"), a problem in the data (data, located
/// at file:line:column), an option that does not fit the data (usage), a model that cannot be
/// fitted (data), an unreadable file (no_input).
DataAnalysis analyse(const AnalyseRequest& request);

}  // namespace celltrial::services
