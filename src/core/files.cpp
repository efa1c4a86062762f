#include "celltrial/core/files.hpp"

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "celltrial/core/error.hpp"

namespace celltrial {

namespace fs = std::filesystem;

namespace {
[[noreturn]] void io_fail(const std::string& path, const std::string& what, const std::string& fix) {
  throw Error(ExitCode::io, Diagnostic{{path, 0, 0}, "", what, fix});
}
}  // namespace

std::string unique_file_suffix() {
  static std::atomic<unsigned> counter{0};
  return std::to_string(::getpid()) + "-" + std::to_string(counter++);
}

void write_file_atomic(const std::string& path, const std::string& content) {
  const fs::path p(path);
  const fs::path tmp = p.parent_path() / ("." + p.filename().string() + ".tmp-" + unique_file_suffix());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) io_fail(path, std::string("cannot create a file here: ") + std::strerror(errno) + ".",
                      "check that the folder exists and is writable.");
    out << content;
    out.flush();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      io_fail(path, "writing failed (disk full?).", "free space or choose another folder.");
    }
  }
  std::error_code ec;
  fs::rename(tmp, p, ec);
  if (ec) {
    fs::remove(tmp, ec);
    io_fail(path, "cannot move the finished file into place: " + ec.message() + ".", "check permissions.");
  }
}

std::string results_folder_name(const std::string& scenario_name, ResultsKind kind) {
  switch (kind) {
    case ResultsKind::run: return scenario_name;
    case ResultsKind::shards: return scenario_name + "-shards";
    case ResultsKind::power: return scenario_name + "-power";
    case ResultsKind::power_sweep: return scenario_name + "-power-sweep";
    case ResultsKind::sweep: return scenario_name + "-sweep";
    case ResultsKind::sweep_shards: return scenario_name + "-sweep-shards";
    case ResultsKind::slurm: return scenario_name + "-slurm";
  }
  return scenario_name;
}

std::string results_folder(const std::string& out, const std::string& scenario_name, ResultsKind kind) {
  return out.empty() ? (fs::path("results") / results_folder_name(scenario_name, kind)).string() : out;
}

}  // namespace celltrial
