# The long-MCMC reference of the latent GP Poisson target of bench/trust-targets.R (the one target
# there without an exact answer), saved to bench/fixtures/trust-references.rds.
#
# Run from the package root (needs Rcpp and a C++ compiler, and posterior for R-hat and MCSE):
#   Rscript bench/make-trust-references.R        (about 8 minutes on one core)
# Options: REF_ITER=2e7 the iterations per chain after warm-up; REF_CHAINS=4 chains per sampler;
# REF_OUT the file written.
#
# Two different samplers, so that a fault of one shows as disagreement:
#   * random-walk Metropolis with a Gaussian proposal shaped by the posterior covariance (adapted in
#     pilot stages, then fixed) and scaled toward an acceptance of 0.234;
#   * slice sampling, one coordinate at a time (stepping out, shrinkage) in coordinates whitened by
#     the same covariance.
# The density is compiled (C++, checked against the R one of trust-targets.R at random points).
# Chains start from points spread twice as wide as the pilot's normal approximation. The reference
# is the pooled mean and sd of all chains; it is saved only if every parameter has rank-normalised
# R-hat < 1.01 over all chains of both samplers, and Monte Carlo standard errors of the mean and
# the sd below 0.02 posterior sd.

suppressPackageStartupMessages({
  library(Rcpp)
  library(posterior)
})
source(file.path("bench", "trust-targets.R"))

n_iter <- as.numeric(Sys.getenv("REF_ITER", "2e7"))
n_chains <- as.integer(Sys.getenv("REF_CHAINS", "4"))
thin <- max(1L, as.integer(n_iter / 20000))  # 20,000 kept draws per chain
out_file <- Sys.getenv("REF_OUT", file.path("bench", "fixtures", "trust-references.rds"))

