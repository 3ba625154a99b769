#' A Gaussian mixture
#'
#' Builds and checks a mixture of Gaussians. [gma_sample()] returns the fitted one in
#' `fit$mixture`; [dmixture()] and [rmixture()] evaluate and draw from it.
#'
#' @param weights `N` non-negative weights (normalised here); `NULL` for equal weights.
#' @param means an `N x d` matrix of component means, one a row (a vector when `d = 1`).
#' @param covs the component covariances: a number or `N` numbers (isotropic variances), a
#'   `d x d` matrix shared by all components, or a `d x d x N` array.
#' @return An object of class `gma_mixture`: a list with `weights`, `means` (`N x d`), `covs`
#'   (`d x d x N`) and `chols` (their lower Cholesky factors).
#' @examples
#' mix <- gma_mixture(c(0.3, 0.7), means = c(-2, 2), covs = c(1, 0.5))
#' dmixture(c(-2, 0, 2), mix)
#' hist(rmixture(1000, mix), breaks = 40)
#' @export
gma_mixture <- function(weights = NULL, means, covs) {
  means <- as_means(means)
  n_comp <- nrow(means)
  d <- ncol(means)
  covs <- as_covs(covs, n_comp, d)
  if (is.null(weights)) weights <- rep(1 / n_comp, n_comp)
  weights <- check_finite_vector(weights, "weights", n_comp)
  if (any(weights < 0) || sum(weights) <= 0)
    arg_error("weights", "must be non-negative with a positive sum")
  chols <- array(0, dim(covs))
  for (l in seq_len(n_comp)) chols[, , l] <- lower_chol(covs[, , l], sprintf("covs[, , %d]", l))
  structure(list(weights = weights / sum(weights), means = means, covs = covs, chols = chols),
            class = "gma_mixture")
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
  if (is.null(dim(covs)) && length(covs) %in% c(1L, n_comp)) {
    if (any(covs <= 0)) arg_error(name, "as variances must be > 0")
    v <- rep_len(as.numeric(covs), n_comp)
    out <- array(0, c(d, d, n_comp))
    for (l in seq_len(n_comp)) out[, , l] <- diag(v[l], d)
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

#' Density and draws of a Gaussian mixture
#'
#' @param x points: an `n x d` matrix, one a row, or a vector of `n` values when `d = 1` (a
#'   single point of a `d`-dimensional mixture can be a vector of length `d`).
#' @param mixture a [gma_mixture()], or a fit from [gma_sample()].
#' @param log return the log density.
#' @inheritParams gma_evaluate
#' @return `dmixture()`: the `n` (log) densities. `rmixture()`: an `n x d` matrix of draws (from
#'   R's random number generator, so [set.seed()] repeats them).
#' @examples
#' mix <- gma_mixture(c(0.5, 0.5), means = rbind(c(-1, 0), c(1, 0)), covs = diag(2))
#' dmixture(rbind(c(0, 0), c(1, 0)), mix, log = TRUE)
#' colMeans(rmixture(2000, mix))
#' @export
dmixture <- function(x, mixture, log = FALSE, threads = NULL) {
  mixture <- as_mixture(mixture)
  x <- as_points(x, ncol(mixture$means))
  out <- gma_mixture_log_pdf(t(x), t(mixture$means), mixture$chols, mixture$weights,
                             check_threads(threads))
  if (isTRUE(log)) out else exp(out)
}

#' @rdname dmixture
#' @param n the number of draws.
#' @export
rmixture <- function(n, mixture) {
  mixture <- as_mixture(mixture)
  n <- check_count(n, "n", min = 0)
  d <- ncol(mixture$means)
  comp <- sample.int(length(mixture$weights), n, replace = TRUE, prob = mixture$weights)
  z <- matrix(stats::rnorm(n * d), d, n)
  out <- t(gma_transform(z, comp, t(mixture$means), mixture$chols))
  colnames(out) <- colnames(mixture$means)
  out
}

as_mixture <- function(mixture) {
  if (inherits(mixture, "gma_fit")) mixture <- mixture$mixture
  if (!inherits(mixture, "gma_mixture")) arg_error("mixture", "must be a gma_mixture() or a gma_sample() fit")
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
  cat(sprintf("<gma_mixture> %d components in %d dimension(s)\n", length(x$weights), d))
  ord <- order(x$weights, decreasing = TRUE)
  top <- utils::head(ord, 10L)
  tab <- cbind(weight = x$weights[top], x$means[top, , drop = FALSE])
  colnames(tab)[-1L] <- param_names(d, colnames(x$means), prefix = "mean")
  print(signif(tab, digits))
  if (length(ord) > 10L) cat(sprintf("... and %d lighter components\n", length(ord) - 10L))
  invisible(x)
}

param_names <- function(d, names = NULL, prefix = "x") {
  if (!is.null(names) && length(names) == d) return(names)
  sprintf("%s[%d]", prefix, seq_len(d))
}
