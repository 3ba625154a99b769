# EM-GMA, started from the mode search by default, against exact answers. The draws are
# importance-corrected, so their error is Monte Carlo error, which each fit measures from its own
# weights (helper-statistics.R): the bounds are 4 Monte Carlo sd, and 4 estimated standard errors
# for log Z. Where a bound is a bar set by the issue (0.02 for masses, 2% for an sd) or comes from
# elsewhere, its comment says so. Every statistical test here was checked on 10 other seeds in
# bench/test-tolerances.R.

lp_moon <- function(z) -z[, 1]^2 / 2 - 0.5 * (10 * z[, 2] + 3 * z[, 1]^2 - 3)^2
lp_double_banana <- function(z) {
  -2 * (z[, 1]^2 + z[, 2]^2 - 3)^2 + log(exp(-2 * (z[, 1] - 2)^2) + exp(-2 * (z[, 1] + 2)^2))
}
gaussian_mixture_log_density <- function(w, mu, covs) {
  prec <- lapply(covs, solve)
  ldet <- vapply(covs, function(s) as.numeric(determinant(s)$modulus), numeric(1))
  d <- ncol(mu)
  function(x) {
    a <- vapply(seq_along(w), function(k) {
      r <- sweep(x, 2, mu[k, ])
      log(w[k]) - 0.5 * ldet[k] - 0.5 * d * log(2 * pi) - 0.5 * rowSums((r %*% prec[[k]]) * r)
    }, numeric(nrow(x)))
    apply(matrix(a, nrow(x)), 1, log_sum_exp)
  }
}
log_sum_exp <- function(a) max(a) + log(sum(exp(a - max(a))))
nearest_mode <- function(x, mu, covs) {
  dist <- vapply(seq_len(nrow(mu)), function(k) {
    r <- sweep(x, 2, mu[k, ])
    rowSums((r %*% solve(covs[[k]])) * r)
  }, numeric(nrow(x)))
  apply(dist, 1, which.min)
}

test_that("trimodal target: draws and log evidence against quadrature", {
  truth <- quadrature_moments(log_trimodal)
  set.seed(test_seed(1))
  lp <- counting(function(x) log_trimodal(x[, 1]))
  fit <- gma_sample(lp$f, vectorized = TRUE, dim = 1)
  expect_equal(nrow(fit$laplace), 3)
  expect_lt(mean_error_in_mc_sd(fit, truth[["mean"]]), 4)
  # the issue's bar: corrected sd within 2%. Its Monte Carlo sd is at most 0.9% (the bound of
  # helper-statistics.R, resampling included); the errors were at most 0.8% over 11 seeds.
  expect_lt(abs(sd(fit$draws[, 1]) / truth[["sd"]] - 1), 0.02)
  expect_lt(abs(fit$diagnostics[["log_z"]] - log(2.534140783)), 4 * fit$diagnostics[["log_z_se"]])
  # within the default budget, counting every evaluation (the mode search's too)
  expect_equal(fit$n_evals, lp$n())
  expect_lte(fit$n_evals, 20000)
  expect_lt(fit$diagnostics[["pareto_k"]], 0.7)
})

test_that("W-GMA draws corrected by PSIS: trimodal sd and log evidence", {
  truth <- quadrature_moments(log_trimodal)
  set.seed(test_seed(1))
  # The proposal is the equal-weight bank of narrow components (sd 0.1, half their spacing): p / q
  # has spikes where the design leaves gaps, and on 6 of 11 seeds PSIS flagged them (Pareto k 1.4
  # to 2.8, ESS 250 to 1,900 of 6,000; here 0.25). Its warning is the right answer, so it is not
  # a failure here (it shows as a warning on those seeds); the bounds are the weights' Monte Carlo
  # error (once 0.07 of the sd at ESS 250, 2.4 Monte Carlo sd). The 2% this test used to demand
  # held on 10 of 11 seeds.
  fit <- gma_sample(log_trimodal, method = "wgma", importance = TRUE, box = c(-6, 6),
                    n_components = 60, n_per_component = 100)
  expect_lt(sd_error_in_mc_sd(fit, truth[["sd"]]), 4)
  expect_lt(abs(fit$diagnostics[["log_z"]] - log(truth[["z"]])), 4 * fit$diagnostics[["log_z_se"]])
})

