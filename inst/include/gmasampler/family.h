// Component families. Every family here is elliptical, a scale mixture of normals:
//   x = mean + L z / sqrt(s),  z ~ N(0, I),  s > 0 a mixing variable (s = 1: Gaussian;
//   s ~ chi2(df) / df: multivariate Student t with df degrees of freedom),
// so everything a mixture needs from a family is a scalar function of the squared Mahalanobis
// distance q = |L^-1 (x - mean)|^2, which the callers compute once for all families (by
// triangular solves, or one matrix product when components share their scale):
//   log density  log_norm(d) - log|L| + log_kernel(q, d);
//   a draw       mean + radius(s) L z, with s drawn by the caller (R's RNG: see mixing_df());
//   the M-step   each point's weight E[s | x] = em_weight(q, d) in the sufficient statistics
//                (EM for t mixtures: Peel and McLachlan 2000).
// A new elliptical family is one more Kind and a case in each of these functions.
#ifndef GMASAMPLER_FAMILY_H
#define GMASAMPLER_FAMILY_H

#include <cmath>
#include <limits>
#include <stdexcept>

#include "constants.h"

namespace gmasampler {

class Family {
 public:
  enum class Kind { gaussian, student_t };

  static Family gaussian() { return Family(Kind::gaussian, kInf); }
  // Student t with df > 0 degrees of freedom; an infinite df is the Gaussian.
  static Family student_t(double df) {
    if (!(df > 0.0)) throw std::invalid_argument("a t component needs degrees of freedom > 0");
    return std::isinf(df) ? gaussian() : Family(Kind::student_t, df);
  }
  // The family with df degrees of freedom (infinite: Gaussian), as R's mixtures store it.
  static Family from_df(double df) { return std::isinf(df) ? gaussian() : student_t(df); }

  Kind kind() const { return kind_; }
  double df() const { return df_; }
  bool operator==(const Family& o) const { return kind_ == o.kind_ && df_ == o.df_; }
  bool operator!=(const Family& o) const { return !(*this == o); }

  // The log normalising constant in d dimensions for a unit scale matrix.
  double log_norm(int d) const {
    switch (kind_) {
      case Kind::gaussian: return -0.5 * d * std::log(2.0 * kPi);
      case Kind::student_t:
        return std::lgamma(0.5 * (df_ + d)) - std::lgamma(0.5 * df_) - 0.5 * d * std::log(df_ * kPi);
    }
    return kNaN;
  }
  // The log density's dependence on the squared Mahalanobis distance q.
  double log_kernel(double q, int d) const {
    switch (kind_) {
      case Kind::gaussian: return -0.5 * q;
      case Kind::student_t: return -0.5 * (df_ + d) * std::log1p(q / df_);
    }
    return kNaN;
  }
  // E[s | x] for a point at squared distance q: the weight of that point in the M-step.
  double em_weight(double q, int d) const {
    switch (kind_) {
      case Kind::gaussian: return 1.0;
      case Kind::student_t: return (df_ + d) / (df_ + q);
    }
    return kNaN;
  }
  // The factor on L z for a mixing variate s (ignored by the Gaussian).
  double radius(double s) const {
    switch (kind_) {
      case Kind::gaussian: return 1.0;
      case Kind::student_t: return 1.0 / std::sqrt(s);
    }
    return kNaN;
  }
  // The degrees of freedom of the chi-square whose draw over df is the mixing variate s;
  // infinite where no variate is needed.
  double mixing_df() const { return kind_ == Kind::gaussian ? kInf : df_; }

 private:
  Family(Kind k, double df) : kind_(k), df_(df) {}
  static constexpr double kInf = std::numeric_limits<double>::infinity();
  static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  Kind kind_;
  double df_;
};

}  // namespace gmasampler

#endif
