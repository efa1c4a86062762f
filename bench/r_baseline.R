# The reference ANCOVA trial (2 x 100, baseline ~ N(50, 10), outcome = 0.9 baseline + 5 +
# 1.5 treated + N(0, 4^2), ANCOVA on baseline, two-sided 0.05) simulated in R with lm(), for
# comparison with bench_trials. Run: Rscript bench/r_baseline.R [trials]
args <- commandArgs(trailingOnly = TRUE)
trials <- if (length(args) >= 1) as.integer(args[1]) else 20000L
set.seed(7492)
n <- 100
treated <- rep(c(0, 1), each = n)
one_trial <- function() {
  baseline <- rnorm(2 * n, 50, 10)
  outcome <- 0.9 * baseline + 5 + 1.5 * treated + rnorm(2 * n, 0, 4)
  fit <- summary(lm(outcome ~ treated + baseline))
  fit$coefficients["treated", "Pr(>|t|)"] < 0.05
}
start <- proc.time()[["elapsed"]]
rejected <- vapply(seq_len(trials), function(i) one_trial(), logical(1))
secs <- proc.time()[["elapsed"]] - start
cat(sprintf("R lm() reference ANCOVA: %d trials in %.2f s = %.0f trials/s; power %.4f (MC SE %.4f)\n",
            trials, secs, trials / secs, mean(rejected), sqrt(mean(rejected) * (1 - mean(rejected)) / trials)))
