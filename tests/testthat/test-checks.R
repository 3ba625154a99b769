test_that("threads default to the option, then GMASAMPLER_THREADS, then RcppParallel's variable, then 2", {
  withr::local_options(gmasampler.threads = NULL)
  withr::local_envvar(GMASAMPLER_THREADS = NA, RCPP_PARALLEL_NUM_THREADS = NA)
  expect_equal(gmasampler:::check_threads(NULL), min(2L, RcppParallel::defaultNumThreads()))
  withr::local_envvar(RCPP_PARALLEL_NUM_THREADS = "3")
  expect_equal(gmasampler:::check_threads(NULL), 3L)
  withr::local_envvar(GMASAMPLER_THREADS = "4")
  expect_equal(gmasampler:::check_threads(NULL), 4L)
  withr::local_options(gmasampler.threads = 5)
  expect_equal(gmasampler:::check_threads(NULL), 5L)
  expect_equal(gmasampler:::check_threads(1), 1L)
  withr::local_options(gmasampler.threads = NULL)
  withr::local_envvar(GMASAMPLER_THREADS = "0")
  expect_error(gmasampler:::check_threads(NULL), "`threads` must be a whole number >= 1, not 0")
})

test_that("a seed is set.seed(seed) and leaves R's stream as it was", {
  set.seed(10)
  before <- .Random.seed
  gmasampler:::restore_rng(gmasampler:::set_seed(3))
  expect_identical(.Random.seed, before)
  expect_error(gmasampler:::set_seed(1.5), "`seed` must be a whole number, not 1.5")
  expect_error(gmasampler:::set_seed("a"), "`seed` must be a whole number")
})
