// The log-pdf matrix of a bank of points under every component, W-GMA's data structure.
#ifndef GMASAMPLER_LOG_PDF_MATRIX_H
#define GMASAMPLER_LOG_PDF_MATRIX_H

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "debug.h"
#include "mixture.h"
#include "parallel.h"

namespace gmasampler {

// L[r, l] = log g_l(z_r), held row by row as the row maximum plus the entries of exp(L - row max)
// that are at least `tol`. A bank point sits under few components when they are narrow, so most
// entries fall below any useful tolerance and the rows are kept sparse (compressed sparse rows);
// when more than half the entries are kept, a dense row-major layout is both smaller and faster.
// Dropping entries changes q_w(z_r) by at most dropped_bound[r] * exp(row_max[r]), where
// dropped_bound[r] = tol times the number of entries dropped in row r.
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
    GMASAMPLER_DEBUG_INDEX(r, n_rows, "LogPdfMatrix::for_row");
    if (dense) {
      const double* v = val.data() + r * n_cols;
      for (int l = 0; l < n_cols; ++l) f(l, v[l]);
    } else {
      for (std::size_t k = row_ptr[r]; k < row_ptr[r + 1]; ++k) f(col[k], val[k]);
    }
  }
  // sum_l w_l exp(L[r, l] - row_max[r]) over the stored entries.
  double row_dot(std::size_t r, const std::vector<double>& w) const {
    GMASAMPLER_DEBUG_INDEX(r, n_rows, "LogPdfMatrix::row_dot");
    GMASAMPLER_DEBUG_INDEX(static_cast<std::size_t>(n_cols) - 1, w.size(), "LogPdfMatrix::row_dot weights");
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

// log q_w(z_r) for every row of the log-pdf matrix. q is floored at exp(row max + log_floor), a
// bound relative to the largest component density at that point, so a point that no weighted
// component covers gives a large but finite value instead of -Inf (log_floor = -Inf: no floor).
inline void mixture_log_q(const LogPdfMatrix& m, const std::vector<double>& w, double log_floor,
                          const ParallelFor& pfor, std::vector<double>& log_q) {
  const double floor_val = std::exp(log_floor);
  pfor(0, m.n_rows, [&](std::size_t b, std::size_t e) {
    for (std::size_t r = b; r < e; ++r)
      log_q[r] = m.row_max[r] + std::log(std::max(m.row_dot(r, w), floor_val));
  });
}

// Computes the log-pdf matrix of the bank x (d x n points) under comps. Rows are computed in
// parallel, a tile of points per task (mixture.h), in blocks appended in order, so the result is
// the same for any thread count. Throws MemoryLimitError as soon as the stored entries would pass
// max_bytes.
inline LogPdfMatrix log_pdf_matrix(const std::vector<Component>& comps,
                                   const Eigen::Ref<const Eigen::MatrixXd>& x, double tol,
                                   double max_bytes, const ParallelFor& pfor,
                                   const InterruptCheck& interrupt) {
  const std::size_t n = x.cols();
  const int n_comp = static_cast<int>(comps.size());
  LogPdfMatrix m;
  m.n_rows = n;
  m.n_cols = n_comp;
  m.tol = tol;
  m.row_max.resize(n);
  m.dropped_bound.resize(n);
  m.row_ptr.assign(1, 0);
  m.row_ptr.reserve(n + 1);

  const Mahalanobis maha(comps, x);
  const double log_tol = tol > 0.0 ? std::log(tol) : -std::numeric_limits<double>::infinity();
  const double fixed_bytes = static_cast<double>(n) * (2 * sizeof(double) + sizeof(std::size_t));
  const std::size_t tiles_per_block = 32;
  const std::size_t block = tiles_per_block * Mahalanobis::kTile;
  std::vector<std::vector<int>> cols(block);
  std::vector<std::vector<double>> vals(block);
  for (std::size_t t0 = 0; t0 < maha.n_tiles(); t0 += tiles_per_block) {
    const std::size_t t1 = std::min(maha.n_tiles(), t0 + tiles_per_block);
    const std::size_t b0 = maha.tile_begin(t0), b1 = maha.tile_end(t1 - 1);
    pfor(t0, t1, [&](std::size_t ta, std::size_t tb) {
      Eigen::MatrixXd q;
      std::vector<double> row(n_comp);
      for (std::size_t t = ta; t < tb; ++t) {
        maha.tile(t, q);
        for (Eigen::Index j = 0; j < q.cols(); ++j) {
          const std::size_t r = maha.tile_begin(t) + j;
          double mx = -std::numeric_limits<double>::infinity();
          for (int l = 0; l < n_comp; ++l) {
            row[l] = comps[l].log_pdf(q(l, j));
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
