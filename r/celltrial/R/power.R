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
