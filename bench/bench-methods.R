# Methods benchmark (issue item 7): gmasampler's methods against mcmc::metrop, LaplacesDemon's
# Laplace + SIR and PMC, and Stan's NUTS where rstan is installed, on eight targets with exact
# draws, at about 20,000 density evaluations each.
#
# Run from the package root, with gmasampler, mcmc and LaplacesDemon installed:
#   Rscript bench/bench-methods.R          (about 4 minutes on 2 cores)
# Options (environment variables): BENCH_TARGETS=moon,star runs a subset; BENCH_BUDGET=20000 the
# evaluation budget; BENCH_SEEDS=1:3 the base seeds (each a full run of every method on every
# target); BENCH_RESULTS the folder of the result tables (default bench/results; empty: print
# only).
#
# Writes bench/results/methods.md (the summary over targets, the README's table) and
# bench/results/methods-details.md (every target's table and the overall table).
#
# Rows (every method is given the target's log density and its box, nothing else):
#   em           gma_sample(method = "em"): the default pipeline (mode search in the box, EM
#                rounds, pooled bank, PSIS-resampled draws), control n_evals = budget.
#   lma          gma_sample(method = "lma"): the Laplace mixture, its bank PSIS-resampled.
#   wgma         gma_sample(method = "wgma", importance = FALSE): N components of the box design
#                (the paper's grid sizes in 2-D), M = budget / N bank points each; draws are bank
#                points resampled by the fitted weights.
#   wgma_psis    the same fit with importance = TRUE: the bank resampled by PSIS weights p / q.
#   metrop       mcmc::metrop, isotropic random-walk proposal, from a uniform point in the box;
#                its scale is tuned by a pilot of 10 x 500 iterations (not counted) toward an
#                acceptance of 0.3 (2-D) or 0.234 (d > 2); the scored chain restarts from the same
#                point and runs budget - 1 iterations (budget evaluations), 10% burn-in dropped.
#   laplace_sir  LaplacesDemon::LaplaceApproximation(Method = "TR", sir = TRUE) from the same
#                point. A first pass (not counted) measures the optimiser's evaluations n_opt; the
#                scored pass uses Samples = (budget - n_opt) / 2, since SIR evaluates each proposal
#                once and LaplaceApproximation evaluates each resampled draw once more for its
#                Monitor summaries. All calls of the Model function are counted.
#   pmc          LaplacesDemon::PMC with M = 5 components started at uniform points in the box,
#                Covar = diag((box width / 4)^2), 8 iterations of N = (budget - M) / (9 M) draws per
#                component (PMC evaluates each returned draw once more: the ninth batch). Its
#                Posterior2 is the last iteration's proposal draws, N per component whose weight
#                alpha >= 0.002, NOT importance-weighted or resampled: scored as returned.
#   stan_nuts    rstan::sampling, 1 chain, 1000 warmup + 1000 draws, from the same point; evals =
#                gradient evaluations (leapfrog steps, warmup included); compile time in its own
#                column. Skipped with a note when rstan is not installed.
#   exact        20,000 fresh exact draws: the Monte Carlo noise floor of each column.
# Columns: energy = energy distance (V-statistic) between 2,000 draws of the method (a random
# subsample) and 2,000 exact reference draws; mean_err_sd = max over coordinates of |mean error| /
# exact sd; sd_rel_err = max over coordinates of |sd / exact sd - 1| (means and sds over all of
# a method's draws, against the exact values); evals = density evaluations (counted by a wrapper,
# one per point); seconds = elapsed seconds of the scored run; note = acceptance, Pareto k, ...

suppressPackageStartupMessages({
  library(gmasampler)
  library(mcmc)
  library(LaplacesDemon)
})
options(gmasampler.progress = FALSE, width = 200)

