#pragma once
// A result struct's JSON keys declared once. A struct T declares
//   template <class V> void fields(T& x, V&& v)
// calling v(key, member) for each member, in any order; JsonWriter walks that declaration to write
// the struct and JsonReader to read it back, so to_json and from_json cannot disagree.
//
// How a member maps to JSON:
//   std::string, bool, integers    the value
//   double                         a number, null when not finite (NaN when read)
//   Estimate (v(key, e))           two keys of the enclosing object: key and key_mc_se
//   Estimate (v(key, e, se_key))   key and se_key (a share's "estimate"/"mc_se")
//   std::optional<T>               omitted when empty
//   std::vector<T>                 an array
//   std::map<std::string, T>       an object whose keys are data (e.g. a structure's name)
//   a struct with fields()         an object
// and the visitors' other calls: v.omit_empty(key, text or list) writes the key only when not
// empty (read: absent is empty); v.interval(key, low, high) is [low, high]; v.object(key, f) is an
// object whose keys f declares (f is called with the object's visitor), for blocks that gather
// members of the enclosing struct.
//
// Reading checks every key a declaration names: a missing key or one of the wrong type throws an
// Error (ExitCode::data) naming the file and the key path. Keys the declaration does not name are
// ignored.
#include <concepts>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "celltrial/core/error.hpp"
#include "celltrial/core/estimate.hpp"

namespace celltrial {

/// A number as summary.json writes it: null when not finite (nothing to estimate).
nlohmann::json json_number(double x);

class JsonWriter;

/// A struct whose keys are declared by a fields() function.
template <class T>
concept DeclaredFields = requires(T& x, JsonWriter& w) { fields(x, w); };

class JsonWriter {
 public:
  explicit JsonWriter(nlohmann::json& out) : out_(out) {
    if (!out_.is_object()) out_ = nlohmann::json::object();
  }

  template <class T>
  void operator()(const char* key, const T& x) {
    out_[key] = value(x);
  }
  void operator()(const char* key, const Estimate& e) { (*this)(key, e, (std::string(key) + "_mc_se").c_str()); }
  void operator()(const char* key, const Estimate& e, const char* se_key) {
    out_[key] = json_number(e.value);
    out_[se_key] = json_number(e.mc_se);
  }
  template <class T>
  void operator()(const char* key, const std::optional<T>& x) {
    if (x) (*this)(key, *x);
  }
  template <class T>
  void omit_empty(const char* key, const T& x) {
    if (!x.empty()) (*this)(key, x);
  }
  void interval(const char* key, double low, double high) {
    out_[key] = nlohmann::json::array({json_number(low), json_number(high)});
  }
  template <class F>
  void object(const char* key, F&& declare) {
    nlohmann::json sub = nlohmann::json::object();
    JsonWriter w(sub);
    declare(w);
    out_[key] = std::move(sub);
  }

  /// One value as JSON (an element of an array, or a member).
  static nlohmann::json value(const std::string& x) { return x; }
  static nlohmann::json value(const char* x) { return x; }
  static nlohmann::json value(bool x) { return x; }
  static nlohmann::json value(double x) { return json_number(x); }
  template <std::integral I>
    requires(!std::same_as<I, bool>)
  static nlohmann::json value(I x) {
    return x;
  }
  template <class T>
  static nlohmann::json value(const std::vector<T>& xs) {
    nlohmann::json a = nlohmann::json::array();
    for (const auto& x : xs) a.push_back(value(x));
    return a;
  }
  template <class T>
  static nlohmann::json value(const std::map<std::string, T>& xs) {
    nlohmann::json o = nlohmann::json::object();
    for (const auto& kv : xs) o[kv.first] = value(kv.second);
    return o;
  }
  template <DeclaredFields T>
  static nlohmann::json value(const T& x) {
    nlohmann::json j = nlohmann::json::object();
    JsonWriter w(j);
    fields(const_cast<T&>(x), w);  // the writer only reads the members
    return j;
  }

 private:
  nlohmann::json& out_;
};

class JsonReader {
 public:
  /// Reads the object `in`, found at `key_path` of the file `file` (for the errors).
  JsonReader(const nlohmann::json& in, std::string file, std::string key_path)
      : in_(in), file_(std::move(file)), path_(std::move(key_path)) {
    if (!in_.is_object()) fail(path_, "should be an object, not " + kind(in_) + ".");
  }

