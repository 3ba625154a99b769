// Bounds checks of the core's accessors for a debug build. With -DGMASAMPLER_DEBUG (as
// ../shared/tools/sanitize.sh builds) every index an accessor is given is checked, and one out of
// range throws std::out_of_range naming the accessor; a release build compiles the checks out, as
// they sit in inner loops. (The glue's src/config.h turns on the standard library's and Eigen's
// checks in the same build.) Always-checked access to a density's data is Array::at().
#ifndef GMASAMPLER_DEBUG_H
#define GMASAMPLER_DEBUG_H

#include <cstddef>
#include <stdexcept>
#include <string>

namespace gmasampler {

inline void check_index(std::size_t i, std::size_t n, const char* where) {
  if (i >= n)
    throw std::out_of_range(std::string(where) + ": index " + std::to_string(i) +
                            " is out of range [0, " + std::to_string(n) + ")");
}

}  // namespace gmasampler

#ifdef GMASAMPLER_DEBUG
#define GMASAMPLER_DEBUG_INDEX(i, n, where) ::gmasampler::check_index((i), (n), (where))
#else
#define GMASAMPLER_DEBUG_INDEX(i, n, where) static_cast<void>(0)
#endif

#endif
