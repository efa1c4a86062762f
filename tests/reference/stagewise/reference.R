# Reference values for tests/stats/test_stagewise_ordering.cpp: rpact's final p-value, median-unbiased
# estimate and final confidence interval (stage-wise ordering) after a stop at the second of three
# O'Brien-Fleming looks, normal approximation.
#   Rscript tests/reference/stagewise/reference.R
suppressMessages(library(rpact))
options(digits = 10)
show <- function(label, design, ds) {
  r <- getAnalysisResults(design, ds, normalApproximation = TRUE)
  k <- r$finalStage
  z <- r$.stageResults$overallTestStatistics[k]
  effect <- r$.stageResults$overallMeans1[k] - r$.stageResults$overallMeans2[k]
  cat(sprintf("%s: stage %d z %.12g effect %.12g p %.10g mue %.10g lower %.10g upper %.10g\n", label, k, z,
              effect, r$finalPValues[k], r$medianUnbiasedEstimates[k], r$finalConfidenceIntervalLowerBounds[k],
              r$finalConfidenceIntervalUpperBounds[k]))
}
of <- getDesignGroupSequential(kMax = 3, typeOfDesign = "OF", alpha = 0.025, sided = 1)
show("OF stage 2", of, getDataset(n1 = c(50, 50, 50), n2 = c(50, 50, 50), means1 = c(1, 1, 1), means2 = c(0, 0, 0),
                                  stDevs1 = c(2, 2, 2), stDevs2 = c(2, 2, 2)))
show("OF stage 3", of, getDataset(n1 = c(50, 50, 50), n2 = c(50, 50, 50), means1 = c(0.6, 0.5, 0.9),
                                  means2 = c(0, 0.1, 0.2), stDevs1 = c(2, 2, 2), stDevs2 = c(2, 2, 2)))
asof <- getDesignGroupSequential(informationRates = c(0.3, 0.6, 1), typeOfDesign = "asOF", alpha = 0.025, sided = 1)
show("asOF stage 2", asof, getDataset(n1 = c(30, 30, 40), n2 = c(30, 30, 40), means1 = c(0.8, 1.3, 1),
                                      means2 = c(0, 0, 0), stDevs1 = c(2, 2, 2), stDevs2 = c(2, 2, 2)))
