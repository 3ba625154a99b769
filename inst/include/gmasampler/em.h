// EM-GMA: one step of population EM with self-normalised importance weights. A bank drawn from a
// proposal is weighted toward the target (omega ~ (p / q)^beta) and the mixture's weights,
// locations and scale matrices are re-estimated from the weighted responsibilities. Components of
// any family (family.h): a point's contribution to a component's location and scale carries the
// family's weight E[s | x] (1 for a Gaussian), with the degrees of freedom held fixed.
#ifndef GMASAMPLER_EM_H
#define GMASAMPLER_EM_H

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "mixture.h"
#include "parallel.h"

namespace gmasampler {

struct EmOptions {
  double min_ess = 0.0;      // a component whose own effective sample size is below this keeps
                             // its location and scale (its weight is still re-estimated)
  double eig_floor = 1e-12;  // scale eigenvalues are floored at eig_floor * the largest
  double ridge = 0.0;        // added to the diagonal, relative to the mean variance
  double shrink = 0.0;       // pseudo-count of the previous scale: the update is
                             // (ess * estimate + shrink * previous) / (ess + shrink)
};

// The chunks of 512 points whose statistics are held at once: a fixed number, so that the order of
// the sums (chunk by chunk) and so the result do not depend on the thread count.
const std::size_t kEmChunksAtOnce = 64;

struct EmResult {
  std::vector<double> weights;
  std::vector<Eigen::VectorXd> means;
  std::vector<Eigen::MatrixXd> covs;   // scale matrices (covariances for Gaussians)
  std::vector<double> comp_ess;        // each component's effective sample size
  std::vector<unsigned char> updated;  // whether its location and scale were re-estimated
  std::vector<double> log_q;           // log density of the mixture at each bank point
};

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

// Per-component sufficient statistics about the current locations mu_k, with c = omega *
// responsibility and u = the family's weight E[s | x]: s0 = sum c, s0sq = sum c^2, s0u = sum c u,
// s1 = sum c u (x - mu), s2 = sum c u (x - mu)(x - mu)^T (lower triangle).
struct EmStatistics {
  std::vector<double> s0, s0sq, s0u;
  std::vector<Eigen::VectorXd> s1;
  std::vector<Eigen::MatrixXd> s2;
  EmStatistics(std::size_t K, int d)
      : s0(K, 0.0), s0sq(K, 0.0), s0u(K, 0.0), s1(K, Eigen::VectorXd::Zero(d)),
        s2(K, Eigen::MatrixXd::Zero(d, d)) {}
  void clear() {
    std::fill(s0.begin(), s0.end(), 0.0);
    std::fill(s0sq.begin(), s0sq.end(), 0.0);
    std::fill(s0u.begin(), s0u.end(), 0.0);
    for (Eigen::VectorXd& v : s1) v.setZero();
    for (Eigen::MatrixXd& m : s2) m.setZero();
  }
  void add(const EmStatistics& o) {
    for (std::size_t k = 0; k < s0.size(); ++k) {
      s0[k] += o.s0[k];
      s0sq[k] += o.s0sq[k];
      s0u[k] += o.s0u[k];
      s1[k] += o.s1[k];
      s2[k] += o.s2[k];
    }
  }
};

// One EM step from the bank x (d x n) with log p at each point. The responsibilities come from the
// mixture (comps, w); the importance weights from log_q_proposal, the log density of what the bank
// was drawn from (the mixture itself when empty: a proposal may add a defensive component that
// the update leaves out). The sufficient statistics are summed in fixed chunks of 512 points, each
// chunk on one thread, and the chunks added in order: the result does not depend on the thread
// count.
inline EmResult em_step(const std::vector<Component>& comps, const std::vector<double>& w,
                        const Eigen::Ref<const Eigen::MatrixXd>& x, const std::vector<double>& log_p,
                        double beta, const EmOptions& opt, const ParallelFor& pfor,
                        const std::vector<double>& log_q_proposal = std::vector<double>()) {
  const std::size_t n = x.cols(), K = comps.size();
  const int d = static_cast<int>(x.rows());
  if (log_p.size() != n || (!log_q_proposal.empty() && log_q_proposal.size() != n))
    throw std::invalid_argument("em_step: the bank, log p and the proposal's log q disagree in length");
  EmResult res;
  MixtureTerms mt;
  res.log_q = mixture_log_pdf(comps, w, x, pfor, &mt);
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
  if (std::isfinite(mx)) {
    double total = 0.0;
    for (std::size_t m = 0; m < n; ++m) total += (omega[m] = std::exp(lw[m] - mx));
    for (double& o : omega) o /= total;
  }

  const std::size_t chunk = 512, n_chunks = (n + chunk - 1) / chunk;
  // The statistics of chunk c (points 512 c to 512 c + 511) into st. Each chunk gathers, per component, the points it weighs, as columns sqrt(c u) (x - mu) of one
  // matrix, so that the scatter is one rank-n update (a blocked product, several times faster in
  // high dimension than a rank-one update a point).
  auto accumulate = [&](std::size_t c, EmStatistics& st, Eigen::MatrixXd& cols) {
    st.clear();
    const std::size_t m0 = c * chunk, m1 = std::min(n, (c + 1) * chunk);
    for (std::size_t k = 0; k < K; ++k) {
      Eigen::Index used = 0;
      for (std::size_t m = m0; m < m1; ++m) {
        if (omega[m] == 0.0) continue;
        const double cw = omega[m] * std::exp(mt.terms(k, m) - res.log_q[m]);
        if (cw == 0.0) continue;
        const double cu = cw * comps[k].family.em_weight(mt.dist(k, m), d);
        st.s0[k] += cw;
        st.s0sq[k] += cw * cw;
        st.s0u[k] += cu;
        cols.col(used) = x.col(m) - comps[k].mean;
        st.s1[k] += cu * cols.col(used);
        cols.col(used++) *= std::sqrt(cu);
      }
      if (used > 0) st.s2[k].selfadjointView<Eigen::Lower>().rankUpdate(cols.leftCols(used));
    }
  };
  // a group of chunks at a time, so that the statistics held at once do not grow with n
  const std::size_t group = std::min<std::size_t>(n_chunks, kEmChunksAtOnce);
  std::vector<EmStatistics> stats(group, EmStatistics(K, d));
  EmStatistics total(K, d);
  for (std::size_t g0 = 0; g0 < n_chunks; g0 += group) {
    const std::size_t g1 = std::min(n_chunks, g0 + group);
    pfor(g0, g1, [&](std::size_t b, std::size_t e) {
      Eigen::MatrixXd cols(d, chunk);
      for (std::size_t c = b; c < e; ++c) accumulate(c, stats[c - g0], cols);
    });
    for (std::size_t c = g0; c < g1; ++c) total.add(stats[c - g0]);
  }

  res.weights.assign(K, 0.0);
  res.means.resize(K);
  res.covs.resize(K);
  res.comp_ess.assign(K, 0.0);
  res.updated.assign(K, 0);
  double w_total = 0.0;
  for (std::size_t k = 0; k < K; ++k) {
    const double t0 = total.s0[k], t0u = total.s0u[k];
    res.weights[k] = t0;
    w_total += t0;
    res.comp_ess[k] = total.s0sq[k] > 0.0 ? t0 * t0 / total.s0sq[k] : 0.0;
    const Eigen::MatrixXd old_cov = comps[k].chol * comps[k].chol.transpose();
    res.means[k] = comps[k].mean;
    res.covs[k] = old_cov;
    if (t0 > 0.0 && t0u > 0.0 && res.comp_ess[k] >= opt.min_ess && res.comp_ess[k] > 1.0) {
      // location sum c u x / sum c u; scale sum c u (x - mu')(x - mu')^T / sum c
      const Eigen::VectorXd delta = total.s1[k] / t0u;
      Eigen::MatrixXd cov = total.s2[k].selfadjointView<Eigen::Lower>();
      cov = (cov - t0u * delta * delta.transpose()) / t0;
      // a few effective points estimate a scale badly: lean on the previous one, as a conjugate
      // prior centred there with `shrink` pseudo-observations would
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
