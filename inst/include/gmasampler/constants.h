// Numerical constants of the core (M_PI is not standard C++).
#ifndef GMASAMPLER_CONSTANTS_H
#define GMASAMPLER_CONSTANTS_H

namespace gmasampler {

constexpr double kPi = 3.141592653589793238462643383279502884;

}  // namespace gmasampler

#endif
