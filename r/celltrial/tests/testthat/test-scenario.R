test_that("the default scenario round-trips through an R list", {
  sc <- ct_default()
  expect_s3_class(sc, "celltrial_scenario")
  expect_true(is.list(sc$design))
  # The YAML the list writes loads to the same resolved scenario as the built-in text.
  strip <- function(x) { attr(x, "source") <- NULL; unclass(x) }
  expect_identical(strip(ct_validate(sc)), strip(ct_validate(NULL)))
  # A file written by ct_write() reads back to the same list.
  f <- tempfile(fileext = ".yaml")
  ct_write(sc, f)
  back <- ct_scenario(f)
  attr(back, "source") <- NULL
  attr(sc, "source") <- NULL
  expect_identical(unclass(back), unclass(sc))
})

test_that("lists of one value stay lists and edits reach the scenario", {
  sc <- ct_default()
  sc$design$visits_months <- I(12)
  expect_match(ct_write(sc), "visits_months: \\[12\\]")
  sc$design$sample_size <- 150
  expect_identical(ct_validate(sc)$design$sample_size, 150)
  # set = list(...) changes a value as --set does.
  expect_identical(ct_validate(sc, set = list("design.sample_size" = 90))$design$sample_size, 90)
})

test_that("strings that look like numbers stay strings", {
  y <- .Call("ct_c_list_to_yaml", list(a = "12", b = 12, c = "true", d = TRUE, e = NA, f = "x: y"), "x",
             PACKAGE = "celltrial")
  back <- .Call("ct_c_yaml_to_list", y, "x", PACKAGE = "celltrial")
  expect_identical(back, list(a = "12", b = 12, c = "true", d = TRUE, e = NULL, f = "x: y"))
})

test_that("shipped scenarios are found by name", {
  skip_if(length(ct_scenarios()) == 0L, "no shipped scenarios installed")
  expect_true("responder_sensitivity" %in% names(ct_scenarios()))
  sc <- ct_scenario("responder_sensitivity")
  expect_identical(sc$name, "responder_sensitivity")
})
