#include "celltrial/scenario/io.hpp"
#include "celltrial/scenario/schema.hpp"
#include "celltrial/scenario/schema_export.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>

#include <boost/math/distributions/normal.hpp>
#include <yaml-cpp/yaml.h>

#include "celltrial/core/error.hpp"
#include "celltrial/scenario/limits.hpp"

namespace celltrial {

std::string format_number(double x) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, res.ptr);
}

namespace {

// ---------------------------------------------------------------------------------------------
// UTF-8: scenarios are UTF-8 text (YAML is Unicode), and their names and descriptions are written
// to JSON, which holds only valid UTF-8.
// ---------------------------------------------------------------------------------------------

/// The offset of the first byte that does not belong to a valid UTF-8 character (overlong forms,
/// surrogates and code points above U+10FFFF are invalid), or npos when all of `s` is valid.
std::size_t invalid_utf8_at(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n = 0;
    std::uint32_t cp = 0, min = 0;
    if ((c & 0xE0) == 0xC0) {
      n = 1, cp = c & 0x1Fu, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0Fu, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, cp = c & 0x07u, min = 0x10000;
    } else {
      return i;
    }
    if (s.size() - i <= n) return i;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (b & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += n + 1;
  }
  return std::string_view::npos;
}

/// `s` for a message or a comment: control characters and bytes that are not valid UTF-8 written
/// as \xHH.
std::string printable(std::string_view s) {
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
std::string not_utf8_problem(std::string_view s, std::size_t at) {
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
    for (const auto& [p, text] : override_text)
      if (within(path, p)) return Location{"command line (" + text + ")", 0, 0};
    for (const auto& [p, loc] : override_at)
      if (within(path, p)) return loc;
    return std::nullopt;
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
    for (const auto& [p, text] : override_text)
      if (within(p, path)) return Location{"command line (" + text + ")", 0, 0};
    for (const auto& [p, loc] : override_at)
      if (within(p, path)) return loc;
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
bool empty_element(Reader& r, const YAML::Node& n, std::size_t i, const std::string& path, const std::string& fix) {
  if (n[i].IsDefined() && !n[i].IsNull()) return false;
  // An empty element has no position of its own: report it at the list.
  r.error(n, path, "the list element is empty.", fix + ", or remove the '-'.");
  return true;
}

// Range checks with the key's own location.
void check(Reader& r, bool ok, const std::string& path, const std::string& problem, const std::string& fix) {
  if (!ok) r.error_at(path, problem, fix);
}

// A mapping from fixed names to numbers. Names left out keep their current value, or become 0
// when `missing_zero` (shares of a mix).
template <std::size_t N>
void read_named_numbers(Reader& r, const YAML::Node& n, const std::string& path, const std::vector<std::string>& names,
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
void read_by_month(Reader& r, const YAML::Node& e, const std::string& ep,
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

/// The keys of a mapping that was read already, for rules that look at which keys are given.
struct Keys {
  const YAML::Node node;
  std::string path;
  bool has(const char* key) const { return node[key].IsDefined(); }
  YAML::Node get(const char* key) const { return node[key]; }
  std::string sub(const char* key) const { return path + "." + key; }
};

// What a list element needs beyond its declared keys (defined with the rules of its section).
const char* element_example(const Subgroup*);
void complete(Reader& r, const Keys& k, Subgroup& g);
void read_claims(Reader& r, const YAML::Node& c, const std::string& path, std::vector<ClaimSet>& out);

/// Reads a section by walking its declarations (scenario/schema.hpp): the keys it allows, each
/// key's type and the member that receives it come from there. In listing mode it only records
/// the keys a section declares (for the unknown-key check and its "did you mean").
class DeclaredReader {
 public:
  /// A reader of the mapping `n` at `path` whose keys `body` declares.
  template <class F>
  static void read(Reader& r, const YAML::Node& n, const std::string& path, F&& body) {
    DeclaredReader v(r, n, path, keys_of(r, body));
    if (v.s_.ok) body(v);
  }

  void number(const char* key, double& x, const schema::Meta& m) {
    if (!listed(key) && !m.input_only) s_.num(key, x);
  }
  template <class I>
  void integer(const char* key, I& x, const schema::Meta& m) {
    std::int64_t v = static_cast<std::int64_t>(x);
    if (listed(key) || !s_.has(key) || !s_.r.integer(s_.get(key), s_.sub(key), v)) return;
    if (v < static_cast<std::int64_t>(std::numeric_limits<I>::min()) ||
        static_cast<std::uint64_t>(v) > static_cast<std::uint64_t>(std::numeric_limits<I>::max()))
      s_.r.error(s_.get(key), s_.sub(key), "'" + Reader::trim(s_.get(key).Scalar()) + "' is out of range.",
                 "give " + schema::range_text(m, true) + ".");
    else
      x = static_cast<I>(v);
  }
  void text(const char* key, std::string& x, const schema::Meta&) {
    if (!listed(key)) s_.text(key, x);
  }
  template <class E>
  void choice(const char* key, E& x, schema::Options<E> options, const schema::Meta&) {
    if (listed(key)) return;
    std::vector<std::pair<std::string, E>> named;
    for (const auto& o : options) named.emplace_back(o.name, o.value);
    s_.choice(key, named, x);
  }
  void numbers(const char* key, std::vector<double>& x, const schema::Meta&) {
    if (!listed(key)) s_.numbers(key, x);
  }
  template <std::size_t N, std::size_t K>
  void named(const char* key, std::array<double, N>& x, const std::array<const char*, K>& names, const schema::Meta& m) {
    if (listed(key) || !s_.has(key)) return;
    read_named_numbers(s_.r, s_.get(key), s_.sub(key), std::vector<std::string>(names.begin(), names.end()), x, m.shares);
  }
  template <std::size_t N, std::size_t K>
  void levels(const char* key, std::array<bool, N>& x, const std::array<const char*, K>& names, const schema::Meta&) {
    if (listed(key) || !s_.has(key)) return;
    const YAML::Node n = s_.get(key);
    const std::string path = s_.sub(key);
    if (!n.IsSequence()) {
      s_.r.error(n, path, "expected a list of names, found " + Reader::kind(n) + ".",
                 "write it as [" + std::string(names[0]) + ", " + names[1] + "].");
      return;
    }
    std::vector<std::pair<std::string, std::size_t>> options;
    for (std::size_t i = 0; i < K; ++i) options.emplace_back(names[i], i);
    std::array<bool, N> v{};
    for (std::size_t i = 0; i < n.size(); ++i) {
      std::size_t at = 0;
      if (s_.r.choice(n[i], path + "[" + std::to_string(i) + "]", options, at)) v[at] = true;
    }
    x = v;
  }
  void by_month(const char* key, std::vector<std::pair<double, double>>& x, const schema::Meta& m) {
    if (!listed(key) && !m.input_only && s_.has(key)) read_by_month(s_.r, s_.get(key), s_.sub(key), x);
  }
  template <std::size_t N, std::size_t K>
  void named_partial(const char* key, std::array<double, N>& x, std::array<bool, N>& given,
                     const std::array<const char*, K>& names, const schema::Meta& m) {
    if (listed(key) || !s_.has(key)) return;
    named(key, x, names, m);
    const YAML::Node n = s_.get(key);
    if (n.IsMap())
      for (std::size_t i = 0; i < N; ++i) given[i] = n[names[i]].IsDefined();
  }
  template <class E, class F>
  void choice_or_section(const char* key, E& x, schema::Options<E> options, const schema::Meta& m, bool, F&& body) {
    if (listed(key) || !s_.has(key)) return;
    if (s_.get(key).IsScalar()) choice(key, x, options, m);
    else read(s_.r, s_.get(key), s_.sub(key), body);
  }
  template <class F>
  void section(const char* key, const schema::Meta&, F&& body) {
    if (!listed(key) && s_.has(key)) read(s_.r, s_.get(key), s_.sub(key), body);
  }
  template <class E>
  void choices(const char* key, std::vector<E>& x, schema::Options<E> options, const schema::Meta&) {
    const YAML::Node l = sequence(key, "names", "[" + std::string(options[0].name) + "] or []");
    if (!l.IsDefined()) return;
    std::vector<std::pair<std::string, E>> named;
    for (const auto& o : options) named.emplace_back(o.name, o.value);
    x.clear();
    for (std::size_t i = 0; i < l.size(); ++i) {
      E v{};
      if (!s_.r.choice(l[i], s_.sub(key) + "[" + std::to_string(i) + "]", named, v)) continue;
      if (std::find(x.begin(), x.end(), v) != x.end())
        s_.r.error(l[i], s_.sub(key), "'" + l[i].Scalar() + "' is listed twice.", "list each once.");
      else
        x.push_back(v);
    }
  }
  void texts(const char* key, std::vector<std::string>& x, const schema::Meta&) {
    const YAML::Node l = sequence(key, "names", "[primary, under5]");
    if (!l.IsDefined()) return;
    x.clear();
    for (std::size_t i = 0; i < l.size(); ++i) {
      std::string t;
      if (s_.r.text(l[i], s_.sub(key) + "[" + std::to_string(i) + "]", t)) x.push_back(t);
    }
  }
  void matrix(const char* key, std::vector<std::vector<double>>& x, const schema::Meta&) {
    const YAML::Node l = sequence(key, "rows (a matrix)", "[[0, 1], [1, 0]]");
    if (!l.IsDefined()) return;
    x.clear();
    for (std::size_t i = 0; i < l.size(); ++i) {
      std::vector<double> row;
      s_.r.number_list(l[i], s_.sub(key) + "[" + std::to_string(i) + "]", row);
      x.push_back(row);
    }
  }
  template <class T, class F>
  void list(const char* key, std::vector<T>& x, const schema::Meta& m, F&& body) {
    const std::string example = element_example(static_cast<T*>(nullptr));
    const YAML::Node l = sequence(key, m.meaning, "'" + example + "' for each");
    if (!l.IsDefined()) return;
    x.clear();
    for (std::size_t i = 0; i < l.size(); ++i) {
      const std::string path = s_.sub(key) + "[" + std::to_string(i) + "]";
      if (empty_element(s_.r, l, i, path, "give its keys, e.g. '" + example + "'")) continue;
      T element{};
      read(s_.r, l[i], path, [&](DeclaredReader& v) { body(v, element); });
      if (!l[i].IsMap()) continue;  // reported by the read
      complete(s_.r, Keys{l[i], path}, element);
      x.push_back(element);
    }
  }
  void free_form(const char* key, std::vector<ClaimSet>& x, schema::Shape, const schema::Meta&) {
    if (!listed(key) && s_.has(key)) read_claims(s_.r, s_.get(key), s_.sub(key), x);
  }

 private:
  Section s_;
  std::vector<std::string>* listing_ = nullptr;

  DeclaredReader(Reader& r, const YAML::Node& n, const std::string& path, const std::vector<std::string>& allowed)
      : s_(r, n, path, allowed) {}
  explicit DeclaredReader(Reader& r, std::vector<std::string>& keys)
      : s_(r, YAML::Node(YAML::NodeType::Undefined), "", {}), listing_(&keys) {}

  template <class F>
  static std::vector<std::string> keys_of(Reader& r, F& body) {
    std::vector<std::string> keys;
    DeclaredReader lister(r, keys);
    body(lister);
    return keys;
  }
  bool listed(const char* key) {
    if (listing_ == nullptr) return false;
    listing_->push_back(key);
    return true;
  }
  /// The list at `key` (undefined when absent, listing, or not a list, which is reported).
  YAML::Node sequence(const char* key, const std::string& of, const std::string& example) {
    if (listed(key) || !s_.has(key)) return YAML::Node(YAML::NodeType::Undefined);
    const YAML::Node l = s_.get(key);
    if (!l.IsSequence()) {
      s_.r.error(l, s_.sub(key), "expected a list of " + of + ", found " + Reader::kind(l) + ".", "write it as " + example + ".");
      return YAML::Node(YAML::NodeType::Undefined);
    }
    s_.r.seen[s_.sub(key)] = s_.r.where(l, s_.sub(key));
    return l;
  }
};

void read_population(Reader& r, const YAML::Node& n, Population& p) {
  DeclaredReader::read(r, n, "population", [&](DeclaredReader& v) { schema::declare_population(v, p); });
}

const std::vector<std::string> kSourceNames{"autologous", "public", "sibling"};
const std::vector<std::string> kHlaNames{"0", "1", "2"};

/// The product's own rules, beyond its declared keys: a mapping names its type, and keys of the
/// other type are refused.
void check_product(Reader& r, const YAML::Node& n, const std::string& path, const Arm& arm) {
  if (!n.IsMap()) return;
  if (!n["type"].IsDefined()) r.error(n, path + ".type", "the product has no type.", "add 'type: ucb' or 'type: msc'.");
  const std::vector<std::string> ucb_keys{"source_mix", "unit_tnc", "post_thaw_recovery", "target_tnc_per_kg",
                                          "bank_choices", "hla_mismatch_mix"};
  const std::vector<std::string> msc_keys{"cells_per_kg", "fixed_cells", "doses", "interval_weeks", "route",
                                          "route_multiplier", "dose_count_multiplier"};
  std::vector<std::string> other_keys = arm.product == ProductType::ucb ? msc_keys : ucb_keys;
  if (arm.product == ProductType::none) other_keys.insert(other_keys.end(), msc_keys.begin(), msc_keys.end());
  for (const auto& k : other_keys)
    if (n[k].IsDefined())
      r.error(n[k], path + "." + k, "'" + k + "' does not apply to a " + to_string(arm.product) + " product.",
              arm.product == ProductType::none ? "remove it, or give the product type ucb or msc." : "remove it or change the type.");
}

/// An effect given as standardised mean differences: converted to effect_by_month with smd_sd.
void read_smd_effect(Reader& r, const Keys& s, Arm& arm) {
  if (s.has("effect_smd_by_month")) {
    if (s.has("effect_by_month"))
      r.error(s.get("effect_smd_by_month"), s.sub("effect_smd_by_month"),
              "give the effect either in points (effect_by_month) or as an SMD, not both.", "remove one of them.");
    if (!s.has("smd_sd"))
      r.error(s.get("effect_smd_by_month"), s.sub("smd_sd"),
              "an effect given as a standardised mean difference needs the SD to convert it to points.",
              "add 'smd_sd: 5.2' (the SD of the endpoint, e.g. of 12-month GMFM-66 change).");
    std::vector<std::pair<double, double>> smd;
    read_by_month(r, s.get("effect_smd_by_month"), s.sub("effect_smd_by_month"), smd);
    double sd = 0;
    if (s.has("smd_sd") && r.number(s.get("smd_sd"), s.sub("smd_sd"), sd)) {
      if (sd <= 0)
        r.error(s.get("smd_sd"), s.sub("smd_sd"), "the SD must be positive (got " + format_number(sd) + ").", "e.g. 5.2.");
      for (auto& [m, v] : smd) arm.effect_by_month.emplace_back(m, v * sd);
    }
  } else if (s.has("smd_sd")) {
    r.error(s.get("smd_sd"), s.sub("smd_sd"), "smd_sd is only used with effect_smd_by_month.", "remove it.");
  }
}

/// The arm's rules beyond its declared keys: name and role given, sections that need an active
/// arm of the cp model, a prior that names its distribution.
void check_arm(Reader& r, const Keys& s, const Arm& arm, bool cp) {
  if (!s.has("name")) r.error(s.node, s.path + ".name", "the arm has no name.", "add 'name: <word>'.");
  if (!s.has("role")) r.error(s.node, s.path + ".role", "the arm has no role.", "add 'role: control' or 'role: active'.");
  // Sections that only act on an active arm's effect, and in the cp model's children.
  for (const char* key : {"modifiers", "heterogeneity"}) {
    if (!s.has(key)) continue;
    if (arm.role == ArmRole::control)
      r.error(s.get(key), s.sub(key), std::string("a control arm has no effect for ") + key + " to act on.",
              std::string("move ") + key + " to the active arm (a sham procedure goes in design.sham_effect_by_month).");
    else if (!cp)
      r.error(s.get(key), s.sub(key),
              std::string("'") + key + "' applies to the cp outcome model only: the generic model simulates no "
                                         "ages, GMFCS levels or child-specific effects.",
              std::string("set population.outcome_model: cp, or remove ") + key + ".");
  }
  const YAML::Node prior = s.get("effect_prior");
  if (prior.IsDefined() && prior.IsMap() && !prior["distribution"].IsDefined())
    r.error(prior, s.sub("effect_prior") + ".distribution", "the prior has no distribution.",
            "add 'distribution: normal' (or truncated_normal, discrete).");
  if (s.has("product")) check_product(r, s.get("product"), s.sub("product"), arm);
}

void read_arms(Reader& r, const YAML::Node& n, std::vector<Arm>& arms, bool cp) {
  if (!n.IsDefined() || n.IsNull()) {
    r.error(n.IsDefined() ? n : r.root, "arms", "no arms are given.",
            "list a control arm and at least one active arm under 'arms:'.");
    return;
  }
  r.seen["arms"] = r.where(n, "arms");
  if (!n.IsSequence()) {
    r.error(n, "arms", "expected a list of arms, found " + Reader::kind(n) + ".",
            "write each arm as '- name: ...' with role and allocation.");
    return;
  }
  arms.clear();
  if (n.size() == 0)
    r.error(n, "arms", "the list of arms is empty.", "list a control arm and at least one active arm under 'arms:'.");
  for (std::size_t i = 0; i < n.size(); ++i) {
    const std::string path = "arms[" + std::to_string(i) + "]";
    if (empty_element(r, n, i, path, "give the arm's keys, e.g. '- {name: ucb, role: active, effect_by_month: {12: 1.4}}'"))
      continue;
    Arm arm;
    DeclaredReader::read(r, n[i], path, [&](DeclaredReader& v) { schema::declare_arm(v, arm, cp); });
    if (!n[i].IsMap()) continue;  // reported by the read above
    const Keys s{n[i], path};
    if (cp) {  // IPDMA: SAEs in 16.0 % of UCB-treated and 12.9 % of control children
      if (!r.seen.count(path + ".safety.sae_risk")) arm.safety.sae_risk = arm.role == ArmRole::active ? 0.160 : 0.129;
      if (!r.seen.count(path + ".safety.infusion_reaction_risk"))
        arm.safety.infusion_reaction_risk = arm.role == ArmRole::active ? 0.05 : 0.0;
    }
    read_smd_effect(r, s, arm);
    check_arm(r, s, arm, cp);
    arms.push_back(arm);
  }
}

void read_design(Reader& r, const YAML::Node& n, Design& d) {
  DeclaredReader::read(r, n, "design", [&](DeclaredReader& v) { schema::declare_design(v, d); });
}

// A subgroup's rules beyond its declared keys: which conditions it has, ranges with at least one
// end, a name, and at least one condition on children.
const char* element_example(const Subgroup*) { return "- {name: under5, age_months: {max: 60}}"; }

void check_range(Reader& r, const Keys& k, const char* key, double lo) {
  const YAML::Node n = k.get(key);
  if (!n.IsMap()) return;
  if (!n["min"].IsDefined() && !n["max"].IsDefined())
    r.error(n, k.sub(key), "a range needs min, max or both.", "e.g. {max: 60} for children under 5 years.");
  check(r, lo >= 0, k.sub(key) + ".min", "min is " + format_number(lo) + "; ages and doses are not negative.",
        "use 0 or more, or leave min out (no lower limit).");
}

void complete(Reader& r, const Keys& k, Subgroup& g) {
  if (!k.has("name")) r.error(k.node, k.sub("name"), "the subgroup has no name.", "add e.g. 'name: under5'.");
  g.has_age = k.has("age_months");
  g.has_gmfcs = k.has("gmfcs");
  g.has_dose = k.has("dose_per_kg");
  g.has_hla = k.has("hla_mismatches");
  g.has_route = k.has("route");
  if (g.has_age) check_range(r, k, "age_months", g.age_min_months);
  if (g.has_dose) check_range(r, k, "dose_per_kg", g.dose_min);
  if (!g.has_age && !g.has_gmfcs && !g.has_dose && g.sex < 0 && !g.has_hla)
    r.error(k.node, k.path,
            g.has_route ? "the subgroup has only a route, which picks arms, not children: inside it is every child, "
                          "so it repeats the primary comparison."
                        : "the subgroup has no condition, so it is everyone.",
            "add at least one of age_months, gmfcs, dose_per_kg, sex, hla_mismatches" +
                std::string(g.has_route ? " (route then limits it to arms given by that route)." : ", route."));
}

void read_claims(Reader& r, const YAML::Node& c, const std::string& path, std::vector<ClaimSet>& out) {
  if (!c.IsMap()) {
    r.error(c, path, "expected a mapping of claim names to lists of hypotheses, found " + Reader::kind(c) + ".",
            "e.g. claims: {overall_and_young: [primary, under5]}.");
    return;
  }
  r.seen[path] = r.where(c, path);
  r.unique_keys(c, path);
  for (auto it = c.begin(); it != c.end(); ++it) {
    ClaimSet cs;
    cs.name = it->first.Scalar();
    const std::string cp = path + "." + cs.name;
    if (!it->second.IsSequence() || it->second.size() == 0) {
      r.error(it->second, cp, "expected a non-empty list of hypothesis names.", "e.g. [primary, under5].");
      continue;
    }
    r.seen[cp] = r.where(it->second, cp);
    for (std::size_t i = 0; i < it->second.size(); ++i) {
      std::string h;
      if (r.text(it->second[i], cp + "[" + std::to_string(i) + "]", h)) cs.all_of.push_back(h);
    }
    out.push_back(cs);
  }
}

void read_analysis(Reader& r, const YAML::Node& n, Analysis& a) {
  DeclaredReader::read(r, n, "analysis", [&](DeclaredReader& v) { schema::declare_analysis(v, a); });
  const YAML::Node m = n.IsDefined() && n.IsMap() ? n["multiplicity"] : YAML::Node(YAML::NodeType::Undefined);
  if (m.IsDefined() && m.IsMap() && !m["procedure"].IsDefined())
    r.error(m, "analysis.multiplicity.procedure", "the multiplicity procedure is not named.",
            "add e.g. 'procedure: graphical'.");
}

void read_simulation(Reader& r, const YAML::Node& n, Simulation& sim) {
  DeclaredReader::read(r, n, "simulation", [&](DeclaredReader& v) { schema::declare_simulation(v, sim); });
}

// Subgroups, the multiplicity family and claims.
// The confirmatory family: its hypotheses, weights, transitions and claims.
void validate_family(Reader& r, const Scenario& sc) {
  const auto& an = sc.analysis;
  const auto all = all_hypotheses(sc);
  std::vector<std::string> all_names;
  for (const auto& h : all) all_names.push_back(h.name);
  const std::string hp = "analysis.multiplicity.hypotheses";
  std::set<std::string> listed;
  for (std::size_t i = 0; i < an.testing.hypotheses.size(); ++i) {
    const std::string& h = an.testing.hypotheses[i];
    const std::string kp = hp + "[" + std::to_string(i) + "]";
    if (std::find(all_names.begin(), all_names.end(), h) == all_names.end()) {
      const std::string guess = closest_match(h, all_names);
      r.error_at(kp, "there is no hypothesis '" + h + "'.",
                 (guess.empty() ? std::string("") : "did you mean '" + guess + "'? ") + "The hypotheses are " + Reader::list(all_names) + ".");
    } else if (!listed.insert(h).second) {
      r.error_at(kp, "'" + h + "' is listed twice.", "list each hypothesis once.");
    }
  }
  // When the list is given it decides the family: a subgroup marked confirmatory must be in it.
  if (!an.testing.hypotheses.empty())
    for (const auto& h : all)
      if (h.subgroup >= 0 && an.subgroups[static_cast<std::size_t>(h.subgroup)].confirmatory && !listed.count(h.name))
        r.error_at("analysis.subgroups[" + std::to_string(h.subgroup) + "].confirmatory",
                   "'" + h.name + "' is marked confirmatory but " + hp + " leaves it out (the list decides the family).",
                   "add '" + h.name + "' to the list, or remove confirmatory: true.");
  const std::size_t m = family(sc).size();
  const auto& w = an.testing.weights;
  const auto& t = an.testing.transitions;
  const std::string wp = "analysis.multiplicity.weights", tp = "analysis.multiplicity.transitions";
  const bool weighted = an.multiplicity == Multiplicity::bonferroni || an.multiplicity == Multiplicity::holm ||
                        an.multiplicity == Multiplicity::fallback || an.multiplicity == Multiplicity::graphical;
  if (!w.empty()) {
    if (!weighted) r.error_at(wp, std::string("weights are not used by ") + to_string(an.multiplicity) + ".",
                              "remove them, or use bonferroni, holm, fallback or graphical.");
    else if (w.size() != m)
      r.error_at(wp, "there are " + std::to_string(w.size()) + " weights for " + std::to_string(m) + " hypotheses in the family.",
                 "give one weight per hypothesis, in the order of the family (" + std::to_string(m) + ").");
    double sum = 0;
    bool negative = false;
    for (double x : w) {
      sum += x;
      negative = negative || x < 0;
    }
    check(r, !negative, wp, "weights must not be negative.", "use shares of alpha between 0 and 1.");
    check(r, sum <= 1 + 1e-9, wp, "the weights sum to " + format_number(sum) + ", more than 1 (that would spend more than alpha).",
          "scale them down so that they sum to at most 1.");
  }
  if (an.multiplicity == Multiplicity::graphical && (w.empty() || t.empty()))
    r.error_at("analysis.multiplicity", "the graphical procedure needs weights and a transition matrix.",
               "add weights: [...] (one per hypothesis) and transitions: [[...], ...] (" + std::to_string(m) + " x " +
                   std::to_string(m) + ").");
  if (!t.empty()) {
    if (an.multiplicity != Multiplicity::graphical)
      r.error_at(tp, "transitions are used only by the graphical procedure.", "remove them or use procedure: graphical.");
    if (t.size() != m)
      r.error_at(tp, "the matrix has " + std::to_string(t.size()) + " rows for " + std::to_string(m) + " hypotheses.",
                 "give one row per hypothesis in the family.");
    for (std::size_t i = 0; i < t.size(); ++i) {
      const std::string rp = tp + "[" + std::to_string(i) + "]";
      if (t[i].size() != m) {
        r.error_at(rp, "the row has " + std::to_string(t[i].size()) + " entries, not " + std::to_string(m) + ".", "one entry per hypothesis.");
        continue;
      }
      double sum = 0;
      for (std::size_t j = 0; j < m; ++j) {
        sum += t[i][j];
        if (t[i][j] < 0) r.error_at(rp, "transition weights must not be negative.", "use shares between 0 and 1.");
      }
      if (i < m && t[i][i] != 0) r.error_at(rp, "a hypothesis cannot pass weight to itself (the diagonal must be 0).", "set entry " + std::to_string(i) + " to 0.");
      check(r, sum <= 1 + 1e-9, rp, "the row sums to " + format_number(sum) + ", more than 1.",
            "the shares a rejected hypothesis passes on must sum to at most 1.");
    }
  }
  const auto fam = family(sc);
  std::vector<std::string> fam_names;
  for (std::size_t h : fam) fam_names.push_back(all[h].name);
  for (const auto& c : an.claims) {
    const std::string claim_path = "analysis.claims." + c.name;
    for (std::size_t i = 0; i < c.all_of.size(); ++i)
      if (std::find(fam_names.begin(), fam_names.end(), c.all_of[i]) == fam_names.end()) {
        const std::string guess = closest_match(c.all_of[i], fam_names);
        r.error_at(claim_path + "[" + std::to_string(i) + "]",
                   "'" + c.all_of[i] + "' is not a hypothesis of the confirmatory family (" + Reader::list(fam_names) + ").",
                   guess.empty() ? "mark the subgroup confirmatory: true, or list it in analysis.multiplicity.hypotheses."
                                 : "did you mean '" + guess + "'?");
      }
  }
}

void validate_subgroups(Reader& r, const Scenario& sc) {
  const auto& an = sc.analysis;
  const bool cp = sc.population.outcome_model == OutcomeModel::cp;
  bool any_product = false, any_allogeneic = false;
  for (const auto& a : sc.arms) {
    any_product = any_product || (a.role == ArmRole::active && a.product != ProductType::none);
    any_allogeneic = any_allogeneic || (a.product == ProductType::ucb && (a.ucb.source_mix[1] > 0 || a.ucb.source_mix[2] > 0));
  }
  check(r, an.subgroups.size() <= kMaxSubgroups, "analysis.subgroups",
        "there are " + std::to_string(an.subgroups.size()) + " subgroups; the analysis supports at most " +
            std::to_string(kMaxSubgroups) + ".",
        "keep the 32 that matter most, or run several scenarios.");
  std::set<std::string> names;
  for (const auto& a : sc.arms) names.insert(a.name);
  for (std::size_t i = 0; i < an.subgroups.size(); ++i) {
    const Subgroup& g = an.subgroups[i];
    const std::string gp = "analysis.subgroups[" + std::to_string(i) + "]";
    if (!g.name.empty()) {
      check(r, g.name.find_first_of("/,\"") == std::string::npos && g.name != "primary", gp + ".name",
            "'" + g.name + "' cannot name a subgroup (it must not be 'primary' or hold '/', ',' or quotes).",
            "use a plain word such as under5.");
      check(r, names.insert(g.name).second, gp + ".name",
            "the name '" + g.name + "' is already used by an arm or another subgroup.", "give each subgroup its own name.");
    }
    if (g.has_age) {
      check(r, cp, gp + ".age_months", "age subgroups need the cp outcome model (the generic endpoint has no ages).",
            "remove the condition or set population.outcome_model: cp.");
      check(r, g.age_min_months < g.age_max_months, gp + ".age_months", "min must be below max.", "e.g. {min: 0, max: 60}.");
    }
    if (g.has_gmfcs) {
      check(r, cp, gp + ".gmfcs", "GMFCS subgroups need the cp outcome model.", "remove the condition or set population.outcome_model: cp.");
      check(r, std::find(g.gmfcs.begin(), g.gmfcs.end(), true) != g.gmfcs.end(), gp + ".gmfcs", "no GMFCS level is listed.",
            "list the levels in the subgroup, e.g. [I, II, III].");
    }
    if (g.has_dose) {
      check(r, cp && any_product, gp + ".dose_per_kg",
            "dose subgroups need an active arm with a UCB or MSC product (the planned dose per kg is its dose).",
            "add a product to the active arm or remove the condition.");
      check(r, g.dose_min < g.dose_max, gp + ".dose_per_kg", "min must be below max.", "e.g. {min: 2.0e7} TNC/kg.");
    }
    if (g.sex >= 0) check(r, cp, gp + ".sex", "sex subgroups need the cp outcome model.", "remove the condition.");
    if (g.has_hla) {
      check(r, any_allogeneic, gp + ".hla_mismatches",
            "HLA subgroups need a UCB arm with public or sibling units (autologous units have no mismatch).",
            "remove the condition or add allogeneic units to the source_mix.");
      check(r, std::find(g.hla.begin(), g.hla.end(), true) != g.hla.end(), gp + ".hla_mismatches", "no mismatch count is listed.",
            "e.g. [0, 1].");
    }
    if (g.has_route) {
      bool any = false;
      for (std::size_t a = 0; a < sc.arms.size(); ++a) any = any || subgroup_applies(sc, g, a);
      check(r, any, gp + ".route", std::string("no active arm gives MSC ") + to_string(g.route) + ".",
            "remove the condition or use the route of an MSC arm.");
    }
  }
  check(r, an.interaction_alpha >= kMinAlpha && an.interaction_alpha < 1, "analysis.interaction_alpha",
        "must be in [" + format_number(kMinAlpha) + ", 1) (two-sided level of the interaction test; got " +
            format_number(an.interaction_alpha) + ").",
        "e.g. 0.10.");
  validate_family(r, sc);
}

/// The index of the control arm after `skip` others.
std::size_t nth_control(const Scenario& sc, std::size_t skip) {
  for (std::size_t i = 0; i < sc.arms.size(); ++i)
    if (sc.arms[i].role == ArmRole::control && skip-- == 0) return i;
  return 0;
}

// Cross-field validation, after every value has been read.
// The outcome model: motor curves and variation (cp) or the generic endpoint.
void validate_outcome_model(Reader& r, const Scenario& sc) {
  [[maybe_unused]] const auto& p = sc.population;
  [[maybe_unused]] const bool cp = p.outcome_model == OutcomeModel::cp;
  if (cp) {
    const auto& a = p.age;
    if (a.distribution == AgeDistribution::uniform)
      check(r, a.min_months >= 0 && a.max_months > a.min_months, "population.age_months",
            "uniform ages need 0 <= min < max (got min " + format_number(a.min_months) + ", max " +
                format_number(a.max_months) + ").",
            "e.g. min: 12, max: 72.");
    else {
      // Bounded so that the lognormal's parameters stay finite and positive.
      check(r, a.mean_months >= 0.1 && a.mean_months <= 300, "population.age_months.mean",
            "the mean age must be between 0.1 and 300 months (got " + format_number(a.mean_months) + ").", "e.g. mean: 36.");
      check(r, a.sd_months >= 0.01 && a.sd_months <= 300, "population.age_months.sd",
            "the SD must be between 0.01 and 300 months (got " + format_number(a.sd_months) + ").", "e.g. sd: 15.");
    }
    const auto& e = p.eligibility;
    check(r, e.min_age_months >= 0 && e.max_age_months > e.min_age_months, "population.eligibility",
          "eligibility needs 0 <= min_age_months < max_age_months.", "e.g. min_age_months: 12, max_age_months: 72.");
    if (r.diags.empty()) {
      const double yield = age_eligibility_yield(p);
      check(r, yield >= 1e-4, "population.eligibility",
            yield == 0 ? std::string("no child from the age distribution meets the age limits.")
                       : "only " + format_number(yield) + " of children from the age distribution meet the age limits "
                         "(fewer than 1 in 10,000 screened would enrol).",
            "make population.age_months overlap population.eligibility.");
    }
    check(r, e.max_age_months <= 300, "population.eligibility.max_age_months",
          "ages above 300 months (25 years) are outside the motor-development curves.", "use at most 300.");
    double sum = 0;
    bool nonneg = true;
    for (double m : p.cp.mix) {
      sum += m;
      nonneg = nonneg && m >= 0;
    }
    check(r, nonneg, "population.gmfcs_mix", "shares must not be negative.", "use shares between 0 and 1.");
    check(r, std::fabs(sum - 1) < 1e-6, "population.gmfcs_mix",
          "the GMFCS shares sum to " + format_number(sum) + ", not 1.",
          "make the shares of levels I-V sum to 1 (levels left out count as 0).");
    for (int i = 0; i < kGmfcsLevels; ++i) {
      const auto& c = p.cp.curves[static_cast<std::size_t>(i)];
      const std::string cpth = std::string("population.cp.curves.") + kGmfcsNames[static_cast<std::size_t>(i)];
      check(r, c.limit > 0 && c.limit <= 100, cpth + ".limit", "the limit must be in (0, 100] GMFM-66 points.",
            "Rosenbaum 2002 gives 87.7, 68.4, 54.3, 40.4, 22.3 for levels I-V.");
      check(r, c.age90_years > 0, cpth + ".age90_years", "age90 must be positive (years).",
            "Rosenbaum 2002 gives 4.8, 4.4, 3.7, 3.5, 2.7 for levels I-V.");
    }
    check(r, p.cp.child_limit_sd >= 0, "population.cp.child_limit_sd", "an SD must not be negative.", "e.g. 8.");
    check(r, p.cp.progress_sd_per_year >= 0, "population.cp.progress_sd_per_year", "an SD must not be negative.",
          "e.g. 4.8.");
    check(r, p.cp.measurement_sd >= 0, "population.cp.measurement_sd", "an SD must not be negative.", "e.g. 1.3.");
  } else {
    const auto& g = p.generic;
    check(r, g.baseline_sd > 0, "population.generic.baseline_sd",
          "the SD must be positive (got " + format_number(g.baseline_sd) + ").", "e.g. 10.");
    check(r, g.residual_sd > 0, "population.generic.residual_sd",
          "the SD must be positive (got " + format_number(g.residual_sd) + ").", "e.g. 4.");
  }
}

// The children: sex, age, eligibility and weight.
void validate_children(Reader& r, const Scenario& sc) {
  [[maybe_unused]] const auto& p = sc.population;
  [[maybe_unused]] const bool cp = p.outcome_model == OutcomeModel::cp;
  check(r, p.male_fraction >= 0 && p.male_fraction <= 1, "population.male_fraction",
        "must be between 0 and 1 (got " + format_number(p.male_fraction) + ").", "e.g. 0.56.");
  if (cp && p.age.distribution == AgeDistribution::table) {
    const auto& e = p.age.table_edges;
    const auto& w = p.age.table_weights;
    bool ok = e.size() >= 2 && w.size() + 1 == e.size() && e.front() >= 0;
    for (std::size_t k = 1; ok && k < e.size(); ++k) ok = e[k] > e[k - 1];
    double sum = 0;
    for (double x : w) {
      ok = ok && x >= 0;
      sum += x;
    }
    check(r, ok && sum > 0, "population.age_months.table",
          "needs increasing bin edges (months, from 0 up) and one non-negative weight per bin (edges = weights + 1).",
          "e.g. {edges_months: [12, 24, 48, 72], weights: [0.3, 0.5, 0.2]}.");
  }
  const bool any_product = std::any_of(sc.arms.begin(), sc.arms.end(), [](const Arm& a) { return a.product != ProductType::none; });
  const auto& el = p.eligibility;
  const bool needs_weight = cp && (any_product || el.min_weight_kg > 0 || el.max_weight_kg < 1000);
  if (cp) {
    bool any_level = false;
    for (int l = 0; l < kGmfcsLevels; ++l)
      any_level = any_level || (el.gmfcs[static_cast<std::size_t>(l)] && p.cp.mix[static_cast<std::size_t>(l)] > 0);
    check(r, any_level, "population.eligibility.gmfcs", "no GMFCS level that occurs in the mix is eligible.",
          "list at least one level with a positive share in population.gmfcs_mix.");
    check(r, el.min_weight_kg >= 0 && el.max_weight_kg > el.min_weight_kg, "population.eligibility",
          "weight limits need 0 <= min_weight_kg < max_weight_kg.", "e.g. min_weight_kg: 8.");
    check(r, el.min_ucb_tnc_per_kg >= 0 && el.min_ucb_tnc_per_kg <= 1e9, "population.eligibility.min_ucb_tnc_per_kg",
          "must be between 0 and 1e9 TNC/kg (got " + format_number(el.min_ucb_tnc_per_kg) +
              "; no cord-blood unit gives a child 1e9 TNC/kg).",
          "e.g. 2e7 for a floor of 2 x 10^7 TNC/kg.");
    if (el.min_ucb_tnc_per_kg > 0)
      check(r, std::any_of(sc.arms.begin(), sc.arms.end(), [](const Arm& a) { return a.product == ProductType::ucb; }),
            "population.eligibility.min_ucb_tnc_per_kg", "a UCB dose floor needs an arm with a UCB product.",
            "add 'product: {type: ucb}' to the active arm or remove the floor.");
    const auto& w = p.weight;
    check(r, w.cv >= 0 && w.cv <= 0.5, "population.weight.cv", "must be in [0, 0.5] (got " + format_number(w.cv) + ").",
          "weight-for-age CVs are about 0.11-0.16.");
    bool table_ok = w.table_months.size() >= 2 && w.boys_kg.size() == w.table_months.size() &&
                    w.girls_kg.size() == w.table_months.size();
    for (std::size_t k = 0; table_ok && k < w.table_months.size(); ++k)
      table_ok = (k == 0 || w.table_months[k] > w.table_months[k - 1]) && w.boys_kg[k] > 0 && w.girls_kg[k] > 0;
    check(r, table_ok, "population.weight.table",
          "needs increasing months and a positive weight for boys and girls at each of them.",
          "give three lists of the same length.");
    if (table_ok && needs_weight) {
      const double top = w.table_months.back(), bottom = w.table_months.front();
      const double oldest = p.age.distribution == AgeDistribution::uniform
                                ? std::min(p.age.max_months, el.max_age_months)
                                : el.max_age_months;
      const double youngest = p.age.distribution == AgeDistribution::uniform ? std::max(p.age.min_months, el.min_age_months)
                                                                             : el.min_age_months;
      check(r, oldest <= top && youngest >= bottom, "population.eligibility",
            "children up to " + format_number(oldest) + " months can enrol, but the weight-for-age table covers " +
                format_number(bottom) + " to " + format_number(top) + " months.",
            "lower population.eligibility.max_age_months or extend population.weight.table.");
    }
    check(r, p.cp.occasion_sd >= 0, "population.cp.occasion_sd", "an SD must not be negative.", "e.g. 2.6.");
    check(r, p.cp.decline.until_age_years > 0, "population.cp.decline.until_age_years", "must be positive.", "e.g. 21.");
    for (int l = 0; l < kGmfcsLevels; ++l) {
      const auto i = static_cast<std::size_t>(l);
      check(r, p.cp.decline.loss_points[i] >= 0 && p.cp.decline.peak_age_years[i] >= 0 &&
                   (p.cp.decline.loss_points[i] == 0 || p.cp.decline.peak_age_years[i] < p.cp.decline.until_age_years),
            "population.cp.decline", "peak ages and losses must not be negative, and peaks come before until_age_years.",
            "Hanna 2009: peaks 7.9, 6.9, 6.9 years and losses 4.7, 7.8, 6.4 points for levels III-V.");
    }
  }
}

// The arms: roles, names, allocation, effects, products, dose-response, modifiers, priors, safety.
// An arm's product: UCB units and doses, MSC doses and route.
void validate_product(Reader& r, const Scenario& sc, const Arm& a, const std::string& ap) {
  [[maybe_unused]] const auto& p = sc.population;
  [[maybe_unused]] const bool cp = p.outcome_model == OutcomeModel::cp;
  if (a.product == ProductType::ucb) {
    const auto& u = a.ucb;
    const std::string pp = ap + ".product";
    double sum = 0;
    for (double x : u.source_mix) sum += x;
    check(r, std::fabs(sum - 1) < 1e-6 && *std::min_element(u.source_mix.begin(), u.source_mix.end()) >= 0,
          pp + ".source_mix", "unit-source shares must be non-negative and sum to 1 (got " + format_number(sum) + ").",
          "e.g. {autologous: 0.16, public: 0.84}.");
    for (std::size_t k = 0; k < u.unit.size(); ++k)
      if (u.source_mix[k] > 0)
        check(r, u.unit[k].median_tnc > 0 && u.unit[k].cv > 0 && u.unit[k].cv <= 3,
              pp + ".unit_tnc." + kSourceNames[k], "needs a positive median TNC and a CV in (0, 3].",
              "e.g. {median: 4.7e8, cv: 0.6} for privately banked units.");
    check(r, u.post_thaw_recovery > 0 && u.post_thaw_recovery <= 1, pp + ".post_thaw_recovery",
          "must be in (0, 1] (got " + format_number(u.post_thaw_recovery) + ").", "about 0.8 is typical.");
    check(r, u.bank_choices >= 1 && u.bank_choices <= 100, pp + ".bank_choices", "must be between 1 and 100.",
          "1 means a single random unit.");
    check(r, u.target_tnc_per_kg >= 0, pp + ".target_tnc_per_kg", "must not be negative.", "e.g. 5e7.");
    sum = 0;
    for (double x : u.hla_mismatch_mix) sum += x;
    check(r, std::fabs(sum - 1) < 1e-6 && *std::min_element(u.hla_mismatch_mix.begin(), u.hla_mismatch_mix.end()) >= 0,
          pp + ".hla_mismatch_mix", "shares of 0, 1 and 2+ mismatches must be non-negative and sum to 1.",
          "e.g. {0: 0.26, 1: 0.37, 2: 0.37}.");
  }
  if (a.product == ProductType::msc) {
    const auto& m = a.msc;
    const std::string pp = ap + ".product";
    check(r, m.cells_per_kg > 0 || m.fixed_cells > 0, pp, "give cells_per_kg or fixed_cells (per dose), positive.",
          "e.g. cells_per_kg: 2e6 or fixed_cells: 5e7.");
    check(r, m.cells_per_kg >= 0 && m.fixed_cells >= 0, pp, "cell numbers must not be negative.", "");
    check(r, m.doses >= 1 && m.doses <= 20, pp + ".doses", "must be between 1 and 20.", "MSC trials gave 1-4 doses.");
    check(r, m.interval_weeks > 0, pp + ".interval_weeks", "must be positive.", "e.g. 4.");
    check(r, m.route_multiplier[0] >= 0 && m.route_multiplier[1] >= 0, pp + ".route_multiplier",
          "multipliers must not be negative.", "1 means no change.");
    check(r, m.dose_count_multiplier.empty() || static_cast<int>(m.dose_count_multiplier.size()) >= m.doses,
          pp + ".dose_count_multiplier",
          "give one multiplier for each number of doses from 1 up to doses (" + std::to_string(m.doses) + ").",
          "e.g. [0.8, 1.0] for doses: 2.");
    for (double x : m.dose_count_multiplier)
      check(r, x >= 0, pp + ".dose_count_multiplier", "multipliers must not be negative.", "");
  }
  const auto& d = a.dose_response;
  if (d.model != DoseResponseModel::none) {
    const std::string dp = ap + ".dose_response";
    check(r, a.product != ProductType::none, dp, "a dose-response needs a product that gives a dose.",
          "add 'product: {type: ucb}' or 'product: {type: msc, ...}'.");
    check(r, d.reference_dose > 0, dp + ".reference_dose",
          "the dose at which effect_by_month applies must be positive.", "e.g. 3e7 (TNC/kg) for UCB.");
    if (d.model == DoseResponseModel::step) {
      check(r, d.threshold > 0 && d.below_fraction >= 0 && d.below_fraction <= 1, dp,
            "step needs threshold > 0 and below_fraction between 0 and 1 (got threshold " + format_number(d.threshold) +
                ", below_fraction " + format_number(d.below_fraction) + ").",
            "e.g. threshold: 2e7, below_fraction: 0.3 (the share of the effect left below the threshold).");
      check(r, d.reference_dose >= d.threshold || d.below_fraction > 0, dp + ".reference_dose",
            "effect_by_month applies at the reference dose, which is below the threshold, where below_fraction 0 "
            "leaves no effect: every child's effect would be 0.",
            "use a reference_dose at or above the threshold, or a below_fraction above 0.");
    }
    if (d.model == DoseResponseModel::emax)
      check(r, d.ed50 > 0 && d.hill > 0 && d.hill <= 20, dp, "emax needs ed50 > 0 and 0 < hill <= 20.",
            "e.g. ed50: 2e7, hill: 1.");
  }
}

// An arm's dose-response, effect modifiers, heterogeneity, prior and safety risks.
void validate_effect_terms(Reader& r, const Scenario& sc, const Arm& a, const std::string& ap) {
  [[maybe_unused]] const auto& p = sc.population;
  [[maybe_unused]] const bool cp = p.outcome_model == OutcomeModel::cp;
  const auto& m = a.modifiers;
  {
    const std::string mp = ap + ".modifiers";
    bool ok = m.age_multipliers.size() == m.age_breaks_months.size() + 1;
    for (std::size_t k = 1; ok && k < m.age_breaks_months.size(); ++k) ok = m.age_breaks_months[k] > m.age_breaks_months[k - 1];
    for (double x : m.age_multipliers) ok = ok && x >= 0;
    check(r, ok, mp + ".age", "needs increasing breaks and one non-negative multiplier more than breaks.",
          "e.g. {breaks_months: [60], multipliers: [1.3, 0.6]}: 1.3 below 5 years, 0.6 from 5 years.");
    for (int l = 0; l < kGmfcsLevels; ++l) {
      const auto li = static_cast<std::size_t>(l);
      check(r, m.gmfcs[li] >= 0, mp + ".gmfcs", "multipliers must not be negative.", "1 means no change.");
      if (m.gmfcs_given[li] && cp)
        check(r, p.cp.mix[li] > 0, mp + ".gmfcs." + kGmfcsNames[li],
              std::string("a modifier is given for GMFCS level ") + kGmfcsNames[li] +
                  ", but that level has no share in population.gmfcs_mix.",
              "remove it, or give the level a share in population.gmfcs_mix.");
    }
    for (double x : m.hla_mismatch) check(r, x >= 0, mp + ".hla_mismatch", "multipliers must not be negative.", "");
    if (m.hla_mismatch != std::array<double, kHlaLevels>{1, 1, 1})
      check(r, a.product == ProductType::ucb, mp + ".hla_mismatch", "HLA modifiers apply to UCB products only.",
            "add 'product: {type: ucb}' or remove them.");
  }
  const auto& q = a.effect_prior;
  if (q.kind != PriorKind::none) {
    const std::string qp = ap + ".effect_prior";
    check(r, a.role == ArmRole::active, qp, "a control arm has no effect to put a prior on.", "move the prior to an active arm.");
    check(r, effect_at(a, sc.analysis.primary_visit_months) != 0, qp,
          "the prior scales the arm's effect_by_month, which is 0 at the primary visit.",
          "give effect_by_month a non-zero effect at the primary visit (e.g. the prior mean).");
    if (q.kind == PriorKind::normal || q.kind == PriorKind::truncated_normal)
      check(r, q.sd > 0, qp + ".sd", "the prior SD must be positive (got " + format_number(q.sd) + ").",
            "e.g. 0.56 for the IPDMA 12-month estimate.");
    if (q.kind == PriorKind::truncated_normal && q.sd > 0) {
      const boost::math::normal_distribution<double> nd(q.mean, q.sd);
      const double mass = q.lower < q.upper ? boost::math::cdf(nd, q.upper) - boost::math::cdf(nd, q.lower) : 0.0;
      check(r, mass >= 1e-3, qp, "the truncation bounds keep almost none of the prior (mass " + format_number(mass) + ").",
            "use lower < upper around the mean.");
    }
    if (q.kind == PriorKind::discrete) {
      bool ok = !q.values.empty() && q.values.size() == q.weights.size();
      double sum = 0;
      for (double w : q.weights) {
        ok = ok && w >= 0;
        sum += w;
      }
      check(r, ok && sum > 0, qp, "a discrete prior needs as many non-negative weights as values, not all 0.",
            "e.g. {distribution: discrete, values: [0, 1.42, 2.5], weights: [0.2, 0.5, 0.3]}.");
    }
  }
  const auto& h = a.heterogeneity;
  check(r, h.sd >= 0, ap + ".heterogeneity.sd", "an SD must not be negative.", "e.g. 1.0.");
  check(r, h.responder_fraction > 0 && h.responder_fraction <= 1, ap + ".heterogeneity.responder_fraction",
        "must be in (0, 1].", "e.g. 0.4 for 40 % responders.");
  check(r, a.safety.sae_risk >= 0 && a.safety.sae_risk <= 1 && a.safety.infusion_reaction_risk >= 0 &&
               a.safety.infusion_reaction_risk <= 1,
        ap + ".safety", "risks are probabilities in [0, 1].", "defaults: SAE 0.160 active, 0.129 control.");
}

void validate_arms(Reader& r, const Scenario& sc) {
  [[maybe_unused]] const auto& p = sc.population;
  [[maybe_unused]] const bool cp = p.outcome_model == OutcomeModel::cp;
  int controls = 0, actives = 0;
  std::set<std::string> names;
  for (std::size_t i = 0; i < sc.arms.size(); ++i) {
    const auto& a = sc.arms[i];
    const std::string ap = "arms[" + std::to_string(i) + "]";
    (a.role == ArmRole::control ? controls : actives)++;
    if (!a.name.empty() && !names.insert(a.name).second)
      r.error_at(ap + ".name", "the arm name '" + a.name + "' is used twice.", "give every arm its own name.");
    if (a.name == "all arms")
      r.error_at(ap + ".name", "'all arms' labels the trial's totals in summary.csv, so it cannot name one arm.",
                 "choose another name, e.g. 'arm " + std::to_string(i + 1) + "'.");
    check(r, a.allocation > 0 && a.allocation <= 1000, ap + ".allocation",
          "the allocation ratio must be positive (got " + format_number(a.allocation) + ").",
          "e.g. 1 for equal allocation, 2 for twice as many as an arm with 1.");
    if (a.role == ArmRole::active && a.effect_by_month.empty())
      r.error_at(ap, "the active arm has no effect_by_month.",
                 "add e.g. 'effect_by_month: {6: 1.36, 12: 1.42}' (use 0 for a null scenario).");
    if (a.role == ArmRole::control && !a.effect_by_month.empty())
      r.error_at(ap + ".effect_by_month", "a control arm has no effect relative to itself.",
                 "remove effect_by_month from the control arm.");
    if (a.role == ArmRole::control) {
      check(r, a.product == ProductType::none && a.dose_response.model == DoseResponseModel::none &&
                   a.heterogeneity.model == Heterogeneity::none && a.modifiers.age_breaks_months.empty(),
            ap, "a control arm takes no product, dose-response, modifiers or heterogeneity.",
            "describe the therapy on the active arm; a sham procedure goes in design.sham_effect_by_month.");
    }
    if (a.product != ProductType::none && !cp)
      r.error_at(ap + ".product", "cell products need the cp outcome model (dose depends on the child's weight).",
                 "set population.outcome_model: cp or remove the product.");
    validate_product(r, sc, a, ap);
    validate_effect_terms(r, sc, a, ap);
  }
  if (!sc.arms.empty()) {
    // A second control arm is reported at its role; a missing role at the list.
    check(r, controls == 1, controls > 1 ? "arms[" + std::to_string(nth_control(sc, 1)) + "].role" : std::string("arms"),
          "there must be exactly one control arm (found " + std::to_string(controls) + ").",
          controls > 1 ? "make all but one of them 'role: active'." : "give one arm 'role: control'.");
    check(r, actives >= 1, "arms", "there must be at least one active arm.", "give an arm 'role: active'.");
    check(r, sc.arms.size() <= kMaxArms, "arms",
          "there are " + std::to_string(sc.arms.size()) + " arms; celltrial simulates at most " +
              std::to_string(kMaxArms) + " (the control included).",
          "drop or merge arms, or compare them in separate scenarios that share the control arm's settings.");
  }
}

// The design; returns whether the visits are positive and increasing.
bool validate_design(Reader& r, const Scenario& sc) {
  [[maybe_unused]] const auto& p = sc.population;
  [[maybe_unused]] const bool cp = p.outcome_model == OutcomeModel::cp;
  const auto& d = sc.design;
  check(r, d.sample_size >= static_cast<std::int64_t>(std::max<std::size_t>(sc.arms.size(), 2)) * 2 &&
               d.sample_size <= 1000000,
        "design.sample_size",
        "the total sample size must be between twice the number of arms and 1,000,000 (got " +
            std::to_string(d.sample_size) + ").",
        "e.g. 200.");
  bool sorted = !d.visits_months.empty();
  for (std::size_t i = 0; i < d.visits_months.size(); ++i) {
    if (d.visits_months[i] <= 0) sorted = false;
    if (i && d.visits_months[i] <= d.visits_months[i - 1]) sorted = false;
  }
  check(r, sorted, "design.visits_months",
        "visits must be positive months in increasing order without repeats.", "e.g. [3, 6, 12].");
  check(r, d.visits_months.size() <= kMaxVisits, "design.visits_months",
        "there are " + std::to_string(d.visits_months.size()) + " visits; celltrial simulates at most " +
            std::to_string(kMaxVisits) + ".",
        "keep the visits the analysis and the dropout model need (at most " + std::to_string(kMaxVisits) + ").");
  check(r, d.dropout_by_last_visit >= 0 && d.dropout_by_last_visit < 1, "design.dropout.by_last_visit",
        "the dropout probability must be in [0, 1) (got " + format_number(d.dropout_by_last_visit) + ").",
        "e.g. 0.05 for 5 % lost by the last visit.");

  for (double x : d.dropout_gmfcs_multiplier)
    check(r, x >= 0, "design.dropout.gmfcs_multiplier", "multipliers must not be negative.", "1 means no change.");
  check(r, std::fabs(d.dropout_per_point) <= 5, "design.dropout.per_point_of_progress",
        "must be between -5 and 5 (log hazard ratio per point of observed change).", "e.g. -0.1: less loss when progressing.");
  if (d.dropout_per_point != 0)
    check(r, cp, "design.dropout.per_point_of_progress", "dropout on observed progress needs the cp outcome model.",
          "set it to 0 for the generic endpoint.");
  return sorted;
}

// The analysis, its subgroups and multiplicity.
void validate_analysis(Reader& r, const Scenario& sc, bool sorted) {
  [[maybe_unused]] const auto& p = sc.population;
  [[maybe_unused]] const bool cp = p.outcome_model == OutcomeModel::cp;
  const auto& d = sc.design;
  const auto& an = sc.analysis;
  check(r, an.sae_difference_threshold > -1 && an.sae_difference_threshold < 1, "analysis.sae_difference_threshold",
        "must be between -1 and 1 (a difference of SAE proportions).", "e.g. 0.05.");
  if (sorted)
    check(r, std::find(d.visits_months.begin(), d.visits_months.end(), an.primary_visit_months) != d.visits_months.end(),
          "analysis.primary_visit_months",
          "the primary visit (" + format_number(an.primary_visit_months) + " months) is not one of the visits.",
          "use one of design.visits_months.");
  check(r, an.alpha >= kMinAlpha && an.alpha <= 0.5, "analysis.alpha",
        "alpha must be in [" + format_number(kMinAlpha) + ", 0.5] (got " + format_number(an.alpha) + ").",
        "e.g. 0.05 two-sided or 0.025 one-sided.");
  check(r, an.sides == 1 || an.sides == 2, "analysis.sides", "sides must be 1 or 2 (got " + std::to_string(an.sides) + ").",
        "use 2 for a two-sided test, 1 for one-sided.");
  check(r, an.ci_level > 0.5 && an.ci_level <= 1 - kMinAlpha, "analysis.ci_level",
        "the confidence level must be in (0.5, " + format_number(1 - kMinAlpha) + "] (got " + format_number(an.ci_level) +
            ").",
        "e.g. 0.95.");
  for (auto c : an.adjust_for)
    if (c == Covariate::gmfcs && !cp)
      r.error_at("analysis.adjust_for", "gmfcs adjustment needs the cp outcome model.",
                 "remove gmfcs from adjust_for or set population.outcome_model: cp.");

  validate_subgroups(r, sc);
}

void validate(Reader& r, const Scenario& sc) {
  check(r, sc.schema_version == kSchemaVersion, "schema_version",
        "schema version " + std::to_string(sc.schema_version) + " is not supported.",
        "this celltrial reads schema_version: " + std::to_string(kSchemaVersion) + ".");
  check(r, !sc.name.empty() && sc.name.find_first_of("/\\") == std::string::npos && sc.name != "." && sc.name != "..",
        "name", "the name must be non-empty and contain no '/' or '\\' (it names the results folder).",
        "use a short word such as ucb_phase3.");

  validate_outcome_model(r, sc);
  validate_children(r, sc);
  validate_arms(r, sc);
  const bool sorted = validate_design(r, sc);
  validate_analysis(r, sc, sorted);
  // Simulation.
  check(r, sc.simulation.trials >= 1 && sc.simulation.trials <= 10000000000ULL, "simulation.trials",
        "the number of trials must be between 1 and 10,000,000,000.", "e.g. 10000.");
}

YAML::Node parse_override_value(const std::string& v) {
  try {
    return YAML::Load(v);
  } catch (const YAML::Exception&) {
    return YAML::Node(v);
  }
}

std::string flow_text(const YAML::Node& n) {
  YAML::Emitter e;
  e.SetMapFormat(YAML::Flow);
  e.SetSeqFormat(YAML::Flow);
  e << n;
  return e.c_str();
}

// Where an override comes from: a --set, or a variant of the scenario that its own sweep, tornado
// or enrichment section defines (then problems are reported at the entry that holds the value).
struct OverrideOrigin {
  Location where;     ///< for messages about this override
  std::string label;  ///< "--set a.b=c" or "--sweep a.b=c"; empty when the value is written in the file
};

OverrideOrigin set_origin(const std::string& text) { return {{"command line (--set " + text + ")", 0, 0}, "--set " + text}; }

/// The entry of the file's sweep, tornado or enrichment section whose key is `key` and whose value
/// is `value` (as a variant's override gives them), or nullopt.
std::optional<YAML::Node> section_entry(const YAML::Node& root, const std::string& key, const std::string& value) {
  if (!root.IsMap()) return std::nullopt;
  auto in_list = [&](const YAML::Node& l) -> std::optional<YAML::Node> {
    if (l && l.IsSequence())
      for (std::size_t i = 0; i < l.size(); ++i)
        if (flow_text(l[i]) == value) return l[i];
    return std::nullopt;
  };
  for (const char* section : {"sweep", "tornado"}) {
    const YAML::Node sec = root[section];
    if (sec && sec.IsMap() && sec["vary"] && sec["vary"].IsMap())
      if (auto e = in_list(sec["vary"][key])) return e;
  }
  const YAML::Node en = root["enrichment"];
  const YAML::Node st = en && en.IsMap() ? en["strategies"] : YAML::Node();
  if (st && st.IsMap())
    for (auto it = st.begin(); it != st.end(); ++it)
      if (it->second.IsMap() && it->second[key] && flow_text(it->second[key]) == value) return it->second[key];
  return std::nullopt;
}

OverrideOrigin variant_origin(const Reader& r, const YAML::Node& root, const std::string& text) {
  const auto eq = text.find('=');
  if (eq != std::string::npos)
    if (auto e = section_entry(root, text.substr(0, eq), text.substr(eq + 1))) return {r.mark_of(*e), ""};
  return {{"command line (--sweep " + text + ")", 0, 0}, "--sweep " + text};
}

/// Checks that an override is text with '=' and a value; returns false (reported) when not.
bool override_text_ok(Reader& r, const std::string& text, const OverrideOrigin& origin) {
  // As for a file: NUL bytes (which would also make the YAML reader guess UTF-16 or UTF-32) and
  // bytes that are not UTF-8 are refused.
  if (text.find('\0') != std::string::npos) {
    r.diags.push_back({{"command line (--set " + printable(text) + ")", 0, 0}, "",
                       "the override is not text (it contains NUL bytes).",
                       "write key.path=value as text, e.g. --set analysis.alpha=0.025."});
    return false;
  }
  if (const std::size_t bad = invalid_utf8_at(text); bad != std::string::npos) {
    r.diags.push_back({{"command line (--set " + printable(text) + ")", 0, 0}, "", not_utf8_problem(text, bad),
                       "write the value in UTF-8 (check the terminal's character encoding)."});
    return false;
  }
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    r.diags.push_back({origin.where, "", "an override must look like key.path=value.", "e.g. --set analysis.alpha=0.025."});
    return false;
  }
  if (Reader::trim(text.substr(eq + 1)).empty()) {
    r.diags.push_back({origin.where, Reader::trim(text.substr(0, eq)), "no value is given after '='.",
                       "give a value, e.g. --set analysis.alpha=0.025, or leave the --set out to keep the scenario's "
                       "value."});
    return false;
  }
  return true;
}

/// The parts of a key path "a.b[1].c" (also a.b.1.c).
std::vector<std::string> key_parts(const std::string& key) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : key) {
    if (c == '.' || c == '[' || c == ']') {
      if (!cur.empty()) parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) parts.push_back(cur);
  return parts;
}

/// The index that `part` (a number or an element's name) picks in list `node`; node.size() when none.
std::size_t list_index(const YAML::Node& node, const std::string& part) {
  std::size_t idx = node.size();
  const bool numeric = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (numeric) {
    // An index too large for a number is past the end of any list.
    std::size_t n = 0;
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), n);
    if (ec == std::errc() && end == part.data() + part.size()) idx = n;
  } else {
    for (std::size_t k = 0; k < node.size(); ++k)
      if (node[k].IsMap() && node[k]["name"] && node[k]["name"].IsScalar() && node[k]["name"].Scalar() == part) idx = k;
  }
  return idx;
}

void note_override(Reader& r, const std::string& path, const OverrideOrigin& origin) {
  if (origin.label.empty())
    r.override_at[path] = origin.where;
  else
    r.override_text[path] = origin.label;
}

// Applies "a.b[1].c=value" (or a.b.1.c / arms.<name>.c) to the tree.
void apply_override(Reader& r, YAML::Node& root, const std::string& text, const OverrideOrigin& origin) {
  if (!override_text_ok(r, text, origin)) return;
  const auto eq = text.find('=');
  const std::vector<std::string> parts = key_parts(Reader::trim(text.substr(0, eq)));
  const std::string value = text.substr(eq + 1);
  const Location& loc = origin.where;
  if (parts.empty()) {
    r.diags.push_back({loc, "", "the key path is empty.", "e.g. --set analysis.alpha=0.025."});
    return;
  }
  if (!root.IsMap()) return;  // the file itself is reported as broken
  YAML::Node node = root;
  std::string path;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const std::string& part = parts[i];
    const bool last = i + 1 == parts.size();
    if (node.IsSequence()) {
      const std::size_t idx = list_index(node, part);
      if (idx >= node.size()) {
        r.diags.push_back({loc, path, "there is no element '" + part + "' in this list (it has " +
                                          std::to_string(node.size()) + ").",
                           "use an index from 0 to " + std::to_string(node.size() == 0 ? 0 : node.size() - 1) +
                               " or an arm name."});
        return;
      }
      path += "[" + std::to_string(idx) + "]";
      if (last) {
        node[idx] = parse_override_value(value);
        note_override(r, path, origin);
        return;
      }
      YAML::Node next = node[idx];
      node.reset(next);
      continue;
    }
    if (!node.IsMap() && !node.IsNull()) {
      r.diags.push_back({loc, path, "'" + path + "' holds a value, not keys.", "check the key path."});
      return;
    }
    path = Reader::join_path(path, part);
    if (last) {
      node[part] = parse_override_value(value);
      note_override(r, path, origin);
      return;
    }
    if (!node[part] || node[part].IsNull()) node[part] = YAML::Node(YAML::NodeType::Map);
    YAML::Node next = node[part];
    node.reset(next);
  }
}

