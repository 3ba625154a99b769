// EM-GMA: one step of population EM with self-normalised importance weights. A bank drawn from the
// current mixture q is weighted toward the target (omega ~ (p / q)^beta) and the mixture's weights,
// means and full covariances are re-estimated from the weighted responsibilities.
#ifndef GMASAMPLER_EM_H
#define GMASAMPLER_EM_H

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "mixture.h"
#include "parallel.h"

namespace gmasampler {

struct EmOptions {
  double min_ess = 0.0;      // a component whose own effective sample size is below this keeps
                             // its mean and covariance (its weight is still re-estimated)
  double eig_floor = 1e-12;  // covariance eigenvalues are floored at eig_floor * the largest
  double ridge = 0.0;        // added to the diagonal, relative to the mean variance
  double shrink = 0.0;       // pseudo-count of the previous covariance: the update is
                             // (ess * estimate + shrink * previous) / (ess + shrink)
};

struct EmResult {
  std::vector<double> weights;
  std::vector<Eigen::VectorXd> means;
  std::vector<Eigen::MatrixXd> covs;
  std::vector<double> comp_ess;        // each component's effective sample size
  std::vector<unsigned char> updated;  // whether its mean and covariance were re-estimated
  std::vector<double> log_q;           // log q at each bank point
  double ess = 0.0;                    // of the importance weights over the whole bank
};

// log sum_k w_k g_k(x_m) for the columns of x and, in terms (row m, n_comp entries each),
// log w_k + log g_k(x_m).
inline std::vector<double> mixture_terms(const std::vector<Gaussian>& comps,
                                         const std::vector<double>& w, const Eigen::MatrixXd& x,
                                         std::vector<double>& terms, const ParallelFor& pfor) {
  const std::size_t n = x.cols(), K = comps.size();
  const int d = static_cast<int>(x.rows());
  terms.assign(n * K, -std::numeric_limits<double>::infinity());
  std::vector<double> log_q(n);
  pfor(0, n, [&](std::size_t b, std::size_t e) {
    std::vector<double> work(d);
    for (std::size_t m = b; m < e; ++m) {
      double mx = -std::numeric_limits<double>::infinity();
      for (std::size_t k = 0; k < K; ++k) {
        if (w[k] > 0.0) terms[m * K + k] = std::log(w[k]) + comps[k].log_pdf(&x(0, m), work.data());
        mx = std::max(mx, terms[m * K + k]);
      }
      double s = 0.0;
      if (std::isfinite(mx))
        for (std::size_t k = 0; k < K; ++k) s += std::exp(terms[m * K + k] - mx);
      log_q[m] = std::isfinite(mx) ? mx + std::log(s) : mx;
    }
  });
  return log_q;
}

// Symmetrises s, floors its eigenvalues at eig_floor times the largest and returns it; false if it
// has no positive eigenvalue or a non-finite entry.
inline bool regularise_covariance(Eigen::MatrixXd& s, double eig_floor) {
  if (!s.allFinite()) return false;
  s = 0.5 * (s + s.transpose());
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(s);
  if (es.info() != Eigen::Success) return false;
  Eigen::VectorXd ev = es.eigenvalues();
  const double top = ev.maxCoeff();
  if (!(top > 0.0)) return false;
  ev = ev.cwiseMax(eig_floor * top);
  s = es.eigenvectors() * ev.asDiagonal() * es.eigenvectors().transpose();
  s = 0.5 * (s + s.transpose());
  return true;
}

// One EM step from the bank x (d x n) with log p at each point. The responsibilities come from the
// mixture (comps, w); the importance weights from log_q_proposal, the log density of what the bank
// was drawn from (the mixture itself when empty: a proposal may add a defensive component that
// the update leaves out). The sufficient statistics are summed in fixed chunks of 512 points, each
// chunk on one thread, and the chunks added in order: the result does not depend on the thread
// count.
inline EmResult em_step(const std::vector<Gaussian>& comps, const std::vector<double>& w,
                        const Eigen::MatrixXd& x, const std::vector<double>& log_p, double beta,
                        const EmOptions& opt, const ParallelFor& pfor,
                        const std::vector<double>& log_q_proposal = std::vector<double>()) {
  const std::size_t n = x.cols(), K = comps.size();
  const int d = static_cast<int>(x.rows());
  EmResult res;
  std::vector<double> terms;
  res.log_q = mixture_terms(comps, w, x, terms, pfor);
  const std::vector<double>& log_q_is = log_q_proposal.empty() ? res.log_q : log_q_proposal;

  // self-normalised importance weights, tempered by beta
  std::vector<double> lw(n);
  double mx = -std::numeric_limits<double>::infinity();
  for (std::size_t m = 0; m < n; ++m) {
    lw[m] = std::isfinite(log_p[m]) && std::isfinite(log_q_is[m]) && std::isfinite(res.log_q[m])
                ? beta * (log_p[m] - log_q_is[m])
                : -std::numeric_limits<double>::infinity();
    mx = std::max(mx, lw[m]);
  }
  std::vector<double> omega(n, 0.0);
  double total = 0.0, sq = 0.0;
  if (std::isfinite(mx)) {
    for (std::size_t m = 0; m < n; ++m) total += (omega[m] = std::exp(lw[m] - mx));
    for (double& o : omega) {
      o /= total;
      sq += o * o;
    }
  }
  res.ess = sq > 0.0 ? 1.0 / sq : 0.0;

  // per-chunk sums about the current means: s0 = sum c, s0sq = sum c^2, s1 = sum c (x - mu),
  // s2 = sum c (x - mu)(x - mu)^T, with c = omega * responsibility
  const std::size_t chunk = 512, n_chunks = (n + chunk - 1) / chunk;
  std::vector<std::vector<double>> s0(n_chunks, std::vector<double>(K, 0.0)),
      s0sq(n_chunks, std::vector<double>(K, 0.0));
  std::vector<std::vector<Eigen::VectorXd>> s1(n_chunks, std::vector<Eigen::VectorXd>(K, Eigen::VectorXd::Zero(d)));
  std::vector<std::vector<Eigen::MatrixXd>> s2(n_chunks, std::vector<Eigen::MatrixXd>(K, Eigen::MatrixXd::Zero(d, d)));
  pfor(0, n_chunks, [&](std::size_t b, std::size_t e) {
    Eigen::VectorXd dx(d);
    for (std::size_t c = b; c < e; ++c) {
      for (std::size_t m = c * chunk; m < std::min(n, (c + 1) * chunk); ++m) {
        if (omega[m] == 0.0) continue;
        for (std::size_t k = 0; k < K; ++k) {
          const double r = std::exp(terms[m * K + k] - res.log_q[m]);
          const double cw = omega[m] * r;
          if (cw == 0.0) continue;
          dx = x.col(m) - comps[k].mean;
          s0[c][k] += cw;
          s0sq[c][k] += cw * cw;
          s1[c][k] += cw * dx;
          s2[c][k].selfadjointView<Eigen::Lower>().rankUpdate(dx, cw);
        }
      }
    }
  });

  res.weights.assign(K, 0.0);
  res.means.resize(K);
  res.covs.resize(K);
  res.comp_ess.assign(K, 0.0);
  res.updated.assign(K, 0);
  double w_total = 0.0;
  for (std::size_t k = 0; k < K; ++k) {
    double t0 = 0.0, t0sq = 0.0;
    Eigen::VectorXd t1 = Eigen::VectorXd::Zero(d);
    Eigen::MatrixXd t2 = Eigen::MatrixXd::Zero(d, d);
    for (std::size_t c = 0; c < n_chunks; ++c) {
      t0 += s0[c][k];
      t0sq += s0sq[c][k];
      t1 += s1[c][k];
      t2 += s2[c][k];
    }
    res.weights[k] = t0;
    w_total += t0;
    res.comp_ess[k] = t0sq > 0.0 ? t0 * t0 / t0sq : 0.0;
    const Eigen::MatrixXd old_cov = comps[k].chol * comps[k].chol.transpose();
    res.means[k] = comps[k].mean;
    res.covs[k] = old_cov;
    if (t0 > 0.0 && res.comp_ess[k] >= opt.min_ess && res.comp_ess[k] > 1.0) {
      const Eigen::VectorXd delta = t1 / t0;
      Eigen::MatrixXd cov = t2.selfadjointView<Eigen::Lower>();
      cov = cov / t0 - delta * delta.transpose();
      // a few effective points estimate a covariance badly: lean on the previous one, as a
      // conjugate prior centred there with `shrink` pseudo-observations would
      const double ess_k = res.comp_ess[k];
      if (opt.shrink > 0.0) cov = (ess_k * cov + opt.shrink * old_cov) / (ess_k + opt.shrink);
      if (opt.ridge > 0.0) cov.diagonal().array() += opt.ridge * cov.diagonal().mean();
      if (regularise_covariance(cov, opt.eig_floor) && cov.llt().info() == Eigen::Success) {
        res.means[k] = comps[k].mean + delta;
        res.covs[k] = cov;
        res.updated[k] = 1;
      }
    }
  }
  if (w_total > 0.0)
    for (double& wk : res.weights) wk /= w_total;
  return res;
}

}  // namespace gmasampler

#endif
