# Writes the MMRM reference datasets of this folder (README.md). Deterministic; needs only base R.
# Run from the repository root: Rscript tests/reference/mmrm/make_data.R
#   ucb_trial.csv    one simulated trial of results/longitudinal_ucb/trials.csv, reduced to
#                    id,arm,visit,value,baseline,gmfcs (value := change from baseline; empty when the
#                    visit was not observed; every scheduled visit has a row)
#   mar_dropout.csv  2 x 120, visits 3/6/12, MAR monotone dropout + 5 % missed visits (rows absent)
#   complete.csv     2 x 60, visits 3/6/12, nothing missing
#   three_arms.csv   3 x 50, visits 3/6/9/12, MCAR dropout, gmfcs I/II/III (rows present, value empty)
#   small.csv        2 x 15, visits 3/6/12, heavy MAR dropout, 10 % missed visits (rows absent)
RNGkind("Mersenne-Twister", "Inversion", "Rejection")
out_dir <- file.path("tests", "reference", "mmrm")
stopifnot(dir.exists(out_dir))

fmt <- function(x) ifelse(is.na(x), "", sprintf("%.4f", x))

write_long <- function(d, file, keep_missing_rows) {
  if (!keep_missing_rows) d <- d[!is.na(d$value), ]
  d <- d[order(d$id, d$visit), ]
  out <- data.frame(id = d$id, arm = d$arm, visit = d$visit, value = fmt(d$value),
                    baseline = fmt(d$baseline))
  if (!is.null(d$gmfcs)) out$gmfcs <- d$gmfcs
  write.csv(out, file.path(out_dir, file), row.names = FALSE, quote = FALSE)
}

cov_from <- function(sd, corr) diag(sd) %*% corr %*% diag(sd)

# One dataset: n children per arm; change = arm-and-visit mean + baseline slope x (baseline - 50)
# + gmfcs shift + multivariate normal error; then missingness.
#   dropout(prev) is the probability of leaving before a visit (from the second on) given the last
#   observed change before it (NA when none was observed); missed is the chance of missing a visit
#   while still in the study.
simulate <- function(arms, n, visits, mean_change, slope, Sigma, dropout, missed,
                     gmfcs_levels = NULL, gmfcs_shift = NULL) {
  V <- length(visits)
  A <- length(arms)
  N <- A * n
  arm <- rep(arms, each = n)
  baseline <- rnorm(N, 50, 10)
  gmfcs <- if (is.null(gmfcs_levels)) NULL else sample(gmfcs_levels, N, replace = TRUE)
  E <- matrix(rnorm(N * V), N, V) %*% chol(Sigma)
  Y <- matrix(NA_real_, N, V)
  for (i in seq_len(N)) {
    a <- match(arm[i], arms)
    shift <- if (is.null(gmfcs)) 0 else gmfcs_shift[match(gmfcs[i], gmfcs_levels)]
    Y[i, ] <- mean_change[a, ] + slope * (baseline[i] - 50) + shift + E[i, ]
  }
  U_drop <- matrix(runif(N * V), N, V)
  U_miss <- matrix(runif(N * V), N, V)
  for (i in seq_len(N)) {
    last <- NA_real_
    for (k in seq_len(V)) {
      if (k >= 2 && U_drop[i, k] < dropout(last)) {
        Y[i, k:V] <- NA_real_
        break
      }
      if (U_miss[i, k] < missed) Y[i, k] <- NA_real_ else last <- Y[i, k]
    }
  }
  d <- data.frame(id = rep(seq_len(N), times = V), arm = rep(arm, times = V),
                  visit = rep(visits, each = N), value = as.vector(Y),
                  baseline = rep(baseline, times = V))
  if (!is.null(gmfcs)) d$gmfcs <- rep(gmfcs, times = V)
  d
}

corr3 <- matrix(c(1, 0.6, 0.4,
                  0.6, 1, 0.7,
                  0.4, 0.7, 1), 3, 3)
Sigma3 <- cov_from(c(3, 4, 5), corr3)
mean3 <- rbind(control = c(1, 2, 3), treated = c(1.5, 3, 5))  # treated effect 0.5, 1, 2
slope3 <- c(-0.05, -0.1, -0.15)
# Missing at random: the lower the last observed change, the likelier the child leaves.
mar <- function(last) if (is.na(last)) 0.15 else plogis(-2.2 - 0.35 * (last - 2))

set.seed(20240311)
write_long(simulate(c("control", "treated"), 120, c(3, 6, 12), mean3, slope3, Sigma3,
                    dropout = mar, missed = 0.05),
           "mar_dropout.csv", keep_missing_rows = FALSE)

set.seed(20240312)
write_long(simulate(c("control", "treated"), 60, c(3, 6, 12), mean3, slope3, Sigma3,
                    dropout = function(last) 0, missed = 0),
           "complete.csv", keep_missing_rows = FALSE)

set.seed(20240313)
corr4 <- matrix(c(1, 0.7, 0.5, 0.35,
                  0.7, 1, 0.65, 0.5,
                  0.5, 0.65, 1, 0.75,
                  0.35, 0.5, 0.75, 1), 4, 4)
mean4 <- rbind(placebo = c(1, 1.8, 2.5, 3),
               low = c(1.2, 2.3, 3.3, 4),
               high = c(1.5, 2.8, 4.1, 5.2))
write_long(simulate(c("placebo", "low", "high"), 50, c(3, 6, 9, 12), mean4, c(-0.05, -0.08, -0.1, -0.12),
                    cov_from(c(3, 3.5, 4, 5), corr4),
                    dropout = function(last) 0.08, missed = 0.03,
                    gmfcs_levels = c("I", "II", "III"), gmfcs_shift = c(0, -1, -2.5)),
           "three_arms.csv", keep_missing_rows = TRUE)

# Heavy MAR dropout and 10 % missed visits in a small trial: Kenward-Roger's standard error is
# about 3 % above the unadjusted one.
set.seed(20240314)
mar_heavy <- function(last) if (is.na(last)) 0.3 else plogis(-0.6 - 0.35 * (last - 2))
write_long(simulate(c("control", "treated"), 15, c(3, 6, 12), mean3, slope3, Sigma3,
                    dropout = mar_heavy, missed = 0.10),
           "small.csv", keep_missing_rows = FALSE)

# The simulated UCB trial, kept as written by celltrial (the numbers are copied as text).
ucb <- read.csv(file.path("results", "longitudinal_ucb", "trials.csv"), colClasses = "character")
stopifnot(length(unique(ucb$trial)) == 1)
ucb <- ucb[order(as.integer(ucb$id), as.numeric(ucb$visit)), ]
ucb_out <- data.frame(id = ucb$id, arm = ucb$arm, visit = ucb$visit,
                      value = ifelse(ucb$status == "observed", ucb$change, ""),
                      baseline = ucb$baseline, gmfcs = ucb$gmfcs)
write.csv(ucb_out, file.path(out_dir, "ucb_trial.csv"), row.names = FALSE, quote = FALSE)
