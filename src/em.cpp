// Glue for one EM-GMA step.
#include <Rcpp.h>
#include <RcppEigen.h>

#include <gmasampler/em.h>

#include "glue.h"

using namespace Rcpp;

// One EM step: the bank x (d x n), log p at its points, the mixture (weights, means d x K,
// Cholesky factors d x d x K), the log density of the proposal the bank was drawn from (empty:
// the mixture), tempering beta. Returns the new mixture (covariances as a
// d x d x K array), each component's effective sample size and whether it was updated, log q at
// the bank points and the effective sample size of the importance weights.
// [[Rcpp::export(rng = false)]]
List gma_em_step(const Eigen::Map<Eigen::MatrixXd> x, NumericVector log_p, NumericVector weights,
                 const Eigen::Map<Eigen::MatrixXd> means, NumericVector chols,
                 NumericVector log_q_proposal, double beta, double min_ess, double eig_floor,
                 double ridge, double shrink, int threads) {
  const int d = static_cast<int>(means.rows());
  const int K = static_cast<int>(means.cols());
  if (x.rows() != d || log_p.size() != x.cols() || weights.size() != K ||
      (log_q_proposal.size() != 0 && log_q_proposal.size() != x.cols()) ||
      chols.size() != static_cast<R_xlen_t>(d) * d * K)
    stop("gma_em_step: sizes disagree");
  std::vector<gmasampler::Gaussian> comps;
  try {
    comps = gmasampler::make_components(means, chols.begin());
  } catch (const std::invalid_argument& e) {
    stop(e.what());
  }
  gmasampler::EmOptions opt;
  opt.min_ess = min_ess;
  opt.eig_floor = eig_floor;
  opt.ridge = ridge;
  opt.shrink = shrink;
  gmasampler::EmResult res = gmasampler::em_step(
      comps, as<std::vector<double>>(weights), x, as<std::vector<double>>(log_p), beta, opt,
      gmasampler::glue::parallel_for(threads, 2), as<std::vector<double>>(log_q_proposal));
  NumericMatrix new_means(d, K);
  NumericVector covs(static_cast<R_xlen_t>(d) * d * K);
  for (int k = 0; k < K; ++k) {
    for (int i = 0; i < d; ++i) new_means(i, k) = res.means[k][i];
    std::copy(res.covs[k].data(), res.covs[k].data() + d * d, covs.begin() + static_cast<R_xlen_t>(k) * d * d);
  }
  covs.attr("dim") = IntegerVector::create(d, d, K);
  return List::create(_["weights"] = wrap(res.weights), _["means"] = new_means, _["covs"] = covs,
                      _["comp_ess"] = wrap(res.comp_ess),
                      _["updated"] = LogicalVector(res.updated.begin(), res.updated.end()),
                      _["log_q"] = wrap(res.log_q), _["ess"] = res.ess);
}
