#pragma once
// Multiple testing procedures that control the family-wise error rate (FWER) in the strong sense.
//
// Conventions:
// - A family has m elementary null hypotheses H_0..H_{m-1}, each with a one-sided p-value
//   (small values are evidence against H_i). Use p_from_z() / p_from_t() to turn test statistics
//   into such p-values.
// - `alpha` is the overall one-sided level of the family (e.g. 0.025).
// - Every procedure returns one flag per hypothesis, true when it is rejected, in input order.
// - The graphical approach (Bretz, Maurer, Brannath & Posch 2009) is the general case: Bonferroni,
//   Holm, fixed-sequence and fallback are graphs (see the *_graph() functions), and the dedicated
//   functions give the same decisions.
// - A p-value equal to its local level is rejected; comparisons allow a relative slack of 1e-12
//   so that weights built up by repeated sums (1/3 + 1/6) still meet levels such as alpha/2.
//
// Invalid inputs throw celltrial::Error (ExitCode::data) whose diagnostics carry
// `Where::source` as the file name and key paths below `Where::key_path`, e.g.
// "analysis.multiplicity.weights[2]", so callers that read a family from a scenario can point at
// the offending entry.
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "celltrial/core/error.hpp"

namespace celltrial::stats {

/// Where the inputs came from, for diagnostics.
struct Where {
  std::string source = "multiplicity";  ///< file name (or another label) of the inputs
  std::string key_path = "multiplicity";  ///< prefix of the key paths in diagnostics
};

/// One-sided (upper-tail) p-value of a standard normal statistic: P(Z >= z).
double p_from_z(double z);
/// One-sided (upper-tail) p-value of a Student t statistic with `df` degrees of freedom:
/// P(T_df >= t). df must be positive; df = +infinity gives p_from_z(t).
double p_from_t(double t, double df, const Where& where = {});

/// The standard normal deviate with the same upper tail as t on df degrees of freedom:
/// z = -Phi^-1(P(T_df >= t)) (df > 0; +-infinity for a tail that rounds to 0). Where the
/// normalising expansion of Hill (1970, CACM algorithm 395) is accurate to 5e-11 (df >= 60 and
/// |t| <= 5, or df >= 100 and |t| <= 8, checked against the exact tail in the tests) it is used:
/// it costs a logarithm where the exact tail costs an incomplete beta function and a normal quantile.
double z_from_t(double t, double df);

/// The t such that P(T_df >= t) = p, for 0 < p < 1 and df > 0 (the critical values of the
/// per-trial tests); +infinity where it exceeds the largest double (df close to 0).
double t_upper_quantile(double p, double df);

/// t_upper_quantile(p, df) for df = 1..max_df, each computed the first time it is asked for: a
/// run needs the few degrees of freedom its trials actually have, and a quantile costs about as
/// much as analysing a trial. Threads may share a table: a value depends only on (p, df), so two
/// threads that fill the same slot store the same bits.
class TQuantileTable {
 public:
  TQuantileTable() = default;
  TQuantileTable(double p, std::int64_t max_df);
  TQuantileTable(const TQuantileTable& other);
  TQuantileTable& operator=(const TQuantileTable& other);
  TQuantileTable(TQuantileTable&&) noexcept = default;
  TQuantileTable& operator=(TQuantileTable&&) noexcept = default;

  /// The quantile for 1 <= df <= max_df.
  double operator()(std::int64_t df) const {
    const double v = slots_[static_cast<std::size_t>(df)].load(std::memory_order_relaxed);
    return std::isnan(v) ? fill(df) : v;
  }

  /// Whether `strength` exceeds the quantile at `df` degrees of freedom, which may be fractional
  /// (Satterthwaite, Kenward-Roger) or beyond max_df: the quantiles at the whole numbers around
  /// df bracket it (the quantile falls as df grows), and the exact tail probability decides only
  /// between them. df must be positive.
  bool exceeded(double strength, double df) const;
  /// Whether the table holds whole-number `df` (1 <= df <= max_df).
  bool holds(std::int64_t df) const { return df >= 1 && df <= max_df_; }

