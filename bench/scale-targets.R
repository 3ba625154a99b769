# The targets of bench/bench-scale.R and bench/make-scale-references.R. Their compiled log
# densities are in bench/scale-densities.cpp (scale_compile() builds them into an environment).

scale_compile <- function(env = parent.frame()) {
  Rcpp::sourceCpp(file.path("bench", "scale-densities.cpp"), env = env, verbose = FALSE)
  invisible(env)
}

random_rotation <- function(d) {
  q <- qr(matrix(stats::rnorm(d * d), d))
  qr.Q(q) %*% diag(sign(diag(qr.R(q))), d)
}

# N(mu, S) in d dimensions: principal sds log-spaced from 0.01 to 10 under a random rotation (from
# a fixed seed, so the target is the same on every run; R's random stream is left as it was),
# mean uniform in [-2, 2]^d, init at the origin. Exact mean and marginal sds.
rotated_gaussian <- function(d, seed) {
  old <- if (exists(".Random.seed", globalenv())) get(".Random.seed", globalenv())
  on.exit(if (!is.null(old)) assign(".Random.seed", old, globalenv()))
  set.seed(seed)
  Q <- random_rotation(d)
  s <- exp(seq(log(0.01), log(10), length.out = d))
  mu <- stats::runif(d, -2, 2)
  S <- Q %*% diag(s^2) %*% t(Q)
  list(name = sprintf("gauss_%dd", d), d = d, data = list(mu = mu, W = diag(1 / s) %*% t(Q)),
       init = rep(0, d), mean = mu, sd = sqrt(diag(S)),
       note = sprintf("%d-D N(mu, S): principal sds 0.01 to 10 (log-spaced), random rotation (seed %d), mu in [-2, 2]^%d; init 0",
                      d, seed, d))
}

# The varying-intercept regression on datasets::ChickWeight (578 weighings of 50 chicks, days 0 to
# 21): log weight_ij = a_i + b * day_ij + e_ij, e_ij ~ N(0, sigma^2), a_i ~ N(mu, tau^2);
# mu, b ~ N(0, 10^2); tau^2, sigma^2 ~ inverse-gamma(1, 0.01). Parameters (54): a[1..50] (chick
# numbers), mu, b, log_tau, log_sigma (centred parametrisation; day not centred, so b and the
# intercepts are correlated).
chick_data <- function() {
  cw <- datasets::ChickWeight
  list(y = log(cw$weight), t = as.numeric(cw$Time), g = as.numeric(as.character(cw$Chick)) - 1,
       prior = c(alpha = 1, beta = 0.01, sd = 10))
}
chick_names <- c(sprintf("a[%d]", 1:50), "mu", "b", "log_tau", "log_sigma")
# a plain start: every intercept and their mean at the mean log weight, no slope, unit sds
chick_init <- function() {
  y <- chick_data()$y
  c(rep(mean(y), 51), 0, 0, 0)
}

# The same log density in R (a check of the compiled one).
chick_lp_r <- function(th, dat = chick_data()) {
  G <- 50
  a <- th[1:G]; mu <- th[G + 1]; b <- th[G + 2]; lt <- th[G + 3]; ls <- th[G + 4]
  p <- dat$prior
  r <- dat$y - a[dat$g + 1] - b * dat$t
  -length(dat$y) * ls - 0.5 * sum(r^2) * exp(-2 * ls) - G * lt - 0.5 * sum((a - mu)^2) * exp(-2 * lt) -
    0.5 * (mu^2 + b^2) / p[["sd"]]^2 - 2 * p[["alpha"]] * (lt + ls) -
    p[["beta"]] * (exp(-2 * lt) + exp(-2 * ls))
}
