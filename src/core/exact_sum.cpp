#include "celltrial/core/exact_sum.hpp"

#include <limits>

namespace celltrial {

std::string ExactSum::to_string() const {
  int128_t v = sum_;
  bool neg = v < 0;
  uint128_t u = neg ? static_cast<uint128_t>(-(v + 1)) + 1u
                            : static_cast<uint128_t>(v);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  } while (u != 0);
  return neg ? "-" + digits : digits;
}

bool ExactSum::from_string(const std::string& s, ExactSum& out) {
  if (s.empty()) return false;
  std::size_t i = 0;
  bool neg = false;
  if (s[0] == '-') {
    neg = true;
    i = 1;
  }
  if (i >= s.size() || s.size() - i > 39) return false;
  uint128_t u = 0;
  const uint128_t limit = static_cast<uint128_t>(1) << 127;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    uint128_t next = u * 10 + static_cast<unsigned>(s[i] - '0');
    if (next / 10 != u) return false;
    u = next;
  }
  if (neg ? u > limit : u >= limit) return false;
  out.sum_ = neg ? static_cast<int128_t>(-(u - 1)) - 1 : static_cast<int128_t>(u);
  return true;
}

double ExactMoments::mean() const noexcept {
  if (n_ == 0) return std::numeric_limits<double>::quiet_NaN();
  return static_cast<double>(s1_.value() / static_cast<long double>(n_));
}

double ExactMoments::variance() const noexcept {
  if (n_ < 2) return std::numeric_limits<double>::quiet_NaN();
  const long double n = static_cast<long double>(n_);
  const long double s1 = s1_.value(), s2 = s2_.value();
  long double v = (s2 - s1 * s1 / n) / (n - 1);
  if (v < 0) v = 0;
  return static_cast<double>(v);
}

}  // namespace celltrial
