# Stabilisers of the W-GMA weight fit (tempering, entropy regularisation, mirror temperature,
# convex mixing, heavy-ball momentum, tail averaging), the two-stage refinement, and the step size
# eta0, measured on the paper's targets with exact ground truth. Run from the package root:
#   Rscript bench/stabilisers.R        (a few minutes on 2 cores; writes bench/results/stabilisers.md,
#   or to the folder BENCH_RESULTS names, empty: print only)
# Every fit uses method = "wgma" and resamples the bank by the fitted weights (no importance
# correction), so the stabilisers are what changes the draws. Settings are spelled out in full,
# so the tables do not move when wgma_control()'s defaults do.
#
# Columns: mean_err = worst coordinate |mean - truth| / true sd; sd_err = worst coordinate
# |sd / true sd - 1|; both averaged over the seeds. iter = mean iterations, conv = fraction of fits
# that met the stopping rule, fit_s = mean seconds in the weight fit (both stages with refine).
# The draws follow the fitted mixture of fixed components, so the errors have a floor set by the
# design: the row "plain, tol 1e-6" is the optimum of each bank's weight fit, which every
# convergent setting shares (the objective is convex in the weights); a stabiliser can only change
# how fast the fit gets there, or where it stops if it does not.

# What it showed (the tables: bench/results/stabilisers.md; the defaults of wgma_control() follow it):
# * Every stabiliser that converges gives the draws of the plain fit, to within the seeds' noise
#   (table 1; normalize, a step rule rather than a stabiliser, is discussed below): the weight
#   objective is convex, so they only change the path. The moon is a failure of the fixed design
#   (components of sd 0.25 on a moon 0.1 thick: the fit collapses onto a few components), which
#   no stabiliser can change.
# * Heavy-ball momentum 0.5 is the one that pays: it cuts the iterations on every target (table 1),
#   and in table 3 it converges on every fit over a wider range of eta0 than plain mirror descent.
#   It is the default for mirror descent.
# * Tempering, entropy regularisation, the mirror temperature and convex mixing each cost more
#   iterations (they hold the fit away from the optimum while their schedules run); all five of
#   the notebook's together cost several times more. Mixing makes large eta0 converge (the damped
#   step turns it into a Frank-Wolfe-like step), at the price of small eta0 failing. Tail averaging
#   changes nothing when the fit converges, and when it oscillates (large eta0) it reduces the
#   damage without removing it. All off by default.
# * The step size: eta0 = 1 with mirror descent needs no tuning. The objective is 1-smooth
#   relative to the weights' entropy whatever the target (its Bregman divergence is
#   KL(q_w || q_v) <= KL(w || v)), so 1 is the natural step, and a wide range around it reaches the
#   optimum on every target (table 3). The notebooks' need to tune eta0 comes from the 1/k
#   schedule (with 1/k only eta0 near 1 converges within 1000 iterations) and from Euclidean steps
#   (projected gradient with its defaults converges on none). Normalising the step by the
#   gradient's spread (normalize = TRUE) hurts mirror descent at every eta0.
# * Two-stage refinement (table 2) lost to spending the same evaluations on twice as many
#   components in one stage on four of five targets; it won only on the double banana. In one
#   dimension it loses the light modes (large trimodal sd errors), and its second stage, many
#   overlapping components, is slow to fit (several times the fit time of one stage on twice the
#   components). Off by default.

t_script <- proc.time()[["elapsed"]]
options(width = 220)
suppressPackageStartupMessages(library(gmasampler))
cat(sprintf("gmasampler %s, %s, %d cores\n\n", as.character(utils::packageVersion("gmasampler")),
            R.version.string, parallel::detectCores()))

