// The R package's bridge to celltrial's services (include/celltrial/services/). Every entry point
// returns either its result or an error record (class "celltrial_error_record": the located
// messages, the exit code and its kind) that R/call.R turns into an R condition; nothing here jumps
// out of C++ frames, writes to the console except the progress line, or exits the session.
//
// Conversions, each declared here once:
//  - YAML text <-> R lists: mappings are named lists, sequences of scalars are atomic vectors
//    marked I() (so that a one-element list stays a list), other sequences are unnamed lists;
//    plain scalars are typed as YAML's core schema reads them (null, bool, number, string).
//  - JSON results -> R lists: numbers exactly (doubles), arrays of scalars as vectors (null: NA).
//  - CSV tables (the very text celltrial writes) -> data frames, numbers read exactly.
#include <R_ext/Utils.h>
#include <Rcpp.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "celltrial/core/error.hpp"
#include "celltrial/design/closed_form_power.hpp"
#include "celltrial/report/boundaries.hpp"
#include "celltrial/report/data_analysis.hpp"
#include "celltrial/report/power.hpp"
#include "celltrial/report/summary.hpp"
#include "celltrial/report/tables.hpp"
#include "celltrial/scenario/io.hpp"
#include "celltrial/services/about.hpp"
#include "celltrial/services/analyse.hpp"
#include "celltrial/services/callbacks.hpp"
#include "celltrial/services/power.hpp"
#include "celltrial/services/scenario_source.hpp"
#include "celltrial/services/simulate.hpp"
#include "celltrial/services/slurm.hpp"
#include "celltrial/services/study.hpp"
#include "celltrial/services/sweep.hpp"
#include "celltrial/services/validate.hpp"
#include "celltrial/stats/assurance.hpp"
#include "celltrial/stats/group_sequential.hpp"

#ifndef CELLTRIAL_R_PREFIX
#define CELLTRIAL_R_PREFIX ""
#endif

namespace ct = celltrial;
using Rcpp::CharacterVector;
using Rcpp::List;
using Rcpp::LogicalVector;
using Rcpp::NumericVector;

