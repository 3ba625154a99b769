#' A log density to sample from
#'
#' Wraps a log density in one object that evaluates a batch of points. [gma_sample()] calls it for
#' you; use it directly to check a density, or to reuse one with data.
#'
#' @param log_density the log of the target density up to a constant, in one of three forms:
#'   * an R function of one point (a numeric vector of length `d`, named when the parameters have
#'     names) returning one number;
#'   * with `vectorized = TRUE`, an R function of an `n x d` matrix returning `n` numbers;
#'   * a compiled C++ function wrapped by `gmasampler::make_log_density()` (see the
#'     "Compiled log densities" section of [gma_sample()]), evaluated in parallel threads.
#'
#'   It must return `-Inf` where the target is zero, and never `NaN`, `NA` or `+Inf`.
#' @param vectorized `TRUE` when an R `log_density` takes a matrix of points.
#' @param data for a compiled `log_density`: a numeric vector, a numeric matrix or array, or a
#'   (named) list of them. It is copied once, before the threads start, and handed to every call
#'   as a `gmasampler::Data`. Integer and logical values become doubles.
#' @param evaluator how an R `log_density` is evaluated: `"sequential"` in this R process, or
#'   `"future"` in chunks across the workers of the plan the user set with `future::plan()`
#'   (batches of fewer than 64 points, such as the mode search's gradients, stay local)
#'   (multisession, cluster, or future.batchtools on an HPC scheduler); needs the future.apply
#'   package. The values, and so the draws for a seed, are the same whatever the plan. Compiled
#'   densities run in threads instead: external pointers cannot travel to other processes.
#' @param chunks for `evaluator = "future"`, the number of chunks a batch is split into; `NULL`
#'   takes four a worker.
#' @return An object of class `gma_target`.
#' @examples
#' target <- gma_target(function(x) -sum(x^2) / 2)
#' gma_evaluate(target, matrix(c(0, 1, 2, 0), 2))
#' @export
gma_target <- function(log_density, vectorized = FALSE, data = NULL,
                       evaluator = c("sequential", "future"), chunks = NULL) {
  check_given("log_density")
  if (inherits(log_density, "gma_target")) return(log_density)
  vectorized <- check_flag(vectorized, "vectorized")
  evaluator <- match_choice(evaluator, c("sequential", "future"), "evaluator")
  if (!is.null(chunks)) chunks <- check_count(chunks, "chunks")
  if (is.function(log_density)) {
    if (!is.primitive(log_density) && is.null(formals(log_density)))
      arg_error("log_density", paste(
        "is a function of no arguments, so it cannot take a point. If it is the function that",
        "Rcpp::sourceCpp() made to return a compiled density, call it: `log_density = f()`"))
    if (!is.null(data))
      arg_error("data", "is for compiled log densities; an R function can use its own environment")
    if (evaluator == "future" && !requireNamespace("future.apply", quietly = TRUE))
      arg_error("evaluator", '"future" needs the future.apply package: install.packages("future.apply")')
    kind <- if (vectorized) "vectorized" else "point"
    return(structure(list(kind = kind, fn = log_density, evaluator = evaluator, chunks = chunks),
                     class = "gma_target"))
  }
  if (evaluator == "future")
    arg_error("evaluator", paste(
      '"future" is for R functions: a compiled density runs in threads (`threads`), and its',
      "external pointer cannot be sent to another process"))
  if (typeof(log_density) == "externalptr") {
    problem <- gma_xptr_problem(log_density)
    if (nzchar(problem)) arg_error("log_density", problem)
    data <- as_density_data(data)
    return(structure(list(kind = "compiled", ptr = log_density, data = data,
                          data_ptr = gma_density_data(data),  # converted once, not per batch
                          thread_safe = gma_xptr_thread_safe(log_density)),
                     class = "gma_target"))
  }
  arg_error("log_density", sprintf(
    "must be an R function or a compiled log density made by gmasampler::make_log_density(), not %s",
    describe(log_density)))
}

