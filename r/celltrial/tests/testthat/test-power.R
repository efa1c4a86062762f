test_that("ct_power gives the command line's closed forms", {
  skip_if_not_installed("jsonlite")
  p <- ct_power(delta = c(1.42, 2), sd = 6.1, power = 0.8, test = "ancova", rho = 0.8)
  expect_s3_class(p, "data.frame")
  expect_identical(nrow(p), 2L)
  cli <- run_program(c("power", "--delta", "1.42,2", "--sd", "6.1", "--power", "0.8", "--test", "ancova", "--rho",
                       "0.8", "--json"))
  expect_identical(cli$status, 0L)
  rows <- jsonlite::fromJSON(paste(cli$output, collapse = "\n"), simplifyVector = FALSE)
  expect_identical(p$n_total, vapply(rows, function(r) as.double(r$n_total), 0))
  expect_identical(p$power, vapply(rows, function(r) as.double(r$power), 0))
})

test_that("power at given sizes rises with n and print shows the table", {
  p <- ct_power(smd = 0.3, n = c(100, 200, 400))
  expect_true(all(diff(p$power) > 0))
  expect_output(print(p), "power")
})

test_that("ct_sample_size finds the command line's N", {
  skip_if_not_installed("jsonlite")
  ss <- suppressMessages(ct_sample_size("reference_ancova", target = 0.8, trials = 400, max_trials = 1600, threads = 2))
  out <- tempfile("power-")
  cli <- run_program(c("power", ct_scenarios()[["reference_ancova"]], "--target", "0.8", "--trials", "400",
                       "--max-trials", "1600", "--quiet", "--out", out))
  expect_identical(cli$status, 0L)
  j <- jsonlite::fromJSON(file.path(out, "power_curve.json"), simplifyVector = FALSE)
  expect_identical(ss$n_total, as.double(j$n_total))
  expect_identical(leaves(ss$result$curve), leaves(j$curve))
  expect_identical(ss$curve$power, vapply(j$curve, function(p) as.double(p$power), 0))
  expect_output(print(ss), "0.8")
})
