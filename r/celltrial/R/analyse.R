#' Analyse a trial's own data
#'
#' As `celltrial analyse`: the analysis the simulated trials get, applied to long-format data (one
#' row per child and visit: columns `id`, `arm`, `visit` in months, `value`, `baseline`, and
#' optional covariates; the format `ct_simulate(..., export_trials = K)` writes to `trials.csv`).
#' Analysing an exported trial reproduces that trial's result in the simulation.
#'
#' @param data A data frame, or the path of a CSV file.
#' @param method `"mmrm"` (every visit up to the primary one) or `"ancova"` (the primary visit).
#' @param covariance MMRM: `"unstructured"` (default), `"ar1"`, `"heterogeneous-ar1"`, `"cs"` or
#'   `"toeplitz"`.
#' @param fallback MMRM: structures tried in order when the fit does not converge, or `"none"`.
#' @param df MMRM: `"satterthwaite"` (default), `"kenward-roger"`, `"between-within"` or
#'   `"residual"`.
#' @param estimand `"treatment-policy"` or `"hypothetical"` (a child's visits after its
#'   `event_month` are missing).
#' @param control,arm The control arm and the arm compared with it (defaults: the arm named placebo
#'   or control; the only other arm).
#' @param visit The primary visit in months (default: the last one in the data).
#' @param visits MMRM: average the difference over these visits.
#' @param response The column analysed.
#' @param adjust A stratification factor's column (at most 5 levels).
#' @param trial The trial analysed when a `trial` column holds several.
#' @param alpha Two-sided level of the test and of the 1 - alpha confidence interval.
#' @return A `celltrial_analysis`: a list with `estimate`, `se`, `df`, `t`, `p_value`,
#'   `ci_lower`, `ci_upper` and `covariance` (a matrix over the model's visits); `print()` shows
#'   the command line's table and `as.data.frame()` one row of the comparison.
#' @examples
#' out <- tempfile()
#' ct_simulate(NULL, trials = 1, seed = 4, threads = 1, out = out, export_trials = 1)
#' a <- ct_analyse(file.path(out, "trials.csv"), method = "ancova", response = "change", adjust = "gmfcs")
#' a
#' as.data.frame(a)
#' @export
ct_analyse <- function(data, method = "mmrm", covariance = NULL, fallback = NULL, df = NULL,
                       estimand = "treatment-policy", control = NULL, arm = NULL, visit = NULL, visits = NULL,
                       response = "value", adjust = NULL, trial = NULL, alpha = 0.05) {
  if (is.data.frame(data)) {
    file <- paste0("data frame ", deparse(substitute(data))[1])
    text <- .ct_csv_text(data)
  } else if (is.character(data) && length(data) == 1L) {
    file <- path.expand(data)
    text <- ""
  } else {
    .ct_usage("data", "expected a data frame or the path of a CSV file.")
  }
  chr <- function(x) if (is.null(x)) "" else as.character(x)
  r <- .ct_call("ct_c_analyse", file, text, as.character(method), chr(covariance),
                if (is.null(fallback)) NULL else as.character(fallback), chr(df), as.character(estimand),
                chr(control), chr(arm), if (is.null(visit)) NULL else as.numeric(visit),
                if (is.null(visits)) NULL else as.numeric(visits), as.character(response), chr(adjust),
                if (is.null(trial)) NULL else as.character(trial), as.numeric(alpha))
  res <- r$result
  res$covariance <- do.call(rbind, lapply(res$covariance, as.numeric))
  structure(c(res, list(text = r$text)), class = "celltrial_analysis")
}

#' @export
print.celltrial_analysis <- function(x, ...) {
  cat(x$text)
  invisible(x)
}

#' @export
as.data.frame.celltrial_analysis <- function(x, row.names = NULL, optional = FALSE, ...) {
  as.data.frame(x[c("estimate", "se", "df", "t", "p_value", "ci_lower", "ci_upper")])
}

