# A density that counts its calls: a memory error must come before any of them.
counting_normal <- function() {
  calls <- 0
  list(f = function(x) {
    calls <<- calls + 1
    -sum(x^2) / 2
  }, calls = function() calls)
}

# Seconds an expression takes to signal a condition of class `class` (which it must).
seconds_to_error <- function(expr, class) {
  t0 <- proc.time()[["elapsed"]]
  expect_error(expr, class = class)
  proc.time()[["elapsed"]] - t0
}

test_that("absurd counts fail at once with a memory error naming them, before any evaluation", {
  target <- counting_normal()
  cases <- list(
    wgma_components = quote(gma_sample(target$f, dim = 1, method = "wgma", n_components = 1e9)),
    wgma_more_components = quote(gma_sample(target$f, dim = 1, method = "wgma", n_components = 1e6)),
    wgma_points = quote(gma_sample(target$f, dim = 1, method = "wgma", n_per_component = 1e9)),
    em_evals = quote(gma_sample(target$f, dim = 3, control = gma_control(n_evals = 1e9))),
    lma_evals = quote(gma_sample(target$f, dim = 3, method = "lma", control = gma_control(n_evals = 2e9))),
    draws = quote(gma_sample(target$f, dim = 2, n_draws = 1e9)),
    draws_wgma = quote(gma_sample(target$f, dim = 2, method = "wgma", n_draws = 2e9))
  )
  names <- c(wgma_components = "1,000,000,000 components", wgma_more_components = "1,000,000 components",
             wgma_points = "1,000,000,000 points", em_evals = "1,000,000,000 evaluations",
             lma_evals = "2,000,000,000 evaluations", draws = "1,000,000,000 draws",
             draws_wgma = "2,000,000,000 draws")
  for (case in names(cases)) {
    e <- tryCatch(eval(cases[[case]]), gma_error_memory = function(e) e)
    expect_s3_class(e, "gma_error_memory")
    expect_match(conditionMessage(e), names[[case]])
    expect_match(conditionMessage(e), "more than `max_memory` \\(4.29 GB\\).*raise gma_control\\(max_memory = \\)")
    expect_gt(e$bytes, e$max_memory)
    expect_lt(seconds_to_error(eval(cases[[case]]), "gma_error_memory"), 1)
  }
  expect_equal(target$calls(), 0)
})

test_that("EM's memory plan counts the components a mode gets in its dimension", {
  # 20 components a mode in two dimensions at 20,000 evaluations, 5 from five dimensions up
  # (components_per_mode()): the plan once took 20 in every dimension, and refused a 200-D fit
  # with the default limit (4.3 GB for 201 components of 200 x 200 covariances)
  control <- gma_control(n_evals = 20000)
  expect_error(gmasampler:::check_fit_memory("em", 200, NULL, NULL, NULL, control, 1), NA)
  planned <- function(d) gmasampler:::check_fit_memory("em", d, NULL, NULL, NULL, control, 1)
  max_modes <- control$lma$max_modes
  expect_equal(planned(200), gmasampler:::em_bytes(20000, 5 * max_modes + 1, 200))
  expect_equal(planned(2), gmasampler:::em_bytes(20000, max(seq_len(max_modes) *
    pmin(20, pmax(5, floor(200 / (6 * seq_len(max_modes)))))) + 1, 2))
})

test_that("a log-pdf matrix beyond the limit is refused from an estimate before it is built", {
  target <- counting_normal()
  # 1e5 components of 100 points: about 5e4 of the 1e5 entries of each row are kept, 60 TB in all
  t <- seconds_to_error(gma_sample(target$f, dim = 1, method = "wgma", n_components = 1e5,
                                   control = gma_control(wgma = wgma_control(keep_weights = FALSE))),
                        "gma_error_memory")
  expect_lt(t, 10)
  expect_error(gma_sample(target$f, dim = 1, method = "wgma", n_components = 1e5,
                          control = gma_control(wgma = wgma_control(keep_weights = FALSE))),
               "W-GMA's log-pdf matrix of 100,000 components x 100 points \\(estimated at the components' means\\) needs at least [0-9.]+ TB")
  expect_equal(target$calls(), 0)
})

test_that("the log-pdf matrix checks its own growth, and stays within what it is given", {
  set.seed(test_seed(1))
  mix <- gma_mixture(NULL, matrix(seq(-3, 3, length.out = 200)), 0.001)
  x <- t(rmixture(20000, mix))
  dense <- gmasampler:::gma_log_pdf_matrix(x, gma_mixture(NULL, mix$means, 0.5), 0, 1e9, 2)
  expect_true(dense$dense)
  sparse <- gmasampler:::gma_log_pdf_matrix(x, mix, 1e-14, 1e9, 2)
  expect_false(sparse$dense)
  # what is kept (values and columns) and its row maxima, bounds and offsets: 12 bytes an entry
  expect_gte(sparse$bytes, 12 * sparse$nnz + 24 * 20000)
  for (limit in c(2e6, 4e6, 6e6, 1e7, 3e7)) {
    m <- gmasampler:::gma_log_pdf_matrix(x, mix, 1e-14, limit, 2)
    if (is.null(m$memory_needed)) expect_lte(m$bytes, limit) else expect_gt(m$memory_needed, limit)
  }
  # the smallest limit refuses it, the largest keeps it
  expect_gt(gmasampler:::gma_log_pdf_matrix(x, mix, 1e-14, 2e6, 2)$memory_needed, 2e6)
  expect_null(gmasampler:::gma_log_pdf_matrix(x, mix, 1e-14, 3e7, 2)$memory_needed)
})

test_that("a W-GMA fit past the memory limit stops before the density is evaluated", {
  target <- counting_normal()
  expect_error(gma_sample(target$f, method = "wgma", dim = 1, n_components = 100, n_per_component = 100,
                          control = gma_control(max_memory = 1e5)),
               "W-GMA's bank of 100 components x 100 points with its log-pdf matrix needs about 4.12 MB, more than `max_memory` \\(100 KB\\)",
               class = "gma_error_memory")
  # room for the bank but not for a dense matrix
  expect_error(gma_sample(target$f, method = "wgma", dim = 1, n_components = 100, n_per_component = 100,
                          control = gma_control(max_memory = 6e6, wgma = wgma_control(sparse_tol = 0))),
               "W-GMA's log-pdf matrix of 100 components x 100 points \\(.*\\) needs .* MB, more than `max_memory` \\(6 MB\\).*sparse_tol",
               class = "gma_error_memory")
  expect_equal(target$calls(), 0)
})

test_that("draws of a mixture are planned against the memory limit", {
  mix <- gma_mixture(NULL, 0, 1)
  expect_error(rmixture(2e9, mix), "2,000,000,000 draws in 1 dimension needs about 144 GB", class = "gma_error_memory")
  expect_error(rmixture(1e6, mix, max_memory = 1e6), "raise `max_memory`", class = "gma_error_memory")
  expect_equal(dim(rmixture(1e3, mix, max_memory = 1e6)), c(1000, 1))
})

test_that("sizes are shown in readable units", {
  expect_identical(gmasampler:::format_bytes(c(512)), "512 bytes")
  expect_identical(gmasampler:::format_bytes(4 * 2^30), "4.29 GB")
  expect_identical(gmasampler:::format_bytes(6e13), "60 TB")
})