namespace {

// ---------------------------------------------------------------------------------------------
// Errors

/// A problem with what R passed in (not a scenario value): reported with the R argument's path.
struct ArgumentError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const char* code_kind(ct::ExitCode c) {
  switch (c) {
    case ct::ExitCode::usage: return "usage";
    case ct::ExitCode::data: return "data";
    case ct::ExitCode::no_input: return "no_input";
    case ct::ExitCode::io: return "io";
    case ct::ExitCode::interrupted: return "interrupted";
    case ct::ExitCode::validation_failed: return "data";
    default: return "software";
  }
}

List error_record(const std::string& kind, int code, const std::vector<std::string>& messages) {
  List r = List::create(Rcpp::Named("kind") = kind, Rcpp::Named("code") = code,
                        Rcpp::Named("messages") = CharacterVector(messages.begin(), messages.end()));
  r.attr("class") = "celltrial_error_record";
  return r;
}

/// Runs `body`; a celltrial::Error (or any other exception) becomes an error record.
SEXP guarded(const std::function<SEXP()>& body) {
  try {
    return body();
  } catch (const ct::Error& e) {
    std::vector<std::string> lines;
    for (const auto& d : e.diagnostics()) lines.push_back(d.str());
    if (lines.empty()) lines.push_back(e.what());
    return error_record(code_kind(e.code()), static_cast<int>(e.code()), lines);
  } catch (const ArgumentError& e) {
    return error_record("usage", static_cast<int>(ct::ExitCode::usage), {e.what()});
  } catch (const YAML::Exception& e) {
    return error_record("data", static_cast<int>(ct::ExitCode::data), {std::string("scenario text: ") + e.what()});
  } catch (const std::exception& e) {
    return error_record("software", static_cast<int>(ct::ExitCode::software),
                        {std::string("internal error (please report it): ") + e.what()});
  }
}

// ---------------------------------------------------------------------------------------------
// Plain YAML scalars, as YAML 1.2's core schema types them

enum class Plain { null, boolean, integer, real, string };

Plain classify(const std::string& s) {
  static const std::regex null_re("~|null|Null|NULL");
  static const std::regex bool_re("true|True|TRUE|false|False|FALSE");
  static const std::regex int_re("[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+");
  static const std::regex real_re(
      "[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");
  if (s.empty() || std::regex_match(s, null_re)) return Plain::null;
  if (std::regex_match(s, bool_re)) return Plain::boolean;
  if (std::regex_match(s, int_re)) return Plain::integer;
  if (std::regex_match(s, real_re)) return Plain::real;
  return Plain::string;
}

double plain_number(const std::string& s) {
  if (s.find("inf") != std::string::npos || s.find("Inf") != std::string::npos || s.find("INF") != std::string::npos)
    return s[0] == '-' ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
  if (s.find('.') == 0 && (s[1] == 'n' || s[1] == 'N')) return std::numeric_limits<double>::quiet_NaN();
  if (s.rfind("0x", 0) == 0) return static_cast<double>(std::stoull(s.substr(2), nullptr, 16));
  if (s.rfind("0o", 0) == 0) return static_cast<double>(std::stoull(s.substr(2), nullptr, 8));
  const char* b = s.c_str() + (s[0] == '+' ? 1 : 0);
  double x = 0;
  std::from_chars(b, s.c_str() + s.size(), x);  // correctly rounded
  return x;
}

// ---------------------------------------------------------------------------------------------
// YAML -> R

SEXP yaml_to_r(const YAML::Node& n);

/// A scalar node: R NULL, a logical, a double or a string. Quoted scalars are always strings.
SEXP scalar_to_r(const YAML::Node& n) {
  const std::string& s = n.Scalar();
  if (n.Tag() == "!") return Rcpp::wrap(s);
  switch (classify(s)) {
    case Plain::null: return R_NilValue;
    case Plain::boolean: return LogicalVector::create(s[0] == 't' || s[0] == 'T');
    case Plain::integer:
    case Plain::real: return NumericVector::create(plain_number(s));
    case Plain::string: break;
  }
  return Rcpp::wrap(s);
}

SEXP yaml_to_r(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null: return R_NilValue;
    case YAML::NodeType::Scalar: return scalar_to_r(n);
    case YAML::NodeType::Map: {
      List out(n.size());
      CharacterVector names(n.size());
      R_xlen_t i = 0;
      for (auto it = n.begin(); it != n.end(); ++it, ++i) {
        names[i] = it->first.Scalar();
        out[i] = yaml_to_r(it->second);
      }
      out.attr("names") = names;
      return out;
    }
    case YAML::NodeType::Sequence: {
      const R_xlen_t len = static_cast<R_xlen_t>(n.size());
      List items(len);
      for (R_xlen_t i = 0; i < len; ++i) items[i] = yaml_to_r(n[static_cast<std::size_t>(i)]);
      // Scalars of one type (NULL counts as NA of any) become an atomic vector marked I().
      int type = NILSXP;
      bool atomic = len > 0;
      for (R_xlen_t i = 0; i < len && atomic; ++i) {
        SEXP x = items[i];
        if (Rf_isNull(x)) continue;
        if (Rf_length(x) != 1 || !(Rf_isReal(x) || Rf_isLogical(x) || Rf_isString(x)) || !Rf_isNull(Rf_getAttrib(x, R_NamesSymbol)))
          atomic = false;
        else if (type == NILSXP)
          type = TYPEOF(x);
        else if (type != TYPEOF(x))
          atomic = false;
      }
      if (!atomic || type == NILSXP) return items;
      SEXP v = PROTECT(Rf_allocVector(type, len));
      for (R_xlen_t i = 0; i < len; ++i) {
        SEXP x = items[i];
        const bool na = Rf_isNull(x);
        if (type == REALSXP) REAL(v)[i] = na ? NA_REAL : REAL(x)[0];
        if (type == LGLSXP) LOGICAL(v)[i] = na ? NA_LOGICAL : LOGICAL(x)[0];
        if (type == STRSXP) SET_STRING_ELT(v, i, na ? NA_STRING : STRING_ELT(x, 0));
      }
      Rf_setAttrib(v, R_ClassSymbol, Rf_mkString("AsIs"));
      UNPROTECT(1);
      return v;
    }
  }
  return R_NilValue;
}

// ---------------------------------------------------------------------------------------------
// R -> YAML

std::string number_text(double x) {
  if (std::isnan(x)) return ".nan";
  if (std::isinf(x)) return x > 0 ? ".inf" : "-.inf";
  // Whole numbers as digits (1e6 trials is "1000000", which every integer key reads).
  if (x == std::floor(x) && std::fabs(x) < 9007199254740992.0) {
    std::ostringstream os;
    os << static_cast<long long>(x);
    return os.str();
  }
  return ct::format_number(x);
}

void emit_string(YAML::Emitter& e, const std::string& s) {
  // A string that YAML would read as something else (a number, true, null) is quoted.
  if (classify(s) != Plain::string) e << YAML::DoubleQuoted << s;
  else e << s;
}

void emit(YAML::Emitter& e, SEXP x, const std::string& path);

