// The public interface of a compiled log density. Free of R's API: a log density written against
// this header runs inside worker threads.
#ifndef GMASAMPLER_LOG_DENSITY_H
#define GMASAMPLER_LOG_DENSITY_H

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace gmasampler {

// One numeric array handed over from R, copied once before any thread starts. Values are in R's
// column-major order; dim is empty for a plain vector.
struct Array {
  std::string name;
  std::vector<double> values;
  std::vector<int> dim;

  std::size_t size() const { return values.size(); }
  const double* data() const { return values.data(); }
  double operator[](std::size_t i) const { return values[i]; }
  int nrow() const { return dim.size() >= 1 ? dim[0] : static_cast<int>(values.size()); }
  int ncol() const { return dim.size() >= 2 ? dim[1] : 1; }
  // Element (i, j) of a matrix, zero-based.
  double operator()(int i, int j) const {
    return values[static_cast<std::size_t>(i) + static_cast<std::size_t>(j) * nrow()];
  }
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
// not touch R objects or shared mutable state. It may throw std::exception to report a failure.
typedef double (*LogDensityFn)(const double* x, int d, const Data& data);

// What an external pointer made by make_log_density() holds. The magic number lets the package
// tell its own pointers from foreign ones.
struct LogDensity {
  static const unsigned int kMagic = 0x474d4131u;  // "GMA1"
  unsigned int magic;
  LogDensityFn fn;
  explicit LogDensity(LogDensityFn f) : magic(kMagic), fn(f) {}
};

}  // namespace gmasampler

#endif