// ---------------------------------------------------------------------------------------------
// The document as a whole: one YAML document, every quote closed, of a bounded size once its
// aliases are expanded (an alias repeats a value, and aliases of aliases repeat it exponentially).
// ---------------------------------------------------------------------------------------------

/// Walks the values of a document with its aliases expanded, up to kMaxScenarioValues of them.
struct ValueWalk {
  Reader& r;
  std::size_t count = 0;
  bool over = false;

  /// `key` is the key of the innermost mapping entry (a place in the file, unlike an alias).
  void walk(const YAML::Node& n, const YAML::Node& key, const std::string& path) {
    if (over) return;
    if (++count > kMaxScenarioValues) {
      over = true;
      r.error(key, path.empty() ? "(top level)" : path,
              "the scenario holds more than " + std::to_string(kMaxScenarioValues) +
                  " values once its aliases (*name) are expanded; a scenario has a few hundred.",
              "write the values out instead of repeating aliases of aliases.");
      return;
    }
    if (n.IsMap()) {
      for (auto it = n.begin(); it != n.end(); ++it) {
        if (it->second.IsNull()) r.empty_values.emplace_back(it->second, it->first);
        const std::string k = it->first.IsScalar() ? it->first.Scalar() : "?";
        walk(it->second, it->first, Reader::join_path(path, k));
      }
    } else if (n.IsSequence()) {
      for (std::size_t i = 0; i < n.size(); ++i) walk(n[i], key, path);
    }
  }
};

