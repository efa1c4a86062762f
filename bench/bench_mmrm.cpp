// Measures the mixed model's trials per second on one core against the same scenario analysed by
// ANCOVA, alternating the two in rounds (a shared machine only ever slows a round down, so the
// fastest round of each is the undisturbed rate).
//
//   bench_mmrm [--rounds R] [--round-trials M] [SCENARIO]   (default scenarios/validation/reference_mmrm.yaml)
//
// Each round simulates and analyses M trials with analysis.method mmrm, then M with ancova, on
// this thread (the model and the analysis exactly as the engine runs them, without the thread
// pool). Prints both rates, their ratio, the mean number of REML iterations per fit, and how the
// mixed model's time divides between simulating the data (every visit) and analysing it.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "celltrial/analysis/trial_analysis.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/scenario/io.hpp"

using namespace celltrial;
using Clock = std::chrono::steady_clock;

namespace {
struct Rate {
  double seconds = 0;
  double iterations = 0;
};

// Simulates and analyses `trials` trials; without an analysis, simulates them only.
Rate run(const Model& model, const TrialAnalysis* analysis, std::uint64_t first, std::uint64_t trials) {
  TrialData d;
  TrialResult r;
  double iterations = 0;
  const auto t0 = Clock::now();
  for (std::uint64_t t = first; t < first + trials; ++t) {
    model.simulate(model.scenario().simulation.seed, t, d);
    if (!analysis) continue;
    analysis->analyse(d, r);
    iterations += r.mmrm.iterations;
  }
  return {std::chrono::duration<double>(Clock::now() - t0).count(), iterations / static_cast<double>(trials)};
}
}  // namespace

int main(int argc, char** argv) {
  int rounds = 7;
  std::uint64_t round_trials = 20000;
  std::string file = "scenarios/validation/reference_mmrm.yaml";
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = std::max(1, std::stoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--round-trials") && i + 1 < argc) round_trials = std::max<std::uint64_t>(1, std::stoull(argv[++i]));
    else file = argv[i];
  }
  const Scenario mmrm = load_scenario_file(file, {"analysis.method=mmrm"});
  const Scenario ancova = load_scenario_file(file, {"analysis.method=ancova"});
  const Model mm(mmrm), am(ancova);
  const TrialAnalysis ma(mm), aa(am);
  double best_m = 1e300, best_a = 1e300, best_s = 1e300, iterations = 0;
  std::vector<double> ratios;
  for (int r = 0; r < rounds; ++r) {
    const std::uint64_t first = static_cast<std::uint64_t>(r) * round_trials;
    const Rate x = run(mm, &ma, first, round_trials);
    const Rate y = run(am, &aa, first, round_trials);
    best_s = std::min(best_s, run(mm, nullptr, first, round_trials).seconds);
    best_m = std::min(best_m, x.seconds);
    best_a = std::min(best_a, y.seconds);
    iterations = x.iterations;
    ratios.push_back(y.seconds / x.seconds);
  }
  std::sort(ratios.begin(), ratios.end());
  const double n = static_cast<double>(round_trials);
  std::printf("%s: %d rounds of %llu trials on one core\n", file.c_str(), rounds, static_cast<unsigned long long>(round_trials));
  std::printf("mmrm   %.0f trials/s (fastest round); %.2f REML iterations per fit\n", n / best_m, iterations);
  std::printf("       of which simulating every visit's data: %.2f us per trial, the analysis %.2f us\n", 1e6 * best_s / n,
              1e6 * (best_m - best_s) / n);
  std::printf("ancova %.0f trials/s (fastest round)\n", n / best_a);
  std::printf("mmrm / ancova rate: %.3f (fastest rounds); per round median %.3f, range %.3f-%.3f\n", best_a / best_m,
              ratios[ratios.size() / 2], ratios.front(), ratios.back());
  return 0;
}
