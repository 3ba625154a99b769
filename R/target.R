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
  if (inherits(log_density, "gma_target")) return(log_density)
  vectorized <- check_flag(vectorized, "vectorized")
  evaluator <- match_choice(evaluator, c("sequential", "future"), "evaluator")
  if (!is.null(chunks)) chunks <- check_count(chunks, "chunks")
  if (is.function(log_density)) {
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
                          data_ptr = gma_density_data(data)),  # converted once, not per batch
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
#'   wrong length or type, or an error inside the density stops with an error naming the point.
#' @examples
#' gma_evaluate(function(x) -sum(x^2) / 2, rbind(c(0, 0), c(1, 1)))
#' @export
gma_evaluate <- function(target, x, threads = NULL) {
  target <- gma_target(target)
  threads <- check_threads(threads)
  if (!is.matrix(x) || !is.numeric(x)) arg_error("x", "must be a numeric matrix, one point a row")
  n <- nrow(x)
  # small batches (the mode search's gradients) stay local: shipping them costs more than it saves
  values <- if (identical(target$evaluator, "future") && n >= 64L) {
    evaluate_future(target, x)
  } else {
    switch(target$kind,
      point = evaluate_point_fn(target$fn, x),
      vectorized = evaluate_vectorized_fn(target$fn, x),
      compiled = evaluate_compiled(target, x, threads)
    )
  }
  check_log_density_values(values, x)
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
    log_density_error(sprintf("failed on a batch of %d points: %s", nrow(x), conditionMessage(e))))
  if (!is.numeric(values))
    log_density_error(sprintf("returned %s instead of a numeric vector", describe_type(values)))
  if (length(values) != nrow(x))
    log_density_error(sprintf("returned %d values for %d points; a vectorised log density takes an n x d matrix and returns n values",
                              length(values), nrow(x)))
  as.numeric(values)
}

evaluate_compiled <- function(target, x, threads) {
  res <- gma_evaluate_xptr(target$ptr, t(x), target$data_ptr, target$data, threads)
  if (length(res$failed)) {
    i <- res$failed[1L]
    more <- if (length(res$failed) > 1L) sprintf(" (and at %d more points)", length(res$failed) - 1L) else ""
    log_density_error(sprintf("threw a C++ exception%s: %s", more, res$messages[1L]), x[i, ])
  }
  res$values
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

log_density_error <- function(msg, point = NULL, hint = NULL) {
  if (!is.null(point)) msg <- sprintf("%s at the point %s", msg, format_point(point))
  if (!is.null(hint)) msg <- paste0(msg, "; ", hint)
  stop(structure(class = c("gma_log_density_error", "error", "condition"),
                 list(message = paste0("`log_density` ", msg), call = NULL)))
}
