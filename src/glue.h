// Shared pieces of the Rcpp glue: threads through RcppParallel, interrupts through Rcpp, a mixture
// from its R list, and options lists read field by field into the core's structs.
#ifndef GMASAMPLER_GLUE_H
#define GMASAMPLER_GLUE_H

#include <Rcpp.h>
#include <RcppEigen.h>
#include <RcppParallel.h>

#include <set>
#include <string>
#include <vector>

#include <gmasampler/mixture.h>
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
// a few thousand indices, while one density evaluation or one tile of points can be worth a thread
// of its own. Ranges split into about eight pieces a thread; the core writes per-index outputs
// only, so the split never changes results.
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

// The components of an R gma_mixture: means (N x d), chols (d x d x N), df (N; Inf: Gaussian).
inline std::vector<Component> components(const Rcpp::List& mixture) {
  const Rcpp::NumericMatrix means = mixture["means"];
  const Rcpp::NumericVector chols = mixture["chols"];
  const std::vector<double> df = Rcpp::as<std::vector<double>>(mixture["df"]);
  const Eigen::MatrixXd means_t =
      Eigen::Map<const Eigen::MatrixXd>(means.begin(), means.nrow(), means.ncol()).transpose();
  if (static_cast<std::size_t>(chols.size()) !=
      static_cast<std::size_t>(means.ncol()) * means.ncol() * means.nrow())
    Rcpp::stop("the mixture's Cholesky factors do not match its means");
  try {
    return make_components(means_t, chols.begin(), df);
  } catch (const std::invalid_argument& e) {
    Rcpp::stop(e.what());
  }
}

// Reads a named R list into a struct, one field at a time; finish() refuses any name not read, and
// a name asked for but missing is an error too: no field is filled by a silent fallback.
class OptionList {
 public:
  OptionList(const Rcpp::List& list, const std::string& entry) : list_(list), entry_(entry) {
    SEXP nm = Rf_getAttrib(list, R_NamesSymbol);
    if (list.size() > 0 && Rf_isNull(nm)) Rcpp::stop(entry + ": the options must be named");
    if (!Rf_isNull(nm)) names_ = Rcpp::as<std::vector<std::string>>(nm);
  }
  double number(const char* name) { return Rcpp::as<double>(get(name)); }
  int integer(const char* name) { return Rcpp::as<int>(get(name)); }
  bool flag(const char* name) { return Rcpp::as<bool>(get(name)); }
  std::string text(const char* name) { return Rcpp::as<std::string>(get(name)); }
  void finish() const {
    for (const std::string& n : names_)
      if (!used_.count(n)) Rcpp::stop(entry_ + ": unknown option '" + n + "'");
  }

 private:
  SEXP get(const char* name) {
    for (std::size_t i = 0; i < names_.size(); ++i)
      if (names_[i] == name) {
        used_.insert(name);
        return list_[i];
      }
    Rcpp::stop(entry_ + ": option '" + std::string(name) + "' is missing");
  }
  Rcpp::List list_;
  std::string entry_;
  std::vector<std::string> names_;
  std::set<std::string> used_;
};

}  // namespace glue
}  // namespace gmasampler

#endif
