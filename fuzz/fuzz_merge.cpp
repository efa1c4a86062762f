// Fuzz target: celltrial merge on a folder of shard files. The input is split on the byte 0x1E
// (ASCII record separator) into up to three parts; part K of N is written, with its checksum made
// to match (partial_fixup.hpp), as shard-K-of-N.json into a folder of this process, and the
// folder is merged. Every input either merges, or is refused with a celltrial::Error of kind data
// or no_input. A merge must hold every trial of the run, give a summary, and its scenario must
// run (fuzz_support.cpp).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "celltrial/engine/batch.hpp"
#include "fuzz_support.hpp"
#include "partial_fixup.hpp"


extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace celltrial;
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (parts.size() < 3) {
    const std::size_t end = parts.size() == 2 ? std::string::npos : text.find('\x1e', start);
    parts.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  namespace fs = std::filesystem;
  const fs::path& dir = fuzz::process_folder("merge");
  for (const auto& e : fs::directory_iterator(dir)) fs::remove(e.path());
  for (std::size_t k = 0; k < parts.size(); ++k) {
    const auto fixed = fuzz::with_valid_checksum(parts[k]);
    std::ofstream(dir / shard_file_name({k + 1, parts.size()}), std::ios::binary) << fixed.value_or(parts[k]);
  }
  MergedRun m;
  try {
    m = merge_shards({dir.string()});
  } catch (const Error& e) {
    fuzz::expect_user_error(e, {ExitCode::data, ExitCode::no_input});
    return 0;
  }
  if (m.acc.trials() != m.scenario.simulation.trials) fuzz::bug("a merge does not hold every trial of its run");
  fuzz::check_summary(m.scenario, m.acc);
  fuzz::check_accepted(m.scenario);
  return 0;
}
