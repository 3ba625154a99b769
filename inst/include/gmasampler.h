// gmasampler's C++ interface. The core headers (gmasampler/*.h) are free of R's API; this one adds
// the Rcpp helper that wraps a compiled log density into an external pointer.
//
//   // [[Rcpp::depends(gmasampler)]]
//   #include <gmasampler.h>
//   double my_lp(const double* x, int d, const gmasampler::Data& data) {
//     if (d != 2) gmasampler::fail("my_lp needs 2 parameters");  // throws gmasampler::density_error
//     ...
//   }
//   // [[Rcpp::export]]
//   SEXP my_lp_ptr() { return gmasampler::make_log_density(&my_lp); }
//
// A log density runs in worker threads. To report a failure, throw gmasampler::density_error (or
// call gmasampler::fail()); any std::exception works. Rcpp::stop() works too, but only when
// Rcpp's stack-trace recorder is off in the translation unit: Rcpp::exception's constructor
// records a stack trace through a demangler that writes one static buffer, so Rcpp::stop() from
// two threads at once corrupts the heap and aborts R. This header turns the recorder off when it
// is included before <Rcpp.h>, and `Rcpp::depends(gmasampler)` in sourceCpp() or cppFunction()
// turns it off by a compiler flag (the package's inline plugin); a package that links to
// gmasampler can add -DRCPP_DEMANGLER_ENABLED=0 to PKG_CPPFLAGS. A density wrapped where the
// recorder is on is evaluated in one thread, with a warning saying why.
#ifndef GMASAMPLER_H
#define GMASAMPLER_H

#ifndef RCPP_DEMANGLER_ENABLED
#define RCPP_DEMANGLER_ENABLED 0
#endif
#include <Rcpp.h>

#include "gmasampler/log_density.h"

namespace gmasampler {

// The tag every log-density pointer carries; gma_sample() checks it.
inline const char* log_density_tag() { return "gmasampler_log_density"; }

// Wraps fn into an external pointer that gma_sample() and gma_target() accept. It records whether
// Rcpp's stack-trace recorder is off here, in the translation unit that wraps fn.
inline SEXP make_log_density(LogDensityFn fn) {
  if (fn == nullptr) Rcpp::stop("make_log_density: the function pointer is null");
  Rcpp::XPtr<LogDensity> ptr(new LogDensity(fn, !RCPP_DEMANGLER_ENABLED), true,
                             Rf_install(log_density_tag()), R_NilValue);
  ptr.attr("class") = "gma_log_density";
  return ptr;
}

}  // namespace gmasampler

#endif
