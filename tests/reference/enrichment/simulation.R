# Reference rejection probabilities for celltrial's stage-level simulation of the two-stage
# enrichment design (tests/stats/test_enrichment.cpp): rpact's getSimulationEnrichmentMeans with the
# subgroup S (prevalence 0.3) and its complement R, standardised effects (delta_S, delta_R), 200
# subjects at the interim and 400 in all, classical O'Brien-Fleming (t = 0.5, one-sided 0.025),
# stratified analysis of everyone, a stop at the interim when at least one hypothesis is rejected,
# and a fixed selection: the subgroup alone, or both populations.
# Run: Rscript tests/reference/enrichment/simulation.R (rpact 3.3.4, about 6 minutes) from the
# project root.
suppressMessages({
  library(rpact)
  library(jsonlite)
})
design <- getDesignInverseNormal(kMax = 2, alpha = 0.025, typeOfDesign = "OF", informationRates = c(0.5, 1))
effects <- matrix(c(0, 0, 0.3, 0, 0, 0.3, 0.3, 0.15), ncol = 2, byrow = TRUE)
iterations <- 20000
cases <- list()
for (selection in c("subgroup", "both")) {
  for (test in c("Simes", "Bonferroni")) {
    args <- list(design,
                 effectList = list(subGroups = c("S", "R"), prevalences = c(0.3, 0.7), stDevs = c(1, 1), effects = effects),
                 plannedSubjects = c(200, 400), intersectionTest = test, stratifiedAnalysis = TRUE,
                 successCriterion = "atLeastOne", maxNumberOfIterations = iterations, seed = 20261207)
    if (selection == "subgroup") {
      args$typeOfSelection <- "userDefined"
      args$selectPopulationsFunction <- function(effectVector) c(TRUE, FALSE)
    } else {
      args$typeOfSelection <- "all"
    }
    sim <- suppressWarnings(do.call(getSimulationEnrichmentMeans, args))
    r <- sim$rejectedPopulationsPerStage  # [stage, effect row, population (S, F)]
    for (e in seq_len(nrow(effects))) {
      cases[[length(cases) + 1]] <- list(
        selection = selection, intersection = tolower(test), delta = effects[e, ],
        reject_subgroup = sum(r[, e, 1]), reject_full = sum(r[, e, 2]), reject_any = sim$rejectAtLeastOne[e],
        iterations = iterations)
    }
  }
}
out <- list(source = "rpact getSimulationEnrichmentMeans", rpact_version = as.character(packageVersion("rpact")),
            prevalence = 0.3, subjects = c(200, 400), cases = cases)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "tests/reference/enrichment/simulation.json")
