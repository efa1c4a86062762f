#pragma once
// Binomial counts from one uniform draw, by inversion.
//
// The number of children with an event in an arm of n children, each independently with
// probability p, is Binomial(n, p). Inversion maps one uniform u to the count k: the probabilities
// P(X = k) are laid end to end in a fixed order, and k is the one whose stretch holds u. The order
// starts at the mode and then alternates one step up and one step down, so the search takes about
// 1.6 standard deviations' worth of steps, whatever n is, and no probability far in a tail is ever
// computed (the search from k = 0 would need (1 - p)^n, which underflows for large n).
#include <cstdint>
#include <vector>

namespace celltrial {

class BinomialInverse {
 public:
  /// Binomial(0, 0): always 0.
  BinomialInverse() = default;
  /// Binomial(n, p) for n >= 0 and p in [0, 1].
  BinomialInverse(std::int64_t n, double p);

  /// The count for u in [0, 1): exact up to the rounding of the probabilities (a few units in
  /// the 15th decimal of the cumulative probability).
  std::int64_t operator()(double u) const noexcept {
    if (n_ == 0 || p_ <= 0) return 0;
    if (p_ >= 1) return n_;
    if (!order_.empty()) {
      // The same subtractions from the same probabilities, read instead of computed.
      for (const Step& s : order_) {
        u -= s.pmf;
        if (u < 0) return s.count;
      }
      return mode_;
    }
    u -= pmf_mode_;
    if (u < 0) return mode_;
    std::int64_t up = mode_, down = mode_;
    double p_up = pmf_mode_, p_down = pmf_mode_;
    for (;;) {
      const bool can_up = up < n_, can_down = down > 0;
      if (can_up) {
        // P(k + 1) = P(k) (n - k) / (k + 1) p / (1 - p)
        p_up *= static_cast<double>(n_ - up) / static_cast<double>(up + 1) * odds_;
        ++up;
        u -= p_up;
        if (u < 0) return up;
      }
      if (can_down) {
        // P(k - 1) = P(k) k / (n - k + 1) (1 - p) / p
        p_down *= static_cast<double>(down) / static_cast<double>(n_ - down + 1) / odds_;
        --down;
        u -= p_down;
        if (u < 0) return down;
      }
      // Every count visited: u was within rounding of 1. The mode is the most probable answer.
      if (!can_up && !can_down) return mode_;
    }
  }

  /// The same counts, faster, for a distribution drawn from many times (the arms of a fixed
  /// design): the probabilities are computed once, in search order, and kept (n + 1 of them).
  BinomialInverse tabulated() const;

  std::int64_t mode() const noexcept { return mode_; }
  /// P(X = mode).
  double pmf_mode() const noexcept { return pmf_mode_; }

 private:
  std::int64_t n_ = 0;
  double p_ = 0;
  std::int64_t mode_ = 0;
  double pmf_mode_ = 1;
  double odds_ = 0;  ///< p / (1 - p)
  struct Step {
    double pmf;
    std::int64_t count;
  };
  std::vector<Step> order_;  ///< tabulated(): every count with its probability, in search order
};

}  // namespace celltrial
