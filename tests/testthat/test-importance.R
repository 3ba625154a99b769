test_that("the Pareto k of PSIS recovers a known tail index", {
  # ratios with a generalised Pareto tail of shape xi: (1 - U)^(-xi)
  set.seed(1)
  for (xi in c(0.2, 0.5, 0.9)) {
    lr <- -xi * log1p(-runif(20000))
    k <- psis(lr)$pareto_k
    # sd of k-hat from a tail of 3 sqrt(20000) = 425 points is about (1 + xi) / sqrt(425) < 0.1
    expect_lt(abs(k - xi), 0.15)
  }
  # bounded ratios have a short tail: k below zero
  expect_lt(psis(runif(5000))$pareto_k, 0)
})

test_that("PSIS smooths only the tail, keeps its order and caps it at the largest raw ratio", {
  set.seed(2)
  lr <- rnorm(4000, sd = 2)
  p <- psis(lr)
  tail <- order(lr, decreasing = TRUE)[seq_len(p$tail_length)]
  # outside the tail the weights are the raw ratios, all scaled by one constant
  shift <- p$log_weights[-tail] - lr[-tail]
  expect_lt(diff(range(shift)), 1e-10)
  # on that scale no smoothed ratio exceeds the largest raw one (here the cap binds: the top
  # quantile of the fitted tail is above it)
  expect_lte(max(p$log_weights[tail] - shift[1]), max(lr) + 1e-10)
  expect_true(all(diff(p$log_weights[tail]) <= 1e-12))
  expect_equal(psis(rep(0, 100))$ess, 100)
  expect_error(psis(c(1, NaN)), "`log_ratios` must be numeric, without NA")
  expect_error(psis(c(-Inf, -Inf)), "`log_ratios` are all -Inf")
})

test_that("PSIS agrees with loo", {
  skip_if_not_installed("loo")
  set.seed(3)
  x <- rnorm(5000)
  lr <- dt(x, df = 3, log = TRUE) - dnorm(x, log = TRUE)
  ours <- psis(lr)
  theirs <- suppressWarnings(loo::psis(lr, r_eff = 1))
  expect_equal(ours$pareto_k, unname(theirs$diagnostics$pareto_k), tolerance = 1e-6)
  expect_equal(ours$log_weights, as.vector(stats::weights(theirs, log = TRUE, normalize = TRUE)), tolerance = 1e-6)
})

test_that("the log evidence is unbiased with a standard error that covers it", {
  set.seed(4)
  x <- rnorm(20000)
  lr <- log(3) + dnorm(x, 0, 1.2, log = TRUE) - dnorm(x, log = TRUE)  # Z = 3
  z <- gmasampler:::log_evidence(lr)
  expect_lt(abs(z[["log_z"]] - log(3)), 4 * z[["se"]])
  expect_lt(z[["se"]], 0.01)
})
