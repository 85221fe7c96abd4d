#pragma once
// Random draws of the failure models, the same bit for bit on every standard library (std::
// distributions are not specified that precisely): uniform numbers from the top 53 bits of
// mt19937_64, and renewal intervals of a given mean — exponential (a Poisson process) or
// Weibull of shape k (k < 1: bursty, k > 1: wear-out).

#include <cmath>
#include <cstdint>
#include <random>

namespace gigasim {

/// Uniform on [0, 1).
inline double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

/// One inter-arrival time of mean `mean_s`: exponential for shape 1, else Weibull(shape).
inline double renewal_interval(std::mt19937_64& rng, double mean_s, double shape) {
  const double e = -std::log1p(-uniform01(rng));  // Exp(1)
  if (shape == 1) return mean_s * e;
  return mean_s / std::tgamma(1 + 1 / shape) * std::pow(e, 1 / shape);
}

}  // namespace gigasim
