#' A mixture of Gaussian or Student t components
#'
#' Builds and checks a mixture. [gma_sample()] returns the fitted one in `fit$mixture`;
#' [dmixture()] and [rmixture()] evaluate and draw from it.
#'
#' @param weights `N` non-negative weights (normalised here); `NULL` for equal weights.
#' @param means an `N x d` matrix of component means (locations), one a row (a vector when
#'   `d = 1`).
#' @param covs the components' covariances (for `family = "t"`, their scale matrices: a t
#'   component's covariance is `df / (df - 2)` times its scale matrix when `df > 2`): a number or
#'   `N` numbers (isotropic), a `d x d` matrix shared by all components, or a `d x d x N` array.
#' @param family `"gaussian"`, or `"t"` for multivariate Student t components.
#' @param df for `family = "t"`, the degrees of freedom: one number for all components or `N`
#'   numbers, each > 0 (`Inf` makes that component Gaussian).
#' @return An object of class `gma_mixture`: a list with `weights`, `means` (`N x d`), `covs`
#'   (`d x d x N`), `chols` (their lower Cholesky factors), `family` and `df` (`N` degrees of
#'   freedom, `Inf` for Gaussian components).
#' @examples
#' mix <- gma_mixture(c(0.3, 0.7), means = c(-2, 2), covs = c(1, 0.5))
#' dmixture(c(-2, 0, 2), mix)
#' hist(rmixture(1000, mix), breaks = 40)
#' heavy <- gma_mixture(NULL, means = rbind(c(0, 0), c(3, 3)), covs = diag(2), family = "t", df = 4)
#' colMeans(rmixture(4000, heavy))
#' @export
gma_mixture <- function(weights = NULL, means, covs, family = c("gaussian", "t"), df = NULL) {
  check_given(c("means", "covs"))
  means <- as_means(means)
  n_comp <- nrow(means)
  d <- ncol(means)
  # one covariance for all (a number or a matrix, as the default designs give): one factorisation
  shared <- is.numeric(covs) && (is.matrix(covs) || is.null(dim(covs)) && length(covs) == 1L)
  covs <- as_covs(covs, n_comp, d)
  family <- match_choice(family, c("gaussian", "t"), "family")
  df <- component_df(family, df, n_comp)
  if (is.null(weights)) weights <- rep(1 / n_comp, n_comp)
  weights <- check_finite_vector(weights, "weights", n_comp)
  if (any(weights < 0) || sum(weights) <= 0)
    arg_error("weights", "must be non-negative with a positive sum")
  chols <- if (shared) array(lower_chol(covs[, , 1L], "covs[, , 1]"), dim(covs)) else array(0, dim(covs))
  if (!shared) for (l in seq_len(n_comp)) chols[, , l] <- lower_chol(covs[, , l], sprintf("covs[, , %d]", l))
  structure(list(weights = weights / sum(weights), means = means, covs = covs, chols = chols,
                 family = family, df = df),
            class = "gma_mixture")
}

# The degrees of freedom of each component: Inf for Gaussians.
component_df <- function(family, df, n_comp) {
  if (family == "gaussian") {
    if (!is.null(df)) arg_error("df", 'is for family = "t"')
    return(rep(Inf, n_comp))
  }
  if (is.null(df) || !is.numeric(df) || !(length(df) %in% c(1L, n_comp)) || anyNA(df) || any(df <= 0))
    arg_error("df", sprintf('must be one number or %d numbers > 0 (Inf for a Gaussian component) with family = "t"',
                            n_comp))
  rep_len(as.numeric(df), n_comp)
}

as_means <- function(means, name = "means") {
  if (is.numeric(means) && is.null(dim(means))) means <- matrix(means, ncol = 1L)
  if (!is.matrix(means) || !is.numeric(means) || nrow(means) < 1L)
    arg_error(name, "must be a numeric matrix with one component mean a row")
  if (anyNA(means) || any(!is.finite(means))) arg_error(name, "must hold finite values")
  storage.mode(means) <- "double"
  means
}

