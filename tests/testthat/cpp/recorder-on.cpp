// A density wrapped where Rcpp records stack traces, as in a package file that includes <Rcpp.h>
// before <gmasampler.h> without -DRCPP_DEMANGLER_ENABLED=0 (the plugin's flag is undone here).
// [[Rcpp::depends(gmasampler)]]
#include <execinfo.h>
#undef RCPP_DEMANGLER_ENABLED
#define RCPP_DEMANGLER_ENABLED 1
#include <Rcpp.h>
#include <gmasampler.h>

namespace {

double recorder_on_lp(const double* x, int, const gmasampler::Data&) {
  if (x[0] > 1.0) Rcpp::stop("x[0] is above one");
  return -0.5 * x[0] * x[0];
}

}  // namespace

// [[Rcpp::export(rng = false)]]
SEXP recorder_on_density() { return gmasampler::make_log_density(&recorder_on_lp); }
