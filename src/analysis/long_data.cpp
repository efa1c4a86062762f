// A trial's own data analysed as every simulated trial is: reading long-format CSV, checking it,
// and building the Scenario and TrialData that TrialAnalysis takes (see long_data.hpp).
#include "celltrial/analysis/long_data.hpp"
#include "celltrial/core/utf8.hpp"
#include "celltrial/stats/mmrm.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <unordered_map>

#include <Eigen/Dense>

#include "celltrial/analysis/trial_analysis.hpp"
#include "celltrial/core/error.hpp"
#include "celltrial/scenario/io.hpp"
#include "celltrial/stats/multiplicity.hpp"

namespace celltrial {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

[[noreturn]] void data_error(const std::string& file, int line, int column, const std::string& problem,
                             const std::string& fix) {
  throw Error(ExitCode::data, Diagnostic{{file, line, column}, "", problem, fix});
}

/// A problem with an option that was given: "command line (--arm x): error: ...".
[[noreturn]] void option_error(const std::string& given, const std::string& problem, const std::string& fix) {
  throw Error(ExitCode::usage, Diagnostic{{"command line (" + given + ")", 0, 0}, "", problem, fix});
}

/// A problem that an option not given would solve: "command line: error: --arm: ...".
[[noreturn]] void missing_option(const std::string& option, const std::string& problem, const std::string& fix) {
  throw Error(ExitCode::usage, Diagnostic{{"command line", 0, 0}, option, problem, fix});
}

std::string join(const std::vector<std::string>& xs, const std::string& sep = ", ") {
  std::string out;
  for (std::size_t i = 0; i < xs.size(); ++i) out += (i ? sep : "") + xs[i];
  return out;
}

std::string quoted_list(const std::vector<std::string>& xs) {
  std::vector<std::string> q;
  for (const auto& x : xs) q.push_back("'" + x + "'");
  return join(q);
}

std::string months_list(const std::vector<double>& xs) {
  std::vector<std::string> t;
  for (double x : xs) t.push_back(format_number(x));
  return join(t);
}

/// A cell's text for a message: at most 40 characters, line breaks shown as \n.
std::string shown(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else out += c;
  }
  return out.size() > 40 ? out.substr(0, 37) + "..." : out;
}

// ---- reading CSV ----


/// Line and column (1-based) of a byte offset.
std::pair<int, int> position(std::string_view text, std::size_t at) {
  const auto line = std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n') + 1;
  const std::size_t newline = at == 0 ? std::string_view::npos : text.rfind('\n', at - 1);
  const std::size_t start = newline == std::string_view::npos ? 0 : newline + 1;
  return {static_cast<int>(line), static_cast<int>(at - start) + 1};
}

bool blank(char c) { return c == ' ' || c == '\t'; }

enum class Parsed { number, empty, not_a_number, not_finite };

Parsed parse_number(const std::string& s, double& x) {
  if (s.empty()) return Parsed::empty;
  const char* first = s.data();
  const char* last = s.data() + s.size();
  if (*first == '+') ++first;
  if (first == last || *first == '+') return Parsed::not_a_number;
  const auto [end, ec] = std::from_chars(first, last, x);
  if (ec != std::errc() || end != last) return Parsed::not_a_number;
  return std::isfinite(x) ? Parsed::number : Parsed::not_finite;
}

/// A trial label compared as a number when it is one ("1" and "1.0" are the same trial).
std::string trial_key(const std::string& s) {
  double x = 0;
  return parse_number(s, x) == Parsed::number ? format_number(x) : s;
}


}  // namespace

