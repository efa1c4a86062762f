#include "test_support.hpp"

#include <cstdlib>
#include <cstring>

namespace celltrial::test {
bool full_mode() {
  const char* v = std::getenv("CELLTRIAL_FULL");
  return v && std::strcmp(v, "0") != 0 && *v;
}
}  // namespace celltrial::test