test_that("moon and double banana: moments and log evidence", {
  # The moon is a thin crescent whose horns the mixture covers unevenly: Pareto k 0.3 to 0.75
  # over 50 seeds. With k above 0.5 the weights have no variance, so no Monte Carlo bound holds:
  # these bounds are measured. Over seeds 1 to 50 the mean error reached 0.045 sd, the sd error
  # 0.093 (median 0.036, 90% 0.071) and the log Z error 0.015. With 10 components at most (20 now,
  # components_per_mode()) the sd error reached 0.136, on seed 4, and 0.124 on seed 7. With the
  # widened copy in each round (em_control(widened = )), over seeds 1 to 100: 0.102 (median 0.031,
  # 90% 0.069; without it 0.129); but seed 8002 (bench/test-tolerances.R) 0.149, with k 0.34: the
  # horns' tips beyond |x1| = 2.3 hold 0.012 of the weight against 0.021, a region the proposals
  # reached too rarely for the weights to show it.
  for (seed in 1:4) {
    set.seed(test_seed(seed))
    moon <- suppressWarnings(gma_sample(lp_moon, vectorized = TRUE, dim = 2))
    # exact: mean (0, 0), sd (1, sqrt(0.19)) = (1, 0.43589), Z = 2 pi / 10
    expect_lt(max(abs(colMeans(moon$draws) - c(0, 0)) / c(1, 0.43589)), 0.1)
    expect_lt(max(abs(apply(moon$draws, 2, sd) / c(1, 0.43589) - 1)), 0.12)
    expect_lt(abs(moon$diagnostics[["log_z"]] - log(2 * pi / 10)), 0.04)
  }
  set.seed(test_seed(1))
  db <- gma_sample(lp_double_banana, vectorized = TRUE, dim = 2)
  expect_lt(sd_error_in_mc_sd(db, c(1.582271, 0.776167)), 4)
  expect_lt(abs(db$diagnostics[["log_z"]] - log(1.441402)), 4 * db$diagnostics[["log_z_se"]])
})

test_that("the paper's four modes: every mode and its mass within 0.02", {
  w <- c(0.3, 0.3, 0.2, 0.2)
  mu <- rbind(c(-3, 3), c(3, 3), c(-3, -3), c(3, -3))
  covs <- list(matrix(c(1, 0.8, 0.8, 1), 2), matrix(c(1, -0.8, -0.8, 1), 2), diag(c(1, 0.2)), diag(c(0.2, 1)))
  set.seed(test_seed(1))
  fit <- gma_sample(gaussian_mixture_log_density(w, mu, covs), vectorized = TRUE, box = c(-6, 6), dim = 2)
  mass <- tabulate(nearest_mode(fit$draws, mu, covs), 4) / nrow(fit$draws)
  # the issue's bar, 0.02: a mass's Monte Carlo sd is below 0.005
  expect_lt(max(abs(mass - w)), 0.02)
  expect_lt(mean_error_in_mc_sd(fit, c(0, 0.6)), 4)
  expect_lt(abs(fit$diagnostics[["log_z"]]), 4 * fit$diagnostics[["log_z_se"]])
})

