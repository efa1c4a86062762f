test_that("Ctrl-C stops a long run with a condition, writes nothing, and the session goes on", {
  skip_if_not_installed("processx")
  skip_on_os("windows")
  out <- tempfile("interrupted-")
  script <- tempfile(fileext = ".R")
  writeLines(c(
    "library(celltrial)",
    sprintf("out <- '%s'", out),
    "r <- tryCatch(ct_simulate(NULL, trials = 1e9, seed = 1, threads = 1, progress = TRUE, out = out),",
    "              celltrial_interrupted = function(e) { cat('interrupted, code', e$code, '\\n'); NULL })",
    "cat('summary written:', file.exists(file.path(out, 'summary.json')), '\\n')",
    "cat('still running:', ct_simulate(NULL, trials = 10, seed = 1, threads = 1)$summary$trials, '\\n')"
  ), script)
  lib <- paste(.libPaths(), collapse = ":")
  p <- processx::process$new(file.path(R.home("bin"), "Rscript"), script, stdout = "|", stderr = "|",
                             env = c("current", R_LIBS = lib))
  # Wait until the run reports progress (it is then certainly running), then press Ctrl-C.
  err <- ""
  while (p$is_alive() && !grepl("celltrial \\[", err)) {
    p$poll_io(10000)
    err <- paste0(err, p$read_error())
  }
  expect_true(p$is_alive())
  p$interrupt()
  p$wait(60000)
  output <- paste(p$read_all_output_lines(), collapse = "\n")
  expect_match(output, "interrupted, code 130")
  expect_match(output, "summary written: FALSE")
  expect_match(output, "still running: 10")
})
