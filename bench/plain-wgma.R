# A plain base-R implementation of W-GMA, the same algorithm as gmasampler::gma_sample(method =
# "wgma") with the settings bench-core.R pins (plain mirror descent: no momentum, which the
# package's default adds): a bank of M draws from each of N fixed Gaussian components, the dense
# N*M x N log-pdf matrix, mirror descent (exponentiated gradient) on the weights with the constant
# step eta0 and each component's own-bank gradient, stopped when the Frank-Wolfe gap falls below
# tol or after max_iter iterations, and stratified resampling of the bank.
#
# It is meant to be a fair reference, not a strawman: every stage is vectorised (matrix products,
# max.col(), colMeans()); the only loop over points is the per-point density loop, which
# gma_sample() runs too for an R function of one point. The differences from the package are
# that nothing is sparsified (the package drops entries of exp(L - row max) below 1e-14, which
# changes q by < 1e-14 relative) and that it runs on one thread with R's BLAS.

# log N(z_r; mu_l, Sigma_l) for every row r of Z (n x d) and component l: an n x N matrix.
# With one shared covariance (every design of gma_sample() has one) this is one whitening solve
# and one matrix product; otherwise one vectorised solve per component.
plain_log_pdf_matrix <- function(Z, means, covs) {
  n <- nrow(Z)
  d <- ncol(Z)
  N <- nrow(means)
  shared <- length(dim(covs)) == 2L ||
    all(apply(covs, 3L, function(s) isTRUE(all.equal(s, covs[, , 1L], tolerance = 0))))
  if (shared) {
    S <- if (length(dim(covs)) == 2L) covs else covs[, , 1L]
    U <- chol(S)                                      # S = U'U, L = U'
    Y <- t(backsolve(U, t(Z), transpose = TRUE))      # rows L^{-1} z
    W <- t(backsolve(U, t(means), transpose = TRUE))  # rows L^{-1} mu
    quad <- outer(rowSums(Y^2), rowSums(W^2), "+") - 2 * tcrossprod(Y, W)
    quad[quad < 0] <- 0
    return(-0.5 * d * log(2 * pi) - sum(log(diag(U))) - 0.5 * quad)
  }
  out <- matrix(0, n, N)
  tZ <- t(Z)
  for (l in seq_len(N)) {
    U <- chol(covs[, , l])
    Y <- backsolve(U, tZ - means[l, ], transpose = TRUE)
    out[, l] <- -0.5 * d * log(2 * pi) - sum(log(diag(U))) - 0.5 * colSums(Y^2)
  }
  out
}

# The weight fit on a stored log-pdf matrix, kept as its row maxima and E = exp(L - row max):
# one dense matrix-vector product and one block mean per iteration.
plain_fit_weights <- function(E, row_max, log_p, per_comp, w0, eta0 = 1, max_iter = 1000L,
                              tol = 1e-4, log_floor = -32) {
  N <- ncol(E)
  infeasible <- colSums(matrix(log_p == -Inf, per_comp, N)) > 0
  w <- w0
  w[infeasible] <- 0
  w <- w / sum(w)
  log_w <- log(w)
  floor_val <- exp(log_floor)
  gaps <- numeric(0)
  objs <- numeric(0)
  w_hist <- list()
  iterations <- 0L
  converged <- FALSE
  for (k in seq_len(max_iter + 1L)) {
    log_q <- row_max + log(pmax(drop(E %*% w), floor_val))
    g <- 1 + colMeans(matrix(log_q - log_p, per_comp, N))
    g[infeasible] <- Inf
    pos <- !infeasible & w > 0
    gap <- sum(w[pos] * g[pos]) - min(g[!infeasible])
    if (k > max_iter) {
      converged <- gap < tol
      break
    }
    gaps <- c(gaps, gap)
    objs <- c(objs, sum(w[pos] * (g[pos] - 1)))
    w_hist[[k]] <- w
    if (gap < tol) {
      converged <- TRUE
      break
    }
    # the same stall rule as gmasampler: 20 iterations with little movement and a small gap
    if (k > 20 && gap < 100 * tol && objs[k - 20] - objs[k] <= tol / 10 &&
        0.5 * sum(abs(w - w_hist[[k - 20]])) < tol) {
      converged <- TRUE
      break
    }
    iterations <- k
    lw <- log_w[!infeasible] - eta0 * g[!infeasible]   # exponentiated gradient in log space
    mx <- max(lw)
    log_w[!infeasible] <- lw - (mx + log(sum(exp(lw - mx))))
    w <- exp(log_w)
  }
  list(weights = w, iterations = iterations, converged = converged, gap = gaps, log_q = log_q)
}

