#' Methods for a GMA fit
#'
#' `print()` shows the fit in brief, `summary()` the draws' summaries per parameter with the
#' fit's diagnostics, `coef()` and `vcov()` the posterior means and covariance, `gma_evidence()`
#' the log evidence, and `as.matrix()`, `as.data.frame()` and `as.array()` the draws. `update()`
#' (the stats generic) refits with changed arguments; add `seed =` to make it reproducible.
#' There is no `nobs()` or `logLik()`: the sampler sees a log density, not data, and its
#' likelihood at a point means nothing apart from the model; the log evidence is the marginal
#' likelihood when `log_density` is the full log joint density with its constants.
#'
#' @section Monte Carlo error: the draws are resampled from a weighted set of points (the
#'   evaluated points with their Pareto-smoothed importance weights `w`, or W-GMA's bank with its
#'   fitted weights; draws from the fitted mixture are independent). The Monte Carlo standard
#'   error of the draws' mean of a parameter `h` is then `mcse_importance = sqrt(sum(w^2 (h -
#'   m)^2) + sum(w (h - m)^2) / n_draws)`, the weighted estimate's error plus the resampling's (an
#'   upper bound: stratified resampling adds less), and `ess_importance` is the number of
#'   independent draws with the same error, `sum(w (h - m)^2) / mcse^2`. These are the numbers
#'   to trust, not the ESS that posterior or coda estimate from the draws as if they were a chain
#'   (see [gma_draws]).
#'
#' @param x,object a `gma_fit` from [gma_sample()].
#' @param probs the quantiles to show, named as posterior does (`q5`, `q95`).
#' @param digits significant digits to print.
#' @param ... unused.
#' @return `summary()`: an object of class `summary.gma_fit` with a data frame `table` (one row a
#'   parameter, the columns of `posterior::summarise_draws()`: `variable`, `mean`, `median`,
#'   `sd`, `mad`, `q5`, `q95`; then `mcse_importance` and `ess_importance`, see Monte Carlo error)
#'   and the fit's diagnostics (`fit$diagnostics`: Pareto k, ESS, log evidence and its standard
#'   error, and whatever else the method reports).
#'
#'   `coef()`: the draws' means; `vcov()`: their covariance matrix; `gma_evidence()`: the log
#'   evidence `log_z` and its standard error `se`, of the mass the evaluated points reached: when
#'   the fit warned that its draws miss mass the mode search found (`fit$diagnostics["log_z_low"]`
#'   is 1), `log_z` is likely too low, by more than its `se`. `as.matrix()`: the `n_draws x d` draws;
#'   `as.data.frame()`: the same as a data frame; `as.array()`: an `n_draws x 1 x d` array
#'   (iterations x chains x variables, as bayesplot's `mcmc_*()` functions take it, so that
#'   `bayesplot::mcmc_hist(fit)` works). `print()` and `plot()` return `x` invisibly.
#' @examples
#' set.seed(2)
#' fit <- gma_sample(function(x) -sum((x - c(1, -1))^2) / 2, init = c(a = 0, b = 0), scale = 2,
#'                   control = gma_control(n_evals = 4000))
#' summary(fit)
#' coef(fit)
#' vcov(fit)
#' gma_evidence(fit)   # the exact log Z is log(2 * pi) = 1.838
#' dim(as.array(fit))
#' plot(fit)
#' plot(fit, target = TRUE)   # the target's contours (evaluates it on a 50 x 50 grid)
#' fit2 <- update(fit, control = gma_control(n_evals = 6000), seed = 3)
#' fit2$n_evals
#' if (requireNamespace("bayesplot", quietly = TRUE)) bayesplot::mcmc_hist(fit)
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
    em = sprintf("EM-GMA: %d rounds of %d points, %d components (effective %.1f)%s; %s", x$iterations,
                 length(x$bank$log_p) %/% x$iterations, k, effective_components(x$mixture$weights),
                 if (!is.null(x$laplace)) started_from(nrow(x$laplace), length(x$initial$weights)) else "",
                 if (identical(x$stopped, "max_rounds")) "stopped at max_rounds" else "the budget spent"),
    lma = sprintf("LMA: %d mode(s), Laplace mixture checked on %d points", k, length(x$bank$log_p)))
  diag <- x$diagnostics
  c(sprintf("<gma_fit> %d draws of %d parameter(s), %s", nrow(x$draws), d,
            if (x$importance) "importance-corrected (PSIS)" else "from the fitted mixture"),
    fit_line,
    sprintf("importance weights: Pareto k %.2f, ESS %.0f; log Z %.4f (se %.2g%s)",
            diag[["pareto_k"]], diag[["ess"]], diag[["log_z"]], diag[["log_z_se"]],
            if (isTRUE(diag["log_z_low"] == 1)) "; likely too low: the draws miss mass the search found" else ""),
    if (!is.null(x$modes))
      sprintf("modes: %d, %s", nrow(x$modes),
              if (all(x$modes$confirmed)) "each reached by both independent screenings"
              else sprintf("%.2g of the mass in modes one screening missed", diag[["unconfirmed_mass"]])),
    sprintf("%d density evaluations%s%s; %.2f s (%.2f s evaluating the density)", x$n_evals,
            if (!is.null(x$budget)) sprintf(" of a budget of %d", x$budget) else "",
            if (!is.null(x$search_evals)) sprintf(" (%d in the mode search)", x$search_evals) else "",
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
summary.gma_fit <- function(object, probs = c(0.05, 0.95), ...) {
  draws <- object$draws
  q <- t(apply(draws, 2, stats::quantile, probs = probs, names = FALSE))
  if (length(probs) == 1L) q <- t(q)
  colnames(q) <- sprintf("q%s", format(100 * probs, trim = TRUE))
  err <- monte_carlo_error(object)
  table <- data.frame(variable = colnames(draws), mean = colMeans(draws),
                      median = apply(draws, 2, stats::median), sd = apply(draws, 2, stats::sd),
                      mad = apply(draws, 2, stats::mad), q, mcse_importance = err$mcse,
                      ess_importance = err$ess, row.names = NULL, check.names = FALSE)
  structure(list(table = table, header = fit_header(object), diagnostics = object$diagnostics,
                 n_evals = object$n_evals, converged = object$converged,
                 iterations = object$iterations),
            class = "summary.gma_fit")
}

# The weighted points the draws were resampled from (natural scale), their weights (sum 1), and
# whether the draws are a resample of them (else they are the draws themselves, independent).
resampled_from <- function(x) {
  if (!x$importance && x$method != "wgma")  # fresh draws from the fitted mixture
    return(list(points = x$draws, w = rep(1 / nrow(x$draws), nrow(x$draws)), resampled = FALSE))
  w <- if (x$importance) exp(bank_log_weights(x)) else {
    comp <- x$bank$component  # W-GMA: each component's weight shared by its bank points
    x$mixture$weights[comp] / tabulate(comp)[comp]
  }
  list(points = to_natural(x$bank$points, x$bounds), w = w / sum(w), resampled = TRUE)
}

# The Monte Carlo standard error of each parameter's mean over the draws, and the ESS it amounts
# to (see ?gma_fit-methods, "Monte Carlo error").
monte_carlo_error <- function(x) {
  from <- resampled_from(x)
  keep <- from$w > 0  # points of density zero (-Inf log p) have no say and may be infinite
  w <- from$w[keep]
  h <- from$points[keep, , drop = FALSE]
  dev2 <- sweep(h, 2, colSums(w * h))^2
  var_w <- colSums(w * dev2)
  mcse <- sqrt(colSums(w^2 * dev2) + if (from$resampled) var_w / nrow(x$draws) else 0)
  list(mcse = unname(mcse), ess = unname(var_w / mcse^2))
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
#' @param row.names,optional not used (the generic's arguments).
#' @export
as.data.frame.gma_fit <- function(x, row.names = NULL, optional = FALSE, ...) {
  as.data.frame(x$draws)
}

#' @rdname gma_fit-methods
#' @export
as.array.gma_fit <- function(x, ...) {
  array(x$draws, c(nrow(x$draws), 1L, ncol(x$draws)),
        dimnames = list(iteration = NULL, chain = NULL, variable = colnames(x$draws)))
}

#' @rdname gma_fit-methods
#' @export
coef.gma_fit <- function(object, ...) colMeans(object$draws)

#' @rdname gma_fit-methods
#' @export
vcov.gma_fit <- function(object, ...) stats::cov(object$draws)

#' @rdname gma_fit-methods
#' @export
gma_evidence <- function(object) {
  if (!inherits(object, "gma_fit")) arg_error("object", "must be a gma_fit made by gma_sample()")
  c(log_z = object$diagnostics[["log_z"]], se = object$diagnostics[["log_z_se"]])
}

#' @rdname gma_fit-methods
#' @param which for `plot()`, the page to draw: `"fit"` (default) the fit's progress in two
#'   panels (EM: each round's log evidence against the pooled one with its band of two standard
#'   errors, and each round's importance efficiency; W-GMA: the Frank-Wolfe gap and the paths of
#'   the heaviest weights) and the draws in a third (a histogram with the fitted mixture in one
#'   dimension, else the first two parameters); `"pairs"` a pairs plot of the draws of the first
#'   `max_pairs` parameters. One call draws one page.
#' @param target for `plot()`, the target drawn over the draws of a one- or two-dimensional fit
#'   (a curve or contours): `FALSE` (default) for none, `TRUE` for the fit's own, or any log
#'   density [gma_target()] accepts. It is evaluated afresh on a grid of 200 points (one
#'   dimension) or 50 x 50 (two), so it costs that many density evaluations.
#' @param max_pairs the most parameters in the pairs plot.
#' @param new_layout set up the page (`"fit"`: a row of three panels); `FALSE` draws the panels
#'   into the current layout (`graphics::layout()` or `par(mfrow = )`), for several fits on one
#'   page.
#' @export
plot.gma_fit <- function(x, which = c("fit", "pairs"), target = FALSE, max_pairs = 5L,
                         new_layout = TRUE, ...) {
  which <- match_choice(which, c("fit", "pairs"), "which")
  if (which == "pairs") {
    d <- min(ncol(x$draws), check_count(max_pairs, "max_pairs", min = 2))
    if (d < 2L) arg_error("which", '"pairs" needs at least two parameters')
    graphics::pairs(x$draws[, seq_len(d)], pch = 16, cex = 0.2, gap = 0.3,
                    col = grDevices::adjustcolor("steelblue", 0.3),
                    main = sprintf("draws of %s", if (d < ncol(x$draws))
                      sprintf("the first %d of %d parameters", d, ncol(x$draws)) else "the parameters"))
    return(invisible(x))
  }
  if (isTRUE(target)) target <- x$target
  if (isFALSE(target)) target <- NULL
  if (!is.null(target)) target <- gma_target(target)
  if (new_layout) {
    old <- graphics::par(mfrow = c(1, 3), mar = c(4, 4, 2.5, 1))
    on.exit(graphics::par(old))
  }
  if (x$method == "wgma") plot_wgma_trace(x) else plot_em_trace(x)
  if (ncol(x$draws) == 1L) plot_marginal_1d(x, target) else plot_draws_2d(x, target)
  invisible(x)
}

# W-GMA: the Frank-Wolfe gap against the tolerance, and the paths of the heaviest weights, each
# in its own colour, labelled by component in a legend.
plot_wgma_trace <- function(x) {
  gap <- x$trace$gap
  it <- seq_along(gap)
  graphics::plot(it, pmax(gap, 1e-16), type = "l", log = "xy", xlab = "iteration",
                 ylab = "Frank-Wolfe gap (nats)", main = "convergence")
  graphics::abline(h = x$control$wgma$tol, lty = 3, col = "grey40")
  graphics::legend("topright", c("gap", "tolerance"), lty = c(1, 3), col = c("black", "grey40"),
                   bty = "n", cex = 0.8)
  w <- x$trace$weights
  if (is.null(w) || !nrow(w)) return(graphics::plot.new())
  top <- utils::head(order(x$mixture$weights, decreasing = TRUE), 8L)
  cols <- grDevices::hcl.colors(length(top), "Dark 3")
  graphics::matplot(it, w[, top, drop = FALSE], type = "l", lty = 1, lwd = 1.5, col = cols,
                    log = "x", xlab = "iteration", ylab = "weight", main = "heaviest weights",
                    ylim = headroom(range(0, w[, top]), 0.4))
  graphics::legend("top", format(top), title = "component", col = cols, lty = 1, lwd = 1.5,
                   bty = "n", cex = 0.7, ncol = 4L)
}

# EM: each round's estimate of log Z against the pooled one (+- 2 se), and its importance ESS.
plot_em_trace <- function(x) {
  tr <- x$trace
  lz <- x$diagnostics[["log_z"]]
  se <- x$diagnostics[["log_z_se"]]
  graphics::plot(tr$round, tr$log_z, type = "n", xlab = "round", ylab = "log Z", main = "evidence by round",
                 ylim = headroom(range(tr$log_z, lz - 2.5 * se, lz + 2.5 * se, finite = TRUE), 0.6))
  graphics::rect(graphics::par("usr")[1], lz - 2 * se, graphics::par("usr")[2], lz + 2 * se,
                 col = grDevices::adjustcolor("firebrick", 0.15), border = NA)
  graphics::abline(h = lz, col = "firebrick")
  graphics::lines(tr$round, tr$log_z, type = "b", pch = 16)
  graphics::legend("topleft", c("round", "pooled", "pooled \u00b1 2 se"),
                   lty = c(1, 1, NA), pch = c(16, NA, 15), col = c("black", "firebrick",
                   grDevices::adjustcolor("firebrick", 0.3)), pt.cex = c(1, 1, 2), bty = "n",
                   cex = 0.75)
  # the rounds' sizes (the last round takes what is left of the budget)
  bank <- tabulate(x$bank$component, nrow(tr))
  graphics::plot(tr$round, tr$ess / ifelse(bank > 0, bank, NA), type = "b", pch = 16, ylim = c(0, 1),
                 xlab = "round", ylab = "ESS / points", main = "importance efficiency")
}

plot_marginal_1d <- function(x, target) {
  draws <- x$draws[, 1]
  grid <- seq(min(draws), max(draws), length.out = 200)
  h <- graphics::hist(draws, breaks = 60, plot = FALSE)
  # the mixture lives on the unconstrained scale when there are bounds
  mix <- if (is.null(x$bounds)) dmixture(grid, x$mixture)
  p <- if (!is.null(target)) {
    lp <- gma_evaluate(target, matrix(grid, ncol = 1L), x$threads)
    p <- exp(lp - max(lp))
    p / (sum(p) * diff(grid[1:2]))
  }
  graphics::plot(h, freq = FALSE, col = "grey85", border = "white", main = "draws",
                 xlab = colnames(x$draws)[1], ylim = headroom(c(0, h$density, mix, p), 0.25))
  key <- list(text = "draws", col = "grey70", lty = NA, pch = 15)
  if (!is.null(mix)) {
    graphics::lines(grid, mix, col = "steelblue", lwd = 2)
    key <- add_key(key, "fitted mixture", "steelblue", 1)
  }
  if (!is.null(p)) {
    graphics::lines(grid, p, col = "firebrick", lwd = 2, lty = 2)
    key <- add_key(key, "target", "firebrick", 2)
  }
  graphics::legend("topright", key$text, col = key$col, lty = key$lty, pch = key$pch, lwd = 2,
                   bty = "n", cex = 0.8)
}

# The range of y with room above it for a legend (a fraction of the range).
headroom <- function(y, room = 0.3) {
  r <- range(y, finite = TRUE)
  c(r[1], r[2] + room * diff(r))
}

add_key <- function(key, text, col, lty) {
  list(text = c(key$text, text), col = c(key$col, col), lty = c(key$lty, lty), pch = c(key$pch, NA))
}

# The first two parameters' draws; for a two-dimensional fit, the target's contours if asked.
plot_draws_2d <- function(x, target) {
  draws <- x$draws[, 1:2, drop = FALSE]
  graphics::plot(draws, pch = 16, cex = 0.3, col = grDevices::adjustcolor("steelblue", 0.3),
                 main = if (ncol(x$draws) > 2L) "draws, first two parameters" else "draws")
  if (!is.null(target) && ncol(x$draws) == 2L) {
    g1 <- seq(min(draws[, 1]), max(draws[, 1]), length.out = 50)
    g2 <- seq(min(draws[, 2]), max(draws[, 2]), length.out = 50)
    lp <- gma_evaluate(target, as.matrix(expand.grid(g1, g2)), x$threads)
    graphics::contour(g1, g2, matrix(exp(lp - max(lp)), 50), add = TRUE, drawlabels = FALSE,
                      col = "firebrick", levels = c(0.01, 0.1, 0.3, 0.6, 0.9))
    graphics::legend("topright", c("draws", "target (contours)"), pch = c(16, NA), lty = c(NA, 1),
                     col = c("steelblue", "firebrick"), bty = "n", cex = 0.8)
  }
}

# ", started from 2 mode(s)", and the start components that are no mode: points along a climb into
# a spike (mode_search(), path_components()).
started_from <- function(n_modes, n_start) {
  paste0(sprintf(", started from %d mode(s)", n_modes),
         if (n_start > n_modes) sprintf(" and %d points along a climb into a spike", n_start - n_modes))
}
