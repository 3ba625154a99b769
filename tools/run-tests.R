# Runs the whole testthat suite against the installed package and ends with the plain line
# "N passed, N failed" that CI reads; exits non-zero on any failure or error.
library(testthat)
library(gmasampler)
Sys.setenv(NOT_CRAN = "true")  # the compiled-density tests run here, not on CRAN
testthat::set_max_fails(Inf)
res <- as.data.frame(test_dir("tests/testthat", package = "gmasampler", load_package = "installed",
                              reporter = ProgressReporter$new(show_praise = FALSE),
                              stop_on_failure = FALSE))
n_failed <- sum(res$failed) + sum(res$error)
n_passed <- sum(res$passed)
cat(sprintf("%d passed, %d failed\n", n_passed, n_failed))
quit(status = if (n_failed > 0L) 1L else 0L)
