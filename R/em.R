# EM-GMA: rounds of population EM, each on a fresh bank drawn from the current mixture; every
# round's bank is kept and pooled at the end.

fit_em <- function(start, control, threads, ev, budget) {
  d <- ncol(start$means)
  bank_size <- control$em_bank
  n_rounds <- as.integer(max(1, min(control$em_iter, floor(budget / bank_size))))
  min_ess <- if (is.null(control$em_min_ess)) d + 1 else control$em_min_ess
  shrink <- if (is.null(control$em_shrink)) 0.3 * d * (d + 3) / 2 else control$em_shrink
  mix <- start
  rounds <- vector("list", n_rounds)
  trace <- data.frame(round = seq_len(n_rounds), ess = NA_real_, beta = NA_real_,
                      updated = NA_integer_, components = NA_integer_, log_z = NA_real_)
  for (t in seq_len(n_rounds)) {
    proposal <- defensive_proposal(mix, control$em_defensive, control$em_defensive_scale)
    bank <- draw_proposal(proposal, bank_size)
    log_p <- ev$evaluate(bank)
    log_q <- log_proposal(bank, proposal, threads)
    rounds[[t]] <- list(points = bank, log_p = log_p, proposal = proposal)
    if (all(log_p == -Inf))
      arg_error("log_density", sprintf(
        "is -Inf at all %d points drawn in EM round %d: place the start where the target has mass", bank_size, t))
    beta <- tempering_beta(log_p - log_q, control$em_ess_min * bank_size)
    # importance weights against the proposal, responsibilities among the mixture's own
    # components: the defensive one is rebuilt around the updated mixture each round
    step <- gma_em_step(t(bank), log_p, mix$weights, t(mix$means), mix$chols, log_q,
                        beta, min_ess, control$em_eig_floor, control$em_ridge, shrink, threads)
    trace[t, c("ess", "beta", "updated", "components", "log_z")] <-
      c(step$ess, beta, sum(step$updated), length(mix$weights), log_evidence(log_p - log_q)[["log_z"]])
    mix <- step_mixture(step, control$em_prune, colnames(start$means))
  }

  # every round's bank as one importance sample from the average of the rounds' mixtures (the
  # deterministic-mixture, or balance-heuristic, weights): no evaluation is wasted
  points <- do.call(rbind, lapply(rounds, `[[`, "points"))
  log_p <- unlist(lapply(rounds, `[[`, "log_p"))
  log_q_rounds <- vapply(rounds, function(r) log_proposal(points, r$proposal, threads),
                         numeric(nrow(points)))
  log_q_pool <- apply(matrix(log_q_rounds, nrow(points)), 1L, log_sum_exp) - log(n_rounds)
  # the fitted mixture: a few EM steps on the pooled, importance-weighted points of all rounds,
  # rather than the last round's alone (about n_rounds times less Monte Carlo noise)
  for (i in seq_len(control$em_final_steps)) {
    step <- gma_em_step(t(points), log_p, mix$weights, t(mix$means), mix$chols, log_q_pool, 1,
                        min_ess, control$em_eig_floor, control$em_ridge, shrink, threads)
    mix <- step_mixture(step, control$em_prune, colnames(start$means))
  }
  list(
    mixture = mix,
    bank = list(points = points, log_p = log_p, component = rep(seq_len(n_rounds), each = bank_size),
                log_q = dmixture(points, mix, log = TRUE, threads = threads),
                log_q_proposal = log_q_pool),
    trace = trace,
    iterations = n_rounds, converged = TRUE, stalled = FALSE
  )
}

# The mixture an EM step returned, without the components lighter than `prune`.
step_mixture <- function(step, prune, names) {
  keep <- step$weights > prune
  means <- t(step$means)[keep, , drop = FALSE]
  colnames(means) <- names
  gma_mixture(step$weights[keep], means, step$covs[, , keep, drop = FALSE])
}

