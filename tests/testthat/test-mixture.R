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
                      control = gma_control(wgma = wgma_control(sparse_tol = 0)))
    expect_equal(fit$bank$log_q_proposal, dmixture(fit$bank$points, fit$initial, log = TRUE), tolerance = 1e-10)
    expect_equal(fit$bank$log_q, dmixture(fit$bank$points, fit$mixture, log = TRUE), tolerance = 1e-10)
  }
})

# The multivariate t log density in closed form (Kotz and Nadarajah 2004), for checking ours.
dmvt_log <- function(x, mean, sigma, df) {
  d <- length(mean)
  r <- sweep(x, 2, mean)
  q <- rowSums((r %*% solve(sigma)) * r)
  lgamma((df + d) / 2) - lgamma(df / 2) - d / 2 * log(df * pi) -
    0.5 * as.numeric(determinant(sigma)$modulus) - (df + d) / 2 * log1p(q / df)
}

test_that("t components: the log density against dt, the closed form and mvtnorm in 1, 2 and 20 dimensions", {
  x <- c(-30, -2, 0, 0.5, 7)
  mix <- gma_mixture(NULL, means = 1, covs = 4, family = "t", df = 3)
  expect_equal(dmixture(x, mix, log = TRUE), dt((x - 1) / 2, df = 3, log = TRUE) - log(2), tolerance = 1e-12)
  set.seed(1)
  for (d in c(2, 20)) {
    A <- matrix(rnorm(d * d), d)
    sigma <- crossprod(A) / d + diag(d)
    mean <- rnorm(d)
    pts <- matrix(rnorm(5 * d, sd = 3), 5)
    for (df in c(1.5, 4, 50)) {
      m <- gma_mixture(NULL, rbind(mean), sigma, family = "t", df = df)
      ours <- dmixture(pts, m, log = TRUE)
      expect_equal(ours, dmvt_log(pts, mean, sigma, df), tolerance = 1e-10, info = paste(d, df))
      if (requireNamespace("mvtnorm", quietly = TRUE))
        expect_equal(ours, mvtnorm::dmvt(pts, mean, sigma, df = df, log = TRUE), tolerance = 1e-10)
    }
  }
  # df = Inf is the Gaussian; per-component df mix families in one mixture
  g <- gma_mixture(c(0.4, 0.6), means = c(-1, 2), covs = c(1, 2), family = "t", df = c(Inf, 5))
  expect_equal(dmixture(x, g),
               0.4 * dnorm(x, -1, 1) + 0.6 * dt((x - 2) / sqrt(2), 5) / sqrt(2), tolerance = 1e-12)
  expect_error(gma_mixture(NULL, 0, 1, family = "t"), "`df` must be one number or 1 numbers > 0")
  expect_error(gma_mixture(NULL, c(0, 1), 1, family = "t", df = c(1, -2)), "`df` must be")
  expect_error(gma_mixture(NULL, 0, 1, df = 3), "`df` is for family = \"t\"")
  expect_output(print(gma_mixture(NULL, 0, 1, family = "t", df = 4)), "1 t \\(4 df\\) components")
})

test_that("draws of a t mixture have its exact moments", {
  w <- c(0.3, 0.7)
  mu <- rbind(c(-2, 1), c(3, 0))
  S <- array(c(1, 0.6, 0.6, 2, 0.5, 0, 0, 0.5), c(2, 2, 2))
  df <- c(5, 8)
  mix <- gma_mixture(w, mu, S, family = "t", df = df)
  set.seed(2)
  n <- 1e5
  x <- rmixture(n, mix)
  m <- colSums(w * mu)
  within <- Reduce(`+`, lapply(1:2, function(k) w[k] * df[k] / (df[k] - 2) * S[, , k]))
  between <- crossprod(sweep(mu, 2, m) * sqrt(w))
  V <- within + between
  # the Monte Carlo sd of a mean is sqrt(V / n) (< 0.009 here); of a covariance entry about
  # sqrt(Var(x_i x_j) / n), with kurtosis of t_5 tails about 4 times the Gaussian's: < 0.05
  expect_lt(max(abs(colMeans(x) - m) / sqrt(diag(V) / n)), 4)
  expect_lt(max(abs(cov(x) - V)), 0.12)
  # a tail probability of the first coordinate under the first component, against pt():
  # counts are stratified, so component 1 holds 30,000 draws within two
  first <- x[, 1] < -6
  exact <- w[1] * pt((-6 + 2) / 1, df[1]) + w[2] * pt((-6 - 3) / sqrt(0.5), df[2])
  expect_lt(abs(mean(first) - exact) / sqrt(exact / n), 4)
  # the mixture's moments as gmasampler computes them
  mom <- gmasampler:::mixture_moments(mix)
  expect_equal(mom$mean, m)
  expect_equal(mom$cov, V)
})

test_that("results do not depend on the thread count, nor on how a range is split into tiles", {
  set.seed(3)
  n <- 1000  # not a multiple of the 256-point tiles
  x <- matrix(rnorm(2 * n, sd = 2), 2)
  shared <- gma_mixture(NULL, matrix(rnorm(2 * 40), 40), diag(c(0.3, 0.2)))
  separate <- gma_mixture(NULL, matrix(rnorm(2 * 40), 40), rexp(40), family = "t", df = 4)
  for (mix in list(shared, separate)) {
    lq <- lapply(1:3, function(th) dmixture(t(x), mix, log = TRUE, threads = th))
    expect_identical(lq[[2]], lq[[1]])
    expect_identical(lq[[3]], lq[[1]])
    mats <- lapply(1:3, function(th) {
      m <- gma_log_pdf_matrix(x, mix, 1e-14, 1e9, th)
      gmasampler:::gma_matrix_log_q(m$ptr, mix$weights, th)
    })
    expect_identical(mats[[2]], mats[[1]])
    expect_identical(mats[[3]], mats[[1]])
    expect_equal(mats[[1]], lq[[1]], tolerance = 1e-10)
  }
})

test_that("covariances too large for doubles' arithmetic are refused by name", {
  expect_error(gma_mixture(NULL, 0, 1e308), "`covs` must hold numbers no larger than 1e300 in size, not 1e\\+308",
               class = "gma_error_argument")
  expect_s3_class(gma_mixture(NULL, 0, 1e290), "gma_mixture")
})