test_that("the five-armed star", {
  rot <- function(a) matrix(c(cos(a), sin(a), -sin(a), cos(a)), 2)
  arms <- lapply(0:4, function(j) rot(2 * pi * j / 5))
  mu <- t(vapply(arms, function(r) drop(r %*% c(1.5, 0)), numeric(2)))
  covs <- lapply(arms, function(r) r %*% diag(c(1, 0.01)) %*% t(r))
  set.seed(test_seed(1))
  fit <- gma_sample(gaussian_mixture_log_density(rep(0.2, 5), mu, covs), vectorized = TRUE,
                    box = c(-4, 4), dim = 2)
  # exact covariance: the average over the arms of mu mu' + Sigma
  exact_cov <- Reduce(`+`, lapply(1:5, function(j) tcrossprod(mu[j, ]) + covs[[j]])) / 5
  expect_lt(mean_error_in_mc_sd(fit, c(0, 0)), 4)
  # each covariance entry against the Monte Carlo sd of the mean product it estimates
  m <- colMeans(fit$draws)
  cov_mc <- outer(1:2, 1:2, Vectorize(function(i, j) mc_sd(fit, function(x) (x[, i] - m[i]) * (x[, j] - m[j]))))
  expect_lt(max(abs(cov(fit$draws) - exact_cov) / cov_mc), 4)
  expect_lt(abs(fit$diagnostics[["log_z"]]), 4 * fit$diagnostics[["log_z_se"]])
})

test_that("EM recovers the parameters of a 2-D Gaussian mixture from a rough start", {
  w <- c(0.5, 0.3, 0.2)
  mu <- rbind(c(0, 0), c(4, 1), c(-3, 3))
  covs <- list(matrix(c(1, 0.5, 0.5, 1), 2), diag(c(0.5, 2)), diag(c(0.3, 0.3)))
  set.seed(test_seed(2))
  fit <- gma_sample(gaussian_mixture_log_density(w, mu, covs), vectorized = TRUE,
                    means = mu + 0.7, covs = diag(2), control = gma_control(n_evals = 16000))
  ord <- nearest_mode(fit$mixture$means, mu, covs)
  expect_equal(sort(ord), 1:3)
  # The fitted mixture comes from EM steps on all the weighted points, so a component's estimates
  # have the Monte Carlo error of about w_k ESS points (ESS about 14,700 of 16,000): sd
  # sqrt(w (1 - w) / ESS) for a weight, sqrt(S_jj / n_k) for a mean, sqrt((S_ii S_jj + S_ij^2) /
  # n_k) for a covariance entry. Bounds: 4 sd. (The covariances' old bound, 0.1, was 2.3 sd for
  # the variance 2 and failed on 1 of 10 other seeds.)
  n_k <- w * fit$diagnostics[["ess"]]
  expect_lt(max(abs(fit$mixture$weights[order(ord)] - w) / sqrt(w * (1 - w) / fit$diagnostics[["ess"]])), 4)
  for (k in 1:3) {
    S <- covs[[k]]
    j <- order(ord)[k]
    expect_lt(max(abs(fit$mixture$means[j, ] - mu[k, ]) / sqrt(diag(S) / n_k[k])), 4,
              label = paste("component", k, "mean error in Monte Carlo sd"))
    expect_lt(max(abs(fit$mixture$covs[, , j] - S) / sqrt((outer(diag(S), diag(S)) + S^2) / n_k[k])), 4,
              label = paste("component", k, "covariance error in Monte Carlo sd"))
  }
})