/// Element i of an atomic vector as a scalar (NA: null).
void emit_element(YAML::Emitter& e, SEXP x, R_xlen_t i, const std::string& path) {
  switch (TYPEOF(x)) {
    case LGLSXP:
      if (LOGICAL(x)[i] == NA_LOGICAL) e << YAML::Null;
      else e << (LOGICAL(x)[i] ? "true" : "false");
      return;
    case INTSXP:
      if (Rf_isFactor(x)) {
        const int code = INTEGER(x)[i];
        if (code == NA_INTEGER) e << YAML::Null;
        else emit_string(e, CHAR(STRING_ELT(Rf_getAttrib(x, R_LevelsSymbol), code - 1)));
      } else if (INTEGER(x)[i] == NA_INTEGER) {
        e << YAML::Null;
      } else {
        e << INTEGER(x)[i];
      }
      return;
    case REALSXP:
      if (ISNA(REAL(x)[i])) e << YAML::Null;
      else e << number_text(REAL(x)[i]);
      return;
    case STRSXP:
      if (STRING_ELT(x, i) == NA_STRING) e << YAML::Null;
      else emit_string(e, Rf_translateCharUTF8(STRING_ELT(x, i)));
      return;
    default:
      throw ArgumentError(path + ": a " + Rf_type2char(TYPEOF(x)) +
                          " cannot be a scenario value. Fix: use numbers, strings, logicals and (named) lists.");
  }
}

bool inherits(SEXP x, const char* cls) { return Rf_inherits(x, cls); }

void emit(YAML::Emitter& e, SEXP x, const std::string& path) {
  if (Rf_isNull(x)) {
    e << YAML::Null;
    return;
  }
  if (TYPEOF(x) == VECSXP) {
    const R_xlen_t len = Rf_xlength(x);
    SEXP names = Rf_getAttrib(x, R_NamesSymbol);
    if (!Rf_isNull(names)) {
      e << YAML::BeginMap;
      for (R_xlen_t i = 0; i < len; ++i) {
        const char* key = CHAR(STRING_ELT(names, i));
        if (STRING_ELT(names, i) == NA_STRING || key[0] == '\0')
          throw ArgumentError(path + "[[" + std::to_string(i + 1) +
                              "]]: an element of a named list has no name. Fix: name every element (a scenario "
                              "key), or use an unnamed list for a YAML list.");
        e << YAML::Key << key << YAML::Value;
        emit(e, VECTOR_ELT(x, i), path + "$" + key);
      }
      e << YAML::EndMap;
    } else {
      e << YAML::BeginSeq;
      for (R_xlen_t i = 0; i < len; ++i) emit(e, VECTOR_ELT(x, i), path + "[[" + std::to_string(i + 1) + "]]");
      e << YAML::EndSeq;
    }
    return;
  }
  if (!Rf_isVectorAtomic(x))
    throw ArgumentError(path + ": a " + std::string(Rf_type2char(TYPEOF(x))) +
                        " cannot be a scenario value. Fix: use numbers, strings, logicals and (named) lists.");
  const R_xlen_t len = Rf_xlength(x);
  if (len == 1 && !inherits(x, "AsIs")) {
    emit_element(e, x, 0, path);
    return;
  }
  // A vector of another length, or one marked I(): a YAML list on one line.
  e << YAML::Flow << YAML::BeginSeq;
  for (R_xlen_t i = 0; i < len; ++i) emit_element(e, x, i, path);
  e << YAML::EndSeq;
}

std::string r_to_yaml(SEXP x, const std::string& path) {
  YAML::Emitter e;
  e.SetIndent(2);
  emit(e, x, path);
  if (!e.good()) throw ArgumentError(path + ": cannot be written as YAML (" + e.GetLastError() + ").");
  return std::string(e.c_str()) + "\n";
}

// ---------------------------------------------------------------------------------------------
// JSON -> R

/// For nlohmann::json and nlohmann::ordered_json (whose keys keep the order they were written in).
template <class json>
SEXP json_to_r(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return R_NilValue;
    case json::value_t::boolean: return LogicalVector::create(j.template get<bool>());
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return NumericVector::create(j.template get<double>());
    case json::value_t::string: return Rcpp::wrap(j.template get<std::string>());
    case json::value_t::object: {
      List out(j.size());
      CharacterVector names(j.size());
      R_xlen_t i = 0;
      for (auto it = j.begin(); it != j.end(); ++it, ++i) {
        names[i] = it.key();
        out[i] = json_to_r(it.value());
      }
      out.attr("names") = names;
      return out;
    }
    case json::value_t::array: {
      bool numbers = !j.empty(), strings = !j.empty(), bools = !j.empty(), any = false;
      for (const auto& v : j) {
        if (v.is_null()) continue;
        any = true;
        numbers = numbers && v.is_number();
        strings = strings && v.is_string();
        bools = bools && v.is_boolean();
      }
      if (any && numbers) {
        NumericVector v(j.size());
        for (std::size_t i = 0; i < j.size(); ++i) v[i] = j[i].is_null() ? NA_REAL : j[i].template get<double>();
        return v;
      }
      if (any && strings) {
        CharacterVector v(j.size());
        for (std::size_t i = 0; i < j.size(); ++i) v[i] = j[i].is_null() ? NA_STRING : Rcpp::String(j[i].template get<std::string>());
        return v;
      }
      if (any && bools) {
        LogicalVector v(j.size());
        for (std::size_t i = 0; i < j.size(); ++i) v[i] = j[i].is_null() ? NA_LOGICAL : static_cast<int>(j[i].template get<bool>());
        return v;
      }
      List out(j.size());
      for (std::size_t i = 0; i < j.size(); ++i) out[i] = json_to_r(j[i]);
      return out;
    }
    default: return R_NilValue;
  }
}

