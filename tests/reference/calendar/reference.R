# Reference values for interim looks at calendar months (design.interims.months): the efficacy bounds
# of a trial whose looks held n_k of N = 400 children at their primary visit are rpact's
# getDesignGroupSequential(typeOfDesign = ..., informationRates = c(n_k / N, 1)) at one-sided alpha
# 0.025 (the Lan-DeMets practice of recomputing the spending bounds at the observed fractions).
# Writes tests/reference/calendar/reference.json; tests/engine/test_calendar_looks.cpp reads it.
# Deterministic; installs nothing. Run from the repository root: Rscript tests/reference/calendar/reference.R
suppressPackageStartupMessages({
  library(rpact)
  library(jsonlite)
})
dir <- file.path("tests", "reference", "calendar")
stopifnot(dir.exists(dir))
n <- 400
# celltrial's boundary name, rpact's typeOfDesign and gammaA (NA: none), the looks' counts (0: not held).
cases <- list(
  list(boundary = "spending-obrien-fleming", type = "asOF", gamma = NA, held = c(130, 262)),
  list(boundary = "spending-obrien-fleming", type = "asOF", gamma = NA, held = c(141, 0)),
  list(boundary = "spending-obrien-fleming", type = "asOF", gamma = NA, held = c(0, 270)),
  list(boundary = "spending-pocock", type = "asP", gamma = NA, held = c(128, 259)),
  list(boundary = "spending-hsd", type = "asHSD", gamma = -2, held = c(137, 268)),
  list(boundary = "spending-kim-demets", type = "asKD", gamma = 2, held = c(125, 255))
)
out <- lapply(cases, function(x) {
  t <- c(x$held[x$held > 0] / n, 1)
  d <- if (is.na(x$gamma)) {
    getDesignGroupSequential(typeOfDesign = x$type, informationRates = t, alpha = 0.025, sided = 1,
                             tolerance = 1e-10)
  } else {
    getDesignGroupSequential(typeOfDesign = x$type, informationRates = t, alpha = 0.025, sided = 1,
                             gammaA = x$gamma, tolerance = 1e-10)
  }
  list(boundary = x$boundary, parameter = x$gamma, held = x$held,
       critical = d$criticalValues)
})
writeLines(toJSON(list(source = paste("rpact", packageVersion("rpact")), sample_size = n, cases = out),
                  auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE),
           file.path(dir, "reference.json"))
