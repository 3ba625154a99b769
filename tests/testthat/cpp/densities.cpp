// Compiled log densities used by the tests, written as a user would write them.
// [[Rcpp::depends(gmasampler)]]
#include <gmasampler.h>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace {

double std_normal(const double* x, int d, const gmasampler::Data&) {
  double s = 0.0;
  for (int i = 0; i < d; ++i) s += x[i] * x[i];
  return -0.5 * s;
}

// x1 ~ N(0, 1), x2 | x1 ~ N(x1^2 / 2, 0.5^2), with the same constants as R's dnorm().
double banana(const double* x, int, const gmasampler::Data&) {
  const double log_sqrt_2pi = 0.5 * std::log(2.0 * M_PI);
  const double r = (x[1] - 0.5 * x[0] * x[0]) / 0.5;
  return -0.5 * x[0] * x[0] - log_sqrt_2pi - 0.5 * r * r - log_sqrt_2pi - std::log(0.5);
}

// Bayesian logistic regression: prior N(0, I), data X (n x d matrix) and y (0/1).
double logistic(const double* w, int d, const gmasampler::Data& data) {
  const gmasampler::Array& X = data["X"];
  const gmasampler::Array& y = data["y"];
  double lp = 0.0;
  for (int j = 0; j < d; ++j) lp -= 0.5 * w[j] * w[j];
  for (int i = 0; i < X.nrow(); ++i) {
    double eta = 0.0;
    for (int j = 0; j < d; ++j) eta += X(i, j) * w[j];
    lp += y[i] * eta - (eta > 0 ? eta + std::log1p(std::exp(-eta)) : std::log1p(std::exp(eta)));
  }
  return lp;
}

// Gaussian with mean data[0] and unit variance: checks that unnamed data reaches the density.
double shifted_normal(const double* x, int d, const gmasampler::Data& data) {
  const gmasampler::Array& mu = data[0];
  double s = 0.0;
  for (int i = 0; i < d; ++i) s += (x[i] - mu[i]) * (x[i] - mu[i]);
  return -0.5 * s;
}

double nan_above_one(const double* x, int, const gmasampler::Data&) {
  return x[0] > 1.0 ? std::numeric_limits<double>::quiet_NaN() : -0.5 * x[0] * x[0];
}

double inf_above_one(const double* x, int, const gmasampler::Data&) {
  return x[0] > 1.0 ? std::numeric_limits<double>::infinity() : -0.5 * x[0] * x[0];
}

double throws_above_one(const double* x, int, const gmasampler::Data&) {
  if (x[0] > 1.0) throw std::runtime_error("x[0] is above one");
  return -0.5 * x[0] * x[0];
}

double needs_missing_data(const double* x, int, const gmasampler::Data& data) {
  return data["missing"][0] * x[0];
}

// Half-normal on x > 0: zero on half the line.
double half_normal(const double* x, int, const gmasampler::Data&) {
  return x[0] > 0.0 ? -0.5 * x[0] * x[0] : -std::numeric_limits<double>::infinity();
}

}  // namespace

// [[Rcpp::export(rng = false)]]
SEXP compiled_density(std::string name) {
  if (name == "std_normal") return gmasampler::make_log_density(&std_normal);
  if (name == "banana") return gmasampler::make_log_density(&banana);
  if (name == "logistic") return gmasampler::make_log_density(&logistic);
  if (name == "shifted_normal") return gmasampler::make_log_density(&shifted_normal);
  if (name == "nan_above_one") return gmasampler::make_log_density(&nan_above_one);
  if (name == "inf_above_one") return gmasampler::make_log_density(&inf_above_one);
  if (name == "throws_above_one") return gmasampler::make_log_density(&throws_above_one);
  if (name == "needs_missing_data") return gmasampler::make_log_density(&needs_missing_data);
  if (name == "half_normal") return gmasampler::make_log_density(&half_normal);
  Rcpp::stop("no test density named " + name);
}

// An external pointer that gmasampler did not make.
// [[Rcpp::export(rng = false)]]
SEXP foreign_pointer() {
  static int dummy = 0;
  return R_MakeExternalPtr(&dummy, R_NilValue, R_NilValue);
}
