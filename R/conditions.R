#' Errors and warnings of gmasampler, and how to catch them
#'
#' Every error the package signals, and every warning, is a classed condition, so that code can
#' catch one kind and let the others through (`tryCatch()`, `withCallingHandlers()`,
#' `testthat::expect_error(class = )`). Errors inherit `gma_error`, warnings `gma_warning`; the
#' message names the argument or the cause and says what to change.
#'
#' @section Errors:
#' * `gma_error_argument`: a user argument is wrong (its type, shape, range, or a count that does
#'   not fit with the others, such as a budget `n_evals` the mode search uses up). The argument's
#'   name is in the condition's `$argument`.
#' * `gma_error_density`: the log density failed or returned what it must not (`NaN`, `NA`,
#'   `+Inf`, the wrong length or type, an R error or a C++ exception), with the first point where
#'   it did. It also has the class `gma_log_density_error` of 0.2.0.
#' * `gma_error_memory`: a fit, its log-pdf matrix or its draws would need more than `max_memory`
#'   ([gma_control()], or [rmixture()]'s own). It comes before any density evaluation, names the
#'   counts to lower, and carries `$bytes` (what was needed) and `$max_memory`.
#'
#' @section Warnings:
#' `gma_warning_<kind>`, with kinds `pareto_k` (heavy-tailed importance weights), `ess` (an
#' effective sample size of the importance weights under 400), `ties` (the
#' largest importance ratios tie, so Pareto k is `NA`: a collapsed fit, a target equal to the
#' proposal, or log p too large for doubles), `precision` (log p so large that its differences are
#' lost to rounding), `log_density` (the warnings the density gave, collapsed into one with their
#' counts in `$counts`), `modes`, `coverage` (the last EM rounds' proposals still miss part of the
#' target, or the fitted mixture lost a region where the mode search found mass), `missed_mode`,
#' `support`, `convergence`, `ignored`
#' (an argument the method does not use) and `thread_unsafe` (a compiled density that must run in
#' one thread).
#'
#' @section Compiled densities:
#' A compiled density reports a failure by throwing `gmasampler::density_error` or calling
#' `gmasampler::fail("message")` (declared in `<gmasampler.h>`); any other `std::exception`, and
#' `Rcpp::stop()` in a file with `// [[Rcpp::depends(gmasampler)]]`, works too. The exception is
#' caught in the worker thread, never crosses into R there, and becomes a `gma_error_density` in R
#' with the first point that threw. See "Compiled log densities" in [gma_sample()].
#'
#' @name gma_conditions
#' @examples
#' # an argument error, caught by its class, with the argument's name
#' e <- tryCatch(gma_sample(function(x) -sum(x^2) / 2, dim = "2"),
#'               gma_error_argument = function(e) e)
#' e$argument
#' conditionMessage(e)
#' # a fit that would not fit in memory fails at once, before any evaluation
#' tryCatch(gma_sample(function(x) -sum(x^2) / 2, dim = 1, method = "wgma", n_components = 1e9),
#'          gma_error_memory = function(e) format(e$bytes, big.mark = ","))
#' # a density that warns at every point gives one warning with the count
#' withCallingHandlers(
#'   gma_evaluate(function(x) { warning("careful"); -sum(x^2) / 2 }, matrix(1:4, 2)),
#'   gma_warning_log_density = function(w) { print(w$counts); invokeRestart("muffleWarning") })
NULL
