test_that("an R density evaluated through future gives the same draws as in-process", {
  skip_if_not_installed("future.apply")
  skip_on_cran()
  f <- function(x) dnorm(x[1], log = TRUE) + dnorm(x[2], x[1]^2 / 2, 0.5, log = TRUE)
  run <- function(evaluator) {
    set.seed(11)
    # 3,000 evaluations are few for the banana (its Pareto k may warn): what is tested is that the
    # evaluator does not change the draws
    suppressWarnings(gma_sample(f, dim = 2, evaluator = evaluator, control = gma_control(n_evals = 3000)))
  }
  local <- run("sequential")
  old <- future::plan(future::multisession, workers = 2)
  on.exit(future::plan(old), add = TRUE)
  distributed <- run("future")
  expect_identical(distributed$draws, local$draws)
  expect_identical(distributed$n_evals, local$n_evals)
  # errors inside the workers come back with the point
  expect_error(gma_evaluate(gma_target(function(x) if (x[1] > 1) stop("boom") else 0, evaluator = "future"),
                            rbind(c(0, 0), c(2, 0))), "failed: boom at the point \\(2, 0\\)")
})

test_that("the future evaluator is refused for compiled densities", {
  expect_error(gma_target(compiled("std_normal"), evaluator = "future"), "`evaluator` \"future\" is for R functions")
})

test_that("an unknown evaluator is refused", {
  expect_error(gma_target(function(x) 0, evaluator = "mpi"), "`evaluator` must be one of")
})
