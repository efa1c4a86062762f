// Measures simulated trials per second for a scenario on 1 thread and on all threads, and the
// raw normal-deviate generation rate of the random engine, so the model's cost can be compared
// with what random-number generation alone allows.
//
//   bench_trials [--trials N] [--threads T] SCENARIO...
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "celltrial/core/error.hpp"
#include "celltrial/core/random.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/scenario/io.hpp"

using namespace celltrial;
using Clock = std::chrono::steady_clock;

static double normals_per_second() {
  Engine g = make_stream(1, 2, Purpose::outcomes);
  const std::uint64_t n = 200000000;
  double sink = 0;
  const auto t0 = Clock::now();
  for (std::uint64_t i = 0; i < n; ++i) sink += std_normal(g);
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  if (sink == 12345.678) std::puts("");
  return static_cast<double>(n) / s;
}

int main(int argc, char** argv) {
  std::uint64_t trials = 400000;
  int threads = 0;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--trials") && i + 1 < argc) trials = std::stoull(argv[++i]);
    else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::stoi(argv[++i]);
    else files.emplace_back(argv[i]);
  }
  try {
    std::printf("normal deviates (pcg64 + ziggurat), 1 thread: %.1f M/s\n", normals_per_second() / 1e6);
    for (const auto& f : files) {
      Scenario s = load_scenario_file(f);
      s.simulation.trials = trials;
      double rate1 = 0;
      for (int t : {1, resolve_threads(threads)}) {
        EngineOptions opt;
        opt.threads = t;
        run_trials(s, EngineOptions{0, std::min<std::uint64_t>(trials, 2000), t});  // warm up
        const auto t0 = Clock::now();
        const Accumulator acc = run_trials(s, opt);
        const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
        const double rate = static_cast<double>(acc.trials()) / secs;
        if (t == 1) rate1 = rate;
        std::printf("%-28s threads %d: %10.0f trials/s  (%.2f s for %llu trials, N=%lld)%s\n", s.name.c_str(), t, rate,
                    secs, static_cast<unsigned long long>(acc.trials()), static_cast<long long>(s.design.sample_size),
                    t > 1 ? (" speed-up " + std::to_string(rate / rate1).substr(0, 4) + "x").c_str() : "");
      }
    }
  } catch (const Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return static_cast<int>(e.code());
  }
  return 0;
}