test_that("a 10-D correlated Gaussian: EM recovers the covariance", {
  d <- 10
  set.seed(10)
  A <- matrix(rnorm(d * d), d)
  S <- crossprod(A) / d + diag(0.2, d)
  m <- rnorm(d)
  P <- solve(S)
  set.seed(test_seed(1))
  fit <- gma_sample(function(x) { r <- sweep(x, 2, m); -0.5 * rowSums((r %*% P) * r) },
                    vectorized = TRUE, init = numeric(d), control = gma_control(em = em_control(split = 1)))
  # The fitted component comes from EM steps on all rounds' weighted points, as do the draws, so
  # both have the Monte Carlo error of the weights (the draws the resampling's too). A relative
  # Frobenius error of a covariance estimated from n points has root mean square
  # sqrt((1 + tr(S)^2 / tr(S^2)) / n) and, as the norm of 55 entries' errors, stays near it:
  # bound 2.5 times that (about 0.05 here; the old 0.15 and 0.05 assumed the last round's 1,000
  # points for the component). Means and sds: 4 Monte Carlo sd.
  ess <- fit$diagnostics[["ess"]]
  rms <- sqrt(1 + sum(diag(S))^2 / sum(S^2))
  expect_lt(norm(fit$mixture$covs[, , 1] - S, "F") / norm(S, "F"), 2.5 * rms / sqrt(ess))
  expect_lt(norm(cov(fit$draws) - S, "F") / norm(S, "F"), 2.5 * rms * sqrt(1 / ess + 1 / nrow(fit$draws)))
  expect_lt(max(abs(fit$mixture$means[1, ] - m) / sqrt(diag(S) / ess)), 4)
  expect_lt(mean_error_in_mc_sd(fit, m), 4)
  expect_lt(sd_error_in_mc_sd(fit, sqrt(diag(S))), 4)
})

test_that("5-D and 10-D multimodal targets from a box: every mode found, masses within 0.02", {
  for (d in c(5, 10)) {
    set.seed(d)
    w <- c(0.4, 0.3, 0.2, 0.1)
    mu <- matrix(runif(4 * d, -7, 7), 4)
    covs <- lapply(1:4, function(k) {
      q <- qr.Q(qr(matrix(rnorm(d * d), d)))
      sds <- exp(runif(d, log(0.3), log(1.5)))
      if (k == 3) sds[1] <- 0.05  # narrow in one direction
      q %*% diag(sds^2) %*% t(q)
    })
    set.seed(test_seed(1))
    lp <- counting(gaussian_mixture_log_density(w, mu, covs))
    fit <- gma_sample(lp$f, vectorized = TRUE, box = c(-10, 10), dim = d)
    expect_equal(fit$n_evals, lp$n())
    expect_lte(fit$n_evals, 20000)
    expect_equal(nrow(fit$laplace), 4, info = paste("d =", d))
    # the issue's bar, 0.02: a mass's Monte Carlo sd is below 0.006 (ESS 12,500 of 15,000 in 10-D)
    mass <- tabulate(nearest_mode(fit$draws, mu, covs), 4) / nrow(fit$draws)
    expect_lt(max(abs(mass - w)), 0.02, label = paste("mass error in", d, "dimensions"))
  }
})

test_that("EM is reproducible and independent of the thread count", {
  run <- function(threads) {
    set.seed(9)
    suppressWarnings(gma_sample(lp_moon, vectorized = TRUE, dim = 2, threads = threads,
                                control = gma_control(n_evals = 5000)))
  }
  a <- run(1)
  b <- run(2)
  expect_identical(a$draws, b$draws)
  expect_identical(a$mixture, b$mixture)
})

