# EM-GMA: rounds of population EM, each on a fresh bank drawn from the current mixture plus a
# defensive component; every round's bank is kept and pooled at the end.

fit_em <- function(start, em, threads, ev, budget) {
  d <- ncol(start$means)
  n_rounds <- as.integer(max(1, min(em$max_rounds, floor(budget / em$bank))))
  options <- em_step_options(em, d)
  mix <- with_family(start, em$family, em$df)
  rounds <- vector("list", n_rounds)
  trace <- data.frame(round = seq_len(n_rounds), ess = NA_real_, beta = NA_real_,
                      updated = NA_integer_, components = NA_integer_, log_z = NA_real_)
  for (t in seq_len(n_rounds)) {
    round <- em_round(mix, em, em$bank, ev, threads, sprintf("EM round %d", t))
    log_ratios <- round$log_p - round$log_q
    beta <- tempering_beta(log_ratios, em$target_ess * em$bank)
    # importance weights against the proposal, responsibilities among the mixture's own
    # components: the defensive one is rebuilt around the updated mixture each round
    step <- gma_em_step(t(round$points), round$log_p, mix, round$log_q, beta, options, threads)
    trace[t, -1L] <- c(ess_of_log_weights(beta * log_ratios), beta, sum(step$updated),
                       length(mix$weights), log_evidence(log_ratios)[["log_z"]])
    rounds[[t]] <- round
    mix <- step_mixture(step, mix, em$prune)
  }

  # every round's bank as one importance sample from the average of the rounds' proposals (the
  # deterministic-mixture, or balance-heuristic, weights): no evaluation is wasted
  points <- do.call(rbind, lapply(rounds, `[[`, "points"))
  log_p <- unlist(lapply(rounds, `[[`, "log_p"))
  log_q_rounds <- vapply(rounds, function(r) dmixture(points, r$proposal, log = TRUE, threads = threads),
                         numeric(nrow(points)))
  log_q_pool <- row_log_sum_exp(matrix(log_q_rounds, nrow(points))) - log(n_rounds)
  # the fitted mixture: a few EM steps on the pooled, importance-weighted points of all rounds,
  # rather than the last round's alone (about n_rounds times less Monte Carlo noise)
  for (i in seq_len(em$final_steps)) {
    step <- gma_em_step(t(points), log_p, mix, log_q_pool, 1, options, threads)
    mix <- step_mixture(step, mix, em$prune)
  }
  list(
    mixture = mix,
    bank = list(points = points, log_p = log_p, component = rep(seq_len(n_rounds), each = em$bank),
                log_q = dmixture(points, mix, log = TRUE, threads = threads),
                log_q_proposal = log_q_pool),
    trace = trace,
    iterations = n_rounds, converged = TRUE, stalled = FALSE
  )
}

# One importance sample of n points from the mixture with its defensive component: the points, log
# p (evaluated through the counter), log q of the proposal they came from, and that proposal.
em_round <- function(mixture, em, n, ev, threads, where) {
  proposal <- defensive_proposal(mixture, em)
  points <- draw_mixture(proposal, n)
  log_p <- ev$evaluate(points)
  if (all(log_p == -Inf))
    arg_error("log_density", sprintf(
      "is -Inf at all %d points drawn in %s: place the start where the target has mass", n, where))
  list(points = points, log_p = log_p, log_q = dmixture(points, proposal, log = TRUE, threads = threads),
       proposal = proposal)
}

# The settings of one EM step, as the C++ EmOptions holds them (NULLs resolved for dimension d).
em_step_options <- function(em, d) {
  list(min_ess = em$min_component_ess %||% (d + 1), eig_floor = em$eig_floor, ridge = em$ridge,
       shrink = em$shrink %||% (0.3 * d * (d + 3) / 2))
}

# The mixture with every component of the given family (the EM start is a Laplace mixture).
with_family <- function(mixture, family, df) {
  if (family == "gaussian" && all(is.infinite(mixture$df))) return(mixture)
  gma_mixture(mixture$weights, mixture$means, mixture$covs, family = family, df = df)
}

# The mixture an EM step returned, without the components lighter than `prune`; the family and
# degrees of freedom are those of the mixture it updated.
step_mixture <- function(step, mixture, prune) {
  keep <- step$weights > prune
  means <- t(step$means)[keep, , drop = FALSE]
  colnames(means) <- colnames(mixture$means)
  gma_mixture(step$weights[keep], means, step$covs[, , keep, drop = FALSE], family = mixture$family,
              df = if (mixture$family == "t") mixture$df[keep])
}

# An EM round's proposal: the mixture plus a defensive multivariate t component of weight
# em$defensive (em$defensive_df degrees of freedom), centred on the mixture's overall mean with its
# overall covariance (within and between components) times defensive_scale^2. Gaussian components
# have lighter tails than many targets (a log-transformed scale parameter has an exponential
# tail), and importance weights p / q then have no variance there; the t component bounds them.
defensive_proposal <- function(mixture, em) {
  if (em$defensive <= 0) return(mixture)
  mom <- mixture_moments(mixture)
  add_component(mixture, em$defensive, mom$mean, em$defensive_scale^2 * mom$cov, em$defensive_df)
}

# The tempering exponent for one EM round: 1 when the importance weights' effective sample size is
# at least ess_min, else the largest beta in (0, 1] whose weights (p / q)^beta reach it (bisection:
# the ESS falls as beta grows).
tempering_beta <- function(log_ratios, ess_min) {
  log_ratios <- log_ratios[is.finite(log_ratios)]
  if (!length(log_ratios) || ess_of_log_weights(log_ratios) >= ess_min) return(1)
  lo <- 0
  hi <- 1
  for (i in 1:40) {
    mid <- (lo + hi) / 2
    if (ess_of_log_weights(mid * log_ratios) >= ess_min) lo <- mid else hi <- mid
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
