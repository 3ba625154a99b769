// The settings of the W-GMA weight fit: one field for each setting of wgma_control() that the fit
// reads (the glue maps R's list onto this struct name by name).
#ifndef GMASAMPLER_WGMA_OPTIONS_H
#define GMASAMPLER_WGMA_OPTIONS_H

#include <string>

namespace gmasampler {

struct WgmaOptions {
  std::string optimizer = "mirror";  // an update rule of weight_updates.h, by name
  std::string step = "constant";     // step schedule: "constant", "inverse_sqrt" or "inverse"
  // 1 is the natural mirror step whatever the target: F(w) = KL(q_w || p) has Bregman divergence
  // F(w) - F(v) - <grad F(v), w - v> = KL(q_w || q_v) <= KL(w || v), so F is 1-smooth relative to
  // the negative entropy of w, for which mirror descent with step 1 / L = 1 converges (Bauschke,
  // Bolte and Teboulle 2017; Lu, Freund and Nesterov 2018). log p enters F linearly, so its scale
  // does not matter.
  double eta0 = 1.0;
  int max_iter = 1000;
  double tol = 1e-3;                 // stop when the Frank-Wolfe gap falls below tol
  std::string gradient = "own";      // "own": each component's own bank; "pooled": the whole bank
  bool normalize = false;            // divide the step by the gradient's spread max_i |g_i - w.g|
  double log_floor = -32.0;          // log q is floored at row max + log_floor
  bool keep_weights = true;          // keep every iterate's weights in the trace

  // Stabilisers (weight_stabilisers.h). All but momentum are off at these values. The schedules
  // run over the first `anneal` iterations, with frac = min(1, (k - 1) / anneal) at iteration k.
  int anneal = 100;
  double temper = 1.0;               // beta_k = temper + (1 - temper) frac multiplies log p
  double entropy = 0.0;              // lambda_k (1 + log w_i) is added, lambda_k = entropy (1 - frac)
  double mirror_temperature = 1.0;   // tau_k = tau_0 + (1 - tau_0) frac divides a mirror step
  double mixing = 0.0;               // alpha_k = max(0.05, mixing (1 - frac)); 0: off
  double momentum = 0.5;             // heavy ball on the rule's coordinates
  int average = 0;                   // > 1: the mean of the last `average` iterates
};

}  // namespace gmasampler

#endif
