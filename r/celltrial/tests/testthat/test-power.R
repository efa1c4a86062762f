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
