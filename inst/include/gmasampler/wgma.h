// W-GMA: fit the weights of fixed Gaussian components by minimising a sample estimate of the
// reverse KL divergence KL(q_w || p) over the simplex.
#ifndef GMASAMPLER_WGMA_H
#define GMASAMPLER_WGMA_H

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "mixture.h"
#include "parallel.h"
#include "simplex.h"

namespace gmasampler {

enum class Optimizer { projected_gradient, mirror_descent };
enum class StepSchedule { inverse, inverse_sqrt, constant };

struct WgmaOptions {
  Optimizer optimizer = Optimizer::mirror_descent;
  StepSchedule schedule = StepSchedule::constant;
  double eta0 = 1.0;
  int max_iter = 1000;
  double tol = 1e-3;          // stop when the Frank-Wolfe gap falls below tol
  int stall_window = 20;      // ... or when, over this many iterations (0: never), the weights
                              // moved less than tol in total variation and the objective fell
                              // by less than tol / 10, with the gap below 100 tol
  bool pooled = false;        // estimate every component's expectation from the whole bank
  bool normalize = false;      // divide the step by the gradient's spread max_i |g_i - w.g|
  double log_floor = -32.0;   // log q is floored at row max + log_floor (see fit_weights)
  bool keep_weights = true;   // keep every iterate's weights in the trace
};

struct WgmaResult {
  std::vector<double> weights;
  std::vector<double> objective;  // estimate of KL(q_w || p) - log Z before each step
  std::vector<double> gap;        // Frank-Wolfe gap before each step (see fit_weights)
  std::vector<double> step;       // step size used at each iteration
  std::vector<double> weight_trace;  // iterations x components, row-major by iteration
  int iterations = 0;
  bool converged = false;
  bool stalled = false;           // stopped because the weights stopped moving
};

inline double step_size(const WgmaOptions& opt, int k) {
  switch (opt.schedule) {
    case StepSchedule::inverse: return opt.eta0 / k;
    case StepSchedule::inverse_sqrt: return opt.eta0 / std::sqrt(static_cast<double>(k));
    case StepSchedule::constant: break;
  }
  return opt.eta0;
}

// Remembers the weights and objective of the last few iterations, to tell when the fit stalls: over
// the last `window` iterations the weights moved less than `mass` in total variation and the
// objective fell by less than `drop`. The Frank-Wolfe gap can stay open for hundreds of iterations
// while far-tail components creep toward optima near 1e-13 and change no draw (2-D banana: the
// objective is lowest at iteration 73, the gap below 1e-2 only at iteration 340). A fit that has
// collapsed onto a few components stalls too, but with a gap of tens of nats: fit_weights counts a
// stall as convergence only below 100 tol (good stalls measured 0.001 to 0.034, collapses over 0.5).
class StallDetector {
 public:
  StallDetector(int window, double mass, double drop)
      : window_(window), mass_(mass), drop_(drop), w_(window + 1), obj_(window + 1) {}
  bool update(const std::vector<double>& w, double objective) {
    if (window_ <= 0) return false;
    const std::size_t slot = count_ % (window_ + 1);
    w_[slot] = w;
    obj_[slot] = objective;
    ++count_;
    if (count_ <= static_cast<std::size_t>(window_)) return false;
    const std::size_t old = count_ % (window_ + 1);  // the entry `window` iterations back
    if (obj_[old] - objective > drop_) return false;
    double tv = 0.0;
    for (std::size_t i = 0; i < w.size(); ++i) tv += std::fabs(w[i] - w_[old][i]);
    return 0.5 * tv < mass_;
  }

