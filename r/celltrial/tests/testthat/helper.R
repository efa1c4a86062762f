# The leaves of a nested result (lists from celltrial or from jsonlite), each as "path = value",
# numbers as doubles and JSON null as NA, so that two readings of the same JSON compare exactly.
leaves <- function(x, path = "") {
  if (is.null(x)) return(stats::setNames(list(NA), path))
  if (is.list(x) || length(x) != 1L) {
    if (length(x) == 0L) return(stats::setNames(list(if (is.list(x)) "{}" else "[]"), path))
    nm <- names(x)
    out <- list()
    for (i in seq_along(x)) {
      key <- if (!is.null(nm) && nzchar(nm[i])) paste0(path, "/", nm[i]) else paste0(path, "/", i)
      out <- c(out, leaves(if (is.list(x)) x[[i]] else unname(x[i]), key))
    }
    return(out)
  }
  v <- unclass(x)
  if (is.numeric(v)) v <- as.double(v)
  stats::setNames(list(v), path)
}

program <- function() {
  p <- ct_about()$program
  if (is.na(p)) skip("the celltrial program is not installed beside the library")
  p
}

run_program <- function(args) {
  out <- suppressWarnings(system2(program(), args, stdout = TRUE, stderr = TRUE))
  status <- attr(out, "status")
  list(status = if (is.null(status)) 0L else status, output = out)
}