/// Notes every value left empty with its key (for its location), and refuses a document that
/// expands beyond kMaxScenarioValues values.
void index_values(Reader& r, const YAML::Node& root) {
  r.empty_values.clear();
  ValueWalk w{r};
  w.walk(root, root, "");
  if (w.over) throw Error(ExitCode::data, r.diags);
}

/// The line and column (0-based) of a quote that opens a quoted value and is not closed before
/// the end of the text, or nullopt. A quote inside a plain value (it's) opens nothing.
std::optional<std::pair<int, int>> unclosed_quote(std::string_view t) {
  int line = 0;
  std::size_t line_start = 0;
  char prev = '\n', prev_word = '\n';  // the previous character, and the previous one not blank
  for (std::size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '\n') {
      ++line, line_start = i + 1, prev = prev_word = '\n';
      continue;
    }
    const bool after_blank = prev == ' ' || prev == '\t' || prev == '\n';
    if (c == '#' && after_blank) {
      while (i + 1 < t.size() && t[i + 1] != '\n') ++i;
      continue;
    }
    const bool opens = (c == '"' || c == '\'') && (after_blank || std::string_view("[{,").find(prev) != std::string_view::npos) &&
                       std::string_view("\n:-[{,?").find(prev_word) != std::string_view::npos;
    if (opens) {
      const auto open = std::make_pair(line, static_cast<int>(i - line_start));
      for (++i;; ++i) {
        if (i >= t.size()) return open;
        if (t[i] == '\n') ++line, line_start = i + 1;
        if (c == '"' && t[i] == '\\' && i + 1 < t.size()) ++i;
        else if (c == '\'' && t[i] == '\'' && i + 1 < t.size() && t[i + 1] == '\'') ++i;
        else if (t[i] == c) break;
      }
    }
    prev = t[i];
    if (prev != ' ' && prev != '\t') prev_word = prev;
  }
  return std::nullopt;
}

