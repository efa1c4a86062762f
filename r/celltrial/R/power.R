#' Closed-form power, sample size or detectable difference
#'
#' As `celltrial power` without a scenario: for every effect, target power and total sample size
#' given, the total sample size for the power (`power`), the power at a sample size (`n`), or the
#' detectable difference (both), with assurance under a prior.
#'
#' @param delta Differences active - control in outcome units (with `sd`); one row each.
#' @param smd Standardised differences instead of `delta` and `sd`.
#' @param sd The outcome's standard deviation.
#' @param power Target powers: solve the sample size.
#' @param n Total analysable sample sizes: solve the power.
#' @param test `"t"`, `"normal"`, `"ancova"`, `"ancova-exact"`, `"mmrm"` or `"mmrm-normal"`.
#' @param alpha Overall type I error.
#' @param sides 1 or 2.
#' @param allocation Active participants per control participant.
#' @param rho Baseline-outcome correlation (ANCOVA).
#' @param dropout Share not analysable; randomised numbers are inflated by it.
#' @param retention MMRM: retention at each visit, e.g. `c(0.97, 0.93, 0.9)`.
#' @param corr MMRM: AR(1) correlation between visits.
#' @param prior A prior on the effect for assurance, e.g. `"normal(1.42, 0.56)"`.
#' @return A data frame of class `celltrial_power`, one row per combination, with the columns of
#'   `celltrial power --json`; `print()` shows the command line's table.
#' @examples
#' ct_power(delta = 1.42, sd = 6.1, power = 0.8, test = "ancova", rho = 0.8)
#' curve <- ct_power(delta = 1.42, sd = 6.1, n = seq(100, 600, by = 100), test = "ancova", rho = 0.8)
#' curve[, c("n_total", "power")]
#' @export
ct_power <- function(delta = NULL, smd = NULL, sd = 1, power = NULL, n = NULL, test = "t", alpha = 0.05, sides = 2,
                     allocation = 1, rho = 0, dropout = 0, retention = NULL, corr = 0, prior = NULL) {
  num <- function(x, what) {
    if (!is.null(x) && (!is.numeric(x) || anyNA(x))) .ct_usage(what, "expected numbers.")
    if (is.null(x)) NULL else as.numeric(x)
  }
  one <- function(x, what) {
    if (!is.numeric(x) || length(x) != 1L || is.na(x)) .ct_usage(what, "expected one number.")
    as.numeric(x)
  }
  r <- .ct_call("ct_c_power", num(delta, "delta"), num(smd, "smd"), one(sd, "sd"), num(power, "power"), num(n, "n"),
                as.character(test), one(alpha, "alpha"), as.integer(one(sides, "sides")),
                one(allocation, "allocation"), one(rho, "rho"), one(dropout, "dropout"),
                num(retention, "retention"), one(corr, "corr"), if (is.null(prior)) "" else as.character(prior))
  df <- .ct_rows_to_df(r$rows)
  structure(df, class = c("celltrial_power", "data.frame"), text = r$text)
}

# JSON rows (a list of named lists) as a data frame: one column per key in order of first
# appearance; nested values (a group-sequential design's per-look lists) become list columns.
.ct_rows_to_df <- function(rows) {
  keys <- unique(unlist(lapply(rows, names)))
  cols <- lapply(keys, function(k) {
    vals <- lapply(rows, function(r) r[[k]])
    scalar <- vapply(vals, function(v) is.null(v) || (is.atomic(v) && length(v) == 1L), TRUE)
    if (!all(scalar)) return(I(vals))
    vals[vapply(vals, is.null, TRUE)] <- NA
    unlist(vals)
  })
  names(cols) <- keys
  as.data.frame(cols, stringsAsFactors = FALSE, optional = TRUE)
}

#' @export
print.celltrial_power <- function(x, ...) {
  cat(attr(x, "text"))
  invisible(x)
}

#' Simulated sample size of a scenario
#'
#' As `celltrial power SCENARIO --target P`: the smallest total sample size whose simulated power
#' reaches `target` with one-sided confidence `confidence`, found by a search over N on common
#' random numbers (a normal-approximation start from a pilot, then rounds of simulations with more
#' trials near the crossing). With an effect prior (`prior`, or the scenario's own) the assurance at
#' the chosen N is reported as well.
#'
#' @inheritParams ct_simulate
#' @param target The power to reach.
#' @param confidence One-sided confidence that the power at the chosen N is at least `target`.
#' @param trials Trials per candidate N in the first round.
#' @param max_trials Trials per candidate N at most.
#' @param n_max The largest total N considered.
#' @param prior A prior on the first active arm's effect, e.g. `"normal(1.42, 0.56)"`; `NULL`: the
#'   scenario's own, if any.
#' @param out A folder for the results (`power_curve.csv`, `.json`, the plot, `scenario.yaml`);
#'   `NULL` writes nothing.
#' @return A `celltrial_sample_size`: `n_total` (the chosen N), `reached`, `curve` (a data frame of
#'   the simulated power at each N tried, with its MC SE and 95 % interval), `result` (all of
#'   `power_curve.json`, with the assurance when there is a prior) and `out`; `print()` shows the
#'   command line's table.
#' @examples
#' \donttest{
#' ss <- ct_sample_size(NULL, target = 0.8, trials = 500, max_trials = 2000)
#' ss$n_total
#' ss$curve
#' }
#' @export
ct_sample_size <- function(scenario = NULL, target = 0.8, confidence = 0.95, trials = 2000, max_trials = 64000,
                           n_max = 20000, prior = NULL, set = list(), threads = 0L, out = NULL,
                           progress = interactive()) {
  src <- .ct_source(scenario)
  dir <- .ct_out(out)
  on.exit(dir$done(), add = TRUE)
  one <- function(x, what) {
    if (!is.numeric(x) || length(x) != 1L || is.na(x)) .ct_usage(what, "expected one number.")
    as.numeric(x)
  }
  r <- .ct_call("ct_c_sample_size", src$file, src$text, .ct_sets(set), if (is.null(prior)) "" else as.character(prior),
                one(target, "target"), one(confidence, "confidence"), .ct_count(trials), .ct_count(max_trials),
                .ct_count(n_max), .ct_threads(threads), dir$path, isTRUE(progress))
  .ct_messages(r)
  structure(list(n_total = r$result$n_total, reached = r$result$reached,
                 curve = ct_read_csv(file.path(r$out, "power_curve.csv")), result = r$result, text = r$text,
                 out = if (!is.null(out)) r$out),
            class = "celltrial_sample_size")
}

#' @export
print.celltrial_sample_size <- function(x, ...) {
  cat(x$text)
  invisible(x)
}
