test_that("ct_analyse gives the command line's analysis, from a file and from a data frame", {
  skip_if_not_installed("jsonlite")
  out <- tempfile("export-")
  ct_simulate("reference_mmrm", trials = 1, seed = 9, threads = 1, out = out, export_trials = 1)
  f <- file.path(out, "trials.csv")
  a <- ct_analyse(f)
  cli <- run_program(c("analyse", f, "--json"))
  expect_identical(cli$status, 0L)
  j <- jsonlite::fromJSON(paste(cli$output, collapse = "\n"), simplifyVector = FALSE)
  for (k in c("estimate", "se", "df", "t", "p_value", "ci_lower", "ci_upper"))
    expect_identical(a[[k]], as.double(j[[k]]), label = k)
  expect_identical(dim(a$covariance), c(3L, 3L))
  # The same data as a data frame (read exactly) give the same numbers.
  d <- ct_read_csv(f)
  b <- ct_analyse(d)
  expect_identical(as.data.frame(b), as.data.frame(a))
  # ANCOVA with another df method name is refused with a suggestion.
  expect_error(ct_analyse(f, covariance = "unstructure"), "did you mean 'unstructured'", class = "celltrial_usage")
  expect_error(ct_analyse(d[, names(d) != "arm"]), class = "celltrial_data")
  expect_output(print(a), "estimate")
})

test_that("ct_boundaries gives the command line's boundaries", {
  skip_if_not_installed("jsonlite")
  b <- ct_boundaries(looks = 3, boundary = "spending-obrien-fleming", beta_spending = "obrien-fleming")
  cli <- run_program(c("boundaries", "--looks", "3", "--boundary", "spending-obrien-fleming", "--beta-spending",
                       "obrien-fleming", "--json"))
  expect_identical(cli$status, 0L)
  j <- jsonlite::fromJSON(paste(cli$output, collapse = "\n"), simplifyVector = FALSE)
  expect_identical(b$critical, vapply(j$critical, as.double, 0))
  expect_identical(b$futility, vapply(j$futility, as.double, 0))
  expect_identical(b$alpha_spent, vapply(j$alpha_spent, as.double, 0))
  # O'Brien-Fleming with three equally spaced looks at one-sided 0.025 (rpact).
  expect_equal(ct_boundaries(looks = 3)$critical, c(3.4710914, 2.4544323, 2.0040356), tolerance = 1e-7)
  expect_error(ct_boundaries(looks = 3, boundary = "obrien-flemming"), class = "celltrial_usage")
})