# Stratified resampling of component labels (counts within one of n * w), then, within each
# component, stratified resampling of its M equally weighted bank points; shuffled at the end.
plain_resample <- function(w, per_comp, n) {
  cw <- cumsum(w)
  cw <- cw / cw[length(cw)]
  u <- (seq_len(n) - 1 + stats::runif(n)) / n
  comp <- pmin(findInterval(u, cw) + 1L, length(w))   # increasing, so sorted by component
  counts <- tabulate(comp, length(w))
  rank <- sequence(counts[counts > 0L])
  within <- floor((rank - 1 + stats::runif(n)) / counts[comp] * per_comp) + 1
  idx <- (comp - 1L) * per_comp + pmin(within, per_comp)
  idx[sample.int(n)]
}

# The whole pipeline. log_density: an R function of one point (vectorized = FALSE, evaluated in a
# per-point loop as gma_sample() does) or of an n x d matrix. means: N x d; covs: d x d (shared)
# or d x d x N.
plain_wgma <- function(log_density, means, covs, per_comp, n_draws = NULL, vectorized = FALSE,
                       eta0 = 1, max_iter = 1000L, tol = 1e-4, log_floor = -32) {
  t0 <- proc.time()[["elapsed"]]
  means <- as.matrix(means)
  N <- nrow(means)
  d <- ncol(means)
  n <- N * per_comp
  if (is.null(n_draws)) n_draws <- n
  comp <- rep(seq_len(N), each = per_comp)
  # standard normals drawn point by point (d at a time), as gma_sample() draws them, so that the
  # same seed and components give the same bank
  X <- t(matrix(stats::rnorm(n * d), d, n))
  if (length(dim(covs)) == 2L) {
    Z <- means[comp, , drop = FALSE] + X %*% chol(covs)
  } else {
    Z <- matrix(0, n, d)
    for (l in seq_len(N)) {
      rows <- comp == l
      Z[rows, ] <- sweep(X[rows, , drop = FALSE] %*% chol(covs[, , l]), 2, means[l, ], `+`)
    }
  }
  t_bank <- proc.time()[["elapsed"]]
  L <- plain_log_pdf_matrix(Z, means, covs)
  row_max <- L[cbind(seq_len(n), max.col(L, ties.method = "first"))]
  E <- exp(L - row_max)
  rm(L)
  t_matrix <- proc.time()[["elapsed"]]
  if (vectorized) {
    log_p <- as.numeric(log_density(Z))
  } else {
    log_p <- numeric(n)
    for (i in seq_len(n)) log_p[i] <- log_density(Z[i, ])
  }
  t_eval <- proc.time()[["elapsed"]]
  fit <- plain_fit_weights(E, row_max, log_p, per_comp, rep(1 / N, N), eta0, max_iter, tol,
                           log_floor)
  t_fit <- proc.time()[["elapsed"]]
  draws <- Z[plain_resample(fit$weights, per_comp, n_draws), , drop = FALSE]
  t_end <- proc.time()[["elapsed"]]
  list(draws = draws, bank = Z, weights = fit$weights, iterations = fit$iterations,
       converged = fit$converged, gap = fit$gap, n_evals = n,
       timing = c(bank = t_bank - t0, log_pdf_matrix = t_matrix - t_bank,
                  evaluation = t_eval - t_matrix, fit = t_fit - t_eval,
                  resampling = t_end - t_fit, total = t_end - t0))
}
