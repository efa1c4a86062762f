// Measures simulated trials per second for a scenario on 1 thread and on all threads, and how
// close the model comes to the rate at which the random engine alone produces its normal deviates.
//
//   bench_trials [--trials N] [--threads T] [--rounds R] [--round-trials M] SCENARIO...
//
// The ratio comes first, on 1 thread: in each of R rounds the model runs M trials, then the engine
// draws, in a loop that does nothing else, as many normals as those trials drew. The ratio is the
// time of the draws alone over the time of the trials (1 = the model costs nothing beyond its
// normals). Both halves of a round run back to back. On a shared machine a round is either
// undisturbed or slowed by other work, never sped up, so two figures are given: the median of the
// per-round ratios with their range, and the ratio of the fastest rounds of each half (the
// undisturbed costs). Then N trials on 1 thread and on T threads give the rates and the speed-up;
// they run after the ratio so that the thread pool they start cannot disturb it.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "celltrial/core/error.hpp"
#include "celltrial/core/random.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/scenario/io.hpp"

using namespace celltrial;
using Clock = std::chrono::steady_clock;

namespace {
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Seconds to draw n normal deviates (the sum keeps the loop from being optimised away).
double normals_seconds(std::uint64_t n) {
  Engine g = make_stream(1, 2, Purpose::outcomes);
  double sink = 0;
  const auto t0 = Clock::now();
  for (std::uint64_t i = 0; i < n; ++i) sink += std_normal(g);
  const double s = seconds_since(t0);
  if (sink == 12345.678) std::puts("");
  return s;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}
}  // namespace

int main(int argc, char** argv) {
  std::uint64_t trials = 400000;
  std::uint64_t round_trials = 2000;
  int threads = 0, rounds = 21;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--trials") && i + 1 < argc) trials = std::stoull(argv[++i]);
    else if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) threads = std::stoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = std::max(1, std::stoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--round-trials") && i + 1 < argc) round_trials = std::max<std::uint64_t>(1, std::stoull(argv[++i]));
    else files.emplace_back(argv[i]);
  }
  try {
    for (const auto& f : files) {
      Scenario s = load_scenario_file(f);
      s.simulation.trials = trials;
      const Model model(s);
      run_trials(model, EngineOptions{0, std::min<std::uint64_t>(trials, 2000), 1});  // warm up
      const std::uint64_t per_trial = model.normals_per_trial();
      if (per_trial == 0) {
        std::printf("%-28s normals per trial vary with the draws: no ratio\n", s.name.c_str());
      } else {
        std::vector<double> ratio, normal_rate, model_rate;
        for (int r = 0; r < rounds; ++r) {
          const auto t0 = Clock::now();
          run_trials(model, EngineOptions{0, round_trials, 1});
          const double model_s = seconds_since(t0);
          const double normals_s = normals_seconds(per_trial * round_trials);
          ratio.push_back(normals_s / model_s);
          normal_rate.push_back(static_cast<double>(per_trial * round_trials) / normals_s);
          model_rate.push_back(static_cast<double>(round_trials) / model_s);
        }
        const auto [rmin, rmax] = std::minmax_element(ratio.begin(), ratio.end());
        const double best_normals = *std::max_element(normal_rate.begin(), normal_rate.end());
        const double best_model = *std::max_element(model_rate.begin(), model_rate.end());
        std::printf("%-28s %llu normals per trial; %d rounds of %llu trials (medians): normals %.1f M/s alone allow %.0f trials/s,\n"
                    "%-28s the model ran %.0f trials/s: ratio %.1f %% (range %.1f-%.1f %%)\n",
                    s.name.c_str(), static_cast<unsigned long long>(per_trial), rounds, static_cast<unsigned long long>(round_trials), median(normal_rate) / 1e6,
                    median(normal_rate) / static_cast<double>(per_trial), "", median(model_rate), 100 * median(ratio),
                    100 * *rmin, 100 * *rmax);
        std::printf("%-28s fastest rounds: normals %.1f M/s allow %.0f trials/s, the model ran %.0f trials/s: ratio %.1f %%\n",
                    s.name.c_str(), best_normals / 1e6, best_normals / static_cast<double>(per_trial), best_model,
                    100 * best_model * static_cast<double>(per_trial) / best_normals);
      }
      double rate1 = 0;
      for (int t : {1, resolve_threads(threads)}) {
        EngineOptions opt;
        opt.threads = t;
        const auto t0 = Clock::now();
        const Accumulator acc = run_trials(model, opt);
        const double secs = seconds_since(t0);
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
