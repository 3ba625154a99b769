// Resampling: turn weights and uniforms into indices. The uniforms come from the caller (R's RNG in
// the package), so results follow set.seed().
#ifndef GMASAMPLER_RESAMPLE_H
#define GMASAMPLER_RESAMPLE_H

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace gmasampler {

enum class Resampling { stratified, systematic, multinomial };

// Positions in [0, 1) for n draws: stratified (k + u_k) / n, systematic (k + u_0) / n, multinomial
// the uniforms themselves, sorted. u must hold n values for stratified and multinomial, one for
// systematic. The positions come out increasing.
inline std::vector<double> resampling_positions(Resampling scheme, const std::vector<double>& u,
                                                std::size_t n) {
  std::vector<double> pos(n);
  const bool one = scheme == Resampling::systematic;
  if (u.size() < (one ? 1 : n)) throw std::invalid_argument("resampling: too few uniforms");
  for (std::size_t k = 0; k < n; ++k) {
    if (scheme == Resampling::multinomial) pos[k] = u[k];
    else pos[k] = (static_cast<double>(k) + u[one ? 0 : k]) / static_cast<double>(n);
  }
  if (scheme == Resampling::multinomial) std::sort(pos.begin(), pos.end());
  return pos;
}

// Inverts the cumulative weights at increasing positions: index i is returned for each position in
// [W_{i-1}, W_i), W the cumulative sum of w / sum(w). Stratified and systematic positions give each
// index floor(n w_i) or ceil(n w_i) times. Zero weights are never returned.
inline std::vector<int> invert_cdf(const std::vector<double>& w, const std::vector<double>& pos) {
  double total = 0.0;
  for (double wi : w) {
    if (!(wi >= 0.0)) throw std::invalid_argument("resampling: weights must be non-negative");
    total += wi;
  }
  if (!(total > 0.0)) throw std::invalid_argument("resampling: weights sum to zero");
  std::vector<int> idx(pos.size());
  std::size_t i = 0;
  int last = -1;  // the last index with positive weight, against rounding at the top end
  for (std::size_t j = 0; j < w.size(); ++j)
    if (w[j] > 0.0) last = static_cast<int>(j);
  double cum = w.empty() ? 0.0 : w[0] / total;
  for (std::size_t k = 0; k < pos.size(); ++k) {
    while (i + 1 < w.size() && (pos[k] >= cum || w[i] == 0.0)) {
      ++i;
      cum += w[i] / total;
    }
    idx[k] = static_cast<int>(i) > last ? last : static_cast<int>(i);
  }
  return idx;
}

}  // namespace gmasampler

#endif
