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
  // sizes checked once, so the loops index without checks
  if (X.ncol() != d || static_cast<int>(y.size()) != X.nrow()) gmasampler::fail("X and y do not match");
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
  for (int i = 0; i < d; ++i) s += (x[i] - mu.at(i)) * (x[i] - mu.at(i));
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

// Failures reported the three ways a user might: Rcpp::stop(), gmasampler::fail() and a throw of
// something that is no std::exception.
double rcpp_stop_above_one(const double* x, int, const gmasampler::Data&) {
  if (x[0] > 1.0) Rcpp::stop("x[0] = %.2f is above one", x[0]);
  return -0.5 * x[0] * x[0];
}

double fail_above_one(const double* x, int, const gmasampler::Data&) {
  if (x[0] > 1.0) gmasampler::fail("x[0] is above one");
  return -0.5 * x[0] * x[0];
}

double throws_int_above_one(const double* x, int, const gmasampler::Data&) {
  if (x[0] > 1.0) throw 42;
  return -0.5 * x[0] * x[0];
}

// Data read past its end: by the checked at(), and by [] (checked in a debug build only, where
// debug_build() is true; elsewhere it reads past the array).
double reads_past_end_at(const double* x, int, const gmasampler::Data& data) {
  return data["v"].at(3) + data["m"].at(0, 2) * x[0];
}

double matrix_past_end_at(const double* x, int, const gmasampler::Data& data) {
  return data["m"].at(1, 2) * x[0];
}

double reads_past_end_brackets(const double* x, int, const gmasampler::Data& data) {
  return data["v"][3] * x[0];
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
  if (name == "rcpp_stop_above_one") return gmasampler::make_log_density(&rcpp_stop_above_one);
  if (name == "fail_above_one") return gmasampler::make_log_density(&fail_above_one);
  if (name == "throws_int_above_one") return gmasampler::make_log_density(&throws_int_above_one);
  if (name == "reads_past_end_at") return gmasampler::make_log_density(&reads_past_end_at);
  if (name == "matrix_past_end_at") return gmasampler::make_log_density(&matrix_past_end_at);
  if (name == "reads_past_end_brackets") return gmasampler::make_log_density(&reads_past_end_brackets);
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

// Whether this file was compiled as a debug build (-DGMASAMPLER_DEBUG), whose accessors check bounds.
// [[Rcpp::export(rng = false)]]
bool debug_build() {
#ifdef GMASAMPLER_DEBUG
  return true;
#else
  return false;
#endif
}
