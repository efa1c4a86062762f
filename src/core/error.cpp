#include "celltrial/core/error.hpp"

#include <algorithm>
#include <sstream>

namespace celltrial {

std::string Location::str() const {
  std::string out = file.empty() ? std::string("<input>") : file;
  if (line > 0) {
    out += ":" + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  return out;
}

std::string Diagnostic::str() const {
  std::ostringstream os;
  os << where.str() << ": error: ";
  if (!key_path.empty()) os << key_path << ": ";
  os << problem;
  if (!fix.empty()) os << " Fix: " << fix;
  return os.str();
}

namespace {
std::string join(const std::vector<Diagnostic>& ds) {
  std::string out;
  for (std::size_t i = 0; i < ds.size(); ++i) {
    if (i) out += "\n";
    out += ds[i].str();
  }
  return out;
}
}  // namespace

Error::Error(ExitCode code, std::vector<Diagnostic> diagnostics)
    : std::runtime_error(join(diagnostics)), code_(code), diagnostics_(std::move(diagnostics)) {}

Error::Error(ExitCode code, Diagnostic diagnostic)
    : Error(code, std::vector<Diagnostic>{std::move(diagnostic)}) {}

Error::Error(ExitCode code, const std::string& message)
    : std::runtime_error(message), code_(code) {
  Diagnostic d;
  d.problem = message;
  diagnostics_.push_back(d);
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = static_cast<std::size_t>(-1);
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = c;
    }
  }
  // Accept up to a third of the word's length (at least 2 edits), or a prefix match.
  std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  if (best_d <= limit) return best;
  for (const auto& c : candidates)
    if (word.size() >= 3 && c.rfind(word, 0) == 0) return c;
  return "";
}

void assertion_failed(const char* expr, const char* file, int line) {
  std::ostringstream os;
  os << "internal error: assertion '" << expr << "' failed at " << file << ":" << line
     << " (this is a bug in celltrial; please report it with the scenario and command)";
  throw Error(ExitCode::software, os.str());
}

void throw_usage(const std::string& option, const std::string& problem, const std::string& fix) {
  throw Error(ExitCode::usage, Diagnostic{{"command line", 0, 0}, option, problem, fix});
}

}  // namespace celltrial
