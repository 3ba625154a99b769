// Glue for the mixture, the log-pdf matrix and the W-GMA weight fit.
#include <Rcpp.h>
#include <RcppEigen.h>

#include <gmasampler/mixture.h>
#include <gmasampler/resample.h>
#include <gmasampler/wgma.h>

#include "glue.h"

using namespace Rcpp;
using gmasampler::LogPdfMatrix;

namespace {

std::vector<gmasampler::Gaussian> components(const Eigen::MatrixXd& means, NumericVector chols) {
  const std::size_t d = means.rows();
  if (static_cast<std::size_t>(chols.size()) != d * d * means.cols())
    stop("Cholesky factors do not match the means");
  try {
    return gmasampler::make_components(means, chols.begin());
  } catch (const std::invalid_argument& e) {
    stop(e.what());
  }
}

}  // namespace

// The log-pdf matrix of bank points x (d x n) under components (means d x N, lower Cholesky
// factors d x d x N), kept in C++ behind an external pointer, with a summary of its size.
// [[Rcpp::export(rng = false)]]
List gma_log_pdf_matrix(const Eigen::Map<Eigen::MatrixXd> x, const Eigen::Map<Eigen::MatrixXd> means,
                        NumericVector chols, double tol, double max_bytes, int threads) {
  std::vector<gmasampler::Gaussian> comps = components(means, chols);
  XPtr<LogPdfMatrix> ptr(new LogPdfMatrix(), true);
  try {
    *ptr = gmasampler::log_pdf_matrix(comps, x, tol, max_bytes,
                                      gmasampler::glue::parallel_for(threads, 64),
                                      gmasampler::glue::interrupt_check());
  } catch (const gmasampler::MemoryLimitError& e) {
    stop(std::string(e.what()) + "; raise gma_control(max_memory = ) or use fewer components or "
         "draws per component");
  }
  const LogPdfMatrix& m = *ptr;
  double max_dropped = 0.0;
  for (double v : m.dropped_bound) max_dropped = std::max(max_dropped, v);
  return List::create(_["ptr"] = ptr, _["nnz"] = static_cast<double>(m.nnz()),
                      _["bytes"] = static_cast<double>(m.bytes()), _["dense"] = m.dense,
                      _["max_dropped"] = max_dropped,
                      _["row_max"] = wrap(m.row_max));
}

// log sum_l w_l exp(L[r, l]) at every bank point, from a stored log-pdf matrix.
// [[Rcpp::export(rng = false)]]
NumericVector gma_matrix_log_q(SEXP matrix, NumericVector weights, int threads) {
  XPtr<LogPdfMatrix> ptr(matrix);
  if (weights.size() != ptr->n_cols) stop("weights do not match the log-pdf matrix");
  std::vector<double> w(weights.begin(), weights.end()), log_q(ptr->n_rows);
  gmasampler::mixture_log_q(*ptr, w, -std::numeric_limits<double>::infinity(),
                            gmasampler::glue::parallel_for(threads), log_q);
  return wrap(log_q);
}

// [[Rcpp::export(rng = false)]]
List gma_fit_weights(SEXP matrix, NumericVector log_p, int per_comp, NumericVector w0,
                     std::string optimizer, std::string schedule, double eta0, int max_iter,
                     double tol, bool pooled, bool normalize, double log_floor, bool keep_weights,
                     List stabilisers, int threads) {
  XPtr<LogPdfMatrix> ptr(matrix);
  gmasampler::WgmaOptions opt;
  if (optimizer == "pgd") opt.optimizer = gmasampler::Optimizer::projected_gradient;
  else if (optimizer == "mirror") opt.optimizer = gmasampler::Optimizer::mirror_descent;
  else stop("unknown optimizer '" + optimizer + "'");
  if (schedule == "inverse") opt.schedule = gmasampler::StepSchedule::inverse;
  else if (schedule == "inverse_sqrt") opt.schedule = gmasampler::StepSchedule::inverse_sqrt;
  else if (schedule == "constant") opt.schedule = gmasampler::StepSchedule::constant;
  else stop("unknown step schedule '" + schedule + "'");
  opt.eta0 = eta0;
  opt.max_iter = max_iter;
  opt.tol = tol;
  opt.pooled = pooled;
  opt.normalize = normalize;
  opt.log_floor = log_floor;
  opt.keep_weights = keep_weights;
  // the stabilisers, by name; a missing one stays off
  auto number = [&](const char* name, double fallback) {
    return stabilisers.containsElementNamed(name) ? as<double>(stabilisers[name]) : fallback;
  };
  opt.anneal = static_cast<int>(number("anneal", opt.anneal));
  opt.temper = number("temper", opt.temper);
  opt.entropy = number("entropy", opt.entropy);
  opt.mirror_temperature = number("mirror_temperature", opt.mirror_temperature);
  opt.mixing = number("mixing", opt.mixing);
  opt.mixing_min = number("mixing_min", opt.mixing_min);
  opt.momentum = number("momentum", optimizer == "mirror" ? opt.momentum : 0.0);
  opt.average = static_cast<int>(number("average", opt.average));
  gmasampler::WgmaResult res;
  try {
    res = gmasampler::fit_weights(*ptr, std::vector<double>(log_p.begin(), log_p.end()), per_comp,
                                  std::vector<double>(w0.begin(), w0.end()), opt,
                                  gmasampler::glue::parallel_for(threads),
                                  gmasampler::glue::interrupt_check());
  } catch (const std::invalid_argument& e) {
    stop(e.what());
  }
  const int n_comp = ptr->n_cols;
  const int n_kept = static_cast<int>(res.objective.size());
  NumericMatrix trace(n_kept, keep_weights ? n_comp : 0);
  if (keep_weights)
    for (int k = 0; k < n_kept; ++k)
      for (int i = 0; i < n_comp; ++i) trace(k, i) = res.weight_trace[static_cast<std::size_t>(k) * n_comp + i];
  return List::create(_["weights"] = wrap(res.weights), _["objective"] = wrap(res.objective),
                      _["gap"] = wrap(res.gap), _["step"] = wrap(res.step),
                      _["weight_trace"] = trace,
                      _["iterations"] = res.iterations, _["converged"] = res.converged,
                      _["stalled"] = res.stalled, _["final_objective"] = res.final_objective,
                      _["final_gap"] = res.final_gap, _["averaged"] = res.averaged);
}

// log density of a Gaussian mixture at the columns of x (d x n).
// [[Rcpp::export(rng = false)]]
NumericVector gma_mixture_log_pdf(const Eigen::Map<Eigen::MatrixXd> x,
                                  const Eigen::Map<Eigen::MatrixXd> means, NumericVector chols,
                                  NumericVector weights, int threads) {
  std::vector<gmasampler::Gaussian> comps = components(means, chols);
  return wrap(gmasampler::mixture_log_pdf(comps, as<std::vector<double>>(weights), x,
                                          gmasampler::glue::parallel_for(threads)));
}

// mean_l + L_l z for the standard normal columns of z (d x n), component comp[r] (1-based) for
// column r.
// [[Rcpp::export(rng = false)]]
NumericMatrix gma_transform(const Eigen::Map<Eigen::MatrixXd> z, IntegerVector comp,
                            const Eigen::Map<Eigen::MatrixXd> means, NumericVector chols) {
  std::vector<gmasampler::Gaussian> comps = components(means, chols);
  NumericMatrix out(z.rows(), z.cols());
  for (Eigen::Index r = 0; r < z.cols(); ++r)
    comps[comp[r] - 1].transform(&z(0, r), &out(0, r));
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
