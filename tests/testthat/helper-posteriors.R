# Regression-type posteriors built from R's datasets, for the accuracy tests and for
# bench/make-references.R and bench/bench-posteriors.R (which source this file).
#
# posterior_targets() returns a named list; each target is a list with
#   log_density: a vectorised function of an n x d matrix (a vector is taken as one point)
#                returning n log densities up to a constant; -Inf (never NaN or +Inf) where
#                the density is zero or cannot be computed;
#   dim, names:  the dimension and the parameter names;
#   init:        a named starting point a user would give (zeros, a sample mean, log of a sample
#                sd): deliberately not the posterior mode;
#   note:        what the target is and why it is in the set.
# Every parameter is unconstrained (scales as log sd, with the Jacobian in the density).
# The reference moments are in fixtures/posterior-references.rds (bench/make-references.R).

# The matrix of points, one a row, from what the caller passed.
as_point_matrix <- function(x, d) {
  if (!is.matrix(x)) x <- matrix(x, nrow = 1L)
  if (ncol(x) != d) stop(sprintf("expected %d columns, got %d", d, ncol(x)))
  x
}

# NaN or +Inf (overflow at absurd points) become -Inf.
finite_or_minus_inf <- function(lp) {
  lp[is.na(lp) | lp == Inf] <- -Inf
  lp
}

# log(1 + exp(x)) without overflow.
log1p_exp <- function(x) pmax(x, 0) + log1p(exp(-abs(x)))

# Bernoulli log likelihood of a logistic regression at every point: X is N x p, B is n x p.
logistic_loglik <- function(X, y, B) {
  eta <- X %*% t(B)                      # N x n
  colSums(y * eta - log1p_exp(eta))
}

# Log density of N(0, s^2) priors on the columns of B, up to a constant.
normal_prior <- function(B, s) -0.5 * rowSums(sweep(B, 2L, s, "/")^2)

# Log density of a half-normal(0, s) prior on exp(u), with the Jacobian of u = log(scale).
log_half_normal_on_log <- function(u, s) -0.5 * exp(2 * u) / s^2 + u

# Runs `expr` with a fixed seed and restores the caller's random-number state afterwards.
with_fixed_seed <- function(seed, expr) {
  env <- globalenv()
  had_seed <- exists(".Random.seed", envir = env, inherits = FALSE)
  if (had_seed) old_seed <- get(".Random.seed", envir = env, inherits = FALSE)
  old_kind <- RNGkind()
  on.exit({
    RNGkind(old_kind[1L], old_kind[2L], old_kind[3L])
    if (had_seed) assign(".Random.seed", old_seed, envir = env)
    else if (exists(".Random.seed", envir = env, inherits = FALSE))
      rm(".Random.seed", envir = env)
  })
  set.seed(seed, kind = "Mersenne-Twister", normal.kind = "Inversion", sample.kind = "Rejection")
  expr
}

make_target <- function(log_density, init, note) {
  list(log_density = log_density, dim = length(init), init = init, names = names(init),
       note = note)
}

# (a) mtcars: mpg ~ wt + hp + disp, raw units (hp and disp coefficients have sds ~ 0.01).
target_mtcars <- function() {
  X <- cbind(1, as.matrix(datasets::mtcars[, c("wt", "hp", "disp")]))
  y <- datasets::mtcars$mpg
  n_obs <- length(y)
  prior_sd <- rep(100, 4L)
  init <- c("(Intercept)" = mean(y), wt = 0, hp = 0, disp = 0, log_sigma = log(stats::sd(y)))
  f <- function(x) {
    x <- as_point_matrix(x, 5L)
    B <- x[, 1:4, drop = FALSE]
    ls <- x[, 5L]
    ss <- colSums((y - X %*% t(B))^2)
    finite_or_minus_inf(-n_obs * ls - 0.5 * ss * exp(-2 * ls) + normal_prior(B, prior_sd))
  }
  make_target(f, init, paste(
    "mtcars linear regression mpg ~ wt + hp + disp in raw units; N(0, 100^2) on coefficients,",
    "flat on log sigma; near-Gaussian, coefficient sds from ~0.01 to ~3"))
}