/// Whether a value of `n` starts at (line, column), 0-based; walks at most `budget` values.
bool value_at(const YAML::Node& n, std::pair<int, int> at, std::size_t& budget) {
  if (budget == 0 || !n.IsDefined()) return false;
  --budget;
  if (n.IsScalar()) return n.Mark().line == at.first && n.Mark().column == at.second;
  if (n.IsMap()) {
    for (auto it = n.begin(); it != n.end(); ++it)
      if (value_at(it->first, at, budget) || value_at(it->second, at, budget)) return true;
  } else if (n.IsSequence()) {
    for (std::size_t i = 0; i < n.size(); ++i)
      if (value_at(n[i], at, budget)) return true;
  }
  return false;
}

/// The YAML reader takes a quote left open for a value running to the end of the file (and the
/// keys after it for its text): refused at the quote.
void check_quotes(const YAML::Node& root, const std::string& text, const std::string& source) {
  const auto open = unclosed_quote(text);
  std::size_t budget = kMaxScenarioValues;
  if (!open || !value_at(root, *open, budget)) return;
  const Location loc{source, open->first + 1, open->second + 1};
  throw Error(ExitCode::data, Diagnostic{loc, "", "this quote is never closed, so the rest of the file is read as one text.",
                                         "close the quote on the same line (e.g. name: \"ucb trial\") or remove it."});
}

