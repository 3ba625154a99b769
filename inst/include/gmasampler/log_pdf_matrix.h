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
  // What the matrix holds, capacity included.
  std::size_t bytes() const {
    return val.capacity() * sizeof(double) + col.capacity() * sizeof(int) +
           row_ptr.capacity() * sizeof(std::size_t) + 2 * n_rows * sizeof(double);
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

// The log-pdf matrix would pass its memory limit: it needs `needed` bytes (at least, or about when
// `estimated` from a sample of rows), more than `limit`.
class MemoryLimitError : public std::runtime_error {
 public:
  MemoryLimitError(double needed_, double limit_, bool estimated_)
      : std::runtime_error("the log-pdf matrix needs " + std::string(estimated_ ? "about " : "at least ") +
                           std::to_string(static_cast<long long>(needed_)) + " bytes, more than its limit (" +
                           std::to_string(static_cast<long long>(limit_)) + " bytes)"),
        needed(needed_), estimated(estimated_) {}
  double needed;
  bool estimated;
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

// log(tol), or -Inf for no tolerance: keep_row() compares on the log scale.
inline double log_tolerance(double tol) {
  return tol > 0.0 ? std::log(tol) : -std::numeric_limits<double>::infinity();
}

// One row of the matrix from column j of q, the squared distances of a point to every component:
// returns the row maximum, puts the entries of exp(L - max) at least tol (log_tol =
// log_tolerance(tol)) in (c, v) and counts the others in dropped. row is a buffer of n_comp values.
inline double keep_row(const std::vector<Component>& comps, const Eigen::MatrixXd& q, Eigen::Index j,
                       double tol, double log_tol, std::vector<double>& row, std::vector<int>& c,
                       std::vector<double>& v, int& dropped) {
  const int n_comp = static_cast<int>(comps.size());
  double mx = -std::numeric_limits<double>::infinity();
  for (int l = 0; l < n_comp; ++l) {
    row[l] = comps[l].log_pdf(q(l, j));
    if (row[l] > mx) mx = row[l];
  }
  c.clear();
  v.clear();
  dropped = 0;
  for (int l = 0; l < n_comp; ++l) {
    // compare on the log scale first: most entries are dropped, and exp() is the cost
    double ev = row[l] - mx >= log_tol ? std::exp(row[l] - mx) : 0.0;
    if (ev >= tol && ev > 0.0) {
      c.push_back(l);
      v.push_back(ev);
    } else {
      ++dropped;
    }
  }
  return mx;
}

// The memory of a log-pdf matrix while it is built, in bytes: what it takes whatever its density
// (row maxima, bounds, offsets, the whitened points, the buffers of a block of rows and of each
// worker's tile), and what is left for its entries (12 bytes each: a value and a column).
struct MatrixBudget {
  double fixed = 0.0, entries = 0.0;
  std::size_t tiles_per_block = 1;

  MatrixBudget(const std::vector<Component>& comps, std::size_t n, double max_bytes, int workers) {
    const double n_comp = static_cast<double>(comps.size());
    const double per_row = kEntryBytes * n_comp;  // a row buffer when every entry is kept
    const double tile = static_cast<double>(Mahalanobis::kTile);
    // the block's row buffers take at most a sixteenth of the limit (one tile at least)
    const double fit = std::floor(max_bytes / 16.0 / (tile * per_row));
    tiles_per_block = static_cast<std::size_t>(std::max(1.0, std::min(32.0, fit)));
    fixed = static_cast<double>(n) * (2 * sizeof(double) + sizeof(std::size_t)) +
            Mahalanobis::bytes(comps, n) + static_cast<double>(tiles_per_block) * tile * per_row +
            std::max(1, workers) * (Mahalanobis::tile_bytes(comps.size()) + 8.0 * n_comp);
    entries = (max_bytes - fixed) / kEntryBytes;
  }
  static constexpr double kEntryBytes = sizeof(double) + sizeof(int);
};

// The entries a row of the matrix keeps on average, estimated at up to 256 of the points x spread
// evenly over them (all of them when fewer): at bank points, or at the components' means before
// the bank is drawn. A matrix far beyond the memory limit is then refused before it is built.
inline double entries_per_row(const std::vector<Component>& comps,
                              const Eigen::Ref<const Eigen::MatrixXd>& x, double tol) {
  const std::size_t n = x.cols(), s = std::min<std::size_t>(n, 256);
  if (s == 0) return 0.0;
  Eigen::MatrixXd xs(x.rows(), s);
  for (std::size_t k = 0; k < s; ++k) xs.col(k) = x.col((2 * k + 1) * n / (2 * s));
  const Mahalanobis maha(comps, xs);
  Eigen::MatrixXd q;
  std::vector<double> row(comps.size()), v;
  std::vector<int> c;
  double kept = 0.0;
  int dropped = 0;
  const double log_tol = log_tolerance(tol);
  for (std::size_t t = 0; t < maha.n_tiles(); ++t) {
    maha.tile(t, q);
    for (Eigen::Index j = 0; j < q.cols(); ++j) {
      keep_row(comps, q, j, tol, log_tol, row, c, v, dropped);
      kept += static_cast<double>(c.size());
    }
  }
  return kept / static_cast<double>(s);
}

// Computes the log-pdf matrix of the bank x (d x n points) under comps. Rows are computed in
// parallel, a tile of points per task (mixture.h), in blocks appended in order, so the result is
// the same for any thread count. Every allocation is sized before it is made and checked against
// max_bytes (MatrixBudget, with `workers` threads' tile buffers): the entries' capacity is
// reserved from an estimate (entries_per_row(); twice the limit or more is refused at once), and
// grows, when the estimate was short, only while the old and new capacity fit together. Throws
// MemoryLimitError when the matrix would pass max_bytes.
inline LogPdfMatrix log_pdf_matrix(const std::vector<Component>& comps,
                                   const Eigen::Ref<const Eigen::MatrixXd>& x, double tol,
                                   double max_bytes, const ParallelFor& pfor,
                                   const InterruptCheck& interrupt, int workers = 1) {
  const std::size_t n = x.cols();
  const int n_comp = static_cast<int>(comps.size());
  const MatrixBudget budget(comps, n, max_bytes, workers);
  const double kEntry = MatrixBudget::kEntryBytes;
  if (budget.entries < static_cast<double>(n))  // every row keeps at least its maximum
    throw MemoryLimitError(budget.fixed + kEntry * n, max_bytes, false);
  const double estimate = entries_per_row(comps, x, tol) * static_cast<double>(n);
  if (estimate > 2.0 * budget.entries)
    throw MemoryLimitError(budget.fixed + kEntry * estimate, max_bytes, true);

  LogPdfMatrix m;
  m.n_rows = n;
  m.n_cols = n_comp;
  m.tol = tol;
  m.row_max.resize(n);
  m.dropped_bound.resize(n);
  m.row_ptr.assign(1, 0);
  m.row_ptr.reserve(n + 1);
  // capacity for the estimate and a quarter more, within the limit: untouched capacity costs
  // address space, not memory, and a reallocation would hold two copies at once
  const double first = std::min(budget.entries, std::max(1.25 * estimate, static_cast<double>(n)));
  m.col.reserve(static_cast<std::size_t>(first));
  m.val.reserve(static_cast<std::size_t>(first));

  const Mahalanobis maha(comps, x);
  const double log_tol = log_tolerance(tol);
  const std::size_t block = budget.tiles_per_block * Mahalanobis::kTile;
  std::vector<std::vector<int>> cols(block);
  std::vector<std::vector<double>> vals(block);
  for (std::size_t t0 = 0; t0 < maha.n_tiles(); t0 += budget.tiles_per_block) {
    const std::size_t t1 = std::min(maha.n_tiles(), t0 + budget.tiles_per_block);
    const std::size_t b0 = maha.tile_begin(t0), b1 = maha.tile_end(t1 - 1);
    pfor(t0, t1, [&](std::size_t ta, std::size_t tb) {
      Eigen::MatrixXd q;
      std::vector<double> row(n_comp);
      for (std::size_t t = ta; t < tb; ++t) {
        maha.tile(t, q);
        for (Eigen::Index j = 0; j < q.cols(); ++j) {
          const std::size_t r = maha.tile_begin(t) + j;
          int dropped = 0;
          m.row_max[r] = keep_row(comps, q, j, tol, log_tol, row, cols[r - b0], vals[r - b0], dropped);
          m.dropped_bound[r] = dropped * tol;
        }
      }
    });
    std::size_t added = 0;
    for (std::size_t r = b0; r < b1; ++r) added += vals[r - b0].size();
    const std::size_t need = m.val.size() + added;
    if (need > m.val.capacity()) {
      // the old and the new capacity are held together while the entries move
      const double cap = static_cast<double>(m.val.capacity());
      double grown = std::max(static_cast<double>(need), std::min(2.0 * cap, budget.entries - cap));
      if (cap + grown > budget.entries)
        throw MemoryLimitError(budget.fixed + kEntry * (cap + need), max_bytes, false);
      m.col.reserve(static_cast<std::size_t>(grown));
      m.val.reserve(static_cast<std::size_t>(grown));
    }
    for (std::size_t r = b0; r < b1; ++r) {
      m.col.insert(m.col.end(), cols[r - b0].begin(), cols[r - b0].end());
      m.val.insert(m.val.end(), vals[r - b0].begin(), vals[r - b0].end());
      m.row_ptr.push_back(m.val.size());
    }
    interrupt();
  }
  const double cap = static_cast<double>(m.val.capacity()), size = static_cast<double>(m.val.size());
  const double dense_entries = static_cast<double>(n) * n_comp * sizeof(double) / kEntry;
  if (2 * m.val.size() > n * static_cast<std::size_t>(n_comp) && cap + dense_entries <= budget.entries) {
    m.densify();
  } else if (cap > size && cap + size <= budget.entries) {
    m.col.shrink_to_fit();
    m.val.shrink_to_fit();
  }
  return m;
}

}  // namespace gmasampler

#endif
