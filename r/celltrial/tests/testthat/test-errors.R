test_that("a misspelt key in a list gets the located 'did you mean' a file gets", {
  sc <- ct_default()
  names(sc$design)[names(sc$design) == "sample_size"] <- "sample_sise"
  err <- tryCatch(ct_validate(sc), celltrial_error = function(e) e)
  expect_s3_class(err, "celltrial_data")
  expect_identical(err$code, 65L)
  expect_match(conditionMessage(err), "design.sample_sise", fixed = TRUE)
  expect_match(conditionMessage(err), "did you mean 'sample_size'", fixed = TRUE)
  # The same mistake in a file names the file, line and column, as the command line does.
  f <- tempfile(fileext = ".yaml")
  ct_write(sc, f)
  err_file <- tryCatch(ct_simulate(f, trials = 10), celltrial_error = function(e) e)
  expect_match(conditionMessage(err_file), paste0(basename(f), ":[0-9]+:[0-9]+: error: design.sample_sise"))
  if (!is.na(ct_about()$program)) {
    cli <- run_program(c("validate", f))
    expect_identical(cli$status, 65L)
    expect_true(any(grepl(conditionMessage(err_file), cli$output, fixed = TRUE)))
  }
})

test_that("bad values, arguments and files raise conditions and the session goes on", {
  expect_error(ct_simulate(ct_default(), trials = 10, set = list("analysis.alpha" = 2)), class = "celltrial_data")
  expect_error(ct_simulate(ct_default(), trials = -1), class = "celltrial_usage")
  expect_error(ct_simulate(ct_default(), trials = 10, threads = "two"), class = "celltrial_usage")
  expect_error(ct_scenario("no_such_scenario_here"), class = "celltrial_no_input")
  expect_error(ct_simulate(list(design = list(sample_size = "many")), trials = 10), class = "celltrial_data")
  expect_error(ct_simulate(list(1, 2), trials = 10), class = "celltrial_error")
  expect_error(ct_write(list(design = list(1, x = 2))), class = "celltrial_usage")
  expect_error(ct_power(delta = 1), class = "celltrial_usage")
  # After all of these the session still runs trials.
  r <- ct_simulate(ct_default(), trials = 20, seed = 3, threads = 1)
  expect_s3_class(r, "celltrial_simulation")
})

test_that("an unwritable results folder fails before any trial runs", {
  f <- tempfile()
  writeLines("a file, not a folder", f)
  expect_error(ct_simulate(ct_default(), trials = 10, out = file.path(f, "sub")), class = "celltrial_io")
})
