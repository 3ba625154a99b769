# Reference posterior means and sds for the targets of tests/testthat/helper-posteriors.R, by long
# random-walk Metropolis runs (mcmc::metrop), written to
# tests/testthat/fixtures/posterior-references.rds.
#
# Run from the package root: Rscript bench/make-references.R   (about 8 minutes on 2 cores)
# Besides the fixture it writes bench/results/references.md (a summary per target, and the check of
# the chickwts chains against quadrature); BENCH_RESULTS sets that folder (empty: print only).
#
# For each target:
#  1. Laplace fit: optim (BFGS, Nelder-Mead, BFGS) from the target's init, optimHess.
#  2. Two pilot runs of 20,000 iterations; the proposal is N(0, c^2 S) with S the Laplace
#     covariance, then the pilot's sample covariance, and c tuned to an acceptance near 0.25.
#  3. 4 independent chains (2 at a time), started from spread-out pilot draws; the first 10% of
#     each is dropped. metrop keeps batch means (of blen = 100 iterations) of x and x^2.
#  4. Monte Carlo standard errors by batch means (batches of about sqrt(n) iterations, per chain,
#     combined over chains); the chains are extended until every mean's MCSE is below
#     `mcse_goal` posterior sds (and always below 0.02).
#  5. The two chickwts targets are one posterior in two parametrisations: each chain also records
#     the other parametrisation, and the script prints how far the two independent estimates of
#     each parametrisation's moments are apart, in units of their combined MCSE.
#  6. For the chickwts model the fixture holds moments by quadrature instead (the theta_j
#     integrate out exactly; a 3-D grid does the rest), which the chains are checked against:
#     the non-centred chains, curved in (log tau, eta), underestimated the sds of mu and log tau
#     by about 2% with batch-means MCSEs that did not cover it; the centred chains agreed.

suppressPackageStartupMessages({
  library(mcmc)
  library(parallel)
})
source(file.path("tests", "testthat", "helper-posteriors.R"))

mcse_goal <- 0.01     # target MCSE of each mean, in posterior sds (the brief's limit is 0.02)
n_chains <- 4L
blen <- 100L
cores <- min(2L, parallel::detectCores())
out_path <- file.path("tests", "testthat", "fixtures", "posterior-references.rds")

set.seed(20251126)
t_all <- proc.time()[["elapsed"]]

targets <- posterior_targets()

# Iterations per chain of the first long run, by dimension; extended when the MCSE goal is missed.
first_length <- function(d) 30000L * as.integer(ceiling(d / 2))

# The other parametrisation of the chickwts model, for the cross-check.
chick_J <- 6L
to_noncentred <- function(x) {  # centred (mu, lt, theta, ls) -> (mu, lt, eta, ls)
  idx <- 2L + seq_len(chick_J)
  c(x[1:2], (x[idx] - x[1]) / exp(x[2]), x[chick_J + 3L])
}
to_centred <- function(x) {     # non-centred (mu, lt, eta, ls) -> (mu, lt, theta, ls)
  idx <- 2L + seq_len(chick_J)
  c(x[1:2], x[1] + exp(x[2]) * x[idx], x[chick_J + 3L])
}
cross_map <- list(chickwts_centred = to_noncentred, chickwts_noncentred = to_centred)

laplace_fit <- function(tg) {
  f <- function(x) tg$log_density(x)
  ctl <- list(fnscale = -1, maxit = 10000)
  o <- optim(tg$init, f, method = "BFGS", control = c(ctl, list(parscale = pmax(abs(tg$init), 1e-2))))
  o <- optim(o$par, f, method = "Nelder-Mead", control = list(fnscale = -1, maxit = 50000))
  o <- optim(o$par, f, method = "BFGS", control = c(ctl, list(reltol = 1e-14)))
  H <- optimHess(o$par, f, control = list(fnscale = -1))
  S <- solve(-H)
  S <- (S + t(S)) / 2
  list(mode = o$par, cov = S)
}