CsvTable parse_csv(std::string_view text, const std::string& source, const CsvSelection& select) {
  CsvTable t;
  t.source = source;
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  if (text.size() >= 2 && ((byte(0) == 0xFF && byte(1) == 0xFE) || (byte(0) == 0xFE && byte(1) == 0xFF)))
    data_error(source, 1, 1, "the file is UTF-16 text (it starts with a UTF-16 byte-order mark).",
               "save it as UTF-8 CSV (in a spreadsheet: 'CSV UTF-8') or as plain CSV.");
  if (text.size() >= 3 && byte(0) == 0xEF && byte(1) == 0xBB && byte(2) == 0xBF) text.remove_prefix(3);  // UTF-8 mark
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    const auto [line, column] = position(text, nul);
    data_error(source, line, column, "the file is not text (it contains a NUL byte).",
               "give a CSV file: a header line such as id,arm,visit,value,baseline and one row per child and visit.");
  }
  if (const std::size_t bad = invalid_utf8_at(text); bad != std::string_view::npos) {
    const auto [line, column] = position(text, bad);
    data_error(source, line, column, "the file is not UTF-8 text (a byte here is not part of any UTF-8 character).",
               "save the file as UTF-8 (or plain ASCII) CSV.");
  }
  const auto control = std::find_if(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 && u != '\t' && u != '\n' && u != '\r';
  });
  if (control != text.end()) {
    const auto [line, column] = position(text, static_cast<std::size_t>(control - text.begin()));
    char code[8];
    std::snprintf(code, sizeof code, "%02X", static_cast<unsigned>(static_cast<unsigned char>(*control)));
    data_error(source, line, column, std::string("the file contains the control character 0x") + code + ".",
               "remove it (editors show it as a box or as ^ and a letter); a CSV file holds text, commas and line breaks.");
  }
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    data_error(source, 0, 0, "the file is empty.",
               "give a CSV file: a header line such as id,arm,visit,value,baseline and one row per child and visit.");

  const std::size_t n = text.size();
  std::size_t i = 0, line_start = 0;
  int line = 1;
  const auto column = [&](std::size_t at) { return static_cast<int>(at - line_start) + 1; };
  bool have_header = false;
  std::size_t rows = 0;               // data rows, kept or not
  int selected = -1;                  // the column of the selection
  std::string wanted;                 // the selected value's key ("" until the first row without a value)
  std::unordered_map<std::string, std::size_t> seen;  // values of the selection's column
  while (i < n) {
    CsvTable::Row row;
    row.line = line;
    bool quoted = false;
    for (;;) {  // one cell
      while (i < n && blank(text[i])) ++i;
      std::string cell;
      int col = column(i);
      if (i < n && text[i] == '"') {
        quoted = true;
        const int open_line = line, open_col = column(i);
        ++i;
        for (;;) {
          if (i >= n)
            data_error(source, open_line, open_col, "this quoted cell has no closing quote.",
                       "close the quote; a quote inside a quoted cell is written twice (\"\").");
          const char c = text[i];
          if (c == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              cell += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          cell += c;
          ++i;
          if (c == '\n') {
            ++line;
            line_start = i;
          }
        }
        while (i < n && blank(text[i])) ++i;
        if (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
          data_error(source, line, column(i), "text follows the closing quote of a quoted cell.",
                     "put the whole cell in quotes, and write a quote inside it twice (\"\").");
      } else {
        const std::size_t start = i;
        while (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') ++i;
        std::size_t end = i;
        while (end > start && blank(text[end - 1])) --end;
        cell.assign(text.substr(start, end - start));
        col = column(start);
      }
      row.cells.push_back(std::move(cell));
      row.columns.push_back(col);
      if (i < n && text[i] == ',') {
        ++i;
        continue;
      }
      if (i < n && text[i] == '\r') {
        if (i + 1 < n && text[i + 1] == '\n') ++i;
        else
          data_error(source, line, column(i),
                     "a carriage return without a line feed ends a line here (the line endings of classic Mac OS).",
                     "save the file with LF (Unix) or CRLF (Windows) line endings.");
      }
      if (i < n && text[i] == '\n') {
        ++i;
        ++line;
        line_start = i;
      }
      break;
    }
    if (row.cells.size() == 1 && row.cells[0].empty() && !quoted) continue;  // a blank line
    if (!have_header) {
      have_header = true;
      t.header = std::move(row.cells);
      t.header_columns = std::move(row.columns);
      for (std::size_t c = 0; c < t.header.size(); ++c)
        for (std::size_t e = 0; e < c; ++e)
          if (!t.header[c].empty() && t.header[c] == t.header[e])
            data_error(source, row.line, t.header_columns[c],
                       "the column name '" + t.header[c] + "' appears twice in the header (columns " + std::to_string(e + 1) +
                           " and " + std::to_string(c + 1) + ").",
                       "give every column its own name.");
      for (std::size_t c = 0; c < t.header.size() && !select.column.empty(); ++c)
        if (t.header[c] == select.column) selected = static_cast<int>(c);
      t.selected = selected >= 0;
      if (select.value) wanted = trial_key(*select.value);
      continue;
    }
    if (row.cells.size() != t.header.size())
      data_error(source, row.line, 0,
                 "the row has " + std::to_string(row.cells.size()) + " cells; the header has " +
                     std::to_string(t.header.size()) + " (" + join(t.header) + ").",
                 "give every row one cell per column; a cell that holds a comma must be in quotes.");
    ++rows;
    if (selected >= 0) {
      const auto c = static_cast<std::size_t>(selected);
      if (row.cells[c].empty())
        data_error(source, row.line, row.columns[c], "column '" + select.column + "' is empty.",
                   "give every row its " + select.column + ".");
      const std::string key = trial_key(row.cells[c]);
      if (seen.emplace(key, t.values.size()).second) t.values.push_back(row.cells[c]);
      if (wanted.empty()) wanted = key;
      if (key != wanted) continue;
    }
    t.rows.push_back(std::move(row));
  }
  if (rows == 0)
    data_error(source, 0, 0, "the file has a header but no rows.", "add one row per child and visit.");
  return t;
}

CsvTable read_csv_file(const std::string& path, const CsvSelection& select) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec || !fs::exists(st))
    throw Error(ExitCode::no_input, Diagnostic{{path, 0, 0}, "", "no such file.", "check the path."});
  if (fs::is_directory(st))
    throw Error(ExitCode::no_input,
                Diagnostic{{path, 0, 0}, "", "this is a folder, not a file.", "give the path of the CSV file."});
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open())
    throw Error(ExitCode::no_input,
                Diagnostic{{path, 0, 0}, "", "the file cannot be read.", "check that you may read it (its permissions)."});
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_csv(text, path, select);
}

namespace {

// ---- checking the data ----

/// A missing response or event month: an empty cell or R's NA.
bool missing(const std::string& s) { return s.empty() || s == "NA"; }

struct Columns {
  std::size_t id = 0, arm = 0, visit = 0, response = 0, baseline = 0;
  int status = -1, trial = -1, event = -1, adjust = -1;
};

class Checker {
 public:
  explicit Checker(const CsvTable& t) : t_(t) {}