# An EM round's proposal: the mixture plus a defensive multivariate t component (3 degrees of
# freedom) of weight `weight`, centred on the mixture's overall mean with its overall covariance
# (within and between components) times scale^2. Gaussian components have lighter tails than many
# targets (a log-transformed scale parameter has an exponential tail), and importance weights p / q
# then have no variance there; the t component bounds them.
defensive_proposal <- function(mixture, weight, scale, df = 3) {
  w <- mixture$weights
  m <- colSums(mixture$means * w)
  within <- apply(mixture$covs, c(1, 2), function(v) sum(v * w))
  between <- crossprod(sweep(mixture$means, 2, m) * sqrt(w))
  list(mixture = mixture, weight = weight, mean = m, chol = t(chol(scale^2 * (within + between))),
       df = df)
}

# n points: round(n * weight) from the t component, the rest from the mixture.
draw_proposal <- function(p, n) {
  n_t <- round(n * p$weight)
  x <- draw_mixture(p$mixture, n - n_t)
  if (n_t > 0) {
    d <- length(p$mean)
    z <- matrix(stats::rnorm(n_t * d), n_t) / sqrt(stats::rchisq(n_t, p$df) / p$df)
    x <- rbind(x, sweep(z %*% t(p$chol), 2, p$mean, `+`))
  }
  x
}

# The proposal's log density at the rows of x: the weighted mixture and t terms, exactly as
# draw_proposal mixes them (its fixed count is the expected count of independent labels).
log_proposal <- function(x, p, threads) {
  log_mix <- dmixture(x, p$mixture, log = TRUE, threads = threads)
  if (p$weight <= 0) return(log_mix)
  d <- length(p$mean)
  r <- backsolve(p$chol, t(sweep(x, 2, p$mean)), upper.tri = FALSE)
  log_t <- lgamma((p$df + d) / 2) - lgamma(p$df / 2) - d / 2 * log(p$df * pi) -
    sum(log(diag(p$chol))) - (p$df + d) / 2 * log1p(colSums(r^2) / p$df)
  a <- log1p(-p$weight) + log_mix
  b <- log(p$weight) + log_t
  pmax(a, b) + log1p(exp(-abs(a - b)))
}

# The tempering exponent for one EM round: 1 when the importance weights' effective sample size is
# at least ess_min, else the largest beta in (0, 1] whose weights (p / q)^beta reach it (bisection:
# the ESS falls as beta grows).
tempering_beta <- function(log_ratios, ess_min) {
  ess <- function(beta) {
    lw <- beta * log_ratios
    lw <- lw - log_sum_exp(lw)
    1 / sum(exp(2 * lw))
  }
  finite <- is.finite(log_ratios)
  if (!any(finite)) return(1)
  log_ratios <- log_ratios[finite]
  if (ess(1) >= ess_min) return(1)
  lo <- 0
  hi <- 1
  for (i in 1:40) {
    mid <- (lo + hi) / 2
    if (ess(mid) >= ess_min) lo <- mid else hi <- mid
  }
  max(lo, 1e-6)
}

# Seeds EM with k components per mode: the mode's own and k - 1 copies moved along its
# covariance's principal axes by one standard deviation (alternating sides, axes by decreasing
# variance), each with the mode's covariance and an equal share of its weight. One Gaussian per
# mode cannot follow a curved or skewed mode; the copies give EM something to move.
split_modes <- function(mixture, k) {
  if (k <= 1L) return(mixture)
  d <- ncol(mixture$means)
  means <- NULL
  covs <- NULL
  w <- NULL
  for (j in seq_along(mixture$weights)) {
    e <- eigen(mixture$covs[, , j], symmetric = TRUE)
    shifts <- matrix(0, k, d)
    for (i in seq_len(k - 1L)) {
      axis <- ((i - 1L) %/% 2L) %% d + 1L
      side <- if (i %% 2L == 1L) 1 else -1
      shifts[i + 1L, ] <- side * sqrt(e$values[axis]) * e$vectors[, axis]
    }
    means <- rbind(means, sweep(shifts, 2, mixture$means[j, ], `+`))
    covs <- c(covs, rep(list(mixture$covs[, , j]), k))
    w <- c(w, rep(mixture$weights[j] / k, k))
  }
  colnames(means) <- colnames(mixture$means)
  gma_mixture(w, means, array(unlist(covs), c(d, d, length(w))))
}
