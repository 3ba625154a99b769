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
  // 1 is the natural mirror step whatever the target: F(w) = KL(q_w || p) has Bregman divergence
  // F(w) - F(v) - <grad F(v), w - v> = KL(q_w || q_v) <= KL(w || v), so F is 1-smooth relative to
  // the negative entropy of w, for which mirror descent with step 1 / L = 1 converges (Bauschke,
  // Bolte and Teboulle 2017; Lu, Freund and Nesterov 2018). log p enters F linearly, so its scale
  // does not matter. Measured: 0.1 to 1.5 converge on the paper's five targets, 2 does not.
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

  // Stabilisers. All but momentum are off at their defaults; momentum 0.5 is on, as in
  // gma_control() for mirror descent, because it measured best (bench/stabilisers.R: the same
  // optimum in 1.1 to 2.6 times fewer iterations, and eta0 from 0.1 to 2 converging on all five
  // of the paper's targets, against 0.1 to 1.5 without). The schedules run over the first `anneal`
  // iterations, with frac = min(1, (k - 1) / anneal) at iteration k (an absolute count, not a
  // fraction of max_iter: max_iter is a cap, and most fits stop on the gap long before it).
  int anneal = 100;
  double temper = 1.0;        // beta_min: the step uses beta_k log p, beta_k = beta_min + (1 - beta_min) frac
  double entropy = 0.0;       // lambda_0: lambda_k (1 + log w_i) is added to the step's gradient,
                              // lambda_k = lambda_0 (1 - frac)
  double mirror_temperature = 1.0;  // tau_0: log w <- (log w - eta g) / tau_k, tau_k = tau_0 + (1 - tau_0) frac
                                    // (mirror descent only)
  double mixing = 0.0;        // alpha_0 (0: off): w <- (1 - alpha_k) w + alpha_k w_step,
  double mixing_min = 0.05;   // alpha_k = max(mixing_min, alpha_0 (1 - frac))
  double momentum = 0.5;      // heavy ball: x <- x - eta g + mu (x - x_prev), x = log w (mirror) or w;
                              // gma_control() takes 0 for projected gradient (no evidence it helps)
  int average = 0;            // > 1: the returned weights are the mean of the last `average` iterates

  bool annealing() const {
    return temper < 1.0 || entropy > 0.0 || mirror_temperature != 1.0 || mixing > 0.0;
  }
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
  double final_objective = 0.0;   // objective and gap at the returned weights (with `average`, the
  double final_gap = 0.0;         // mean of the last iterates, measured after the loop)
  bool averaged = false;          // the returned weights are the tail average
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
//
// Stabilisers (WgmaOptions) change only the step: the objective, the gap and so the stopping rule
// are always those of the untempered, unregularised objective, so a fit that stops on the gap
// while a schedule is still running has converged for the real objective. The stall rule does not
// fire while a schedule runs (k <= anneal): a tempered or regularised fit can stall at its own
// optimum, which is not the real one.
inline WgmaResult fit_weights(const LogPdfMatrix& m, const std::vector<double>& log_p,
                              int per_comp, std::vector<double> w, const WgmaOptions& opt,
                              const ParallelFor& pfor, const InterruptCheck& interrupt) {
  const int n_comp = m.n_cols;
  if (static_cast<std::size_t>(n_comp) * per_comp != m.n_rows || log_p.size() != m.n_rows ||
      w.size() != static_cast<std::size_t>(n_comp))
    throw std::invalid_argument("fit_weights: sizes of the bank, log p and weights disagree");
  if (opt.anneal < 1 || !(opt.temper > 0.0 && opt.temper <= 1.0) || !(opt.entropy >= 0.0) ||
      !(opt.mirror_temperature > 0.0) || !(opt.mixing >= 0.0 && opt.mixing <= 1.0) ||
      !(opt.mixing_min > 0.0 && opt.mixing_min <= 1.0) ||
      !(opt.momentum >= 0.0 && opt.momentum < 1.0) || opt.average < 0)
    throw std::invalid_argument("fit_weights: a stabiliser setting is out of range");
  const double inf = std::numeric_limits<double>::infinity();

  std::vector<unsigned char> infeasible(n_comp, 0);
  for (int i = 0; i < n_comp; ++i)
    for (int j = 0; j < per_comp; ++j)
      if (log_p[static_cast<std::size_t>(i) * per_comp + j] == -inf) infeasible[i] = 1;
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
  std::vector<double> log_q(m.n_rows), grad(n_comp), log_w(n_comp), dir(n_comp);
  PooledWeights pw;
  if (opt.pooled) {
    std::vector<unsigned char> finite_row(m.n_rows);
    for (std::size_t r = 0; r < m.n_rows; ++r) finite_row[r] = std::isfinite(log_p[r]);
    pw = pooled_weights(m, finite_row);
  }
  for (int i = 0; i < n_comp; ++i) log_w[i] = w[i] > 0.0 ? std::log(w[i]) : -inf;

  // Each component's estimate of E[log p], for tempering: the tempered gradient is
  // g_i + (1 - beta) E_i[log p].
  std::vector<double> mean_log_p(n_comp, 0.0);
  if (opt.temper < 1.0) {
    for (int i = 0; i < n_comp; ++i) {
      if (infeasible[i]) continue;
      double s = 0.0;
      if (opt.pooled) {
        for (std::size_t k = pw.col_ptr[i]; k < pw.col_ptr[i + 1]; ++k) s += pw.a[k] * log_p[pw.row[k]];
        mean_log_p[i] = s / pw.col_sum[i];
      } else {
        const std::size_t r0 = static_cast<std::size_t>(i) * per_comp;
        for (int j = 0; j < per_comp; ++j) s += log_p[r0 + j];
        mean_log_p[i] = s / per_comp;
      }
    }
  }

  // The gradient at w, with the objective and the Frank-Wolfe gap.
  double objective = 0.0, w_dot_g = 0.0, gap = 0.0;
  auto measure = [&](const std::vector<double>& wt) {
    mixture_log_q(m, wt, opt.log_floor, pfor, log_q);
    pfor(0, n_comp, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) {
        if (infeasible[i]) { grad[i] = inf; continue; }
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
    objective = 0.0;
    w_dot_g = 0.0;
    double g_min = inf;
    for (int i = 0; i < n_comp; ++i) {
      if (infeasible[i]) continue;
      if (wt[i] > 0.0) {
        objective += wt[i] * (grad[i] - 1.0);
        w_dot_g += wt[i] * grad[i];
      }
      g_min = std::min(g_min, grad[i]);
    }
    gap = w_dot_g - g_min;
  };

  // the last `average` iterates, for tail averaging
  const int n_avg = opt.average > 1 ? opt.average : 0;
  std::vector<std::vector<double>> tail(n_avg);
  std::size_t n_seen = 0;
  // the previous iterate (log w for mirror descent, w for projected gradient), for momentum
  std::vector<double> prev = opt.optimizer == Optimizer::mirror_descent ? log_w : w;
  const int schedule_end = opt.annealing() ? opt.anneal : 0;

  for (int k = 1; k <= opt.max_iter + 1; ++k) {
    measure(w);
    if (n_avg) tail[n_seen++ % n_avg] = w;
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
    if (stall.update(w, objective) && k > schedule_end && gap < 100 * opt.tol) {
      res.converged = true;
      res.stalled = true;
      break;
    }

    // the direction of the step: the gradient of the tempered, entropy-regularised objective
    const double frac = std::min(1.0, static_cast<double>(k - 1) / opt.anneal);
    const double beta = opt.temper + (1.0 - opt.temper) * frac;
    const double lambda = opt.entropy * (1.0 - frac);
    const double tau = opt.mirror_temperature + (1.0 - opt.mirror_temperature) * frac;
    const double alpha = opt.mixing > 0.0 ? std::max(opt.mixing_min, opt.mixing * (1.0 - frac)) : 1.0;
    double w_dot_d = 0.0;
    for (int i = 0; i < n_comp; ++i) {
      if (infeasible[i]) { dir[i] = inf; continue; }
      double d = grad[i];
      if (beta < 1.0) d += (1.0 - beta) * mean_log_p[i];
      if (lambda > 0.0) {
        // zero weights (projected gradient) count as exp(log_floor)
        const double lw = w[i] > 0.0 ? std::max(log_w[i], opt.log_floor) : opt.log_floor;
        d += lambda * (1.0 + lw);
      }
      dir[i] = d;
      w_dot_d += w[i] * d;
    }

    double eta = step_size(opt, k);
    if (opt.normalize) {
      // The gradient scales with |log p|, so a fixed eta0 suits one target and not the next.
      // Dividing by the spread bounds the move of each iteration whatever that scale.
      double spread = 0.0;
      for (int i = 0; i < n_comp; ++i)
        if (!infeasible[i]) spread = std::max(spread, std::fabs(dir[i] - w_dot_d));
      if (spread > 0.0) eta /= spread;
    }
    res.step.push_back(eta);
    res.iterations = k;
    if (opt.optimizer == Optimizer::projected_gradient) {
      std::vector<double> v(n_comp);
      for (int i = 0; i < n_comp; ++i)
        v[i] = infeasible[i] ? 0.0 : w[i] - eta * dir[i] + opt.momentum * (w[i] - prev[i]);
      std::vector<double> w_step = project_simplex(v, infeasible);
      prev = w;
      for (int i = 0; i < n_comp; ++i) {
        w[i] = alpha < 1.0 ? (1.0 - alpha) * w[i] + alpha * w_step[i] : w_step[i];
        log_w[i] = w[i] > 0.0 ? std::log(w[i]) : -inf;
      }
    } else {
      // exponentiated gradient in log space, so that small weights do not underflow to zero
      std::vector<double> x(n_comp, -inf);
      double mx = -inf;
      for (int i = 0; i < n_comp; ++i) {
        if (infeasible[i]) continue;
        x[i] = log_w[i] - eta * dir[i];
        if (opt.momentum > 0.0) x[i] += opt.momentum * (log_w[i] - prev[i]);
        if (tau != 1.0) x[i] /= tau;
        mx = std::max(mx, x[i]);
      }
      double s = 0.0;
      for (int i = 0; i < n_comp; ++i)
        if (!infeasible[i]) s += std::exp(x[i] - mx);
      const double log_s = mx + std::log(s);
      prev = log_w;
      if (alpha < 1.0) {
        // (1 - alpha) w + alpha w_step, in log space; both are normalised, so is the mixture
        const double la = std::log(alpha), l1a = std::log1p(-alpha);
        for (int i = 0; i < n_comp; ++i) {
          if (infeasible[i]) continue;
          const double a = l1a + log_w[i], b = la + x[i] - log_s;
          const double hi = std::max(a, b);
          log_w[i] = hi + std::log1p(std::exp(std::min(a, b) - hi));
        }
      } else {
        for (int i = 0; i < n_comp; ++i)
          if (!infeasible[i]) log_w[i] = x[i] - log_s;
      }
      for (int i = 0; i < n_comp; ++i)
        if (!infeasible[i]) w[i] = std::exp(log_w[i]);
    }
    interrupt();
  }

  // Tail averaging: the mean of the last iterates (summed in a fixed order), measured once more,
  // and returned unless the last iterate's objective is lower. The gradient here is exact but for
  // the bank's Monte Carlo error, so the iterates do not jitter around the optimum as in
  // stochastic approximation: a fit that stops on the gap early (the 2-D moon stops after 28
  // iterations) would otherwise average in iterates from before it converged.
  if (n_avg && n_seen > 1) {
    const double last_objective = objective, last_gap = gap;
    const bool last_converged = res.converged;
    const std::size_t n_used = std::min<std::size_t>(n_seen, n_avg);
    std::vector<double> avg(n_comp, 0.0);
    for (std::size_t t = 0; t < n_used; ++t) {
      const std::vector<double>& it = tail[(n_seen - 1 - t) % n_avg];
      for (int i = 0; i < n_comp; ++i) avg[i] += it[i];
    }
    double s = 0.0;
    for (double& a : avg) s += a;
    for (double& a : avg) a /= s;
    measure(avg);
    if (objective <= last_objective) {
      w = avg;
      res.averaged = true;
      res.converged = last_converged || gap < opt.tol;
    } else {
      objective = last_objective;
      gap = last_gap;
    }
  }
  res.final_objective = objective;
  res.final_gap = gap;
  res.weights = w;
  return res;
}

}  // namespace gmasampler

#endif
