#include "celltrial/cli/terminal.hpp"

#include <cstdio>
#include <ostream>

#include "celltrial/core/error.hpp"

namespace celltrial::cli {

std::string human_rate(double r) {
  char buf[32];
  if (r >= 1e6) std::snprintf(buf, sizeof buf, "%.2fM", r / 1e6);
  else if (r >= 1e3) std::snprintf(buf, sizeof buf, "%.1fk", r / 1e3);
  else std::snprintf(buf, sizeof buf, "%.0f", r);
  return buf;
}

void draw_trials_progress(std::ostream& err, const services::Progress& p) {
  const double frac = p.total ? static_cast<double>(p.done) / static_cast<double>(p.total) : 1.0;
  const int width = 30, filled = static_cast<int>(frac * width);
  const double rate = p.rate();
  const double eta = rate > 0 ? static_cast<double>(p.total - p.done) / rate : 0;
  char buf[160];
  std::snprintf(buf, sizeof buf, "\r[%.*s%*s] %5.1f%%  %s trials/s  ETA %.0fs   ", filled,
                "##############################", width - filled, "", 100 * frac, human_rate(rate).c_str(), eta);
  err << buf << std::flush;
}

void draw_grid_progress(std::ostream& err, const services::Progress& p) {
  const double done = static_cast<double>(p.done), total = static_cast<double>(p.total);
  const double eta = done > 0 ? p.seconds * (total - done) / done : 0;
  char buf[128];
  std::snprintf(buf, sizeof buf, "\rsweep: %5.1f%% of %zu points, ETA %.0fs   ", 100 * done / total, static_cast<std::size_t>(p.points), eta);
  err << buf << std::flush;
}

std::string timing_line(double seconds, int threads, int mpi_ranks, double trials_per_second) {
  char buf[128];
  std::snprintf(buf, sizeof buf, "  %.2f s on %d thread(s)%s, %s trials/s\n", seconds, threads,
                mpi_ranks > 0 ? (" x " + std::to_string(mpi_ranks) + " MPI ranks").c_str() : "",
                human_rate(trials_per_second).c_str());
  return buf;
}

int report_interrupted(std::ostream& err) {
  err << "celltrial: interrupted; no results were written.\n";
  return static_cast<int>(ExitCode::interrupted);
}

}  // namespace celltrial::cli
