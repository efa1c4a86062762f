# Reference values for celltrial's closed combination test of adaptive enrichment
# (tests/stats/test_enrichment.cpp): rpact's getClosedCombinationTestResults on two-stage
# inverse-normal designs with two populations, the subgroup S1 and everyone F.
#
# Each case draws stage-wise summary data (normal approximation, one-sided, larger is better), with
# both populations continued to stage 2 or only the subgroup, and records rpact's stage-wise
# p-values, its rejections at each stage, and the intersection's combined statistic at stage 2.
# Run: Rscript tests/reference/enrichment/reference.R (rpact 3.3.4 was used) from the project root.
suppressMessages({
  library(rpact)
  library(jsonlite)
})
set.seed(20261207)
designs <- list(
  list(name = "obrien-fleming t=0.5", d = getDesignInverseNormal(kMax = 2, alpha = 0.025, typeOfDesign = "OF", informationRates = c(0.5, 1))),
  list(name = "pocock t=0.3", d = getDesignInverseNormal(kMax = 2, alpha = 0.025, typeOfDesign = "P", informationRates = c(0.3, 1)))
)
cases <- list()
for (ds in designs) {
  design <- ds$d
  for (test in c("Simes", "Bonferroni")) {
    for (k in 1:12) {
      subgroup_only <- k %% 2 == 0
      nS <- c(30, 60); nF <- c(100, 100)
      mS <- c(runif(1, -0.1, 0.9), runif(1, -0.1, 0.7)); mF <- c(runif(1, -0.1, 0.5), runif(1, -0.1, 0.5))
      S1 <- getDataset(sampleSize1 = nS, sampleSize2 = nS, mean1 = mS, mean2 = c(0, 0), stDev1 = c(1, 1), stDev2 = c(1, 1))
      if (subgroup_only) {
        F <- getDataset(sampleSize1 = c(nF[1], NA), sampleSize2 = c(nF[1], NA), mean1 = c(mF[1], NA), mean2 = c(0, NA),
                        stDev1 = c(1.1, NA), stDev2 = c(1.1, NA))
      } else {
        F <- getDataset(sampleSize1 = nF, sampleSize2 = nF, mean1 = mF, mean2 = c(0, 0), stDev1 = c(1.1, 1.1), stDev2 = c(1.1, 1.1))
      }
      sr <- getStageResults(design, getDataset(S1 = S1, F = F), intersectionTest = test, stratifiedAnalysis = FALSE,
                            normalApproximation = TRUE, directionUpper = TRUE)
      ct <- getClosedCombinationTestResults(sr)
      p <- sr$separatePValues  # rows: S1, F
      na <- function(x) if (is.na(x)) NULL else x
      cases[[length(cases) + 1]] <- list(
        design = ds$name, intersection = tolower(test), subgroup_only = subgroup_only,
        w1 = design$informationRates[1]^0.5 / sqrt(1), critical = design$criticalValues,
        p1 = list(p[2, 1], p[1, 1]), p2 = list(na(p[2, 2]), p[1, 2]),
        reject1 = c(ct$rejected[2, 1], ct$rejected[1, 1]), reject2 = c(ct$rejected[2, 2], ct$rejected[1, 2]),
        z_intersection2 = ct$overallAdjustedTestStatistics[1, 2])
    }
  }
}
out <- list(source = "rpact", rpact_version = as.character(packageVersion("rpact")),
            note = "arrays are [everyone (F), subgroup (S1)]; p2[0] null when only the subgroup continues",
            cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null", pretty = TRUE),
           "tests/reference/enrichment/reference.json")
