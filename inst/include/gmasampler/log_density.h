// The public interface of a compiled log density. Free of R's API: a log density written against
// this header runs inside worker threads.
#ifndef GMASAMPLER_LOG_DENSITY_H
#define GMASAMPLER_LOG_DENSITY_H

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace gmasampler {

// The exception a log density throws to report a failure at a point: gma_sample() stops with its
// message and the point. It holds only its message, so it is safe to make in any thread.
class density_error : public std::runtime_error {
 public:
  explicit density_error(const std::string& what) : std::runtime_error(what) {}
};

// Throws density_error(message): the stand-in for Rcpp::stop() inside a log density.
[[noreturn]] inline void fail(const std::string& message) { throw density_error(message); }

// One numeric array handed over from R, copied once before any thread starts. Values are in R's
// column-major order; dim is empty for a plain vector.
struct Array {
  std::string name;
  std::vector<double> values;
  std::vector<int> dim;

  std::size_t size() const { return values.size(); }
  const double* data() const { return values.data(); }
  int nrow() const { return dim.size() >= 1 ? dim[0] : static_cast<int>(values.size()); }
  int ncol() const { return dim.size() >= 2 ? dim[1] : 1; }

  // Element i, zero-based, checked: an index out of range throws density_error naming the array,
  // which gma_sample() reports with the point.
  double at(std::ptrdiff_t i) const {
    if (i < 0 || static_cast<std::size_t>(i) >= values.size())
      fail(label() + ": index " + std::to_string(i) + " is out of range (" +
           std::to_string(values.size()) + " values)");
    return values[static_cast<std::size_t>(i)];
  }
  // Element (i, j) of a matrix, zero-based, checked.
  double at(std::ptrdiff_t i, std::ptrdiff_t j) const {
    const std::ptrdiff_t rows = nrow(), cols = rows > 0 ? static_cast<std::ptrdiff_t>(size()) / rows : 0;
    if (i < 0 || i >= rows || j < 0 || j >= cols)
      fail(label() + ": element (" + std::to_string(i) + ", " + std::to_string(j) +
           ") is out of range (" + std::to_string(rows) + " x " + std::to_string(cols) + ")");
    return values[static_cast<std::size_t>(i) + static_cast<std::size_t>(j) * rows];
  }
  // The same without the check, for inner loops whose sizes were checked once before them (at() in
  // a debug build, -DGMASAMPLER_DEBUG).
  double operator[](std::size_t i) const {
#ifdef GMASAMPLER_DEBUG
    return at(static_cast<std::ptrdiff_t>(i));
#else
    return values[i];
#endif
  }
  double operator()(int i, int j) const {
#ifdef GMASAMPLER_DEBUG
    return at(i, j);
#else
    return values[static_cast<std::size_t>(i) + static_cast<std::size_t>(j) * nrow()];
#endif
  }

 private:
  std::string label() const { return "gmasampler::Array " + (name.empty() ? std::string("(unnamed)") : "'" + name + "'"); }
};

// The data of a log density: the arrays of an R list (or a single vector or matrix), by position
// or by name. Look names up once per call, not inside inner loops.
class Data {
 public:
  void add(Array a) { arrays_.push_back(std::move(a)); }
  std::size_t size() const { return arrays_.size(); }
  bool has(const std::string& name) const { return find(name) != nullptr; }
  const Array& operator[](std::size_t i) const {
    if (i >= arrays_.size()) throw std::out_of_range("gmasampler::Data: no array at that position");
    return arrays_[i];
  }
  const Array& operator[](int i) const { return (*this)[static_cast<std::size_t>(i)]; }
  const Array& operator[](const std::string& name) const {
    const Array* a = find(name);
    if (a == nullptr) throw std::out_of_range("gmasampler::Data: no array named '" + name + "'");
    return *a;
  }
  const Array& operator[](const char* name) const { return (*this)[std::string(name)]; }

 private:
  const Array* find(const std::string& name) const {
    for (const Array& a : arrays_)
      if (a.name == name) return &a;
    return nullptr;
  }
  std::vector<Array> arrays_;
};

// A compiled log density: x points to the d coordinates of one point; the result is log p(x) up to
// a constant, -Inf where the target is zero. It is called from several threads at once, so it must
// not touch R objects or shared mutable state. To report a failure it throws density_error (fail())
// or any std::exception; whatever it throws is caught in its thread.
typedef double (*LogDensityFn)(const double* x, int d, const Data& data);

// What an external pointer made by make_log_density() holds. The magic number lets the package
// tell its own pointers from foreign ones; pointers made by the 0.2 header (kMagicV1) hold only
// magic and fn. rcpp_exceptions_thread_safe says whether an Rcpp::exception (Rcpp::stop()) made in
// the translation unit that wrapped fn is safe to make in a worker thread (gmasampler.h).
struct LogDensity {
  static const unsigned int kMagic = 0x474d4132u;    // "GMA2"
  static const unsigned int kMagicV1 = 0x474d4131u;  // "GMA1"
  unsigned int magic;
  LogDensityFn fn;
  bool rcpp_exceptions_thread_safe;
  LogDensity(LogDensityFn f, bool rcpp_safe) : magic(kMagic), fn(f), rcpp_exceptions_thread_safe(rcpp_safe) {}
};

}  // namespace gmasampler

#endif