# (b) iris: versicolor (0) vs virginica (1) on three raw features (setosa vs versicolor is
# separable).
target_iris <- function() {
  ir <- datasets::iris[datasets::iris$Species != "setosa", ]
  X <- cbind(1, as.matrix(ir[, c("Sepal.Width", "Petal.Length", "Petal.Width")]))
  y <- as.numeric(ir$Species == "virginica")
  prior_sd <- rep(10, 4L)
  init <- c("(Intercept)" = 0, Sepal.Width = 0, Petal.Length = 0, Petal.Width = 0)
  f <- function(x) {
    x <- as_point_matrix(x, 4L)
    finite_or_minus_inf(logistic_loglik(X, y, x) + normal_prior(x, prior_sd))
  }
  make_target(f, init, paste(
    "iris logistic regression, virginica vs versicolor on Sepal.Width, Petal.Length,",
    "Petal.Width (raw); N(0, 10^2) priors; nearly separable, so the posterior is skewed and",
    "prior-limited in the intercept"))
}

# (c) simulated logistic regression: n = 2000, 12 correlated raw features on scales from 0.02
# to 50, some with large offsets (so the intercept is correlated with them).
target_sim_logistic <- function() {
  p <- 12L
  dat <- with_fixed_seed(20251126L, {
    rho <- 0.6
    R <- rho^abs(outer(seq_len(p), seq_len(p), "-"))
    Z <- matrix(stats::rnorm(2000L * p), 2000L) %*% chol(R)
    scale <- c(0.02, 0.1, 0.5, 1, 1, 2, 5, 10, 10, 20, 50, 50)
    offset <- c(0, 0, 1, 0, 5, 0, 0, 40, 0, 100, 0, 500)
    b_std <- c(0.3, -0.5, 0.8, 0, 0.4, -0.7, 0.2, 0.6, -0.3, 0.5, -0.4, 0.1)
    eta <- -0.3 + drop(Z %*% b_std)
    y <- stats::rbinom(2000L, 1L, stats::plogis(eta))
    X <- sweep(sweep(Z, 2L, scale, "*"), 2L, offset, "+")
    list(X = cbind(1, X), y = y)
  })
  X <- dat$X
  y <- dat$y
  prior_sd <- rep(100, p + 1L)
  init <- stats::setNames(numeric(p + 1L), c("(Intercept)", sprintf("x%02d", seq_len(p))))
  f <- function(x) {
    x <- as_point_matrix(x, p + 1L)
    finite_or_minus_inf(logistic_loglik(X, y, x) + normal_prior(x, prior_sd))
  }
  make_target(f, init, paste(
    "simulated logistic regression (n = 2000, fixed seed), 12 AR(0.6)-correlated raw features",
    "on scales 0.02 to 50, offsets up to 500; N(0, 100^2) priors; near-Gaussian, sds ~1e-3 to ~5"))
}

# (d) warpbreaks: Poisson GLM breaks ~ wool * tension.
target_warpbreaks <- function() {
  X <- stats::model.matrix(~ wool * tension, datasets::warpbreaks)
  y <- datasets::warpbreaks$breaks
  prior_sd <- rep(10, ncol(X))
  init <- stats::setNames(c(log(mean(y)), numeric(ncol(X) - 1L)), colnames(X))
  f <- function(x) {
    x <- as_point_matrix(x, ncol(X))
    eta <- X %*% t(x)
    finite_or_minus_inf(colSums(y * eta - exp(eta)) + normal_prior(x, prior_sd))
  }
  make_target(f, init, paste(
    "warpbreaks Poisson GLM breaks ~ wool * tension (treatment contrasts); N(0, 10^2) priors;",
    "near-Gaussian, sds ~0.06 to ~0.15"))
}

