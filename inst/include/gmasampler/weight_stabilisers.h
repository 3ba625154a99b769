// The pieces around an update rule in the W-GMA weight fit: the step size, the stabilisers of the
// paper's notebooks (tempering, entropy regularisation, mirror temperature, convex mixing; heavy-
// ball momentum is applied by the fit on the rule's coordinates), the stall rule and tail
// averaging. Each is small and independent of the rule it stabilises.
#ifndef GMASAMPLER_WEIGHT_STABILISERS_H
#define GMASAMPLER_WEIGHT_STABILISERS_H

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "weight_updates.h"
#include "wgma_options.h"

namespace gmasampler {

// eta_k of the step schedule, divided (with `normalize`) by the direction's spread
// max_i |d_i - w.d|: the gradient scales with |log p|, so a fixed eta0 suits one target and not the
// next; normalising bounds each iteration's move whatever that scale.
class StepSize {
 public:
  explicit StepSize(const WgmaOptions& opt) : eta0_(opt.eta0), normalize_(opt.normalize) {
    if (opt.step == "inverse") kind_ = Kind::inverse;
    else if (opt.step == "inverse_sqrt") kind_ = Kind::inverse_sqrt;
    else if (opt.step == "constant") kind_ = Kind::constant;
    else throw std::invalid_argument("unknown step schedule '" + opt.step + "'");
  }
  double at(int k, const std::vector<double>& dir, const std::vector<double>& w,
            const std::vector<unsigned char>& infeasible) const {
    double eta = eta0_;
    if (kind_ == Kind::inverse) eta = eta0_ / k;
    else if (kind_ == Kind::inverse_sqrt) eta = eta0_ / std::sqrt(static_cast<double>(k));
    if (!normalize_) return eta;
    double w_dot_d = 0.0, spread = 0.0;
    for (std::size_t i = 0; i < dir.size(); ++i)
      if (!infeasible[i]) w_dot_d += w[i] * dir[i];
    for (std::size_t i = 0; i < dir.size(); ++i)
      if (!infeasible[i]) spread = std::max(spread, std::fabs(dir[i] - w_dot_d));
    return spread > 0.0 ? eta / spread : eta;
  }

 private:
  enum class Kind { constant, inverse_sqrt, inverse };
  Kind kind_;
  double eta0_;
  bool normalize_;
};

// The annealed stabilisers. Their schedules run over the first `anneal` iterations (an absolute
// count: max_iter is a cap, and most fits stop on the gap long before it), frac = min(1, (k - 1) /
// anneal) at iteration k. They change only the step: the objective, the gap and so the stopping
// rule stay those of the untempered, unregularised objective.
class Stabilisers {
 public:
  // convex mixing never falls below this step fraction
  static constexpr double kMixingMin = 0.05;

  struct At {
    double beta;    // tempering: the step uses beta log p
    double lambda;  // entropy regularisation: lambda (1 + log w_i) added to the direction
    double tau;     // mirror temperature dividing the stepped coordinates
    double alpha;   // convex mixing: w <- (1 - alpha) w + alpha w_step (1: none)
  };

  explicit Stabilisers(const WgmaOptions& opt) : opt_(opt) {
    if (opt.anneal < 1 || !(opt.temper > 0.0 && opt.temper <= 1.0) || !(opt.entropy >= 0.0) ||
        !(opt.mirror_temperature > 0.0) || !(opt.mixing >= 0.0 && opt.mixing <= 1.0) ||
        !(opt.momentum >= 0.0 && opt.momentum < 1.0) || opt.average < 0)
      throw std::invalid_argument("weight fit: a stabiliser setting is out of range");
  }
  // Whether a schedule runs (the stall rule waits for it to end).
  bool annealing() const {
    return opt_.temper < 1.0 || opt_.entropy > 0.0 || opt_.mirror_temperature != 1.0 || opt_.mixing > 0.0;
  }
  At at(int k) const {
    const double mixing_min = kMixingMin;  // a copy: std::max takes references
    const double frac = std::min(1.0, static_cast<double>(k - 1) / opt_.anneal);
    return {opt_.temper + (1.0 - opt_.temper) * frac, opt_.entropy * (1.0 - frac),
            opt_.mirror_temperature + (1.0 - opt_.mirror_temperature) * frac,
            opt_.mixing > 0.0 ? std::max(mixing_min, opt_.mixing * (1.0 - frac)) : 1.0};
  }
  // The direction of a step: the gradient of the tempered (g_i + (1 - beta) E_i[log p]) and
  // entropy-regularised objective; zero weights (projected gradient) count as exp(log_floor).
  void direction(const std::vector<double>& grad, const WeightState& s, const At& a,
                 const std::vector<double>& mean_log_p, const std::vector<unsigned char>& infeasible,
                 std::vector<double>& dir) const {
    for (std::size_t i = 0; i < grad.size(); ++i) {
      if (infeasible[i]) continue;
      double d = grad[i];
      if (a.beta < 1.0) d += (1.0 - a.beta) * mean_log_p[i];
      if (a.lambda > 0.0) {
        const double lw = s.w[i] > 0.0 ? std::max(s.log_w[i], opt_.log_floor) : opt_.log_floor;
        d += a.lambda * (1.0 + lw);
      }
      dir[i] = d;
    }
  }

 private:
  const WgmaOptions& opt_;
};

// Tells when the fit stalls: over the last `window` iterations the weights moved less than `mass`
// in total variation and the objective fell by less than `drop`. The Frank-Wolfe gap can stay open
// for hundreds of iterations while far-tail components creep toward optima near 1e-13 and change
// no draw (2-D banana: the objective is lowest at iteration 73, the gap below 1e-2 only at
// iteration 340). A fit that has collapsed onto a few components stalls too, but with a gap of
// tens of nats: the fit counts a stall as convergence only below 100 tol (good stalls measured
// 0.001 to 0.034, collapses over 0.5).
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

// The mean of the last `length` iterates (length <= 1: none kept), summed in a fixed order.
class TailAverage {
 public:
  explicit TailAverage(int length) : n_(length > 1 ? length : 0), tail_(n_) {}
  bool active() const { return n_ > 0 && seen_ > 1; }
  void add(const std::vector<double>& w) {
    if (n_) tail_[seen_++ % n_] = w;
  }
  std::vector<double> mean() const {
    const std::size_t used = std::min<std::size_t>(seen_, n_);
    std::vector<double> avg(tail_[0].size(), 0.0);
    for (std::size_t t = 0; t < used; ++t) {
      const std::vector<double>& it = tail_[(seen_ - 1 - t) % n_];
      for (std::size_t i = 0; i < avg.size(); ++i) avg[i] += it[i];
    }
    double s = 0.0;
    for (double a : avg) s += a;
    for (double& a : avg) a /= s;
    return avg;
  }

 private:
  std::size_t n_;
  std::vector<std::vector<double>> tail_;
  std::size_t seen_ = 0;
};

}  // namespace gmasampler

#endif
