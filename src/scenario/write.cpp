// Writing a resolved scenario: YAML (walked from the declarations, schema_write.cpp), YAML with
// the origin of each value (show), and JSON (run.json).
#include <algorithm>
#include <cmath>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "celltrial/scenario/io.hpp"
#include "celltrial/scenario/schema_export.hpp"
#include "reader.hpp"

namespace celltrial {
using scenario_io::printable;

namespace {
nlohmann::json node_to_json(const YAML::Node& n) {
  if (n.IsMap()) {
    nlohmann::json j = nlohmann::json::object();
    for (auto it = n.begin(); it != n.end(); ++it) j[it->first.Scalar()] = node_to_json(it->second);
    return j;
  }
  if (n.IsSequence()) {
    nlohmann::json j = nlohmann::json::array();
    for (std::size_t i = 0; i < n.size(); ++i) j.push_back(node_to_json(n[i]));
    return j;
  }
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    std::int64_t iv = 0;
    auto ri = std::from_chars(s.data(), s.data() + s.size(), iv);
    if (ri.ec == std::errc() && ri.ptr == s.data() + s.size()) return iv;
    double dv = 0;
    auto rd = std::from_chars(s.data(), s.data() + s.size(), dv);
    if (rd.ec == std::errc() && rd.ptr == s.data() + s.size() && std::isfinite(dv)) return dv;
    return s;
  }
  return nullptr;
}
}  // namespace

std::string to_yaml(const Scenario& s) { return schema::declared_yaml(s); }

namespace {
// Where a value of the resolved scenario came from: the file or command line that set it, or
// nothing when the scenario left it at its default. A mapping or list counts as set when any of
// its entries was.
const Location* set_at(const Scenario& s, const std::string& path) {
  const auto exact = s.locations.find(path);
  if (exact != s.locations.end()) return &exact->second;
  for (const char* sep : {".", "["}) {
    const std::string prefix = path + sep;
    const auto it = s.locations.lower_bound(prefix);
    if (it != s.locations.end() && it->first.compare(0, prefix.size(), prefix) == 0) return &it->second;
  }
  return nullptr;
}

std::string place_text(const Location& l) {
  if (l.line == 0) return l.file;
  // "scenarios/default.yaml (built in)" -> "scenarios/default.yaml:11 (built in)"
  const auto note = l.file.find(" (");
  if (note != std::string::npos && l.file.back() == ')')
    return l.file.substr(0, note) + ":" + std::to_string(l.line) + l.file.substr(note);
  return l.file + ":" + std::to_string(l.line);
}

/// The place for a YAML comment: control characters (a line break would end the comment, a NUL
/// would make the text unreadable) and bytes that are not UTF-8 (from a file name) as \xHH.
std::string place(const Location& l) { return printable(place_text(l)); }

// Declared key path ("arms[]" for any arm) -> where its default comes from (Meta::source).
const std::map<std::string, std::string>& default_sources() {
  static const std::map<std::string, std::string> sources = [] {
    std::map<std::string, std::string> m;
    for (const auto& k : schema::declared_keys())
      if (k.meta.source[0]) m.emplace(k.path, k.meta.source);
    return m;
  }();
  return sources;
}

// "arms[1].safety.sae_risk" -> "arms[].safety.sae_risk"
std::string declared_path(const std::string& path) {
  std::string out;
  for (std::size_t i = 0; i < path.size(); ++i) {
    out += path[i];
    if (path[i] == '[') {
      while (i + 1 < path.size() && path[i + 1] != ']') ++i;
    }
  }
  return out;
}

// The arm of a path "arms[i]...", or null.
const Arm* arm_of(const Scenario& s, const std::string& path) {
  if (path.rfind("arms[", 0) != 0) return nullptr;
  const std::size_t i = std::strtoul(path.c_str() + 5, nullptr, 10);
  return i < s.arms.size() ? &s.arms[i] : nullptr;
}

// Sections whose default is "off": say so rather than cite the values they would use.
std::string default_note(const Scenario& s, const std::string& key, const std::string& path, const std::string& note) {
  if (key == "decline" && !s.population.cp.decline.enabled)
    return "off; the values are those of Hanna et al., DMCN 2009 (III/IV/V)";
  if (const Arm* a = arm_of(s, path)) {
    if (key == "dose_response" && a->dose_response.model == DoseResponseModel::none) return "none (no dose-response)";
    const EffectModifiers& m = a->modifiers;
    auto one = [](double x) { return x == 1; };
    if (key == "modifiers" && std::all_of(m.age_multipliers.begin(), m.age_multipliers.end(), one) &&
        std::all_of(m.gmfcs.begin(), m.gmfcs.end(), one) && std::all_of(m.hla_mismatch.begin(), m.hla_mismatch.end(), one))
      return "none (every multiplier 1)";
  }
  return note;
}

/// A key of the writer's YAML: its name, the path of its mapping and its own path ("arms[1].safety").
struct KeyLine {
  std::string key, parent, path;
  bool block = false;  ///< its entries follow on the next lines
};

/// Follows the key path of each line of the writer's YAML by its indentation.
class KeyPaths {
 public:
  /// The key of `line`, or nothing for a line without one (a list of numbers, an empty line).
  std::optional<KeyLine> next(const std::string& line) {
    int indent = static_cast<int>(line.find_first_not_of(' '));
    if (indent < 0) return std::nullopt;
    std::size_t at = static_cast<std::size_t>(indent);
    if (line.compare(at, 2, "- ") == 0) {  // a list element: "arms[1]"; its keys are 2 further in
      while (open_.back().first >= indent) open_.pop_back();
      const std::string list = open_.back().second;
      open_.emplace_back(indent, list + "[" + std::to_string(elements_[list]++) + "]");
      at += 2;
      indent += 2;
    }
    const auto colon = line.find(':', at);
    if (colon == std::string::npos) return std::nullopt;
    while (open_.back().first >= indent) open_.pop_back();
    KeyLine k;
    k.key = line.substr(at, colon - at);
    k.parent = open_.back().second;
    k.path = k.parent.empty() ? k.key : k.parent + "." + k.key;
    k.block = line.find_first_not_of(' ', colon + 1) == std::string::npos;
    if (k.block) open_.emplace_back(indent, k.path);
    return k;
  }

