#include "celltrial/stats/multiplicity.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

namespace celltrial::stats {

namespace {

// Weights and row sums may exceed 1 by this much (sums of decimal fractions such as 0.1 + 0.2).
constexpr double kSumSlack = 1e-9;
// Relative slack of p <= level comparisons (see the header).
constexpr double kLevelSlack = 1e-12;

bool at_most(double p, double level) { return p <= level * (1.0 + kLevelSlack); }

std::string num(double x) {
  std::ostringstream s;
  s.precision(10);
  s << x;
  return s.str();
}

std::string index_key(const Where& where, const std::string& field, std::size_t i) {
  return where.key_path + "." + field + "[" + std::to_string(i) + "]";
}

Diagnostic diag(const Where& where, std::string key, std::string problem, std::string fix) {
  return Diagnostic{Location{where.source, 0, 0}, std::move(key), std::move(problem), std::move(fix)};
}

void check_order(const std::vector<std::size_t>& order, std::size_t m, const Where& where) {
  if (order.empty()) return;
  std::vector<Diagnostic> problems;
  if (order.size() != m) {
    problems.push_back(diag(where, where.key_path + ".order",
                            "has " + std::to_string(order.size()) + " entries for " + std::to_string(m) + " hypotheses.",
                            "list every hypothesis index 0.." + std::to_string(m == 0 ? 0 : m - 1) + " once."));
  } else {
    std::vector<bool> seen(m, false);
    for (std::size_t k = 0; k < m; ++k) {
      if (order[k] >= m || seen[order[k]]) {
        problems.push_back(diag(where, index_key(where, "order", k),
                                "is " + std::to_string(order[k]) + ", out of range or repeated.",
                                "list every hypothesis index 0.." + std::to_string(m - 1) + " once."));
      } else {
        seen[order[k]] = true;
      }
    }
  }
  if (!problems.empty()) throw Error(ExitCode::data, std::move(problems));
}

std::vector<std::size_t> identity_order(std::size_t m) {
  std::vector<std::size_t> o(m);
  std::iota(o.begin(), o.end(), std::size_t{0});
  return o;
}

std::vector<double> equal_weights(std::size_t m) { return std::vector<double>(m, m == 0 ? 0.0 : 1.0 / static_cast<double>(m)); }

}  // namespace

double p_from_z(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

namespace {
// The t distribution of the per-trial tests, evaluated in double precision (no promotion to long
// double): within a few units in the last place of the long double evaluation and about 4 times
// faster, which matters because trials compute p-values one by one and every run builds tables of
// critical values.
using TrialT = boost::math::students_t_distribution<
    double, boost::math::policies::policy<boost::math::policies::promote_double<false>>>;
}  // namespace

double t_upper_quantile(double p, double df) {
  try {
    return boost::math::quantile(boost::math::complement(TrialT(df), p));
  } catch (const std::overflow_error&) {
    return std::numeric_limits<double>::infinity();  // df near 0: the quantile grows without bound
  }
}

TQuantileTable::TQuantileTable(double p, std::int64_t max_df)
    : p_(p), max_df_(max_df), slots_(std::make_unique<std::atomic<double>[]>(static_cast<std::size_t>(max_df) + 1)) {
  for (std::int64_t df = 0; df <= max_df; ++df)
    slots_[static_cast<std::size_t>(df)].store(std::numeric_limits<double>::quiet_NaN(), std::memory_order_relaxed);
}

TQuantileTable::TQuantileTable(const TQuantileTable& other) : TQuantileTable(other.p_, other.max_df_) {
  for (std::int64_t df = 0; df <= max_df_; ++df)
    slots_[static_cast<std::size_t>(df)].store(other.slots_[static_cast<std::size_t>(df)].load(std::memory_order_relaxed),
                                               std::memory_order_relaxed);
}

TQuantileTable& TQuantileTable::operator=(const TQuantileTable& other) {
  if (this != &other) *this = TQuantileTable(other);
  return *this;
}

double TQuantileTable::fill(std::int64_t df) const {
  const double v = t_upper_quantile(p_, static_cast<double>(df));
  slots_[static_cast<std::size_t>(df)].store(v, std::memory_order_relaxed);
  return v;
}

bool TQuantileTable::exceeded(double strength, double df) const {
  const double lo = std::floor(df), hi = std::ceil(df);
  if (lo >= 1 && hi <= static_cast<double>(max_df_)) {
    if (strength > (*this)(static_cast<std::int64_t>(lo))) return true;
    if (!(strength > (*this)(static_cast<std::int64_t>(hi)))) return false;
    if (lo == hi) return false;
  }
  return p_from_t(strength, df) < p_;
}

double p_from_t(double t, double df, const Where& where) {
  if (std::isnan(t) || std::isnan(df) || !(df > 0.0)) {
    throw Error(ExitCode::data,
                diag(where, where.key_path + ".df", "degrees of freedom are " + num(df) + " (t = " + num(t) + ").",
                     "use a positive number of degrees of freedom and a t statistic that is a number."));
  }
  if (std::isinf(df)) return p_from_z(t);
  if (std::isinf(t)) return t > 0 ? 0.0 : 1.0;
  return boost::math::cdf(boost::math::complement(TrialT(df), t));
}

double z_from_t(double t, double df) {
  const double t2 = t * t;
  if ((df >= 60 && t2 <= 25) || (df >= 100 && t2 <= 64)) {
    // Hill's expansion of the normal deviate in w^2 = a log(1 + t^2 / df), a = df - 1/2.
    const double a = df - 0.5, b = 48 * a * a, y = a * std::log1p(t2 / df);
    const double z = (((((-0.4 * y - 3.3) * y - 24.0) * y - 85.5) / (0.8 * y * y + 100.0 + b) + y + 3.0) / b + 1.0) *
                     std::sqrt(y);
    return t < 0 ? -z : z;
  }
  // From the upper tail of |t|, which keeps the precision of a small tail (1 - p would round to 1).
  const double p = p_from_t(std::fabs(t), df);
  const double z = p > 0 ? -boost::math::quantile(boost::math::normal_distribution<double>(), p)
                         : std::numeric_limits<double>::infinity();
  return t < 0 ? -z : z;
}

void check_family(const std::vector<double>& p, double alpha, const std::vector<double>& weights,
                  const std::vector<std::vector<double>>& transitions, const Where& where) {
  std::vector<Diagnostic> problems;
  const std::size_t m = p.size();
  if (m == 0) {
    problems.push_back(diag(where, where.key_path + ".p_values", "is empty.", "give at least one p-value."));
  }
  for (std::size_t i = 0; i < m; ++i) {
    if (!(p[i] >= 0.0 && p[i] <= 1.0)) {
      problems.push_back(diag(where, index_key(where, "p_values", i), "is " + num(p[i]) + ", outside [0, 1].",
                              "pass a one-sided p-value between 0 and 1 (see p_from_z and p_from_t)."));
    }
  }
  if (!(alpha > 0.0 && alpha < 1.0)) {
    problems.push_back(diag(where, where.key_path + ".alpha", "is " + num(alpha) + ", outside (0, 1).",
                            "use an overall one-sided level such as 0.025."));
  }
  if (!weights.empty()) {
    if (weights.size() != m) {
      problems.push_back(diag(where, where.key_path + ".weights",
                              "has " + std::to_string(weights.size()) + " entries for " + std::to_string(m) + " p-values.",
                              "give one weight per hypothesis."));
    }
    double sum = 0.0;
    bool finite = true;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (!(weights[i] >= 0.0) || std::isinf(weights[i])) {
        finite = false;
        problems.push_back(diag(where, index_key(where, "weights", i), "is " + num(weights[i]) + ", negative or not finite.",
                                "use weights of 0 or more."));
      } else {
        sum += weights[i];
      }
    }
    if (finite && sum > 1.0 + kSumSlack) {
      problems.push_back(diag(where, where.key_path + ".weights", "sum to " + num(sum) + ", more than 1.",
                              "scale the weights so that they sum to at most 1."));
    }
  }
  if (!transitions.empty()) {
    if (transitions.size() != m) {
      problems.push_back(diag(where, where.key_path + ".transitions",
                              "has " + std::to_string(transitions.size()) + " rows for " + std::to_string(m) + " p-values.",
                              "give an m x m matrix, one row per hypothesis."));
    }
    for (std::size_t i = 0; i < transitions.size(); ++i) {
      const auto& row = transitions[i];
      const std::string row_key = index_key(where, "transitions", i);
      if (row.size() != m) {
        problems.push_back(diag(where, row_key,
                                "has " + std::to_string(row.size()) + " entries for " + std::to_string(m) + " hypotheses.",
                                "give one entry per hypothesis."));
      }
      double sum = 0.0;
      bool finite = true;
      for (std::size_t j = 0; j < row.size(); ++j) {
        const std::string key = row_key + "[" + std::to_string(j) + "]";
        if (!(row[j] >= 0.0) || std::isinf(row[j])) {
          finite = false;
          problems.push_back(diag(where, key, "is " + num(row[j]) + ", negative or not finite.",
                                  "use transition weights between 0 and 1."));
          continue;
        }
        if (i == j && row[j] != 0.0) {
          problems.push_back(diag(where, key, "is " + num(row[j]) + " on the diagonal.",
                                  "set the diagonal to 0 (a hypothesis cannot pass weight to itself)."));
        }
        sum += row[j];
      }
      if (finite && sum > 1.0 + kSumSlack) {
        problems.push_back(diag(where, row_key, "sums to " + num(sum) + ", more than 1.",
                                "scale the row so that it sums to at most 1."));
      }
    }
  }
  if (!problems.empty()) throw Error(ExitCode::data, std::move(problems));
}

std::vector<bool> bonferroni(const std::vector<double>& p, double alpha, const std::vector<double>& weights,
                             const Where& where) {
  check_family(p, alpha, weights, {}, where);
  const std::vector<double> w = weights.empty() ? equal_weights(p.size()) : weights;
  std::vector<bool> rejected(p.size(), false);
  for (std::size_t i = 0; i < p.size(); ++i) rejected[i] = w[i] > 0.0 && at_most(p[i], w[i] * alpha);
  return rejected;
}

std::vector<bool> holm(const std::vector<double>& p, double alpha, const std::vector<double>& weights,
                       const Where& where) {
  check_family(p, alpha, weights, {}, where);
  const std::size_t m = p.size();
  const std::vector<double> w = weights.empty() ? equal_weights(m) : weights;
  const double total = std::accumulate(w.begin(), w.end(), 0.0);
  std::vector<bool> rejected(m, false);
  for (bool progress = true; progress;) {
    progress = false;
    double remaining = 0.0;
    for (std::size_t i = 0; i < m; ++i)
      if (!rejected[i]) remaining += w[i];
    if (!(remaining > 0.0)) break;
    for (std::size_t i = 0; i < m; ++i) {
      if (!rejected[i] && w[i] > 0.0 && at_most(p[i], alpha * total * w[i] / remaining)) {
        rejected[i] = true;
        progress = true;
      }
    }
  }
  return rejected;
}

std::vector<bool> hochberg(const std::vector<double>& p, double alpha, const Where& where) {
  check_family(p, alpha, {}, {}, where);
  const std::size_t m = p.size();
  std::vector<std::size_t> idx = identity_order(m);
  std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
  std::vector<bool> rejected(m, false);
  // Step up: from the largest p-value down, the first p_(k) <= alpha / (m - k + 1) rejects it and
  // every smaller one.
  for (std::size_t k = m; k >= 1; --k) {
    if (at_most(p[idx[k - 1]], alpha / static_cast<double>(m - k + 1))) {
      for (std::size_t r = 0; r < k; ++r) rejected[idx[r]] = true;
      break;
    }
  }
  return rejected;
}

std::vector<bool> fixed_sequence(const std::vector<double>& p, double alpha, const std::vector<std::size_t>& order,
                                 const Where& where) {
  check_family(p, alpha, {}, {}, where);
  check_order(order, p.size(), where);
  const std::vector<std::size_t> o = order.empty() ? identity_order(p.size()) : order;
  std::vector<bool> rejected(p.size(), false);
  for (std::size_t i : o) {
    if (!at_most(p[i], alpha)) break;
    rejected[i] = true;
  }
  return rejected;
}

std::vector<bool> fallback(const std::vector<double>& p, double alpha, const std::vector<double>& weights,
                           const std::vector<std::size_t>& order, const Where& where) {
  check_family(p, alpha, weights, {}, where);
  if (weights.empty()) {
    throw Error(ExitCode::data, diag(where, where.key_path + ".weights", "are missing.",
                                     "give one weight per hypothesis (they split alpha; sum at most 1)."));
  }
  check_order(order, p.size(), where);
  const std::vector<std::size_t> o = order.empty() ? identity_order(p.size()) : order;
  std::vector<bool> rejected(p.size(), false);
  double carried = 0.0;
  for (std::size_t i : o) {
    const double level = weights[i] * alpha + carried;
    rejected[i] = level > 0.0 && at_most(p[i], level);
    carried = rejected[i] ? level : 0.0;
  }
  return rejected;
}

GraphResult graphical(const std::vector<double>& p, double alpha, const Graph& graph, const Where& where) {
  check_family(p, alpha, graph.weights, graph.transitions, where);
  const std::size_t m = p.size();
  if (graph.weights.empty() || graph.transitions.empty()) {
    throw Error(ExitCode::data, diag(where, where.key_path + (graph.weights.empty() ? ".weights" : ".transitions"),
                                     "are missing.", "give m weights and an m x m transition matrix."));
  }
  std::vector<double> w = graph.weights;
  std::vector<std::vector<double>> g = graph.transitions;
  GraphResult result;
  result.rejected.assign(m, false);
  for (;;) {
    // Step 1: among the hypotheses that can be rejected, take the most significant (smallest
    // p / w); the final set of rejections does not depend on this choice.
    std::size_t j = m;
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < m; ++i) {
      if (result.rejected[i] || !(w[i] > 0.0) || !at_most(p[i], w[i] * alpha)) continue;
      const double ratio = p[i] / w[i];
      if (j == m || ratio < best) {
        j = i;
        best = ratio;
      }
    }
    if (j == m) break;
    // Step 2: reject H_j, pass its weight on along its edges, and reconnect the graph around it.
    const double level = w[j] * alpha;
    result.rejected[j] = true;
    std::vector<std::vector<double>> next(m, std::vector<double>(m, 0.0));
    for (std::size_t l = 0; l < m; ++l) {
      if (result.rejected[l]) continue;
      w[l] += w[j] * g[j][l];
      for (std::size_t k = 0; k < m; ++k) {
        if (k == l || result.rejected[k]) continue;
        const double denom = 1.0 - g[l][j] * g[j][l];
        next[l][k] = denom > 0.0 ? (g[l][k] + g[l][j] * g[j][k]) / denom : 0.0;
      }
    }
    w[j] = 0.0;
    g = std::move(next);
    result.steps.push_back(GraphStep{j, level, Graph{w, g}});
  }
  return result;
}

