# Reference values of celltrial's group-sequential boundaries (stats/group_sequential) from rpact:
# getDesignGroupSequential (critical values, alpha spent, stage levels, futility bounds by beta
# spending, beta spent), getDesignCharacteristics (drift, inflation factor, expected sample size as
# a fraction of the fixed design's) and getSampleSizeMeans (maximum and expected numbers of
# subjects). Writes tests/reference/group_sequential/reference.json; the C++ test
# tests/stats/test_group_sequential_reference.cpp reads it. Deterministic; installs nothing.
# Run from the repository root: Rscript tests/reference/group_sequential/reference.R
suppressPackageStartupMessages({
  library(rpact)
  library(jsonlite)
})
dir <- file.path("tests", "reference", "group_sequential")
stopifnot(dir.exists(dir))
tolerance <- 1e-10  # rpact's root-finding tolerance (its smallest allowed value; default 1e-8)

# celltrial's names (stats/group_sequential.hpp: kClassicalFamilies, "spending-" + kSpendingFamilies)
# and rpact's.
design_type <- c("obrien-fleming" = "OF", "pocock" = "P", "wang-tsiatis" = "WT",
                 "haybittle-peto" = "HP", "spending-obrien-fleming" = "asOF",
                 "spending-pocock" = "asP", "spending-hsd" = "asHSD",
                 "spending-kim-demets" = "asKD")
beta_type <- c("obrien-fleming" = "bsOF", "pocock" = "bsP", "hsd" = "bsHSD", "kim-demets" = "bsKD")

# One case as celltrial's command line gives it (boundaries --looks --information --boundary
# --parameter --alpha --sides --beta-spending --beta-parameter --beta --binding).
spec <- function(information, boundary, parameter = NA, alpha = 0.025, sides = 1,
                 beta_spending = NA, beta_parameter = NA, beta = 0.2, binding = FALSE) {
  list(information = information, boundary = boundary, parameter = parameter, alpha = alpha,
       sides = sides, beta_spending = beta_spending, beta_parameter = beta_parameter, beta = beta,
       binding = binding)
}

rpact_design <- function(s) {
  args <- list(informationRates = s$information, kMax = length(s$information),
               typeOfDesign = design_type[[s$boundary]], alpha = s$alpha, sided = s$sides,
               beta = s$beta, tolerance = tolerance)
  if (s$boundary == "wang-tsiatis") args$deltaWT <- s$parameter
  if (s$boundary == "haybittle-peto") args$constantBoundsHP <- s$parameter
  if (s$boundary %in% c("spending-hsd", "spending-kim-demets")) args$gammaA <- s$parameter
  if (!is.na(s$beta_spending)) {
    args$typeBetaSpending <- beta_type[[s$beta_spending]]
    if (!is.na(s$beta_parameter)) args$gammaB <- s$beta_parameter
    args$bindingFutility <- s$binding
  }
  do.call(getDesignGroupSequential, args)
}

na_to_null <- function(x) if (length(x) == 1 && is.na(x)) NULL else x

record <- function(s, characteristics = TRUE) {
  d <- rpact_design(s)
  # I(): vectors stay JSON arrays when they have one element
  out <- list(looks = length(s$information), information = I(s$information), boundary = s$boundary,
              parameter = na_to_null(s$parameter), alpha = s$alpha, sides = s$sides, beta = s$beta,
              critical = I(d$criticalValues), alpha_spent = I(d$alphaSpent),
              stage_levels = I(d$stageLevels))
  if (!is.na(s$beta_spending)) {
    out$beta_spending <- s$beta_spending
    out$beta_parameter <- na_to_null(s$beta_parameter)
    out$binding <- s$binding
    out$futility <- I(d$futilityBounds)
    out$beta_spent <- I(d$betaSpent)
  }
  if (characteristics) {
    ch <- getDesignCharacteristics(d)
    out$drift <- sqrt(ch$shift)
    out$inflation_factor <- ch$inflationFactor
    out$asn_h0 <- ch$averageSampleNumber0
    out$asn_h1 <- ch$averageSampleNumber1
  }
  out
}

informations <- list(c(1, 2) / 2, c(1, 2, 3) / 3, c(1, 2, 3, 4) / 4, c(1, 2, 3, 4, 5) / 5,
                     c(0.4, 1), c(0.3, 0.6, 1), c(0.25, 0.5, 0.8, 1), c(0.2, 0.45, 0.7, 0.85, 1))
