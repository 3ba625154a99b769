# LMA: a Laplace mixture approximation. Screen a space-filling design, start a gradient-free
# optimiser (BFGS on batched central differences) from the screened points that the modes found so
# far explain least, merge the modes found, and give each a Laplace covariance (a finite-difference
# Hessian, made positive definite) and a weight from its Laplace evidence. As a method of its own,
# the Laplace mixture is checked by one importance sample of the rest of the budget.

# method = "lma": the Laplace mixture, with one bank of n points drawn from it and its defensive
# component (em_round()), which corrects it by importance weights.
fit_lma <- function(laplace, em, threads, ev, n) {
  round <- em_round(laplace, em, n, ev, threads, "the importance sample of the Laplace mixture")
  list(mixture = laplace,
       bank = list(points = round$points, log_p = round$log_p, component = rep(1L, n),
                   log_q = dmixture(round$points, laplace, log = TRUE, threads = threads),
                   log_q_proposal = round$log_q),
       iterations = 1L, converged = TRUE, stalled = FALSE)
}

laplace_mixture <- function(d, init, scale, box, lma, n_evals, ev, names) {
  n_before <- ev$count()
  n_screen <- lma$screen %||% min(2000L, 100L * d)
  n_starts <- lma$starts %||% if (!is.null(box)) 10L else 3L
  screen <- screening_points(d, init, scale, box, n_screen)
  lp_screen <- ev$evaluate(screen)
  if (all(lp_screen == -Inf))
    arg_error("log_density", sprintf(
      "is -Inf at all %d screening points: give `init` where the target has mass, or a `box` around it", nrow(screen)))
  # Climb from one start at a time. The first is init (when given) or the best screened point;
  # each next one is the best screened point that the modes found so far do not explain: its log
  # density exceeds their (unnormalised) Laplace approximation by more than one nat. So the search
  # goes where the approximation misses mass, small modes included, and stops when nothing is
  # unexplained, after n_starts climbs, or when the budget is spent.
  width <- if (!is.null(box)) box[, 2] - box[, 1] else sqrt(diag(scale))
  # a Laplace component is never wider than the box searched, or 100 scales without one
  max_sd <- if (!is.null(box)) max(width) else 100 * max(width)
  budget <- lma$budget * n_evals
  ok <- is.finite(lp_screen)
  laplace <- list()
  tried <- rep(FALSE, nrow(screen))
  for (climbs in seq_len(n_starts)) {
    if (length(laplace) >= lma$max_modes || ev$count() - n_before > budget) break
    unexplained <- ok & !tried & lp_screen > laplace_log_density(screen, laplace) + 1
    if (!any(unexplained)) break
    first <- climbs == 1L && !is.null(init) && ok[1L]  # screen[1, ] is init
    i <- if (first) 1L else which(unexplained)[which.max(lp_screen[unexplained])]
    tried[i] <- TRUE
    m <- climb(screen[i, ], ev$evaluate, width)
    if (is.null(m) || any(vapply(laplace, function(l) same_mode(m$par, l), logical(1)))) next
    lap <- laplace_covariance(m$par, m$log_p, ev$evaluate, max_sd)
    if (is.null(lap)) lap <- local_covariance(m$par, screen, lp_screen)
    cand <- list(par = m$par, log_p = m$log_p, cov = lap$cov, precision = lap$precision)
    if (any(vapply(laplace, function(l) same_mode(l$par, cand), logical(1)))) next
    laplace[[length(laplace) + 1L]] <- cand
  }
  if (!length(laplace))
    arg_error("log_density", "has no finite mode with a usable Hessian reachable from the starting points")
  # Laplace evidence: log p(mu) + (d / 2) log(2 pi) + log|Sigma| / 2
  log_w <- vapply(laplace, function(l) l$log_p + 0.5 * as.numeric(determinant(l$cov)$modulus), numeric(1))
  means <- do.call(rbind, lapply(laplace, `[[`, "par"))
  colnames(means) <- names
  covs <- array(unlist(lapply(laplace, function(l) lma$inflate * l$cov)), c(d, d, length(laplace)))
  list(mixture = gma_mixture(exp(log_w - max(log_w)), means, covs),
       modes = data.frame(log_p = vapply(laplace, `[[`, numeric(1), "log_p"),
                          log_evidence = log_w + d / 2 * log(2 * pi)),
       n_evals = ev$count() - n_before)
}

# init (when given) and n space-filling points in the box, or around init spread by 3 times the
# scale.
screening_points <- function(d, init, scale, box, n) {
  pts <- space_filling(n, d, box = box, centre = init, cov = scale, spread = 3)
  unname(rbind(init, pts))
}

# log of sum_j p(mu_j) exp(-(x - mu_j)' P_j (x - mu_j) / 2) at the rows of x: what the modes found
# so far predict for log p (-Inf with none).
laplace_log_density <- function(x, modes) {
  if (!length(modes)) return(rep(-Inf, nrow(x)))
  terms <- vapply(modes, function(l) {
    r <- sweep(x, 2, l$par)
    l$log_p - 0.5 * rowSums((r %*% l$precision) * r)
  }, numeric(nrow(x)))
  terms <- matrix(terms, nrow(x))
  apply(terms, 1L, log_sum_exp)
}

