#' Methods for a GMA fit
#'
#' `print()` shows the fit in brief, `summary()` the draws' mean, sd and quantiles per parameter
#' with the fit's diagnostics, `as.matrix()` the draws, and `plot()` the fit's progress (W-GMA:
#' the Frank-Wolfe gap and the heaviest weights over the iterations; EM: each round's log
#' evidence and importance efficiency) and the draws (1-D: histogram with the fitted mixture and
#' the target; 2-D: the draws over the target's contours; more: also a pairs plot of the first
#' five parameters).
#'
#' @param x,object a `gma_fit` from [gma_sample()].
#' @param probs quantiles to show.
#' @param digits significant digits to print.
#' @param ... unused.
#' @return `summary()`: an object of class `summary.gma_fit` with a data frame `table` (one row a
#'   parameter: mean, sd, quantiles, the Monte Carlo standard error of the mean and the effective
#'   sample size, which for importance-corrected draws is the importance sampling one) and the
#'   fit's diagnostics (Pareto k, ESS, log evidence and its standard error). `as.matrix()`: the `n_draws x d` draws. `print()` and
#'   `plot()` return `x` invisibly.
#' @examples
#' set.seed(2)
#' fit <- gma_sample(function(x) -sum((x - c(1, -1))^2) / 2, init = c(a = 0, b = 0), scale = 2,
#'                   n_components = 50, n_per_component = 40)
#' summary(fit)
#' head(as.matrix(fit))
#' plot(fit)
#' @name gma_fit-methods
NULL

#' @rdname gma_fit-methods
#' @export
print.gma_fit <- function(x, digits = 3, ...) {
  s <- summary(x)
  cat(fit_header(x), sep = "\n")
  print(format_table(s$table, digits), row.names = FALSE)
  invisible(x)
}

fit_header <- function(x) {
  d <- ncol(x$draws)
  k <- length(x$mixture$weights)
  fit_line <- switch(x$method,
    wgma = sprintf("W-GMA%s: %d components (effective %.1f) x %d bank points; %d iterations, %s, Frank-Wolfe gap %.2g",
                   if (!is.null(x$trace$stage1)) " (second stage)" else "",
                   k, effective_components(x$mixture$weights), length(x$bank$log_p) %/% k, x$iterations,
                   if (isTRUE(x$stalled)) "converged (weights stopped moving)" else if (x$converged) "converged" else "not converged",
                   if (!is.null(x$trace$final)) x$trace$final[["gap"]] else utils::tail(c(NA, x$trace$gap), 1L)),
    em = sprintf("EM-GMA: %d rounds of %d points, %d components (effective %.1f)%s", x$iterations,
                 length(x$bank$log_p) %/% x$iterations, k, effective_components(x$mixture$weights),
                 if (!is.null(x$laplace)) sprintf(", started from %d mode(s)", nrow(x$laplace)) else ""),
    lma = sprintf("LMA: %d mode(s), Laplace mixture checked on %d points", k, length(x$bank$log_p)))
  diag <- x$diagnostics
  c(sprintf("<gma_fit> %d draws of %d parameter(s), %s", nrow(x$draws), d,
            if (x$importance) "importance-corrected (PSIS)" else "from the fitted mixture"),
    fit_line,
    sprintf("importance weights: Pareto k %.2f, ESS %.0f; log Z %.4f (se %.2g)",
            diag[["pareto_k"]], diag[["ess"]], diag[["log_z"]], diag[["log_z_se"]]),
    sprintf("%d density evaluations; %.2f s (%.2f s evaluating the density)", x$n_evals,
            x$timing[["total"]], x$timing[["evaluation"]]))
}

# exp(entropy) of the weights: how many components carry the mixture.
effective_components <- function(w) {
  w <- w[w > 0]
  exp(-sum(w * log(w)))
}

format_table <- function(tab, digits) {
  num <- vapply(tab, is.numeric, logical(1))
  tab[num] <- lapply(tab[num], signif, digits = digits)
  tab
}

#' @rdname gma_fit-methods
#' @export
summary.gma_fit <- function(object, probs = c(0.05, 0.5, 0.95), ...) {
  draws <- object$draws
  q <- t(apply(draws, 2, stats::quantile, probs = probs, names = FALSE))
  if (length(probs) == 1L) q <- t(q)
  colnames(q) <- sprintf("q%s", format(100 * probs, trim = TRUE))
  sds <- apply(draws, 2, stats::sd)
  # resampled draws carry no more information than the weights they were resampled by
  ess <- if (object$importance) min(nrow(draws), object$diagnostics[["ess"]]) else nrow(draws)
  table <- data.frame(variable = colnames(draws), mean = colMeans(draws), sd = sds, q,
                      mcse_mean = sds / sqrt(ess), ess = ess, row.names = NULL, check.names = FALSE)
  structure(list(table = table, header = fit_header(object), diagnostics = object$diagnostics,
                 n_evals = object$n_evals, converged = object$converged,
                 iterations = object$iterations),
            class = "summary.gma_fit")
}

