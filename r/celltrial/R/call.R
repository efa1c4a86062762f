# Calls into the compiled bridge (src/celltrial.cpp). An error record from C++ becomes an R
# condition of class c("celltrial_<kind>", "celltrial_error", "error", "condition") carrying the
# located messages, the exit code the command line would give, and its kind: "data" (a bad
# scenario value), "usage" (a bad argument), "no_input" (a file that cannot be read), "io"
# (results that cannot be written), "interrupted" or "software" (a bug).
.ct_call <- function(name, ...) {
  r <- .Call(name, ...)
  if (inherits(r, "celltrial_error_record")) .ct_signal(r)
  r
}

.ct_signal <- function(r) {
  msg <- paste(r$messages, collapse = "\n")
  cond <- structure(
    class = c(paste0("celltrial_", r$kind), "celltrial_error", "error", "condition"),
    list(message = msg, call = sys.call(-2), kind = r$kind, code = r$code, messages = r$messages)
  )
  stop(cond)
}

# Passes on the service's notes ("continuing from ...") as R messages.
.ct_messages <- function(r) {
  for (m in r$messages) message(m)
  invisible(r)
}

# A bad argument, raised as the bridge raises it (class celltrial_usage).
.ct_usage <- function(argument, problem, fix = NULL) {
  .ct_signal(list(kind = "usage", code = 64L,
                  messages = paste0("argument (", argument, "): error: ", problem,
                                    if (!is.null(fix)) paste0(" Fix: ", fix) else "")))
}
