// Measures what interim analyses cost: the per-trial time of a group-sequential scenario against the
// same scenario without design.interims (the fixed design), on 1 thread.
//
//   bench_interims [--rounds R] [--round-trials M] SCENARIO [KEY=VALUE...]
//
// KEY=VALUE are --set overrides of SCENARIO. When it has no design.interims, two interim looks at
// 1/3 and 2/3 with O'Brien-Fleming bounds are added (and, without design.accrual, 10 sites screening
// 1 child a month each, which the fixed design then keeps too). In each of R rounds the fixed design
// runs M trials, then the group-sequential one runs the same M trials (same seed and trial indices;
// the order alternates between rounds). On a shared machine a round is only ever slowed down, so two
// figures are printed: the median of the per-round ratios (group-sequential time / fixed time) with
// their range, and the ratio of the fastest rounds of each.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "celltrial/core/error.hpp"
#include "celltrial/engine/engine.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/scenario/io.hpp"

using namespace celltrial;
using Clock = std::chrono::steady_clock;

namespace {
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

// Seconds for trials [0, n) of `model` on 1 thread; `sink` keeps the results alive.
double time_trials(const Model& model, std::uint64_t n, std::uint64_t& sink) {
  const auto t0 = Clock::now();
  const Accumulator acc = run_trials(model, EngineOptions{0, n, 1});
  const double s = seconds_since(t0);
  sink += acc.trials();
  return s;
}
}  // namespace

int main(int argc, char** argv) {
  std::uint64_t round_trials = 4000;
  int rounds = 21;
  std::string file;
  std::vector<std::string> overrides;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc) rounds = std::max(1, std::stoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--round-trials") && i + 1 < argc) round_trials = std::max<std::uint64_t>(1, std::stoull(argv[++i]));
    else if (file.empty()) file = argv[i];
    else overrides.emplace_back(argv[i]);
  }
  if (file.empty()) {
    std::fprintf(stderr, "usage: bench_interims [--rounds R] [--round-trials M] SCENARIO [KEY=VALUE...]\n");
    return 64;
  }
  try {
    Scenario gs = load_scenario_file(file, overrides);
    if (!gs.design.accrual.modelled()) {
      gs.design.accrual.sites = 10;
      gs.design.accrual.screened_per_site_month = 1;
    }
    if (!gs.design.interims.active()) {
      gs.design.interims.information = {1.0 / 3, 2.0 / 3};
      gs.design.interims.boundary = InterimBoundary::obrien_fleming;
    }
    Scenario fixed = gs;
    fixed.design.interims = Interims{};
    gs.simulation.trials = fixed.simulation.trials = round_trials;
    const Model mf(fixed), mg(gs);
    std::uint64_t sink = 0;
    time_trials(mf, std::min<std::uint64_t>(round_trials, 1000), sink);  // warm up
    time_trials(mg, std::min<std::uint64_t>(round_trials, 1000), sink);
    std::vector<double> tf, tg, ratio;
    for (int r = 0; r < rounds; ++r) {
      double f = 0, g = 0;
      if (r % 2 == 0) {
        f = time_trials(mf, round_trials, sink);
        g = time_trials(mg, round_trials, sink);
      } else {
        g = time_trials(mg, round_trials, sink);
        f = time_trials(mf, round_trials, sink);
      }
      tf.push_back(f);
      tg.push_back(g);
      ratio.push_back(g / f);
    }
    const auto [rmin, rmax] = std::minmax_element(ratio.begin(), ratio.end());
    const double n = static_cast<double>(round_trials);
    const double best_f = *std::min_element(tf.begin(), tf.end()), best_g = *std::min_element(tg.begin(), tg.end());
    std::printf("%s: N=%lld, %zu interim looks; %d rounds of %llu trials, 1 thread, alternating\n", gs.name.c_str(),
                static_cast<long long>(gs.design.sample_size), gs.design.interims.information.size(), rounds,
                static_cast<unsigned long long>(round_trials));
    std::printf("  medians:        fixed %9.0f trials/s, group-sequential %9.0f trials/s, time ratio %.3f (range %.3f-%.3f)\n",
                n / median(tf), n / median(tg), median(ratio), *rmin, *rmax);
    std::printf("  fastest rounds: fixed %9.0f trials/s, group-sequential %9.0f trials/s, time ratio %.3f\n", n / best_f,
                n / best_g, best_g / best_f);
    if (sink == 0) std::puts("");
  } catch (const Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return static_cast<int>(e.code());
  }
  return 0;
}
