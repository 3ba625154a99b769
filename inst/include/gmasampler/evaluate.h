// Batch evaluation of a compiled log density.
#ifndef GMASAMPLER_EVALUATE_H
#define GMASAMPLER_EVALUATE_H

#include <exception>
#include <limits>
#include <string>
#include <vector>

#include "log_density.h"
#include "parallel.h"

namespace gmasampler {

struct BatchResult {
  std::vector<double> values;        // log p at each point; NaN where the call threw
  std::vector<std::string> errors;   // the exception's message where a call threw, else empty
  bool any_error = false;
};

// Evaluates fn at n points stored point by point (x[i * d + k] is coordinate k of point i).
// Exceptions are caught inside the worker and reported per point: none crosses a thread.
inline BatchResult evaluate_batch(const LogDensity& density, const Data& data, const double* x,
                                  int d, std::size_t n, const ParallelFor& pfor,
                                  const InterruptCheck& interrupt, std::size_t block = 1024) {
  BatchResult out;
  out.values.assign(n, std::numeric_limits<double>::quiet_NaN());
  out.errors.assign(n, std::string());
  std::vector<unsigned char> failed(n, 0);
  blocked_for(n, block, pfor, interrupt, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) {
      try {
        out.values[i] = density.fn(x + i * static_cast<std::size_t>(d), d, data);
      } catch (const std::exception& err) {
        failed[i] = 1;
        out.errors[i] = err.what();
      } catch (...) {
        failed[i] = 1;
        out.errors[i] = "unknown C++ exception";
      }
    }
  });
  for (unsigned char f : failed) out.any_error = out.any_error || f;
  return out;
}

}  // namespace gmasampler

#endif
