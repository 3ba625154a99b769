// Glue for the log-pdf matrix and the W-GMA weight fit.
#include "config.h"  // first: the debug build's checks
#include <Rcpp.h>
#include <RcppEigen.h>

#include <gmasampler/log_pdf_matrix.h>
#include <gmasampler/wgma.h>

#include "glue.h"

using namespace Rcpp;
using gmasampler::LogPdfMatrix;

namespace {

// The matrix behind a pointer made by gma_log_pdf_matrix(); an error once it has been released.
const LogPdfMatrix& matrix_of(SEXP matrix) {
  XPtr<LogPdfMatrix> ptr(matrix);
  if (ptr.get() == nullptr) stop("the log-pdf matrix has been released");
  return *ptr;
}

}  // namespace

// The log-pdf matrix of bank points x (d x n) under the components of a gma_mixture, kept in C++
// behind an external pointer, with a summary of its size; or, when it would pass max_bytes, only
// what it needs (`memory_needed`, bytes, and whether `estimated` from a sample of rows), for R to
// signal as a classed condition.
// [[Rcpp::export(rng = false)]]
List gma_log_pdf_matrix(const Eigen::Map<Eigen::MatrixXd> x, List mixture, double tol,
                        double max_bytes, int threads) {
  const std::vector<gmasampler::Component> comps = gmasampler::glue::components(mixture);
  XPtr<LogPdfMatrix> ptr(new LogPdfMatrix(), true);
  try {
    *ptr = gmasampler::log_pdf_matrix(comps, x, tol, max_bytes, gmasampler::glue::parallel_for(threads, 2),
                                      gmasampler::glue::interrupt_check(), threads);
  } catch (const gmasampler::MemoryLimitError& e) {
    return List::create(_["memory_needed"] = e.needed, _["estimated"] = e.estimated);
  }
  const LogPdfMatrix& m = *ptr;
  double max_dropped = 0.0;
  for (double v : m.dropped_bound) max_dropped = std::max(max_dropped, v);
  return List::create(_["ptr"] = ptr, _["nnz"] = static_cast<double>(m.nnz()),
                      _["bytes"] = static_cast<double>(m.bytes()), _["dense"] = m.dense,
                      _["max_dropped"] = max_dropped);
}

// The entries a row of the log-pdf matrix of a gma_mixture keeps on average, estimated at up to 256
// of its components' means (before a bank is drawn).
// [[Rcpp::export(rng = false)]]
double gma_log_pdf_matrix_row_estimate(List mixture, double tol) {
  const std::vector<gmasampler::Component> comps = gmasampler::glue::components(mixture);
  Eigen::MatrixXd means(comps.empty() ? 0 : comps[0].dim(), comps.size());
  for (std::size_t l = 0; l < comps.size(); ++l) means.col(l) = comps[l].mean;
  return gmasampler::entries_per_row(comps, means, tol);
}

// Frees a stored log-pdf matrix now, rather than when R's garbage collector, which does not see
// memory held in C++, gets to its pointer.
// [[Rcpp::export(rng = false)]]
void gma_release_log_pdf_matrix(SEXP matrix) {
  XPtr<LogPdfMatrix> ptr(matrix);
  ptr.release();
}

// log sum_l w_l exp(L[r, l]) at every bank point, from a stored log-pdf matrix.
// [[Rcpp::export(rng = false)]]
NumericVector gma_matrix_log_q(SEXP matrix, NumericVector weights, int threads) {
  const LogPdfMatrix& m = matrix_of(matrix);
  if (weights.size() != m.n_cols) stop("weights do not match the log-pdf matrix");
  std::vector<double> w(weights.begin(), weights.end()), log_q(m.n_rows);
  gmasampler::mixture_log_q(m, w, -std::numeric_limits<double>::infinity(),
                            gmasampler::glue::parallel_for(threads), log_q);
  return wrap(log_q);
}

// The weight optimisers the core knows, with their default settings.
// [[Rcpp::export(rng = false)]]
DataFrame gma_weight_optimizers() {
  CharacterVector name, step;
  NumericVector eta0, momentum;
  LogicalVector normalize;
  for (const gmasampler::OptimizerEntry& e : gmasampler::weight_optimizers()) {
    name.push_back(e.name);
    step.push_back(e.defaults.step);
    eta0.push_back(e.defaults.eta0);
    normalize.push_back(e.defaults.normalize);
    momentum.push_back(e.defaults.momentum);
  }
  return DataFrame::create(_["optimizer"] = name, _["step"] = step, _["eta0"] = eta0,
                           _["normalize"] = normalize, _["momentum"] = momentum,
                           _["stringsAsFactors"] = false);
}

// Fits the weights on a stored log-pdf matrix from w0; `options` holds exactly the fields of
// gmasampler::WgmaOptions.
// [[Rcpp::export(rng = false)]]
List gma_fit_weights(SEXP matrix, NumericVector log_p, int per_comp, NumericVector w0, List options,
                     int threads) {
  const LogPdfMatrix& m = matrix_of(matrix);
  gmasampler::glue::OptionList o(options, "gma_fit_weights");
  gmasampler::WgmaOptions opt;
  opt.optimizer = o.text("optimizer");
  opt.step = o.text("step");
  opt.eta0 = o.number("eta0");
  opt.max_iter = o.integer("max_iter");
  opt.tol = o.number("tol");
  opt.gradient = o.text("gradient");
  opt.normalize = o.flag("normalize");
  opt.log_floor = o.number("log_floor");
  opt.keep_weights = o.flag("keep_weights");
  opt.anneal = o.integer("anneal");
  opt.temper = o.number("temper");
  opt.entropy = o.number("entropy");
  opt.mirror_temperature = o.number("mirror_temperature");
  opt.mixing = o.number("mixing");
  opt.momentum = o.number("momentum");
  opt.average = o.integer("average");
  o.finish();
  gmasampler::WgmaResult res;
  try {
    res = gmasampler::fit_weights(m, as<std::vector<double>>(log_p), per_comp,
                                  as<std::vector<double>>(w0), opt, gmasampler::glue::parallel_for(threads),
                                  gmasampler::glue::interrupt_check());
  } catch (const std::invalid_argument& e) {
    stop(e.what());
  }
  const int n_comp = m.n_cols;
  const int n_kept = static_cast<int>(res.objective.size());
  NumericMatrix trace(n_kept, opt.keep_weights ? n_comp : 0);
  if (opt.keep_weights)
    for (int k = 0; k < n_kept; ++k)
      for (int i = 0; i < n_comp; ++i) trace(k, i) = res.weight_trace[static_cast<std::size_t>(k) * n_comp + i];
  return List::create(_["weights"] = wrap(res.weights), _["objective"] = wrap(res.objective),
                      _["gap"] = wrap(res.gap), _["step"] = wrap(res.step),
                      _["weight_trace"] = trace,
                      _["infeasible"] = LogicalVector(res.infeasible.begin(), res.infeasible.end()),
                      _["feasible"] = res.feasible, _["iterations"] = res.iterations,
                      _["converged"] = res.converged, _["stalled"] = res.stalled,
                      _["final_objective"] = res.final_objective, _["final_gap"] = res.final_gap,
                      _["averaged"] = res.averaged);
}
