# Every density evaluation of a fit goes through one counter: it maps bounded parameters, counts,
# times and shows progress.

# The target's evaluations, counted and timed: ev$evaluate(y) evaluates the rows of y (on the
# unconstrained scale when there are bounds: the density there has the log-Jacobian added),
# ev$count() and ev$seconds() tell how many so far and how long they took. The budget is a hard
# limit: ev$remaining() tells what is left, and a batch that would pass it is not evaluated but
# signals a condition of class gma_budget, which the mode search catches to stop where it is.
# With `progress`, a text progress bar follows the count (ev$done() closes it). The warnings the
# density gives over the whole fit become one, with their counts, when ev$done() is called, and so
# does a warning when the largest log p found is so large that doubles lose its differences (far
# points with a huge negative log p do not matter: their weight is nil).
evaluation_counter <- function(target, threads, bounds = NULL, budget = Inf, progress = FALSE) {
  n <- 0
  seconds <- 0
  bar <- if (progress) utils::txtProgressBar(0, budget, style = 3, file = stderr())
  warned <- NULL
  top <- -Inf  # the largest finite log p so far
  list(
    evaluate = function(y) {
      if (n + nrow(y) > budget)
        gma_error("budget", sprintf("the budget of %.0f evaluations is spent", budget), class = "gma_budget")
      t0 <- proc.time()[["elapsed"]]
      # a point with a non-finite coordinate (a search running off to infinity) is outside every
      # support: -Inf, without troubling the density
      finite <- rowSums(!is.finite(y)) == 0
      out <- rep(-Inf, nrow(y))
      if (any(finite)) {
        yf <- y[finite, , drop = FALSE]
        out[finite] <- collect_warnings(gma_evaluate(target, to_natural(yf, bounds), threads) + log_jacobian(yf, bounds),
                                        function(counts) warned <<- add_counts(warned, counts))
      }
      seconds <<- seconds + proc.time()[["elapsed"]] - t0
      n <<- n + nrow(y)
      if (!is.null(bar)) utils::setTxtProgressBar(bar, min(n, budget))
      if (any(is.finite(out))) top <<- max(top, out[is.finite(out)])
      out
    },
    count = function() n,
    remaining = function() budget - n,
    budget = function() budget,
    seconds = function() seconds,
    done = function(complete = FALSE) {
      if (!is.null(bar)) {
        if (complete) utils::setTxtProgressBar(bar, budget)  # a fit can finish under its budget
        close(bar)
        bar <<- NULL
      }
      density_warning(warned)
      warned <<- NULL
      precision_warning(top)
      top <<- -Inf
    }
  )
}

# The magnitude of log p, 2^42, from which a double resolves 0.001 nats or worse: differences of
# log p where the target has its mass (gradients, importance weights) are then lost to rounding.
precision_limit <- 2^42

# Warns (class gma_warning_precision) when the largest log p of a fit, `top`, reaches
# precision_limit in magnitude. Returns whether it warned.
precision_warning <- function(top) {
  big <- if (is.finite(top)) abs(top) else 0
  if (big < precision_limit) return(FALSE)
  gma_warning("precision", sprintf(paste(
    "`log_density` reaches %.3g in magnitude, where a double resolves only %.2g nats: differences",
    "of log p (gradients, importance weights) are lost to rounding; subtract a constant (log p is",
    "needed only up to one) or rescale the parameters"), big, big * .Machine$double.eps))
  TRUE
}

# The error when the budget of evaluations runs out before a fit could do `what`: the cause is
# gma_control(n_evals = ), not the density.
budget_spent_error <- function(ev, what) {
  arg_error("n_evals", sprintf("(%s) is too small: %s evaluations were used and %s are left, too few for %s; raise `n_evals`",
                               format_count(ev$budget()), format_count(ev$count()),
                               format_count(ev$remaining()), what))
}
