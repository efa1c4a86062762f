// Writing a resolved scenario: YAML (walked from the declarations, schema_write.cpp), YAML with
// the origin of each value (show), and JSON (run.json).
#include <cmath>
#include <charconv>
#include <map>
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
}  // namespace

std::string to_yaml_with_sources(const Scenario& s) {
  // Declared key path ("arms[]" for any arm) -> where its default comes from (Meta::source).
  static const std::map<std::string, std::string> sources = [] {
    std::map<std::string, std::string> m;
    for (const auto& k : schema::declared_keys())
      if (k.meta.source[0]) m.emplace(k.path, k.meta.source);
    return m;
  }();
  // "arms[1].safety.sae_risk" -> "arms[].safety.sae_risk"
  auto declared_path = [](const std::string& path) {
    std::string out;
    for (std::size_t i = 0; i < path.size(); ++i) {
      out += path[i];
      if (path[i] == '[') {
        while (i + 1 < path.size() && path[i + 1] != ']') ++i;
      }
    }
    return out;
  };
  // Not assumptions: no note.
  static const std::set<std::string> plain{"schema_version", "name", "description"};
  // The arm of a path "arms[i]...", or null.
  auto arm_of = [&](const std::string& path) -> const Arm* {
    if (path.rfind("arms[", 0) != 0) return nullptr;
    const std::size_t i = std::strtoul(path.c_str() + 5, nullptr, 10);
    return i < s.arms.size() ? &s.arms[i] : nullptr;
  };
  // Sections whose default is "off": say so rather than cite the values they would use.
  auto default_note = [&](const std::string& key, const std::string& path, const std::string& note) -> std::string {
    if (key == "decline" && !s.population.cp.decline.enabled)
      return "off; the values are those of Hanna et al., DMCN 2009 (III/IV/V)";
    if (const Arm* a = arm_of(path)) {
      if (key == "dose_response" && a->dose_response.model == DoseResponseModel::none) return "none (no dose-response)";
      const EffectModifiers& m = a->modifiers;
      auto one = [](double x) { return x == 1; };
      if (key == "modifiers" && std::all_of(m.age_multipliers.begin(), m.age_multipliers.end(), one) &&
          std::all_of(m.gmfcs.begin(), m.gmfcs.end(), one) && std::all_of(m.hla_mismatch.begin(), m.hla_mismatch.end(), one))
        return "none (every multiplier 1)";
    }
    return note;
  };
  std::istringstream in(to_yaml(s));
  std::ostringstream out;
  // The key path of each open mapping or list element, by indentation ("" at the top), and the
  // number of elements seen so far in each list.
  std::vector<std::pair<int, std::string>> open{{-1, ""}};
  std::map<std::string, std::size_t> elements;
  for (std::string line; std::getline(in, line);) {
    int indent = static_cast<int>(line.find_first_not_of(' '));
    if (indent < 0) {
      out << line << "\n";
      continue;
    }
    std::size_t at = static_cast<std::size_t>(indent);
    if (line.compare(at, 2, "- ") == 0) {  // a list element: "arms[1]"; its keys are 2 further in
      while (open.back().first >= indent) open.pop_back();
      const std::string list = open.back().second;
      open.emplace_back(indent, list + "[" + std::to_string(elements[list]++) + "]");
      at += 2;
      indent += 2;
    }
    const auto colon = line.find(':', at);
    if (colon == std::string::npos) {
      out << line << "\n";
      continue;
    }
    while (open.back().first >= indent) open.pop_back();
    const std::string key = line.substr(at, colon - at);
    const std::string& parent = open.back().second;
    const std::string path = parent.empty() ? key : parent + "." + key;
    const bool block = line.find_first_not_of(' ', colon + 1) == std::string::npos;  // entries follow
    if (block) open.emplace_back(indent, path);
    if (plain.count(key)) {
      out << line << "\n";
      continue;
    }
    const auto declared = sources.find(declared_path(path));
    const std::string note = declared == sources.end() ? "" : declared->second;
    const Location* set = set_at(s, path);
    const Location* smd = key == "effect_by_month" ? set_at(s, parent + ".effect_smd_by_month") : nullptr;
    if (smd != nullptr) {
      line += "  # effect_smd_by_month x smd_sd, set at " + place(*smd);
    } else if (set != nullptr && (!block || (key.size() > 4 && key.compare(key.size() - 4, 4, "_mix") == 0))) {
      // A mix the scenario gives is its own: the entries it leaves out are 0, not defaults.
      line += "  # set at " + place(*set) + (block ? " (entries not given there are 0)" : "");
    } else if (set != nullptr) {
      if (!note.empty()) line += "  # default where not marked: " + note;
    } else if (!note.empty()) {
      line += "  # default: " + default_note(key, path, note);
    }
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