#' @rdname gma_fit-methods
#' @export
print.summary.gma_fit <- function(x, digits = 3, ...) {
  cat(x$header, sep = "\n")
  print(format_table(x$table, digits), row.names = FALSE)
  invisible(x)
}

#' @rdname gma_fit-methods
#' @export
as.matrix.gma_fit <- function(x, ...) x$draws

#' @rdname gma_fit-methods
#' @param target for `plot()`, the target drawn over the marginal of a one-dimensional fit or as
#'   contours for two dimensions: `TRUE` for the fit's own (evaluated afresh on a grid, so it
#'   costs density evaluations), `FALSE` for none, or any log density [gma_target()] accepts.
#' @param new_layout set up a row of three panels; `FALSE` draws them into the current layout.
#' @export
plot.gma_fit <- function(x, target = ncol(x$draws) <= 2L, new_layout = TRUE, ...) {
  if (isTRUE(target)) target <- x$target
  if (isFALSE(target)) target <- NULL
  if (!is.null(target)) target <- gma_target(target)
  if (new_layout) {
    old <- graphics::par(mfrow = c(1, 3), mar = c(4, 4, 2, 1))
    on.exit(graphics::par(old))
  }
  if (x$method == "wgma") plot_wgma_trace(x) else plot_em_trace(x)
  if (ncol(x$draws) == 1L) plot_marginal_1d(x, target) else plot_pairs_2d(x, target)
  if (ncol(x$draws) > 2L) {
    d <- min(ncol(x$draws), 5L)
    graphics::pairs(x$draws[, seq_len(d)], pch = 16, cex = 0.2,
                    col = grDevices::adjustcolor("steelblue", 0.3), main = "draws, first parameters")
  }
  invisible(x)
}

plot_wgma_trace <- function(x) {
  gap <- x$trace$gap
  it <- seq_along(gap)
  graphics::plot(it, pmax(gap, 1e-16), type = "l", log = "xy", xlab = "iteration",
                 ylab = "Frank-Wolfe gap (nats)", main = "convergence")
  graphics::abline(h = x$control$wgma$tol, lty = 3, col = "grey40")
  w <- x$trace$weights
  if (!is.null(w) && nrow(w)) {
    top <- utils::head(order(x$mixture$weights, decreasing = TRUE), 12L)
    graphics::matplot(it, w[, top, drop = FALSE], type = "l", lty = 1, log = "x",
                      xlab = "iteration", ylab = "weight", main = "heaviest weights")
  } else {
    graphics::plot.new()
  }
}

# EM: each round's estimate of log Z against the pooled one (+- 2 se), and its importance ESS.
plot_em_trace <- function(x) {
  tr <- x$trace
  lz <- x$diagnostics[["log_z"]]
  se <- x$diagnostics[["log_z_se"]]
  graphics::plot(tr$round, tr$log_z, type = "b", pch = 16, xlab = "round", ylab = "log Z",
                 main = "evidence by round", ylim = range(tr$log_z, lz - 2 * se, lz + 2 * se, finite = TRUE))
  graphics::abline(h = lz + c(-2, 0, 2) * se, lty = c(3, 1, 3), col = "firebrick")
  bank <- length(x$bank$log_p) / nrow(tr)
  graphics::plot(tr$round, tr$ess / bank, type = "b", pch = 16, ylim = c(0, 1), xlab = "round",
                 ylab = "ESS / points", main = "importance efficiency")
}

plot_marginal_1d <- function(x, target) {
  draws <- x$draws[, 1]
  graphics::hist(draws, breaks = 60, freq = FALSE, col = "grey85", border = "white",
                 main = "draws", xlab = colnames(x$draws)[1])
  grid <- seq(min(draws), max(draws), length.out = 400)
  if (is.null(x$bounds))  # else the mixture lives on the unconstrained scale
    graphics::lines(grid, dmixture(grid, x$mixture), col = "steelblue", lwd = 2)
  if (!is.null(target)) {
    lp <- gma_evaluate(target, matrix(grid, ncol = 1L), x$threads)
    p <- exp(lp - max(lp))
    graphics::lines(grid, p / (sum(p) * diff(grid[1:2])), col = "firebrick", lwd = 2, lty = 2)
    graphics::legend("topright", c("mixture", "target"), col = c("steelblue", "firebrick"),
                     lty = c(1, 2), bty = "n")
  }
}

plot_pairs_2d <- function(x, target) {
  draws <- x$draws[, 1:2, drop = FALSE]
  graphics::plot(draws, pch = 16, cex = 0.3, col = grDevices::adjustcolor("steelblue", 0.3),
                 main = "draws")
  if (!is.null(target) && ncol(x$draws) == 2L) {
    g1 <- seq(min(draws[, 1]), max(draws[, 1]), length.out = 80)
    g2 <- seq(min(draws[, 2]), max(draws[, 2]), length.out = 80)
    lp <- gma_evaluate(target, as.matrix(expand.grid(g1, g2)), x$threads)
    graphics::contour(g1, g2, matrix(exp(lp - max(lp)), 80), add = TRUE, drawlabels = FALSE,
                      col = "firebrick")
  }
}