# BFGS from x on log p, gradients by central differences in one batch of 2d points.
climb <- function(x, counter, width) {
  d <- length(x)
  f <- function(p) {
    v <- counter(matrix(p, 1L))
    if (v == -Inf) 1e300 else -v
  }
  # central differences; one-sided where a step leaves the support, zero where both do
  g <- function(p) {
    h <- 1e-6 * pmax(abs(p), 1e-3 * width, 1e-8)
    v <- counter(rbind(p, sweep(diag(h, d), 2, p, `+`), sweep(-diag(h, d), 2, p, `+`)))
    f0 <- v[1L]
    up <- v[1L + seq_len(d)]
    down <- v[1L + d + seq_len(d)]
    grad <- ifelse(is.finite(up) & is.finite(down), (up - down) / (2 * h),
                   ifelse(is.finite(up), (up - f0) / h, ifelse(is.finite(down), (f0 - down) / h, 0)))
    if (!is.finite(f0)) grad[] <- 0
    -grad
  }
  res <- tryCatch(stats::optim(x, f, g, method = "BFGS",
                               control = list(maxit = 500, reltol = 1e-12)),
                  gma_log_density_error = function(e) stop(e),  # the user's density failed
                  error = function(e) NULL)                     # the optimiser gave up
  if (is.null(res) || !is.finite(res$value) || res$value >= 1e300) return(NULL)
  list(par = res$par, log_p = -res$value)
}

# The inverse of the negative Hessian of log p at x, by central second differences in one batch,
# made positive definite: curvatures are floored at 1e-10 of the largest and at 1 / max_sd^2 (the
# box's width, or 100 scales), so that a flat or saddle direction gives a wide but finite
# component that stays where the search looked. Two
# passes: the first with small steps finds the scale, the second steps half a standard deviation
# along each axis, so that the curvature is measured over the width that matters. Returns the
# covariance and its inverse; NULL when log p is not finite around x.
laplace_covariance <- function(x, log_px, counter, max_sd) {
  h <- 1e-4 * pmax(abs(x), 1e-2)
  out <- NULL
  for (pass in 1:2) {
    hess <- fd_hessian(x, log_px, h, counter)
    if (is.null(hess)) return(out)
    e <- eigen(-hess, symmetric = TRUE)
    curv <- pmax(e$values, 1e-10 * max(e$values, 0), 1 / max_sd^2)
    cov <- e$vectors %*% (t(e$vectors) / curv)
    out <- list(cov = (cov + t(cov)) / 2, precision = e$vectors %*% (t(e$vectors) * curv))
    h <- 0.5 * sqrt(diag(out$cov))
  }
  out
}

# Where the Hessian cannot be had (a mode on the edge of the support, where a step leaves it), the
# covariance of the screened points weighted by their density, as seen from the mode.
local_covariance <- function(x, pts, lp) {
  ok <- is.finite(lp)
  w <- exp(lp[ok] - max(lp[ok]))
  r <- sweep(pts[ok, , drop = FALSE], 2, x)
  cov <- crossprod(r * sqrt(w / sum(w)))
  e <- eigen(cov, symmetric = TRUE)
  v <- pmax(e$values, 1e-10 * max(e$values, 1e-300))
  list(cov = e$vectors %*% (t(e$vectors) * v), precision = e$vectors %*% (t(e$vectors) / v))
}

fd_hessian <- function(x, fx, h, counter) {
  d <- length(x)
  pairs <- which(upper.tri(diag(d)), arr.ind = TRUE)
  steps <- rbind(diag(h, d), -diag(h, d))
  if (nrow(pairs)) {
    for (s in list(c(1, 1), c(1, -1), c(-1, 1), c(-1, -1))) {
      m <- matrix(0, nrow(pairs), d)
      m[cbind(seq_len(nrow(pairs)), pairs[, 1])] <- s[1] * h[pairs[, 1]]
      m[cbind(seq_len(nrow(pairs)), pairs[, 2])] <- s[2] * h[pairs[, 2]]
      steps <- rbind(steps, m)
    }
  }
  v <- counter(sweep(steps, 2, x, `+`))
  if (any(!is.finite(v))) return(NULL)
  hess <- diag((v[seq_len(d)] - 2 * fx + v[d + seq_len(d)]) / h^2, d)
  if (nrow(pairs)) {
    np <- nrow(pairs)
    off <- 2 * d
    pp <- v[off + seq_len(np)]
    pm <- v[off + np + seq_len(np)]
    mp <- v[off + 2 * np + seq_len(np)]
    mm <- v[off + 3 * np + seq_len(np)]
    hij <- (pp - pm - mp + mm) / (4 * h[pairs[, 1]] * h[pairs[, 2]])
    hess[pairs] <- hij
    hess[pairs[, 2:1, drop = FALSE]] <- hij
  }
  hess
}

# Whether x lies within one Mahalanobis unit of a kept mode, under that mode's covariance.
same_mode <- function(x, mode) {
  r <- x - mode$par
  sum(r * (mode$precision %*% r)) < 1
}