# (e) AR(2) on lh, likelihood conditional on the first two observations, in the intercept form
# y_t = c + phi1 y_{t-1} + phi2 y_{t-2} + e_t. (In the mean form, y_t - mu = phi1 (y_{t-1} - mu) +
# ..., the mean mu = c / (1 - phi1 - phi2) is a ratio with a heavy tail where phi1 + phi2 nears 1:
# its posterior sd is about three times its Laplace sd and is dominated by draws of prior size, so
# no sampler, the reference chains included, estimates it to 10% at a sane cost.)
target_ar2 <- function() {
  y <- as.numeric(datasets::lh)
  n <- length(y)
  y0 <- y[3:n]
  X <- cbind(1, y[2:(n - 1L)], y[1:(n - 2L)])
  m <- n - 2L
  init <- c(c = mean(y), phi1 = 0, phi2 = 0, log_sigma = log(stats::sd(y)))
  f <- function(x) {
    x <- as_point_matrix(x, 4L)
    ls <- x[, 4L]
    ss <- colSums((y0 - X %*% t(x[, 1:3, drop = FALSE]))^2)
    lp <- -m * ls - 0.5 * ss * exp(-2 * ls) - 0.5 * (x[, 1L] / 10)^2 -
      0.5 * (x[, 2L]^2 + x[, 3L]^2)
    finite_or_minus_inf(lp)
  }
  make_target(f, init, paste(
    "AR(2) on lh (48 hormone levels), conditional likelihood, intercept c, phi1, phi2,",
    "log sigma; N(0, 10^2) on c, N(0, 1) on the phis (no stationarity constraint), flat on",
    "log sigma; near-Gaussian"))
}

# Sufficient statistics of chickwts by feed, weight in units of 10 g.
chickwts_stats <- function() {
  y <- datasets::chickwts$weight / 10
  g <- datasets::chickwts$feed
  n_j <- as.numeric(table(g))
  ybar <- as.numeric(tapply(y, g, mean))
  ss_within <- sum((y - ybar[as.integer(g)])^2)
  list(y = y, n_j = n_j, ybar = ybar, ss_within = ss_within, n = length(y),
       feeds = levels(g))
}

# Hierarchical normal model of the six feed means (weight / 10):
#   y_ij ~ N(theta_j, sigma), theta_j ~ N(mu, tau), mu ~ N(0, 50^2),
#   tau ~ half-normal(0, 10), sigma ~ half-normal(0, 10).
# Log density in (mu, log tau, theta, log sigma) from the sufficient statistics.
chickwts_centred_lp <- function(mu, lt, theta, ls, st) {
  tau <- exp(lt)
  # sum_ij (y_ij - theta_j)^2 = SS_within + sum_j n_j (ybar_j - theta_j)^2
  dev <- sweep(theta, 2L, st$ybar, "-")
  ss <- st$ss_within + drop(dev^2 %*% st$n_j)
  lik <- -st$n * ls - 0.5 * ss * exp(-2 * ls)
  th <- rowSums((theta - mu)^2)
  prior_theta <- -ncol(theta) * lt - 0.5 * th / tau^2
  lik + prior_theta - 0.5 * (mu / 50)^2 +
    log_half_normal_on_log(lt, 10) + log_half_normal_on_log(ls, 10)
}

# (f) centred parametrisation.
target_chickwts_centred <- function() {
  st <- chickwts_stats()
  J <- length(st$feeds)
  init <- c(mu = mean(st$y), log_tau = 0,
            stats::setNames(rep(mean(st$y), J), paste0("theta_", st$feeds)),
            log_sigma = log(stats::sd(st$y)))
  f <- function(x) {
    x <- as_point_matrix(x, J + 3L)
    finite_or_minus_inf(chickwts_centred_lp(x[, 1L], x[, 2L], x[, 2L + seq_len(J), drop = FALSE],
                                            x[, J + 3L], st))
  }
  make_target(f, init, paste(
    "hierarchical normal model of the six chickwts feed means (weight / 10), centred:",
    "mu, log tau, theta_j, log sigma; skewed in log tau and funnel-shaped in (log tau, theta)"))
}

