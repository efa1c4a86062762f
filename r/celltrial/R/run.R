#' Simulate a scenario's trials
#'
#' Runs `trials` simulated trials of the scenario, as `celltrial simulate` does, and returns every
#' operating characteristic with its Monte Carlo standard error. The numbers are those the command
#' line writes to `summary.json` for the same scenario, seed and trial count, whatever `threads` is.
#'
#' Long runs show a progress bar (`progress`) and stop when you press Esc or Ctrl-C: the call then
#' raises a `celltrial_interrupted` condition and writes no results.
#'
#' @param scenario A scenario list ([ct_default()], [ct_scenario()]), a file, or `NULL` for the
#'   built-in default.
#' @param trials,seed The number of trials and the seed; `NULL` keeps the scenario's
#'   `simulation.trials` and `simulation.seed`. A seed above 2^53 can be given as a string of digits.
#' @param set Values to change, as `--set` does: a named list of key paths, e.g.
#'   `list("design.sample_size" = 150)`.
#' @param threads Worker threads; 0 uses every core. Results do not depend on it.
#' @param out A folder to write the results folder to (`summary.json`, `summary.csv`, `run.json`,
#'   `scenario.yaml`, `report.html`), as the command line does; `NULL` writes nothing.
#' @param progress Show a progress bar.
#' @param export_trials Also write `trials.csv` with the first `export_trials` trials (needs `out`).
#' @return A `celltrial_simulation`: a list with `table` (a data frame, one row per comparison and
#'   subgroup, each estimate followed by its `_mc_se` column), `summary` (all of `summary.json`),
#'   `run` (`run.json`: provenance and the resolved scenario) and `out`. `print()` shows the
#'   command line's table and `as.data.frame()` gives `table`.
#' @examples
#' r <- ct_simulate(ct_default(), trials = 500, seed = 1, threads = 1)
#' r
#' as.data.frame(r)[, c("comparison", "power", "power_mc_se")]
#' @export
ct_simulate <- function(scenario = NULL, trials = NULL, seed = NULL, set = list(), threads = 0L, out = NULL,
                        progress = interactive(), export_trials = 0) {
  src <- .ct_source(scenario)
  if (export_trials > 0 && is.null(out))
    .ct_usage("export_trials", "trials.csv goes into the results folder, and out is NULL.", "give out = \"a folder\".")
  dir <- .ct_out(out)
  on.exit(dir$done(), add = TRUE)
  r <- .ct_call("ct_c_simulate", src$file, src$text, .ct_sets(set), .ct_count(trials), .ct_count(seed),
                .ct_threads(threads), dir$path, isTRUE(progress), .ct_count(export_trials))
  .ct_messages(r)
  structure(list(table = r$table, summary = r$summary, run = r$run, text = r$text, out = if (!is.null(out)) r$out),
            class = "celltrial_simulation")
}

#' Sweep a scenario over a grid of assumptions
#'
#' Simulates the scenario at every point of a grid, on common random numbers, as `celltrial sweep`
#' does: the axes are the scenario's own `sweep` section plus `sweep`.
#'
#' @inheritParams ct_simulate
#' @param sweep A named list of the values each key path takes, e.g.
#'   `list("arms.ucb.effect_by_month.12" = c(1, 1.5, 2))`.
#' @param zip Take the axes' values in step instead of every combination.
#' @param max_hours Refuse a sweep estimated to take longer than this.
#' @param trials Trials per grid point (`NULL`: the scenario's).
#' @param seed The seed (`NULL`: the scenario's); every point uses it (common random numbers).
#' @return A `celltrial_sweep`: `table` (a data frame, one row per grid point and comparison, the
#'   swept keys first, each estimate followed by its `_mc_se` column), `rows` (each point's values
#'   and `summary.json`), `run` and `out`.
#' @examples
#' s <- ct_sweep(ct_default(), sweep = list("design.sample_size" = c(100, 200)), trials = 200, seed = 1,
#'               threads = 1)
#' s$table[, c("design.sample_size", "power", "power_mc_se")]
#' @export
ct_sweep <- function(scenario = NULL, sweep = list(), zip = FALSE, trials = NULL, seed = NULL, set = list(),
                     threads = 0L, out = NULL, max_hours = 1, progress = interactive()) {
  src <- .ct_source(scenario)
  dir <- .ct_out(out)
  on.exit(dir$done(), add = TRUE)
  r <- .ct_call("ct_c_sweep", src$file, src$text, .ct_sets(set), .ct_sweeps(sweep), isTRUE(zip), .ct_count(trials),
                .ct_count(seed), .ct_threads(threads), dir$path, as.numeric(max_hours), isTRUE(progress))
  .ct_messages(r)
  structure(list(table = r$table, rows = r$rows, run = r$run, text = r$text, out = if (!is.null(out)) r$out),
            class = "celltrial_sweep")
}

