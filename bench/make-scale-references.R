# The reference posterior of bench/bench-scale.R's hierarchical model (the varying-intercept
# regression on ChickWeight of bench/scale-targets.R): an exact two-block Gibbs sampler, long.
#
# Run from the package root (about a minute):   Rscript bench/make-scale-references.R
# Writes bench/fixtures/scale-references.rds: mean, sd, Monte Carlo se of the mean, effective
# sample size, per parameter on the sampling scale (a, mu, b, log_tau, log_sigma).
#
# The model is conditionally conjugate: given (tau^2, sigma^2) the 52 coefficients (a, mu, b) are
# jointly Gaussian (one draw from the exact conditional, by the Cholesky factor of its precision),
# and given those, tau^2 and sigma^2 are inverse-gamma. Drawing the coefficients as one block
# makes the chain mix in a few iterations despite the correlation of b with the intercepts.
# Four chains from dispersed starts; their agreement is checked.

source(file.path("bench", "scale-targets.R"))
n_iter <- as.integer(Sys.getenv("REF_ITER", "50000"))   # per chain, after burn-in
n_chains <- 4L
burn <- 1000L

dat <- chick_data()
G <- 50L
N <- length(dat$y)
alpha <- dat$prior[["alpha"]]
beta <- dat$prior[["beta"]]
X <- matrix(0, N, G + 2L)
X[cbind(seq_len(N), dat$g + 1)] <- 1
X[, G + 2L] <- dat$t
XtX <- crossprod(X)
Xty <- drop(crossprod(X, dat$y))
P_tau <- matrix(0, G + 2L, G + 2L)   # times 1 / tau^2: the a_i ~ N(mu, tau^2) terms
P_tau[1:G, 1:G] <- diag(G)
P_tau[1:G, G + 1L] <- P_tau[G + 1L, 1:G] <- -1
P_tau[G + 1L, G + 1L] <- G
P_0 <- diag(c(rep(0, G), rep(1 / dat$prior[["sd"]]^2, 2)))

gibbs <- function(seed, tau2, sigma2) {
  set.seed(seed)
  out <- matrix(NA_real_, n_iter, G + 4L)
  for (it in seq_len(burn + n_iter)) {
    R <- chol(XtX / sigma2 + P_tau / tau2 + P_0)
    m <- backsolve(R, backsolve(R, Xty / sigma2, transpose = TRUE))
    coef <- m + backsolve(R, stats::rnorm(G + 2L))
    a <- coef[1:G]
    tau2 <- 1 / stats::rgamma(1, alpha + G / 2, rate = beta + sum((a - coef[G + 1L])^2) / 2)
    r <- dat$y - a[dat$g + 1] - coef[G + 2L] * dat$t
    sigma2 <- 1 / stats::rgamma(1, alpha + N / 2, rate = beta + sum(r^2) / 2)
    if (it > burn) out[it - burn, ] <- c(coef, 0.5 * log(tau2), 0.5 * log(sigma2))
  }
  colnames(out) <- chick_names
  out
}

t0 <- proc.time()[["elapsed"]]
starts <- list(c(0.01, 0.01), c(1, 1), c(0.1, 0.5), c(0.5, 0.02))
chains <- lapply(seq_len(n_chains), function(k) gibbs(1000 + k, starts[[k]][1], starts[[k]][2]))
secs <- proc.time()[["elapsed"]] - t0
all <- do.call(rbind, chains)
ess <- Reduce(`+`, lapply(chains, coda::effectiveSize))
ref <- list(mean = colMeans(all), sd = apply(all, 2L, stats::sd))
ref$ess <- ess
ref$mcse_mean <- ref$sd / sqrt(ess)
# chains' agreement: the largest gap between one chain's mean and the pooled one, in pooled sds
chain_gap <- max(vapply(chains, function(ch) max(abs(colMeans(ch) - ref$mean) / ref$sd), 1))
ref$n_draws <- nrow(all)
ref$method <- sprintf("two-block Gibbs (coefficients jointly, then tau^2 and sigma^2), %d chains x %d iterations after %d burn-in",
                      n_chains, n_iter, burn)
ref$chain_gap_sd <- chain_gap
# the compiled density against the R one, at reference draws (the density the fits use is this one)
env <- scale_compile(new.env())
pts <- all[seq(1, nrow(all), length.out = 5), , drop = FALSE]
lp_c <- apply(pts, 1L, env$chick_lp, y = dat$y, t = dat$t, g = dat$g, prior = dat$prior)
lp_r <- apply(pts, 1L, chick_lp_r, dat = dat)
stopifnot(max(abs(lp_c - lp_r)) < 1e-8 * max(abs(lp_r)))
attr(ref, "script") <- "bench/make-scale-references.R"
attr(ref, "created") <- format(Sys.time(), "%Y-%m-%d %H:%M %Z")
dir.create(file.path("bench", "fixtures"), showWarnings = FALSE)
saveRDS(list(chick = ref), file.path("bench", "fixtures", "scale-references.rds"))
cat(sprintf("%s\n%.0f s; min ESS %.0f; max MCSE / sd %.4f; largest chain gap %.4f sd\n", ref$method, secs,
            min(ess), max(ref$mcse_mean / ref$sd), chain_gap))
print(round(cbind(mean = ref$mean, sd = ref$sd, ess = ess)[c(1:3, 51:54), ], 4))