 private:
  double fill(std::int64_t df) const;
  double p_ = 0.5;
  std::int64_t max_df_ = 0;
  std::unique_ptr<std::atomic<double>[]> slots_;  ///< NaN until computed; index df
};

/// A graph of Bretz et al. (2009): initial weights (alpha is split as weights[i] * alpha, sum <= 1)
/// and transitions[i][j], the share of H_i's weight passed to H_j once H_i is rejected (each row
/// sums to at most 1, zero diagonal, no negative entries).
struct Graph {
  std::vector<double> weights;
  std::vector<std::vector<double>> transitions;
};

/// One rejection of the sequentially rejective graphical algorithm, with the graph after it.
struct GraphStep {
  std::size_t rejected = 0;  ///< index of the hypothesis rejected at this step
  double local_level = 0.0;  ///< weight * alpha it was tested at
  Graph after;               ///< weights and transitions after the update (rejected ones zeroed)
};

struct GraphResult {
  std::vector<bool> rejected;
  std::vector<GraphStep> steps;  ///< in the order the rejections were made
};

/// Throws Error(ExitCode::data) listing every problem: p-values outside [0, 1] or not a number,
/// alpha outside (0, 1), weights negative or summing to more than 1, transition rows summing to
/// more than 1, negative transitions, non-zero diagonal, size mismatches. Empty `weights` or
/// `transitions` are not checked (pass them only where a procedure uses them).
void check_family(const std::vector<double>& p, double alpha, const std::vector<double>& weights,
                  const std::vector<std::vector<double>>& transitions, const Where& where = {});

/// Weighted Bonferroni: reject H_i when p_i <= weights[i] * alpha. Empty weights mean 1/m each.
std::vector<bool> bonferroni(const std::vector<double>& p, double alpha, const std::vector<double>& weights = {},
                             const Where& where = {});

/// Holm's step-down procedure, optionally weighted (Holm 1979): with I the hypotheses not yet
/// rejected, reject any H_i in I with p_i <= alpha * W * weights[i] / sum_{j in I} weights[j],
/// W = sum of all weights, and repeat until none qualifies. Empty weights mean 1/m each (the
/// classical alpha / (m - k + 1) step-down).
std::vector<bool> holm(const std::vector<double>& p, double alpha, const std::vector<double>& weights = {},
                       const Where& where = {});

/// Hochberg's step-up procedure (Hochberg 1988): with p_(1) <= ... <= p_(m), find the largest k
/// with p_(k) <= alpha / (m - k + 1) and reject H_(1)..H_(k). Controls the FWER when the test
/// statistics are independent or positively dependent (e.g. equicorrelated normal, rho >= 0).
std::vector<bool> hochberg(const std::vector<double>& p, double alpha, const Where& where = {});

/// Fixed-sequence (hierarchical) testing: test order[0], order[1], ... each at the full alpha and
/// stop at the first hypothesis not rejected. Empty order means 0, 1, ..., m-1.
std::vector<bool> fixed_sequence(const std::vector<double>& p, double alpha, const std::vector<std::size_t>& order = {},
                                 const Where& where = {});

/// Fallback procedure (Wiens 2003): hypotheses in `order` (empty: 0..m-1) get levels
/// weights[i] * alpha; the k-th in order is tested at its own level plus the level of the
/// (k-1)-th if that one was rejected (its level is carried forward), and testing always goes on to
/// the end of the sequence.
std::vector<bool> fallback(const std::vector<double>& p, double alpha, const std::vector<double>& weights,
                           const std::vector<std::size_t>& order = {}, const Where& where = {});

/// The sequentially rejective graphical procedure (Bretz et al. 2009, Algorithm 1):
///  1. find a non-rejected H_j with p_j <= w_j * alpha (the smallest p_j / w_j); stop if none;
///  2. reject H_j; for every remaining l: w_l += w_j * g_jl; for remaining l != k:
///     g_lk = (g_lk + g_lj * g_jk) / (1 - g_lj * g_jl) (0 when the denominator is 0), g_ll = 0;
///     H_j's weight and edges are removed;
///  3. go to 1.
/// The set of rejections does not depend on the choice made in step 1.
GraphResult graphical(const std::vector<double>& p, double alpha, const Graph& graph, const Where& where = {});

/// Graphs that reproduce the classical procedures.
/// Weighted Bonferroni: the weights, no transitions.
Graph bonferroni_graph(const std::vector<double>& weights);
/// (Weighted) Holm: g_ij = w_j / sum_{k != i} w_k. Empty weights mean 1/m each.
Graph holm_graph(std::size_t m, const std::vector<double>& weights = {});
/// Fixed sequence: all weight on order[0], each hypothesis passes everything to the next one.
Graph fixed_sequence_graph(std::size_t m, const std::vector<std::size_t>& order = {});
/// Fallback: the weights, each hypothesis passes everything to the next one in order.
Graph fallback_graph(const std::vector<double>& weights, const std::vector<std::size_t>& order = {});

}  // namespace celltrial::stats