# ---- targets with exact truth (by quadrature, as in vignettes/paper-experiments.Rmd) -----------
log_sum_exp2 <- function(a, b) { m <- pmax(a, b); m + log(exp(a - m) + exp(b - m)) }
four_modes <- local({
  S <- list(matrix(c(1, .8, .8, 1), 2), matrix(c(1, -.8, -.8, 1), 2), diag(c(1, .2)), diag(c(.2, 1)))
  P <- lapply(S, solve)
  ld <- vapply(S, function(s) log(det(s)), 0)
  mu <- rbind(c(-3, 3), c(3, 3), c(-3, -3), c(3, -3))
  w <- c(.3, .3, .2, .2)
  function(x) {
    l <- vapply(1:4, function(k) {
      y <- sweep(x, 2, mu[k, ])
      log(w[k]) - log(2 * pi) - 0.5 * ld[k] - 0.5 * rowSums((y %*% P[[k]]) * y)
    }, numeric(nrow(x)))
    l <- matrix(l, nrow(x))
    m <- apply(l, 1, max)
    m + log(rowSums(exp(l - m)))
  }
})
box2 <- function(a) rbind(c(-a, a), c(-a, a))
targets <- list(
  trimodal = list(
    lp = function(x) { x <- x[, 1]; log(exp(-(x^2 + 0.1 * x^4)^2 / 2) + 0.3 * dnorm(x, 3, 0.5) + 0.2 * dnorm(x, -3, 0.6)) },
    box = c(-6, 6), N = 40, M = 100, mean = 0.118383, sd = 1.466625),
  isolated = list(
    lp = function(x) { x <- x[, 1]; log(exp(-(x^2 + 0.1 * x^4)^2 / 2) + 0.3 * dnorm(x, 5, 0.2) + 0.2 * dnorm(x, -5, 0.2)) },
    box = c(-6, 6), N = 40, M = 100, mean = 0.197306, sd = 2.287542),
  four_modes = list(lp = four_modes, box = box2(6), N = 225, M = 30, mean = c(0, 0.6),
                    sd = sqrt(c(9.84, 9.48))),
  moon = list(lp = function(x) -x[, 1]^2 / 2 - 0.5 * (10 * x[, 2] + 3 * x[, 1]^2 - 3)^2,
              box = box2(5), N = 400, M = 20, mean = c(0, 0), sd = c(1, 0.435890)),
  double_banana = list(
    lp = function(x) -2 * (x[, 1]^2 + x[, 2]^2 - 3)^2 + log_sum_exp2(-2 * (x[, 1] - 2)^2, -2 * (x[, 1] + 2)^2),
    box = box2(5), N = 625, M = 20, mean = c(0, 0), sd = c(1.582271, 0.776167))
)
cat("targets (components N on a space-filling design in the box, M bank points each):\n")
for (nm in names(targets)) with(targets[[nm]], cat(sprintf("  %-13s d = %d, N = %d, M = %d\n", nm, length(mean), N, M)))

# ---- one fit --------------------------------------------------------------------------------------
# The plain settings: mirror descent, constant step eta0 = 1, every stabiliser off.
plain <- list(optimizer = "mirror", step = "constant", eta0 = 1, max_iter = 1000L, tol = 1e-3,
              gradient = "own", normalize = FALSE, temper = 1, entropy = 0, mirror_temperature = 1,
              mixing = 0, momentum = 0, average = 0L, anneal = 100L, refine = FALSE)
run_fit <- function(tg, settings, seed, n_mult = 1, m_mult = 1, threads = 1L) {
  ctl <- gma_control(wgma = utils::modifyList(plain, settings))
  set.seed(seed)
  fit <- suppressWarnings(gma_sample(tg$lp, vectorized = TRUE, box = tg$box,
                                     n_components = tg$N * n_mult, n_per_component = tg$M * m_mult,
                                     method = "wgma", threads = threads, control = ctl))
  x <- fit$draws
  c(mean_err = max(abs(colMeans(x) - tg$mean) / tg$sd),
    sd_err = max(abs(apply(x, 2, stats::sd) / tg$sd - 1)),
    iter = fit$iterations + if (!is.null(fit$trace$stage1)) fit$trace$stage1$iterations else 0,
    conv = fit$converged, fit_s = unname(fit$timing[["fit"]]), n_evals = fit$n_evals)
}
run_rows <- function(rows, seeds) {
  res <- list()
  for (rn in names(rows)) {
    r <- rows[[rn]]
    s <- r$settings
    for (tn in names(targets)) {
      v <- rowMeans(vapply(seeds, function(sd) run_fit(targets[[tn]], s, sd, r$n_mult %||% 1, r$m_mult %||% 1),
                           numeric(6)))
      res[[length(res) + 1L]] <- data.frame(setting = rn, target = tn, t(v))
    }
  }
  do.call(rbind, res)
}
`%||%` <- function(a, b) if (is.null(a)) b else a
# One row per setting, one column per target, each cell the given columns joined by " / ".
show_wide <- function(tab, cols, digits = 2) {
  out <- data.frame(setting = unique(tab$setting), check.names = FALSE)
  for (tn in names(targets)) {
    part <- tab[tab$target == tn, ]
    cell <- do.call(paste, c(lapply(cols, function(cl) {
      v <- part[[cl]]
      if (cl %in% c("iter", "n_evals")) sprintf("%.0f", v) else as.character(signif(v, digits))
    }), sep = " / "))
    out[[tn]] <- cell[match(out$setting, part$setting)]
  }
  print(out, row.names = FALSE, right = FALSE)
  invisible(out)
}