  int find(const std::string& name) const {
    for (std::size_t c = 0; c < t_.header.size(); ++c)
      if (t_.header[c] == name) return static_cast<int>(c);
    return -1;
  }

  /// The column `name`; a missing one is a problem of the file, or of the option `given` that named it.
  std::size_t need(const std::string& name, const std::string& role, const std::string& given = "") const {
    const int c = find(name);
    if (c >= 0) return static_cast<std::size_t>(c);
    const std::string guess = closest_match(name, t_.header);
    const std::string problem =
        "the header has no column '" + name + "' (" + role + "); its columns are: " + join(t_.header) + ".";
    const std::string fix = guess.empty() ? std::string("name the columns id, arm, visit, value (or the --response column) "
                                                        "and baseline in the header line.")
                                          : "did you mean '" + guess + "'? Column names are case-sensitive.";
    if (!given.empty()) option_error(given, problem, fix);
    data_error(t_.source, 1, 0, problem, fix);
  }

  double number(const CsvTable::Row& r, std::size_t c) const {
    double x = 0;
    const std::string& s = r.cells[c];
    switch (parse_number(s, x)) {
      case Parsed::number: return x;
      case Parsed::empty:
        data_error(t_.source, r.line, r.columns[c], "column '" + t_.header[c] + "' is empty.",
                   "give a number, e.g. 12 or 3.5.");
      case Parsed::not_finite:
        data_error(t_.source, r.line, r.columns[c],
                   "column '" + t_.header[c] + "': '" + shown(s) + "' is not a finite number.", "give a number, e.g. 12 or 3.5.");
      case Parsed::not_a_number: break;
    }
    data_error(t_.source, r.line, r.columns[c], "column '" + t_.header[c] + "': '" + shown(s) + "' is not a number.",
               "write a number such as 12 or -3.5 (a decimal point, not a comma; no units).");
  }

  const std::string& text(const CsvTable::Row& r, std::size_t c) const {
    if (r.cells[c].empty())
      data_error(t_.source, r.line, r.columns[c], "column '" + t_.header[c] + "' is empty.",
                 "give every row its " + t_.header[c] + ".");
    return r.cells[c];
  }

  [[noreturn]] void at(const CsvTable::Row& r, std::size_t c, const std::string& problem, const std::string& fix) const {
    data_error(t_.source, r.line, r.columns[c], problem, fix);
  }

 private:
  const CsvTable& t_;
};

struct ChildRow {
  std::string id, arm, level;
  double baseline = 0, event = kNaN;
  const CsvTable::Row* first = nullptr;  ///< the child's first row
};

struct Assessment {
  std::size_t child = 0;
  double visit = 0;
  bool assessed = false;
  double y = 0;
  const CsvTable::Row* row = nullptr;
};

bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

std::string option_text(const std::string& option, const std::vector<double>& xs) {
  std::vector<std::string> t;
  for (double x : xs) t.push_back(format_number(x));
  return option + " " + join(t, ",");
}

std::string structures_text(const std::vector<CovarianceStructure>& xs) {
  std::vector<std::string> t;
  for (auto x : xs) t.push_back(to_string(x));
  return t.empty() ? std::string("none") : join(t, ",");
}

/// Where a problem that scenario validation found with the built scenario comes from: the option
/// that set the key, or the data (design and arms).
Location origin(const std::string& key, const LongDataOptions& o, const std::string& source, bool& from_option) {
  from_option = true;
  auto starts = [&](const char* prefix) { return key.rfind(prefix, 0) == 0; };
  auto given = [](const std::string& text) { return Location{"command line (" + text + ")", 0, 0}; };
  if (starts("analysis.mmrm.covariance"))
    return given("--covariance " + std::string(to_string(o.covariance.value_or(CovarianceStructure::unstructured))));
  if (starts("analysis.mmrm.fallback"))
    return given(o.fallback ? "--fallback " + structures_text(*o.fallback) : std::string("--fallback (default)"));
  if (starts("analysis.mmrm.df")) return given("--df " + std::string(to_string(o.df.value_or(DfMethod::satterthwaite))));
  if (starts("analysis.mmrm.visits_months")) return given(option_text("--visits", o.visits));
  if (starts("analysis.primary_visit_months") && o.visit) return given("--visit " + format_number(*o.visit));
  if (starts("analysis.estimand")) return given("--estimand " + std::string(to_string(o.estimand)));
  if (starts("analysis.alpha") || starts("analysis.ci_level")) return given("--alpha " + format_number(o.alpha));
  if (starts("analysis.method")) return given("--method " + std::string(to_string(o.method)));
  if (starts("analysis.adjust_for") && !o.adjust.empty()) return given("--adjust " + o.adjust);
  from_option = false;
  return Location{source, 0, 0};
}

}  // namespace