 private:
  int window_;
  double mass_, drop_;
  std::vector<std::vector<double>> w_;
  std::vector<double> obj_;
  std::size_t count_ = 0;
};

// log q_w(z_r) for every row of the log-pdf matrix. q is floored at exp(row max + log_floor), a
// bound relative to the largest component density at that point, so a point that no weighted
// component covers gives a large but finite gradient instead of -Inf.
inline void mixture_log_q(const LogPdfMatrix& m, const std::vector<double>& w, double log_floor,
                          const ParallelFor& pfor, std::vector<double>& log_q) {
  const double floor_val = std::exp(log_floor);
  pfor(0, m.n_rows, [&](std::size_t b, std::size_t e) {
    for (std::size_t r = b; r < e; ++r) {
      log_q[r] = m.row_max[r] + std::log(std::max(m.row_dot(r, w), floor_val));
    }
  });
}

// The whole bank as an importance sample for each component: the bank was drawn from the
// equal-weight mixture qbar of all components (the balance heuristic), so for component i
// E_{g_i}[h] ~ sum_r a_ri h(z_r) / sum_r a_ri with a_ri = g_i(z_r) / qbar(z_r). Held by column
// (component) so that each component's sum runs in a fixed order on one thread.
struct PooledWeights {
  std::vector<std::size_t> col_ptr;
  std::vector<std::size_t> row;
  std::vector<double> a;
  std::vector<double> col_sum;
};

inline PooledWeights pooled_weights(const LogPdfMatrix& m, const std::vector<unsigned char>& use_row) {
  PooledWeights pw;
  const int n_comp = m.n_cols;
  std::vector<std::size_t> count(n_comp + 1, 0);
  for (std::size_t r = 0; r < m.n_rows; ++r)
    if (use_row[r]) m.for_row(r, [&](int l, double) { ++count[l + 1]; });
  for (int i = 0; i < n_comp; ++i) count[i + 1] += count[i];
  pw.col_ptr = count;
  pw.row.resize(count[n_comp]);
  pw.a.resize(count[n_comp]);
  pw.col_sum.assign(n_comp, 0.0);
  std::vector<std::size_t> next(count.begin(), count.end() - 1);
  for (std::size_t r = 0; r < m.n_rows; ++r) {
    if (!use_row[r]) continue;
    double qbar = 0.0;
    m.for_row(r, [&](int, double v) { qbar += v; });
    m.for_row(r, [&](int i, double v) {
      pw.row[next[i]] = r;
      pw.a[next[i]] = v / qbar;  // g_i / qbar up to the factor n_comp, which cancels
      ++next[i];
    });
  }
  for (int i = 0; i < n_comp; ++i)
    for (std::size_t k = pw.col_ptr[i]; k < pw.col_ptr[i + 1]; ++k) pw.col_sum[i] += pw.a[k];
  return pw;
}

// Fits the weights of n_comp components whose banks are the consecutive blocks of `per_comp` rows
// of m (component-major). log_p holds log p at every bank point; a component with a -Inf there puts
// mass where the target has none, so its reverse KL is infinite: it is held at weight zero.
// gradient g_i = 1 + mean over component i's bank of (log q_w - log p).
//
// The fit stops when the Frank-Wolfe gap sum_i w_i g_i - min_i g_i falls below opt.tol: for a
// convex objective it bounds the distance to the optimum. (Leaving light components out of the
// min was tried: it did not shorten fits at the default step, and it let a fit that had collapsed
// onto one component report convergence.)
inline WgmaResult fit_weights(const LogPdfMatrix& m, const std::vector<double>& log_p,
                              int per_comp, std::vector<double> w, const WgmaOptions& opt,
                              const ParallelFor& pfor, const InterruptCheck& interrupt) {
  const int n_comp = m.n_cols;
  if (static_cast<std::size_t>(n_comp) * per_comp != m.n_rows || log_p.size() != m.n_rows ||
      w.size() != static_cast<std::size_t>(n_comp))
    throw std::invalid_argument("fit_weights: sizes of the bank, log p and weights disagree");

  std::vector<unsigned char> infeasible(n_comp, 0);
  for (int i = 0; i < n_comp; ++i)
    for (int j = 0; j < per_comp; ++j)
      if (log_p[static_cast<std::size_t>(i) * per_comp + j] == -std::numeric_limits<double>::infinity())
        infeasible[i] = 1;
  double total = 0.0;
  for (int i = 0; i < n_comp; ++i) {
    if (infeasible[i]) w[i] = 0.0;
    total += w[i];
  }
  if (!(total > 0.0))
    throw std::invalid_argument("fit_weights: every component with a positive starting weight "
                                "has a bank point where log p is -Inf");
  for (double& wi : w) wi /= total;

  WgmaResult res;
  StallDetector stall(opt.stall_window, opt.tol, opt.tol / 10);
  std::vector<double> log_q(m.n_rows), grad(n_comp), log_w(n_comp);
  PooledWeights pw;
  if (opt.pooled) {
    std::vector<unsigned char> finite_row(m.n_rows);
    for (std::size_t r = 0; r < m.n_rows; ++r) finite_row[r] = std::isfinite(log_p[r]);
    pw = pooled_weights(m, finite_row);
  }
  for (int i = 0; i < n_comp; ++i)
    log_w[i] = w[i] > 0.0 ? std::log(w[i]) : -std::numeric_limits<double>::infinity();

  for (int k = 1; k <= opt.max_iter + 1; ++k) {
    mixture_log_q(m, w, opt.log_floor, pfor, log_q);
    pfor(0, n_comp, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) {
        if (infeasible[i]) { grad[i] = std::numeric_limits<double>::infinity(); continue; }
        double s = 0.0;
        if (opt.pooled) {
          for (std::size_t k = pw.col_ptr[i]; k < pw.col_ptr[i + 1]; ++k)
            s += pw.a[k] * (log_q[pw.row[k]] - log_p[pw.row[k]]);
          grad[i] = 1.0 + s / pw.col_sum[i];
        } else {
          const std::size_t r0 = i * per_comp;
          for (int j = 0; j < per_comp; ++j) s += log_q[r0 + j] - log_p[r0 + j];
          grad[i] = 1.0 + s / per_comp;
        }
      }
    });
    double objective = 0.0, w_dot_g = 0.0;
    double g_min = std::numeric_limits<double>::infinity();
    for (int i = 0; i < n_comp; ++i) {
      if (infeasible[i]) continue;
      if (w[i] > 0.0) {
        objective += w[i] * (grad[i] - 1.0);
        w_dot_g += w[i] * grad[i];
      }
      g_min = std::min(g_min, grad[i]);
    }
    const double gap = w_dot_g - g_min;
    if (k > opt.max_iter) {  // the last pass only measures the final weights
      res.converged = gap < opt.tol;
      break;
    }
    res.objective.push_back(objective);
    res.gap.push_back(gap);
    if (opt.keep_weights) res.weight_trace.insert(res.weight_trace.end(), w.begin(), w.end());
    if (gap < opt.tol) {
      res.converged = true;
      break;
    }
    if (stall.update(w, objective) && gap < 100 * opt.tol) {
      res.converged = true;
      res.stalled = true;
      break;
    }
    double eta = step_size(opt, k);
    if (opt.normalize) {
      // The gradient scales with |log p|, so a fixed eta0 suits one target and not the next.
      // Dividing by the spread bounds the move of each iteration whatever that scale.
      double spread = 0.0;
      for (int i = 0; i < n_comp; ++i)
        if (!infeasible[i]) spread = std::max(spread, std::fabs(grad[i] - w_dot_g));
      if (spread > 0.0) eta /= spread;
    }
    res.step.push_back(eta);
    res.iterations = k;
    if (opt.optimizer == Optimizer::projected_gradient) {
      std::vector<double> v(n_comp);
      for (int i = 0; i < n_comp; ++i) v[i] = infeasible[i] ? 0.0 : w[i] - eta * grad[i];
      w = project_simplex(v, infeasible);
    } else {
      // exponentiated gradient in log space, so that small weights do not underflow to zero
      double mx = -std::numeric_limits<double>::infinity();
      for (int i = 0; i < n_comp; ++i) {
        if (infeasible[i]) continue;
        log_w[i] -= eta * grad[i];
        mx = std::max(mx, log_w[i]);
      }
      double s = 0.0;
      for (int i = 0; i < n_comp; ++i)
        if (!infeasible[i]) s += std::exp(log_w[i] - mx);
      const double log_s = mx + std::log(s);
      for (int i = 0; i < n_comp; ++i) {
        if (infeasible[i]) continue;
        log_w[i] -= log_s;
        w[i] = std::exp(log_w[i]);
      }
    }
    interrupt();
  }
  res.weights = w;
  return res;
}

}  // namespace gmasampler

#endif
