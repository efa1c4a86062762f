#pragma once
// The merge service: what `celltrial merge` does, for any host program. The shard files of one run
// (simulate --shard K/N, on any machines) become the results folder of the whole run, byte-identical
// to one unsharded run's summary. Shards of other runs, duplicates, missing or unfinished shards
// and damaged files are refused, each named (celltrial::Error with the command line's message).
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "celltrial/design/operating_characteristics.hpp"
#include "celltrial/scenario/scenario.hpp"

namespace celltrial::services {

struct MergeRequest {
  std::vector<std::string> inputs;  ///< shard folders (every shard-K-of-N.json in them) or shard files
  std::string out;                  ///< results folder; empty: results/<scenario name>/
};

struct MergeResult {
  Scenario scenario;     ///< the resolved scenario saved in the shards
  std::uint64_t shards = 0;
  std::string out_dir;
  OperatingCharacteristics characteristics;
  nlohmann::json summary;  ///< summary.json
  nlohmann::json run;      ///< run.json
};

/// Merges and writes the results folder. Throws Error: unreadable inputs (no_input), shards that
/// do not make one whole run (data), an --out folder holding shard files or checkpoints, which the
/// results would replace (io).
MergeResult merge(const MergeRequest& request);

}  // namespace celltrial::services