  template <class T>
  void operator()(const char* key, T& x) {
    read(need(key), x, sub(key));
  }
  void operator()(const char* key, Estimate& e) { (*this)(key, e, (std::string(key) + "_mc_se").c_str()); }
  void operator()(const char* key, Estimate& e, const char* se_key) {
    read(need(key), e.value, sub(key));
    read(need(se_key), e.mc_se, sub(se_key));
  }
  template <class T>
  void operator()(const char* key, std::optional<T>& x) {
    if (!in_.contains(key)) {
      x.reset();
      return;
    }
    T t{};
    (*this)(key, t);
    x = std::move(t);
  }
  template <class T>
  void omit_empty(const char* key, T& x) {
    if (in_.contains(key))
      (*this)(key, x);
    else
      x = T{};
  }
  void interval(const char* key, double& low, double& high) {
    const nlohmann::json& j = need(key);
    if (!j.is_array() || j.size() != 2) fail(sub(key), "should be an array of two numbers, not " + kind(j) + ".");
    read(j[0], low, sub(key) + "[0]");
    read(j[1], high, sub(key) + "[1]");
  }
  template <class F>
  void object(const char* key, F&& declare) {
    JsonReader r(need(key), file_, sub(key));
    declare(r);
  }

  /// One value of the JSON `j` at `path` into `x`.
  void read(const nlohmann::json& j, std::string& x, const std::string& path) const {
    if (!j.is_string()) fail(path, "should be a string, not " + kind(j) + ".");
    x = j.get<std::string>();
  }
  void read(const nlohmann::json& j, bool& x, const std::string& path) const {
    if (!j.is_boolean()) fail(path, "should be true or false, not " + kind(j) + ".");
    x = j.get<bool>();
  }
  void read(const nlohmann::json& j, double& x, const std::string& path) const {
    if (j.is_null())
      x = std::numeric_limits<double>::quiet_NaN();
    else if (j.is_number())
      x = j.get<double>();
    else
      fail(path, "should be a number or null, not " + kind(j) + ".");
  }
  template <std::integral I>
    requires(!std::same_as<I, bool>)
  void read(const nlohmann::json& j, I& x, const std::string& path) const {
    const bool fits = j.is_number_unsigned() || (j.is_number_integer() && (std::is_signed_v<I> || j.get<std::int64_t>() >= 0));
    if (!fits) fail(path, std::string("should be a") + (std::is_signed_v<I> ? "n integer" : " count (an integer >= 0)") + ", not " +
                              kind(j) + ".");
    x = j.get<I>();
  }
  template <class T>
  void read(const nlohmann::json& j, std::vector<T>& xs, const std::string& path) const {
    if (!j.is_array()) fail(path, "should be an array, not " + kind(j) + ".");
    xs.assign(j.size(), T{});
    for (std::size_t i = 0; i < j.size(); ++i) read(j[i], xs[i], path + "[" + std::to_string(i) + "]");
  }
  template <class T>
  void read(const nlohmann::json& j, std::map<std::string, T>& xs, const std::string& path) const {
    if (!j.is_object()) fail(path, "should be an object, not " + kind(j) + ".");
    xs.clear();
    for (auto it = j.begin(); it != j.end(); ++it) read(it.value(), xs[it.key()], path + "." + it.key());
  }
  template <DeclaredFields T>
  void read(const nlohmann::json& j, T& x, const std::string& path) const {
    JsonReader r(j, file_, path);
    fields(x, r);
  }

 private:
  std::string sub(const char* key) const { return path_.empty() ? std::string(key) : path_ + "." + key; }
  const nlohmann::json& need(const char* key) const {
    const auto it = in_.find(key);
    if (it == in_.end()) fail(sub(key), "is missing.");
    return *it;
  }
  static std::string kind(const nlohmann::json& j) {
    if (j.is_null()) return "null";
    if (j.is_boolean()) return "a boolean";
    if (j.is_number()) return "a number";
    if (j.is_string()) return "a string";
    if (j.is_array()) return "an array";
    return "an object";
  }
  [[noreturn]] void fail(const std::string& path, const std::string& problem) const {
    throw Error(ExitCode::data, Diagnostic{Location{file_, 0, 0}, path, problem,
                                           "write the results again with celltrial, or restore the file."});
  }

  const nlohmann::json& in_;
  std::string file_;
  std::string path_;
};

/// A declared struct (or a list of them) as JSON.
template <class T>
nlohmann::json to_json_fields(const T& x) {
  return JsonWriter::value(x);
}

/// A declared struct (or a list of them) from the JSON `j`, found at `key_path` of `file`.
template <class T>
T from_json(const nlohmann::json& j, const std::string& file = "summary.json", const std::string& key_path = "") {
  T x{};
  if constexpr (DeclaredFields<T>) {
    JsonReader r(j, file, key_path);
    fields(x, r);
  } else {
    // A list: the reader's element rules, through a dummy object at the same place.
    static const nlohmann::json empty = nlohmann::json::object();
    JsonReader(empty, file, key_path).read(j, x, key_path);
  }
  return x;
}

/// The member `key` of the object `j` (found at `key_path` of `file`) as a declared struct or a
/// list of them; a missing key is an error naming it.
template <class T>
T member_from_json(const nlohmann::json& j, const char* key, const std::string& file = "summary.json",
                   const std::string& key_path = "") {
  T x{};
  JsonReader(j, file, key_path)(key, x);
  return x;
}

}  // namespace celltrial