# (g) non-centred: theta_j = mu + tau * eta_j, eta_j ~ N(0, 1): the same posterior as (f) after
# the change of variables (the Jacobian tau^J cancels the prior's 1 / tau^J).
target_chickwts_noncentred <- function() {
  st <- chickwts_stats()
  J <- length(st$feeds)
  init <- c(mu = mean(st$y), log_tau = 0,
            stats::setNames(numeric(J), paste0("eta_", st$feeds)),
            log_sigma = log(stats::sd(st$y)))
  f <- function(x) {
    x <- as_point_matrix(x, J + 3L)
    mu <- x[, 1L]; lt <- x[, 2L]; eta <- x[, 2L + seq_len(J), drop = FALSE]; ls <- x[, J + 3L]
    theta <- mu + exp(lt) * eta
    dev <- sweep(theta, 2L, st$ybar, "-")
    ss <- st$ss_within + drop(dev^2 %*% st$n_j)
    lp <- -st$n * ls - 0.5 * ss * exp(-2 * ls) - 0.5 * rowSums(eta^2) - 0.5 * (mu / 50)^2 +
      log_half_normal_on_log(lt, 10) + log_half_normal_on_log(ls, 10)
    finite_or_minus_inf(lp)
  }
  make_target(f, init, paste(
    "the chickwts hierarchical model non-centred: mu, log tau, eta_j, log sigma with",
    "theta_j = mu + tau eta_j; curved (banana-shaped) in (log tau, eta_j) because the data",
    "pin down theta_j"))
}

# All targets, in a fixed order.
posterior_targets <- function() {
  list(
    mtcars_lm = target_mtcars(),
    iris_logistic = target_iris(),
    sim_logistic = target_sim_logistic(),
    warpbreaks_poisson = target_warpbreaks(),
    lh_ar2 = target_ar2(),
    chickwts_centred = target_chickwts_centred(),
    chickwts_noncentred = target_chickwts_noncentred()
  )
}

# The reference moments (NULL when the fixture is missing).
posterior_references <- function() {
  path <- testthat::test_path("fixtures", "posterior-references.rds")
  if (!file.exists(path)) return(NULL)
  readRDS(path)
}

# Eight schools (Rubin 1981), centred: y_j ~ N(theta_j, sigma_j), theta_j ~ N(mu, tau),
# mu ~ N(0, 5^2), tau ~ half-Cauchy(0, 5); parameters (mu, log tau, theta_1..8), vectorised.
eight_schools <- list(y = c(28, 8, -3, 7, -1, 1, 18, 12), sigma = c(15, 10, 16, 11, 9, 11, 10, 18))
log_eight_schools_centred <- function(x) {
  x <- matrix(x, ncol = 10L)
  tau <- exp(x[, 2])
  theta <- x[, -(1:2), drop = FALSE]
  stats::dnorm(x[, 1], 0, 5, log = TRUE) + log(2 / (pi * 5 * (1 + (tau / 5)^2))) + x[, 2] +
    rowSums(stats::dnorm(theta, x[, 1], tau, log = TRUE)) +
    rowSums(stats::dnorm(sweep(theta, 2, eight_schools$y), 0,
                         rep(eight_schools$sigma, each = nrow(x)), log = TRUE))
}

# The posterior mean and sd of log tau by quadrature: with mu and theta integrated out exactly,
# y ~ N(0, diag(sigma^2 + tau^2) + 25 11').
eight_schools_log_tau_moments <- function() {
  u <- seq(-25, 10, length.out = 20001)
  log_w <- vapply(u, function(ui) {
    v <- eight_schools$sigma^2 + exp(2 * ui)
    prec <- 1 / 25 + sum(1 / v)
    log(2 / (pi * 5 * (1 + exp(2 * ui) / 25))) + ui -
      0.5 * (sum(log(v)) + log(1 + 25 * sum(1 / v)) + sum(eight_schools$y^2 / v) -
               sum(eight_schools$y / v)^2 / prec)
  }, numeric(1))
  w <- exp(log_w - max(log_w))
  m <- sum(w * u) / sum(w)
  # log Z: the marginal likelihood above leaves out (2 pi)^(-8 / 2)
  c(mean = m, sd = sqrt(sum(w * (u - m)^2) / sum(w)),
    log_z = max(log_w) + log(sum(w) * diff(u[1:2])) - 4 * log(2 * pi))
}
