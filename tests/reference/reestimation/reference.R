# Reference values of celltrial's conditional power for sample-size re-estimation
# (stats/reestimation.hpp) from rpact: a two-stage inverse-normal design (getDesignInverseNormal,
# O'Brien-Fleming, information rates t1 and 1, so w1 = sqrt(t1)), the first stage's combination
# statistic from a two-group t test (getStageResults; Z1 = Phi^-1(1 - p)), and the conditional power
# of the second stage with nPlanned children (getConditionalPower) under the current estimate: the
# effect whose z statistic on the first stage's children is Z1, thetaH1 = Z1 * sd * sqrt(4 / n1).
# Writes tests/reference/reestimation/reference.json; tests/engine/test_reestimation.cpp reads it.
# Deterministic; installs nothing. Run from the repository root: Rscript tests/reference/reestimation/reference.R
suppressPackageStartupMessages({
  library(rpact)
  library(jsonlite)
})
dir <- file.path("tests", "reference", "reestimation")
stopifnot(dir.exists(dir))
sd <- 4
cases <- list()
for (t1 in c(0.5, 0.3)) {
  design <- getDesignInverseNormal(kMax = 2, informationRates = c(t1, 1), typeOfDesign = "OF")
  for (n in c(200, 120)) {
    n1 <- round(t1 * n)
    for (mean1 in c(-0.5, 0.5, 1.2, 2)) {
      data <- getDataset(n1 = n1 / 2, n2 = n1 / 2, means1 = mean1, means2 = 0, stDevs1 = sd, stDevs2 = sd)
      stage <- getStageResults(design, dataInput = data, stage = 1)
      z1 <- stage$combInverseNormal[1]
      for (m in c(n - n1, 2 * n - n1)) {
        cp <- getConditionalPower(stage, nPlanned = c(m), thetaH1 = z1 * sd * sqrt(4 / n1), assumedStDev = sd)
        cases[[length(cases) + 1]] <- list(t1 = t1, n1 = n1, m = m, z1 = z1, critical = design$criticalValues[2],
                                           conditional_power = cp$conditionalPower[2])
      }
    }
  }
}
out <- list(source = paste("rpact", as.character(packageVersion("rpact"))), cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = 15, pretty = TRUE), file.path(dir, "reference.json"))