# The proposal's scale matrix for metrop (x + scale %*% z).
proposal <- function(S, c) c * t(chol(S))

# Batch-means MCSE of the overall mean of a series of batch means (each of blen iterations).
bm_mcse <- function(v) {
  n_it <- length(v) * blen
  k <- max(1L, round(sqrt(n_it) / blen))   # batches of about sqrt(n) iterations
  nb <- length(v) %/% k
  if (nb < 20L) stop("too few batches for batch means")
  bm <- colMeans(matrix(v[seq_len(nb * k)], k))
  sd(bm) / sqrt(nb)
}

# Moments and MCSEs from the batch means of (x, x^2) of several chains (equal lengths).
# `chains`: a list of matrices, batch x (2 * p).
summarise_chains <- function(chains, p) {
  per_chain <- lapply(chains, function(b) {
    b <- b[-seq_len(ceiling(0.1 * nrow(b))), , drop = FALSE]   # burn-in
    m1 <- b[, 1:p, drop = FALSE]; m2 <- b[, p + 1:p, drop = FALSE]
    mean <- colMeans(m1)
    sd <- sqrt(colMeans(m2) - mean^2)
    # MCSE of the sd by the delta method: d sd = (d m2 - 2 mean d m1) / (2 sd)
    u <- sweep(m2 - sweep(m1, 2L, 2 * mean, "*"), 2L, 2 * sd, "/")
    list(mean = mean, sd = sd, n = nrow(b) * blen,
         mcse_mean = apply(m1, 2L, bm_mcse), mcse_sd = apply(u, 2L, bm_mcse))
  })
  get <- function(what) do.call(rbind, lapply(per_chain, `[[`, what))
  means <- get("mean")
  k <- length(chains)
  mean <- colMeans(means)
  sd <- sqrt(colMeans(get("sd")^2 + means^2) - mean^2)
  list(mean = mean, sd = sd,
       mcse_mean = sqrt(colSums(get("mcse_mean")^2)) / k,
       mcse_sd = sqrt(colSums(get("mcse_sd")^2)) / k,
       # spread of the chain means over their own MCSEs: ~1 when the chains agree
       between_over_within = apply(means, 2L, sd) / sqrt(colMeans(get("mcse_mean")^2)),
       n_draws = sum(vapply(per_chain, `[[`, numeric(1), "n")))
}

