#pragma once
// Loops over a few indices known at compile time, written out: unroll<N>(f) calls
// f(std::integral_constant<std::size_t, K>{}) for K = 0, 1, ..., N - 1, in that order. The hot
// loops over a child's visits use it, so that the visit indices are constants and the values stay
// in registers (GCC at -O2 does not unroll such loops by itself).
#include <cstddef>
#include <type_traits>
#include <utility>

namespace celltrial {

namespace detail {
template <std::size_t... K, class F>
inline void unroll(std::index_sequence<K...>, F& f) {
  (f(std::integral_constant<std::size_t, K>{}), ...);
}
}  // namespace detail

template <std::size_t N, class F>
inline void unroll(F&& f) {
  detail::unroll(std::make_index_sequence<N>{}, f);
}

}  // namespace celltrial