# ---- table 1: each stabiliser and combinations at eta0 = 1 ---------------------------------------
seeds <- 1:3
rows <- list(
  "plain" = list(settings = list()),
  "plain, tol 1e-6" = list(settings = list(tol = 1e-6, max_iter = 20000L)),
  "normalize" = list(settings = list(normalize = TRUE)),
  "temper 0.3" = list(settings = list(temper = 0.3)),
  "entropy 0.1" = list(settings = list(entropy = 0.1)),
  "entropy 1" = list(settings = list(entropy = 1)),
  "mirror_temp 1.8" = list(settings = list(mirror_temperature = 1.8)),
  "mixing 0.5" = list(settings = list(mixing = 0.5)),
  "momentum 0.3" = list(settings = list(momentum = 0.3)),
  "momentum 0.5" = list(settings = list(momentum = 0.5)),
  "momentum 0.7" = list(settings = list(momentum = 0.7)),
  "average 50" = list(settings = list(average = 50L)),
  "notebook: all five" = list(settings = list(temper = 0.3, entropy = 0.1, mirror_temperature = 1.8,
                                              mixing = 0.5, average = 50L)),
  "temper 0.3 + momentum 0.5" = list(settings = list(temper = 0.3, momentum = 0.5)),
  "momentum 0.5 + average 50" = list(settings = list(momentum = 0.5, average = 50L))
)
cat("\n== Table 1: stabilisers at eta0 = 1, seeds", paste(seeds, collapse = ","), "==\n")
tab1 <- run_rows(rows, seeds)
cat("\naccuracy: mean_err / sd_err\n")
acc1 <- show_wide(tab1, c("mean_err", "sd_err"))
cat("\ncost: iter / conv / fit_s\n")
cost1 <- show_wide(tab1, c("iter", "conv", "fit_s"))

# ---- table 2: two-stage refinement against the same budget spent on one stage --------------------
rows2 <- list(
  "plain (N M evals)" = list(settings = list(momentum = 0.5)),
  "plain, 2M (2 N M)" = list(settings = list(momentum = 0.5), m_mult = 2),
  "plain, 2N (2 N M)" = list(settings = list(momentum = 0.5), n_mult = 2),
  "refine keep .2 shrink .5" = list(settings = list(momentum = 0.5, refine = TRUE)),
  "refine keep .5 shrink .5" = list(settings = list(momentum = 0.5, refine = TRUE, refine_keep = 0.5)),
  "refine keep .2 shrink .25" = list(settings = list(momentum = 0.5, refine = TRUE, refine_shrink = 0.25)),
  "refine keep .5 shrink .75" = list(settings = list(momentum = 0.5, refine = TRUE, refine_keep = 0.5,
                                                     refine_shrink = 0.75))
)
cat("\n== Table 2: two-stage refinement (momentum 0.5), seeds", paste(seeds, collapse = ","), "==\n")
tab2 <- run_rows(rows2, seeds)
cat("\naccuracy: mean_err / sd_err\n")
acc2 <- show_wide(tab2, c("mean_err", "sd_err"))
cat("\ncost: iter (both stages) / conv (second stage) / fit_s / n_evals\n")
cost2 <- show_wide(tab2, c("iter", "conv", "fit_s", "n_evals"))

