#' Scenarios as R lists
#'
#' A celltrial scenario is a YAML file (see the scenario reference in celltrial's `docs/`). In R it
#' is a nested list of class `celltrial_scenario`: YAML mappings are named lists, lists of plain
#' values are vectors marked [I()] (so that a one-element list stays a list when written back), and
#' other lists are unnamed lists. Change a value with `$<-` as with any list.
#'
#' `ct_default()` gives the built-in default scenario (the program's `scenarios/default.yaml`).
#' `ct_scenario()` reads a scenario file, or a scenario shipped with celltrial by its name (e.g.
#' `"responder_sensitivity"`). `ct_write()` writes a scenario as YAML; `ct_validate()` checks it as
#' `celltrial validate` does and returns it fully resolved (every default filled in);
#' `ct_show()` prints the resolved scenario with the origin of every value.
#'
#' @param file A scenario file, or the name of a shipped scenario (see [ct_scenarios()]).
#' @return A `celltrial_scenario`.
#' @seealso [ct_simulate()] to run one.
#' @examples
#' sc <- ct_default()
#' sc$design$sample_size
#' sc$design$sample_size <- 300
#' ct_validate(sc)$design$sample_size
#' # A mistake is an R error with the command line's message:
#' sc$design$sample_sise <- 300
#' try(ct_validate(sc))
#' @export
ct_scenario <- function(file) {
  if (!is.character(file) || length(file) != 1L || is.na(file))
    .ct_usage("file", "expected the path of a scenario file or a shipped scenario's name.",
              "e.g. ct_scenario(\"my_trial.yaml\") or ct_scenario(\"responder_sensitivity\").")
  path <- .ct_find_scenario(file)
  text <- paste(readLines(path, warn = FALSE, encoding = "UTF-8"), collapse = "\n")
  .ct_as_scenario(.ct_call("ct_c_yaml_to_list", text, path), path)
}

#' @rdname ct_scenario
#' @export
ct_default <- function() {
  .ct_as_scenario(.ct_call("ct_c_yaml_to_list", .ct_call("ct_c_default_text"), "scenarios/default.yaml (built in)"),
                  "scenarios/default.yaml (built in)")
}

#' @rdname ct_scenario
#' @return `ct_scenarios()`: the shipped scenarios, a named vector of their paths.
#' @export
ct_scenarios <- function() {
  dir <- file.path(ct_about()$prefix, "share", "celltrial", "scenarios")
  files <- list.files(dir, pattern = "\\.yaml$", recursive = TRUE, full.names = TRUE)
  stats::setNames(files, sub("\\.yaml$", "", basename(files)))
}

.ct_find_scenario <- function(file) {
  if (file.exists(file)) return(normalizePath(file))
  shipped <- ct_scenarios()
  if (!grepl("[/\\\\]", file) && sub("\\.yaml$", "", file) %in% names(shipped))
    return(unname(shipped[sub("\\.yaml$", "", file)]))
  near <- names(shipped)[utils::adist(sub("\\.yaml$", "", basename(file)), names(shipped)) <= 3]
  .ct_signal(list(kind = "no_input", code = 66L, messages = paste0(
    file, ": error: no such file, and no shipped scenario has this name.",
    if (length(near)) paste0(" Did you mean \"", near[1], "\"?") else "",
    " Fix: give a path, or one of ct_scenarios()'s names.")))
}

.ct_as_scenario <- function(x, source) {
  structure(x, class = c("celltrial_scenario", "list"), source = source)
}

#' @rdname ct_scenario
#' @param scenario A scenario: a `celltrial_scenario` or any list of the same shape, the path of a
#'   scenario file, or `NULL` for the built-in default.
#' @param file_out Where to write the YAML; `NULL` returns it as a string.
#' @export
ct_write <- function(scenario, file_out = NULL) {
  text <- .ct_yaml(scenario)
  if (is.null(file_out)) return(text)
  tmp <- paste0(file_out, ".tmp", Sys.getpid())
  writeLines(text, tmp, sep = "", useBytes = TRUE)
  if (!file.rename(tmp, file_out)) {
    unlink(tmp)
    .ct_signal(list(kind = "io", code = 74L, messages = paste0(file_out, ": error: cannot write the scenario here.")))
  }
  invisible(file_out)
}

#' @rdname ct_scenario
#' @param set Values to change, as `--set` does on the command line: a named list such as
#'   `list("analysis.alpha" = 0.025, "arms.ucb.effect_by_month.12" = 2)`.
#' @export
ct_validate <- function(scenario = NULL, set = list()) {
  src <- .ct_source(scenario)
  r <- .ct_call("ct_c_validate", src$file, src$text, .ct_sets(set))
  invisible(.ct_as_scenario(.ct_call("ct_c_yaml_to_list", r$yaml, r$name), paste0(src$name, " (resolved)")))
}

#' @rdname ct_scenario
#' @export
ct_show <- function(scenario = NULL, set = list()) {
  src <- .ct_source(scenario)
  r <- .ct_call("ct_c_validate", src$file, src$text, .ct_sets(set))
  cat(r$annotated)
  invisible(r$annotated)
}

#' @export
print.celltrial_scenario <- function(x, ...) {
  cat("# celltrial scenario from ", attr(x, "source"), "\n", .ct_yaml(x), sep = "")
  invisible(x)
}

.ct_yaml <- function(scenario) {
  if (!is.list(scenario))
    .ct_usage("scenario", "expected a scenario list (ct_scenario(), ct_default()).")
  x <- unclass(scenario)
  attr(x, "source") <- NULL
  .ct_call("ct_c_list_to_yaml", x, "scenario")
}

# What the services take: a file (with its own line numbers in messages), the YAML text of a
# list (messages then name the list and point into ct_write(scenario)'s text), or neither.
.ct_source <- function(scenario) {
  if (is.null(scenario)) return(list(file = "", text = "", name = "scenarios/default.yaml (built in)"))
  if (is.character(scenario) && length(scenario) == 1L) {
    path <- .ct_find_scenario(scenario)
    return(list(file = path, text = "", name = path))
  }
  if (!is.list(scenario))
    .ct_usage("scenario", paste0("expected a scenario list, a file name or NULL, not a ", class(scenario)[1], "."),
              "e.g. ct_default(), ct_scenario(\"my_trial.yaml\") or \"my_trial.yaml\".")
  from <- attr(scenario, "source")
  name <- if (is.null(from)) "scenario list" else paste0("scenario list from ", from)
  list(file = name, text = .ct_yaml(scenario), name = name)
}

# set = list(key = value) as "key=value" strings for --set; values written as YAML on one line.
.ct_sets <- function(set) {
  if (is.null(set) || length(set) == 0L) return(character())
  if (is.character(set) && is.null(names(set))) return(set)  # already "key=value"
  if (!is.list(set) && !is.vector(set)) .ct_usage("set", "expected a named list, e.g. list(\"analysis.alpha\" = 0.025).")
  keys <- names(set)
  if (is.null(keys) || any(is.na(keys) | keys == ""))
    .ct_usage("set", "every value needs its key path as its name.", "e.g. list(\"analysis.alpha\" = 0.025).")
  vapply(seq_along(set), function(i) {
    paste0(keys[i], "=", .ct_call("ct_c_flow_yaml", set[[i]], paste0("set$`", keys[i], "`")))
  }, "")
}