as_covs <- function(covs, n_comp, d, name = "covs") {
  if (!is.numeric(covs) || anyNA(covs) || any(!is.finite(covs)))
    arg_error(name, "must hold finite numbers")
  if (any(abs(covs) > 1e300))  # a defensive component (4 times wider) and sums of them overflow
    arg_error(name, sprintf("must hold numbers no larger than 1e300 in size, not %s", format(max(abs(covs)), digits = 3)))
  if (is.null(dim(covs)) && length(covs) %in% c(1L, n_comp)) {
    if (any(covs <= 0)) arg_error(name, "as variances must be > 0")
    v <- rep_len(as.numeric(covs), n_comp)
    out <- array(0, c(d, d, n_comp))
    for (k in seq_len(d)) out[k, k, ] <- v
    return(out)
  }
  if (is.matrix(covs) && all(dim(covs) == d)) return(array(covs, c(d, d, n_comp)))
  if (length(dim(covs)) == 3L && all(dim(covs) == c(d, d, n_comp))) {
    storage.mode(covs) <- "double"
    return(covs)
  }
  arg_error(name, sprintf(
    "must be a number or %d variances, a %d x %d matrix, or a %d x %d x %d array", n_comp, d, d, d, d, n_comp))
}

lower_chol <- function(sigma, label) {
  if (max(abs(sigma - t(sigma))) > 1e-8 * max(1, max(abs(sigma))))
    arg_error(label, "must be symmetric")
  u <- tryCatch(chol(sigma), error = function(e) NULL)
  if (is.null(u) || any(diag(u) <= 0)) arg_error(label, "must be positive definite")
  t(u)
}

#' Density and draws of a mixture
#'
#' @param x points: an `n x d` matrix, one a row, or a vector of `n` values when `d = 1` (a
#'   single point of a `d`-dimensional mixture can be a vector of length `d`).
#' @param mixture a [gma_mixture()], or a fit from [gma_sample()].
#' @param log return the log density.
#' @inheritParams gma_evaluate
#' @return `dmixture()`: the `n` (log) densities. `rmixture()`: an `n x d` matrix of draws in
#'   random order (from R's random number generator, so [set.seed()] repeats them), with the
#'   components' counts stratified: within two of `n` times their weights.
#' @examples
#' mix <- gma_mixture(c(0.5, 0.5), means = rbind(c(-1, 0), c(1, 0)), covs = diag(2))
#' dmixture(rbind(c(0, 0), c(1, 0)), mix, log = TRUE)
#' colMeans(rmixture(2000, mix))
#' @export
dmixture <- function(x, mixture, log = FALSE, threads = NULL) {
  check_given(c("x", "mixture"))
  mixture <- as_mixture(mixture)
  x <- as_points(x, ncol(mixture$means))
  out <- gma_mixture_log_pdf(t(x), mixture, check_threads(threads))
  if (isTRUE(log)) out else exp(out)
}

#' @rdname dmixture
#' @param n the number of draws.
#' @param max_memory the most memory, in bytes, the draws may take (with their temporary copies,
#'   about `8 * n * (3 * d + 6)` bytes): more is an error of class `gma_error_memory` before
#'   anything is drawn.
#' @export
rmixture <- function(n, mixture, max_memory = 4 * 2^30) {
  check_given(c("n", "mixture"))
  mixture <- as_mixture(mixture)
  n <- check_count(n, "n", min = 0)
  max_memory <- check_number(max_memory, "max_memory", min = 0, open_min = TRUE)
  d <- ncol(mixture$means)
  check_memory(mixture_draws_bytes(n, d), max_memory, paste(format_count(n), "draws", in_dims(d)),
               "draw fewer at a time", raise = "`max_memory`")
  draw_mixture(mixture, n)[sample.int(n), , drop = FALSE]
}

# n points (n x d) from a mixture, ordered by component: component labels by stratified
# resampling of the weights (counts within two of n * w), then a draw from each point's component.
draw_mixture <- function(mixture, n) {
  comp <- gma_resample(mixture$weights, stats::runif(n), n, "stratified")
  component_draws(mixture, comp)
}