/// Where the second document of `text` begins: its '---' line (after the first content line),
/// else the place of the document's first value.
Location second_document_at(const std::string& text, const YAML::Node& doc, const std::string& source) {
  std::istringstream in(text);
  bool content = false;
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    const bool marker = line.rfind("---", 0) == 0 && (line.size() == 3 || std::isspace(static_cast<unsigned char>(line[3])));
    if (marker && content) return Location{source, n, 1};
    const auto first = line.find_first_not_of(" \t\r");
    if (first != std::string::npos && line[first] != '#' && line[first] != '%' && !marker) content = true;
  }
  return Location{source, doc.Mark().line >= 0 ? doc.Mark().line + 1 : 0, doc.Mark().column >= 0 ? doc.Mark().column + 1 : 0};
}

struct Overrides {
  std::vector<std::string> sets;     ///< --set, in order
  std::vector<std::string> variant;  ///< a variant of the sweep, tornado or enrichment section
};

Scenario load_text_checked(const std::string& text, const std::string& source, const Overrides& overrides);


// The key paths of the enrichment and tornado sections are checked when each variant is loaded
// (celltrial study loads them all before simulating any).
void read_study_sections(Reader& r, Section& top, Scenario& sc) {
  Section en(r, top.get("enrichment"), "enrichment", {"target_power", "screened_per_month", "strategies"});
  if (en.ok) {
    en.num("target_power", sc.enrichment.target_power);
    en.num("screened_per_month", sc.enrichment.screened_per_month);
    check(r, sc.enrichment.target_power > 0 && sc.enrichment.target_power < 1, "enrichment.target_power",
          "the target power must be in (0, 1).", "e.g. 0.8 or 0.9.");
    check(r, sc.enrichment.screened_per_month >= 0, "enrichment.screened_per_month", "must not be negative.",
          "children screened per month across all sites, e.g. 20.");
    const YAML::Node st = en.get("strategies");
    if (!en.has("strategies") || !st.IsMap() || st.size() == 0) {
      r.error(st.IsDefined() ? st : top.get("enrichment"), "enrichment.strategies",
              "expected a mapping of strategy names to overrides.",
              "e.g. strategies: {all_comers: {}, under5: {population.eligibility.max_age_months: 59.99}}.");
    } else {
      r.seen["enrichment.strategies"] = r.where(st, "enrichment.strategies");
      r.unique_keys(st, "enrichment.strategies");
      for (auto it = st.begin(); it != st.end(); ++it) {
        const std::string name = it->first.Scalar();
        const std::string sp = "enrichment.strategies." + name;
        r.seen[sp] = r.where(it->first, sp);
        std::vector<std::pair<std::string, std::string>> sets;
        if (it->second.IsMap()) {
          r.unique_keys(it->second, sp);
          for (auto kv = it->second.begin(); kv != it->second.end(); ++kv) sets.emplace_back(kv->first.Scalar(), flow_text(kv->second));
        } else {
          r.error(it->second, sp, "expected a mapping of key paths to values (or {} for the base scenario).",
                  "e.g. {population.eligibility.max_age_months: 59.99}, or {} for the scenario as it is.");
          continue;
        }
        sc.enrichment.strategies.emplace_back(name, sets);
      }
    }
  }
  Section to(r, top.get("tornado"), "tornado", {"vary"});
  if (to.ok) {
    const YAML::Node v = to.get("vary");
    if (!to.has("vary") || !v.IsMap() || v.size() == 0) {
      r.error(v.IsDefined() ? v : top.get("tornado"), "tornado.vary", "expected a mapping of key paths to [low, high].",
              "e.g. vary: {arms.ucb.effect_by_month.12: [1.0, 2.0]}.");
    } else {
      r.seen["tornado.vary"] = r.where(v, "tornado.vary");
      r.unique_keys(v, "tornado.vary");
      for (auto it = v.begin(); it != v.end(); ++it) {
        const std::string key = it->first.Scalar();
        if (!it->second.IsSequence() || it->second.size() != 2) {
          r.error(it->second, "tornado.vary." + key, "expected two values: [low, high].", "e.g. [1.0, 2.0].");
          continue;
        }
        const std::string low = flow_text(it->second[0]), high = flow_text(it->second[1]);
        if (low == high) {
          r.error(it->second, "tornado.vary." + key, "low and high are the same (" + low + "): the bar would have no width.",
                  "give two different values, e.g. a plausible lower and upper value of the assumption.");
          continue;
        }
        r.seen["tornado.vary." + key] = r.where(it->first, "tornado.vary." + key);
        sc.tornado.vary.push_back({key, {low, high}});
      }
    }
  }
}

