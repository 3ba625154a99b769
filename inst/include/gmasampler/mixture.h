// Gaussian components and the log-pdf matrix of a bank of points under every component.
#ifndef GMASAMPLER_MIXTURE_H
#define GMASAMPLER_MIXTURE_H

#include <Eigen/Dense>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "parallel.h"

namespace gmasampler {

// A Gaussian N(mean, L L^T) held by its lower Cholesky factor L.
struct Gaussian {
  Eigen::VectorXd mean;
  Eigen::MatrixXd chol;
  double log_norm;  // -d/2 log(2 pi) - sum(log diag L)

  Gaussian(const Eigen::VectorXd& m, const Eigen::MatrixXd& lower) : mean(m), chol(lower) {
    const int d = static_cast<int>(m.size());
    if (lower.rows() != d || lower.cols() != d)
      throw std::invalid_argument("Cholesky factor does not match the mean's dimension");
    double log_det = 0.0;
    for (int k = 0; k < d; ++k) {
      if (!(lower(k, k) > 0.0) || !std::isfinite(lower(k, k)))
        throw std::invalid_argument("Cholesky factor has a non-positive diagonal");
      log_det += std::log(lower(k, k));
    }
    log_norm = -0.5 * d * std::log(2.0 * M_PI) - log_det;
  }

  int dim() const { return static_cast<int>(mean.size()); }

  // log N(x; mean, L L^T) by forward substitution; `work` must hold dim() doubles.
  double log_pdf(const double* x, double* work) const {
    const int d = dim();
    double quad = 0.0;
    for (int i = 0; i < d; ++i) {
      double s = x[i] - mean[i];
      for (int k = 0; k < i; ++k) s -= chol(i, k) * work[k];
      work[i] = s / chol(i, i);
      quad += work[i] * work[i];
    }
    return log_norm - 0.5 * quad;
  }

  // mean + L z for a standard normal z, written to out.
  void transform(const double* z, double* out) const {
    const int d = dim();
    for (int i = 0; i < d; ++i) {
      double s = mean[i];
      for (int k = 0; k <= i; ++k) s += chol(i, k) * z[k];
      out[i] = s;
    }
  }
};

// Builds components from means (d x N, one per column) and stacked lower Cholesky factors
// (d x d x N, column-major as R stores an array).
inline std::vector<Gaussian> make_components(const Eigen::MatrixXd& means, const double* chols) {
  const int d = static_cast<int>(means.rows());
  std::vector<Gaussian> comps;
  comps.reserve(means.cols());
  for (int l = 0; l < means.cols(); ++l) {
    Eigen::Map<const Eigen::MatrixXd> lower(chols + static_cast<std::size_t>(l) * d * d, d, d);
    comps.emplace_back(means.col(l), lower.triangularView<Eigen::Lower>().toDenseMatrix());
  }
  return comps;
}

// log sum_l w_l N(x; mu_l, Sigma_l) at each column of x (d x n), stably.
inline std::vector<double> mixture_log_pdf(const std::vector<Gaussian>& comps,
                                           const std::vector<double>& weights,
                                           const Eigen::MatrixXd& x, const ParallelFor& pfor) {
  const std::size_t n = x.cols();
  const int d = static_cast<int>(x.rows());
  std::vector<double> out(n);
  pfor(0, n, [&](std::size_t b, std::size_t e) {
    std::vector<double> work(d), terms(comps.size());
    for (std::size_t r = b; r < e; ++r) {
      double mx = -std::numeric_limits<double>::infinity();
      for (std::size_t l = 0; l < comps.size(); ++l) {
        terms[l] = weights[l] > 0.0 ? std::log(weights[l]) + comps[l].log_pdf(&x(0, r), work.data())
                                    : -std::numeric_limits<double>::infinity();
        if (terms[l] > mx) mx = terms[l];
      }
      double s = 0.0;
      if (std::isfinite(mx))
        for (double t : terms) s += std::exp(t - mx);
      out[r] = std::isfinite(mx) ? mx + std::log(s) : mx;
    }
  });
  return out;
}

// The log-pdf matrix L[r, l] = log g_l(z_r), held row by row as the row maximum plus the entries of
// exp(L - row max) that are at least `tol`. A bank point sits under few components when they are
// narrow, so most entries fall below any useful tolerance and the rows are kept sparse (compressed
// sparse rows); when more than half the entries are kept, a dense row-major layout is both
// smaller and faster. Dropping entries changes q_w(z_r) by at most dropped_bound[r] *
// exp(row_max[r]), where dropped_bound[r] = tol times the number of entries dropped in row r.
struct LogPdfMatrix {
  std::size_t n_rows = 0;
  int n_cols = 0;
  double tol = 0.0;
  bool dense = false;
  std::vector<double> row_max;
  std::vector<std::size_t> row_ptr;  // sparse: n_rows + 1 offsets into col and val
  std::vector<int> col;              // sparse only
  std::vector<double> val;           // sparse: the kept entries; dense: n_rows x n_cols, by row
  std::vector<double> dropped_bound;

