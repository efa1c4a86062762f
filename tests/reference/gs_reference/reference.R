# Reference values of scenarios/validation/gs_reference.yaml and gs_reference_null.yaml from rpact:
# the O'Brien-Fleming design with 3 equally spaced looks, one-sided alpha 0.025, power 0.9 for a
# difference of 1.42 with SD 4.5 (getSampleSizeMeans: the maximum and expected numbers of subjects),
# and at the simulated maximum of 432 children (getPowerMeans, normal approximation and t version):
# the stopping probabilities per look and the expected numbers of subjects under H1 and H0; and the
# exact stopping probability at look 1 under H1 of the t test (noncentral t, R's pt). Writes
# tests/reference/gs_reference/reference.json; tests/engine/test_gs_reference.cpp reads it.
# Deterministic; installs nothing. Run from the repository root: Rscript tests/reference/gs_reference/reference.R
suppressPackageStartupMessages({
  library(rpact)
  library(jsonlite)
})
dir <- file.path("tests", "reference", "gs_reference")
stopifnot(dir.exists(dir))
design <- getDesignGroupSequential(kMax = 3, typeOfDesign = "OF", alpha = 0.025, beta = 0.1, sided = 1,
                                   tolerance = 1e-10)
size <- getSampleSizeMeans(design, alternative = 1.42, stDev = 4.5)
at <- function(alternative, normal) {
  p <- getPowerMeans(design, maxNumberOfSubjects = 432, alternative = alternative, stDev = 4.5,
                     normalApproximation = normal)
  list(alternative = alternative, normal_approximation = normal, efficacy = I(as.vector(p$rejectPerStage)),
       power = p$overallReject, expected_n = p$expectedNumberOfSubjects)
}
# The exact probability of stopping at look 1 of the simulated design under H1: its two-sample t
# statistic on 72 + 72 children (df 142) crosses the t quantile at look 1's nominal level.
look1_level <- pnorm(design$criticalValues[1], lower.tail = FALSE)
look1_t <- pt(qt(look1_level, 142, lower.tail = FALSE), 142, ncp = 1.42 / (4.5 * sqrt(2 / 72)), lower.tail = FALSE)
out <- list(generated_by = "tests/reference/gs_reference/reference.R",
            rpact_version = as.character(packageVersion("rpact")), r_version = R.version.string,
            critical = I(design$criticalValues),
            sample_size = list(delta = 1.42, sd = 4.5, power = 0.9, n_fixed = size$nFixed,
                               n_max = size$maxNumberOfSubjects,
                               expected_n_h1 = size$expectedNumberOfSubjectsH1,
                               expected_n_h0 = size$expectedNumberOfSubjectsH0,
                               efficacy_h1 = I(as.vector(size$rejectPerStage))),
            at_432 = list(at(1.42, TRUE), at(1.42, FALSE), at(0, TRUE)),
            look1_t_h1 = look1_t)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), file.path(dir, "reference.json"))
cat("written", file.path(dir, "reference.json"), "\n")
