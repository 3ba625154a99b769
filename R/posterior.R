# Draws objects for the packages users already have: posterior and coda (both suggested, so the
# methods are registered only for their generics, lazily).

#' Draws of a GMA fit as posterior or coda objects
#'
#' A fit's draws (importance-corrected where the fit is) as a `posterior::draws_matrix`,
#' `draws_df` or `draws`, or a `coda::mcmc` object, so that `posterior::summarise_draws()`,
#' bayesplot and coda work on them directly. The draws are independent resamples, not a chain:
#' diagnostics that look for autocorrelation find none, and the effective sample size that
#' matters is the importance sampling one in `fit$diagnostics`.
#'
#' @param x a `gma_fit` from [gma_sample()].
#' @param ... unused.
#' @return The draws as the named class.
#' @name gma_draws
#' @examples
#' set.seed(1)
#' fit <- gma_sample(function(x) -sum((x - 1:2)^2) / 2, init = c(a = 0, b = 0),
#'                   control = gma_control(n_evals = 4000))
#' if (requireNamespace("posterior", quietly = TRUE)) {
#'   print(posterior::summarise_draws(posterior::as_draws_df(fit)))
#' }
#' if (requireNamespace("coda", quietly = TRUE)) summary(coda::as.mcmc(fit))
NULL

#' @rdname gma_draws
#' @exportS3Method posterior::as_draws
as_draws.gma_fit <- function(x, ...) as_draws_matrix.gma_fit(x, ...)

#' @rdname gma_draws
#' @exportS3Method posterior::as_draws_matrix
as_draws_matrix.gma_fit <- function(x, ...) posterior::as_draws_matrix(x$draws)

#' @rdname gma_draws
#' @exportS3Method posterior::as_draws_df
as_draws_df.gma_fit <- function(x, ...) posterior::as_draws_df(posterior::as_draws_matrix(x$draws))

#' @rdname gma_draws
#' @exportS3Method coda::as.mcmc
as.mcmc.gma_fit <- function(x, ...) coda::mcmc(x$draws)
