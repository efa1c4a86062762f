#pragma once
// A trial's own data analysed as every simulated trial is (`celltrial analyse DATA.csv`).
//
// The data are long-format CSV with a header: one row per child and visit, with the columns `id`,
// `arm`, `visit` (months after randomisation), the response (`value`, or the column named by
// LongDataOptions::response) and `baseline`; optionally `status` (a visit is assessed only when it
// says `observed`), `trial` (the rows of one trial are analysed), `event_month` (the month of the
// child's first intercurrent event, for the hypothetical estimand) and a stratification factor
// (LongDataOptions::adjust). An empty (or `NA`) response is a visit not assessed. The files that
// `celltrial simulate --export-trials` writes are of this form.
//
// read_csv_file / parse_csv keep every cell with its line and column. prepare_long_data checks the
// columns and values, groups the rows by child and builds a Scenario (the data's arms and visits,
// the analysis options), validated as a scenario file is, and a TrialData, one child per id, that
// TrialAnalysis takes as it takes a simulated trial. analyse_long_data runs that analysis and adds
// the two-sided p-value, the confidence interval and the covariance estimate. Every problem is a
// celltrial::Error: ExitCode::no_input for a file that cannot be read, ExitCode::usage for an
// option that does not fit the data (named as "command line (--option value)"), ExitCode::data
// for the file's content (file:line:column) or a model that cannot be fitted to it.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "celltrial/model/model.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial {

/// A CSV file as text: the header's names and every row's cells, each with its position.
struct CsvTable {
  struct Row {
    int line = 0;                ///< 1-based line where the row starts
    std::vector<std::string> cells;
    std::vector<int> columns;    ///< 1-based character column where each cell starts
  };
  std::string source;            ///< the file name, for messages
  std::vector<std::string> header;
  std::vector<int> header_columns;
  std::vector<Row> rows;
  bool selected = false;            ///< rows were selected by a column's value (CsvSelection)
  std::vector<std::string> values;  ///< when selected: that column's values, in order of appearance
};

/// Which rows to keep: those whose cell in `column` has `value` (compared as numbers when both are
/// numbers), or without a value those of the first value in the file; the column's values are
/// recorded (CsvTable::values). A file without the column, or an empty `column`, keeps every row.
/// This keeps one trial of a file of many (the `trial` column of exported trials) without holding
/// the others' rows.
struct CsvSelection {
  std::string column;
  std::optional<std::string> value;
};

/// Reads CSV text (RFC 4180: quoted cells may hold commas, quotes as "" and line breaks). LF or
/// CRLF line endings and a UTF-8 byte-order mark are accepted; a carriage return without a line
/// feed, UTF-16, NUL bytes, text that is not UTF-8, an empty file, a duplicate column name and a
/// row with another number of cells than the header are refused (ExitCode::data). Blank lines are
/// skipped; spaces around an unquoted cell are not part of it. An empty cell in the selection's
/// column is refused.
CsvTable parse_csv(std::string_view text, const std::string& source, const CsvSelection& select = {});
/// parse_csv of a file's contents; ExitCode::no_input when it is missing or cannot be read.
CsvTable read_csv_file(const std::string& path, const CsvSelection& select = {});

/// What to analyse and how (the options of `celltrial analyse`). Unset options take the defaults
/// given; the analysis options are those of a scenario's analysis section.
struct LongDataOptions {
  AnalysisMethod method = AnalysisMethod::mmrm;
  std::optional<CovarianceStructure> covariance;  ///< mmrm only; default unstructured
  /// Structures tried in order when the fit with `covariance` does not converge (mmrm only);
  /// unset: toeplitz, ar1, cs (a scenario's default) when the model has two visits or more, none
  /// with one visit.
  std::optional<std::vector<CovarianceStructure>> fallback;
  std::optional<DfMethod> df;   ///< mmrm only; default satterthwaite (ANCOVA: residual)
  Estimand estimand = Estimand::treatment_policy;
  std::string control;          ///< the control arm; empty: the arm named placebo or control
  std::string arm;              ///< the arm compared with control; empty: the only other arm
  std::optional<double> visit;  ///< the primary visit (months); unset: the last visit in the data
  std::vector<double> visits;   ///< mmrm: visits whose differences are averaged; empty: the primary
  std::string response = "value";  ///< the analysed column
  std::string adjust;           ///< a stratification factor's column (at most 5 levels); empty: none
  std::optional<std::string> trial;  ///< the trial analysed, when a `trial` column holds several
  double alpha = 0.05;          ///< two-sided level; the interval is at 1 - alpha
};

/// The data as the analysis takes them.
struct LongData {
  std::string source;
  std::string response;                ///< the analysed column
  std::string adjust;                  ///< the stratification factor's column ("" for none)
  std::vector<std::string> levels;     ///< its levels, in stratum order (the first is the reference)
  std::string trial;                   ///< the trial analysed ("" when the file has no trial column)
  Scenario scenario;                   ///< arms (control first), visits and analysis; validated
  TrialData data;                      ///< one child per id, in the order of first appearance
  std::vector<std::string> ids;        ///< each child's id
  std::size_t comparison = 0;          ///< the compared arm among scenario.active_arms()
  std::size_t rows = 0;                ///< rows of the analysed trial
};

/// Checks the table against the options and builds the analysis's input.
LongData prepare_long_data(const CsvTable& table, const LongDataOptions& options);

/// The fitted comparison of one arm with control.
struct DataAnalysis {
  std::string source, response, adjust, trial;
  std::vector<std::string> levels;
  AnalysisMethod method = AnalysisMethod::mmrm;
  Estimand estimand = Estimand::treatment_policy;
  DfMethod df_method = DfMethod::residual;       ///< residual for ANCOVA
  CovarianceStructure requested = CovarianceStructure::unstructured;  ///< mmrm: --covariance
  std::vector<CovarianceStructure> fallbacks;    ///< mmrm: tried in order after `requested`
  CovarianceStructure structure = CovarianceStructure::unstructured;  ///< mmrm: the one that converged
  bool fallback = false;                         ///< mmrm: `structure` is a fallback
  int iterations = 0;                            ///< mmrm: of the fit that converged (0: in closed form)
  std::vector<std::string> arms;                 ///< control first, then the other arms sorted
  std::size_t control = 0, arm = 0;              ///< indices into arms
  std::vector<std::int64_t> children_by_arm, analysed_by_arm;
  std::int64_t rows = 0, children = 0, analysed = 0, observations = 0;
  std::vector<double> visits;           ///< every visit in the data (months)
  std::vector<double> model_visits;     ///< mmrm: the visits up to the primary; ANCOVA: the primary
  std::vector<double> contrast_visits;  ///< the visits whose differences are averaged
  double primary = 0;
  double alpha = 0.05;
  double estimate = 0, se = 0, df = 0, t = 0, p_value = 1, ci_lower = 0, ci_upper = 0;
  /// mmrm: the covariance of a child's visits (model_visits), row-major; ANCOVA: the residual
  /// variance (1 x 1).
  std::vector<double> covariance;
  std::size_t covariance_size = 0;
};

/// Runs the trial analysis (TrialAnalysis) on the data. ExitCode::data when an arm compared has no
/// child with an assessed visit, or the model cannot be fitted (too few children for the
/// covariance structure, or no convergence with it or its fallbacks).
DataAnalysis analyse_long_data(const LongData& data);

/// Reads (only the rows of the trial analysed, when there is a `trial` column), checks and
/// analyses a file.
DataAnalysis analyse_data_file(const std::string& path, const LongDataOptions& options);

}  // namespace celltrial