test_that("importance = FALSE draws from the fitted mixture; lma gives the Laplace mixture", {
  set.seed(test_seed(1))
  fit <- suppressWarnings(gma_sample(lp_moon, vectorized = TRUE, dim = 2, importance = FALSE, n_draws = 500,
                                     control = gma_control(n_evals = 5000)))  # few evaluations: k may warn
  expect_equal(dim(fit$draws), c(500L, 2L))
  # fresh, independent draws from the fitted mixture, none an evaluated point (corrected draws all
  # are), with the mixture's mean: within 4 Monte Carlo sd of 500 independent draws
  expect_false(any(fit$draws[, 1] %in% fit$bank$points[, 1]))
  mix_mean <- colSums(fit$mixture$weights * fit$mixture$means)
  expect_lt(max(abs(colMeans(fit$draws) - mix_mean) / (apply(fit$draws, 2, sd) / sqrt(500))), 4)
  # on a Gaussian mixture the Laplace weights are the masses (up to the modes' overlap)
  w <- c(0.3, 0.3, 0.2, 0.2)
  mu <- rbind(c(-3, 3), c(3, 3), c(-3, -3), c(3, -3))
  covs <- list(matrix(c(1, 0.8, 0.8, 1), 2), matrix(c(1, -0.8, -0.8, 1), 2), diag(c(1, 0.2)), diag(c(0.2, 1)))
  set.seed(test_seed(1))
  lma <- gma_sample(gaussian_mixture_log_density(w, mu, covs), vectorized = TRUE, box = c(-6, 6),
                    dim = 2, method = "lma")
  # no Monte Carlo here: the Laplace mixture is the modes' (found by optimisation to about 1e-7)
  ord <- nearest_mode(lma$mixture$means, mu, covs)
  expect_lt(max(abs(lma$mixture$weights[order(ord)] - w)), 0.01)
  inflate <- 1 + sqrt(2 * log(2) / 2)  # lma_control(inflate = NULL) in two dimensions
  expect_lt(norm(lma$mixture$covs[, , order(ord)[1]] - inflate * covs[[1]], "F") / norm(inflate * covs[[1]], "F"), 0.01)
  # the central bump of the trimodal target is flat at its top (quartic): its Laplace weight is
  # far off, and the importance correction repairs the draws
  set.seed(test_seed(1))
  lma <- gma_sample(function(x) log_trimodal(x[, 1]), vectorized = TRUE, dim = 1, method = "lma")
  expect_equal(length(lma$mixture$weights), 3)
  expect_lt(sd_error_in_mc_sd(lma, 1.466625), 4)
})

test_that("EM recovers the parameters of a 2-D two-component t mixture", {
  w <- c(0.6, 0.4)
  mu <- rbind(c(-2, 0), c(2.5, 2))
  S <- array(c(1, 0.5, 0.5, 1, 0.6, -0.3, -0.3, 0.8), c(2, 2, 2))
  truth <- gma_mixture(w, mu, S, family = "t", df = 4)
  set.seed(4)
  fit <- gma_sample(function(x) dmixture(x, truth, log = TRUE), vectorized = TRUE,
                    means = mu + 0.8, covs = diag(2),
                    control = gma_control(n_evals = 20000, em = em_control(family = "t", df = 4)))
  expect_equal(fit$mixture$df, c(4, 4))
  ord <- nearest_mode(fit$mixture$means, mu, list(S[, , 1], S[, , 2]))
  expect_equal(sort(ord), 1:2)
  # the final EM steps use about 18,000 pooled points: the weights' Monte Carlo sd is about
  # sqrt(w (1 - w) / n_eff) < 0.01 with n_eff above 2,000, the means' about 0.03
  expect_equal(fit$mixture$weights[order(ord)], w, tolerance = 0.03 / 0.4)
  expect_lt(max(abs(fit$mixture$means[order(ord), ] - mu)), 0.1)
  for (k in 1:2) expect_lt(max(abs(fit$mixture$covs[, , order(ord)[k]] - S[, , k])), 0.12)
  # Gaussian components on the same target fit the heavy tails worse: their importance weights
  # are less even
  set.seed(4)
  gauss <- suppressWarnings(gma_sample(function(x) dmixture(x, truth, log = TRUE), vectorized = TRUE,
                                       means = mu + 0.8, covs = diag(2), control = gma_control(n_evals = 20000)))
  expect_gt(fit$diagnostics[["ess"]], gauss$diagnostics[["ess"]])
})

