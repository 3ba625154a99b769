# Every density evaluation of a fit goes through one counter: it maps bounded parameters, counts,
# times and shows progress.

# The target's evaluations, counted and timed: ev$evaluate(y) evaluates the rows of y (on the
# unconstrained scale when there are bounds: the density there has the log-Jacobian added),
# ev$count() and ev$seconds() tell how many so far and how long they took. The budget is a hard
# limit: ev$remaining() tells what is left, and a batch that would pass it is not evaluated but
# signals a condition of class gma_budget, which the mode search catches to stop where it is.
# With `progress`, a text progress bar follows the count (ev$done() closes it).
evaluation_counter <- function(target, threads, bounds = NULL, budget = Inf, progress = FALSE) {
  n <- 0
  seconds <- 0
  bar <- if (progress) utils::txtProgressBar(0, budget, style = 3, file = stderr())
  list(
    evaluate = function(y) {
      if (n + nrow(y) > budget)
        stop(structure(class = c("gma_budget", "error", "condition"), list(
          message = sprintf("the budget of %.0f evaluations is spent", budget), call = NULL)))
      t0 <- proc.time()[["elapsed"]]
      # a point with a non-finite coordinate (a search running off to infinity) is outside every
      # support: -Inf, without troubling the density
      finite <- rowSums(!is.finite(y)) == 0
      out <- rep(-Inf, nrow(y))
      if (any(finite)) {
        yf <- y[finite, , drop = FALSE]
        out[finite] <- gma_evaluate(target, to_natural(yf, bounds), threads) + log_jacobian(yf, bounds)
      }
      seconds <<- seconds + proc.time()[["elapsed"]] - t0
      n <<- n + nrow(y)
      if (!is.null(bar)) utils::setTxtProgressBar(bar, min(n, budget))
      out
    },
    count = function() n,
    remaining = function() budget - n,
    seconds = function() seconds,
    done = function(complete = FALSE) if (!is.null(bar)) {
      if (complete) utils::setTxtProgressBar(bar, budget)  # a fit can finish under its budget
      close(bar)
      bar <<- NULL
    }
  )
}
