#pragma once
// Inference at the end of a group-sequential trial by the stage-wise ordering of its outcomes
// (Armitage 1957; Tsiatis, Rosner & Mehta 1984; Jennison & Turnbull 2000, §8.4): a stop at an
// earlier look through the efficacy bound is more extreme than any later outcome, and at the same
// look a larger Z is more extreme. For an outcome (look k, Z_k = z) and a drift d (the expected
// final Z, canonical joint distribution: Z_k ~ N(d sqrt(t_k), 1), corr(Z_j, Z_k) = sqrt(t_j / t_k))
//   P_d(k, z) = sum_{j<k} P_d(cross c_j at look j) + P_d(continue to look k, Z_k >= z),
// increasing in d. The median-unbiased drift solves P_d = 1/2 and the confidence limits at level
// 1 - a solve P_d = a/2 and 1 - a/2. At the first look the median-unbiased value is z itself.
//
// Computation: under drift d the sub-density of Z_k among the paths still going is the drift-0
// one times the likelihood ratio exp(d z sqrt(t_k) - d^2 t_k / 2), which depends on the path only
// through Z_k. The drift-0 sub-densities are computed once (recursive integration, as for the
// boundaries) on a fine grid; each P_d is then one weighted sum per look, with its derivative in d,
// and the drifts are tabulated per look over z for the probabilities asked for and interpolated.
#include <cstddef>
#include <memory>
#include <vector>

namespace celltrial::stats {

class StagewiseOrdering {
 public:
  /// `t`: information fractions of the looks (increasing, the last 1); `critical`: the efficacy
  /// bounds (one-sided, upper); `futility`: lower bounds the trial is bound to stop at (binding
  /// futility; empty when there are none or they are not binding, which the ordering then ignores;
  /// the last look's is not used).
  /// `probabilities`: the values of P_d whose drifts are tabulated (e.g. 0.5, 0.025, 0.975); other
  /// values are solved directly. Throws celltrial::Error for invalid arguments.
  StagewiseOrdering(std::vector<double> t, std::vector<double> critical, std::vector<double> futility,
                    std::vector<double> probabilities);

  /// The same, shared: built once per process for the same arguments (a pure function of them, so
  /// results do not change), for the engine, which sets up its analyses for every chunk of trials.
  static std::shared_ptr<const StagewiseOrdering> shared(const std::vector<double>& t, const std::vector<double>& critical,
                                                         const std::vector<double>& futility,
                                                         const std::vector<double>& probabilities);

  std::size_t looks() const { return t_.size(); }

  /// P_d(k, z) for look k (0-based) and its Z value z.
  double exceedance(std::size_t k, double z, double drift) const;

  /// The drift d at which P_d(k, z) = p (p in (0, 1)); +-infinity when z is.
  double drift_at(std::size_t k, double z, double p) const;

 private:
  struct Look {
    double lo = 0, h = 0;         ///< fine grid z_i = lo + i h
    std::vector<double> density;  ///< drift-0 sub-density of Z_k among the paths still going
    std::size_t cross = 0;        ///< first grid index at or above the critical value (crossing part)
    double cross_z = 0;           ///< the critical value (the crossing integral starts there)
    double cross_density = 0;     ///< log sub-density at the critical value
    double cross_mid = 0;         ///< log sub-density halfway from it to the next grid point
  };
  struct Table {
    double p = 0;
    double z0 = 0, dz = 0;       ///< tabulated z values z0 + m dz
    std::vector<std::vector<double>> drift;  ///< [look][m]
  };
  std::vector<double> t_, c_, f_;
  std::vector<Look> look_;
  std::vector<Table> tables_;

  /// P_d(k, z) and its derivative in d.
  std::pair<double, double> value_and_slope(std::size_t k, double z, double drift) const;
  double solve(std::size_t k, double z, double p, double start) const;
};

}  // namespace celltrial::stats