 private:
  // The key path of each open mapping or list element, by indentation ("" at the top), and the
  // number of elements seen so far in each list.
  std::vector<std::pair<int, std::string>> open_{{-1, ""}};
  std::map<std::string, std::size_t> elements_;
};

/// The comment that ends a key's line: where its value was set, or where its default comes from.
std::string source_comment(const Scenario& s, const KeyLine& k) {
  const auto& sources = default_sources();
  const auto declared = sources.find(declared_path(k.path));
  const std::string note = declared == sources.end() ? "" : declared->second;
  const Location* set = set_at(s, k.path);
  const Location* smd = k.key == "effect_by_month" ? set_at(s, k.parent + ".effect_smd_by_month") : nullptr;
  if (smd != nullptr) return "  # effect_smd_by_month x smd_sd, set at " + place(*smd);
  // A mix the scenario gives is its own: the entries it leaves out are 0, not defaults.
  const bool mix = k.key.size() > 4 && k.key.compare(k.key.size() - 4, 4, "_mix") == 0;
  if (set != nullptr && (!k.block || mix))
    return "  # set at " + place(*set) + (k.block ? " (entries not given there are 0)" : "");
  if (note.empty()) return "";
  if (set != nullptr) return "  # default where not marked: " + note;
  return "  # default: " + default_note(s, k.key, k.path, note);
}
}  // namespace

std::string to_yaml_with_sources(const Scenario& s) {
  // Not assumptions: no note.
  static const std::set<std::string> plain{"schema_version", "name", "description"};
  std::istringstream in(to_yaml(s));
  std::ostringstream out;
  KeyPaths paths;
  for (std::string line; std::getline(in, line);) {
    const std::optional<KeyLine> k = paths.next(line);
    if (k && !plain.count(k->key)) line += source_comment(s, *k);
    out << line << "\n";
  }
  return out.str();
}

nlohmann::json to_json(const Scenario& s) {
  nlohmann::json j = node_to_json(YAML::Load(to_yaml(s)));
  j["name"] = s.name;  // names and descriptions are text even when they look like numbers
  j["description"] = s.description;
  for (std::size_t i = 0; i < s.arms.size(); ++i) j["arms"][i]["name"] = s.arms[i].name;
  return j;
}

}  // namespace celltrial
