// Mixture components, their squared Mahalanobis distances over a batch of points, the mixture's
// log density, and draws.
#ifndef GMASAMPLER_MIXTURE_H
#define GMASAMPLER_MIXTURE_H

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "debug.h"
#include "family.h"
#include "parallel.h"

namespace gmasampler {

// One component: a family (family.h) with a location and a scale matrix L L^T, held by its lower
// Cholesky factor L (for a Gaussian the scale matrix is the covariance).
struct Component {
  Eigen::VectorXd mean;
  Eigen::MatrixXd chol;
  Family family;
  double log_norm;  // family.log_norm(d) - log|L|

  Component(const Eigen::VectorXd& m, const Eigen::MatrixXd& lower, Family f = Family::gaussian())
      : mean(m), chol(lower), family(f) {
    const int d = static_cast<int>(m.size());
    if (lower.rows() != d || lower.cols() != d)
      throw std::invalid_argument("Cholesky factor does not match the mean's dimension");
    double log_det = 0.0;
    for (int k = 0; k < d; ++k) {
      if (!(lower(k, k) > 0.0) || !std::isfinite(lower(k, k)))
        throw std::invalid_argument("Cholesky factor has a non-positive diagonal");
      log_det += std::log(lower(k, k));
    }
    log_norm = f.log_norm(d) - log_det;
  }

  int dim() const { return static_cast<int>(mean.size()); }
  // The log density at squared Mahalanobis distance q.
  double log_pdf(double q) const { return log_norm + family.log_kernel(q, dim()); }
  // mean + radius(s) L z for a standard normal z and the family's mixing variate s, into out.
  void transform(const double* z, double s, double* out) const {
    const int d = dim();
    const double r = family.radius(s);
    for (int i = 0; i < d; ++i) {
      double v = mean[i];
      for (int k = 0; k <= i; ++k) v += chol(i, k) * (r * z[k]);
      out[i] = v;
    }
  }
  // Same shape and family: components that can share one whitening.
  bool same_shape(const Component& o) const { return family == o.family && chol == o.chol; }
};

// Builds components from means (d x N, one per column), stacked lower Cholesky factors
// (d x d x N, column-major as R stores an array) and degrees of freedom (N, infinite for a
// Gaussian; empty: all Gaussian).
inline std::vector<Component> make_components(const Eigen::Ref<const Eigen::MatrixXd>& means,
                                              const double* chols,
                                              const std::vector<double>& df = std::vector<double>()) {
  const int d = static_cast<int>(means.rows());
  if (!df.empty() && df.size() != static_cast<std::size_t>(means.cols()))
    throw std::invalid_argument("degrees of freedom do not match the components");
  std::vector<Component> comps;
  comps.reserve(means.cols());
  for (int l = 0; l < means.cols(); ++l) {
    Eigen::Map<const Eigen::MatrixXd> lower(chols + static_cast<std::size_t>(l) * d * d, d, d);
    comps.emplace_back(means.col(l), lower.triangularView<Eigen::Lower>().toDenseMatrix(),
                       df.empty() ? Family::gaussian() : Family::from_df(df[l]));
  }
  return comps;
}

// Squared Mahalanobis distances of the columns of x (d x n) under every component, a tile of
// kTile points at a time. When all components share their shape (the default W-GMA designs), the
// points and means are whitened once about a common centre and a tile takes one matrix product,
// q = |y|^2 + |v|^2 - 2 v'y; otherwise one triangular solve per component and tile. Tiles start at
// multiples of kTile and each is computed whole by one thread, so results do not depend on how a
// parallel range is split.
class Mahalanobis {
 public:
  static constexpr std::size_t kTile = 256;

  Mahalanobis(const std::vector<Component>& comps, const Eigen::Ref<const Eigen::MatrixXd>& x)
      : comps_(comps), x_(x), n_(static_cast<std::size_t>(x.cols())), shared_(shared_shape(comps)) {
    if (!shared_) return;
    const int d = static_cast<int>(x.rows());
    const int n_comp = static_cast<int>(comps.size());
    Eigen::MatrixXd means(d, n_comp);
    for (int l = 0; l < n_comp; ++l) means.col(l) = comps[l].mean;
    const Eigen::VectorXd centre = means.rowwise().mean();
    const auto lower = comps[0].chol.triangularView<Eigen::Lower>();
    y_ = lower.solve(x.colwise() - centre);
    v_ = lower.solve(means.colwise() - centre);
    y_sq_ = y_.colwise().squaredNorm().transpose();
    v_sq_ = v_.colwise().squaredNorm().transpose();
  }