#' Run a scenario's sensitivity study
#'
#' Everything a scenario declares for a sensitivity study, as `celltrial study` does: the base run
#' with its subgroups and multiplicity, the enrichment table (the sample size each enrolment
#' strategy needs for the target power), the tornado (power at each end of each assumption's range)
#' and the sweep.
#'
#' @inheritParams ct_simulate
#' @param trials Trials per simulated variant (`NULL`: the scenario's).
#' @param seed The seed (`NULL`: the scenario's).
#' @param max_hours Refuse a study estimated to take longer than this.
#' @param search_trials First-round trials per candidate N of the enrichment search (`NULL`: 2000).
#' @param out A folder for the whole results folder with its figures and `report.html`; `NULL`
#'   writes nothing.
#' @return A `celltrial_study`: `table` (the base run, as [ct_simulate()]'s), `enrichment`,
#'   `tornado` and `sweep` (data frames, or `NULL` when the scenario has no such section), `summary`
#'   and `out`.
#' @examples
#' \donttest{
#' st <- ct_study("responder_sensitivity", trials = 400, search_trials = 400, threads = 1)
#' st$enrichment[, c("strategy", "n_total", "power", "power_mc_se")]
#' }
#' @export
ct_study <- function(scenario = NULL, trials = NULL, seed = NULL, set = list(), threads = 0L, out = NULL,
                     max_hours = 1, search_trials = NULL, progress = interactive()) {
  src <- .ct_source(scenario)
  dir <- .ct_out(out)
  on.exit(dir$done(), add = TRUE)
  r <- .ct_call("ct_c_study", src$file, src$text, .ct_sets(set), .ct_count(trials), .ct_count(seed),
                .ct_threads(threads), dir$path, as.numeric(max_hours), .ct_count(search_trials), isTRUE(progress))
  .ct_messages(r)
  for (n in r$notes) message(n)
  read <- function(f) {
    p <- file.path(r$out, f)
    if (file.exists(p)) ct_read_csv(p)
  }
  res <- structure(list(table = r$table, enrichment = r$enrichment, tornado = read("tornado.csv"),
                        sweep = read("sweep.csv"), summary = r$summary,
                        text = paste0(r$text, if (nzchar(r$enrichment_text)) paste0("\n", r$enrichment_text)),
                        out = if (!is.null(out)) r$out),
                   class = "celltrial_study")
  res
}

# The results folder of a call: `out`, or a temporary one removed afterwards (out = NULL).
.ct_out <- function(out) {
  if (!is.null(out)) {
    if (!is.character(out) || length(out) != 1L || is.na(out) || !nzchar(out))
      .ct_usage("out", "expected a folder name, or NULL to write nothing.")
    return(list(path = out, done = function() invisible()))
  }
  path <- tempfile("celltrial-")
  list(path = path, done = function() unlink(path, recursive = TRUE))
}

.ct_count <- function(x) {
  if (is.null(x)) return(NULL)
  if (is.character(x) && length(x) == 1L) return(x)
  if (!is.numeric(x) || length(x) != 1L || is.na(x))
    .ct_usage(deparse(substitute(x)), "expected one whole number.")
  as.numeric(x)
}

.ct_threads <- function(threads) {
  if (!is.numeric(threads) || length(threads) != 1L || is.na(threads) || threads < 0 || threads != round(threads))
    .ct_usage("threads", "expected a whole number of threads, or 0 for every core.")
  as.integer(threads)
}

# sweep = list(key = values) as "key=v1,v2,..." strings for --sweep.
.ct_sweeps <- function(sweep) {
  if (length(sweep) == 0L) return(character())
  if (is.character(sweep) && is.null(names(sweep))) return(sweep)
  keys <- names(sweep)
  if (is.null(keys) || any(is.na(keys) | keys == ""))
    .ct_usage("sweep", "every axis needs its key path as its name.", "e.g. list(\"design.sample_size\" = c(100, 200)).")
  vapply(seq_along(sweep), function(i) {
    v <- sweep[[i]]
    items <- vapply(seq_along(v), function(j) .ct_call("ct_c_flow_yaml", if (is.list(v)) v[[j]] else v[j],
                                                       paste0("sweep$`", keys[i], "`[", j, "]")), "")
    paste0(keys[i], "=", paste(items, collapse = ","))
  }, "")
}