  std::size_t nnz() const { return dense ? n_rows * static_cast<std::size_t>(n_cols) : val.size(); }
  std::size_t bytes() const {
    return val.size() * sizeof(double) + col.size() * sizeof(int) +
           row_ptr.size() * sizeof(std::size_t) + 2 * n_rows * sizeof(double);
  }
  // Calls f(l, exp(L[r, l] - row_max[r])) for each stored entry of row r.
  template <class F>
  void for_row(std::size_t r, F f) const {
    if (dense) {
      const double* v = val.data() + r * n_cols;
      for (int l = 0; l < n_cols; ++l) f(l, v[l]);
    } else {
      for (std::size_t k = row_ptr[r]; k < row_ptr[r + 1]; ++k) f(col[k], val[k]);
    }
  }
  // sum_l w_l exp(L[r, l] - row_max[r]) over the stored entries.
  double row_dot(std::size_t r, const std::vector<double>& w) const {
    if (dense)
      return Eigen::Map<const Eigen::VectorXd>(val.data() + r * n_cols, n_cols)
          .dot(Eigen::Map<const Eigen::VectorXd>(w.data(), n_cols));
    double s = 0.0;
    for (std::size_t k = row_ptr[r]; k < row_ptr[r + 1]; ++k) s += w[col[k]] * val[k];
    return s;
  }
  // Switches to the dense layout (entries not stored become exact zeros).
  void densify() {
    std::vector<double> full(n_rows * static_cast<std::size_t>(n_cols), 0.0);
    for (std::size_t r = 0; r < n_rows; ++r)
      for (std::size_t k = row_ptr[r]; k < row_ptr[r + 1]; ++k) full[r * n_cols + col[k]] = val[k];
    val.swap(full);
    std::vector<int>().swap(col);
    std::vector<std::size_t>().swap(row_ptr);
    dense = true;
  }
};

class MemoryLimitError : public std::runtime_error {
 public:
  explicit MemoryLimitError(const std::string& what) : std::runtime_error(what) {}
};

// True when every component has the same Cholesky factor (the default designs).
inline bool shared_covariance(const std::vector<Gaussian>& comps) {
  for (std::size_t l = 1; l < comps.size(); ++l)
    if (comps[l].chol != comps[0].chol) return false;
  return true;
}

// Computes the log-pdf matrix of the bank x (d x n points) under comps. Rows are computed in
// parallel in blocks and appended in order, so the result is the same for any thread count.
// Throws MemoryLimitError as soon as the stored entries would pass max_bytes.
//
// With one covariance shared by all components the bank and the means are whitened once, about a
// common centre, and each block of rows takes one matrix product: log g_l(z) = c - |y - v_l|^2 / 2
// with |y - v|^2 = |y|^2 + |v|^2 - 2 y.v. Otherwise each entry takes a triangular solve.
inline LogPdfMatrix log_pdf_matrix(const std::vector<Gaussian>& comps, const Eigen::MatrixXd& x,
                                   double tol, double max_bytes, const ParallelFor& pfor,
                                   const InterruptCheck& interrupt, std::size_t block = 8192) {
  const std::size_t n = x.cols();
  const int d = static_cast<int>(x.rows());
  const int n_comp = static_cast<int>(comps.size());
  LogPdfMatrix m;
  m.n_rows = n;
  m.n_cols = n_comp;
  m.tol = tol;
  m.row_max.resize(n);
  m.dropped_bound.resize(n);
  m.row_ptr.assign(1, 0);
  m.row_ptr.reserve(n + 1);

  const bool shared = n_comp > 0 && shared_covariance(comps);
  Eigen::MatrixXd y, v;         // whitened bank (d x n) and means (d x N)
  Eigen::VectorXd y_sq, v_sq;   // their squared norms
  if (shared) {
    Eigen::MatrixXd means(d, n_comp);
    for (int l = 0; l < n_comp; ++l) means.col(l) = comps[l].mean;
    const Eigen::VectorXd centre = means.rowwise().mean();
    const auto lower = comps[0].chol.triangularView<Eigen::Lower>();
    y = lower.solve(x.colwise() - centre);
    v = lower.solve(means.colwise() - centre);
    y_sq = y.colwise().squaredNorm().transpose();
    v_sq = v.colwise().squaredNorm().transpose();
  }

  const double log_tol = tol > 0.0 ? std::log(tol) : -std::numeric_limits<double>::infinity();
  const double fixed_bytes = static_cast<double>(n) * (2 * sizeof(double) + sizeof(std::size_t));
  std::vector<std::vector<int>> cols(block);
  std::vector<std::vector<double>> vals(block);
  for (std::size_t b0 = 0; b0 < n; b0 += block) {
    const std::size_t b1 = b0 + block < n ? b0 + block : n;
    pfor(b0, b1, [&](std::size_t b, std::size_t e) {
      std::vector<double> work(d), row(n_comp);
      Eigen::MatrixXd cross;  // v^T y for the rows from c0, 256 at a time
      std::size_t c0 = b;
      for (std::size_t r = b; r < e; ++r) {
        if (shared && (r == b || r - c0 == 256)) {
          c0 = r;
          const std::size_t len = std::min<std::size_t>(256, e - r);
          cross.noalias() = v.transpose() * y.middleCols(r, len);
        }
        double mx = -std::numeric_limits<double>::infinity();
        for (int l = 0; l < n_comp; ++l) {
          row[l] = shared ? comps[0].log_norm -
                                0.5 * std::max(0.0, y_sq[r] + v_sq[l] - 2.0 * cross(l, r - c0))
                          : comps[l].log_pdf(&x(0, r), work.data());
          if (row[l] > mx) mx = row[l];
        }
        std::vector<int>& c = cols[r - b0];
        std::vector<double>& vv = vals[r - b0];
        c.clear();
        vv.clear();
        int dropped = 0;
        for (int l = 0; l < n_comp; ++l) {
          // compare on the log scale first: most entries are dropped, and exp() is the cost
          double ev = row[l] - mx >= log_tol ? std::exp(row[l] - mx) : 0.0;
          if (ev >= tol && ev > 0.0) {
            c.push_back(l);
            vv.push_back(ev);
          } else {
            ++dropped;
          }
        }
        m.row_max[r] = mx;
        m.dropped_bound[r] = dropped * tol;
      }
    });
    for (std::size_t r = b0; r < b1; ++r) {
      m.col.insert(m.col.end(), cols[r - b0].begin(), cols[r - b0].end());
      m.val.insert(m.val.end(), vals[r - b0].begin(), vals[r - b0].end());
      m.row_ptr.push_back(m.val.size());
    }
    const double used = fixed_bytes + static_cast<double>(m.val.size()) * (sizeof(double) + sizeof(int));
    if (used > max_bytes)
      throw MemoryLimitError("the log-pdf matrix needs more than the memory limit (" +
                             std::to_string(static_cast<long long>(max_bytes)) + " bytes)");
    interrupt();
  }
  const double dense_bytes = static_cast<double>(n) * n_comp * sizeof(double);
  if (2 * m.val.size() > n * static_cast<std::size_t>(n_comp) &&
      fixed_bytes + dense_bytes + m.bytes() <= max_bytes) {
    m.densify();
  } else {
    m.col.shrink_to_fit();
    m.val.shrink_to_fit();
  }
  return m;
}

}  // namespace gmasampler

#endif
