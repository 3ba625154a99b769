#' Methods for a GMA fit
#'
#' `print()` shows the fit in brief, `summary()` the draws' mean, sd and quantiles per parameter
#' with the fit's diagnostics, `as.matrix()` the draws, and `plot()` the objective over the
#' iterations, the weights' evolution and the marginals.
#'
#' @param x,object a `gma_fit` from [gma_sample()].
#' @param probs quantiles to show.
#' @param digits significant digits to print.
#' @param ... unused.
#' @return `summary()`: an object of class `summary.gma_fit` with a data frame `table` (one row a
#'   parameter) and the fit's diagnostics. `as.matrix()`: the `n_draws x d` draws. `print()` and
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
  c(sprintf("<gma_fit> %s, %d draws of %d parameter(s)", toupper(x$method), nrow(x$draws), d),
    sprintf("components: %d (effective %.1f) x %d bank points = %d density evaluations",
            length(x$mixture$weights), effective_components(x$mixture$weights),
            length(x$bank$log_p) / length(x$mixture$weights), x$n_evals),
    sprintf("fit: %d iterations, %s, Frank-Wolfe gap %.2g; %.2f s (%.2f s evaluating the density)",
            x$iterations, if (x$converged) "converged" else "not converged",
            utils::tail(c(NA, x$trace$gap), 1L), x$timing[["total"]], x$timing[["evaluation"]]))
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
  table <- data.frame(variable = colnames(draws), mean = colMeans(draws),
                      sd = apply(draws, 2, stats::sd), q, row.names = NULL, check.names = FALSE)
  structure(list(table = table, header = fit_header(object), n_evals = object$n_evals,
                 converged = object$converged, iterations = object$iterations),
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
#' @param log_density for `plot()`, optionally the target's log density (an R function of one
#'   point), drawn over the marginal of a one-dimensional fit or as contours for two dimensions.
#' @param new_layout set up a row of three panels; `FALSE` draws them into the current layout.
#' @export
plot.gma_fit <- function(x, log_density = NULL, new_layout = TRUE, ...) {
  d <- ncol(x$draws)
  if (new_layout) {
    old <- graphics::par(mfrow = c(1, 3), mar = c(4, 4, 2, 1))
    on.exit(graphics::par(old))
  }
  it <- seq_along(x$trace$objective)
  graphics::plot(it, x$trace$objective, type = "l", log = "x", xlab = "iteration",
                 ylab = "KL(q || p) - log Z", main = "objective")
  w <- x$trace$weights
  if (!is.null(w) && nrow(w)) {
    top <- utils::head(order(x$mixture$weights, decreasing = TRUE), 12L)
    graphics::matplot(it, w[, top, drop = FALSE], type = "l", lty = 1, log = "x",
                      xlab = "iteration", ylab = "weight", main = "heaviest weights")
  } else {
    graphics::plot.new()
  }
  if (d == 1L) plot_marginal_1d(x, log_density) else plot_pairs_2d(x, log_density)
  invisible(x)
}

plot_marginal_1d <- function(x, log_density) {
  draws <- x$draws[, 1]
  graphics::hist(draws, breaks = 60, freq = FALSE, col = "grey85", border = "white",
                 main = "draws", xlab = colnames(x$draws)[1])
  grid <- seq(min(draws), max(draws), length.out = 400)
  graphics::lines(grid, dmixture(grid, x$mixture), col = "steelblue", lwd = 2)
  if (!is.null(log_density)) {
    lp <- vapply(grid, function(g) log_density(g), numeric(1))
    p <- exp(lp - max(lp))
    graphics::lines(grid, p / (sum(p) * diff(grid[1:2])), col = "firebrick", lwd = 2, lty = 2)
    graphics::legend("topright", c("mixture", "target"), col = c("steelblue", "firebrick"),
                     lty = c(1, 2), bty = "n")
  }
}

plot_pairs_2d <- function(x, log_density) {
  draws <- x$draws[, 1:2, drop = FALSE]
  graphics::plot(draws, pch = 16, cex = 0.3, col = grDevices::adjustcolor("steelblue", 0.3),
                 main = "draws")
  if (!is.null(log_density) && ncol(x$draws) == 2L) {
    g1 <- seq(min(draws[, 1]), max(draws[, 1]), length.out = 80)
    g2 <- seq(min(draws[, 2]), max(draws[, 2]), length.out = 80)
    z <- outer(g1, g2, Vectorize(function(a, b) log_density(c(a, b))))
    graphics::contour(g1, g2, exp(z - max(z)), add = TRUE, drawlabels = FALSE, col = "firebrick")
  }
}