// ---------------------------------------------------------------------------------------------
// CSV text -> data frame

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false, any = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') cell += '"', ++i;
      else if (c == '"') quoted = false;
      else cell += c;
    } else if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == ',') {
      row.push_back(cell), cell.clear();
      any = true;
    } else if (c == '\n') {
      row.push_back(cell), cell.clear();
      rows.push_back(row), row.clear();
      any = false;
    } else if (c != '\r') {
      cell += c;
      any = true;
    }
  }
  if (any) row.push_back(cell), rows.push_back(row);
  return rows;
}

std::optional<double> csv_number(const std::string& s) {
  if (s.empty()) return std::nullopt;
  double x = 0;
  const char* b = s.c_str() + (s[0] == '+' ? 1 : 0);
  const auto [p, ec] = std::from_chars(b, s.c_str() + s.size(), x);
  if (ec != std::errc() || p != s.c_str() + s.size()) return std::nullopt;
  return x;
}

/// A data frame of the CSV text: a column whose filled cells are all numbers is numeric (empty
/// cells NA), any other is character (empty cells NA).
List csv_to_data_frame(const std::string& text) {
  const auto rows = parse_csv(text);
  if (rows.empty()) return List();
  const auto& header = rows[0];
  const std::size_t nrow = rows.size() - 1;
  List out(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    bool numeric = true;
    for (std::size_t r = 1; r <= nrow && numeric; ++r) {
      const std::string& s = c < rows[r].size() ? rows[r][c] : std::string();
      if (!s.empty() && !csv_number(s)) numeric = false;
    }
    if (numeric) {
      NumericVector v(nrow);
      for (std::size_t r = 1; r <= nrow; ++r) {
        const auto x = csv_number(c < rows[r].size() ? rows[r][c] : std::string());
        v[r - 1] = x ? *x : NA_REAL;
      }
      out[c] = v;
    } else {
      CharacterVector v(nrow);
      for (std::size_t r = 1; r <= nrow; ++r) {
        const std::string s = c < rows[r].size() ? rows[r][c] : std::string();
        v[r - 1] = s.empty() ? NA_STRING : Rcpp::String(s);
      }
      out[c] = v;
    }
  }
  out.attr("names") = CharacterVector(header.begin(), header.end());
  out.attr("row.names") = Rcpp::IntegerVector::create(NA_INTEGER, -static_cast<int>(nrow));
  out.attr("class") = "data.frame";
  return out;
}

// ---------------------------------------------------------------------------------------------
// Arguments

std::string str(SEXP x) { return Rf_isNull(x) ? std::string() : Rcpp::as<std::string>(x); }
std::vector<std::string> strs(SEXP x) {
  return Rf_isNull(x) ? std::vector<std::string>() : Rcpp::as<std::vector<std::string>>(x);
}
std::vector<double> nums(SEXP x) { return Rf_isNull(x) ? std::vector<double>() : Rcpp::as<std::vector<double>>(x); }
/// A count given as a number or a string of digits (seeds may exceed R's exact doubles); NULL: none.
std::optional<std::uint64_t> count(SEXP x, const char* what) {
  if (Rf_isNull(x)) return std::nullopt;
  if (Rf_isString(x)) {
    const std::string s = str(x);
    std::uint64_t v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size())
      throw ArgumentError(std::string(what) + " = \"" + s + "\": not a whole number. Fix: give digits only.");
    return v;
  }
  const double d = Rcpp::as<double>(x);
  if (!(d >= 0) || d != std::floor(d) || d > 9007199254740992.0)
    throw ArgumentError(std::string(what) + " = " + number_text(d) +
                        ": expected a whole number from 0 to 2^53 (larger seeds: give them as a string of digits).");
  return static_cast<std::uint64_t>(d);
}

/// The fields every scenario-running request shares, from the R arguments.
template <class Request>
void fill_common(Request& rq, SEXP file, SEXP text, SEXP sets, SEXP trials, SEXP seed, SEXP threads, SEXP out) {
  rq.scenario_file = str(file);
  rq.scenario_text = str(text);
  rq.overrides = strs(sets);
  rq.trials = count(trials, "trials");
  rq.seed = count(seed, "seed");
  rq.threads = Rcpp::as<int>(threads);
  rq.out = str(out);
}

