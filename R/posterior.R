# Draws objects for the packages users already have: posterior and coda (both suggested, so the
# methods are registered only for their generics, lazily).

#' Draws of a GMA fit as posterior or coda objects
#'
#' A fit's draws as a `posterior` draws object (`draws_matrix`, `draws_array`, `draws_df`,
#' `draws_list`, `draws_rvars` or the default `draws`), or a `coda::mcmc` object, so that
#' posterior, bayesplot and coda work on them directly.
#'
#' @section What the draws are: by default (`weighted = FALSE`) the draws are `fit$draws`: the
#'   evaluated points resampled by their Pareto-smoothed importance weights (or, without
#'   importance, drawn from the fitted mixture). They are one "chain" of independent resamples,
#'   not a Markov chain: `posterior::summarise_draws()` and `coda::effectiveSize()` find no
#'   autocorrelation in them and report an ESS near their number, while the information they
#'   carry is that of the weights they were resampled by, which is smaller. The effective sample
#'   size and Monte Carlo standard errors that hold are the importance ones in [summary()][gma_fit-methods]
#'   (`ess_importance`, `mcse_importance`) and `fit$diagnostics[["ess"]]`. The first conversion
#'   of a session says so in a message (class `gma_draws_message`); the draws object also carries
#'   the fit's importance ESS in its attribute `"gma_ess"`.
#'
#'   With `weighted = TRUE` the draws are instead every evaluated point (on the natural scale)
#'   with its Pareto-smoothed log weight in posterior's reserved `.log_weight` variable, the
#'   weights that every other summary of the fit is computed from. `posterior::resample_draws()`
#'   and `posterior::weights()` use them. posterior's summaries (`summarise_draws()`, up to at
#'   least posterior 1.7.0) do not: they would summarise the points unweighted, that is the
#'   proposal, so resample first or use `summary(fit)`. Points where the density is zero have
#'   weight zero (log weight `-Inf`).
#'
#' @param x a `gma_fit` from [gma_sample()].
#' @param weighted return every evaluated point with its log importance weight (see above)
#'   rather than the resampled draws; not for `as.mcmc()`.
#' @param ... unused.
#' @return The draws as the named class.
#' @name gma_draws
#' @seealso [gma_fit-methods] for `as.matrix()`, `as.array()` and `as.data.frame()` of the
#'   draws, and `posterior::variables()`, `ndraws()`, `nvariables()` and `subset_draws()`.
#' @examples
#' set.seed(1)
#' fit <- gma_sample(function(x) -sum((x - 1:2)^2) / 2, init = c(a = 0, b = 0),
#'                   control = gma_control(n_evals = 4000))
#' if (requireNamespace("posterior", quietly = TRUE)) {
#'   # the resampled draws, one chain of independent draws
#'   print(posterior::summarise_draws(posterior::as_draws_df(fit), "mean", "sd"))
#'   # every evaluated point with its log weight; resample to summarise
#'   w <- posterior::as_draws_df(fit, weighted = TRUE)
#'   print(posterior::summarise_draws(posterior::resample_draws(w), "mean", "sd"))
#' }
#' if (requireNamespace("coda", quietly = TRUE)) summary(coda::as.mcmc(fit))
NULL

# The draws as a posterior draws_matrix: the resampled draws (saying what they are, once a
# session), or every evaluated point with its PSIS log weight.
fit_draws_matrix <- function(x, weighted) {
  if (!check_flag(weighted, "weighted")) {
    explain_draws(x)
    out <- posterior::as_draws_matrix(x$draws)
    attr(out, "gma_ess") <- x$diagnostics[["ess"]]
    return(out)
  }
  points <- to_natural(x$bank$points, x$bounds)
  colnames(points) <- colnames(x$draws)
  posterior::weight_draws(posterior::as_draws_matrix(points), bank_log_weights(x), log = TRUE)
}

# The PSIS log weights of the bank (target over the proposal the points came from), normalised.
bank_log_weights <- function(x) gma_psis(x$bank$log_p - x$bank$log_q_proposal)$log_weights

explain_draws <- function(x) {
  message_once("draws", "gma_draws_message", sprintf(paste(
    "gmasampler: these %d draws are %s, not a Markov chain: their information is that of an",
    "importance ESS of %.0f, not of ESS estimates from posterior or coda. Use summary(fit) for",
    "importance ESS and MCSE, or as_draws(fit, weighted = TRUE) for the weighted points.",
    "(Shown once a session.)"), nrow(x$draws),
    if (x$importance) "the evaluated points resampled by importance weights"
    else "independent draws from the fitted mixture", x$diagnostics[["ess"]]))
}

#' @rdname gma_draws
#' @exportS3Method posterior::as_draws
as_draws.gma_fit <- function(x, weighted = FALSE, ...) fit_draws_matrix(x, weighted)

#' @rdname gma_draws
#' @exportS3Method posterior::as_draws_matrix
as_draws_matrix.gma_fit <- function(x, weighted = FALSE, ...) fit_draws_matrix(x, weighted)

#' @rdname gma_draws
#' @exportS3Method posterior::as_draws_array
as_draws_array.gma_fit <- function(x, weighted = FALSE, ...) {
  posterior::as_draws_array(fit_draws_matrix(x, weighted))
}

#' @rdname gma_draws
#' @exportS3Method posterior::as_draws_df
as_draws_df.gma_fit <- function(x, weighted = FALSE, ...) {
  posterior::as_draws_df(fit_draws_matrix(x, weighted))
}

#' @rdname gma_draws
#' @exportS3Method posterior::as_draws_list
as_draws_list.gma_fit <- function(x, weighted = FALSE, ...) {
  posterior::as_draws_list(fit_draws_matrix(x, weighted))
}

#' @rdname gma_draws
#' @exportS3Method posterior::as_draws_rvars
as_draws_rvars.gma_fit <- function(x, weighted = FALSE, ...) {
  posterior::as_draws_rvars(fit_draws_matrix(x, weighted))
}

#' @rdname gma_draws
#' @exportS3Method coda::as.mcmc
as.mcmc.gma_fit <- function(x, ...) {
  explain_draws(x)
  coda::mcmc(x$draws)
}

# posterior's generics that describe the draws, so that a fit answers them without conversion.

#' @rdname gma_draws
#' @exportS3Method posterior::variables
variables.gma_fit <- function(x, ...) colnames(x$draws)

#' @rdname gma_draws
#' @exportS3Method posterior::ndraws
ndraws.gma_fit <- function(x) nrow(x$draws)

#' @rdname gma_draws
#' @exportS3Method posterior::nvariables
nvariables.gma_fit <- function(x, ...) ncol(x$draws)

#' @rdname gma_draws
#' @param variable the variables to keep, by name.
#' @exportS3Method posterior::subset_draws
subset_draws.gma_fit <- function(x, variable = NULL, ...) {
  posterior::subset_draws(posterior::as_draws_matrix(x$draws), variable = variable, ...)
}