# The data of a compiled density as a list of double arrays (dims kept).
as_density_data <- function(data) {
  if (is.null(data)) return(list())
  if (!is.list(data)) data <- list(data)
  nm <- names(data)
  twice <- unique(nm[nzchar(nm) & duplicated(nm)])
  if (length(twice))
    arg_error("data", sprintf("has the name %s more than once: the density would see only the first",
                              paste0('"', twice, '"', collapse = ", ")))
  for (i in seq_along(data)) {
    el <- data[[i]]
    label <- if (!is.null(nm) && nzchar(nm[i])) sprintf("data$%s", nm[i]) else sprintf("data[[%d]]", i)
    if (!(is.numeric(el) || is.logical(el)) || is.object(el) && !is.matrix(el))
      arg_error(label, sprintf("must be a numeric vector, matrix or array, not %s", describe(el)))
    storage.mode(el) <- "double"
    data[[i]] <- el
  }
  data
}

#' @export
print.gma_log_density <- function(x, ...) {
  cat("<gma_log_density> a compiled log density",
      if (nzchar(gma_xptr_problem(x))) "(invalid here: create it again)", "\n")
  invisible(x)
}

#' @export
print.gma_target <- function(x, ...) {
  what <- switch(x$kind, point = "an R function of one point",
                 vectorized = "a vectorised R function", compiled = "a compiled C++ function")
  cat("<gma_target>", what, if (identical(x$evaluator, "future")) "evaluated through future", "\n")
  if (x$kind == "compiled" && length(x$data))
    cat("data:", paste(format_data_names(x$data), collapse = ", "), "\n")
  invisible(x)
}

format_data_names <- function(data) {
  nm <- names(data)
  if (is.null(nm)) nm <- rep("", length(data))
  ifelse(nzchar(nm), nm, sprintf("[[%d]]", seq_along(data)))
}

#' Evaluate a log density at a batch of points
#'
#' @param target a [gma_target()] or anything it accepts.
#' @param x an `n x d` numeric matrix, one point a row.
#' @param threads threads for a compiled density (R functions run in the calling R process).
#'   `NULL` takes the option `gmasampler.threads`, else the environment variable
#'   `GMASAMPLER_THREADS`, else `RCPP_PARALLEL_NUM_THREADS` (set by
#'   [RcppParallel::setThreadOptions()]), else 2 (as `parallel`'s `mc.cores`), or 1 on a
#'   single core. Results do not depend on it.
#' @return The `n` log-density values. A value that is `NaN`, `NA` or `+Inf`, a result of the
#'   wrong length or type, or an error inside the density stops with an error of class
#'   `gma_error_density` naming the point. Warnings the density gives are collected into one, of
#'   class `gma_warning_log_density`, with their counts.
#' @examples
#' gma_evaluate(function(x) -sum(x^2) / 2, rbind(c(0, 0), c(1, 1)))
#' @export
gma_evaluate <- function(target, x, threads = NULL) {
  check_given(c("target", "x"))
  target <- gma_target(target)
  threads <- check_threads(threads)
  if (!is.matrix(x) || !is.numeric(x)) arg_error("x", "must be a numeric matrix, one point a row")
  n <- nrow(x)
  warned <- NULL
  # small batches (the mode search's gradients) stay local: shipping them costs more than it saves
  values <- collect_warnings(if (identical(target$evaluator, "future") && n >= 64L) {
    evaluate_future(target, x)
  } else {
    switch(target$kind,
      point = evaluate_point_fn(target$fn, x),
      vectorized = evaluate_vectorized_fn(target$fn, x),
      compiled = evaluate_compiled(target, x, threads)
    )
  }, function(counts) warned <<- counts)
  density_warning(warned)
  check_log_density_values(values, x)
}

