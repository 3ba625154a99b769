test_that("argument errors are classed and carry the argument's name", {
  e <- expect_error(gma_control(n_evals = 0), class = "gma_error_argument")
  expect_s3_class(e, "gma_error")
  expect_identical(e$argument, "n_evals")
  expect_null(conditionCall(e))
  expect_error(em_control(bank = "a"), class = "gma_error_argument")
})

test_that("values are described as they were given: strings quoted, shapes named", {
  expect_error(gma_sample(function(x) -sum(x^2), dim = "2"), '`dim` must be a whole number >= 1, not the string "2"')
  expect_error(em_control(bank = NA_character_), "not NA \\(character\\)")
  expect_error(gma_control(n_evals = matrix(1, 2, 2)), "not a 2 x 2 numeric matrix")
  expect_error(gma_control(n_evals = 1:3), "not a numeric vector of length 3")
})

test_that("counts beyond R's integers are refused by name, and counts come back as doubles", {
  expect_error(gma_control(n_evals = 3e9), "`n_evals` must be at most 2,147,483,647, not 3e\\+09",
               class = "gma_error_argument")
  expect_error(wgma_control(max_iter = 1e10), "`max_iter` must be at most")
  expect_error(rmixture(3e9, gma_mixture(NULL, 0, 1)), "`n` must be at most", class = "gma_error_argument")
  # a product of counts must not overflow R's integers (46341^2 > .Machine$integer.max)
  expect_type(em_control(bank = 46341)$bank, "double")
  expect_identical(em_control(bank = 46341)$bank^2, 46341^2)
})

test_that("warnings and errors of each kind have their own class", {
  expect_warning(gmasampler:::gma_warning("pareto_k", "k is ", 0.8), "k is 0.8", class = "gma_warning_pareto_k")
  e <- expect_error(gmasampler:::gma_error("memory", "too big"), class = "gma_error_memory")
  expect_s3_class(e, "gma_error")
  expect_s3_class(e, "error")
})

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
  expect_error(gmasampler:::set_seed(Inf), "`seed` must be a whole number, not Inf", class = "gma_error_argument")
  expect_error(gmasampler:::set_seed(3e9), "`seed` must be at most 2,147,483,647 in size", class = "gma_error_argument")
})