budget <- as.numeric(Sys.getenv("BENCH_BUDGET", "20000"))
source(file.path("bench", "common.R"))
base_seeds <- parse_seeds(Sys.getenv("BENCH_SEEDS", "1:3"))
only <- Sys.getenv("BENCH_TARGETS", "")
n_ref <- 2000L
have_stan <- requireNamespace("rstan", quietly = TRUE)
t_start <- proc.time()[["elapsed"]]
load_avg <- function() tryCatch(paste(strsplit(readLines("/proc/loadavg", warn = FALSE)[1L], " ")[[1]][1:3],
                                         collapse = " "), error = function(e) NA)
load_at_start <- load_avg()

# ---- targets ------------------------------------------------------------------------------------
# Each target: name, d, box (c(lower, upper), the same in every coordinate), log_density (vectorised:
# an n x d matrix in, n values out), exact(n) (n exact draws), mean and sd (exact), wgma_n
# (components of the W-GMA design), note, and for Stan a model code and data.

log_sum_exp_rows <- function(a) {
  m <- a[cbind(seq_len(nrow(a)), max.col(a, ties.method = "first"))]
  m + log(rowSums(exp(a - m)))
}

rot2 <- function(theta) matrix(c(cos(theta), sin(theta), -sin(theta), cos(theta)), 2, 2)

random_rotation <- function(d) {
  q <- qr(matrix(stats::rnorm(d * d), d))
  qr.Q(q) %*% diag(sign(diag(qr.R(q))), d)
}

# A Gaussian mixture: weights w, means K x d, covariances d x d x K.
gauss_mixture_target <- function(name, w, mu, sig, box, wgma_n, note) {
  K <- length(w)
  d <- ncol(mu)
  R <- lapply(seq_len(K), function(k) chol(sig[, , k]))
  const <- vapply(seq_len(K), function(k)
    log(w[k]) - d / 2 * log(2 * pi) - sum(log(diag(R[[k]]))), numeric(1))
  log_density <- function(x) {
    x <- if (is.matrix(x)) x else matrix(x, 1L)
    tx <- t(x)
    lc <- vapply(seq_len(K), function(k) {
      z <- backsolve(R[[k]], tx - mu[k, ], transpose = TRUE)
      const[k] - 0.5 * colSums(z * z)
    }, numeric(nrow(x)))
    log_sum_exp_rows(matrix(lc, nrow(x)))
  }
  exact <- function(n) {
    comp <- sample.int(K, n, replace = TRUE, prob = w)
    out <- matrix(0, n, d)
    for (k in seq_len(K)) {
      i <- which(comp == k)
      if (length(i))
        out[i, ] <- sweep(matrix(stats::rnorm(length(i) * d), length(i)) %*% R[[k]], 2, mu[k, ], `+`)
    }
    out
  }
  m <- colSums(mu * w)
  second <- Reduce(`+`, lapply(seq_len(K), function(k) w[k] * (sig[, , k] + tcrossprod(mu[k, ]))))
  cov <- second - tcrossprod(m)
  list(name = name, d = d, box = box, log_density = log_density, exact = exact, mean = m,
       sd = sqrt(diag(cov)), wgma_n = wgma_n, note = note,
       stan_code = stan_mixture_code,
       stan_data = list(d = d, K = K, log_w = as.array(log(w)), mu = mu,
                        L = aperm(array(unlist(lapply(R, t)), c(d, d, K)), c(3, 1, 2))))
}

stan_mixture_code <- "
data {
  int<lower=1> d;
  int<lower=1> K;
  vector[K] log_w;
  array[K] vector[d] mu;
  array[K] matrix[d, d] L;
}
parameters {
  vector[d] z;
}
model {
  vector[K] lp;
  for (k in 1:K) lp[k] = log_w[k] + multi_normal_cholesky_lpdf(z | mu[k], L[k]);
  target += log_sum_exp(lp);
}
"

