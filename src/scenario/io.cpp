#include "celltrial/scenario/io.hpp"
#include "celltrial/scenario/schema.hpp"
#include "celltrial/scenario/schema_export.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include "celltrial/core/error.hpp"
#include "celltrial/scenario/limits.hpp"
#include "reader.hpp"

namespace celltrial {

std::string format_number(double x) {
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, x);
  return std::string(buf, res.ptr);
}

using namespace scenario_io;

namespace {
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
const char* element_example(const IntercurrentEvent*);
void complete(Reader& r, const Keys& k, IntercurrentEvent& e);
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

void check_range(Reader& r, const Keys& k, const char* key) {
  const YAML::Node n = k.get(key);
  if (!n.IsMap()) return;
  if (!n["min"].IsDefined() && !n["max"].IsDefined())
    r.error(n, k.sub(key), "a range needs min, max or both.", "e.g. {max: 60} for children under 5 years.");
}

void complete(Reader& r, const Keys& k, Subgroup& g) {
  if (!k.has("name")) r.error(k.node, k.sub("name"), "the subgroup has no name.", "add e.g. 'name: under5'.");
  g.has_age = k.has("age_months");
  g.has_gmfcs = k.has("gmfcs");
  g.has_dose = k.has("dose_per_kg");
  g.has_hla = k.has("hla_mismatches");
  g.has_route = k.has("route");
  if (g.has_age) check_range(r, k, "age_months");
  if (g.has_dose) check_range(r, k, "dose_per_kg");
  if (!g.has_age && !g.has_gmfcs && !g.has_dose && g.sex < 0 && !g.has_hla)
    r.error(k.node, k.path,
            g.has_route ? "the subgroup has only a route, which picks arms, not children: inside it is every child, "
                          "so it repeats the primary comparison."
                        : "the subgroup has no condition, so it is everyone.",
            "add at least one of age_months, gmfcs, dose_per_kg, sex, hla_mismatches" +
                std::string(g.has_route ? " (route then limits it to arms given by that route)." : ", route."));
}

// An intercurrent event needs a name; its rates are checked against the arms by validate().
const char* element_example(const IntercurrentEvent*) {
  return "- {name: botulinum_toxin, rate_per_month: 0.01, shift_points: 0.5}";
}

void complete(Reader& r, const Keys& k, IntercurrentEvent&) {
  if (!k.has("name")) r.error(k.node, k.sub("name"), "the event has no name.", "add e.g. 'name: botulinum_toxin'.");
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
  for (const char* section : {"sweep", "nuisance_grid", "tornado"}) {
    const YAML::Node sec = root[section];
    if (sec && sec.IsMap() && sec["vary"] && sec["vary"].IsMap())
      if (auto e = in_list(sec["vary"][key])) return e;
  }
  const YAML::Node en = root["enrichment"];
  const YAML::Node st = en && en.IsMap() ? en["strategies"] : YAML::Node();
  if (st && st.IsMap())
    for (auto it = st.begin(); it != st.end(); ++it)
      if (it->second.IsMap() && it->second[key] && flow_text(it->second[key]) == value) return it->second[key];
  const YAML::Node de = root["designs"];
  if (de && de.IsMap()) {
    const YAML::Node va = de["variants"];
    if (va && va.IsMap())
      for (auto it = va.begin(); it != va.end(); ++it)
        if (it->second.IsMap() && it->second[key] && flow_text(it->second[key]) == value) return it->second[key];
    const YAML::Node nu = de["null_twin"];
    if (nu && nu.IsMap() && nu[key] && flow_text(nu[key]) == value) return nu[key];
  }
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


/// The keys declared directly under `section` ("" for the top level) in schema.hpp, in order.
std::vector<std::string> declared_keys_of(const std::string& section) {
  const std::string prefix = section.empty() ? "" : section + ".";
  std::vector<std::string> keys;
  for (const auto& info : schema::declared_keys()) {
    if (info.path.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string rest = info.path.substr(prefix.size());
    if (rest.find_first_of(".[") == std::string::npos) keys.push_back(rest);
  }
  return keys;
}

// The key paths of the enrichment and tornado sections are checked when each variant is loaded
// (celltrial study loads them all before simulating any).
void read_study_sections(Reader& r, Section& top, Scenario& sc) {
  Section en(r, top.get("enrichment"), "enrichment", declared_keys_of("enrichment"));
  if (en.ok) {
    en.num("target_power", sc.enrichment.target_power);
    en.num("screened_per_month", sc.enrichment.screened_per_month);
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
  Section de(r, top.get("designs"), "designs", declared_keys_of("designs"));
  if (de.ok) {
    de.text("responders", sc.designs.responders);
    const YAML::Node va = de.get("variants");
    if (!de.has("variants") || !va.IsMap() || va.size() == 0) {
      r.error(va.IsDefined() ? va : top.get("designs"), "designs.variants", "expected a mapping of design names to overrides.",
              "e.g. variants: {fixed: {}, obf_2_looks: {design.interims: {information: [0.5], efficacy: {boundary: "
              "obrien-fleming}}}}.");
    } else {
      r.seen["designs.variants"] = r.where(va, "designs.variants");
      r.unique_keys(va, "designs.variants");
      for (auto it = va.begin(); it != va.end(); ++it) {
        const std::string name = it->first.Scalar();
        const std::string vp = "designs.variants." + name;
        r.seen[vp] = r.where(it->first, vp);
        std::vector<std::pair<std::string, std::string>> sets;
        if (it->second.IsMap()) {
          r.unique_keys(it->second, vp);
          for (auto kv = it->second.begin(); kv != it->second.end(); ++kv) sets.emplace_back(kv->first.Scalar(), flow_text(kv->second));
        } else if (!it->second.IsNull()) {
          r.error(it->second, vp, "expected a mapping of key paths to values (or {} for the base scenario).",
                  "e.g. {design.interims: {information: [0.5], efficacy: {boundary: obrien-fleming}}}, or {}.");
          continue;
        }
        sc.designs.variants.emplace_back(name, sets);
      }
    }
    if (de.has("null_twin")) {
      const YAML::Node nu = de.get("null_twin");
      if (!nu.IsMap() || nu.size() == 0) {
        r.error(nu, "designs.null_twin", "expected a mapping of key paths to values that set every effect to 0.",
                "e.g. null_twin: {arms.ucb.effect_by_month: {6: 0, 12: 0}}.");
      } else {
        r.seen["designs.null_twin"] = r.where(nu, "designs.null_twin");
        r.unique_keys(nu, "designs.null_twin");
        for (auto kv = nu.begin(); kv != nu.end(); ++kv) sc.designs.null_overrides.emplace_back(kv->first.Scalar(), flow_text(kv->second));
      }
    }
  }
  Section to(r, top.get("tornado"), "tornado", declared_keys_of("tornado"));
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
  const std::string problem = sweep_grid_problem(sweep_grid_points(sizes, sw.zip));
  if (!problem.empty())
    r.error(vary, "sweep.vary", "the grid " + problem, "sweep fewer keys or values, or use mode: zip to take the values in step.");
}

/// Reads `<section>.vary` (key paths to non-empty lists of values) into `out`; returns the node,
/// or an undefined node when it is not a mapping (reported).
YAML::Node read_vary(Reader& r, Section& sec, const std::string& section, const std::string& example,
                     std::vector<std::pair<std::string, std::vector<std::string>>>& out) {
  const std::string path = section + ".vary";
  const YAML::Node v = sec.get("vary");
  if (!v.IsMap()) {
    r.error(v, path, "expected a mapping of key paths to lists of values.", "e.g. vary: " + example + ".");
    return YAML::Node(YAML::NodeType::Undefined);
  }
  r.seen[path] = r.where(v, path);
  r.each_key_once(v, path, [&](const YAML::Node& k, const std::string& key) {
    const YAML::Node values = v[key];
    if (!values.IsSequence() || values.size() == 0) {
      r.error(values.IsNull() ? k : values, path + "." + key, "expected a non-empty list of values.",
              "e.g. [300, 400, 500].");
      return;
    }
    r.seen[path + "." + key] = r.where(k, path + "." + key);
    std::vector<std::string> texts;
    for (std::size_t i = 0; i < values.size(); ++i) texts.push_back(flow_text(values[i]));
    out.emplace_back(key, texts);
  });
  return v;
}

void read_sweep(Reader& r, Section& top, Scenario& sc) {
  Section sw(r, top.get("sweep"), "sweep", declared_keys_of("sweep"));
  if (!sw.ok) return;
  sw.choice<bool>("mode", {{"cartesian", false}, {"zip", true}}, sc.sweep.zip);
  if (!sw.has("vary")) return;
  const YAML::Node v =
      read_vary(r, sw, "sweep", "{design.sample_size: [300, 400], analysis.alpha: [0.05, 0.025]}", sc.sweep.vary);
  if (v.IsDefined()) check_sweep_grid(r, v, sc.sweep);
}

void read_nuisance_grid(Reader& r, Section& top, Scenario& sc) {
  Section ng(r, top.get("nuisance_grid"), "nuisance_grid", declared_keys_of("nuisance_grid"));
  if (!ng.ok) return;
  ng.integer("trials", sc.nuisance_grid.trials);  // its declared range is checked with the others
  if (!ng.has("vary")) {
    r.error(top.get("nuisance_grid"), "nuisance_grid.vary", "the nuisance grid names no parameters.",
            "add vary: with key paths and values, e.g. vary: {design.dropout.by_last_visit: [0, 0.1, 0.2]}.");
    return;
  }
  const YAML::Node v = read_vary(r, ng, "nuisance_grid", "{design.dropout.by_last_visit: [0, 0.1, 0.2]}",
                                 sc.nuisance_grid.vary);
  if (!v.IsDefined()) return;
  std::vector<std::size_t> sizes;
  for (const auto& [key, values] : sc.nuisance_grid.vary) sizes.push_back(values.size());
  const std::string problem = sweep_grid_problem(sweep_grid_points(sizes, false));
  if (!problem.empty())
    r.error(v, "nuisance_grid.vary", "the grid " + problem, "vary fewer nuisance parameters or fewer values.");
}


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
  Section top(r, root, "", declared_keys_of(""));
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
  read_nuisance_grid(r, top, sc);
  read_study_sections(r, top, sc);
  // Ranges first: the rules between keys then see only values in their declared ranges.
  if (r.diags.empty()) check_declared_ranges(r, sc);
  if (r.diags.empty()) validate(r, sc);
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
  // YAML allows no control characters but tab, line feed and carriage return; the YAML reader may
  // loop without end on some of them (a file ",\x04" did), so they are refused before it runs.
  const auto control = std::find_if(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 && u != '\t' && u != '\n' && u != '\r';
  });
  if (control != text.end()) {
    const auto at = static_cast<std::size_t>(control - text.begin());
    const std::size_t newline = text.rfind('\n', at);
    const std::size_t line_start = newline == std::string::npos ? 0 : newline + 1;
    const auto line = std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(line_start), '\n');
    char code[8];
    std::snprintf(code, sizeof code, "%02X", static_cast<unsigned>(static_cast<unsigned char>(*control)));
    throw Error(ExitCode::data,
                Diagnostic{{source, static_cast<int>(line) + 1, static_cast<int>(at - line_start) + 1}, "",
                           std::string("the file contains the control character 0x") + code + ", which YAML does not allow.",
                           "remove it (editors show it as a box or as ^ and a letter); only tabs and line breaks may appear."});
  }
}

/// The one YAML document of the file.
/// Where each YAML document of a text starts, without building nodes.
struct DocumentStarts : YAML::EventHandler {
  std::vector<YAML::Mark> starts;
  void OnDocumentStart(const YAML::Mark& m) override { starts.push_back(m); }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

/// The YAML reader starts document after document at the same place, without end, when a
/// document begins with a ',' (the file "," did): such a start is refused as a syntax error.
void check_document_starts(const std::string& text, const std::string& source) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts h;
  while (parser.HandleNextDocument(h)) {  // each document but a stuck one moves on through the text
    const std::size_t n = h.starts.size();
    if (n >= 2 && h.starts[n - 1].pos == h.starts[n - 2].pos) {
      const YAML::Mark& m = h.starts.back();
      throw Error(ExitCode::data, Diagnostic{{source, m.line + 1, m.column + 1}, "",
                                             "YAML syntax error: a document cannot start here (a ',' outside brackets?).",
                                             "remove the character, or put the list inside [ ]."});
    }
  }
}

YAML::Node parse_document(const std::string& text, const std::string& source) {
  std::vector<YAML::Node> docs;
  try {
    check_document_starts(text, source);
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

double sweep_grid_points(const std::vector<std::size_t>& axis_sizes, bool zip) {
  if (axis_sizes.empty()) return 0;
  double n = zip ? 0 : 1;
  for (std::size_t k : axis_sizes) n = zip ? std::max(n, static_cast<double>(k)) : n * static_cast<double>(k);
  return n;
}

std::string sweep_grid_problem(double points) {
  if (points <= static_cast<double>(kMaxSweepPoints)) return "";
  return "has " + (points < 1e15 ? std::to_string(static_cast<std::int64_t>(points)) : format_number(points)) +
         " points; a sweep runs at most " + std::to_string(kMaxSweepPoints) + " (each point is a whole simulation).";
}

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
std::string prior_flow_yaml(const stats::Prior& p) {
  switch (p.kind) {
    case stats::PriorKind::normal:
      return "{distribution: normal, mean: " + format_number(p.mean) + ", sd: " + format_number(p.sd) + "}";
    case stats::PriorKind::truncated_normal:
      return "{distribution: truncated_normal, mean: " + format_number(p.mean) + ", sd: " + format_number(p.sd) +
             ", lower: " + (std::isfinite(p.lower) ? format_number(p.lower) : "-1e300") +
             ", upper: " + (std::isfinite(p.upper) ? format_number(p.upper) : "1e300") + "}";
    case stats::PriorKind::discrete: {
      std::string v = "[", w = "[";
      for (std::size_t i = 0; i < p.values.size(); ++i) {
        v += (i ? ", " : "") + format_number(p.values[i]);
        w += (i ? ", " : "") + format_number(p.weights[i]);
      }
      return "{distribution: discrete, values: " + v + "], weights: " + w + "]}";
    }
  }
  return "{}";
}

}  // namespace celltrial
