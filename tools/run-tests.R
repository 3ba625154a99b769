# Runs the whole testthat suite against the installed package. Its last line is the plain
#   N passed, N failed, N skipped
# that CI reads, counted from testthat's results data frame: passed and failed count expectations
# (a test that stopped with an error counts as one failure), skipped counts tests. The exit status
# is non-zero on any failure or error. Skips are not failures: the tests of a suggested package
# that is not installed skip (README.md, "Set-up"), and so does everything on CRAN.
library(testthat)
library(gmasampler)
Sys.setenv(NOT_CRAN = "true")  # the compiled-density tests run here, not on CRAN
testthat::set_max_fails(Inf)
res <- as.data.frame(test_dir("tests/testthat", package = "gmasampler", load_package = "installed",
                              reporter = ProgressReporter$new(show_praise = FALSE),
                              stop_on_failure = FALSE))
n_failed <- sum(res$failed) + sum(res$error)
cat(sprintf("%d passed, %d failed, %d skipped\n", sum(res$passed), n_failed, sum(res$skipped)))
quit(status = if (n_failed > 0L) 1L else 0L)