results <- list()
timing <- c()
for (name in names(targets)) {
  t0 <- proc.time()[["elapsed"]]
  tg <- targets[[name]]
  d <- tg$dim
  f <- function(x) tg$log_density(x)
  cross <- cross_map[[name]]
  outfun <- if (is.null(cross)) function(x) c(x, x^2) else
    function(x) { y <- cross(x); c(x, x^2, y, y^2) }
  cat(sprintf("\n== %s (d = %d) ==\n", name, d))

  lap <- laplace_fit(tg)
  S <- lap$cov
  c_scale <- 2.38 / sqrt(d)
  state <- lap$mode
  for (pilot in 1:2) {
    for (tries in 1:6) {
      run <- metrop(f, state, nbatch = 20000L, scale = proposal(S, c_scale))
      acc <- run$accept
      if (acc > 0.15 && acc < 0.4) break
      c_scale <- c_scale * if (acc <= 0.15) 0.6 else 1.5
      state <- run$final
    }
    S <- cov(run$batch[-(1:2000), , drop = FALSE])
    S <- (S + t(S)) / 2
    state <- run$final
    cat(sprintf("pilot %d: acceptance %.3f, scale factor %.3f\n", pilot, acc, c_scale))
  }
  pilot_draws <- run$batch[-(1:2000), , drop = FALSE]
  starts <- lapply(seq_len(n_chains), function(k)
    pilot_draws[round(k * nrow(pilot_draws) / (n_chains + 1)), ])
  scale <- proposal(S, c_scale)

  n_it <- first_length(d)
  # each task seeds itself, so that the chains' streams differ and the script is reproducible
  seeds <- sample.int(.Machine$integer.max, n_chains)
  runs <- mclapply(seq_len(n_chains), function(k) {
    set.seed(seeds[k])
    metrop(f, starts[[k]], nbatch = n_it %/% blen, blen = blen, scale = scale, outfun = outfun)
  }, mc.cores = cores, mc.set.seed = FALSE)
  batches <- lapply(runs, `[[`, "batch")
  repeat {
    sm <- summarise_chains(lapply(batches, function(b) b[, 1:(2 * d)]), d)
    worst <- max(sm$mcse_mean / sm$sd)
    cat(sprintf("  %d iterations per chain: max MCSE/sd of means %.4f, acceptance %.3f\n",
                nrow(batches[[1]]) * blen, worst, mean(vapply(runs, `[[`, 0, "accept"))))
    if (worst < mcse_goal || proc.time()[["elapsed"]] - t0 > 300) break
    # extend every chain by what the goal asks for (with 10% to spare; 25% to 100% more)
    grow <- min(1, max(0.25, 1.1 * (worst / mcse_goal)^2 - 1))
    more <- max(1L, as.integer(ceiling(grow * nrow(batches[[1]]))))
    seeds <- sample.int(.Machine$integer.max, n_chains)
    runs <- mclapply(seq_len(n_chains), function(k) {
      set.seed(seeds[k])
      metrop(runs[[k]], nbatch = more)
    }, mc.cores = cores, mc.set.seed = FALSE)
    batches <- Map(rbind, batches, lapply(runs, `[[`, "batch"))
  }
  if (worst >= 0.02) warning(sprintf("%s: MCSE goal missed (%.4f sd)", name, worst))

  res <- list(mean = setNames(sm$mean, tg$names), sd = setNames(sm$sd, tg$names),
              mcse_mean = setNames(sm$mcse_mean, tg$names),
              mcse_sd = setNames(sm$mcse_sd, tg$names),
              n_draws = sm$n_draws,
              method = sprintf(paste(
                "mcmc::metrop random-walk Metropolis, %d chains x %d iterations after 10%%",
                "burn-in (%d draws), Gaussian proposal from 2 pilot runs (Laplace covariance,",
                "then sample covariance), acceptance %.2f; batch-means MCSE"),
                n_chains, sm$n_draws / n_chains, sm$n_draws,
                mean(vapply(runs, `[[`, 0, "accept"))))
  if (!is.null(cross)) {
    res$cross <- summarise_chains(lapply(batches, function(b) b[, 2 * d + 1:(2 * d)]), d)
  }
  results[[name]] <- res
  timing[name] <- proc.time()[["elapsed"]] - t0
  tab <- data.frame(mean = sm$mean, sd = sm$sd, mcse_mean_over_sd = sm$mcse_mean / sm$sd,
                    mcse_sd_rel = sm$mcse_sd / sm$sd, chains_agree = sm$between_over_within,
                    row.names = tg$names)
  print(signif(tab, 4))
  cat(sprintf("  %.0f s\n", timing[name]))
}