# The value of expr, with the warnings a density gives in it muffled and their counts by message
# handed to `tally` (a named vector; NULL for none), so that a density that warns at every point
# gives one warning, not thousands. The package's own warnings pass.
collect_warnings <- function(expr, tally) {
  counts <- NULL
  value <- withCallingHandlers(expr, warning = function(w) {
    if (inherits(w, "gma_warning") && !inherits(w, "gma_warning_log_density")) return()
    add <- if (inherits(w, "gma_warning_log_density")) w$counts else stats::setNames(1, conditionMessage(w))
    counts <<- add_counts(counts, add)
    invokeRestart("muffleWarning")
  })
  tally(counts)
  value
}

# Counts by message, summed.
add_counts <- function(a, b) {
  keys <- union(names(a), names(b))
  stats::setNames(vapply(keys, function(k) sum(a[names(a) == k], b[names(b) == k]), numeric(1)), keys)
}

# One warning of class gma_warning_log_density for the warnings a density gave (counts by
# message), with the counts and the first messages; nothing for none.
density_warning <- function(counts) {
  if (!length(counts)) return(invisible())
  shown <- utils::head(counts, 3L)
  each <- sprintf('"%s"%s', names(shown), if (length(counts) > 1L) sprintf(" (%s times)", format_count(shown)) else "")
  gma_warning("log_density", sprintf(
    "`log_density` warned %s time%s%s: %s%s", format_count(sum(counts)), if (sum(counts) == 1) "" else "s",
    if (length(counts) > 1L) sprintf(", with %d different messages", length(counts)) else "",
    paste(each, collapse = ", "), if (length(counts) > 3L) ", ..." else ""), fields = list(counts = counts))
}

# The batch in chunks across the future plan's workers, put back in order. The density draws no
# random numbers (future.seed = FALSE), so the values do not depend on the plan.
evaluate_future <- function(target, x) {
  n_chunks <- if (is.null(target$chunks)) 4L * future::nbrOfWorkers() else target$chunks
  n_chunks <- max(1L, min(n_chunks, nrow(x)))
  idx <- split(seq_len(nrow(x)), cut(seq_len(nrow(x)), n_chunks, labels = FALSE))
  fn <- target$fn
  eval_chunk <- if (target$kind == "point") evaluate_point_fn else evaluate_vectorized_fn
  parts <- future.apply::future_lapply(idx, function(i) eval_chunk(fn, x[i, , drop = FALSE]),
                                       future.seed = FALSE)
  unlist(parts, use.names = FALSE)
}

evaluate_point_fn <- function(fn, x) {
  n <- nrow(x)
  values <- numeric(n)
  i <- 0L
  bad_at <- 0L
  # one handler around the loop, not one per call: tryCatch costs as much as a cheap density
  tryCatch(
    for (i in seq_len(n)) {
      v <- fn(x[i, ])
      if (!is.numeric(v) || length(v) != 1L) {
        bad_at <- i
        break
      }
      values[i] <- v
    },
    error = function(e) log_density_error(sprintf("failed: %s", conditionMessage(e)), x[i, ])
  )
  if (bad_at > 0L) {
    what <- if (is.numeric(v)) sprintf("%d values", length(v)) else describe_type(v)
    log_density_error(sprintf("returned %s instead of one number", what), x[bad_at, ])
  }
  values
}

evaluate_vectorized_fn <- function(fn, x) {
  values <- tryCatch(fn(x), error = function(e)
    log_density_error(sprintf("failed on a batch of %d points: %s", nrow(x), conditionMessage(e)),
                      hint = if (nrow(x) == 1L) paste(
                        "a vectorised log density must take a one-row matrix too (the mode search",
                        "evaluates single points): index its columns with drop = FALSE")))
  if (!is.numeric(values))
    log_density_error(sprintf("returned %s instead of a numeric vector", describe_type(values)))
  if (length(values) != nrow(x))
    log_density_error(sprintf("returned %d values for %d points; a vectorised log density takes an n x d matrix and returns n values",
                              length(values), nrow(x)))
  as.numeric(values)
}