# A data frame as CSV text that reads back to the same values: numbers with 17 significant
# digits, strings quoted, NA as an empty cell.
.ct_csv_text <- function(data) {
  cells <- lapply(data, function(x) {
    if (is.factor(x)) x <- as.character(x)
    if (is.logical(x)) x <- ifelse(x, "true", "false")
    if (is.numeric(x)) {
      s <- sprintf("%.17g", as.double(x))
    } else {
      s <- paste0("\"", gsub("\"", "\"\"", as.character(x), fixed = TRUE), "\"")
    }
    s[is.na(x)] <- ""
    s
  })
  header <- paste0("\"", gsub("\"", "\"\"", names(data), fixed = TRUE), "\"", collapse = ",")
  paste0(c(header, do.call(paste, c(cells, sep = ","))), "\n", collapse = "")
}

#' Group-sequential boundaries
#'
#' As `celltrial boundaries`: the critical values (Z scale), nominal levels and cumulative alpha
#' spent at each look, and with beta spending the futility bounds. Designs as rpact's
#' `getDesignGroupSequential`.
#'
#' @param looks Number of analyses, the final one included (0: as many as `information`).
#' @param information Information fractions of the looks, increasing, the last 1 (default: equally
#'   spaced).
#' @param boundary `"obrien-fleming"`, `"pocock"`, `"wang-tsiatis"`, `"haybittle-peto"`,
#'   `"spending-obrien-fleming"`, `"spending-pocock"`, `"spending-hsd"` or `"spending-kim-demets"`.
#' @param parameter The boundary's parameter (Wang-Tsiatis Delta, Haybittle-Peto interim value,
#'   HSD gamma, Kim-DeMets rho).
#' @param alpha Overall type I error.
#' @param sides 1 or 2.
#' @param beta_spending Futility bounds by beta spending (one-sided, `spending-*` boundaries):
#'   `"obrien-fleming"`, `"pocock"`, `"hsd"` or `"kim-demets"`; `NULL` for none.
#' @param beta_parameter The beta spending's parameter.
#' @param beta Type II error at which the futility bounds are derived (default 0.2).
#' @param binding Binding futility bounds.
#' @return A data frame of class `celltrial_boundaries`, one row per look (`information`,
#'   `critical`, `nominal_alpha`, `alpha_spent`, and with futility `futility`, `beta_spent`), with
#'   the whole design in the attribute `design`; `print()` shows the command line's table.
#' @examples
#' ct_boundaries(looks = 3, boundary = "spending-obrien-fleming")
#' @export
ct_boundaries <- function(looks = 0, information = NULL, boundary = "obrien-fleming", parameter = NULL, alpha = 0.025,
                          sides = 1, beta_spending = NULL, beta_parameter = NULL, beta = NULL, binding = FALSE) {
  num <- function(x) if (is.null(x)) NULL else as.numeric(x)
  r <- .ct_call("ct_c_boundaries", as.integer(looks), num(information), as.character(boundary), num(parameter),
                as.numeric(alpha), as.integer(sides), if (is.null(beta_spending)) "" else as.character(beta_spending),
                num(beta_parameter), num(beta), isTRUE(binding))
  d <- r$result
  per_look <- c("information", "critical", "nominal_alpha", "alpha_spent", "futility", "beta_spent")
  cols <- lapply(per_look[per_look %in% names(d)], function(k) {
    v <- d[[k]]
    if (is.list(v)) v <- vapply(v, function(x) if (is.null(x)) NA_real_ else as.numeric(x), 0)
    v
  })
  names(cols) <- per_look[per_look %in% names(d)]
  df <- data.frame(look = seq_along(cols$information), cols)
  structure(df, class = c("celltrial_boundaries", "data.frame"), design = d, text = r$text)
}

#' @export
print.celltrial_boundaries <- function(x, ...) {
  cat(attr(x, "text"))
  invisible(x)
}
