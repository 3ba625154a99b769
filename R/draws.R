# Turning fitted weights into draws from the bank, without new density evaluations.

# Indices of n draws from the bank: component labels by resampling the weights, then, within each
# component, bank points by stratified resampling of equal weights (each point of a component is
# used floor or ceiling of count / M times). The order is shuffled at the end so that the draws
# carry no block structure.
resample_bank <- function(weights, per_comp, n, scheme) {
  n_comp <- length(weights)
  u <- if (scheme == "systematic") stats::runif(1L) else stats::runif(n)
  comp <- gma_resample(weights, u, n, scheme)
  counts <- tabulate(comp, n_comp)
  within <- integer(n)
  start <- 0L
  for (i in which(counts > 0L)) {
    k <- counts[i]
    idx <- gma_resample(rep(1, per_comp), stats::runif(k), k, "stratified")
    within[start + seq_len(k)] <- (i - 1L) * per_comp + idx
    start <- start + k
  }
  within[sample.int(n)]
}

# Indices of n draws by resampling normalised log weights.
resample_weights <- function(log_weights, n, scheme) {
  w <- exp(log_weights - max(log_weights))
  u <- if (scheme == "systematic") stats::runif(1L) else stats::runif(n)
  gma_resample(w, u, n, scheme)[sample.int(n)]
}