evaluate_compiled <- function(target, x, threads) {
  if (threads > 1L && !isTRUE(target$thread_safe)) threads <- one_thread_for_rcpp_exceptions()
  res <- gma_evaluate_xptr(target$ptr, t(x), target$data_ptr, target$data, threads)
  if (res$n_failed > 0) {
    more <- if (res$n_failed > 1) sprintf(" (and at %.0f more points)", res$n_failed - 1) else ""
    log_density_error(sprintf("threw a C++ exception%s: %s", more, res$message), x[res$first_failed, ])
  }
  res$values
}

# A density wrapped where Rcpp's stack-trace recorder was on (gmasampler.h explains) may abort R if
# it calls Rcpp::stop() in two threads at once: it runs in one thread, with a warning once a
# session saying how to fix it.
one_thread_for_rcpp_exceptions <- function() {
  if (!isTRUE(the$warned_thread_unsafe)) {
    the$warned_thread_unsafe <- TRUE
    gma_warning("thread_unsafe", paste(
      "the compiled `log_density` runs in one thread: it was wrapped by make_log_density() where",
      "Rcpp records stack traces, and an Rcpp::stop() from two threads at once could crash R.",
      "Compile it with `// [[Rcpp::depends(gmasampler)]]`, include <gmasampler.h> before <Rcpp.h>,",
      "or add -DRCPP_DEMANGLER_ENABLED=0 to PKG_CPPFLAGS (and rebuild code made for gmasampler 0.2)"))
  }
  1L
}

# Rcpp's inline plugin, used by `Rcpp::depends(gmasampler)` in sourceCpp() and cppFunction(): puts
# <gmasampler.h> first and turns off Rcpp's stack-trace recorder, so that Rcpp::stop() is safe in
# the threads that run a compiled log density (see inst/include/gmasampler.h).
inlineCxxPlugin <- function(...) {
  settings <- Rcpp::Rcpp.plugin.maker(include.before = "#include <gmasampler.h>", package = "gmasampler")()
  settings$env$PKG_CPPFLAGS <- "-DRCPP_DEMANGLER_ENABLED=0"
  settings
}

check_log_density_values <- function(values, x) {
  bad <- which(is.na(values) | values == Inf)
  if (length(bad)) {
    i <- bad[1L]
    what <- if (is.nan(values[i])) "NaN" else if (is.na(values[i])) "NA" else "+Inf"
    more <- if (length(bad) > 1L) sprintf(" (and at %d more points)", length(bad) - 1L) else ""
    log_density_error(sprintf("returned %s%s", what, more), x[i, ], "return -Inf where the density is zero")
  }
  values
}

describe_type <- function(v) {
  if (is.null(v)) "NULL" else sprintf("a %s", class(v)[1L])
}

format_point <- function(p) {
  shown <- utils::head(p, 6L)
  s <- paste(signif(shown, 6), collapse = ", ")
  if (length(p) > 6L) s <- paste0(s, ", ...")
  sprintf("(%s)", s)
}

# The mode search found log p curving beyond double range at its mode x (second differences
# overflow): the parameters' scale, not the fit, is the problem.
curvature_overflow_error <- function(x) {
  log_density_error("curves too sharply for double precision at its mode (its second differences overflow)",
                    x, "rescale the parameters so that the target's spread is not many orders of magnitude from 1")
}

# The mode search could not measure the spread of the mode at x: too few of the points it
# screened fall where the density is finite.
support_too_small_error <- function(x, n_finite, n_screened) {
  arg_error("scale", sprintf(paste(
    "is too wide for the target: `log_density` is finite at only %d of the %d points screened, too",
    "few around the mode at %s to measure its spread; give `scale` near the target's spread, or a",
    "`box` around its support"), n_finite, n_screened, format_point(x)))
}

log_density_error <- function(msg, point = NULL, hint = NULL) {
  if (!is.null(point)) msg <- sprintf("%s at the point %s", msg, format_point(point))
  if (!is.null(hint)) msg <- paste0(msg, "; ", hint)
  gma_error("density", "`log_density` ", msg, class = "gma_log_density_error")
}
