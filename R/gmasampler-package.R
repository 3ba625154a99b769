#' gmasampler: sampling by Gaussian mixture approximation
#'
#' Fits a mixture of fixed Gaussian components to an unnormalised target density by minimising a
#' sample estimate of the reverse Kullback-Leibler divergence in the mixture weights (W-GMA), then
#' draws by stratified resampling of the evaluated points. All log-density calls form one batch,
#' evaluated in parallel threads for compiled densities. Start with [gma_sample()].
#'
#' @keywords internal
"_PACKAGE"

#' @useDynLib gmasampler, .registration = TRUE
#' @importFrom Rcpp sourceCpp
#' @importFrom RcppParallel RcppParallelLibs defaultNumThreads
#' @importFrom stats coef vcov
NULL