LongData prepare_long_data(const CsvTable& t, const LongDataOptions& o) {
  const std::string& src = t.source;
  const Checker check(t);
  const bool mmrm = o.method == AnalysisMethod::mmrm;

  // Options that only the mixed model takes.
  if (!mmrm) {
    const std::string fix = "use --method mmrm, or leave it out: the ANCOVA analyses the primary visit alone.";
    if (o.covariance)
      option_error("--covariance " + std::string(to_string(*o.covariance)),
                   "a covariance structure is part of the mixed model, not of the ANCOVA.", fix);
    if (o.fallback)
      option_error("--fallback " + structures_text(*o.fallback), "fallback structures are part of the mixed model, not of the ANCOVA.", fix);
    if (o.df)
      option_error("--df " + std::string(to_string(*o.df)),
                   "the ANCOVA's degrees of freedom are the residual ones (children analysed minus parameters).", fix);
    if (!o.visits.empty())
      option_error(option_text("--visits", o.visits), "averaging the difference over visits is an estimate of the mixed model.",
                   "use --method mmrm, or leave --visits out (choose the ANCOVA's visit with --visit).");
  }

  Columns col;
  col.id = check.need("id", "each child's identifier");
  col.arm = check.need("arm", "each child's arm");
  col.visit = check.need("visit", "the month of the visit");
  col.baseline = check.need("baseline", "each child's baseline score");
  col.response = check.need(o.response, "the response", o.response == "value" ? "" : "--response " + o.response);
  col.status = check.find("status");
  col.trial = check.find("trial");
  col.event = check.find("event_month");
  if (!o.adjust.empty())
    col.adjust = static_cast<int>(check.need(o.adjust, "the factor to adjust for", "--adjust " + o.adjust));
  const std::pair<std::size_t, const char*> fixed[] = {{col.id, "id"}, {col.arm, "arm"}, {col.visit, "visit"}, {col.baseline, "baseline"}};
  for (const auto& [c, name] : fixed)
    if (col.response == c)
      option_error("--response " + o.response, "the response cannot be the column '" + std::string(name) + "'.",
                   "name the column of the outcome, e.g. --response value or --response change.");

  // The trial analysed.
  std::vector<const CsvTable::Row*> rows;
  std::string trial;
  if (col.trial < 0) {
    if (o.trial)
      option_error("--trial " + *o.trial, "the file has no 'trial' column: it holds one trial.", "leave --trial out.");
    for (const auto& r : t.rows) rows.push_back(&r);
  } else {
    const auto tc = static_cast<std::size_t>(col.trial);
    // The trials in the file: recorded by the reader when it kept one trial's rows, else found here.
    std::vector<std::string> trials;
    if (t.selected) {
      trials = t.values;
    } else {
      std::unordered_map<std::string, std::size_t> found;
      for (const auto& r : t.rows)
        if (found.emplace(trial_key(check.text(r, tc)), trials.size()).second) trials.push_back(r.cells[tc]);
    }
    std::unordered_map<std::string, std::size_t> seen;
    for (std::size_t k = 0; k < trials.size(); ++k) seen.emplace(trial_key(trials[k]), k);
    auto some = [&]() {
      std::vector<std::string> first(trials.begin(), trials.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(trials.size(), 10)));
      return join(first) + (trials.size() > 10 ? ", ... (" + std::to_string(trials.size()) + " in all)" : "");
    };
    if (!o.trial) {
      if (trials.size() > 1)
        missing_option("--trial",
                       "the file holds " + std::to_string(trials.size()) + " trials (column 'trial': " + some() +
                           "); the analysis takes one.",
                       "choose one, e.g. --trial " + trials.front() + ".");
      trial = trials.front();
    } else {
      const auto it = seen.find(trial_key(*o.trial));
      if (it == seen.end())
        option_error("--trial " + *o.trial, "the file has no trial '" + *o.trial + "' (column 'trial': " + some() + ").",
                     "choose one of the trials in the file.");
      trial = trials[it->second];
    }
    const std::string key = trial_key(trial);
    for (const auto& r : t.rows)
      if (trial_key(r.cells[tc]) == key) rows.push_back(&r);
  }
  const std::string in_trial = trial.empty() || col.trial < 0 ? std::string() : " (trial " + trial + ")";

  // Rows by child.
  std::vector<ChildRow> children;
  std::unordered_map<std::string, std::size_t> child_of;
  std::vector<Assessment> assessments;
  assessments.reserve(rows.size());
  for (const CsvTable::Row* r : rows) {
    const std::string& id = check.text(*r, col.id);
    const std::string& arm = check.text(*r, col.arm);
    if (arm.find_first_of("\r\n") != std::string::npos)
      check.at(*r, col.arm, "the arm's name '" + shown(arm) + "' holds a line break.", "write each arm's name on one line.");
    const double visit = check.number(*r, col.visit);
    if (!(visit > 0))
      check.at(*r, col.visit,
               "visit " + r->cells[col.visit] +
                   " is not after randomisation: visits are months after it, and the baseline score is the column "
                   "'baseline'.",
               "leave out the rows of visit 0 (the baseline assessment), or give visits in months after randomisation.");
    const double baseline = check.number(*r, col.baseline);
    double event = kNaN;
    if (col.event >= 0 && !missing(r->cells[static_cast<std::size_t>(col.event)]))
      event = check.number(*r, static_cast<std::size_t>(col.event));
    std::string level;
    if (col.adjust >= 0) level = check.text(*r, static_cast<std::size_t>(col.adjust));
    Assessment a;
    a.visit = visit;
    a.row = r;
    a.assessed = (col.status < 0 || r->cells[static_cast<std::size_t>(col.status)] == "observed") &&
                 !missing(r->cells[col.response]);
    if (a.assessed) a.y = check.number(*r, col.response);

    const auto [it, added] = child_of.emplace(id, children.size());
    a.child = it->second;
    if (added) {
      children.push_back(ChildRow{id, arm, level, baseline, event, r});
    } else {
      const ChildRow& c = children[it->second];
      const std::string first = " on line " + std::to_string(c.first->line);
      if (c.arm != arm)
        check.at(*r, col.arm, "child '" + id + "' is in arm '" + arm + "' here but in arm '" + c.arm + "'" + first + ".",
                 "a child has one arm: give the same arm on each of its rows.");
      if (c.baseline != baseline)
        check.at(*r, col.baseline,
                 "child '" + id + "' has baseline " + r->cells[col.baseline] + " here but " + c.first->cells[col.baseline] + first + ".",
                 "a child has one baseline score: give the same value on each of its rows.");
      if (col.adjust >= 0 && c.level != level)
        check.at(*r, static_cast<std::size_t>(col.adjust),
                 "child '" + id + "' has " + o.adjust + " '" + level + "' here but '" + c.level + "'" + first + ".",
                 "a child has one level of the factor adjusted for: give the same on each of its rows.");
      if (col.event >= 0 && !same(c.event, event)) {
        const auto ec = static_cast<std::size_t>(col.event);
        check.at(*r, ec,
                 "child '" + id + "' has event_month '" + r->cells[ec] + "' here but '" + c.first->cells[ec] + "'" + first + ".",
                 "event_month is the month of the child's first intercurrent event: give the same on each of its rows "
                 "(empty for none).");
      }
    }
    assessments.push_back(a);
  }
  const std::size_t n = children.size();
  if (n > 1000000)
    data_error(src, 0, 0, "the data hold " + std::to_string(n) + " children" + in_trial + "; the analysis takes at most 1,000,000.",
               "analyse a trial at a time (column 'trial', option --trial).");

  // Visits, and one row per child and visit.
  std::vector<double> visits;
  for (const auto& a : assessments) visits.push_back(a.visit);
  std::sort(visits.begin(), visits.end());
  visits.erase(std::unique(visits.begin(), visits.end()), visits.end());
  const std::size_t V = visits.size();
  if (V > kMaxVisits)
    data_error(src, 0, 0,
               "the data have " + std::to_string(V) + " visits" + in_trial + "; the model takes at most " +
                   std::to_string(kMaxVisits) + ".",
               "leave out visits the analysis does not need.");
  auto visit_index = [&](double v) {
    return static_cast<std::size_t>(std::lower_bound(visits.begin(), visits.end(), v) - visits.begin());
  };
  {
    std::vector<const CsvTable::Row*> at(n * V, nullptr);
    for (const auto& a : assessments) {
      const CsvTable::Row*& slot = at[a.child * V + visit_index(a.visit)];
      if (slot)
        check.at(*a.row, col.visit,
                 "child '" + children[a.child].id + "' has a second row for visit " + format_number(a.visit) +
                     " (the first is on line " + std::to_string(slot->line) + ").",
                 "keep one row per child and visit.");
      slot = a.row;
    }
  }

  // Arms: the control first, then the others in sorted order.
  std::vector<std::string> names;
  for (const auto& c : children) names.push_back(c.arm);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  if (names.size() < 2)
    data_error(src, 0, 0,
               "the data have one arm ('" + names.front() + "')" + in_trial + "; the analysis compares an arm with a control.",
               "give the rows of every arm (column 'arm').");
  if (names.size() > kMaxArms)
    data_error(src, 0, 0,
               "the data have " + std::to_string(names.size()) + " arms (" + quoted_list(names) + "); the analysis takes at most " +
                   std::to_string(kMaxArms) + ", the control included.",
               "leave out the rows of arms not compared.");
  auto has = [&](const std::string& a) { return std::find(names.begin(), names.end(), a) != names.end(); };
  auto unknown_arm = [&](const std::string& option, const std::string& a) {
    const std::string guess = closest_match(a, names);
    option_error(option + " " + a, "there is no arm '" + a + "' in the data" + in_trial + " (arms: " + quoted_list(names) + ").",
                 guess.empty() ? std::string("use one of the arms.") : "did you mean '" + guess + "'?");
  };
  std::string control = o.control;
  if (!control.empty()) {
    if (!has(control)) unknown_arm("--control", control);
  } else if (has("placebo") && has("control")) {
    missing_option("--control", "the data have an arm 'placebo' and an arm 'control'; which is the control arm is not known.",
                   "name it, e.g. --control placebo.");
  } else if (has("placebo") || has("control")) {
    control = has("placebo") ? "placebo" : "control";
  } else {
    missing_option("--control",
                   "no arm is named 'placebo' or 'control', so the control arm is not known (arms: " + quoted_list(names) + ").",
                   "name it, e.g. --control " + names.front() + ".");
  }
  std::vector<std::string> arms{control}, others;
  for (const auto& a : names)
    if (a != control) others.push_back(a);
  arms.insert(arms.end(), others.begin(), others.end());
  std::size_t compared = 0;  // among the active arms
  if (!o.arm.empty()) {
    if (!has(o.arm)) unknown_arm("--arm", o.arm);
    if (o.arm == control)
      option_error("--arm " + o.arm, "'" + o.arm + "' is the control arm.",
                   "name the arm to compare with it: " + quoted_list(others) + ".");
    compared = static_cast<std::size_t>(std::find(arms.begin(), arms.end(), o.arm) - arms.begin()) - 1;
  } else if (arms.size() > 2) {
    missing_option("--arm",
                   "the data have " + std::to_string(arms.size() - 1) + " arms besides the control '" + control + "' (" +
                       quoted_list(others) + "); the analysis compares one of them with it.",
                   "choose one, e.g. --arm " + arms[1] + ".");
  }

  // The primary visit and the visits averaged.
  auto not_a_visit = [&](const std::string& given, double v) {
    option_error(given, "month " + format_number(v) + " is not a visit in the data" + in_trial + " (visits: " + months_list(visits) + ").",
                 "use the data's visits (months, as in column 'visit').");
  };
  auto is_visit = [&](double v) { return std::isfinite(v) && std::binary_search(visits.begin(), visits.end(), v); };
  double primary = visits.back();
  if (o.visit) {
    if (!is_visit(*o.visit)) not_a_visit("--visit " + format_number(*o.visit), *o.visit);
    primary = *o.visit;
  }
  for (std::size_t i = 0; i < o.visits.size(); ++i) {
    const double v = o.visits[i];
    const std::string given = option_text("--visits", o.visits);
    if (!is_visit(v)) not_a_visit(given, v);
    if (v > primary)
      option_error(given,
                   "month " + format_number(v) + " is after the primary visit (month " + format_number(primary) +
                       "); the model has the visits up to the primary one.",
                   "average over visits up to month " + format_number(primary) + ", or choose a later primary visit with --visit.");
    if (std::find(o.visits.begin(), o.visits.begin() + static_cast<std::ptrdiff_t>(i), v) != o.visits.begin() + static_cast<std::ptrdiff_t>(i))
      option_error(given, "month " + format_number(v) + " is listed twice.", "list each visit once.");
  }
  std::size_t up_to_primary = 0;
  for (double v : visits) up_to_primary += v <= primary;

  // Levels of the factor adjusted for, in sorted order (as numbers when all are numbers).
  std::vector<std::string> levels;
  if (col.adjust >= 0) {
    for (const auto& c : children) levels.push_back(c.level);
    std::sort(levels.begin(), levels.end());
    levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
    if (levels.size() > static_cast<std::size_t>(kGmfcsLevels))
      option_error("--adjust " + o.adjust,
                   "column '" + o.adjust + "' has " + std::to_string(levels.size()) + " levels" + in_trial +
                       "; --adjust takes a factor of at most " + std::to_string(kGmfcsLevels) + " levels (such as gmfcs I to V).",
                   "adjust for a factor with at most " + std::to_string(kGmfcsLevels) + " levels, or group its levels in a column of their own.");
    const bool numeric = std::all_of(levels.begin(), levels.end(), [](const std::string& s) {
      double x = 0;
      return parse_number(s, x) == Parsed::number;
    });
    if (numeric)
      std::stable_sort(levels.begin(), levels.end(), [](const std::string& a, const std::string& b) {
        double x = 0, y = 0;
        parse_number(a, x);
        parse_number(b, y);
        return x < y;
      });
  }

  // The analysis as a scenario.
  Scenario s;
  s.name = "analyse";
  for (std::size_t a = 0; a < arms.size(); ++a) {
    Arm arm;
    arm.name = arms[a];
    arm.role = a == 0 ? ArmRole::control : ArmRole::active;
    if (a > 0) arm.effect_by_month = {{primary, 0.0}};
    s.arms.push_back(arm);
  }
  s.design.sample_size = std::max<std::int64_t>(static_cast<std::int64_t>(n), 2 * static_cast<std::int64_t>(arms.size()));
  s.design.visits_months = visits;
  s.analysis.method = o.method;
  s.analysis.estimand = o.estimand;
  s.analysis.primary_visit_months = primary;
  if (col.adjust >= 0) s.analysis.adjust_for = {Covariate::gmfcs};
  s.analysis.alpha = o.alpha;
  s.analysis.sides = 2;
  if (o.alpha >= kMinAlpha && o.alpha <= 0.5) s.analysis.ci_level = 1 - o.alpha;
  if (mmrm) {
    s.analysis.mmrm.covariance = o.covariance.value_or(CovarianceStructure::unstructured);
    s.analysis.mmrm.df = o.df.value_or(DfMethod::satterthwaite);
    s.analysis.mmrm.visits_months = o.visits;
    if (o.fallback) s.analysis.mmrm.fallback = *o.fallback;
    else if (up_to_primary < 2) s.analysis.mmrm.fallback.clear();  // structures with a correlation need two visits
  }
  // Validated as a scenario file is; problems are reported at the option that set the key, or at
  // the data.
  LongData out;
  try {
    out.scenario = load_scenario_text(to_yaml(s), src + " (the analysis as a scenario)");
  } catch (const Error& e) {
    std::vector<Diagnostic> diags;
    bool all_options = true;
    for (Diagnostic d : e.diagnostics()) {
      bool from_option = false;
      d.where = origin(d.key_path, o, src, from_option);
      all_options = all_options && from_option;
      diags.push_back(d);
    }
    throw Error(all_options ? ExitCode::usage : ExitCode::data, diags);
  }
  if (o.estimand == Estimand::hypothetical && col.event < 0)
    data_error(src, 1, 0,
               "the hypothetical estimand sets a child's visits after its first intercurrent event missing, but the header has "
               "no column 'event_month' (its columns are: " + join(t.header) + ").",
               "add event_month (the month of the child's first intercurrent event; empty for none), or use the "
               "treatment-policy estimand.");

  // The children as a trial.
  TrialData& d = out.data;
  d.resize(n);
  d.visits = V;
  d.visit_change.assign(n * V, 0.0);
  d.status.assign(n * V, static_cast<std::uint8_t>(VisitStatus::missed));
  d.event_month.assign(n, kNaN);
  d.screened = n;
  for (std::size_t j = 0; j < n; ++j) {
    const ChildRow& c = children[j];
    const auto a = static_cast<std::size_t>(std::find(arms.begin(), arms.end(), c.arm) - arms.begin());
    d.arm[j] = static_cast<std::uint8_t>(a);
    d.stratum[j] = col.adjust >= 0
                       ? static_cast<std::uint8_t>(std::find(levels.begin(), levels.end(), c.level) - levels.begin())
                       : std::uint8_t{0};
    d.baseline[j] = c.baseline;
    d.event_month[j] = c.event;
    d.totals.n[a] += 1;
    out.ids.push_back(c.id);
  }
  for (const auto& a : assessments) {
    if (!a.assessed) continue;
    const std::size_t at = a.child * V + visit_index(a.visit);
    d.status[at] = static_cast<std::uint8_t>(VisitStatus::observed);
    d.visit_change[at] = a.y;
  }
  const std::size_t pv = visit_index(primary);
  for (std::size_t j = 0; j < n; ++j) {
    const bool seen = d.status[j * V + pv] == static_cast<std::uint8_t>(VisitStatus::observed);
    d.observed[j] = seen;
    d.change[j] = seen ? d.visit_change[j * V + pv] : 0.0;  // finite: the ANCOVA weighs it by 0
  }
  out.source = src;
  out.response = o.response;
  out.adjust = o.adjust;
  out.levels = levels;
  out.trial = col.trial >= 0 ? trial : std::string();
  out.comparison = compared;
  out.rows = rows.size();
  return out;
}

