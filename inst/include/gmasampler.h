// gmasampler's C++ interface. The core headers (gmasampler/*.h) are free of R's API; this one adds
// the Rcpp helper that wraps a compiled log density into an external pointer.
//
//   // [[Rcpp::depends(gmasampler)]]
//   #include <gmasampler.h>
//   double my_lp(const double* x, int d, const gmasampler::Data& data) { ... }
//   // [[Rcpp::export]]
//   SEXP my_lp_ptr() { return gmasampler::make_log_density(&my_lp); }
#ifndef GMASAMPLER_H
#define GMASAMPLER_H

#include <Rcpp.h>

#include "gmasampler/log_density.h"

namespace gmasampler {

// The tag every log-density pointer carries; gma_sample() checks it.
inline const char* log_density_tag() { return "gmasampler_log_density"; }

// Wraps fn into an external pointer that gma_sample() and gma_target() accept.
inline SEXP make_log_density(LogDensityFn fn) {
  if (fn == nullptr) Rcpp::stop("make_log_density: the function pointer is null");
  Rcpp::XPtr<LogDensity> ptr(new LogDensity(fn), true, Rf_install(log_density_tag()), R_NilValue);
  ptr.attr("class") = "gma_log_density";
  return ptr;
}

}  // namespace gmasampler

#endif
