// Batch evaluation of a compiled log density.
#ifndef GMASAMPLER_EVALUATE_H
#define GMASAMPLER_EVALUATE_H

#include <exception>
#include <limits>
#include <mutex>
#include <string>
#include <vector>

#include "log_density.h"
#include "parallel.h"

namespace gmasampler {

struct BatchResult {
  std::vector<double> values;    // log p at each point; NaN where the call threw
  std::size_t n_failed = 0;      // the points where the call threw
  std::size_t first_failed = 0;  // the first of them by index (when n_failed > 0)
  std::string first_error;       // and its exception's message
};

// The first failure by index among those reported from any thread: which one is kept does not
// depend on how the threads split the work. Failures are rare, so one lock is cheap.
class FirstFailure {
 public:
  void report(std::size_t i, const char* what) {
    std::lock_guard<std::mutex> lock(mutex_);
    ++count_;
    if (count_ > 1 && i > index_) return;
    index_ = i;
    try {
      message_ = what;
    } catch (...) {  // no memory for the message: keep the count and the index
      message_.clear();
    }
  }
  std::size_t count() const { return count_; }
  std::size_t index() const { return index_; }
  const std::string& message() const { return message_; }

 private:
  std::mutex mutex_;
  std::size_t count_ = 0, index_ = 0;
  std::string message_;
};

// Evaluates fn at n points stored point by point (x[i * d + k] is coordinate k of point i).
// Whatever a call throws is caught in its own thread and counted: no exception crosses a thread,
// and the batch keeps the first failure by index. Nothing here touches R, and the memory used is
// the n values.
inline BatchResult evaluate_batch(const LogDensity& density, const Data& data, const double* x,
                                  int d, std::size_t n, const ParallelFor& pfor,
                                  const InterruptCheck& interrupt, std::size_t block = 1024) {
  BatchResult out;
  out.values.assign(n, std::numeric_limits<double>::quiet_NaN());
  FirstFailure failure;
  blocked_for(n, block, pfor, interrupt, [&](std::size_t b, std::size_t e) {
    for (std::size_t i = b; i < e; ++i) {
      try {
        out.values[i] = density.fn(x + i * static_cast<std::size_t>(d), d, data);
      } catch (const std::exception& err) {
        failure.report(i, err.what());
      } catch (...) {
        failure.report(i, "an exception that is not a std::exception (throw gmasampler::density_error)");
      }
    }
  });
  out.n_failed = failure.count();
  out.first_failed = failure.index();
  out.first_error = failure.message();
  return out;
}

}  // namespace gmasampler

#endif
