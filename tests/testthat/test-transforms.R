test_that("the transforms invert each other and their log-Jacobian is right", {
  b <- gmasampler:::as_bounds(c(0, -Inf, -1), c(Inf, 2, 3), 3)
  y <- rbind(c(-1, 0.5, 2), c(0.3, -2, -0.7))
  x <- gmasampler:::to_natural(y, b)
  expect_equal(gmasampler:::to_unconstrained(x, b), y)
  # log-Jacobian against numerical derivatives of each coordinate map
  h <- 1e-6
  num <- log(abs((gmasampler:::to_natural(y + h, b) - gmasampler:::to_natural(y - h, b)) / (2 * h)))
  expect_equal(gmasampler:::log_jacobian(y, b), rowSums(num), tolerance = 1e-6)
  expect_null(gmasampler:::as_bounds(-Inf, Inf, 2))
  expect_error(gmasampler:::as_bounds(1, 0, 1), "`lower` must be below `upper`")
  expect_error(gmasampler:::as_bounds(c(0, 0, 0), NULL, 2), "`lower` must be a number or 2 numbers")
  expect_error(gmasampler:::as_bounds(NA, NULL, 1), "`lower` must be a number \\(-Inf or Inf for none\\), without NA, not NA", class = "gma_error_argument")
  expect_error(gmasampler:::to_unconstrained(rbind(c(-1, 0, 0)), b), "`init` must lie strictly inside")
})

# Exact moments against importance-corrected draws, within 4 Monte Carlo sd computed from the
# fit's own weights (helper-statistics.R); that error holds where PSIS's weights have a variance:
# Pareto k below 0.5, or a tail that is bounded in practice (its largest ratio within a few times
# its threshold, see ?gma_psis). On the log scale of a half-normal the left tail is exponential and
# the first round's proposal covers it least: its ratios there bunch near their maximum, and k
# comes out near 0.8 with the largest ratio about 2.3 times the threshold.
# Checked on 10 other seeds in bench/test-tolerances.R.
check_moments <- function(fit, mean, sd) {
  tail_length <- ceiling(3 * sqrt(length(fit$bank$log_p)))
  expect_true(fit$diagnostics[["pareto_k"]] < 0.5 ||
                gmasampler:::tail_bounded(fit$diagnostics[["tail_ratio"]], tail_length))
  expect_lt(mean_error_in_mc_sd(fit, mean), 4)
  expect_lt(sd_error_in_mc_sd(fit, sd), 4)
}

test_that("Beta(2, 5) on (0, 1)", {
  set.seed(test_seed(1))
  fit <- gma_sample(function(x) dbeta(x, 2, 5, log = TRUE), dim = 1, lower = 0, upper = 1,
                    control = gma_control(n_evals = 10000))
  expect_true(all(fit$draws > 0 & fit$draws < 1))
  check_moments(fit, 2 / 7, sqrt(10 / (49 * 8)))
  # a normalised density: log Z = 0, within 4 of its estimated standard errors
  expect_lt(abs(fit$diagnostics[["log_z"]]), 4 * fit$diagnostics[["log_z_se"]])
})

test_that("Gamma(3, rate 2) on (0, Inf), from an initial point on the natural scale", {
  set.seed(test_seed(2))
  fit <- gma_sample(function(x) dgamma(x, 3, 2, log = TRUE), init = c(shape = 1), lower = 0,
                    control = gma_control(n_evals = 10000))
  expect_equal(colnames(fit$draws), "shape")
  check_moments(fit, 1.5, sqrt(0.75))
})

test_that("a half-normal scale parameter with a compiled density", {
  set.seed(test_seed(3))
  fit <- gma_sample(compiled("half_normal"), dim = 1, lower = 0, control = gma_control(n_evals = 10000))
  check_moments(fit, sqrt(2 / pi), sqrt(1 - 2 / pi))
})

test_that("a half-normal below an upper bound", {
  set.seed(test_seed(3))
  neg <- gma_sample(function(x) dnorm(x, 0, 2, log = TRUE), dim = 1, upper = 0,
                    control = gma_control(n_evals = 10000))
  expect_true(all(neg$draws < 0))
  check_moments(neg, -2 * sqrt(2 / pi), 2 * sqrt(1 - 2 / pi))
})

test_that("bounds work with W-GMA and a box on the natural scale", {
  set.seed(test_seed(4))
  fit <- gma_sample(function(x) dbeta(x, 2, 5, log = TRUE), method = "wgma", importance = TRUE,
                    box = c(0, 1), lower = 0, upper = 1, n_components = 40, n_per_component = 250)
  check_moments(fit, 2 / 7, sqrt(10 / (49 * 8)))
  expect_error(gma_sample(function(x) 0, dim = 1, lower = 0, init = -1), "`init` must lie strictly inside")
})
