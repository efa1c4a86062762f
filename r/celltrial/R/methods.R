#' Print, summarise and tabulate celltrial results
#'
#' `print()` and `summary()` show the table the command line prints; `as.data.frame()` gives the
#' result's tidy table (each estimate followed by its `_mc_se` column).
#'
#' @param x,object A result of [ct_simulate()], [ct_sweep()] or [ct_study()].
#' @param row.names,optional Ignored (the table has its own columns).
#' @param ... Ignored.
#' @name celltrial-methods
#' @return `print()` and `summary()`: the result, invisibly; `as.data.frame()`: a data frame.
#' @examples
#' r <- ct_simulate(ct_default(), trials = 200, seed = 2, threads = 1)
#' summary(r)
#' head(as.data.frame(r), 2)
NULL

#' @rdname celltrial-methods
#' @export
print.celltrial_simulation <- function(x, ...) {
  cat(x$text)
  invisible(x)
}

#' @rdname celltrial-methods
#' @export
print.celltrial_sweep <- print.celltrial_simulation

#' @rdname celltrial-methods
#' @export
print.celltrial_study <- print.celltrial_simulation

#' @rdname celltrial-methods
#' @export
summary.celltrial_simulation <- function(object, ...) print(object)

#' @rdname celltrial-methods
#' @export
summary.celltrial_sweep <- summary.celltrial_simulation

#' @rdname celltrial-methods
#' @export
summary.celltrial_study <- summary.celltrial_simulation

#' @rdname celltrial-methods
#' @export
as.data.frame.celltrial_simulation <- function(x, row.names = NULL, optional = FALSE, ...) x$table

#' @rdname celltrial-methods
#' @export
as.data.frame.celltrial_sweep <- as.data.frame.celltrial_simulation

#' @rdname celltrial-methods
#' @export
as.data.frame.celltrial_study <- as.data.frame.celltrial_simulation

#' Which celltrial the package links
#'
#' @return A list: `version` and `git_commit` of the linked library, `prefix` (where it was
#'   installed), `program` (the command-line program there, `NA` when absent).
#' @examples
#' ct_about()$version
#' @export
ct_about <- function() {
  a <- .ct_call("ct_c_about")
  program <- file.path(a$prefix, "bin", "celltrial")
  a$program <- if (nzchar(a$prefix) && file.exists(program)) program else NA_character_
  a
}

#' Read a CSV file celltrial wrote
#'
#' Reads a table of a results folder (`summary.csv`, `sweep.csv`, `enrichment.csv`,
#' `tornado.csv`, ...) as a data frame, every number exactly as written: a column whose cells are
#' all numbers (or empty) is numeric, any other is character.
#'
#' @param file The CSV file.
#' @return A data frame.
#' @examples
#' out <- tempfile()
#' ct_simulate(NULL, trials = 100, seed = 1, threads = 1, out = out)
#' head(ct_read_csv(file.path(out, "summary.csv")), 3)
#' @export
ct_read_csv <- function(file) .ct_call("ct_c_read_csv", path.expand(file))