# Cross-check of the two chickwts parametrisations: each target's reference against the other
# target's chains mapped into its parametrisation.
if (all(c("chickwts_centred", "chickwts_noncentred") %in% names(results))) {
  cat("\n== chickwts: centred and non-centred chains against each other ==\n")
  for (pair in list(c("chickwts_centred", "chickwts_noncentred"),
                    c("chickwts_noncentred", "chickwts_centred"))) {
    a <- results[[pair[1]]]; b <- results[[pair[2]]]$cross
    z_mean <- (a$mean - b$mean) / sqrt(a$mcse_mean^2 + b$mcse_mean^2)
    z_sd <- (a$sd - b$sd) / sqrt(a$mcse_sd^2 + b$mcse_sd^2)
    cat(sprintf("%s vs %s mapped: mean differences (in sds) max %.4f, z max %.2f; sd relative differences max %.4f, z max %.2f\n",
                pair[1], pair[2], max(abs(a$mean - b$mean) / a$sd), max(abs(z_mean)),
                max(abs(a$sd / b$sd - 1)), max(abs(z_sd))))
  }
}
# Quadrature for the chickwts model, which replaces its chains' moments in the fixture: given
# (mu, tau, sigma) the theta_j are conditionally normal, so they integrate out exactly; the
# remaining 3-D posterior of (mu, log tau, log sigma) is integrated on a grid (ranges from the
# centred chains), and the moments of theta_j and eta_j = (theta_j - mu) / tau follow from their
# conditional means and variances. Two grid sizes bound the grid error. The MCMC estimates are
# compared with it (z = difference over the chains' MCSE).
chickwts_quadrature <- function(ng, rc) {
  st <- chickwts_stats()
  J <- length(st$n_j)
  g_mu <- seq(rc$mean[1] - 9 * rc$sd[1], rc$mean[1] + 9 * rc$sd[1], length.out = ng)
  g_lt <- seq(rc$mean[2] - 12 * rc$sd[2], rc$mean[2] + 8 * rc$sd[2], length.out = ng)
  g_ls <- seq(rc$mean[J + 3] - 9 * rc$sd[J + 3], rc$mean[J + 3] + 9 * rc$sd[J + 3], length.out = ng)
  G <- as.matrix(expand.grid(mu = g_mu, lt = g_lt, ls = g_ls))
  mu <- G[, 1]; lt <- G[, 2]; ls <- G[, 3]
  tau2 <- exp(2 * lt); s2 <- exp(2 * ls)
  lp <- -st$n * ls - st$ss_within / (2 * s2) - 0.5 * (mu / 50)^2 +
    log_half_normal_on_log(lt, 10) + log_half_normal_on_log(ls, 10)
  for (j in seq_len(J)) {   # integral over theta_j of N(ybar_j | theta_j, sigma^2 / n_j) N(theta_j | mu, tau^2)
    v <- tau2 + s2 / st$n_j[j]
    lp <- lp + 0.5 * log(s2 / st$n_j[j]) - 0.5 * log(v) - 0.5 * (st$ybar[j] - mu)^2 / v
  }
  w <- exp(lp - max(lp))
  w <- w / sum(w)
  moments <- function(m, v = 0) {  # mean and sd of a quantity with conditional mean m, variance v
    e <- sum(w * m)
    c(e, sqrt(sum(w * (v + (m - e)^2))))
  }
  cen <- non <- matrix(0, J + 3L, 2L)
  cen[1, ] <- non[1, ] <- moments(mu)
  cen[2, ] <- non[2, ] <- moments(lt)
  cen[J + 3, ] <- non[J + 3, ] <- moments(ls)
  for (j in seq_len(J)) {
    v <- 1 / (st$n_j[j] / s2 + 1 / tau2)
    m <- v * (st$n_j[j] * st$ybar[j] / s2 + mu / tau2)
    cen[2 + j, ] <- moments(m, v)
    non[2 + j, ] <- moments((m - mu) / sqrt(tau2), v / tau2)
  }
  edge <- max(tapply(w, G[, 2], sum)[c(1, ng)], tapply(w, G[, 1], sum)[c(1, ng)],
              tapply(w, G[, 3], sum)[c(1, ng)])
  list(chickwts_centred = cen, chickwts_noncentred = non, edge = edge)
}

