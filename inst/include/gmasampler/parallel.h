// How the core runs loops: a caller-supplied parallel-for (RcppParallel in the package, anything in
// other code) and an interrupt check, both optional. Every loop the core hands out writes to
// per-index outputs only, so results do not depend on how ranges are split across threads.
#ifndef GMASAMPLER_PARALLEL_H
#define GMASAMPLER_PARALLEL_H

#include <cstddef>
#include <functional>

namespace gmasampler {

typedef std::function<void(std::size_t, std::size_t)> RangeFn;
// Runs body(b, e) over disjoint ranges covering [begin, end).
typedef std::function<void(std::size_t, std::size_t, const RangeFn&)> ParallelFor;
// Called from the calling thread between parallel sections; may throw to abandon the work.
typedef std::function<void()> InterruptCheck;

inline void serial_for(std::size_t begin, std::size_t end, const RangeFn& body) {
  if (begin < end) body(begin, end);
}

inline void no_interrupt() {}

// Runs body over [0, n) in blocks of at most block indices, checking for an interrupt after each.
inline void blocked_for(std::size_t n, std::size_t block, const ParallelFor& pfor,
                        const InterruptCheck& interrupt, const RangeFn& body) {
  if (block == 0) block = 1;
  for (std::size_t b = 0; b < n; b += block) {
    std::size_t e = b + block < n ? b + block : n;
    pfor(b, e, body);
    interrupt();
  }
}

}  // namespace gmasampler

#endif
