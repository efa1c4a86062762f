#pragma once
// The choices of the mixed model for repeated measures (stats/mmrm.hpp), named by the scenario
// (analysis.mmrm) and the `analyse` command.
namespace celltrial::stats {

/// Covariance of a child's repeated measurements, visits taken in order (position 1..V):
/// unstructured (every variance and covariance), ar1 (sigma^2 rho^|i-j|), heterogeneous-ar1
/// (sigma_i sigma_j rho^|i-j|), cs (compound symmetry: tau + sigma^2 on the diagonal, tau off it),
/// toeplitz (gamma_|i-j|: one covariance per lag, homogeneous variance).
enum class CovarianceStructure { unstructured, ar1, heterogeneous_ar1, cs, toeplitz };

/// Denominator degrees of freedom of a contrast's t test.
enum class DfMethod { satterthwaite, kenward_roger, between_within, residual };

}  // namespace celltrial::stats
