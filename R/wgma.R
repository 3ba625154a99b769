# W-GMA: the weights of fixed components, fitted on one bank drawn component by component; with
# wgma$refine, a second stage on components re-centred on the heaviest ones of the first.

fit_wgma <- function(initial, per_comp, wgma, max_memory, threads, ev) {
  fit <- wgma_stage(initial, per_comp, wgma, max_memory, threads, ev)
  if (!wgma$refine) return(fit)

  # Two-stage refinement: the second stage's bank is drawn from a mixture re-centred on the
  # first stage's heaviest components, and is the one returned (its fit, its bank and its
  # proposal); the first stage's evaluations count in n_evals and its fit is kept in the trace.
  refined <- refine_mixture(fit$mixture, wgma)
  fit2 <- wgma_stage(refined$mixture, per_comp, wgma, max_memory, threads, ev, stage = 2L)
  fit2$trace$stage1 <- c(fit$trace, list(
    mixture = fit$mixture, iterations = fit$iterations, converged = fit$converged,
    stalled = fit$stalled, n_evals = length(fit$bank$log_p), kept = refined$kept))
  # the mixture the returned bank was drawn from (gma_sample()'s `initial` is the first stage's)
  fit2$refine <- list(initial = refined$mixture)
  fit2$timing <- fit$timing + fit2$timing
  fit2
}

# The components of the second stage: the heaviest `refine_keep` of the first stage's components
# (at least one), as many new means as before drawn from them by weight (stratified), each moved by
# a Gaussian jitter of covariance refine_jitter^2 Sigma, and covariances refine_shrink * Sigma.
# With the default jitter sqrt(1 - refine_shrink), a new component's mean and spread together
# reproduce its parent: the new equal-weight mixture has on average the density of the kept part
# of the fit, made of narrower components.
refine_mixture <- function(mixture, wgma) {
  w <- mixture$weights
  n_comp <- length(w)
  d <- ncol(mixture$means)
  n_keep <- max(1L, min(n_comp, ceiling(wgma$refine_keep * n_comp)))
  kept <- order(w, decreasing = TRUE)[seq_len(n_keep)]
  kept <- kept[w[kept] > 0]
  parent <- kept[gma_resample(w[kept], stats::runif(n_comp), n_comp, "stratified")]
  jitter <- wgma$refine_jitter %||% sqrt(1 - wgma$refine_shrink)
  means <- component_draws(mixture, parent, scale = jitter)
  covs <- wgma$refine_shrink * mixture$covs[, , parent, drop = FALSE]
  list(mixture = gma_mixture(NULL, means, covs), kept = kept)
}

# What a memory error about the log-pdf matrix names (its fix, matrix_fix, is in memory.R).
matrix_what <- function(n_comp, per_comp, how) {
  sprintf("W-GMA's log-pdf matrix of %s components x %s points (%s)", format_count(n_comp),
          format_count(per_comp), how)
}

# One W-GMA fit: draw the bank from `initial` (component-major), evaluate it, fit the weights.
wgma_stage <- function(initial, per_comp, wgma, max_memory, threads, ev, stage = 1L) {
  d <- ncol(initial$means)
  n_comp <- length(initial$weights)
  n_bank <- as.numeric(n_comp) * per_comp
  # what R holds beside the log-pdf matrix (a first stage's too): gma_sample() checked it fits
  held <- stage * (mixture_bytes(n_comp, d) + wgma_bank_bytes(n_comp, per_comp, d, wgma))
  t0 <- proc.time()[["elapsed"]]
  # A matrix far beyond the limit is refused before the bank is drawn: its entries are estimated at
  # the components' means, and half the estimate must fit (the matrix checks itself as it is built).
  at_least <- log_pdf_matrix_min_bytes(n_comp, per_comp, d, threads) +
    6 * n_bank * gma_log_pdf_matrix_row_estimate(initial, wgma$sparse_tol)
  check_memory(held + at_least, max_memory, matrix_what(n_comp, per_comp, "estimated at the components' means"),
               matrix_fix, how = "at least")

  # The bank, component-major, from R's RNG; then the log-pdf matrix, so that a memory error comes
  # before any density evaluation. The matrix lives in C++ until this stage ends.
  component <- rep(seq_len(n_comp), each = per_comp)
  bank <- component_draws(initial, component)
  lpm <- gma_log_pdf_matrix(t(bank), initial, wgma$sparse_tol, max_memory - held, threads)
  if (!is.null(lpm$memory_needed))
    check_memory(held + lpm$memory_needed, max_memory, matrix_what(n_comp, per_comp,
      if (lpm$estimated) "estimated from 256 of its rows" else "counted as it was built"), matrix_fix,
      how = if (lpm$estimated) "about" else "at least")
  on.exit(gma_release_log_pdf_matrix(lpm$ptr), add = TRUE)
  if (wgma$gradient == "pooled")  # the pooled gradient keeps the matrix by column too
    check_memory(held + lpm$bytes + 16 * lpm$nnz, max_memory, "W-GMA's pooled gradient",
                 'use gradient = "own" or fewer components or points')
  t_matrix <- proc.time()[["elapsed"]]

  log_p <- ev$evaluate(bank)
  t_eval <- proc.time()[["elapsed"]]
  where <- if (stage > 1L) " of the refinement stage" else ""
  if (all(log_p == -Inf))
    arg_error("log_density", sprintf(
      "is -Inf at all %d bank points%s: place the components where the target has mass (`init`, `box` or `means`)",
      n_bank, where))
  fit <- gma_fit_weights(lpm$ptr, log_p, per_comp, initial$weights, weight_fit_options(wgma), threads)
  t_fit <- proc.time()[["elapsed"]]
  if (!fit$feasible)
    arg_error("log_density", paste0(
      "is -Inf at some bank point", where, " of every component, so every component puts mass ",
      "where the target has none: use narrower components (`covs`, more `n_components`) or place ",
      "them inside the support"))
  if (!fit$converged)
    gma_warning("convergence", sprintf(paste(
      "the weight fit%s stopped at max_iter = %d with Frank-Wolfe gap %.3g > tol = %.3g;",
      "raise wgma_control(max_iter = ) or check the step settings"),
      where, wgma$max_iter, fit$final_gap, wgma$tol))

  mixture <- initial
  mixture$weights <- fit$weights
  log_q <- gma_matrix_log_q(lpm$ptr, fit$weights, threads)
  # the bank is a stratified draw from the equal-weight initial mixture: the proposal of its
  # importance weights
  log_q_proposal <- gma_matrix_log_q(lpm$ptr, initial$weights, threads)
  list(
    mixture = mixture,
    bank = list(points = bank, log_p = log_p, component = component, log_q = log_q,
                log_q_proposal = log_q_proposal),
    per_comp = per_comp,
    trace = list(objective = fit$objective, gap = fit$gap, step = fit$step,
                 weights = if (wgma$keep_weights) fit$weight_trace,
                 final = c(objective = fit$final_objective, gap = fit$final_gap,
                           averaged = fit$averaged)),
    iterations = fit$iterations, converged = fit$converged, stalled = fit$stalled,
    n_infeasible = sum(fit$infeasible), infeasible = fit$infeasible,
    timing = c(log_pdf_matrix = t_matrix - t0, fit = t_fit - t_eval),
    log_pdf_matrix = list(nnz = lpm$nnz, bytes = lpm$bytes, dense = lpm$dense,
                          max_dropped = lpm$max_dropped,
                          density = lpm$nnz / (as.numeric(n_bank) * n_comp))
  )
}
