// Glue for mixtures: their log density, draws and resampling.
#include "config.h"  // first: the debug build's checks
#include <Rcpp.h>
#include <RcppEigen.h>

#include <gmasampler/mixture.h>
#include <gmasampler/resample.h>

#include "glue.h"

using namespace Rcpp;

// The log density of a gma_mixture at the columns of x (d x n).
// [[Rcpp::export(rng = false)]]
NumericVector gma_mixture_log_pdf(const Eigen::Map<Eigen::MatrixXd> x, List mixture, int threads) {
  const std::vector<gmasampler::Component> comps = gmasampler::glue::components(mixture);
  return wrap(gmasampler::mixture_log_pdf(comps, as<std::vector<double>>(mixture["weights"]), x,
                                          gmasampler::glue::parallel_for(threads, 2)));
}

// Points of a gma_mixture's components: row r is mean + radius(s[r]) L z[, r] of component comp[r]
// (1-based), scale times z for standard normal columns z (d x n) and mixing variates s (one per
// point; ignored by Gaussian components). The points come out one a row (n x d), as R wants them,
// without a transposed copy.
// [[Rcpp::export(rng = false)]]
NumericMatrix gma_transform(const Eigen::Map<Eigen::MatrixXd> z, IntegerVector comp,
                            NumericVector s, List mixture, double scale) {
  const std::vector<gmasampler::Component> comps = gmasampler::glue::components(mixture);
  if (comp.size() != z.cols() || s.size() != z.cols()) stop("gma_transform: sizes disagree");
  const Eigen::Index d = z.rows();
  NumericMatrix out(z.cols(), d);
  Eigen::VectorXd zr(d), xr(d);
  for (Eigen::Index r = 0; r < z.cols(); ++r) {
    if (comp[r] < 1 || comp[r] > static_cast<int>(comps.size())) stop("gma_transform: no such component");
    zr = scale * z.col(r);
    comps[comp[r] - 1].transform(zr.data(), s[r], xr.data());
    for (Eigen::Index i = 0; i < d; ++i) out(r, i) = xr[i];
  }
  return out;
}

// Indices (1-based) drawn by inverting the cumulative weights at resampling positions.
// [[Rcpp::export(rng = false)]]
IntegerVector gma_resample(NumericVector weights, NumericVector u, int n, std::string scheme) {
  gmasampler::Resampling s;
  if (scheme == "systematic") s = gmasampler::Resampling::systematic;
  else if (scheme == "multinomial") s = gmasampler::Resampling::multinomial;
  else if (scheme == "stratified") s = gmasampler::Resampling::stratified;
  else stop("unknown resampling scheme '" + scheme + "'");
  std::vector<int> idx = gmasampler::invert_cdf(
      as<std::vector<double>>(weights),
      gmasampler::resampling_positions(s, as<std::vector<double>>(u), n));
  for (int& i : idx) ++i;
  return wrap(idx);
}
