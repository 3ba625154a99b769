// Included first by every file of the glue, before any other header. A debug build
// (-DGMASAMPLER_DEBUG, as ../shared/tools/sanitize.sh builds) turns on bounds checks in every
// accessor: the core's own (gmasampler/debug.h), the standard library's (std::vector::operator[])
// and Eigen's (coefficient access), which R's -DNDEBUG and Makevars' -DEIGEN_NO_DEBUG turn off in a
// release build. A failed standard or Eigen check aborts: it is a bug in the package, for the
// sanitizer run to report. src/RcppExports.cpp is generated and does not include this file, so
// it runs without the standard library's and Eigen's checks (the core's own are on there too);
// setting the three flags in the debug build's CXXFLAGS would cover it.
#ifndef GMASAMPLER_CONFIG_H
#define GMASAMPLER_CONFIG_H

#ifdef GMASAMPLER_DEBUG
#define _GLIBCXX_ASSERTIONS 1
#undef NDEBUG
#undef EIGEN_NO_DEBUG
#endif

#endif
