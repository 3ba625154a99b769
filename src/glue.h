// Shared pieces of the Rcpp glue: threads through RcppParallel, interrupts through Rcpp.
#ifndef GMASAMPLER_GLUE_H
#define GMASAMPLER_GLUE_H

#include <Rcpp.h>
#include <RcppParallel.h>

#include <gmasampler/parallel.h>

namespace gmasampler {
namespace glue {

struct RangeWorker : public RcppParallel::Worker {
  const RangeFn& body;
  explicit RangeWorker(const RangeFn& f) : body(f) {}
  void operator()(std::size_t begin, std::size_t end) { body(begin, end); }
};

// A parallel-for over `threads` threads. A range shorter than min_range runs inline: for cheap
// per-index work (a row of the weight fit) the threads' start-up costs more than they save below
// a few thousand indices, while one density evaluation can be worth a thread of its own. Ranges
// split into about eight pieces a thread; the core writes per-index outputs only, so the split
// never changes results.
inline ParallelFor parallel_for(int threads, std::size_t min_range = 2048) {
  return [threads, min_range](std::size_t begin, std::size_t end, const RangeFn& body) {
    if (begin >= end) return;
    if (threads <= 1 || end - begin < min_range || end - begin < 2) {
      body(begin, end);
      return;
    }
    std::size_t grain = (end - begin) / (8 * static_cast<std::size_t>(threads));
    RangeWorker worker(body);
    RcppParallel::parallelFor(begin, end, worker, grain < 1 ? 1 : grain, threads);
  };
}

inline InterruptCheck interrupt_check() {
  return [] { Rcpp::checkUserInterrupt(); };
}

}  // namespace glue
}  // namespace gmasampler

#endif