test_that("pooling: against the rounds' average proposal when it is unbiased enough, else each round's own", {
  set.seed(test_seed(31))
  mix <- gma_mixture(NULL, rbind(c(0, 0), c(3, 0)), diag(2))
  # two rounds drawn from two fixed proposals: both pools are unbiased for Z = 1 here
  rounds <- lapply(c(0.5, 1.5), function(s) {
    q <- gma_mixture(NULL, rbind(c(0, 0), c(3, 0)), s * diag(2))
    x <- gmasampler:::draw_mixture(q, 2000)
    list(points = x, log_p = dmixture(x, mix, log = TRUE), log_q = dmixture(x, q, log = TRUE),
         proposal = q, ess = 1000)
  })
  log_p <- unlist(lapply(rounds, `[[`, "log_p"))
  few <- gmasampler:::pooled_log_q(rounds, mix, 1L)$log_q     # 14 parameters, 4,000 points
  many <- gma_mixture(NULL, matrix(rnorm(60), 30), diag(2))    # 180 parameters: each round's own
  own <- gmasampler:::pooled_log_q(rounds, many, 1L)$log_q
  average <- gmasampler:::row_log_sum_exp(cbind(dmixture(do.call(rbind, lapply(rounds, `[[`, "points")),
                                                         rounds[[1]]$proposal, log = TRUE),
                                                dmixture(do.call(rbind, lapply(rounds, `[[`, "points")),
                                                         rounds[[2]]$proposal, log = TRUE))) - log(2)
  expect_equal(few, average)
  expect_equal(own, unlist(lapply(rounds, `[[`, "log_q")))  # equal ESS: plain own proposals
  for (lq in list(few, own)) {
    z <- gmasampler:::log_evidence(log_p - lq)
    expect_lt(abs(z[["log_z"]]), 4 * z[["se"]])
  }
  # the rounds are weighted by their size times the ESS fraction of the round before (the first
  # by its own), fixed before their points were drawn: 2,000 x 0.25 each here, so the pool is
  # again the rounds' own proposals, where their own ESS (0.25 and 0.75) would weigh them 1:3
  rounds[[1]]$ess <- 500
  rounds[[2]]$ess <- 1500
  expect_equal(gmasampler:::pooled_log_q(rounds, many, 1L)$log_q, unlist(lapply(rounds, `[[`, "log_q")))
  rounds[[1]]$ess <- rounds[[2]]$ess <- 1000
  # a round before a birth that claimed over 1% of the mass is left out of the own-round pool
  rounds[[1]]$births <- 0.3
  expect_equal(gmasampler:::pooled_log_q(rounds, many, 1L)$log_q[1:2000], rep(Inf, 2000))
})

# Two modes in 4-D: a wide one (sd 1, mass 0.7) and a narrow one (sd 0.3, mass 0.3) whose region
# is 2.3% of the box [-6, 6]^4.
wide_and_narrow_4d <- function() {
  d <- 4
  w <- c(0.7, 0.3)
  mu <- rbind(rep(-2, d), rep(2.5, d))
  covs <- list(diag(d), diag(0.3^2, d))
  list(d = d, w = w, mu = mu, covs = covs, lp = gaussian_mixture_log_density(w, mu, covs))
}

test_that("the mode search goes on during EM: a narrow mode that the first screening misses is found later", {
  # the first search makes one climb (starts = 1), which finds the wide mode; the rounds'
  # screening must find the narrow one
  t4 <- wide_and_narrow_4d()
  for (s in 1:4) {
    set.seed(test_seed(40 + s))
    fit <- suppressWarnings(gma_sample(t4$lp, vectorized = TRUE, box = c(-6, 6), dim = t4$d,
                                       control = gma_control(lma = lma_control(starts = 1))))
    expect_equal(nrow(fit$laplace), 1)
    expect_true(any(fit$trace$born))
    expect_equal(nrow(fit$modes), 2)
    mass <- tabulate(nearest_mode(fit$draws, t4$mu, t4$covs), 2) / nrow(fit$draws)
    # Monte Carlo sd of a mass with ESS above 2,000 is below 0.011: 3 sd
    expect_lt(max(abs(mass - t4$w)), 0.033)
  }
})

