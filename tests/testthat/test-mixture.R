test_that("dmixture matches a sum of normal densities", {
  mix <- gma_mixture(c(1, 3), means = c(-1, 2), covs = c(0.5, 2))
  x <- c(-3, 0, 1.5, 4)
  ref <- 0.25 * dnorm(x, -1, sqrt(0.5)) + 0.75 * dnorm(x, 2, sqrt(2))
  expect_equal(dmixture(x, mix), ref, tolerance = 1e-12)
  expect_equal(dmixture(x, mix, log = TRUE), log(ref), tolerance = 1e-12)
})

test_that("the log density is stable in 30 dimensions", {
  d <- 30
  mix <- gma_mixture(NULL, means = rbind(rep(0, d), rep(50, d)), covs = diag(0.01, d))
  # half-way between the components both densities underflow; the log stays finite and exact
  # (two equal terms of weight 0.5 each)
  x <- rbind(rep(25, d))
  ref <- -d / 2 * log(2 * pi * 0.01) - sum(rep(25, d)^2) / (2 * 0.01)
  expect_equal(dmixture(x, mix, log = TRUE), ref, tolerance = 1e-12)
})

test_that("rmixture follows the mixture", {
  set.seed(test_seed(1))
  S <- matrix(c(1, 0.8, 0.8, 1), 2)
  mix <- gma_mixture(c(0.3, 0.7), means = rbind(c(-2, 0), c(2, 1)), covs = array(c(S, diag(2)), c(2, 2, 2)))
  x <- rmixture(20000, mix)
  expect_equal(dim(x), c(20000L, 2L))
  # exact mean 0.3 * (-2, 0) + 0.7 * (2, 1) = (0.8, 0.7) and sd (2.09, 1.10): the mean of 20,000
  # independent draws has sd 0.015 and 0.008, P(x1 < 0) = 0.309 an sd of 0.0033. Bounds: 4 sd.
  # Checked on 10 other seeds in bench/test-tolerances.R.
  expect_lt(max(abs(colMeans(x) - c(0.8, 0.7)) / c(0.0148, 0.0078)), 4)
  expect_lt(abs(mean(x[, 1] < 0) - (0.3 * pnorm(2) + 0.7 * pnorm(-2))), 4 * 0.0033)
  set.seed(5); a <- rmixture(10, mix)
  set.seed(5); b <- rmixture(10, mix)
  expect_identical(a, b)
})

test_that("bad mixtures get named errors", {
  expect_error(gma_mixture(NULL, means = 1:2, covs = -1), "`covs` as variances must be > 0")
  expect_error(gma_mixture(NULL, means = rbind(c(0, 0)), covs = matrix(c(1, 2, 2, 1), 2)),
               "`covs\\[, , 1\\]` must be positive definite")
  expect_error(gma_mixture(NULL, means = rbind(c(0, 0)), covs = matrix(c(1, 0.5, 0, 1), 2)),
               "`covs\\[, , 1\\]` must be symmetric")
  expect_error(gma_mixture(NULL, means = rbind(c(0, 0)), covs = diag(3)), "`covs` must be a number")
  expect_error(gma_mixture(c(-1, 2), means = 1:2, covs = 1), "`weights` must be non-negative")
  expect_error(gma_mixture(1, means = 1:2, covs = 1), "`weights` must have length 2")
  expect_error(gma_mixture(NULL, means = c(1, NA), covs = 1), "`means` must hold finite values")
  expect_error(dmixture(matrix(0, 2, 3), gma_mixture(NULL, rbind(c(0, 0)), 1)), "`x` must be a numeric matrix with 2")
  expect_error(rmixture(-1, gma_mixture(NULL, 0, 1)), "`n` must be a whole number >= 0")
  expect_error(dmixture(0, list()), "`mixture` must be a gma_mixture")
})

test_that("the bank's log q matches dmixture, with shared and with separate covariances", {
  for (covs in list(diag(c(0.3, 0.1)), array(c(diag(2), 0.5 * diag(2), matrix(c(1, 0.5, 0.5, 1), 2)), c(2, 2, 3)))) {
    means <- rbind(c(0, 0), c(1, 1), c(-1, 2))
    set.seed(1)
    fit <- gma_sample(log_banana, method = "wgma", means = means, covs = covs, n_per_component = 30,
                      control = gma_control(sparse_tol = 0))
    expect_equal(fit$bank$log_q_proposal, dmixture(fit$bank$points, fit$initial, log = TRUE), tolerance = 1e-10)
    expect_equal(fit$bank$log_q, dmixture(fit$bank$points, fit$mixture, log = TRUE), tolerance = 1e-10)
  }
})
