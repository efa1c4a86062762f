// celltrial: the program. All logic lives in the library (celltrial/cli/cli.hpp).
#include <csignal>
#include <iostream>

#include "celltrial/cli/cli.hpp"

namespace {
void on_signal(int) { celltrial::request_stop(); }
}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  return celltrial::run_cli(argc, argv, std::cout, std::cerr);
}
