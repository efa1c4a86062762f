#' Run a scenario on a Slurm cluster, and read any results folder
#'
#' `ct_slurm()` writes a job folder as `celltrial slurm` does: a job array whose task K runs shard K
#' of `shards` of the run with the installed `celltrial` program, a merge job that starts when every
#' task has succeeded, and `submit.sh`, which submits both (`system2("sh", job$submit)` from R, or
#' `sh submit.sh` on the cluster). The merged `results/` folder holds the very `summary.json` one
#' unsharded run gives; `ct_read_results()` reads it (or any results folder of `celltrial
#' simulate` or `merge`) as [ct_simulate()] returns a run.
#'
#' @inheritParams ct_simulate
#' @param shards Number of shards, one array task each.
#' @param cpus CPUs (threads) per array task.
#' @param partition,time,account Slurm's partition, time limit per task (`"2:00:00"`) and account;
#'   `NULL`: the cluster's defaults.
#' @param out The job folder (default: `results/<scenario name>-slurm/` under the working folder).
#' @param program The `celltrial` program the jobs run, as the compute nodes see it (default: the
#'   one installed beside the library this package links).
#' @return `ct_slurm()`: a list with the job folder `dir`, the `submit` script, `shards` and
#'   `trials`. `ct_read_results()`: a `celltrial_simulation`.
#' @examples
#' job <- ct_slurm(NULL, trials = 1000, shards = 4, out = tempfile("job-"))
#' basename(list.files(job$dir))
#' \dontrun{
#' system2("sh", job$submit)                 # on the cluster's login node
#' r <- ct_read_results(file.path(job$dir, "results"))
#' }
#' @export
ct_slurm <- function(scenario = NULL, shards, trials = NULL, seed = NULL, set = list(), cpus = 1L, partition = NULL,
                     time = NULL, account = NULL, out = NULL, program = NULL) {
  src <- .ct_source(scenario)
  if (is.null(program)) {
    program <- ct_about()$program
    if (is.na(program)) program <- "celltrial"
  }
  chr <- function(x) if (is.null(x)) "" else as.character(x)
  r <- .ct_call("ct_c_slurm", src$file, src$text, .ct_sets(set), .ct_count(trials), .ct_count(seed),
                .ct_count(shards), .ct_threads(cpus), chr(partition), chr(time), chr(account), chr(out),
                as.character(program))
  r
}

#' @rdname ct_slurm
#' @param folder A results folder (holding `summary.json` and `run.json`).
#' @export
ct_read_results <- function(folder) {
  r <- .ct_call("ct_c_read_results", path.expand(folder))
  structure(list(table = r$table, summary = r$summary, run = r$run, text = r$text, out = r$out),
            class = "celltrial_simulation")
}