  // Whether all components share their shape, so that the points are whitened once.
  static bool shared_shape(const std::vector<Component>& comps) {
    for (std::size_t l = 1; l < comps.size(); ++l)
      if (!comps[l].same_shape(comps[0])) return false;
    return !comps.empty();
  }
  // The bytes the whitened copies of n points of dimension d take (before they are made).
  static double bytes(const std::vector<Component>& comps, std::size_t n) {
    if (!shared_shape(comps)) return 0.0;
    const double d = static_cast<double>(comps[0].dim()) + 1.0;  // the points and their norms
    return 8.0 * d * (static_cast<double>(n) + static_cast<double>(comps.size()));
  }
  // The bytes one thread's tile buffer takes: q, n_comp x kTile.
  static double tile_bytes(std::size_t n_comp) { return 8.0 * static_cast<double>(n_comp) * kTile; }

  std::size_t n_points() const { return n_; }
  std::size_t n_tiles() const { return (n_ + kTile - 1) / kTile; }
  std::size_t tile_begin(std::size_t t) const { return t * kTile; }
  std::size_t tile_end(std::size_t t) const { return std::min(n_, (t + 1) * kTile); }

  // q(l, j) for component l and the j-th point of tile t (K x tile length).
  void tile(std::size_t t, Eigen::MatrixXd& q) const {
    GMASAMPLER_DEBUG_INDEX(t, n_tiles(), "Mahalanobis::tile");
    const std::size_t b = tile_begin(t);
    const Eigen::Index len = static_cast<Eigen::Index>(tile_end(t) - b);
    const Eigen::Index n_comp = static_cast<Eigen::Index>(comps_.size());
    q.resize(n_comp, len);
    if (shared_) {
      q.noalias() = v_.transpose() * y_.middleCols(b, len);
      for (Eigen::Index j = 0; j < len; ++j)
        for (Eigen::Index l = 0; l < n_comp; ++l)
          q(l, j) = std::max(0.0, y_sq_[b + j] + v_sq_[l] - 2.0 * q(l, j));
      return;
    }
    for (Eigen::Index l = 0; l < n_comp; ++l) {
      const Component& c = comps_[l];
      Eigen::MatrixXd r = x_.middleCols(b, len).colwise() - c.mean;
      c.chol.triangularView<Eigen::Lower>().solveInPlace(r);
      q.row(l) = r.colwise().squaredNorm();
    }
  }

 private:
  const std::vector<Component>& comps_;
  Eigen::Ref<const Eigen::MatrixXd> x_;
  std::size_t n_;
  bool shared_;
  Eigen::MatrixXd y_, v_;        // whitened points (d x n) and means (d x N), when shared
  Eigen::VectorXd y_sq_, v_sq_;  // their squared norms
};

// The pieces of a mixture's density at a batch of points that the E-step needs: log w_k +
// log g_k(x_m) in terms(k, m) and the squared distances in dist(k, m).
struct MixtureTerms {
  Eigen::MatrixXd terms;
  Eigen::MatrixXd dist;
};

// log sum_k w_k g_k(x_m) at each column of x (d x n), stably; with `keep`, the terms and distances
// too. Components of weight zero contribute nothing.
inline std::vector<double> mixture_log_pdf(const std::vector<Component>& comps,
                                           const std::vector<double>& weights,
                                           const Eigen::Ref<const Eigen::MatrixXd>& x,
                                           const ParallelFor& pfor, MixtureTerms* keep = nullptr) {
  if (weights.size() != comps.size())
    throw std::invalid_argument("weights do not match the components");
  const double inf = std::numeric_limits<double>::infinity();
  const std::size_t n = x.cols(), n_comp = comps.size();
  std::vector<double> log_w(n_comp);
  for (std::size_t k = 0; k < n_comp; ++k) log_w[k] = weights[k] > 0.0 ? std::log(weights[k]) : -inf;
  std::vector<double> out(n);
  if (keep != nullptr) {
    keep->terms.resize(n_comp, n);
    keep->dist.resize(n_comp, n);
  }
  const Mahalanobis maha(comps, x);
  pfor(0, maha.n_tiles(), [&](std::size_t t0, std::size_t t1) {
    Eigen::MatrixXd q;
    std::vector<double> terms(n_comp);
    for (std::size_t t = t0; t < t1; ++t) {
      maha.tile(t, q);
      const std::size_t b = maha.tile_begin(t);
      for (Eigen::Index j = 0; j < q.cols(); ++j) {
        double mx = -inf;
        for (std::size_t k = 0; k < n_comp; ++k) {
          terms[k] = log_w[k] > -inf ? log_w[k] + comps[k].log_pdf(q(k, j)) : -inf;
          mx = std::max(mx, terms[k]);
        }
        double s = 0.0;
        if (std::isfinite(mx))
          for (double tk : terms) s += std::exp(tk - mx);
        out[b + j] = std::isfinite(mx) ? mx + std::log(s) : mx;
        if (keep != nullptr) {
          keep->terms.col(b + j) = Eigen::Map<const Eigen::VectorXd>(terms.data(), n_comp);
          keep->dist.col(b + j) = q.col(j);
        }
      }
    }
  });
  return out;
}

}  // namespace gmasampler

#endif