/// The number of sweep points of axes with these numbers of values, zipped or as a full grid
/// (counted before the grid is built, as a double: it may be far beyond any integer).
double grid_points(const std::vector<std::size_t>& sizes, bool zip) {
  if (sizes.empty()) return 0;
  if (zip) return static_cast<double>(sizes.front());
  double n = 1;
  for (std::size_t k : sizes) n *= static_cast<double>(k);
  return n;
}

/// The sweep's grid must be one the study can run: zipped axes of one length, and at most
/// kMaxSweepPoints points.
void check_sweep_grid(Reader& r, const YAML::Node& vary, const SweepSection& sw) {
  std::vector<std::size_t> sizes;
  for (const auto& [key, values] : sw.vary) {
    sizes.push_back(values.size());
    if (sw.zip && values.size() != sw.vary.front().second.size())
      r.error_at("sweep.vary." + key,
                 "with mode: zip every key needs as many values as the first ('" + sw.vary.front().first + "' has " +
                     std::to_string(sw.vary.front().second.size()) + ", this one " + std::to_string(values.size()) + ").",
                 "give every key the same number of values, or use mode: cartesian for a full grid.");
  }
  const double points = grid_points(sizes, sw.zip);
  if (points > static_cast<double>(kMaxSweepPoints))
    r.error(vary, "sweep.vary",
            "the grid has " + (points < 1e15 ? std::to_string(static_cast<std::int64_t>(points)) : format_number(points)) +
                " points; a sweep runs at most " + std::to_string(kMaxSweepPoints) +
                " (each point is a whole simulation).",
            "sweep fewer keys or values, or use mode: zip to take the values in step.");
}

