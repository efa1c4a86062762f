// The writer: the fully resolved scenario as YAML, written by walking the scenario declarations
// (scenario/schema.hpp). Its text is the run's identity (engine::scenario_hash) and what `show`
// annotates, so its form (order, one-line mappings and lists, number format) is part of the
// contract: results/ hold it byte for byte.
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "celltrial/scenario/io.hpp"
#include "celltrial/scenario/schema_export.hpp"

namespace celltrial::schema {
namespace {

YAML::Node num(double x) { return YAML::Node(format_number(x)); }

YAML::Node flow_list() {
  YAML::Node n(YAML::NodeType::Sequence);
  n.SetStyle(YAML::EmitterStyle::Flow);
  return n;
}

YAML::Node number_list(const std::vector<double>& v) {
  YAML::Node n = flow_list();
  for (double x : v) n.push_back(num(x));
  return n;
}

/// Builds the YAML tree of a scenario: each declared key with `written` set goes into the mapping
/// of its section, in declaration order.
class Writer {
 public:
  YAML::Node node{YAML::NodeType::Map};

  void number(const char* key, const double& x, const Meta& m) { put(key, num(x), m); }
  template <class I>
  void integer(const char* key, const I& x, const Meta& m) { put(key, YAML::Node(x), m); }
  void text(const char* key, const std::string& x, const Meta& m) { put(key, YAML::Node(x), m); }
  template <class E>
  void choice(const char* key, const E& x, Options<E> options, const Meta& m) {
    for (const auto& o : options)
      if (o.value == x) put(key, YAML::Node(o.name), m);
  }
  template <class E>
  void choices(const char* key, const std::vector<E>& x, Options<E> options, const Meta& m) {
    YAML::Node l = flow_list();
    for (const E& v : x)
      for (const auto& o : options)
        if (o.value == v) l.push_back(o.name);
    put(key, l, m);
  }
  void numbers(const char* key, const std::vector<double>& x, const Meta& m) { put(key, number_list(x), m); }
  void texts(const char* key, const std::vector<std::string>& x, const Meta& m) {
    YAML::Node l = flow_list();
    for (const auto& t : x) l.push_back(t);
    put(key, l, m);
  }
  void matrix(const char* key, const std::vector<std::vector<double>>& x, const Meta& m) {
    YAML::Node rows(YAML::NodeType::Sequence);
    for (const auto& r : x) rows.push_back(number_list(r));
    put(key, rows, m);
  }
  template <std::size_t N, std::size_t K>
  void named(const char* key, const std::array<double, N>& x, const std::array<const char*, K>& names, const Meta& m) {
    YAML::Node n(YAML::NodeType::Map);
    for (std::size_t i = 0; i < N; ++i) n[names[i]] = num(x[i]);
    put(key, styled(n, m), m);
  }
  template <std::size_t N, std::size_t K>
  void named_partial(const char* key, const std::array<double, N>& x, const std::array<bool, N>& given,
                     const std::array<const char*, K>& names, const Meta& m) {
    YAML::Node n(YAML::NodeType::Map);
    for (std::size_t i = 0; i < N; ++i)
      if (given[i] || x[i] != 1) n[names[i]] = num(x[i]);
    put(key, styled(n, m), m);
  }
  template <std::size_t N, std::size_t K>
  void levels(const char* key, const std::array<bool, N>& x, const std::array<const char*, K>& names, const Meta& m) {
    YAML::Node l = flow_list();
    for (std::size_t i = 0; i < N; ++i)
      if (x[i]) l.push_back(names[i]);
    put(key, l, m);
  }
  void by_month(const char* key, const std::vector<std::pair<double, double>>& x, const Meta& m) {
    YAML::Node n(YAML::NodeType::Map);
    for (const auto& [month, v] : x) n[format_number(month)] = num(v);
    n.SetStyle(YAML::EmitterStyle::Flow);
    put(key, n, m);
  }
  template <class F>
  void section(const char* key, const Meta& m, F&& body) {
    if (!m.written) return;
    put(key, styled(nested(body), m), m);
  }
  template <class T, class F>
  void list(const char* key, const std::vector<T>& x, const Meta& m, F&& body) {
    if (!m.written) return;
    YAML::Node l(YAML::NodeType::Sequence);
    for (const T& element : x) l.push_back(nested([&](Writer& w) { body(w, element); }));
    put(key, l, m);
  }
  template <class E, class F>
  void choice_or_section(const char* key, const E& x, Options<E> options, const Meta& m, bool as_section, F&& body) {
    if (!m.written) return;
    if (as_section) section(key, m, body);
    else choice(key, x, options, m);
  }
  void free_form(const char* key, const std::vector<std::pair<std::string, std::vector<std::string>>>& x, Shape shape,
                 const Meta& m) {
    YAML::Node n(YAML::NodeType::Map);
    for (const auto& [name, values] : x) {
      YAML::Node l = flow_list();
      for (const auto& v : values) l.push_back(shape == Shape::path_to_values ? YAML::Load(v) : YAML::Node(v));
      n[name] = l;
    }
    put(key, n, m);
  }
  void free_form(const char* key, const std::vector<std::pair<std::string, std::string>>& x, Shape, const Meta& m) {
    YAML::Node n(YAML::NodeType::Map);
    for (const auto& [path, value] : x) n[path] = YAML::Load(value);
    n.SetStyle(YAML::EmitterStyle::Flow);
    put(key, n, m);
  }
  void free_form(const char* key, const std::vector<ClaimSet>& x, Shape, const Meta& m) {
    YAML::Node n(YAML::NodeType::Map);
    for (const auto& c : x) {
      YAML::Node l = flow_list();
      for (const auto& h : c.all_of) l.push_back(h);
      n[c.name] = l;
    }
    put(key, n, m);
  }
  void free_form(const char* key, const std::vector<std::pair<std::string, std::pair<std::string, std::string>>>& x, Shape,
                 const Meta& m) {
    YAML::Node n(YAML::NodeType::Map);
    for (const auto& [path, low_high] : x) {
      YAML::Node l = flow_list();
      l.push_back(YAML::Load(low_high.first));
      l.push_back(YAML::Load(low_high.second));
      n[path] = l;
    }
    put(key, n, m);
  }
  void free_form(const char* key, const std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>>& x,
                 Shape, const Meta& m) {
    YAML::Node n(YAML::NodeType::Map);
    for (const auto& [name, sets] : x) {
      YAML::Node o(YAML::NodeType::Map);
      for (const auto& [path, value] : sets) o[path] = YAML::Load(value);
      o.SetStyle(YAML::EmitterStyle::Flow);
      n[name] = o;
    }
    put(key, n, m);
  }

 private:
  void put(const char* key, const YAML::Node& value, const Meta& m) {
    if (m.written && !m.input_only) node[key] = value;
  }
  static YAML::Node styled(YAML::Node n, const Meta& m) {
    if (m.flow) n.SetStyle(YAML::EmitterStyle::Flow);
    return n;
  }
  template <class F>
  static YAML::Node nested(F&& body) {
    Writer w;
    body(w);
    return w.node;
  }
};

}  // namespace

std::string declared_yaml(const Scenario& s) {
  Writer w;
  declare_scenario(w, s);
  YAML::Emitter out;
  out.SetIndent(2);
  out << w.node;
  return std::string(out.c_str()) + "\n";
}

}  // namespace celltrial::schema
