// Update rules of the W-GMA weight fit: how a step along a direction moves weights on the simplex.
// A rule names the coordinates the step is taken in and how stepped coordinates return to the
// simplex; the fit (wgma.h) adds the step size, momentum, temperature and mixing around it. To add
// an optimiser, write one UpdateRule and give it a name and default settings in
// weight_optimizers().
#ifndef GMASAMPLER_WEIGHT_UPDATES_H
#define GMASAMPLER_WEIGHT_UPDATES_H

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "simplex.h"

namespace gmasampler {

// Weights with their logs; infeasible components sit at w = 0, log w = -Inf.
struct WeightState {
  std::vector<double> w, log_w;

  explicit WeightState(const std::vector<double>& weights) : w(weights), log_w(weights.size()) {
    for (std::size_t i = 0; i < w.size(); ++i)
      log_w[i] = w[i] > 0.0 ? std::log(w[i]) : -std::numeric_limits<double>::infinity();
  }
};

class UpdateRule {
 public:
  virtual ~UpdateRule() = default;
  // The coordinate of component i that a step moves.
  virtual double coordinate(const WeightState& s, std::size_t i) const = 0;
  // Maps stepped coordinates x back onto the simplex, into s; infeasible components stay at zero.
  virtual void to_simplex(const std::vector<double>& x, const std::vector<unsigned char>& infeasible,
                          WeightState& s) const = 0;
  // s <- (1 - alpha) old + alpha s.
  virtual void mix(const WeightState& old, double alpha, const std::vector<unsigned char>& infeasible,
                   WeightState& s) const = 0;
  // Whether a temperature may divide the stepped coordinates.
  virtual bool takes_temperature() const { return false; }
};

// Mirror descent with the entropy (exponentiated gradient), in log space so that small weights do
// not underflow to zero: log w <- log w - eta g, renormalised.
class MirrorDescent : public UpdateRule {
 public:
  double coordinate(const WeightState& s, std::size_t i) const override { return s.log_w[i]; }
  void to_simplex(const std::vector<double>& x, const std::vector<unsigned char>& infeasible,
                  WeightState& s) const override {
    double mx = -std::numeric_limits<double>::infinity(), sum = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!infeasible[i]) mx = std::max(mx, x[i]);
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!infeasible[i]) sum += std::exp(x[i] - mx);
    const double log_sum = mx + std::log(sum);
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (infeasible[i]) continue;
      s.log_w[i] = x[i] - log_sum;
      s.w[i] = std::exp(s.log_w[i]);
    }
  }
  void mix(const WeightState& old, double alpha, const std::vector<unsigned char>& infeasible,
           WeightState& s) const override {
    // both are normalised, so is the mixture; summed in log space
    const double la = std::log(alpha), l1a = std::log1p(-alpha);
    for (std::size_t i = 0; i < s.w.size(); ++i) {
      if (infeasible[i]) continue;
      const double a = l1a + old.log_w[i], b = la + s.log_w[i];
      const double hi = std::max(a, b);
      s.log_w[i] = hi + std::log1p(std::exp(std::min(a, b) - hi));
      s.w[i] = std::exp(s.log_w[i]);
    }
  }
  bool takes_temperature() const override { return true; }
};

// Projected gradient descent: w <- the Euclidean projection of w - eta g onto the simplex, which
// puts exact zeros where it projects to the boundary.
class ProjectedGradient : public UpdateRule {
 public:
  double coordinate(const WeightState& s, std::size_t i) const override { return s.w[i]; }
  void to_simplex(const std::vector<double>& x, const std::vector<unsigned char>& infeasible,
                  WeightState& s) const override {
    std::vector<double> v(x);
    for (std::size_t i = 0; i < v.size(); ++i)
      if (infeasible[i]) v[i] = 0.0;
    s = WeightState(project_simplex(v, infeasible));
  }
  void mix(const WeightState& old, double alpha, const std::vector<unsigned char>&,
           WeightState& s) const override {
    for (std::size_t i = 0; i < s.w.size(); ++i) s.w[i] = (1.0 - alpha) * old.w[i] + alpha * s.w[i];
    s = WeightState(s.w);
  }
};

// The defaults of an optimiser's settings (each documented in wgma_control()).
struct OptimizerDefaults {
  const char* step;
  double eta0;
  bool normalize;
  double momentum;
};

struct OptimizerEntry {
  const char* name;
  OptimizerDefaults defaults;
  std::unique_ptr<UpdateRule> (*make)();
};

// The optimisers by name, with their defaults. Mirror descent: step 1 (the objective is 1-smooth
// relative to the entropy, see wgma_options.h) and momentum 0.5 (measured: the same optimum in
// fewer iterations). Projected gradient: Euclidean steps depend on the scale of log p, so they are
// normalised by the gradient's spread and decrease as 1 / sqrt(k).
inline const std::vector<OptimizerEntry>& weight_optimizers() {
  static const std::vector<OptimizerEntry> entries = {
      {"mirror", {"constant", 1.0, false, 0.5},
       [] { return std::unique_ptr<UpdateRule>(new MirrorDescent()); }},
      {"pgd", {"inverse_sqrt", 0.1, true, 0.0},
       [] { return std::unique_ptr<UpdateRule>(new ProjectedGradient()); }},
  };
  return entries;
}

inline std::unique_ptr<UpdateRule> make_update_rule(const std::string& name) {
  for (const OptimizerEntry& e : weight_optimizers())
    if (name == e.name) return e.make();
  throw std::invalid_argument("unknown weight optimizer '" + name + "'");
}

}  // namespace gmasampler

#endif