# ---- table 3: sensitivity to eta0 -----------------------------------------------------------------
# Per setting and eta0, over the five targets x seeds: how many fits met the stopping rule, the
# median iterations, and the worst excess error over the optimum (the "plain, tol 1e-6" row of
# table 1, same seeds): max over targets of the mean over seeds of (err - err at the optimum),
# for the mean and the sd. An excess near 0 means the fit reached the optimum.
seeds3 <- 1:2
threads3 <- min(2L, RcppParallel::defaultNumThreads())  # the fits do not depend on the thread count
opt_ref <- run_rows(list(opt = list(settings = list(tol = 1e-6, max_iter = 20000L))), seeds3)
etas <- c(0.01, 0.1, 0.5, 1, 1.5, 2, 3, 5)
settings3 <- list(
  "plain" = list(),
  "normalize" = list(normalize = TRUE),
  "momentum 0.5" = list(momentum = 0.5),
  "mixing 0.5" = list(mixing = 0.5),
  "average 50" = list(average = 50L),
  "notebook: all five" = list(temper = 0.3, entropy = 0.1, mirror_temperature = 1.8, mixing = 0.5,
                              average = 50L),
  "plain, step 1/k" = list(step = "inverse"),
  "pgd (its defaults)" = list(optimizer = "pgd", step = "inverse_sqrt", normalize = TRUE)
)
cat("\n== Table 3: sensitivity to eta0 (seeds", paste(seeds3, collapse = ","), "): converged/fits, median iterations, worst excess mean_err / sd_err ==\n")
out3 <- NULL
for (sn in names(settings3)) {
  cells <- character(0)
  for (eta in etas) {
    per <- lapply(names(targets), function(tn) {
      v <- vapply(seeds3, function(sd) run_fit(targets[[tn]], c(settings3[[sn]], list(eta0 = eta)), sd,
                                               threads = threads3), numeric(6))
      ref <- opt_ref[opt_ref$target == tn, ]
      c(conv = sum(v["conv", ]), iter = v["iter", ], excess_m = mean(v["mean_err", ]) - ref$mean_err,
        excess_s = mean(v["sd_err", ]) - ref$sd_err)
    })
    conv <- sum(vapply(per, function(p) p[["conv"]], 0))
    iters <- unlist(lapply(per, function(p) p[grep("^iter", names(p))]))
    em <- max(vapply(per, function(p) p[["excess_m"]], 0))
    es <- max(vapply(per, function(p) p[["excess_s"]], 0))
    cells <- c(cells, sprintf("%2d/%d %4.0f %5.2f/%4.2f", conv, length(targets) * length(seeds3), stats::median(iters), em, es))
  }
  out3 <- rbind(out3, cells)
}
out3 <- data.frame(setting = names(settings3), out3, check.names = FALSE)
names(out3)[-1] <- sprintf("eta0 = %g", etas)
print(out3, row.names = FALSE, right = FALSE)

total_s <- proc.time()[["elapsed"]] - t_script
cat(sprintf("\ntotal %.0f s\n", total_s))

source(file.path("bench", "results.R"))
write_results("stabilisers", "Stabilisers of the W-GMA weight fit (`bench/stabilisers.R`)", list(
  `Table 1, accuracy at eta0 = 1: mean_err / sd_err` = acc1,
  `Table 1, cost: iter / conv / fit_s` = cost1,
  `Table 2, two-stage refinement (momentum 0.5), accuracy: mean_err / sd_err` = acc2,
  `Table 2, cost: iter (both stages) / conv (second stage) / fit_s / n_evals` = cost2,
  `Table 3, sensitivity to eta0: converged/fits, median iterations, worst excess mean_err/sd_err` = out3),
  c(sprintf("- method = \"wgma\", bank resampled by the fitted weights; settings spelled out in the script (plain: mirror descent, constant step, every stabiliser off). Tables 1 and 2 average seeds %s, table 3 seeds %s.",
            paste(seeds, collapse = ", "), paste(seeds3, collapse = ", ")),
    sprintf("- Targets: %s (N components on a space-filling design in the box, M bank points each).",
            paste(vapply(names(targets), function(nm) with(targets[[nm]], sprintf(
              "%s (d = %d, N = %d, M = %d)", nm, length(mean), N, M)), ""), collapse = "; ")),
    "- Columns: see the header of bench/stabilisers.R.",
    sprintf("- Total run time %.0f s.", total_s)))
