// The oracle of the W-GMA weight fit: the sample estimate of F(w) = KL(q_w || p) - log Z, its
// gradient and its Frank-Wolfe gap at given weights, on a fixed bank and log-pdf matrix.
#ifndef GMASAMPLER_WEIGHT_OBJECTIVE_H
#define GMASAMPLER_WEIGHT_OBJECTIVE_H

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "log_pdf_matrix.h"
#include "parallel.h"

namespace gmasampler {

// The bank holds per_comp consecutive rows per component (component-major). Component i's
// expectation of h is estimated from its own rows, (1 / M) sum_j h(z_ij), or (pooled) from the
// whole bank as an importance sample: the bank was drawn from the equal-weight mixture qbar of all
// components (the balance heuristic), so E_{g_i}[h] ~ sum_r a_ri h(z_r) / sum_r a_ri with
// a_ri = g_i(z_r) / qbar(z_r), held by column so that each component's sum runs in a fixed order.
//
// A component with a bank point where log p = -Inf puts mass where the target has none: its
// reverse KL is infinite, so it is infeasible and held at weight zero.
class WeightObjective {
 public:
  WeightObjective(const LogPdfMatrix& m, const std::vector<double>& log_p, int per_comp, bool pooled,
                  double log_floor, const ParallelFor& pfor)
      : m_(m), log_p_(log_p), per_comp_(per_comp), pooled_(pooled), log_floor_(log_floor),
        pfor_(pfor), n_comp_(m.n_cols), infeasible_(m.n_cols, 0), log_q_(m.n_rows), grad_(m.n_cols) {
    if (static_cast<std::size_t>(n_comp_) * per_comp != m.n_rows || log_p.size() != m.n_rows)
      throw std::invalid_argument("weight fit: sizes of the bank, log p and the log-pdf matrix disagree");
    for (int i = 0; i < n_comp_; ++i)
      for (int j = 0; j < per_comp; ++j)
        if (log_p[static_cast<std::size_t>(i) * per_comp + j] == -kInf) infeasible_[i] = 1;
    if (pooled_) pool();
  }

  int n_components() const { return n_comp_; }
  const std::vector<unsigned char>& infeasible() const { return infeasible_; }

  // Evaluates at w: the gradient g_i = 1 + E_i[log q_w - log p] (+Inf for infeasible
  // components), the objective sum_i w_i (g_i - 1) and the gap sum_i w_i g_i - min_i g_i, which
  // for a convex objective bounds the distance to the optimum.
  void evaluate(const std::vector<double>& w) {
    mixture_log_q(m_, w, log_floor_, pfor_, log_q_);
    pfor_(0, n_comp_, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i)
        grad_[i] = infeasible_[i] ? kInf
                                  : 1.0 + expectation(i, [&](std::size_t r) { return log_q_[r] - log_p_[r]; });
    });
    objective_ = 0.0;
    double w_dot_g = 0.0, g_min = kInf;
    for (int i = 0; i < n_comp_; ++i) {
      if (infeasible_[i]) continue;
      if (w[i] > 0.0) {
        objective_ += w[i] * (grad_[i] - 1.0);
        w_dot_g += w[i] * grad_[i];
      }
      g_min = std::min(g_min, grad_[i]);
    }
    gap_ = w_dot_g - g_min;
  }
  const std::vector<double>& gradient() const { return grad_; }
  double objective() const { return objective_; }
  double gap() const { return gap_; }

  // Each feasible component's estimate of E[log p] (what tempering scales).
  std::vector<double> mean_log_p() const {
    std::vector<double> out(n_comp_, 0.0);
    for (int i = 0; i < n_comp_; ++i)
      if (!infeasible_[i]) out[i] = expectation(i, [&](std::size_t r) { return log_p_[r]; });
    return out;
  }

 private:
  static constexpr double kInf = std::numeric_limits<double>::infinity();

  template <class H>
  double expectation(std::size_t i, H h) const {
    GMASAMPLER_DEBUG_INDEX(i, static_cast<std::size_t>(n_comp_), "WeightObjective::expectation");
    double s = 0.0;
    if (pooled_) {
      for (std::size_t k = col_ptr_[i]; k < col_ptr_[i + 1]; ++k) s += a_[k] * h(row_[k]);
      return s / col_sum_[i];
    }
    const std::size_t r0 = i * per_comp_;
    for (int j = 0; j < per_comp_; ++j) s += h(r0 + j);
    return s / per_comp_;
  }

  // The pooled weights a_ri over the rows where log p is finite.
  void pool() {
    std::vector<std::size_t> count(n_comp_ + 1, 0);
    auto use = [&](std::size_t r) { return std::isfinite(log_p_[r]); };
    for (std::size_t r = 0; r < m_.n_rows; ++r)
      if (use(r)) m_.for_row(r, [&](int l, double) { ++count[l + 1]; });
    for (int i = 0; i < n_comp_; ++i) count[i + 1] += count[i];
    col_ptr_ = count;
    row_.resize(count[n_comp_]);
    a_.resize(count[n_comp_]);
    col_sum_.assign(n_comp_, 0.0);
    std::vector<std::size_t> next(count.begin(), count.end() - 1);
    for (std::size_t r = 0; r < m_.n_rows; ++r) {
      if (!use(r)) continue;
      double qbar = 0.0;
      m_.for_row(r, [&](int, double v) { qbar += v; });
      m_.for_row(r, [&](int i, double v) {
        row_[next[i]] = r;
        a_[next[i]] = v / qbar;  // g_i / qbar up to the factor n_comp, which cancels
        ++next[i];
      });
    }
    for (int i = 0; i < n_comp_; ++i)
      for (std::size_t k = col_ptr_[i]; k < col_ptr_[i + 1]; ++k) col_sum_[i] += a_[k];
  }

  const LogPdfMatrix& m_;
  const std::vector<double>& log_p_;
  int per_comp_;
  bool pooled_;
  double log_floor_;
  ParallelFor pfor_;
  int n_comp_;
  std::vector<unsigned char> infeasible_;
  std::vector<double> log_q_, grad_;
  double objective_ = 0.0, gap_ = 0.0;
  std::vector<std::size_t> col_ptr_, row_;  // pooled weights, by column
  std::vector<double> a_, col_sum_;
};

}  // namespace gmasampler

#endif
