#pragma once
// Internal to the scenario layer: the YAML reader that reading (io.cpp) and validation
// (validate.cpp) share, with its located messages, and the UTF-8 checks of scenario text.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "celltrial/core/error.hpp"
#include "celltrial/core/utf8.hpp"
#include "celltrial/scenario/io.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial::scenario_io {
// ---------------------------------------------------------------------------------------------
// UTF-8: scenarios are UTF-8 text (YAML is Unicode), and their names and descriptions are written
// to JSON, which holds only valid UTF-8.
// ---------------------------------------------------------------------------------------------


/// `s` for a message or a comment: control characters and bytes that are not valid UTF-8 written
/// as \xHH.
inline std::string printable(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  while (!s.empty()) {
    const std::size_t bad = invalid_utf8_at(s);
    for (const char c : s.substr(0, bad)) {
      const auto b = static_cast<unsigned char>(c);
      if (b < 0x20 || b == 0x7F)
        out += std::string("\\x") + hex[b >> 4] + hex[b & 0xF];
      else
        out += c;
    }
    if (bad == std::string_view::npos) break;
    const auto b = static_cast<unsigned char>(s[bad]);
    out += std::string("\\x") + hex[b >> 4] + hex[b & 0xF];
    s.remove_prefix(bad + 1);
  }
  return out;
}

/// The problem for a byte that is not UTF-8.
inline std::string not_utf8_problem(std::string_view s, std::size_t at) {
  static const char* hex = "0123456789ABCDEF";
  const auto b = static_cast<unsigned char>(s[at]);
  return std::string("the text is not valid UTF-8 (the byte 0x") + hex[b >> 4] + hex[b & 0xF] +
         " here does not begin a UTF-8 character, or the character is incomplete).";
}

