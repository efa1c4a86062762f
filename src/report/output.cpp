#include "celltrial/report/output.hpp"

#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>

#include "celltrial/core/error.hpp"
#include "celltrial/core/files.hpp"

namespace celltrial {

namespace fs = std::filesystem;

namespace {
[[noreturn]] void io_fail(const std::string& path, const std::string& what, const std::string& fix) {
  throw Error(ExitCode::io, Diagnostic{{path, 0, 0}, "", what, fix});
}

// Files a results folder may hold; anything else means the folder is not (only) ours. These are the
// names that simulate, merge, power, sweep, study and report write: a known stem with one of the
// extensions they use.
bool ours(const std::string& name) {
  static const std::set<std::string> stems{"summary",    "run",        "scenario",         "report",
                                           "power_curve", "sweep",     "sweep_power",      "sweep_heatmap",
                                           "enrichment", "enrichment_power", "tornado",    "forest",
                                           "sample_size_sweep", "power_by_point", "trials", "designs"};
  static const std::set<std::string> extensions{"json", "csv", "png", "svg", "gp", "yaml", "html"};
  const auto dot = name.find('.');
  if (dot != std::string::npos && stems.count(name.substr(0, dot)) && extensions.count(name.substr(name.rfind('.') + 1)) &&
      name.find('.') == name.rfind('.'))
    return true;
  return name.rfind("shard-", 0) == 0 || name.rfind("checkpoint", 0) == 0;
}

void check_replaceable(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  if (!fs::is_directory(dir, ec))
    io_fail(dir.string(), "exists and is not a folder.", "choose another --out or move that file away.");
  std::string foreign;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (!ours(name)) {
      foreign = name;
      break;
    }
  }
  if (!foreign.empty())
    io_fail(dir.string(), "the folder holds files celltrial did not write (e.g. '" + foreign + "'); it will not be replaced.",
            "choose an empty or new folder with --out.");
}
}  // namespace

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void check_writable_folder(const std::string& dir) {
  const fs::path d = fs::absolute(fs::path(dir)).lexically_normal();
  check_replaceable(d);
  std::error_code ec;
  fs::path parent = d.parent_path();
  fs::create_directories(parent, ec);
  if (ec) io_fail(parent.string(), "cannot create the folder: " + ec.message() + ".", "choose a writable --out.");
  const fs::path probe = parent / (".celltrial-probe-" + unique_file_suffix());
  {
    std::ofstream out(probe);
    if (!out) io_fail(parent.string(), "the folder is not writable.", "choose a writable --out.");
  }
  fs::remove(probe, ec);
}

void write_results_folder(const std::string& dir, const std::map<std::string, std::string>& files) {
  const fs::path d = fs::absolute(fs::path(dir)).lexically_normal();
  check_replaceable(d);
  std::error_code ec;
  fs::create_directories(d.parent_path(), ec);
  if (ec) io_fail(d.parent_path().string(), "cannot create the folder: " + ec.message() + ".", "choose a writable --out.");
  const fs::path tmp = d.parent_path() / ("." + d.filename().string() + ".tmp-" + unique_file_suffix());
  fs::create_directory(tmp, ec);
  if (ec) io_fail(tmp.string(), "cannot create a temporary folder: " + ec.message() + ".", "choose a writable --out.");
  try {
    for (const auto& [name, content] : files) write_file_atomic((tmp / name).string(), content);
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
  const fs::path old = d.parent_path() / ("." + d.filename().string() + ".old-" + unique_file_suffix());
  const bool had = fs::exists(d, ec);
  if (had) {
    fs::rename(d, old, ec);
    if (ec) {
      fs::remove_all(tmp, ec);
      io_fail(d.string(), "cannot move the previous results aside: " + ec.message() + ".", "check permissions.");
    }
  }
  fs::rename(tmp, d, ec);
  if (ec) {
    std::error_code ec2;
    if (had) fs::rename(old, d, ec2);  // put the previous results back
    fs::remove_all(tmp, ec2);
    io_fail(d.string(), "cannot move the new results into place: " + ec.message() + ".", "check permissions.");
  }
  if (had) fs::remove_all(old, ec);
}

}  // namespace celltrial
