# Seeds and Monte Carlo errors of the statistical tests.

# The seed of a statistical test: s, shifted by getOption("gmasampler.test_seed_offset"), so that
# bench/test-tolerances.R can run the same tests on other seeds. A bound tuned on the seeds the
# suite happens to use would pass here and fail there.
test_seed <- function(s) s + getOption("gmasampler.test_seed_offset", 0L)

# The Monte Carlo sd of a fit's estimate of E[h(x)] from its importance-corrected draws. The draws
# are resampled from the evaluated points by their PSIS weights w (sum 1), so the error is the
# self-normalised importance estimate's, sqrt(sum w^2 (h - E h)^2), plus, when `resampled`, the
# resampling's, sd(h) / sqrt(n draws) (an upper bound: stratified resampling adds less). h takes
# the points, one a row, on the natural scale.
mc_sd <- function(fit, h, resampled = TRUE) {
  w <- exp(gma_psis(fit$bank$log_p - fit$bank$log_q_proposal)$log_weights)
  hx <- h(gmasampler:::to_natural(fit$bank$points, fit$bounds))
  dev2 <- (hx - sum(w * hx))^2
  sqrt(sum(w^2 * dev2) + if (resampled) sum(w * dev2) / nrow(fit$draws) else 0)
}

# The draws' column means and sds against exact ones, in Monte Carlo sds (the sd's from that of
# the variance, by the delta method): the largest over the columns.
mean_error_in_mc_sd <- function(fit, mean) {
  max(vapply(seq_along(mean), function(j) {
    abs(mean(fit$draws[, j]) - mean[j]) / mc_sd(fit, function(x) x[, j])
  }, numeric(1)))
}
sd_error_in_mc_sd <- function(fit, sd) {
  max(vapply(seq_along(sd), function(j) {
    m <- mean(fit$draws[, j])
    abs(stats::sd(fit$draws[, j]) - sd[j]) / (mc_sd(fit, function(x) (x[, j] - m)^2) / (2 * sd[j]))
  }, numeric(1)))
}