Graph bonferroni_graph(const std::vector<double>& weights) {
  const std::size_t m = weights.size();
  return Graph{weights, std::vector<std::vector<double>>(m, std::vector<double>(m, 0.0))};
}

Graph holm_graph(std::size_t m, const std::vector<double>& weights) {
  const std::vector<double> w = weights.empty() ? equal_weights(m) : weights;
  CELLTRIAL_ASSERT(w.size() == m);
  Graph g{w, std::vector<std::vector<double>>(m, std::vector<double>(m, 0.0))};
  const double total = std::accumulate(w.begin(), w.end(), 0.0);
  for (std::size_t i = 0; i < m; ++i) {
    const double others = total - w[i];
    if (!(others > 0.0)) continue;
    for (std::size_t j = 0; j < m; ++j)
      if (j != i) g.transitions[i][j] = w[j] / others;
  }
  return g;
}

Graph fixed_sequence_graph(std::size_t m, const std::vector<std::size_t>& order) {
  std::vector<double> w(m, 0.0);
  const std::vector<std::size_t> o = order.empty() ? identity_order(m) : order;
  check_order(o, m, Where{});
  if (m > 0) w[o[0]] = 1.0;
  return fallback_graph(w, o);
}

Graph fallback_graph(const std::vector<double>& weights, const std::vector<std::size_t>& order) {
  const std::size_t m = weights.size();
  const std::vector<std::size_t> o = order.empty() ? identity_order(m) : order;
  check_order(o, m, Where{});
  Graph g = bonferroni_graph(weights);
  for (std::size_t k = 0; k + 1 < m; ++k) g.transitions[o[k]][o[k + 1]] = 1.0;
  return g;
}

}  // namespace celltrial::stats