families <- list(list("obrien-fleming", NA), list("pocock", NA), list("wang-tsiatis", 0.1),
                 list("wang-tsiatis", 0.4), list("haybittle-peto", 3), list("haybittle-peto", 2.5),
                 list("spending-obrien-fleming", NA), list("spending-pocock", NA),
                 list("spending-hsd", -4), list("spending-hsd", -2), list("spending-hsd", 1),
                 list("spending-kim-demets", 1), list("spending-kim-demets", 2),
                 list("spending-kim-demets", 3))

cases <- list()
# Efficacy bounds: every family, 2 to 5 looks equally and unequally spaced, one-sided 0.025 and
# two-sided 0.05 (beta 0.2 for the characteristics; beta 0.1 for the equally spaced one-sided).
for (f in families) for (info in informations) for (sides in c(1, 2)) {
  cases[[length(cases) + 1]] <- record(spec(info, f[[1]], f[[2]], alpha = 0.025 * sides, sides = sides))
  if (sides == 1 && length(info) == 3)
    cases[[length(cases) + 1]] <- record(spec(info, f[[1]], f[[2]], beta = 0.1))
}
# Futility bounds by beta spending (one-sided): every alpha-spending family with every
# beta-spending family, non-binding and binding, at 3 equal and 4 unequal looks; then 2 and 5 looks
# and beta 0.1 for a few.
alpha_spending <- list(list("spending-obrien-fleming", NA), list("spending-pocock", NA),
                       list("spending-hsd", -4), list("spending-kim-demets", 2))
beta_spending <- list(list("obrien-fleming", NA), list("pocock", NA), list("hsd", -2),
                      list("kim-demets", 2))
for (a in alpha_spending) for (b in beta_spending) for (binding in c(FALSE, TRUE))
  for (info in informations[c(2, 7)])
    cases[[length(cases) + 1]] <- record(spec(info, a[[1]], a[[2]], beta_spending = b[[1]],
                                              beta_parameter = b[[2]], binding = binding))
for (binding in c(FALSE, TRUE)) for (info in informations[c(1, 4, 5, 8)]) {
  cases[[length(cases) + 1]] <- record(spec(info, "spending-obrien-fleming", beta_spending = "obrien-fleming",
                                            binding = binding))
  cases[[length(cases) + 1]] <- record(spec(info, "spending-hsd", -3, beta_spending = "kim-demets",
                                            beta_parameter = 1.5, beta = 0.1, binding = binding))
}

# Sample sizes of a two-arm comparison of means (t test, as celltrial power): the fixed design's
# N (nFixed), the maximum (nFixed x inflation factor) and the expected numbers under H0 and H1.
sample_sizes <- list()
size <- function(s, alternative, stdev, allocation = 1) {
  ss <- getSampleSizeMeans(rpact_design(s), alternative = alternative, stDev = stdev,
                           allocationRatioPlanned = allocation)
  c(record(s, characteristics = FALSE),
    list(delta = alternative, sd = stdev, allocation = allocation,
         n_fixed = ss$nFixed, n_max = ss$maxNumberOfSubjects,
         expected_n_h0 = ss$expectedNumberOfSubjectsH0, expected_n_h1 = ss$expectedNumberOfSubjectsH1))
}
sample_sizes[[1]] <- size(spec(c(1, 2, 3) / 3, "obrien-fleming", beta = 0.1), 1.42, 4.5)
sample_sizes[[2]] <- size(spec(c(1, 2, 3, 4) / 4, "pocock"), 10, 24)
sample_sizes[[3]] <- size(spec(c(0.3, 0.6, 1), "spending-obrien-fleming", alpha = 0.05, sides = 2), 1.42, 5.2)
sample_sizes[[4]] <- size(spec(c(0.5, 1), "haybittle-peto", 3, beta = 0.1), 0.5, 1, 2)
sample_sizes[[5]] <- size(spec(c(1, 2, 3) / 3, "spending-obrien-fleming", beta_spending = "obrien-fleming"), 1.42, 4.5)
sample_sizes[[6]] <- size(spec(c(0.25, 0.5, 0.8, 1), "spending-kim-demets", 3, beta_spending = "hsd",
                               beta_parameter = -2, beta = 0.1, binding = TRUE), 2, 6, 1.5)
sample_sizes[[7]] <- size(spec(c(1, 2, 3, 4, 5) / 5, "wang-tsiatis", 0.25, alpha = 0.05, sides = 2), 3, 10)

out <- list(generated_by = "tests/reference/group_sequential/reference.R",
            rpact_version = as.character(packageVersion("rpact")),
            r_version = R.version.string, tolerance = tolerance,
            cases = cases, sample_sizes = sample_sizes)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"),
           file.path(dir, "reference.json"))
cat(length(cases), "designs and", length(sample_sizes), "sample sizes written\n")
