test_that("systematic counts are within one of n * w, stratified within two", {
  # a weight's interval meets at most two strata partly: systematic positions, one per stratum
  # at the same offset, fall in it floor or ceiling of n * w times; stratified ones, independent
  # within strata, can miss or hit both ends
  set.seed(test_seed(1))
  w <- c(0.5, 0.25, 0.13, 0.0625, 0.0575, 0)
  for (scheme in c("stratified", "systematic")) {
    bound <- if (scheme == "systematic") 1 else 2
    for (n in c(7, 100, 1001)) {
      for (rep in 1:20) {
        idx <- gmasampler:::gma_resample(w, runif(n), n, scheme)
        counts <- tabulate(idx, length(w))
        expect_true(all(abs(counts - n * w) < bound), info = paste(scheme, n))
        expect_equal(counts[6], 0)
      }
    }
  }
  # stratified counts are unbiased: the mean count over many draws is n * w. A count is n * w
  # within two plus at most two Bernoulli indicators (the partly covered strata), so its variance
  # is at most 0.5 and the mean of 2000 has sd at most 0.016: 5 sd is 0.08 (measured at most 0.049
  # over 100 seeds; checked on 10 other seeds in bench/test-tolerances.R)
  n <- 50
  mean_counts <- rowMeans(replicate(2000, tabulate(gmasampler:::gma_resample(w, runif(n), n, "stratified"), 6)))
  expect_lt(max(abs(mean_counts - n * w)), 0.08)
})

test_that("multinomial resampling is unbiased", {
  set.seed(test_seed(2))
  w <- c(0.7, 0.2, 0.1)
  n <- 1e5
  counts <- tabulate(gmasampler:::gma_resample(w, runif(n), n, "multinomial"), 3)
  # binomial sd of each count is below sqrt(n / 4) = 158: allow 5 sd (checked on 10 other seeds in
  # bench/test-tolerances.R)
  expect_true(all(abs(counts - n * w) < 5 * 158))
})

test_that("bank resampling uses every point of a component evenly and shuffles", {
  set.seed(3)
  w <- c(0.5, 0.5, 0)
  idx <- gmasampler:::resample_bank(w, per_comp = 10, n = 40, scheme = "stratified")
  expect_equal(sort(unique(idx)), 1:20)
  expect_equal(as.vector(table(idx)), rep(2L, 20))
  expect_false(identical(idx, sort(idx)))
})
