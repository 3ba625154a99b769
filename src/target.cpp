// Glue for compiled log densities: pointer checks, data conversion, parallel batch evaluation.
#include "config.h"  // first: the debug build's checks
#include <gmasampler.h>
#include <gmasampler/evaluate.h>

#include "glue.h"

using namespace Rcpp;

namespace {

// Empty string for a valid pointer made by gmasampler::make_log_density(), else what is wrong.
std::string xptr_problem(SEXP ptr) {
  if (TYPEOF(ptr) != EXTPTRSXP) return "is not an external pointer";
  SEXP tag = R_ExternalPtrTag(ptr);
  if (TYPEOF(tag) != SYMSXP || std::string(CHAR(PRINTNAME(tag))) != gmasampler::log_density_tag())
    return "is an external pointer that was not made by gmasampler::make_log_density()";
  auto* density = static_cast<gmasampler::LogDensity*>(R_ExternalPtrAddr(ptr));
  if (density == nullptr)
    return "is a null external pointer (pointers do not survive saveRDS(), serialisation or "
           "a new R session; create it again in this session)";
  const bool known = density->magic == gmasampler::LogDensity::kMagic ||
                     density->magic == gmasampler::LogDensity::kMagicV1;
  if (!known || density->fn == nullptr) return "does not hold a gmasampler log density";
  return "";
}

gmasampler::Data to_data(const List& data) {
  gmasampler::Data out;
  SEXP raw_names = Rf_getAttrib(data, R_NamesSymbol);
  CharacterVector names = Rf_isNull(raw_names) ? CharacterVector(data.size(), "")
                                               : CharacterVector(raw_names);
  for (R_xlen_t i = 0; i < data.size(); ++i) {
    NumericVector v = data[i];  // R has checked that each element is numeric
    gmasampler::Array a;
    a.name = as<std::string>(names[i]);
    a.values.assign(v.begin(), v.end());
    if (v.hasAttribute("dim")) a.dim = as<std::vector<int>>(v.attr("dim"));
    out.add(std::move(a));
  }
  return out;
}

}  // namespace

// The data of a compiled density converted once, so that batches do not copy them again.
// [[Rcpp::export(rng = false)]]
SEXP gma_density_data(List data) { return XPtr<gmasampler::Data>(new gmasampler::Data(to_data(data)), true); }

// [[Rcpp::export(rng = false)]]
String gma_xptr_problem(SEXP ptr) { return xptr_problem(ptr); }

// Whether a valid pointer's density may throw Rcpp::exception from worker threads: false for one
// wrapped where Rcpp's stack-trace recorder was on, or by the 0.2 header (which did not say).
// [[Rcpp::export(rng = false)]]
bool gma_xptr_thread_safe(SEXP ptr) {
  const auto* density = static_cast<const gmasampler::LogDensity*>(R_ExternalPtrAddr(ptr));
  return density->magic == gmasampler::LogDensity::kMagic && density->rcpp_exceptions_thread_safe;
}

// Evaluates a compiled log density at the columns of x (d x n) with its converted data. Returns the
// values, how many points threw, the first of them (1-based; 0 for none) and its message.
// [[Rcpp::export(rng = false)]]
List gma_evaluate_xptr(SEXP ptr, NumericMatrix x, SEXP data_ptr, List data, int threads) {
  std::string problem = xptr_problem(ptr);
  if (!problem.empty()) stop("log_density " + problem);
  const auto& density = *static_cast<gmasampler::LogDensity*>(R_ExternalPtrAddr(ptr));
  // the data converted once per target (gma_density_data()); a pointer that serialisation
  // emptied is made good from the list, for this batch only
  const auto* cached = static_cast<const gmasampler::Data*>(R_ExternalPtrAddr(data_ptr));
  gmasampler::Data converted;
  if (cached == nullptr) converted = to_data(data);
  const gmasampler::Data& cpp_data = cached != nullptr ? *cached : converted;
  gmasampler::BatchResult res = gmasampler::evaluate_batch(
      density, cpp_data, x.begin(), x.nrow(), x.ncol(), gmasampler::glue::parallel_for(threads, 2),
      gmasampler::glue::interrupt_check());
  return List::create(_["values"] = wrap(res.values), _["n_failed"] = static_cast<double>(res.n_failed),
                      _["first_failed"] = res.n_failed ? static_cast<double>(res.first_failed) + 1 : 0.0,
                      _["message"] = res.first_error);
}