make_targets <- function() {
  tg <- list()

  # the paper's 2-D four modes; W-GMA on the paper's 15 x 15 grid size in its box [-6, 6]^2
  tg$four_modes <- gauss_mixture_target(
    "four_modes", c(.3, .3, .2, .2),
    rbind(c(-3, 3), c(3, 3), c(-3, -3), c(3, -3)),
    array(c(1, .8, .8, 1, 1, -.8, -.8, 1, 1, 0, 0, .2, .2, 0, 0, 1), c(2, 2, 4)),
    box = c(-6, 6), wgma_n = 225L, note = "paper; truth mean (0, 0.6), var (9.84, 9.48)")

  # the paper's moon: exact sampler z1 ~ N(0, 1), z2 = (3 - 3 z1^2 + e) / 10
  tg$moon <- list(
    name = "moon", d = 2L, box = c(-5, 5), wgma_n = 400L,
    log_density = function(x) {
      x <- if (is.matrix(x)) x else matrix(x, 1L)
      -x[, 1]^2 / 2 - 0.5 * (10 * x[, 2] + 3 * x[, 1]^2 - 3)^2
    },
    exact = function(n) {
      z1 <- stats::rnorm(n)
      cbind(z1, (3 - 3 * z1^2 + stats::rnorm(n)) / 10, deparse.level = 0)
    },
    mean = c(0, 0), sd = c(1, sqrt(0.19)), note = "paper; exact sampler",
    stan_code = "
parameters { vector[2] z; }
model { target += -0.5 * square(z[1]) - 0.5 * square(10 * z[2] + 3 * square(z[1]) - 3); }
", stan_data = list())

  # the paper's double banana: exact draws by rejection from the box [-4, 4]^2 (the mass outside
  # it is below exp(-300)); exact mean 0 by symmetry, sds by quadrature on a fine grid
  db_lp <- function(x) {
    x <- if (is.matrix(x)) x else matrix(x, 1L)
    a <- -2 * (x[, 1] - 2)^2
    b <- -2 * (x[, 1] + 2)^2
    m <- pmax(a, b)
    -2 * (x[, 1]^2 + x[, 2]^2 - 3)^2 + m + log(exp(a - m) + exp(b - m))
  }
  db_max <- max(vapply(list(c(1.7, 0), c(-1.7, 0)), function(s)
    -stats::optim(s, function(p) -db_lp(p), method = "BFGS")$value, numeric(1)))
  g <- seq(-4, 4, length.out = 1601)
  grid <- as.matrix(expand.grid(g, g))
  pg <- exp(db_lp(grid))
  db_mean <- c(sum(pg * grid[, 1]), sum(pg * grid[, 2])) / sum(pg)
  db_sd <- sqrt(c(sum(pg * grid[, 1]^2), sum(pg * grid[, 2]^2)) / sum(pg) - db_mean^2)
  tg$double_banana <- list(
    name = "double_banana", d = 2L, box = c(-5, 5), wgma_n = 625L, log_density = db_lp,
    exact = function(n) {
      out <- matrix(0, 0, 2)
      while (nrow(out) < n) {
        p <- matrix(stats::runif(2 * 40 * n, -4, 4), ncol = 2)
        keep <- log(stats::runif(nrow(p))) < db_lp(p) - db_max
        out <- rbind(out, p[keep, , drop = FALSE])
      }
      out[seq_len(n), , drop = FALSE]
    },
    mean = c(0, 0), sd = db_sd,
    note = sprintf("paper; exact by rejection from [-4,4]^2; sd by quadrature (%.6f, %.6f)",
                   db_sd[1], db_sd[2]),
    stan_code = "
parameters { vector[2] z; }
model {
  target += -2 * square(dot_self(z) - 3)
            + log_sum_exp(-2 * square(z[1] - 2), -2 * square(z[1] + 2));
}
", stan_data = list())

  # the paper's five-armed star
  th <- 2 * pi * (0:4) / 5
  tg$star <- gauss_mixture_target(
    "star", rep(0.2, 5), t(vapply(th, function(a) drop(rot2(a) %*% c(1.5, 0)), numeric(2))),
    array(unlist(lapply(th, function(a) rot2(a) %*% diag(c(1, 0.01)) %*% t(rot2(a)))), c(2, 2, 5)),
    box = c(-5, 5), wgma_n = 400L, note = "paper (EM-GMA example); mu0 = (1.5, 0), S0 = diag(1, 0.01)")

  # a 2-D Gaussian mixture: three unequal, correlated, well-separated modes
  tg$mixture_2d <- gauss_mixture_target(
    "mixture_2d", c(.5, .3, .2), rbind(c(-3, -2), c(2.5, 3.5), c(4, -4)),
    array(c(1.5, .9, .9, 1, .3, 0, 0, 2, .5, -.4, -.4, .5), c(2, 2, 3)),
    box = c(-8, 8), wgma_n = 400L, note = "weights .5/.3/.2")

  # a 10-D correlated Gaussian: sds log-spaced from 0.3 to 3, random rotation (seed 101)
  set.seed(101)
  d <- 10L
  Q <- random_rotation(d)
  S <- Q %*% diag(exp(seq(log(0.3), log(3), length.out = d))^2) %*% t(Q)
  S <- (S + t(S)) / 2
  tg$gauss_10d <- gauss_mixture_target(
    "gauss_10d", 1, matrix(stats::runif(d, -2, 2), 1), array(S, c(d, d, 1)),
    box = c(-10, 10), wgma_n = 500L,
    note = "principal sds 0.3 to 3, random rotation, mean in [-2, 2]^10")

  # multimodal 5-D and 10-D: 4 modes, weights .4/.3/.2/.1, means uniform in [-7, 7]^d, random
  # rotations with sds uniform in [0.3, 1.5]; the third mode (weight .2) has sd 0.05 along one axis
  multimodal <- function(name, d, seed) {
    set.seed(seed)
    K <- 4L
    mu <- matrix(stats::runif(K * d, -7, 7), K)
    sig <- array(0, c(d, d, K))
    for (k in seq_len(K)) {
      s <- stats::runif(d, 0.3, 1.5)
      if (k == 3L) s[1] <- 0.05
      Q <- random_rotation(d)
      v <- Q %*% diag(s^2) %*% t(Q)
      sig[, , k] <- (v + t(v)) / 2
    }
    gauss_mixture_target(name, c(.4, .3, .2, .1), mu, sig, box = c(-10, 10), wgma_n = 500L,
                         note = "4 modes .4/.3/.2/.1 in [-7,7]^d; mode 3 has sd 0.05 in one direction")
  }
  tg$multimodal_5d <- multimodal("multimodal_5d", 5L, 105)
  tg$multimodal_10d <- multimodal("multimodal_10d", 10L, 110)
  tg
}

# ---- metrics --------------------------------------------------------------------------------------

# Energy distance, V-statistic: 2 E|X - Y| - E|X - X'| - E|Y - Y'| with all pairs (diagonal
# included) of the two samples.
energy_distance <- function(x, y) {
  mean_dist <- function(a, b) {
    d2 <- outer(rowSums(a * a), rowSums(b * b), "+") - 2 * tcrossprod(a, b)
    mean(sqrt(pmax(d2, 0)))
  }
  2 * mean_dist(x, y) - mean_dist(x, x) - mean_dist(y, y)
}

score_draws <- function(draws, tg, ref) {
  draws <- as.matrix(draws)
  storage.mode(draws) <- "double"
  sub <- draws[sample.int(nrow(draws), min(n_ref, nrow(draws))), , drop = FALSE]
  c(energy = energy_distance(unname(sub), ref),
    mean_err_sd = max(abs(colMeans(draws) - tg$mean) / tg$sd),
    sd_rel_err = max(abs(apply(draws, 2L, stats::sd) / tg$sd - 1)))
}

# A log density that counts the points it is asked about (vectorised and per-point versions).
counted <- function(f) {
  env <- new.env()
  env$n <- 0
  list(
    f = function(x) {
      env$n <- env$n + (if (is.matrix(x)) nrow(x) else 1L)
      f(x)
    },
    f1 = function(x) {
      env$n <- env$n + 1
      f(matrix(x, 1L))
    },
    count = function() env$n,
    reset = function() env$n <- 0
  )
}

# ---- methods --------------------------------------------------------------------------------------
# Each returns list(draws =, evals =, seconds =, note =) or list(mean =, sd =, ...) without draws.

timed <- function(expr) {
  t0 <- proc.time()[["elapsed"]]
  value <- expr
  list(value = value, seconds = proc.time()[["elapsed"]] - t0)
}

run_gma <- function(tg, cf, method, importance = NULL) {
  args <- list(cf$f, dim = tg$d, box = tg$box, method = method, vectorized = TRUE,
               control = gma_control(n_evals = budget))
  if (method == "wgma") {
    args$n_components <- tg$wgma_n
    args$n_per_component <- round(budget / tg$wgma_n)
    args$importance <- importance
  }
  warns <- character()
  r <- timed(withCallingHandlers(do.call(gma_sample, args), warning = function(w) {
    warns <<- c(warns, conditionMessage(w))
    invokeRestart("muffleWarning")
  }))
  fit <- r$value
  dg <- fit$diagnostics
  note <- sprintf("k=%.2f ess=%.0f", dg[["pareto_k"]], dg[["ess"]])
  if (method == "wgma") note <- paste0(sprintf("N=%d M=%d iter=%d%s ", tg$wgma_n,
    args$n_per_component, fit$iterations, if (isTRUE(fit$converged)) "" else " (not conv.)"), note)
  if (method %in% c("em", "lma") && !is.null(fit$laplace))
    note <- paste0(note, sprintf(" modes=%d comps=%d", nrow(fit$laplace), length(fit$mixture$weights)))
  if (fit$n_evals != cf$count())
    note <- paste0(note, sprintf(" [fit$n_evals=%d]", fit$n_evals))
  if (length(warns)) {
    warns <- ifelse(grepl("^Pareto k", warns), "Pareto k > 0.7", substr(warns, 1L, 60L))
    note <- paste0(note, "; warned: ", paste(unique(warns), collapse = "; "))
  }
  list(draws = fit$draws, evals = cf$count(), seconds = r$seconds, note = note)
}

run_metrop <- function(tg, cf, x0) {
  d <- tg$d
  target_acc <- if (d <= 2) 0.3 else 0.234
  # pilot, not counted: the raw density
  raw1 <- function(x) tg$log_density(matrix(x, 1L))
  s <- 2.38 / sqrt(d)
  state <- x0
  for (r in 1:10) {
    run <- metrop(raw1, state, nbatch = 500L, scale = s)
    state <- run$final
    s <- s * exp(3 * (run$accept - target_acc))
  }
  r <- timed(metrop(cf$f1, x0, nbatch = budget - 1L, scale = s))
  run <- r$value
  keep <- seq.int(floor(0.1 * nrow(run$batch)) + 1L, nrow(run$batch))
  list(draws = run$batch[keep, , drop = FALSE], evals = cf$count(), seconds = r$seconds,
       note = sprintf("acceptance %.2f, scale %.3g", run$accept, s))
}

ld_model <- function(f1) {
  force(f1)
  function(parm, Data) {
    lp <- f1(parm)
    list(LP = lp, Dev = -2 * lp, Monitor = lp, yhat = 0, parm = parm)
  }
}
ld_data <- function(d) list(N = 1, mon.names = "LP", parm.names = paste0("x", seq_len(d)))

run_laplace_sir <- function(tg, cf, x0) {
  Data <- ld_data(tg$d)
  la <- function(f1, samples) {
    out <- NULL
    utils::capture.output(out <- LaplaceApproximation(
      ld_model(f1), x0, Data, Method = "TR", Iterations = 10000, sir = TRUE, Samples = samples))
    out
  }
  # first pass, not counted: how many evaluations the optimiser (and Hessian) takes
  probe <- counted(tg$log_density)
  first <- la(probe$f1, 100)
  n_opt <- probe$count() - (if (isTRUE(first$Converged)) 2 * 100 else 0)
  samples <- max(100, floor((budget - n_opt) / 2))
  r <- timed(la(cf$f1, samples))
  fit <- r$value
  if (isTRUE(fit$Converged) && is.matrix(fit$Posterior)) {
    list(draws = fit$Posterior, evals = cf$count(), seconds = r$seconds,
         note = sprintf("TR, %d optimiser evals, %d SIR samples, %d distinct", round(n_opt),
                        samples, nrow(unique(fit$Posterior))))
  } else {
    list(mean = fit$Summary1[seq_len(tg$d), "Mode"], sd = fit$Summary1[seq_len(tg$d), "SD"],
         evals = cf$count(), seconds = r$seconds,
         note = "not converged: no SIR; scored the mode and Laplace sds")
  }
}

run_pmc <- function(tg, cf, x0s) {
  d <- tg$d
  M <- nrow(x0s)
  iters <- 8L
  n <- floor((budget - M) / ((iters + 1L) * M))
  width <- diff(tg$box)
  out <- NULL
  n_warn <- 0
  r <- timed(withCallingHandlers(utils::capture.output(out <- PMC(
    ld_model(cf$f1), ld_data(d), Initial.Values = x0s, Covar = diag((width / 4)^2, d),
    Iterations = iters, M = M, N = n)), warning = function(w) {
      n_warn <<- n_warn + 1  # NaNs in LaplacesDemon's dmvt for far draws
      invokeRestart("muffleWarning")
    }))
  alpha <- out$alpha[, iters]
  list(draws = out$Posterior2, evals = cf$count(), seconds = r$seconds,
       note = sprintf("M=%d N=%d x %d iter; final alpha %s; %d draws of %d comps, unweighted%s",
                      M, n, iters, paste(sprintf("%.2f", sort(alpha, decreasing = TRUE)), collapse = "/"),
                      nrow(out$Posterior2), sum(alpha >= 0.002),
                      if (n_warn) sprintf("; %d warnings (NaN in dmvt)", n_warn) else ""))
}

# One compiled model per model code (all the mixtures share one); the compile time is reported on
# the row that compiled it.
stan_cache <- new.env()
run_stan <- function(tg, x0) {
  key <- tg$stan_code
  compile_seconds <- NA
  if (is.null(stan_cache[[key]])) {
    compile <- timed(rstan::stan_model(model_code = tg$stan_code, verbose = FALSE))
    stan_cache[[key]] <- compile$value
    compile_seconds <- compile$seconds
  }
  data <- c(list(), tg$stan_data)
  r <- timed(suppressWarnings(rstan::sampling(
    stan_cache[[key]], data = data, chains = 1L, iter = 2000L, warmup = 1000L, refresh = 0,
    seed = base_seed, init = list(list(z = x0)), show_messages = FALSE)))
  fit <- r$value
  sp <- rstan::get_sampler_params(fit, inc_warmup = TRUE)[[1]]
  draws <- as.matrix(fit, pars = "z")
  list(draws = draws, evals = sum(sp[, "n_leapfrog__"]), seconds = r$seconds,
       compile_seconds = compile_seconds,
       note = sprintf("%d divergent; evals = gradient evaluations", sum(sp[-(1:1000), "divergent__"])))
}

# ---- the run -------------------------------------------------------------------------------------

targets <- make_targets()
target_index <- stats::setNames(seq_along(targets), names(targets))  # seeds follow the full list
if (nzchar(only)) targets <- targets[intersect(names(targets), strsplit(only, ",")[[1]])]

fmt <- function(x, digits = 3) {
  vapply(x, function(v) if (is.na(v)) "NA" else format(signif(v, digits), scientific = abs(v) < 1e-3 && v != 0),
         character(1))
}

method_names <- c("em", "lma", "wgma", "wgma_psis", "metrop", "laplace_sir", "pmc", "stan_nuts", "exact")
all_rows <- list()
detail_tables <- list()

for (base_seed in base_seeds) for (tg in targets) {
  ti <- target_index[[tg$name]]
  cat(sprintf("\n==== %s (d = %d, box [%g, %g]), base seed %d ====\n", tg$name, tg$d, tg$box[1],
              tg$box[2], base_seed))
  set.seed(base_seed * 1000 + ti)
  ref <- tg$exact(n_ref)
  # the baselines' starting points: uniform in the box
  x0 <- stats::runif(tg$d, tg$box[1], tg$box[2])
  x0s <- matrix(stats::runif(5 * tg$d, tg$box[1], tg$box[2]), 5)
  rows <- list()
  for (mi in seq_along(method_names)) {
    m <- method_names[mi]
    seed <- base_seed * 1000 + 100 * ti + mi
    set.seed(seed)
    cf <- counted(tg$log_density)
    res <- if (m == "stan_nuts" && !have_stan) {
      list(skip = "rstan not installed: skipped")
    } else tryCatch(switch(m,
      em = run_gma(tg, cf, "em"),
      lma = run_gma(tg, cf, "lma"),
      wgma = run_gma(tg, cf, "wgma", importance = FALSE),
      wgma_psis = {
        set.seed(base_seed * 1000 + 100 * ti + 3L)  # the same bank and fit as the wgma row
        run_gma(tg, cf, "wgma", importance = TRUE)
      },
      metrop = run_metrop(tg, cf, x0),
      laplace_sir = run_laplace_sir(tg, cf, x0),
      pmc = run_pmc(tg, cf, x0s),
      stan_nuts = run_stan(tg, x0),
      exact = {
        r <- timed(tg$exact(budget))
        list(draws = r$value, evals = 0, seconds = r$seconds, note = "noise floor")
      }), error = function(e) list(error = gsub("\\s+", " ", conditionMessage(e))))
    set.seed(seed + 50L)
    sc <- if (!is.null(res$draws)) {
      score_draws(res$draws, tg, ref)
    } else if (!is.null(res$mean)) {
      c(energy = NA, mean_err_sd = max(abs(res$mean - tg$mean) / tg$sd),
        sd_rel_err = max(abs(res$sd / tg$sd - 1)))
    } else c(energy = NA, mean_err_sd = NA, sd_rel_err = NA)
    note <- if (!is.null(res$skip)) res$skip else if (!is.null(res$error)) paste("ERROR:", res$error) else res$note
    row <- data.frame(target = tg$name, base_seed = base_seed, method = m, energy = sc[["energy"]],
                      mean_err_sd = sc[["mean_err_sd"]], sd_rel_err = sc[["sd_rel_err"]],
                      evals = if (is.null(res$evals)) NA else res$evals,
                      seconds = if (is.null(res$seconds)) NA else res$seconds,
                      compile_s = if (is.null(res$compile_seconds)) NA else res$compile_seconds,
                      note = substr(note, 1L, 160L), stringsAsFactors = FALSE)
    rows[[m]] <- row
    cat(sprintf("%-12s energy %8s  mean err %8s sd  sd err %8s  %6s evals %7.2f s  %s\n", m,
                fmt(row$energy), fmt(row$mean_err_sd), fmt(row$sd_rel_err),
                format(row$evals), row$seconds, substr(note, 1L, 100L)))
  }
  tab <- do.call(rbind, rows)
  all_rows[[length(all_rows) + 1L]] <- tab
  show <- data.frame(method = tab$method, energy = fmt(tab$energy), mean_err_sd = fmt(tab$mean_err_sd),
                     sd_rel_err = fmt(tab$sd_rel_err), evals = ifelse(is.na(tab$evals), "", format(tab$evals)),
                     seconds = ifelse(is.na(tab$seconds), "", sprintf("%.2f", tab$seconds)),
                     note = ifelse(is.na(tab$compile_s), tab$note,
                                   sprintf("%s; compile %.1f s", tab$note, tab$compile_s)),
                     stringsAsFactors = FALSE)
  cat("\n")
  print(show, row.names = FALSE, right = FALSE)
  detail <- tab[, c("method", "energy", "mean_err_sd", "sd_rel_err", "evals", "seconds")]
  detail$note <- show$note
  detail_tables[[sprintf("%s (d = %d, box [%g, %g]^%d), base seed %d: %s", tg$name, tg$d, tg$box[1],
                         tg$box[2], tg$d, base_seed, tg$note)]] <- detail
}

# ---- overall -------------------------------------------------------------------------------------
all_tab <- do.call(rbind, all_rows)
wide <- function(col) {
  w <- stats::reshape(all_tab[, c("target", "base_seed", "method", col)], idvar = c("target", "base_seed"),
                      timevar = "method", direction = "wide")
  names(w) <- sub(paste0("^", col, "\\."), "", names(w))
  w <- w[, c("target", "base_seed", intersect(method_names, names(w)))]
  if (!have_stan) w$stan_nuts <- NULL
  w
}
en <- wide("energy")
me <- wide("mean_err_sd")
se <- wide("sd_rel_err")
compact <- en
for (j in 3:ncol(compact)) compact[[j]] <- sprintf("%s / %s / %s", fmt(en[[j]], 2), fmt(me[[j]], 2), fmt(se[[j]], 2))
ms <- setdiff(names(en), c("target", "base_seed", "exact"))
of_runs <- function(hits) sprintf("%d of %d", hits, nrow(en))
ratio <- matrix(vapply(ms, function(m) en[[m]] / en$exact, numeric(nrow(en))), nrow(en))
summary_row <- data.frame(
  method = ms,
  median_energy_over_floor = apply(ratio, 2L, stats::median, na.rm = TRUE),
  best_energy_on = of_runs(vapply(ms, function(m) sum(apply(as.matrix(en[, ms, drop = FALSE]), 1L,
    function(r) isTRUE(which.min(r) == match(m, ms)))), numeric(1))),
  mean_err_below_0.1 = of_runs(vapply(ms, function(m) sum(me[[m]] < 0.1, na.rm = TRUE), numeric(1))),
  sd_err_below_0.1 = of_runs(vapply(ms, function(m) sum(se[[m]] < 0.1, na.rm = TRUE), numeric(1))),
  median_seconds = vapply(ms, function(m) stats::median(all_tab$seconds[all_tab$method == m], na.rm = TRUE), numeric(1)),
  stringsAsFactors = FALSE)
cat("\n==== overall: energy / max mean error (sd) / max sd relative error ====\n")
print(compact, row.names = FALSE, right = FALSE)
cat(sprintf("\n==== overall summary over %d runs (targets x base seeds) ====\n", nrow(en)))
print(summary_row, row.names = FALSE, right = FALSE, digits = 2)

run_time <- proc.time()[["elapsed"]] - t_start
footer <- c(
  sprintf("Total run time %.0f s; load average at start %s, at end %s.", run_time, load_at_start, load_avg()),
  if (!have_stan) "Stan NUTS rows skipped: rstan is not installed." else "Stan rows: compile time in the note, not in seconds.")
cat("\n", paste(footer, collapse = "\n"), "\n", sep = "")

# ---- result tables -------------------------------------------------------------------------------
source(file.path("bench", "results.R"))
run_notes <- c(
  sprintf("- %d targets (%s); budget %d density evaluations a run; base seeds %s: one run per method, target and base seed.",
          length(targets), paste(names(targets), collapse = ", "), budget, paste(base_seeds, collapse = ", ")),
  "- What each row and column means: `bench/README-methods.md`.",
  paste("-", footer))
readable <- stats::setNames(summary_row, c("method", "median energy / noise floor", "best energy on",
                                          "mean err < 0.1 on", "sd err < 0.1 on", "median seconds a run"))
write_results("methods", "Methods on hard targets (`bench/bench-methods.R`)",
              stats::setNames(list(readable), ""),
              c("- Energy: the energy distance to exact draws, over that of fresh exact draws (the noise",
                "  floor), median over the runs (targets x base seeds); `best energy on`: the runs where the",
                "  method's energy distance is the lowest; the next two count the runs with largest mean",
                "  error < 0.1 sd and largest sd error < 10%.", run_notes))
write_results("methods-details", "Methods on hard targets, per target (`bench/bench-methods.R`)",
              c(detail_tables, list(`Overall: energy / max mean error (sd) / max sd relative error` = compact)),
              run_notes)
invisible(all_tab)
