#' gmasampler: sampling by Gaussian mixture approximation
#'
#' Samples a density known up to a constant, given only a function that returns its log, by
#' fitting a mixture of Gaussians to it and correcting by importance weights. Start with
#' [gma_sample()].
#'
#' The default method, `method = "em"`, searches for the target's modes (a space-filling
#' screening, BFGS on batched finite differences, Laplace approximations at the modes), refines
#' the mixture by rounds of population EM on fresh batches of density evaluations, and returns
#' every evaluated point resampled by its Pareto-smoothed importance weight ([gma_psis()]). The
#' same weights give the Pareto k diagnostic, the effective sample size and the log evidence
#' ([gma_evidence()]). `method = "wgma"` is the weight fit of Huang (2025); `method = "lma"` the
#' Laplace mixture alone.
#'
#' @section The functions by task:
#' * Sampling: [gma_sample()], its settings [gma_control()], [em_control()], [wgma_control()],
#'   [lma_control()].
#' * Mixtures: [gma_mixture()], [dmixture()], [rmixture()].
#' * Diagnostics: `summary()` and `plot()` of a fit ([gma_fit-methods]), [gma_psis()],
#'   [gma_evidence()].
#' * Draws: [gma_draws] (posterior and coda objects, weighted draws), `as.array()` for bayesplot.
#' * Compiled densities: [gma_target()], [gma_evaluate()], and the C++ interface in
#'   [gma_sample()]'s section "Compiled log densities".
#'
#' `threads` defaults to the option `gmasampler.threads`, else the environment variable
#' `GMASAMPLER_THREADS`, else `RCPP_PARALLEL_NUM_THREADS`, else 2.
#'
#' @references Huang, Y. (2025). Sampling via Gaussian mixture approximations.
#'   arXiv:2509.25232. `citation("gmasampler")` gives it and the package.
"_PACKAGE"

#' @useDynLib gmasampler, .registration = TRUE
#' @importFrom Rcpp sourceCpp
#' @importFrom RcppParallel RcppParallelLibs defaultNumThreads
#' @importFrom stats coef vcov
NULL