# One draw from component comp[i] of the mixture for each i (length(comp) x d): mean + radius(s)
# L (scale z) with z standard normal and, for t components, s a chi-square variate over its
# degrees of freedom. Gaussian components take no mixing variate, so their stream of random
# numbers is that of plain normal draws.
component_draws <- function(mixture, comp, scale = 1) {
  n <- length(comp)
  d <- ncol(mixture$means)
  z <- stats::rnorm(n * d)
  dim(z) <- c(d, n)  # in place: matrix() would copy the n x d numbers
  s <- rep(1, n)
  df <- mixture$df[comp]
  heavy <- is.finite(df)
  if (any(heavy)) s[heavy] <- stats::rchisq(sum(heavy), df[heavy]) / df[heavy]
  x <- gma_transform(z, comp, s, mixture, scale)
  colnames(x) <- colnames(mixture$means)
  x
}

# The mixture's mean and covariance (t components of df <= 2 count with their scale matrix, which
# understates their spread: they have no covariance).
mixture_moments <- function(mixture) {
  w <- mixture$weights
  df <- mixture$df
  inflate <- ifelse(is.finite(df) & df > 2, df / (df - 2), 1)
  m <- colSums(mixture$means * w)
  d <- length(m)
  within <- matrix(matrix(mixture$covs, d * d) %*% (w * inflate), d)
  between <- crossprod(sweep(mixture$means, 2, m) * sqrt(w))
  list(mean = m, cov = within + between)
}

# The mixture (1 - share) a + share b (both already checked: their Cholesky factors are reused).
combine_mixtures <- function(a, b, share) {
  d <- ncol(a$means)
  means <- rbind(a$means, b$means)
  rownames(means) <- NULL
  k <- nrow(means)
  structure(list(weights = c((1 - share) * a$weights, share * b$weights), means = means,
                 covs = array(c(a$covs, b$covs), c(d, d, k)), chols = array(c(a$chols, b$chols), c(d, d, k)),
                 family = if (a$family == "t" || b$family == "t") "t" else "gaussian", df = c(a$df, b$df)),
            class = "gma_mixture")
}

as_mixture <- function(mixture) {
  if (inherits(mixture, "gma_fit")) mixture <- mixture$mixture
  if (!inherits(mixture, "gma_mixture")) arg_error("mixture", "must be a gma_mixture() or a gma_sample() fit")
  if (is.null(mixture$df)) mixture$df <- rep(Inf, length(mixture$weights))  # made before 0.3.0
  mixture
}

as_points <- function(x, d, name = "x") {
  if (is.null(dim(x))) x <- if (d == 1L) matrix(x, ncol = 1L) else matrix(x, nrow = 1L)
  if (!is.numeric(x) || ncol(x) != d)
    arg_error(name, sprintf("must be a numeric matrix with %d column(s)", d))
  storage.mode(x) <- "double"
  x
}

#' @export
print.gma_mixture <- function(x, digits = 3, ...) {
  d <- ncol(x$means)
  df <- if (is.null(x$df)) Inf else unique(x$df)
  what <- if (all(is.infinite(df))) "Gaussian" else if (length(df) == 1L) sprintf("t (%g df)", df) else "t"
  cat(sprintf("<gma_mixture> %d %s components in %d dimension(s)\n", length(x$weights), what, d))
  ord <- order(x$weights, decreasing = TRUE)
  top <- utils::head(ord, 10L)
  tab <- cbind(weight = x$weights[top], x$means[top, , drop = FALSE])
  colnames(tab)[-1L] <- param_names(d, colnames(x$means), prefix = "mean")
  if (length(df) > 1L) tab <- cbind(tab, df = x$df[top])
  print(signif(tab, digits))
  if (length(ord) > 10L) cat(sprintf("... and %d lighter components\n", length(ord) - 10L))
  invisible(x)
}
