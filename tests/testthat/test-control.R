test_that("gma_control checks every setting by name", {
  expect_s3_class(gma_control(), "gma_control")
  expect_equal(gma_control()$optimizer, "mirror")
  expect_error(gma_control(optimizer = "adam"), "`optimizer` must be one of")
  expect_error(gma_control(step = 1), "`step` must be one of")
  expect_error(gma_control(eta0 = 0), "`eta0` must be a finite number > 0")
  expect_error(gma_control(max_iter = 2.5), "`max_iter` must be a whole number")
  expect_error(gma_control(max_iter = 0), "`max_iter` must be a whole number >= 1")
  expect_error(gma_control(tol = -1), "`tol`")
  expect_error(gma_control(max_memory = NA), "`max_memory`")
  expect_error(gma_control(keep_weights = "yes"), "`keep_weights` must be TRUE or FALSE")
})

test_that("a plain list is accepted as control, with unknown names refused", {
  expect_error(gma_sample(function(x) 0, dim = 1, control = list(eta = 1)), "unknown setting\\(s\\): eta")
  expect_error(gma_sample(function(x) 0, dim = 1, control = "fast"), "`control` must be a list")
})

test_that("the progress bar follows the evaluations when switched on, and is off in scripts", {
  expect_false(gma_control()$progress)
  set.seed(1)
  out <- capture.output(
    fit <- gma_sample(function(x) -x^2 / 2, dim = 1, control = gma_control(progress = TRUE, n_evals = 3000)),
    type = "message")
  expect_match(paste(out, collapse = ""), "100%")
  expect_error(gma_control(progress = NA), "`progress` must be TRUE or FALSE")
})