/// One run's comparisons and subgroups as a data frame: sweep.csv's rows for a grid of one point
/// without axes.
List run_table(const nlohmann::json& summary) {
  const nlohmann::json rows = nlohmann::json::array({{{"point", nlohmann::json::object()}, {"summary", summary}}});
  return csv_to_data_frame(ct::sweep_csv(rows, {}));
}

// ---------------------------------------------------------------------------------------------
// Progress and interruption, on R's thread

void check_interrupt_fn(void*) { R_CheckUserInterrupt(); }
/// True when the user pressed Esc or Ctrl-C (R_ToplevelExec keeps the jump inside R).
bool interrupt_pending() { return R_ToplevelExec(check_interrupt_fn, nullptr) == FALSE; }

/// The callbacks of one service call: a progress line on R's console (when asked), log lines kept
/// for R to pass on as messages, and R's interrupt.
struct Session {
  bool show_progress = false;
  std::vector<std::string> log;
  bool drawn = false;

  ct::services::Callbacks callbacks() {
    ct::services::Callbacks cb;
    cb.interrupted = [] { return interrupt_pending(); };
    cb.log = [this](const std::string& line) { log.push_back(line); };
    if (show_progress)
      cb.progress = [this](const ct::services::Progress& p) {
        const int width = 30;
        const double f = p.total ? static_cast<double>(p.done) / static_cast<double>(p.total) : 1.0;
        const int filled = static_cast<int>(f * width + 0.5);
        std::string bar(static_cast<std::size_t>(filled), '=');
        bar.resize(width, ' ');
        REprintf("\rcelltrial [%s] %3.0f%%  %llu/%llu trials", bar.c_str(), 100 * f,
                 static_cast<unsigned long long>(p.done), static_cast<unsigned long long>(p.total));
        drawn = true;
      };
    cb.progress_interval = 0.25;
    return cb;
  }
  void finish() {
    if (drawn) REprintf("\n");
    drawn = false;
  }
  CharacterVector messages() const { return CharacterVector(log.begin(), log.end()); }
};

