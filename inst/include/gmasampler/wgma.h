// W-GMA: fit the weights of fixed components by minimising a sample estimate of the reverse KL
// divergence KL(q_w || p) over the simplex. The pieces: the oracle (weight_objective.h), an update
// rule (weight_updates.h), and the step size, stabilisers, stall rule and averaging
// (weight_stabilisers.h); this file runs them.
#ifndef GMASAMPLER_WGMA_H
#define GMASAMPLER_WGMA_H

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

#include "log_pdf_matrix.h"
#include "parallel.h"
#include "weight_objective.h"
#include "weight_stabilisers.h"
#include "weight_updates.h"
#include "wgma_options.h"

namespace gmasampler {

struct WgmaResult {
  std::vector<double> weights;
  std::vector<double> objective;     // estimate of KL(q_w || p) - log Z before each step
  std::vector<double> gap;           // Frank-Wolfe gap before each step
  std::vector<double> step;          // step size used at each iteration
  std::vector<double> weight_trace;  // iterations x components, row-major by iteration
  std::vector<unsigned char> infeasible;  // components held at zero (a bank point with p = 0)
  int iterations = 0;
  bool feasible = true;              // some component with a positive start weight is feasible
  bool converged = false;
  bool stalled = false;              // stopped because the weights stopped moving
  double final_objective = 0.0;      // objective and gap at the returned weights (with averaging,
  double final_gap = 0.0;            // the mean of the last iterates, measured after the loop)
  bool averaged = false;             // the returned weights are the tail average
};

// Fits the weights of the components of m, starting from w. The fit stops when the Frank-Wolfe gap
// falls below opt.tol, or stalls (StallDetector) with a gap below 100 tol once the schedules have
// ended, or at max_iter. (Leaving light components out of the gap's min was tried: it did not
// shorten fits at the default step, and it let a fit collapsed onto one component report
// convergence.) With no feasible component of positive weight, returns feasible = false.
inline WgmaResult fit_weights(const LogPdfMatrix& m, const std::vector<double>& log_p, int per_comp,
                              std::vector<double> w, const WgmaOptions& opt, const ParallelFor& pfor,
                              const InterruptCheck& interrupt) {
  const int n_comp = m.n_cols;
  if (w.size() != static_cast<std::size_t>(n_comp))
    throw std::invalid_argument("weight fit: the starting weights do not match the components");
  WeightObjective objective(m, log_p, per_comp, opt.gradient == "pooled", opt.log_floor, pfor);
  if (opt.gradient != "pooled" && opt.gradient != "own")
    throw std::invalid_argument("unknown gradient estimator '" + opt.gradient + "'");
  const std::unique_ptr<UpdateRule> rule = make_update_rule(opt.optimizer);
  const StepSize step_size(opt);
  const Stabilisers stabilisers(opt);
  if (opt.mirror_temperature != 1.0 && !rule->takes_temperature())
    throw std::invalid_argument("weight fit: optimizer '" + opt.optimizer + "' takes no mirror temperature");
  const std::vector<unsigned char>& infeasible = objective.infeasible();

  WgmaResult res;
  res.infeasible = infeasible;
  double total = 0.0;
  for (int i = 0; i < n_comp; ++i) {
    if (infeasible[i]) w[i] = 0.0;
    total += w[i];
  }
  if (!(total > 0.0)) {
    res.feasible = false;
    return res;
  }
  for (double& wi : w) wi /= total;

  WeightState state(w);
  const std::vector<double> mean_log_p = opt.temper < 1.0 ? objective.mean_log_p() : std::vector<double>();
  StallDetector stall(20, opt.tol, opt.tol / 10);
  TailAverage tail(opt.average);
  const int schedule_end = stabilisers.annealing() ? opt.anneal : 0;
  std::vector<double> dir(n_comp), x(n_comp), prev(n_comp);
  for (int i = 0; i < n_comp; ++i) prev[i] = rule->coordinate(state, i);

  for (int k = 1; k <= opt.max_iter + 1; ++k) {
    objective.evaluate(state.w);
    tail.add(state.w);
    if (k > opt.max_iter) {  // the last pass only measures the final weights
      res.converged = objective.gap() < opt.tol;
      break;
    }
    res.objective.push_back(objective.objective());
    res.gap.push_back(objective.gap());
    if (opt.keep_weights) res.weight_trace.insert(res.weight_trace.end(), state.w.begin(), state.w.end());
    if (objective.gap() < opt.tol) {
      res.converged = true;
      break;
    }
    if (stall.update(state.w, objective.objective()) && k > schedule_end && objective.gap() < 100 * opt.tol) {
      res.converged = res.stalled = true;
      break;
    }

    const Stabilisers::At at = stabilisers.at(k);
    stabilisers.direction(objective.gradient(), state, at, mean_log_p, infeasible, dir);
    const double eta = step_size.at(k, dir, state.w, infeasible);
    res.step.push_back(eta);
    res.iterations = k;
    // a heavy-ball step on the rule's coordinates, divided by the temperature
    for (int i = 0; i < n_comp; ++i) {
      if (infeasible[i]) continue;
      const double c = rule->coordinate(state, i);
      x[i] = c - eta * dir[i];
      if (opt.momentum > 0.0) x[i] += opt.momentum * (c - prev[i]);
      if (at.tau != 1.0) x[i] /= at.tau;
      prev[i] = c;
    }
    if (at.alpha < 1.0) {
      const WeightState old = state;
      rule->to_simplex(x, infeasible, state);
      rule->mix(old, at.alpha, infeasible, state);
    } else {
      rule->to_simplex(x, infeasible, state);
    }
    interrupt();
  }

  // Tail averaging: the mean of the last iterates, measured once more, and returned unless the last
  // iterate's objective is lower. The gradient here is exact but for the bank's Monte Carlo error,
  // so the iterates do not jitter around the optimum as in stochastic approximation: a fit that
  // stops on the gap early would otherwise average in iterates from before it converged.
  double final_objective = objective.objective(), final_gap = objective.gap();
  if (tail.active()) {
    const std::vector<double> avg = tail.mean();
    objective.evaluate(avg);
    if (objective.objective() <= final_objective) {
      state = WeightState(avg);
      res.averaged = true;
      res.converged = res.converged || objective.gap() < opt.tol;
      final_objective = objective.objective();
      final_gap = objective.gap();
    }
  }
  res.final_objective = final_objective;
  res.final_gap = final_gap;
  res.weights = state.w;
  return res;
}

}  // namespace gmasampler

#endif