quadrature_check <- NULL
if (all(c("chickwts_centred", "chickwts_noncentred") %in% names(results))) {
  t0 <- proc.time()[["elapsed"]]
  q_coarse <- chickwts_quadrature(120L, results$chickwts_centred)
  q <- chickwts_quadrature(200L, results$chickwts_centred)
  cat(sprintf("\n== chickwts by quadrature (200^3 grid; largest mass on a grid face %.1e) ==\n",
              q$edge))
  for (name in c("chickwts_centred", "chickwts_noncentred")) {
    r <- results[[name]]
    qm <- q[[name]][, 1]; qs <- q[[name]][, 2]
    grid_err <- pmax(abs(q_coarse[[name]][, 1] - qm), 1e-12 * qs)
    tab <- data.frame(
      mean = qm, sd = qs,
      grid_err_mean_over_sd = grid_err / qs,
      grid_err_sd_rel = abs(q_coarse[[name]][, 2] / qs - 1),
      mcmc_mean_err_over_sd = (r$mean - qm) / qs, mcmc_mean_z = (r$mean - qm) / r$mcse_mean,
      mcmc_sd_rel_err = r$sd / qs - 1, mcmc_sd_z = (r$sd - qs) / r$mcse_sd,
      row.names = names(r$mean))
    cat(name, ":\n")
    print(signif(tab, 4))
    worst <- function(col) max(abs(tab[[col]]))
    quadrature_check <- rbind(quadrature_check, data.frame(
      target = name, max_grid_err_mean_over_sd = worst("grid_err_mean_over_sd"),
      max_mcmc_mean_err_over_sd = worst("mcmc_mean_err_over_sd"), max_abs_mean_z = worst("mcmc_mean_z"),
      max_mcmc_sd_rel_err = worst("mcmc_sd_rel_err"), max_abs_sd_z = worst("mcmc_sd_z")))
    results[[name]] <- list(
      mean = setNames(qm, names(r$mean)), sd = setNames(qs, names(r$mean)),
      mcse_mean = setNames(grid_err, names(r$mean)),
      mcse_sd = setNames(pmax(abs(q_coarse[[name]][, 2] - qs), 1e-12 * qs), names(r$mean)),
      n_draws = r$n_draws,
      method = paste(
        "quadrature: theta integrated out exactly, (mu, log tau, log sigma) on a 200^3 grid",
        "(mcse_* = difference from a 120^3 grid); checked against", r$method,
        "(n_draws is that check's)"),
      mcmc = list(mean = r$mean, sd = r$sd, mcse_mean = r$mcse_mean, mcse_sd = r$mcse_sd))
  }
  timing["chickwts_quadrature"] <- proc.time()[["elapsed"]] - t0
}

for (name in names(results)) results[[name]]$cross <- NULL

cat("\n== summary ==\n")
summ <- data.frame(
  dim = vapply(results, function(r) length(r$mean), 1),
  sd_min = vapply(results, function(r) min(r$sd), 1),
  sd_max = vapply(results, function(r) max(r$sd), 1),
  n_draws = vapply(results, `[[`, 1, "n_draws"),
  max_mcse_mean_over_sd = vapply(results, function(r) max(r$mcse_mean / r$sd), 1),
  max_mcse_sd_rel = vapply(results, function(r) max(r$mcse_sd / r$sd), 1),
  seconds = round(timing[names(results)]))
summ["chickwts_noncentred", "seconds"] <- summ["chickwts_noncentred", "seconds"] +
  round(timing["chickwts_quadrature"])
print(signif(summ, 3))

# The table first, so that its stamp describes the code and not the fixture this run rewrites.
source(file.path("bench", "results.R"))
write_results("references", "Reference moments of the posterior targets (`bench/make-references.R`)",
              c(list(`Per target` = data.frame(target = rownames(summ), summ, row.names = NULL)),
                if (!is.null(quadrature_check))
                  list(`chickwts: the chains against quadrature (the fixture holds quadrature)` = quadrature_check)),
              c(sprintf("- Written to `%s`. Chains: %d a target, extended until every mean's MCSE is below %g posterior sd (or 300 s a target).",
                        out_path, n_chains, mcse_goal),
                "- `mcmc_*`: the chains' estimate minus quadrature, over the quadrature sd (means) or relative (sds); `z`: that difference over the chains' MCSE.",
                sprintf("- Total run time %.0f s.", proc.time()[["elapsed"]] - t_all)))

dir.create(dirname(out_path), showWarnings = FALSE, recursive = TRUE)
attr(results, "created") <- format(Sys.time(), "%Y-%m-%d %H:%M:%S")
attr(results, "script") <- "bench/make-references.R"
saveRDS(results, out_path)
cat(sprintf("\nwrote %s; %.0f s in all\n", out_path, proc.time()[["elapsed"]] - t_all))