/// Runs a service with the session's callbacks; ends the progress line however it ends.
template <class F>
auto with_session(Session& s, F&& f) {
  try {
    auto r = f(s.callbacks());
    s.finish();
    return r;
  } catch (...) {
    s.finish();
    throw;
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Entry points (.Call)

extern "C" {

SEXP ct_c_about() {
  return guarded([] {
    const auto a = ct::services::about();
    return List::create(Rcpp::Named("version") = a.version, Rcpp::Named("git_commit") = a.git_commit,
                        Rcpp::Named("prefix") = std::string(CELLTRIAL_R_PREFIX));
  });
}

SEXP ct_c_default_text() {
  return guarded([] { return Rcpp::wrap(std::string(ct::services::default_scenario_text())); });
}

SEXP ct_c_yaml_to_list(SEXP text, SEXP name) {
  return guarded([&]() -> SEXP {
    try {
      return yaml_to_r(YAML::Load(str(text)));
    } catch (const YAML::Exception& e) {
      throw ct::Error(ct::ExitCode::data, ct::Diagnostic{{str(name), e.mark.line + 1, e.mark.column + 1}, "",
                                                         "not valid YAML: " + e.msg + ".",
                                                         "check the indentation and quoting around this place."});
    }
  });
}

SEXP ct_c_list_to_yaml(SEXP x, SEXP path) {
  return guarded([&] { return Rcpp::wrap(r_to_yaml(x, str(path))); });
}

/// One value as YAML on one line, for set = list(key = value).
SEXP ct_c_flow_yaml(SEXP x, SEXP path) {
  return guarded([&] {
    YAML::Emitter e;
    e << YAML::Flow;
    emit(e, x, str(path));
    return Rcpp::wrap(std::string(e.c_str()));
  });
}

SEXP ct_c_validate(SEXP file, SEXP text, SEXP sets) {
  return guarded([&] {
    const ct::Scenario s = ct::services::validate({str(file), str(text), strs(sets)});
    return List::create(Rcpp::Named("name") = s.name, Rcpp::Named("yaml") = ct::to_yaml(s),
                        Rcpp::Named("annotated") = ct::to_yaml_with_sources(s));
  });
}

SEXP ct_c_simulate(SEXP file, SEXP text, SEXP sets, SEXP trials, SEXP seed, SEXP threads, SEXP out, SEXP progress,
                   SEXP export_trials) {
  return guarded([&] {
    ct::services::SimulateRequest rq;
    fill_common(rq, file, text, sets, trials, seed, threads, out);
    rq.export_trials = count(export_trials, "export_trials").value_or(0);
    Session session{Rcpp::as<bool>(progress), {}, false};
    const auto r = with_session(session, [&](const ct::services::Callbacks& cb) { return ct::services::simulate(rq, cb); });
    return List::create(Rcpp::Named("summary") = json_to_r(r.summary), Rcpp::Named("run") = json_to_r(r.run),
                        Rcpp::Named("table") = run_table(r.summary),
                        Rcpp::Named("text") = ct::summary_table(r.summary), Rcpp::Named("out") = r.out_dir,
                        Rcpp::Named("messages") = session.messages());
  });
}

SEXP ct_c_sweep(SEXP file, SEXP text, SEXP sets, SEXP sweeps, SEXP zip, SEXP trials, SEXP seed, SEXP threads, SEXP out,
                SEXP max_hours, SEXP progress) {
  return guarded([&] {
    ct::services::SweepRequest rq;
    fill_common(rq, file, text, sets, trials, seed, threads, out);
    rq.sweeps = strs(sweeps);
    rq.zip = Rcpp::as<bool>(zip);
    rq.max_hours = Rcpp::as<double>(max_hours);
    rq.yes = false;
    Session session{Rcpp::as<bool>(progress), {}, false};
    const auto r = with_session(session, [&](const ct::services::Callbacks& cb) { return ct::services::sweep(rq, cb); });
    return List::create(Rcpp::Named("rows") = json_to_r(r.rows), Rcpp::Named("run") = json_to_r(r.json["run"]),
                        Rcpp::Named("table") = csv_to_data_frame(ct::sweep_csv(r.rows, r.axes)),
                        Rcpp::Named("text") = ct::sweep_table(r.rows, r.axes, r.base.name, r.base.simulation.trials,
                                                              r.base.simulation.seed),
                        Rcpp::Named("out") = r.out_dir, Rcpp::Named("messages") = session.messages());
  });
}

SEXP ct_c_study(SEXP file, SEXP text, SEXP sets, SEXP trials, SEXP seed, SEXP threads, SEXP out, SEXP max_hours,
                SEXP search_trials, SEXP progress) {
  return guarded([&] {
    ct::services::StudyRequest rq;
    fill_common(rq, file, text, sets, trials, seed, threads, out);
    rq.max_hours = Rcpp::as<double>(max_hours);
    if (auto n = count(search_trials, "search_trials")) rq.search_trials = *n;
    Session session{Rcpp::as<bool>(progress), {}, false};
    const auto r = with_session(session, [&](const ct::services::Callbacks& cb) { return ct::services::study(rq, cb); });
    return List::create(Rcpp::Named("summary") = json_to_r(r.summary), Rcpp::Named("table") = run_table(r.summary),
                        Rcpp::Named("text") = ct::summary_table(r.summary),
                        Rcpp::Named("enrichment") = r.enrichment_rows.is_null()
                                                        ? R_NilValue
                                                        : static_cast<SEXP>(csv_to_data_frame(ct::enrichment_csv(r.enrichment_rows))),
                        Rcpp::Named("enrichment_text") = r.enrichment_rows.is_null() ? std::string()
                                                                                      : ct::enrichment_table(r.enrichment_rows),
                        Rcpp::Named("out") = r.out_dir, Rcpp::Named("notes") = CharacterVector(r.notes.begin(), r.notes.end()),
                        Rcpp::Named("messages") = session.messages());
  });
}

SEXP ct_c_sample_size(SEXP file, SEXP text, SEXP sets, SEXP prior, SEXP target, SEXP confidence, SEXP trials,
                      SEXP max_trials, SEXP n_max, SEXP threads, SEXP out, SEXP progress) {
  return guarded([&] {
    ct::services::SampleSizeRequest rq;
    rq.scenario_file = str(file);
    rq.scenario_text = str(text);
    rq.overrides = strs(sets);
    rq.prior = str(prior);
    rq.target = Rcpp::as<double>(target);
    rq.confidence = Rcpp::as<double>(confidence);
    rq.trials = *count(trials, "trials");
    rq.max_trials = *count(max_trials, "max_trials");
    rq.n_max = static_cast<std::int64_t>(*count(n_max, "n_max"));
    rq.threads = Rcpp::as<int>(threads);
    rq.out = str(out);
    Session session{Rcpp::as<bool>(progress), {}, false};
    const auto r =
        with_session(session, [&](const ct::services::Callbacks& cb) { return ct::services::sample_size(rq, cb); });
    return List::create(Rcpp::Named("result") = json_to_r(r.json),
                        Rcpp::Named("text") = ct::sample_size_table(r.scenario, rq.target, rq.confidence, r.result, r.json),
                        Rcpp::Named("out") = r.out_dir, Rcpp::Named("messages") = session.messages());
  });
}

SEXP ct_c_slurm(SEXP file, SEXP text, SEXP sets, SEXP trials, SEXP seed, SEXP shards, SEXP cpus, SEXP partition,
                SEXP time, SEXP account, SEXP out, SEXP program) {
  return guarded([&] {
    ct::services::SlurmRequest rq;
    rq.scenario_file = str(file);
    rq.scenario_text = str(text);
    rq.overrides = strs(sets);
    rq.trials = count(trials, "trials");
    rq.seed = count(seed, "seed");
    rq.shards = *count(shards, "shards");
    rq.cpus = Rcpp::as<int>(cpus);
    rq.partition = str(partition);
    rq.time = str(time);
    rq.account = str(account);
    rq.out = str(out);
    rq.program = str(program);
    const auto r = ct::services::slurm(rq);
    return List::create(Rcpp::Named("dir") = r.dir, Rcpp::Named("submit") = r.submit,
                        Rcpp::Named("shards") = static_cast<double>(r.shards),
                        Rcpp::Named("trials") = static_cast<double>(r.scenario.simulation.trials));
  });
}

/// A results folder's summary.json and run.json, as ct_c_simulate returns them.
SEXP ct_c_read_results(SEXP dir) {
  return guarded([&] {
    auto read = [&](const std::string& name) {
      const std::string path = str(dir) + "/" + name;
      std::ifstream in(path, std::ios::binary);
      if (!in)
        throw ct::Error(ct::ExitCode::no_input, ct::Diagnostic{{path, 0, 0}, "", "cannot be read.",
                                                               "give a results folder (it holds summary.json and run.json)."});
      try {
        return nlohmann::json::parse(in);
      } catch (const nlohmann::json::exception& e) {
        throw ct::Error(ct::ExitCode::data, ct::Diagnostic{{path, 0, 0}, "", std::string("not valid JSON: ") + e.what(),
                                                           "give a results folder celltrial wrote."});
      }
    };
    const nlohmann::json summary = read("summary.json"), run = read("run.json");
    if (summary.value("format", "") != "celltrial.summary/1")
      throw ct::Error(ct::ExitCode::data, ct::Diagnostic{{str(dir) + "/summary.json", 0, 0}, "",
                                                         "is not a celltrial summary (format celltrial.summary/1).",
                                                         "give a results folder of celltrial simulate or merge."});
    return List::create(Rcpp::Named("summary") = json_to_r(summary), Rcpp::Named("run") = json_to_r(run),
                        Rcpp::Named("table") = run_table(summary),
                        Rcpp::Named("text") = ct::summary_table(ct::operating_characteristics_from_json(summary, str(dir) + "/summary.json")),
                        Rcpp::Named("out") = str(dir));
  });
}

/// A CSV file celltrial wrote, as a data frame with exact numbers.
SEXP ct_c_read_csv(SEXP path) {
  return guarded([&] {
    std::ifstream in(str(path), std::ios::binary);
    if (!in) throw ct::Error(ct::ExitCode::no_input, "cannot read " + str(path));
    std::ostringstream os;
    os << in.rdbuf();
    return static_cast<SEXP>(csv_to_data_frame(os.str()));
  });
}

SEXP ct_c_power(SEXP delta, SEXP smd, SEXP sd, SEXP power, SEXP n, SEXP test, SEXP alpha, SEXP sides, SEXP allocation,
                SEXP rho, SEXP dropout, SEXP retention, SEXP corr, SEXP prior) {
  return guarded([&] {
    ct::PowerFlags f;
    f.delta = nums(delta);
    f.smd = nums(smd);
    if (f.smd.empty()) f.sd = Rcpp::as<double>(sd);  // sd has a default in R; it applies to delta only
    f.power = nums(power);
    f.n = nums(n);
    f.test = str(test);
    f.alpha = Rcpp::as<double>(alpha);
    f.sides = Rcpp::as<int>(sides);
    f.allocation = Rcpp::as<double>(allocation);
    f.rho = Rcpp::as<double>(rho);
    f.dropout = Rcpp::as<double>(dropout);
    f.retention = nums(retention);
    f.corr = Rcpp::as<double>(corr);
    f.prior = str(prior);
    ct::services::ClosedFormPowerRequest rq;
    rq.query = ct::power_query(f);
    const ct::PowerQuery& q = rq.query;
    const auto r = ct::services::closed_form_power(rq);
    nlohmann::json rows = ct::power_rows_json(r.rows, q);
    if (!rows.is_array()) rows = nlohmann::json::array({rows});
    return List::create(Rcpp::Named("rows") = json_to_r(rows), Rcpp::Named("text") = ct::power_rows_table(r.rows, q));
  });
}

SEXP ct_c_analyse(SEXP file, SEXP text, SEXP method, SEXP covariance, SEXP fallback, SEXP df, SEXP estimand,
                  SEXP control, SEXP arm, SEXP visit, SEXP visits, SEXP response, SEXP adjust, SEXP trial, SEXP alpha) {
  return guarded([&] {
    ct::services::AnalyseRequest rq;
    rq.data_file = str(file);
    rq.data_text = str(text);
    rq.method = str(method);
    rq.covariance = str(covariance);
    if (!Rf_isNull(fallback)) rq.fallback = strs(fallback);
    rq.df = str(df);
    rq.estimand = str(estimand);
    ct::LongDataOptions& o = rq.options;
    o.control = str(control);
    o.arm = str(arm);
    if (!Rf_isNull(visit)) o.visit = Rcpp::as<double>(visit);
    o.visits = nums(visits);
    o.response = str(response);
    o.adjust = str(adjust);
    if (!Rf_isNull(trial)) o.trial = str(trial);
    o.alpha = Rcpp::as<double>(alpha);
    const ct::DataAnalysis a = ct::services::analyse(rq);
    return List::create(Rcpp::Named("result") = json_to_r(ct::data_analysis_json(a)),
                        Rcpp::Named("text") = ct::data_analysis_table(a));
  });
}

SEXP ct_c_boundaries(SEXP looks, SEXP information, SEXP boundary, SEXP parameter, SEXP alpha, SEXP sides,
                     SEXP beta_spending, SEXP beta_parameter, SEXP beta, SEXP binding) {
  return guarded([&] {
    ct::stats::BoundariesOptions o;
    o.looks = Rcpp::as<int>(looks);
    o.information_fractions = nums(information);
    o.boundary = str(boundary);
    if (!Rf_isNull(parameter)) o.parameter = Rcpp::as<double>(parameter);
    o.alpha = Rcpp::as<double>(alpha);
    o.sides = Rcpp::as<int>(sides);
    o.beta_spending = str(beta_spending);
    if (!Rf_isNull(beta_parameter)) o.beta_parameter = Rcpp::as<double>(beta_parameter);
    if (!Rf_isNull(beta)) o.beta = Rcpp::as<double>(beta);
    o.binding = Rcpp::as<bool>(binding);
    const ct::stats::Boundaries b = ct::stats::compute_boundaries(o);
    return List::create(Rcpp::Named("result") = json_to_r(ct::boundaries_json(b)),
                        Rcpp::Named("text") = ct::boundaries_table(b));
  });
}

}  // extern "C"

// ---------------------------------------------------------------------------------------------

#include <R_ext/Rdynload.h>

static const R_CallMethodDef kCallMethods[] = {
    {"ct_c_about", reinterpret_cast<DL_FUNC>(&ct_c_about), 0},
    {"ct_c_default_text", reinterpret_cast<DL_FUNC>(&ct_c_default_text), 0},
    {"ct_c_yaml_to_list", reinterpret_cast<DL_FUNC>(&ct_c_yaml_to_list), 2},
    {"ct_c_list_to_yaml", reinterpret_cast<DL_FUNC>(&ct_c_list_to_yaml), 2},
    {"ct_c_flow_yaml", reinterpret_cast<DL_FUNC>(&ct_c_flow_yaml), 2},
    {"ct_c_validate", reinterpret_cast<DL_FUNC>(&ct_c_validate), 3},
    {"ct_c_simulate", reinterpret_cast<DL_FUNC>(&ct_c_simulate), 9},
    {"ct_c_sweep", reinterpret_cast<DL_FUNC>(&ct_c_sweep), 11},
    {"ct_c_study", reinterpret_cast<DL_FUNC>(&ct_c_study), 10},
    {"ct_c_read_csv", reinterpret_cast<DL_FUNC>(&ct_c_read_csv), 1},
    {"ct_c_slurm", reinterpret_cast<DL_FUNC>(&ct_c_slurm), 12},
    {"ct_c_read_results", reinterpret_cast<DL_FUNC>(&ct_c_read_results), 1},
    {"ct_c_sample_size", reinterpret_cast<DL_FUNC>(&ct_c_sample_size), 12},
    {"ct_c_power", reinterpret_cast<DL_FUNC>(&ct_c_power), 14},
    {"ct_c_analyse", reinterpret_cast<DL_FUNC>(&ct_c_analyse), 15},
    {"ct_c_boundaries", reinterpret_cast<DL_FUNC>(&ct_c_boundaries), 10},
    {nullptr, nullptr, 0}};

extern "C" void R_init_celltrial(DllInfo* dll) {
  R_registerRoutines(dll, nullptr, kCallMethods, nullptr, nullptr);
  R_useDynamicSymbols(dll, FALSE);
}