test_that("a mode reached by one of the two screenings only warns", {
  t4 <- wide_and_narrow_4d()
  set.seed(test_seed(50))
  fit <- suppressWarnings(gma_sample(t4$lp, vectorized = TRUE, box = c(-6, 6), dim = t4$d))
  tab <- fit$modes
  expect_equal(nrow(tab), 2)
  expect_equal(sum(tab$mass), 1, tolerance = 1e-10)
  expect_equal(tab$confirmed, tab$stream_1 > 0 & tab$stream_2 > 0)
  expect_equal(fit$diagnostics[["unconfirmed_mass"]], sum(tab$mass[!tab$confirmed]))
  # a mode only one stream reached: its mass is the unconfirmed mass
  search <- list(modes = function() list(list(par = t4$mu[1, ], log_p = 0, precision = diag(t4$d)),
                                         list(par = t4$mu[2, ], log_p = 0, precision = diag(t4$d) / 0.3^2)),
                 hits = function() as.table(matrix(c(500, 3, 480, 0), 2)))
  a <- gmasampler:::mode_agreement(search, rbind(t4$mu[1, ], t4$mu[2, ]), log(c(0.7, 0.3)))
  expect_equal(a$table$confirmed, c(TRUE, FALSE))
  expect_equal(a$table$mass, c(0.7, 0.3))
  expect_equal(a$unconfirmed_mass, 0.3)
})

test_that("the evaluation budget is a hard bound", {
  for (budget in c(3000, 7777)) {
    set.seed(test_seed(60))
    fit <- gma_sample(function(x) -rowSums(x^2) / 2, vectorized = TRUE, dim = 3,
                      control = gma_control(n_evals = budget))
    expect_lte(fit$n_evals, budget)
    expect_gt(fit$n_evals, budget - 100)  # the last round takes what is left
  }
  expect_error(gma_sample(function(x) -sum(x^2) / 2, dim = 3, control = gma_control(n_evals = 150)),
               "`control\\$n_evals` \\(150\\) leaves")
})

test_that("a large budget is spent, not cut at max_rounds, and the fit says what ended it", {
  f <- function(x) -rowSums(x^2) / 2
  set.seed(test_seed(61))
  big <- gma_sample(f, vectorized = TRUE, dim = 2, n_evals = 1e5)  # 0.2.0 stopped at about 47,000
  expect_lte(big$n_evals, 1e5)
  expect_gt(big$n_evals, 1e5 - 1000)
  expect_equal(big$budget, 1e5)
  expect_identical(big$stopped, "budget")
  expect_match(capture.output(print(big)), "of a budget of 100000", all = FALSE)
  # n_evals = overrides control$n_evals; max_rounds set low on purpose ends the rounds first
  set.seed(test_seed(62))
  capped <- gma_sample(f, vectorized = TRUE, dim = 2, n_evals = 8000,
                       control = gma_control(n_evals = 50000, em = em_control(bank = 1000, max_rounds = 3)))
  expect_identical(capped$stopped, "max_rounds")
  expect_lt(capped$n_evals, 8000)
  expect_equal(capped$budget, 8000)
  expect_match(capture.output(print(capped)), "stopped at max_rounds", all = FALSE)
})

test_that("W-GMA's bank follows n_evals", {
  f <- function(x) -x^2 / 2
  set.seed(test_seed(63))
  fit <- gma_sample(f, dim = 1, method = "wgma", n_components = 20, n_evals = 1000, vectorized = TRUE)
  expect_lte(fit$n_evals, 1000)
  expect_gt(fit$n_evals, 900)
  expect_error(gma_sample(f, dim = 1, method = "wgma", n_components = 20, n_per_component = 100,
                          n_evals = 1000, vectorized = TRUE), "`n_evals` \\(1000\\) is below the 2000 evaluations")
  expect_error(gma_sample(f, dim = 1, method = "wgma", n_components = 20, n_evals = 10,
                          vectorized = TRUE), "`n_evals`")
})

