# Seconds per fit of the unstructured MMRM in R (nlme::gls, REML), for comparison with celltrial's
# own fit. The model and the control settings are those of tests/reference/mmrm (README.md there):
#   value ~ 0 + visit:arm + visit:baseline, corSymm(~ vidx | id) + varIdent(~ 1 | visit),
# fitted from nlme's default start, with its approximate covariance of the variance parameters
# (apVar, which Satterthwaite degrees of freedom need). Two datasets:
#   mar_dropout.csv  tests/reference/mmrm/mar_dropout.csv (2 x 120, visits 3/6/12, MAR dropout)
#   monotone_2x200   2 x 200 children, visits 3/6/12, monotone dropout, made here (fixed seed)
# Each is fitted again and again for about [seconds] seconds (default 20).
# Run from the repository root: Rscript bench/r_mmrm.R [seconds]
suppressPackageStartupMessages(library(nlme))
args <- commandArgs(trailingOnly = TRUE)
budget <- if (length(args) >= 1) as.numeric(args[1]) else 20

prepare <- function(d) {
  visits <- sort(unique(d$visit))
  d <- d[!is.na(d$value), ]
  d <- d[order(d$id, d$visit), ]
  d$vidx <- match(d$visit, visits)
  d$visit <- factor(d$visit, levels = visits)
  d$arm <- factor(d$arm, levels = c("control", setdiff(sort(unique(d$arm)), "control")))
  d$id <- factor(d$id, levels = unique(d$id))
  d
}

monotone_2x200 <- function() {
  RNGkind("Mersenne-Twister", "Inversion", "Rejection")
  set.seed(4711)
  n <- 400
  visits <- c(3, 6, 12)
  sd <- c(3, 4, 5)
  corr <- matrix(c(1, 0.6, 0.4, 0.6, 1, 0.7, 0.4, 0.7, 1), 3, 3)
  Sigma <- diag(sd) %*% corr %*% diag(sd)
  arm <- rep(c("control", "treated"), each = n / 2)
  baseline <- rnorm(n, 50, 10)
  mu <- rbind(c(1, 2, 3), c(1.5, 3, 5))[match(arm, c("control", "treated")), ]
  Y <- mu + outer(baseline - 50, c(-0.05, -0.1, -0.15)) + matrix(rnorm(n * 3), n, 3) %*% chol(Sigma)
  last <- sample(1:3, n, replace = TRUE, prob = c(0.1, 0.15, 0.75))  # last visit attended
  Y[col(Y) > last] <- NA
  data.frame(id = rep(seq_len(n), 3), arm = rep(arm, 3), visit = rep(visits, each = n),
             value = as.vector(Y), baseline = rep(baseline, 3))
}

fit_once <- function(d)
  gls(value ~ 0 + visit:arm + visit:baseline, data = d,
      correlation = corSymm(form = ~ vidx | id), weights = varIdent(form = ~ 1 | visit),
      method = "REML",
      control = glsControl(tolerance = 1e-10, msTol = 1e-12, maxIter = 500, msMaxIter = 500,
                           natural = FALSE))

bench <- function(name, d) {
  fit_once(d)  # warm-up
  fits <- 0L
  start <- proc.time()[["elapsed"]]
  repeat {
    fit_once(d)
    fits <- fits + 1L
    elapsed <- proc.time()[["elapsed"]] - start
    if (elapsed >= budget) break
  }
  cat(sprintf("r_mmrm %s seconds_per_fit=%.6g fits=%d\n", name, elapsed / fits, fits))
}

bench("mar_dropout.csv", prepare(read.csv(file.path("tests", "reference", "mmrm", "mar_dropout.csv"))))
bench("monotone_2x200", prepare(monotone_2x200()))
