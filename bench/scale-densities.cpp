// Compiled log densities of bench/bench-scale.R (and bench/make-scale-references.R), written as a
// user would write them (vignette("compiled-densities")):
//   std_normal      N(0, I) in any dimension: the near-free density of the overhead table
//   gaussian        N(mu, S) given mu and W = S^(-1/2) (any W with W'W = S^(-1)): -|W (x - mu)|^2 / 2
//   chick           the varying-intercept regression on ChickWeight (see chick_data() in
//                   bench/scale-targets.R): 50 chick intercepts a, their mean mu, the common slope b,
//                   log tau (sd of the intercepts) and log sigma (residual sd), up to a constant
// Each has an external pointer for gma_sample() (*_ptr()) and chick also a plain function of one
// point for mcmc::metrop (chick_lp(), the same C++ code).
// [[Rcpp::depends(gmasampler)]]
#include <gmasampler.h>

#include <cmath>
#include <vector>

namespace {

double std_normal(const double* x, int d, const gmasampler::Data&) {
  double s = 0.0;
  for (int i = 0; i < d; ++i) s += x[i] * x[i];
  return -0.5 * s;
}

double gaussian(const double* x, int d, const gmasampler::Data& data) {
  const gmasampler::Array& mu = data["mu"];
  const gmasampler::Array& W = data["W"];
  const double* w = W.data();  // column-major, d x d
  std::vector<double> z(d, 0.0);
  for (int j = 0; j < d; ++j) {
    const double r = x[j] - mu[j];
    const double* col = w + static_cast<std::size_t>(j) * d;
    for (int i = 0; i < d; ++i) z[i] += col[i] * r;
  }
  double s = 0.0;
  for (int i = 0; i < d; ++i) s += z[i] * z[i];
  return -0.5 * s;
}

// theta = (a_1..a_G, mu, b, log tau, log sigma); data: y (log weight), t (days), g (chick, 0-based),
// prior (alpha, beta of the inverse-gamma priors on tau^2 and sigma^2, sd of the normal priors on
// mu and b). Priors: a_g ~ N(mu, tau^2), mu, b ~ N(0, prior_sd^2), tau^2, sigma^2 ~ IG(alpha, beta),
// the last two on the log sd scale (Jacobian included).
double chick_raw(const double* th, int d, const double* y, const double* t, const double* g, int n,
                 const double* prior) {
  const int G = d - 4;
  const double mu = th[G], b = th[G + 1], log_tau = th[G + 2], log_sigma = th[G + 3];
  const double alpha = prior[0], beta = prior[1], prior_sd = prior[2];
  const double inv_s2 = std::exp(-2.0 * log_sigma), inv_t2 = std::exp(-2.0 * log_tau);
  double rss = 0.0;
  for (int i = 0; i < n; ++i) {
    const double r = y[i] - th[static_cast<int>(g[i])] - b * t[i];
    rss += r * r;
  }
  double ss = 0.0;
  for (int k = 0; k < G; ++k) ss += (th[k] - mu) * (th[k] - mu);
  return -n * log_sigma - 0.5 * rss * inv_s2 - G * log_tau - 0.5 * ss * inv_t2 -
         0.5 * (mu * mu + b * b) / (prior_sd * prior_sd) -
         2.0 * alpha * log_tau - beta * inv_t2 - 2.0 * alpha * log_sigma - beta * inv_s2;
}

double chick(const double* th, int d, const gmasampler::Data& data) {
  const gmasampler::Array& y = data["y"];
  return chick_raw(th, d, y.data(), data["t"].data(), data["g"].data(), static_cast<int>(y.size()),
                   data["prior"].data());
}

}  // namespace

// [[Rcpp::export]]
SEXP std_normal_ptr() { return gmasampler::make_log_density(&std_normal); }

// [[Rcpp::export]]
SEXP gaussian_ptr() { return gmasampler::make_log_density(&gaussian); }

// [[Rcpp::export]]
SEXP chick_ptr() { return gmasampler::make_log_density(&chick); }

// rng = false: no RNGScope, which would reset R's generator to .Random.seed at every call, and
// mcmc::metrop, which draws from the generator between calls without saving it, would propose
// the same point again and again
// [[Rcpp::export(rng = false)]]
double chick_lp(const Rcpp::NumericVector& theta, const Rcpp::NumericVector& y,
                const Rcpp::NumericVector& t, const Rcpp::NumericVector& g,
                const Rcpp::NumericVector& prior) {
  return chick_raw(theta.begin(), theta.size(), y.begin(), t.begin(), g.begin(), y.size(),
                   prior.begin());
}
