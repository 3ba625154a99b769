# Shared targets with exact answers, and the compiled test densities (built once per test run).

log_trimodal <- function(x) {
  log(exp(-(x^2 + 0.1 * x^4)^2 / 2) + 0.3 * dnorm(x, 3, 0.5) + 0.2 * dnorm(x, -3, 0.6))
}

# x1 ~ N(0, 1), x2 | x1 ~ N(x1^2 / 2, 0.5^2): exact mean (0, 0.5), sd (1, sqrt(0.75)).
log_banana <- function(x) dnorm(x[1], log = TRUE) + dnorm(x[2], x[1]^2 / 2, 0.5, log = TRUE)
log_banana_vec <- function(x) dnorm(x[, 1], log = TRUE) + dnorm(x[, 2], x[, 1]^2 / 2, 0.5, log = TRUE)
banana_box <- rbind(c(-4, 4), c(-2, 8))

# Moments of a 1-D unnormalised density by quadrature.
quadrature_moments <- function(log_density, lower = -Inf, upper = Inf) {
  f <- function(x) exp(vapply(x, log_density, numeric(1)))
  z <- stats::integrate(f, lower, upper, rel.tol = 1e-10)$value
  m1 <- stats::integrate(function(x) x * f(x), lower, upper, rel.tol = 1e-10)$value / z
  m2 <- stats::integrate(function(x) x^2 * f(x), lower, upper, rel.tol = 1e-10)$value / z
  c(z = z, mean = m1, sd = sqrt(m2 - m1^2))
}

# A vectorised log density f that counts the points it is asked for (n()): what a fit reports in
# n_evals can then be checked against the evaluations it really made.
counting <- function(f) {
  n <- 0
  list(f = function(x) {
    n <<- n + nrow(x)
    f(x)
  }, n = function() n)
}

compiled_env <- new.env()
# The functions of tests/testthat/cpp/densities.cpp, compiled once per run. A compile error is an
# error of the test that asked, never a skip: a broken test density (or a broken header of the
# package) must not pass as a machine without a compiler. Only CRAN's check machines skip.
test_densities <- function() {
  testthat::skip_on_cran()
  if (is.null(compiled_env$compiled_density))
    Rcpp::sourceCpp(testthat::test_path("cpp", "densities.cpp"), env = compiled_env,
                    rebuild = FALSE, verbose = FALSE)
  compiled_env
}

# The compiled test density `name` as an external pointer.
compiled <- function(name) test_densities()$compiled_density(name)