// ---------------------------------------------------------------------------------------------
// Reader: walks the YAML tree, remembers where every value came from, and collects problems.
// ---------------------------------------------------------------------------------------------
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  std::vector<Diagnostic> diags;
  std::map<std::string, std::string> override_text;  // reader path -> "--set a.b=c"
  std::map<std::string, Location> override_at;        // reader path -> the file entry of a variant's value
  std::map<std::string, Location> seen;               // reader path -> where it was read
  std::vector<std::pair<YAML::Node, YAML::Node>> empty_values;  // a value left empty -> its key
  YAML::Node root;                                              // the document

  /// Where an override set `path` or a value inside it, or nullopt when the file did.
  std::optional<Location> override_location(const std::string& path) const {
    return override_where([&](const std::string& p) { return within(path, p); });
  }
  Location where(const YAML::Node& n, const std::string& path) const {
    if (auto o = override_location(path)) return *o;
    // An empty value has no position of its own (its mark is the next token's): use its key.
    const Location loc = mark_of(n.IsDefined() && n.IsNull() ? key_of_empty(n) : n);
    if (loc.line > 0) return loc;
    return override_inside(path).value_or(loc);  // a mapping an override made
  }
  /// The place of `n` in the file.
  Location mark_of(const YAML::Node& n) const {
    Location loc{file_, 0, 0};
    if (n.IsDefined() && n.Mark().line >= 0) {
      loc.line = n.Mark().line + 1;
      loc.column = n.Mark().column + 1;
    }
    return loc;
  }
  Location where_path(const std::string& path) const {
    // For cross-field checks: the override that set the path or a value above it, the place the
    // path was read, an override of a value inside it, or else the closest enclosing path read.
    if (auto o = override_location(path)) return *o;
    if (const auto it = seen.find(path); it != seen.end() && it->second.line > 0) return it->second;
    if (auto o = override_inside(path)) return *o;
    return closest_location(seen, path, file_);
  }
  /// Where an override set a value inside `path`, or nullopt.
  std::optional<Location> override_inside(const std::string& path) const {
    return override_where([&](const std::string& p) { return within(p, path); });
  }
  /// The place of the first override (a --set, then a scenario variant) whose path `matches`.
  template <class Match>
  std::optional<Location> override_where(Match matches) const {
    for (const auto& [p, text] : override_text)
      if (matches(p)) return Location{"command line (" + text + ")", 0, 0};
    for (const auto& [p, loc] : override_at)
      if (matches(p)) return loc;
    return std::nullopt;
  }

  void error(const YAML::Node& n, const std::string& path, std::string problem, std::string fix = "") {
    diags.push_back(Diagnostic{where(n, path), path, std::move(problem), std::move(fix)});
  }
  void error_at(const std::string& path, std::string problem, std::string fix = "") {
    diags.push_back(Diagnostic{where_path(path), path, std::move(problem), std::move(fix)});
  }

  static std::string join_path(const std::string& parent, const std::string& key) {
    return parent.empty() ? key : parent + "." + key;
  }

  /// Checks that `n` is a mapping whose keys are all in `allowed`; reports unknown and duplicate
  /// keys. Returns false when `n` is not a mapping.
  bool mapping(const YAML::Node& n, const std::string& path, const std::vector<std::string>& allowed) {
    if (!n.IsMap()) {
      error(n, path.empty() ? "(top level)" : path, "expected a mapping of keys to values, found " + kind(n) + ".",
            "write it as 'key: value' lines; allowed keys: " + list(allowed) + ".");
      return false;
    }
    seen.emplace(path, where(n, path));
    for (auto it = n.begin(); it != n.end(); ++it)
      if (!it->first.IsScalar()) error(it->first, path, "a key must be a plain word.", "allowed keys: " + list(allowed) + ".");
    each_key_once(n, path, [&](const YAML::Node& k, const std::string& key) {
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) return;
      const std::string guess = closest_match(key, allowed);
      error(k, join_path(path, key), "unknown key '" + key + "'.",
            guess.empty() ? "allowed keys here: " + list(allowed) + "."
                          : "did you mean '" + guess + "'? (allowed: " + list(allowed) + ")");
    });
    return true;
  }

  /// Calls f(key node, key) for each plain key of mapping `n` the first time it appears, and
  /// reports every repeat ("this key appears twice").
  template <class F>
  void each_key_once(const YAML::Node& n, const std::string& path, F&& f) {
    std::set<std::string> keys;
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (!it->first.IsScalar()) continue;
      const std::string key = it->first.Scalar();
      if (keys.insert(key).second)
        f(it->first, key);
      else
        error(it->first, join_path(path, key), "this key appears twice.", "keep one of the two entries.");
    }
  }

  /// Reports keys that appear twice in a mapping whose keys the user names (claims, strategies,
  /// key paths), which mapping() cannot check against a list.
  void unique_keys(const YAML::Node& n, const std::string& path) {
    each_key_once(n, path, [](const YAML::Node&, const std::string&) {});
  }

  bool number(const YAML::Node& n, const std::string& path, double& out) {
    if (!scalar(n, path, "a number")) return false;
    const std::string s = trim(n.Scalar());
    double v = 0;
    auto res = std::from_chars(s.data(), s.data() + s.size(), v);
    if (res.ec != std::errc() || res.ptr != s.data() + s.size() || !std::isfinite(v)) {
      error(n, path, "'" + s + "' is not a number.", "write a finite number such as 0.05 or 12.");
      return false;
    }
    out = v;
    seen[path] = where(n, path);
    return true;
  }

  bool integer(const YAML::Node& n, const std::string& path, std::int64_t& out) {
    double v = 0;
    if (!number(n, path, v)) return false;
    if (v != std::floor(v) || std::fabs(v) > 9.0e15) {
      error(n, path, "'" + trim(n.Scalar()) + "' is not a whole number.", "write a whole number such as 200.");
      return false;
    }
    out = static_cast<std::int64_t>(v);
    return true;
  }

  bool text(const YAML::Node& n, const std::string& path, std::string& out) {
    if (!scalar(n, path, "text")) return false;
    // A carriage return in a value (from --set, or a quoted string) would be written back as a line
    // end, so the scenario would not read back the same.
    if (n.Scalar().find('\r') != std::string::npos) {
      error(n, path, "the text holds a carriage return, which a scenario cannot hold.",
            "remove it (a line end copied from a Windows file?).");
      return false;
    }
    out = n.Scalar();
    seen[path] = where(n, path);
    return true;
  }

  template <class E>
  bool choice(const YAML::Node& n, const std::string& path, const std::vector<std::pair<std::string, E>>& options,
              E& out) {
    std::string s;
    if (!text(n, path, s)) return false;
    std::vector<std::string> names;
    for (const auto& [name, value] : options) {
      names.push_back(name);
      if (name == s) {
        out = value;
        return true;
      }
    }
    std::string guess = closest_match(s, names);
    error(n, path, "'" + s + "' is not one of " + list(names) + ".",
          guess.empty() ? "use one of " + list(names) + "." : "did you mean '" + guess + "'?");
    return false;
  }

  bool number_list(const YAML::Node& n, const std::string& path, std::vector<double>& out) {
    if (n.IsScalar()) {  // a single number is a list of one
      double v;
      if (!number(n, path, v)) return false;
      out = {v};
      return true;
    }
    if (!n.IsSequence()) {
      error(n, path, "expected a list of numbers, found " + kind(n) + ".", "write it as [6, 12].");
      return false;
    }
    std::vector<double> vals;
    bool ok = true;
    for (std::size_t i = 0; i < n.size(); ++i) {
      double v;
      if (number(n[i], path + "[" + std::to_string(i) + "]", v)) vals.push_back(v);
      else ok = false;
    }
    if (ok) out = vals;
    seen[path] = where(n, path);
    return ok;
  }

  static std::string list(const std::vector<std::string>& v) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
    return out;
  }
  static std::string kind(const YAML::Node& n) {
    if (n.IsMap()) return "a mapping";
    if (n.IsSequence()) return "a list";
    if (n.IsNull()) return "nothing (an empty value)";
    if (n.IsScalar()) return "'" + n.Scalar() + "'";
    return "an undefined value";
  }
  static std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t");
    auto e = s.find_last_not_of(" \t");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
  }
  /// Reports a key or section left empty ('key:' with nothing after it, '~' or 'null').
  void empty(const YAML::Node& n, const std::string& path, const std::string& example = "") {
    error(n, path, "no value is given (the key is left empty).",
          "give a value" + (example.empty() ? std::string("") : " (" + example + ")") + " or remove the key.");
  }

 private:
  static bool within(const std::string& path, const std::string& p) {
    return path == p || path.rfind(p + ".", 0) == 0 || path.rfind(p + "[", 0) == 0;
  }
  YAML::Node key_of_empty(const YAML::Node& n) const {
    for (const auto& [value, key] : empty_values)
      if (value.is(n)) return key;
    return n;
  }
  bool scalar(const YAML::Node& n, const std::string& path, const char* what) {
    if (n.IsScalar()) return true;
    if (n.IsDefined() && n.IsNull()) {
      empty(n, path, std::string(what));
      return false;
    }
    error(n, path, std::string("expected ") + what + ", found " + kind(n) + ".", "");
    return false;
  }
  std::string file_;
};