void read_sweep(Reader& r, Section& top, Scenario& sc) {
  Section sw(r, top.get("sweep"), "sweep", {"mode", "vary"});
  if (!sw.ok) return;
  sw.choice<bool>("mode", {{"cartesian", false}, {"zip", true}}, sc.sweep.zip);
  if (!sw.has("vary")) return;
  const YAML::Node v = sw.get("vary");
  if (!v.IsMap()) {
    r.error(v, "sweep.vary", "expected a mapping of key paths to lists of values.",
            "e.g. vary: {design.sample_size: [300, 400], analysis.alpha: [0.05, 0.025]}.");
    return;
  }
  r.seen["sweep.vary"] = r.where(v, "sweep.vary");
  r.each_key_once(v, "sweep.vary", [&](const YAML::Node& k, const std::string& key) {
    const YAML::Node values = v[key];
    if (!values.IsSequence() || values.size() == 0) {
      r.error(values.IsNull() ? k : values, "sweep.vary." + key, "expected a non-empty list of values.",
              "e.g. [300, 400, 500].");
      return;
    }
    r.seen["sweep.vary." + key] = r.where(k, "sweep.vary." + key);
    std::vector<std::string> texts;
    for (std::size_t i = 0; i < values.size(); ++i) texts.push_back(flow_text(values[i]));
    sc.sweep.vary.emplace_back(key, texts);
  });
  check_sweep_grid(r, v, sc.sweep);
}

