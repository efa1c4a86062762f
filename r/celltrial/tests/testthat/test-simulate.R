test_that("ct_simulate gives exactly the command line's summary.json", {
  skip_if_not_installed("jsonlite")
  r <- ct_simulate(NULL, trials = 400, seed = 11, threads = 2)
  out <- tempfile("cli-")
  cli <- run_program(c("simulate", "--trials", "400", "--seed", "11", "--quiet", "--out", out))
  expect_identical(cli$status, 0L)
  from_cli <- jsonlite::fromJSON(file.path(out, "summary.json"), simplifyVector = FALSE)
  expect_identical(leaves(r$summary), leaves(from_cli))
  # The table's numbers are the summary's.
  expect_identical(r$table$power[1], r$summary$comparisons[[1]]$power$estimate)
  expect_identical(r$table$power_mc_se[1], r$summary$comparisons[[1]]$power$mc_se)
  expect_identical(as.data.frame(r), r$table)
})

test_that("results depend on the scenario, seed and trials only", {
  a <- ct_simulate(ct_default(), trials = 300, seed = 5, threads = 1)
  b <- ct_simulate(ct_default(), trials = 300, seed = 5, threads = 2)
  expect_identical(a$summary, b$summary)
  # A list, the built-in default and a file of the same scenario agree.
  f <- tempfile(fileext = ".yaml")
  ct_write(ct_default(), f)
  c <- ct_simulate(f, trials = 300, seed = 5, threads = 2)
  expect_identical(a$summary, c$summary)
  d <- ct_simulate(NULL, trials = 300, seed = 5, threads = 2)
  expect_identical(a$summary, d$summary)
  # Another seed gives other trials.
  e <- ct_simulate(ct_default(), trials = 300, seed = 6, threads = 2)
  expect_false(identical(a$summary$comparisons, e$summary$comparisons))
})

test_that("a change made in R is the change the command line's --set makes", {
  sc <- ct_default()
  sc$arms[[2]]$effect_by_month$`12` <- 3
  a <- ct_simulate(sc, trials = 300, seed = 8, threads = 2)
  b <- ct_simulate(NULL, trials = 300, seed = 8, threads = 2, set = list("arms.ucb.effect_by_month.12" = 3))
  expect_identical(a$summary, b$summary)
  expect_gt(a$table$power[1], ct_simulate(NULL, trials = 300, seed = 8, threads = 2)$table$power[1])
})

test_that("out writes the command line's results folder", {
  out <- tempfile("res-")
  r <- ct_simulate(NULL, trials = 50, seed = 1, threads = 1, out = out)
  expect_true(all(file.exists(file.path(out, c("summary.json", "summary.csv", "run.json", "scenario.yaml")))))
  expect_identical(normalizePath(r$out), normalizePath(out))
  # Without out nothing is left behind.
  before <- list.files(tempdir())
  ct_simulate(NULL, trials = 50, seed = 1, threads = 1)
  expect_identical(list.files(tempdir()), before)
})

test_that("print and summary show the command line's table", {
  r <- ct_simulate(NULL, trials = 100, seed = 2, threads = 1)
  shown <- capture.output(print(r))
  cli <- run_program(c("simulate", "--trials", "100", "--seed", "2", "--out", tempfile("cli-")))
  # The command line adds a timing line and the folder; the table itself is the same.
  expect_true(all(shown %in% cli$output))
  expect_identical(capture.output(summary(r)), shown)
})

test_that("ct_sweep's table has one row per point with MC SEs", {
  s <- ct_sweep(NULL, sweep = list("design.sample_size" = c(100, 200)), trials = 200, seed = 1, threads = 2)
  expect_identical(s$table$design.sample_size, c(100, 200))
  expect_true(all(c("power", "power_mc_se", "estimate_mean", "estimate_mc_se") %in% names(s$table)))
  # Each point equals a simulation with that value (common random numbers, same seed).
  one <- ct_simulate(NULL, trials = 200, seed = 1, threads = 2, set = list("design.sample_size" = 200))
  expect_identical(s$table$power[2], one$table$power[1])
})

test_that("a Slurm job folder runs, shard by shard, to the summary of one run", {
  job <- ct_slurm(NULL, trials = 90, seed = 4, shards = 3, out = tempfile("job-"))
  expect_true(all(file.exists(file.path(job$dir, c("array.sbatch", "merge.sbatch", "submit.sh", "scenario.yaml")))))
  # Run the array's tasks and the merge as Slurm would (the commands of array.sbatch and merge.sbatch).
  scenario <- file.path(job$dir, "scenario.yaml")
  for (k in 1:3)
    expect_identical(run_program(c("simulate", scenario, "--shard", paste0(k, "/3"), "--out",
                                   file.path(job$dir, "shards"), "--quiet"))$status, 0L)
  expect_identical(run_program(c("merge", file.path(job$dir, "shards"), "--out", file.path(job$dir, "results"),
                                 "--quiet"))$status, 0L)
  merged <- ct_read_results(file.path(job$dir, "results"))
  expect_identical(merged$summary, ct_simulate(NULL, trials = 90, seed = 4, threads = 1)$summary)
  expect_error(ct_slurm(NULL, trials = 2, shards = 3, out = tempfile("job-")), class = "celltrial_usage")
  expect_error(ct_read_results(tempdir()), class = "celltrial_no_input")
})