// Helpers that read an optional key into a field that already holds its default.
struct Section {
  Reader& r;
  const YAML::Node node;
  std::string path;
  bool ok;

  // An absent section keeps its defaults; one left empty is reported (it would silently mean the
  // same, and is usually a section whose keys were lost).
  Section(Reader& reader, const YAML::Node& n, std::string p, const std::vector<std::string>& allowed)
      : r(reader), node(n), path(std::move(p)), ok(n.IsDefined() && !n.IsNull() ? r.mapping(n, path, allowed) : false) {
    if (n.IsDefined() && n.IsNull())
      r.error(n, path.empty() ? "(top level)" : path, "the section is empty.",
              "give its keys (" + Reader::list(allowed) + ") or remove the line.");
  }

  YAML::Node get(const char* key) const { return ok ? node[key] : YAML::Node(YAML::NodeType::Undefined); }
  // A key left empty counts as given: reading it reports the missing value.
  bool has(const char* key) const { return ok && node[key].IsDefined(); }
  std::string sub(const char* key) const { return Reader::join_path(path, key); }

  void num(const char* key, double& out) { if (has(key)) r.number(get(key), sub(key), out); }
  void integer(const char* key, std::int64_t& out) { if (has(key)) r.integer(get(key), sub(key), out); }
  void text(const char* key, std::string& out) { if (has(key)) r.text(get(key), sub(key), out); }
  template <class E>
  void choice(const char* key, const std::vector<std::pair<std::string, E>>& options, E& out) {
    if (has(key)) r.choice(get(key), sub(key), options, out);
  }
  void numbers(const char* key, std::vector<double>& out) { if (has(key)) r.number_list(get(key), sub(key), out); }
};

