// Euclidean projection onto the probability simplex.
#ifndef GMASAMPLER_SIMPLEX_H
#define GMASAMPLER_SIMPLEX_H

#include <algorithm>
#include <functional>
#include <vector>

namespace gmasampler {

// argmin_{w in simplex} ||w - v||^2: sort v decreasingly, find the largest rho with
// v_(rho) > (cumsum_rho - 1) / rho, shift by theta = (cumsum_rho - 1) / rho and clip at zero.
// Exact zeros come out where the projection puts them. Entries flagged in `fixed_zero` are held at
// zero and take no part.
inline std::vector<double> project_simplex(const std::vector<double>& v,
                                           const std::vector<unsigned char>& fixed_zero) {
  std::vector<double> sorted;
  sorted.reserve(v.size());
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!fixed_zero[i]) sorted.push_back(v[i]);
  std::vector<double> w(v.size(), 0.0);
  if (sorted.empty()) return w;
  std::sort(sorted.begin(), sorted.end(), std::greater<double>());
  double cumsum = 0.0, theta = 0.0;
  for (std::size_t j = 0; j < sorted.size(); ++j) {
    cumsum += sorted[j];
    double t = (cumsum - 1.0) / static_cast<double>(j + 1);
    if (sorted[j] - t > 0.0) theta = t;
  }
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!fixed_zero[i]) w[i] = std::max(v[i] - theta, 0.0);
  return w;
}

inline std::vector<double> project_simplex(const std::vector<double>& v) {
  return project_simplex(v, std::vector<unsigned char>(v.size(), 0));
}

}  // namespace gmasampler

#endif