/// Checks every value against its declared range (schema.hpp), for the keys whose range validate()
/// does not check with a message of its own: it runs after validate() found nothing.
class DeclaredRanges {
 public:
  explicit DeclaredRanges(Reader& r) : r_(r) {}

  void number(const char* key, double x, const schema::Meta& m) { check(at(key), x, m, false); }
  template <class I>
  void integer(const char* key, I x, const schema::Meta& m) { check(at(key), static_cast<double>(x), m, true); }
  void text(const char*, const std::string&, const schema::Meta&) {}
  template <class E>
  void choice(const char*, const E&, schema::Options<E>, const schema::Meta&) {}
  template <class E>
  void choices(const char*, const std::vector<E>&, schema::Options<E>, const schema::Meta&) {}
  void numbers(const char* key, const std::vector<double>& x, const schema::Meta& m) {
    for (std::size_t i = 0; i < x.size(); ++i) check(at(key) + "[" + std::to_string(i) + "]", x[i], m, false);
  }
  void texts(const char*, const std::vector<std::string>&, const schema::Meta&) {}
  void matrix(const char* key, const std::vector<std::vector<double>>& x, const schema::Meta& m) {
    for (std::size_t i = 0; i < x.size(); ++i)
      for (std::size_t j = 0; j < x[i].size(); ++j)
        check(at(key) + "[" + std::to_string(i) + "][" + std::to_string(j) + "]", x[i][j], m, false);
  }
  template <std::size_t N, std::size_t K>
  void named(const char* key, const std::array<double, N>& x, const std::array<const char*, K>& names, const schema::Meta& m) {
    for (std::size_t i = 0; i < N; ++i) check(at(key) + "." + names[i], x[i], m, false);
  }
  template <std::size_t N, std::size_t K>
  void named_partial(const char* key, const std::array<double, N>& x, const std::array<bool, N>&,
                     const std::array<const char*, K>& names, const schema::Meta& m) {
    named(key, x, names, m);
  }
  template <std::size_t N, std::size_t K>
  void levels(const char*, const std::array<bool, N>&, const std::array<const char*, K>&, const schema::Meta&) {}
  void by_month(const char*, const std::vector<std::pair<double, double>>&, const schema::Meta&) {}
  template <class F>
  void section(const char* key, const schema::Meta& m, F&& body) {
    if (m.input_only) return;
    path_.push_back(key);
    body(*this);
    path_.pop_back();
  }
  template <class T, class F>
  void list(const char* key, const std::vector<T>& x, const schema::Meta&, F&& body) {
    for (std::size_t i = 0; i < x.size(); ++i) {
      path_.push_back(std::string(key) + "[" + std::to_string(i) + "]");
      body(*this, x[i]);
      path_.pop_back();
    }
  }
  template <class E, class F>
  void choice_or_section(const char* key, const E&, schema::Options<E>, const schema::Meta& m, bool, F&& body) {
    section(key, m, body);
  }
  template <class X>
  void free_form(const char*, const X&, schema::Shape, const schema::Meta&) {}

 private:
  Reader& r_;
  std::vector<std::string> path_;

  std::string at(const char* key) const {
    std::string p;
    for (const auto& part : path_) p += part + ".";
    return p + key;
  }
  void check(const std::string& path, double x, const schema::Meta& m, bool integer) {
    if (m.input_only) return;
    const bool low = m.min && (m.min->exclusive ? !(x > m.min->value) : !(x >= m.min->value));
    const bool high = m.max && (m.max->exclusive ? !(x < m.max->value) : !(x <= m.max->value));
    if (!low && !high) return;
    std::string range = schema::range_text(m, integer);
    if (range.find(" to ") != std::string::npos) range = "from " + range;
    else if (range[0] == '(' || range[0] == '[') range = "in " + range;
    r_.error_at(path, "must be " + range + " (got " + format_number(x) + ").", "give a value " + range + " (" + m.meaning + ").");
  }
};

Scenario read_tree(Reader& r, YAML::Node root, const Overrides& overrides) {
  Scenario sc;
  if (root.IsNull() || !root.IsDefined()) {
    r.error_at("", "the scenario is empty.", "start from scenarios/default.yaml (celltrial show prints it).");
    throw Error(ExitCode::data, r.diags);
  }
  r.root = root;
  if (root.IsMap()) {
    for (const auto& o : overrides.sets) apply_override(r, root, o, set_origin(o));
    for (const auto& o : overrides.variant) apply_override(r, root, o, variant_origin(r, root, o));
  }
  index_values(r, root);
  Section top(r, root, "",
              {"schema_version", "name", "description", "population", "arms", "design", "analysis", "simulation",
               "sweep", "enrichment", "tornado"});
  if (!top.ok) throw Error(ExitCode::data, r.diags);
  if (!top.has("schema_version"))
    r.error(root, "schema_version", "the scenario does not say its schema version.",
            "add 'schema_version: 1' at the top.");
  std::int64_t version = kSchemaVersion;
  top.integer("schema_version", version);
  sc.schema_version = static_cast<int>(std::clamp<std::int64_t>(version, -1, 1000000));
  top.text("name", sc.name);
  top.text("description", sc.description);
  read_population(r, top.get("population"), sc.population);
  read_arms(r, top.get("arms"), sc.arms, sc.population.outcome_model == OutcomeModel::cp);
  read_design(r, top.get("design"), sc.design);
  read_analysis(r, top.get("analysis"), sc.analysis);
  read_simulation(r, top.get("simulation"), sc.simulation);
  read_sweep(r, top, sc);
  read_study_sections(r, top, sc);
  if (r.diags.empty()) validate(r, sc);
  if (r.diags.empty()) {
    DeclaredRanges ranges(r);
    schema::declare_scenario(ranges, sc);
  }
  if (!r.diags.empty()) throw Error(ExitCode::data, r.diags);
  sc.locations = r.seen;
  for (const auto& [path, loc] : r.override_at) sc.locations[path] = loc;
  for (const auto& [path, text] : r.override_text) sc.locations[path] = Location{"command line (" + text + ")", 0, 0};
  return sc;
}

Scenario load_text_impl(const std::string& text, const std::string& source, const Overrides& overrides) {
  Scenario sc = load_text_checked(text, source, overrides);
  sc.source = source;
  return sc;
}

/// Refuses text that is not UTF-8 text, or is empty, before the YAML reader sees it.
void check_text(const std::string& text, const std::string& source) {
  if (text.find('\0') != std::string::npos)
    throw Error(ExitCode::data, Diagnostic{{source, 0, 0}, "", "the file is not text (it contains NUL bytes).",
                                           "give a YAML scenario file such as scenarios/default.yaml."});
  if (Reader::trim(text).find_first_not_of("\r\n") == std::string::npos)
    throw Error(ExitCode::data, Diagnostic{{source, 0, 0}, "", "the file is empty.",
                                           "start from scenarios/default.yaml (celltrial show prints it)."});
  if (const std::size_t bad = invalid_utf8_at(text); bad != std::string::npos) {
    const std::size_t newline = text.rfind('\n', bad);
    const std::size_t line_start = newline == std::string::npos ? 0 : newline + 1;
    const auto line = std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(line_start), '\n');
    const Location loc{source, static_cast<int>(line) + 1, static_cast<int>(bad - line_start) + 1};
    throw Error(ExitCode::data, Diagnostic{loc, "", not_utf8_problem(text, bad),
                                           "save the file as UTF-8 (names and descriptions may use any Unicode character)."});
  }
}

/// The one YAML document of the file.
YAML::Node parse_document(const std::string& text, const std::string& source) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::ParserException& e) {
    Location loc{source, e.mark.line >= 0 ? e.mark.line + 1 : 0, e.mark.column >= 0 ? e.mark.column + 1 : 0};
    throw Error(ExitCode::data, Diagnostic{loc, "", "YAML syntax error: " + e.msg + ".",
                                           "check indentation (spaces, not tabs), colons and brackets near here."});
  } catch (const YAML::Exception& e) {
    throw Error(ExitCode::data, Diagnostic{{source, 0, 0}, "", std::string("cannot read YAML: ") + e.what(), ""});
  }
  if (docs.size() > 1)
    throw Error(ExitCode::data,
                Diagnostic{second_document_at(text, docs[1], source), "",
                           "the file holds a second YAML document (after a '---' line), which would be ignored: a "
                           "scenario is one document.",
                           "remove the '---' line and what follows it, or put the second scenario in a file of its own."});
  return docs.empty() ? YAML::Node() : docs.front();
}

Scenario load_text_checked(const std::string& text, const std::string& source, const Overrides& overrides) {
  Reader r(source);
  check_text(text, source);
  const YAML::Node root = parse_document(text, source);
  check_quotes(root, text, source);
  return read_tree(r, root, overrides);
}

}  // namespace

Scenario load_scenario_text(const std::string& text, const std::string& source_name,
                            const std::vector<std::string>& overrides, const std::vector<std::string>& variant) {
  return load_text_impl(text, source_name, Overrides{overrides, variant});
}

Scenario load_scenario_file(const std::string& path, const std::vector<std::string>& overrides,
                            const std::vector<std::string>& variant) {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto st = fs::status(path, ec);
  if (ec || !fs::exists(st))
    throw Error(ExitCode::no_input, Diagnostic{{path, 0, 0}, "", "no such file.",
                                               "check the path; shipped scenarios are in scenarios/."});
  if (fs::is_directory(st))
    throw Error(ExitCode::no_input, Diagnostic{{path, 0, 0}, "", "this is a directory, not a scenario file.",
                                               "name a .yaml file, e.g. " + (fs::path(path) / "default.yaml").string() + "."});
  if (fs::file_size(path, ec) > 16u * 1024u * 1024u)
    throw Error(ExitCode::data, Diagnostic{{path, 0, 0}, "", "the file is larger than 16 MiB; a scenario is a few KiB.",
                                           "check that this is the right file."});
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw Error(ExitCode::no_input, Diagnostic{{path, 0, 0}, "", "cannot open the file for reading.",
                                               "check its permissions."});
  std::ostringstream ss;
  ss << in.rdbuf();
  return load_text_impl(ss.str(), path, Overrides{overrides, variant});
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------
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