test_that("the defensive component weighs 0.3 up to 20 dimensions, 0.1 above, or what is asked", {
  weight_of_wide <- function(d, em) {
    proposal <- gmasampler:::defensive_proposal(gma_mixture(1, rbind(numeric(d)), diag(d)), em)
    proposal$weights[length(proposal$weights)]
  }
  expect_equal(weight_of_wide(2, em_control()), 0.3)
  expect_equal(weight_of_wide(20, em_control()), 0.3)
  expect_equal(weight_of_wide(21, em_control()), 0.1)
  expect_equal(weight_of_wide(50, em_control(defensive = 0.2)), 0.2)
  expect_length(gmasampler:::defensive_proposal(gma_mixture(1, rbind(0), matrix(1)),
                                                em_control(defensive = 0, widened = 0))$weights, 1)
})

test_that("the widened copy weighs 0.1 up to 20 dimensions, none above, or what is asked", {
  weight_of_copy <- function(d, em) {
    proposal <- gmasampler:::defensive_proposal(gma_mixture(1, rbind(numeric(d)), diag(d)), em)
    if (length(proposal$weights) == 3L) proposal$weights[2] else 0
  }
  expect_equal(weight_of_copy(2, em_control()), 0.1)
  expect_equal(weight_of_copy(20, em_control()), 0.1)
  expect_equal(weight_of_copy(21, em_control()), 0)
  expect_equal(weight_of_copy(50, em_control(widened = 0.2)), 0.2)
})

test_that("a round's proposal holds a copy of the mixture widened by widened_scale, of weight widened", {
  mixture <- gma_mixture(c(0.6, 0.4), rbind(c(-8, 0), c(8, 0)), array(c(diag(2), diag(c(0.5, 2))), c(2, 2, 2)))
  proposal <- gmasampler:::defensive_proposal(mixture, em_control(defensive = 0.3, widened = 0.1, widened_scale = 1.5))
  expect_equal(proposal$weights, c(0.6 * c(0.6, 0.4), 0.1 * c(0.6, 0.4), 0.3))
  expect_equal(proposal$means[3:4, ], mixture$means)
  expect_equal(proposal$covs[, , 3:4], 1.5^2 * mixture$covs)
  expect_equal(proposal$chols[, , 4], t(chol(proposal$covs[, , 4])))
  # t components are widened in their scale and keep their degrees of freedom
  heavy <- gmasampler:::defensive_proposal(gma_mixture(1, rbind(0), matrix(1), family = "t", df = 5),
                                           em_control(defensive = 0))
  expect_equal(heavy$covs[1, 1, ], c(1, 1.25^2))
  expect_equal(heavy$df, c(5, 5))
})

test_that("the widened copy draws where EM's components fall short of the modes: more effective draws", {
  # two 20-D modes of one correlated shape, EM started at half their covariance: importance-
  # weighted EM leaves each component too narrow along some directions (the eigenvalues of its
  # covariance against the mode's span 0.77 to 1.25 on seed 1; the smallest 0.75 to 0.78 on
  # seeds 1 to 6), and the mode's tails there, where p / q is largest, are drawn rarely. The
  # widened copy draws there. Its ESS over the one without it was 1.25 to 2.7 on seeds 1 to 20.
  d <- 20
  set.seed(99)
  factor <- qr.Q(qr(matrix(rnorm(d * d), d))) %*% diag(runif(d, 0.3, 1.2))
  sigma <- tcrossprod(factor)
  mu <- 5 * rnorm(d) / sqrt(d)
  target <- gma_mixture(c(0.5, 0.5), rbind(mu, -mu), sigma)
  ess <- function(seed, widened) {
    set.seed(seed)
    fit <- gma_sample(function(x) dmixture(x, target, log = TRUE), dim = d, vectorized = TRUE,
                      means = rbind(mu, -mu) + 0.3, covs = 0.5 * sigma,
                      control = gma_control(n_evals = 20000, progress = FALSE, em = em_control(widened = widened)))
    expect_lt(abs(fit$diagnostics[["log_z"]]), 3 * fit$diagnostics[["log_z_se"]])
    fit$diagnostics[["ess"]]
  }
  for (seed in 1:3) expect_gt(ess(seed, 0.1) / ess(seed, 0), 1.15)
})
