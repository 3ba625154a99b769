# Every density evaluation of a fit goes through one counter: it maps bounded parameters, counts,
# times and shows progress.

# The target's evaluations, counted and timed: ev$evaluate(y) evaluates the rows of y (on the
# unconstrained scale when there are bounds: the density there has the log-Jacobian added),
# ev$count() and ev$seconds() tell how many so far and how long they took.
# With `expected` evaluations, a text progress bar follows the count (ev$done() closes it).
evaluation_counter <- function(target, threads, bounds = NULL, expected = NULL) {
  n <- 0
  seconds <- 0
  bar <- if (!is.null(expected)) utils::txtProgressBar(0, expected, style = 3, file = stderr())
  list(
    evaluate = function(y) {
      t0 <- proc.time()[["elapsed"]]
      x <- to_natural(y, bounds)
      out <- gma_evaluate(target, x, threads) + log_jacobian(y, bounds)
      seconds <<- seconds + proc.time()[["elapsed"]] - t0
      n <<- n + nrow(y)
      if (!is.null(bar)) utils::setTxtProgressBar(bar, min(n, expected))
      out
    },
    count = function() n,
    seconds = function() seconds,
    done = function(complete = FALSE) if (!is.null(bar)) {
      if (complete) utils::setTxtProgressBar(bar, expected)  # a fit can finish under its budget
      close(bar)
      bar <<- NULL
    }
  )
}