sourceCpp(code = '
#include <Rcpp.h>
#include <cmath>
using namespace Rcpp;

// The GP Poisson log density of trust-targets.R: p = (log ell, log alpha, eta_1..n).
struct Gp {
  NumericVector t, y;
  double mu, ell_m, ell_s, alpha_m, alpha_s, jitter, log_fact;
  Gp(List data) : t(as<NumericVector>(data["t"])), y(as<NumericVector>(data["y"])) {
    mu = as<double>(data["mu"]);
    NumericVector ep = data["ell_prior"], ap = data["alpha_prior"];
    ell_m = ep[0]; ell_s = ep[1]; alpha_m = ap[0]; alpha_s = ap[1];
    jitter = as<double>(data["jitter"]);
    log_fact = 0;
    for (int i = 0; i < y.size(); ++i) log_fact += std::lgamma(y[i] + 1);
  }
  double operator()(const double* p) const {
    const int n = t.size();
    if (!std::isfinite(p[0]) || !std::isfinite(p[1])) return R_NegInf;
    double L[144], inv2l2 = 0.5 * std::exp(-2 * p[0]), alpha = std::exp(p[1]);
    for (int i = 0; i < n; ++i)             // Cholesky of the correlation, row by row
      for (int j = 0; j <= i; ++j) {
        double dt = t[i] - t[j], s = i == j ? 1 + jitter : std::exp(-dt * dt * inv2l2);
        for (int k = 0; k < j; ++k) s -= L[i * n + k] * L[j * n + k];
        if (i == j) {
          if (!(s > 0)) return R_NegInf;
          L[i * n + i] = std::sqrt(s);
        } else L[i * n + j] = s / L[j * n + j];
      }
    double lp = -0.5 * std::pow((p[0] - ell_m) / ell_s, 2) - std::log(ell_s) -
                0.5 * std::pow((p[1] - alpha_m) / alpha_s, 2) - std::log(alpha_s) -
                (n + 2) * 0.5 * std::log(2 * M_PI) - log_fact;
    for (int i = 0; i < n; ++i) {
      double f = 0;
      for (int k = 0; k <= i; ++k) f += L[i * n + k] * p[2 + k];
      f = mu + alpha * f;
      lp += y[i] * f - std::exp(f) - 0.5 * p[2 + i] * p[2 + i];
    }
    return std::isnan(lp) ? R_NegInf : lp;
  }
};

// [[Rcpp::export]]
NumericVector gp_lp_cpp(NumericMatrix x, List data) {
  Gp gp(data);
  NumericVector out(x.nrow());
  std::vector<double> p(x.ncol());
  for (int r = 0; r < x.nrow(); ++r) {
    for (int j = 0; j < x.ncol(); ++j) p[j] = x(r, j);
    out[r] = gp(p.data());
  }
  return out;
}

// Random-walk Metropolis: proposal x + chol_l %*% z (chol_l lower triangular); every thin-th state.
// [[Rcpp::export]]
List rwm_cpp(NumericVector init, NumericMatrix chol_l, double n_iter, int thin, List data) {
  Gp gp(data);
  const int d = init.size();
  std::vector<double> x(init.begin(), init.end()), prop(d), z(d);
  double lp = gp(x.data()), accepted = 0;
  long n_keep = (long)(n_iter / thin);
  NumericMatrix out(n_keep, d);
  long kept = 0;
  for (long it = 1; it <= (long)n_iter; ++it) {
    for (int j = 0; j < d; ++j) z[j] = R::norm_rand();
    for (int i = 0; i < d; ++i) {
      double s = x[i];
      for (int j = 0; j <= i; ++j) s += chol_l(i, j) * z[j];
      prop[i] = s;
    }
    double lp_prop = gp(prop.data());
    if (std::log(R::unif_rand()) < lp_prop - lp) { x.swap(prop); lp = lp_prop; accepted += 1; }
    if (it % thin == 0 && kept < n_keep) { for (int j = 0; j < d; ++j) out(kept, j) = x[j]; ++kept; }
    if (it % 100000 == 0) checkUserInterrupt();
  }
  return List::create(_["draws"] = out, _["accept"] = accepted / n_iter);
}

// Coordinate-wise slice sampling in whitened coordinates: x = centre + chol_l %*% w. One
// iteration updates every coordinate of w once (stepping out with width `width`, then shrinkage).
// [[Rcpp::export]]
NumericMatrix slice_cpp(NumericVector init_w, NumericVector centre, NumericMatrix chol_l,
                        double n_iter, int thin, double width, List data) {
  Gp gp(data);
  const int d = init_w.size();
  std::vector<double> w(init_w.begin(), init_w.end()), x(d);
  auto eval = [&](const std::vector<double>& ww) {
    for (int i = 0; i < d; ++i) {
      double s = centre[i];
      for (int j = 0; j <= i; ++j) s += chol_l(i, j) * ww[j];
      x[i] = s;
    }
    return gp(x.data());
  };
  double lp = eval(w);
  long n_keep = (long)(n_iter / thin), kept = 0;
  NumericMatrix out(n_keep, d);
  for (long it = 1; it <= (long)n_iter; ++it) {
    for (int j = 0; j < d; ++j) {
      double level = lp + std::log(R::unif_rand()), w0 = w[j];
      double lo = w0 - width * R::unif_rand(), hi = lo + width;
      for (int s = 0; s < 100; ++s) { w[j] = lo; if (eval(w) <= level) break; lo -= width; }
      for (int s = 0; s < 100; ++s) { w[j] = hi; if (eval(w) <= level) break; hi += width; }
      for (;;) {
        w[j] = lo + (hi - lo) * R::unif_rand();
        double l = eval(w);
        if (l > level) { lp = l; break; }
        if (w[j] < w0) lo = w[j]; else hi = w[j];
      }
    }
    if (it % thin == 0 && kept < n_keep) {
      for (int i = 0; i < d; ++i) {
        double s = centre[i];
        for (int j = 0; j <= i; ++j) s += chol_l(i, j) * w[j];
        out(kept, i) = s;
      }
      ++kept;
    }
    if (it % 10000 == 0) checkUserInterrupt();
  }
  return out;
}
')

t_start <- proc.time()[["elapsed"]]
tg <- target_gp_poisson(reference_file = "")
data <- tg$data
d <- tg$dim
names_p <- c("log_ell", "log_alpha", paste0("eta", seq_len(d - 2L)))

# the compiled density must be the benchmark's density
set.seed(7)
probe <- rbind(matrix(stats::rnorm(200 * d), ncol = d), matrix(stats::rnorm(20 * d, sd = 3), ncol = d))
lp_c <- gp_lp_cpp(probe, data)
lp_r <- tg$log_density(probe)
finite <- is.finite(lp_r)
gap <- max(abs(lp_c[finite] - lp_r[finite]) / pmax(1, abs(lp_r[finite])))
cat(sprintf("compiled vs R density: largest relative difference %.2e at %d finite points of %d\n", gap,
            sum(finite), nrow(probe)))
stopifnot(gap < 1e-8, identical(lp_c[!finite], lp_r[!finite]))

# Pilot: adapt the proposal covariance and scale over stages of RWM from init.
set.seed(2024)
S <- diag(0.1, d)
scale <- 2.38 / sqrt(d)
state <- tg$init
for (stage in 1:8) {
  run <- rwm_cpp(state, t(chol(scale^2 * S)), 2e5, 20L, data)
  state <- run$draws[nrow(run$draws), ]
  # each stage re-estimates the covariance from its second half; the scale follows acceptance
  S <- stats::cov(run$draws[-seq_len(nrow(run$draws) / 2), ])
  scale <- scale * exp(run$accept - 0.234)
  cat(sprintf("pilot stage %d: acceptance %.3f, scale %.3f\n", stage, run$accept, scale))
}
centre <- colMeans(run$draws)
chol_s <- t(chol(S))

# Main chains, each from an overdispersed start, warm-up (a tenth) dropped.
warm <- n_iter / 10
starts <- lapply(seq_len(2L * n_chains), function(i) centre + 2 * drop(chol_s %*% stats::rnorm(d)))
chains <- vector("list", 2L * n_chains)
for (i in seq_len(n_chains)) {
  set.seed(100 + i)
  r <- rwm_cpp(starts[[i]], t(chol(scale^2 * S)), warm + n_iter, thin, data)
  keep <- -seq_len(warm / thin)
  chains[[i]] <- r$draws[keep, ]
  cat(sprintf("rwm chain %d: acceptance %.3f (%.0f s so far)\n", i, r$accept,
              proc.time()[["elapsed"]] - t_start))
}
# slice sampling costs about 5 evaluations per coordinate per iteration: fewer iterations
slice_iter <- n_iter / (5 * d)
slice_thin <- max(1L, as.integer(slice_iter / 20000))
for (i in seq_len(n_chains)) {
  set.seed(200 + i)
  w0 <- drop(forwardsolve(chol_s, starts[[n_chains + i]] - centre))
  sl <- slice_cpp(w0, centre, chol_s, slice_iter * 1.1, slice_thin, 3, data)
  chains[[n_chains + i]] <- sl[-seq_len(nrow(sl) %/% 11), ]
  cat(sprintf("slice chain %d done (%.0f s so far)\n", i, proc.time()[["elapsed"]] - t_start))
}

# equal chain lengths for the draws_array: the shortest
len <- min(vapply(chains, nrow, integer(1)))
arr <- array(NA_real_, c(len, length(chains), d), dimnames = list(NULL, NULL, names_p))
for (i in seq_along(chains)) arr[, i, ] <- chains[[i]][seq_len(len), ]
dr <- as_draws_array(arr)
summ <- summarise_draws(dr, mean, sd, rhat, ess_bulk, ess_tail, mcse_mean, mcse_sd)
summ$mcse_mean_over_sd <- summ$mcse_mean / summ$sd
summ$mcse_sd_over_sd <- summ$mcse_sd / summ$sd
# the two samplers separately: their difference, in units of the combined Monte Carlo error
by_sampler <- lapply(list(rwm = seq_len(n_chains), slice = n_chains + seq_len(n_chains)), function(ix)
  summarise_draws(subset_draws(dr, chain = ix), mean, sd, mcse_mean, mcse_sd))
summ$sampler_gap_z <- (by_sampler$rwm$mean - by_sampler$slice$mean) /
  sqrt(by_sampler$rwm$mcse_mean^2 + by_sampler$slice$mcse_mean^2)
summ$sampler_sd_gap_z <- (by_sampler$rwm$sd - by_sampler$slice$sd) /
  sqrt(by_sampler$rwm$mcse_sd^2 + by_sampler$slice$mcse_sd^2)
print(as.data.frame(summ), digits = 4)

ok <- all(summ$rhat < 1.01) && all(summ$mcse_mean_over_sd < 0.02) && all(summ$mcse_sd_over_sd < 0.02)
if (!ok) stop("reference not converged: R-hat or Monte Carlo errors too large; raise REF_ITER")
ref <- list(gp_poisson = list(
  mean = stats::setNames(summ$mean, names_p), sd = stats::setNames(summ$sd, names_p),
  summary = as.data.frame(summ), data = data,
  method = sprintf(paste("%d RWM chains of %.0f iterations (acceptance tuned to 0.234) and %d whitened",
                         "coordinate-slice chains of %.0f iterations, warm-up dropped; %d draws per chain kept"),
                   n_chains, n_iter, n_chains, slice_iter, len),
  script = "bench/make-trust-references.R", date = format(Sys.time()),
  seconds = proc.time()[["elapsed"]] - t_start))
dir.create(dirname(out_file), showWarnings = FALSE, recursive = TRUE)
saveRDS(ref, out_file)
cat(sprintf("wrote %s (%.0f s)\n", out_file, ref$gp_poisson$seconds))