/// Reports element i of list `n` when it is empty (a '-' with nothing after it), which a Section
/// would take for an absent section and skip. Returns true when it was.
inline bool empty_element(Reader& r, const YAML::Node& n, std::size_t i, const std::string& path, const std::string& fix) {
  if (n[i].IsDefined() && !n[i].IsNull()) return false;
  // An empty element has no position of its own: report it at the list.
  r.error(n, path, "the list element is empty.", fix + ", or remove the '-'.");
  return true;
}

// Range checks with the key's own location.
inline void check(Reader& r, bool ok, const std::string& path, const std::string& problem, const std::string& fix) {
  if (!ok) r.error_at(path, problem, fix);
}

// A mapping from fixed names to numbers. Names left out keep their current value, or become 0
// when `missing_zero` (shares of a mix).
template <std::size_t N>
inline void read_named_numbers(Reader& r, const YAML::Node& n, const std::string& path, const std::vector<std::string>& names,
                        std::array<double, N>& out, bool missing_zero) {
  Section s(r, n, path, names);
  if (!s.ok) return;
  std::array<double, N> v = out;
  if (missing_zero) v.fill(0.0);
  for (std::size_t i = 0; i < N && i < names.size(); ++i)
    if (s.has(names[i].c_str())) s.num(names[i].c_str(), v[i]);
  out = v;
}

// {month: value} mapping, months > 0 and unique, sorted.
inline void read_by_month(Reader& r, const YAML::Node& e, const std::string& ep,
                   std::vector<std::pair<double, double>>& out) {
  if (!e.IsMap()) {
    r.error(e, ep, "expected a mapping of month to value, found " + Reader::kind(e) + ".",
            "write it as {6: 1.36, 12: 1.42}.");
    return;
  }
  r.seen[ep] = r.where(e, ep);
  out.clear();
  for (auto it = e.begin(); it != e.end(); ++it) {
    double month = 0, eff = 0;
    const std::string kp = ep + "." + (it->first.IsScalar() ? it->first.Scalar() : "?");
    bool ok = r.number(it->first, kp, month);
    ok = r.number(it->second, kp, eff) && ok;
    if (!ok) continue;
    if (month <= 0) {
      r.error(it->first, kp, "the month must be positive (the value at month 0 is 0 by definition).",
              "remove this entry or use a month after randomisation.");
      continue;
    }
    out.emplace_back(month, eff);
  }
  std::sort(out.begin(), out.end());
  for (std::size_t k = 1; k < out.size(); ++k)
    if (out[k].first == out[k - 1].first)
      r.error(e, ep, "month " + format_number(out[k].first) + " is given twice.", "keep one value per month.");
}

/// Checks every value of the resolved scenario against its declared range (schema.hpp).
void check_declared_ranges(Reader& r, const Scenario& sc);
/// Checks the rules between keys (validate.cpp); run only when every value is in its declared range.
void validate(Reader& r, const Scenario& sc);

}  // namespace celltrial::scenario_io
