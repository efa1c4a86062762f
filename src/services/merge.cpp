#include "celltrial/services/merge.hpp"

#include <chrono>
#include <filesystem>

#include "celltrial/core/error.hpp"
#include "celltrial/core/files.hpp"
#include "celltrial/design/nuisance.hpp"
#include "celltrial/design/summary.hpp"
#include "celltrial/engine/batch.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/model/truth.hpp"
#include "celltrial/report/output.hpp"
#include "celltrial/report/summary.hpp"
#include "celltrial/scenario/io.hpp"
#include "celltrial/services/scenario_source.hpp"

namespace celltrial::services {

namespace {
namespace fs = std::filesystem;

/// The merged results replace the out folder; refuse when that would delete shard files.
void check_out_keeps_shards(const std::string& out) {
  std::error_code ec;
  const fs::path d = fs::absolute(fs::path(out)).lexically_normal();
  if (!fs::is_directory(d, ec)) return;
  for (const auto& e : fs::directory_iterator(d, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("shard-", 0) == 0 || name.rfind("checkpoint", 0) == 0)
      throw Error(ExitCode::io, Diagnostic{{d.string(), 0, 0},
                                           "",
                                           "the folder holds shard files or checkpoints (e.g. '" + name +
                                               "'); writing the merged results there would replace them.",
                                           "choose another --out, e.g. results/<scenario name>."});
  }
}
}  // namespace

MergeResult merge(const MergeRequest& rq) {
  MergeResult res;
  const auto t0 = std::chrono::steady_clock::now();
  const MergedRun m = merge_shards(rq.inputs);
  res.scenario = m.scenario;
  const Scenario& s = res.scenario;
  res.shards = m.first.shard.count;
  res.out_dir = results_folder(rq.out, s.name, ResultsKind::run);
  check_out_keeps_shards(res.out_dir);

  const Truth truth = Model(s).truth();
  res.characteristics = operating_characteristics(s, m.acc, truth);
  if (s.nuisance_grid.active()) {
    // The shards leave the nuisance grid to the merge: its null scenarios from the resolved scenario.
    const auto points = nuisance_scenarios(file_loader(m.files.front(), {}, to_yaml(s)), {}, s);
    SweepOptions opt;
    opt.threads = 0;  // every core of the merging machine
    res.characteristics.nuisance_grid = run_nuisance_grid(s, points, opt);
  }
  res.summary = to_json(res.characteristics);
  nlohmann::json& run = res.run;
  run = run_provenance(s);
  run["merged_from"] = {
      {"shards", m.first.shard.count},
      {"files", m.files},
      {"scenario_hash", hex64(m.first.scenario_hash)},
      {"simulated_by", "celltrial " + m.first.celltrial_version + " (commit " + m.first.git_commit + ")"}};
  run["scenario_source"] = m.files.front() + " (resolved scenario saved in the shard)";
  run["finished_utc"] = utc_now();
  run["merge_seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  run["scenario"] = to_json(s);
  write_run_results(res.out_dir, s, res.summary, run);
  return res;
}

}  // namespace celltrial::services
