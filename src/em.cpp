// Glue for one EM-GMA step.
#include "config.h"  // first: the debug build's checks
#include <Rcpp.h>
#include <RcppEigen.h>

#include <gmasampler/em.h>

#include "glue.h"

using namespace Rcpp;

// One EM step: the bank x (d x n), log p at its points, the gma_mixture to update, the log density
// of the proposal the bank was drawn from (empty: the mixture), tempering beta, and `options`
// holding exactly the fields of gmasampler::EmOptions. Returns the new weights, means (d x K) and
// scale matrices (d x d x K), each component's effective sample size and whether it was updated,
// and log q of the mixture at the bank points.
// [[Rcpp::export(rng = false)]]
List gma_em_step(const Eigen::Map<Eigen::MatrixXd> x, NumericVector log_p, List mixture,
                 NumericVector log_q_proposal, double beta, List options, int threads) {
  const std::vector<gmasampler::Component> comps = gmasampler::glue::components(mixture);
  gmasampler::glue::OptionList o(options, "gma_em_step");
  gmasampler::EmOptions opt;
  opt.min_ess = o.number("min_ess");
  opt.eig_floor = o.number("eig_floor");
  opt.ridge = o.number("ridge");
  opt.shrink = o.number("shrink");
  o.finish();
  const int d = static_cast<int>(x.rows()), K = static_cast<int>(comps.size());
  if (K > 0 && comps[0].dim() != d) stop("gma_em_step: the bank and the mixture differ in dimension");
  gmasampler::EmResult res;
  try {
    res = gmasampler::em_step(comps, as<std::vector<double>>(mixture["weights"]), x,
                              as<std::vector<double>>(log_p), beta, opt,
                              gmasampler::glue::parallel_for(threads, 2),
                              as<std::vector<double>>(log_q_proposal));
  } catch (const std::invalid_argument& e) {
    stop(e.what());
  }
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
                      _["log_q"] = wrap(res.log_q));
}