namespace {

}  // namespace

DataAnalysis analyse_long_data(const LongData& ld) {
  const Scenario& s = ld.scenario;
  const TrialData& d = ld.data;
  const std::string& src = ld.source;
  const bool mmrm = s.analysis.method == AnalysisMethod::mmrm;
  const auto active = s.active_arms();
  const std::size_t A = s.arms.size(), control = s.control_arm(), arm = active[ld.comparison];
  const std::size_t V = d.visits;
  const double primary = s.analysis.primary_visit_months;

  DataAnalysis out;
  out.source = src;
  out.response = ld.response;
  out.adjust = ld.adjust;
  out.levels = ld.levels;
  out.trial = ld.trial;
  out.method = s.analysis.method;
  out.estimand = s.analysis.estimand;
  out.alpha = s.analysis.alpha;
  out.primary = primary;
  out.visits = s.design.visits_months;
  for (const auto& a : s.arms) out.arms.push_back(a.name);
  out.control = control;
  out.arm = arm;
  out.rows = static_cast<std::int64_t>(ld.rows);
  out.children = static_cast<std::int64_t>(d.size());
  for (std::size_t a = 0; a < A; ++a) out.children_by_arm.push_back(d.totals.n[a]);
  if (mmrm) {
    out.df_method = s.analysis.mmrm.df;
    out.requested = s.analysis.mmrm.covariance;
    for (auto f : s.analysis.mmrm.fallback)
      if (f != out.requested && std::find(out.fallbacks.begin(), out.fallbacks.end(), f) == out.fallbacks.end())
        out.fallbacks.push_back(f);
    for (double v : out.visits)
      if (v <= primary) out.model_visits.push_back(v);
    if (out.model_visits.size() < 2)  // as the analysis does: with one visit only the unstructured fits
      out.fallbacks.erase(std::remove_if(out.fallbacks.begin(), out.fallbacks.end(),
                                         [](auto c) { return c != CovarianceStructure::unstructured; }),
                          out.fallbacks.end());
    out.contrast_visits = s.analysis.mmrm.visits_months.empty() ? std::vector<double>{primary} : s.analysis.mmrm.visits_months;
  } else {
    out.df_method = DfMethod::residual;
    out.model_visits = {primary};
    out.contrast_visits = {primary};
  }

  // What the analysis takes of each child: its assessed visits in the model (the hypothetical
  // estimand: none after the child's first intercurrent event), as TrialAnalysis selects them.
  const bool hypothetical = s.analysis.estimand == Estimand::hypothetical;
  std::vector<std::int64_t> analysed(A, 0);
  std::vector<std::vector<std::int64_t>> at_visit(A, std::vector<std::int64_t>(V, 0));
  for (std::size_t j = 0; j < d.size(); ++j) {
    std::int64_t k = 0;
    for (std::size_t v = 0; v < V; ++v) {
      const double month = out.visits[v];
      if (mmrm ? month > primary : month != primary) continue;
      if (d.status[j * V + v] != static_cast<std::uint8_t>(VisitStatus::observed)) continue;
      if (hypothetical && month > d.event_month[j]) continue;
      ++k;
      ++at_visit[d.arm[j]][v];
    }
    out.observations += k;
    if (k > 0) ++analysed[d.arm[j]];
  }
  out.analysed_by_arm = analysed;
  for (auto k : analysed) out.analysed += k;
  const std::string where = mmrm ? "up to month " + format_number(primary) : "at month " + format_number(primary);
  const std::string assessed_fix =
      "an assessed visit has a number in column '" + ld.response + "'" +
      " (and, when there is a column 'status', 'observed' there)" + (hypothetical ? "; with the hypothetical estimand, none after the child's event_month" : "") + ".";
  if (out.analysed == 0)
    data_error(src, 0, 0, "no child has an assessed visit " + where + ".", assessed_fix);
  for (std::size_t a = 0; a < A; ++a)
    if (analysed[a] == 0 && (a == control || a == arm || !mmrm))
      data_error(src, 0, 0,
                 "arm '" + s.arms[a].name + "' has no child with an assessed visit " + where +
                     (a == control || a == arm ? "." : "; the ANCOVA needs every arm."),
                 assessed_fix);

  TrialResult r;
  try {
    const TrialAnalysis analysis(s, std::vector<double>(active.size(), 0.0));
    analysis.analyse(d, r);
  } catch (const Error& e) {
    if (e.code() == ExitCode::software) throw;
    data_error(src, 0, 0, "the model's test cannot be computed from these data (" + e.diagnostics().front().problem + ")",
               mmrm ? "try --df residual, or a simpler --covariance (cs or ar1)." : "check the data.");
  }
  for (std::size_t a = 0; a < A; ++a) CELLTRIAL_ASSERT(r.analysed[a] == analysed[a]);
  const std::string counts = mmrm ? std::to_string(out.analysed) + " children with " + std::to_string(out.observations) +
                                        (out.observations == 1 ? " observation" : " observations")
                                  : std::to_string(out.analysed) + " children assessed at month " + format_number(primary);
  if (mmrm && !r.mmrm.fitted) {
    std::string tried = std::string(to_string(out.requested));
    for (auto f : out.fallbacks) tried += std::string(", ") + to_string(f);
    const std::size_t M = out.model_visits.size();
    data_error(src, 0, 0,
               "the mixed model cannot be fitted with the " + std::string(to_string(out.requested)) + " covariance" +
                   (out.fallbacks.empty() ? std::string() : " or any fallback (tried: " + tried + ")") + ": " + counts +
                   " over " + std::to_string(M) + (M == 1 ? " visit" : " visits") +
                   " are too few to estimate it, or the fit does not converge (the " + to_string(out.requested) +
                   " structure has " + std::to_string(stats::covariance_parameters(out.requested, M)) + " covariance parameters).",
               "try a simpler --covariance (cs or ar1 have 2 parameters), fewer visits (--visit), or more children.");
  }
  const ComparisonResult& c = r.comparisons[ld.comparison];
  if (!c.estimable) {
    for (double v : out.contrast_visits) {
      const std::size_t vi = static_cast<std::size_t>(std::lower_bound(out.visits.begin(), out.visits.end(), v) - out.visits.begin());
      for (std::size_t a : {control, arm})
        if (at_visit[a][vi] == 0)
          data_error(src, 0, 0, "arm '" + s.arms[a].name + "' has no assessed visit at month " + format_number(v) +
                                    ", so the difference there cannot be estimated.",
                     "compare at visits both arms attended (--visit, --visits).");
    }
    data_error(src, 0, 0,
               "the difference '" + s.arms[arm].name + "' - '" + s.arms[control].name + "' cannot be estimated from " + counts +
                   ": the model has more parameters than the data determine.",
               std::string(mmrm ? "try a simpler --covariance (cs or ar1)" : "analyse more children") +
                   (ld.adjust.empty() ? "." : ", or leave out --adjust."));
  }
  if (!(std::isfinite(c.df) && c.df > 0))
    data_error(src, 0, 0, "the " + std::string(to_string(out.df_method)) + " degrees of freedom cannot be computed from these data.",
               "try --df residual, or a simpler --covariance (cs or ar1).");
  if (mmrm) {
    out.structure = static_cast<CovarianceStructure>(r.mmrm.structure);
    out.fallback = r.mmrm.fallback;
    out.iterations = r.mmrm.iterations;
    out.covariance = r.mmrm.sigma;
    out.covariance_size = out.model_visits.size();
    CELLTRIAL_ASSERT(out.covariance.size() == out.covariance_size * out.covariance_size);
  } else {
    out.covariance = {r.residual_variance};
    out.covariance_size = 1;
  }
  out.estimate = c.estimate;
  out.se = c.se;
  out.df = c.df;
  out.t = c.t;
  out.p_value = std::min(1.0, 2 * stats::p_from_t(std::fabs(c.t), c.df));
  const double q = stats::t_upper_quantile(out.alpha / 2, c.df);
  if (!std::isfinite(q))
    data_error(src, 0, 0,
               "the " + std::string(to_string(out.df_method)) + " degrees of freedom (" + format_number(c.df) +
                   ") are too few for a confidence interval: the data hardly determine the covariance.",
               "try --df residual, or a simpler --covariance (cs or ar1).");
  out.ci_lower = c.estimate - q * c.se;
  out.ci_upper = c.estimate + q * c.se;
  return out;
}

DataAnalysis analyse_data_file(const std::string& path, const LongDataOptions& options) {
  return analyse_long_data(prepare_long_data(read_csv_file(path, CsvSelection{"trial", options.trial}), options));
}

}  // namespace celltrial
