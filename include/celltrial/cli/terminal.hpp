#pragma once
// What the commands show on a terminal while they run: the progress bar of a run of trials, the
// timing line, the progress line of a grid, and the message of an interrupted command.
#include <cstdint>
#include <iosfwd>
#include <string>

#include "celltrial/services/callbacks.hpp"

namespace celltrial::cli {

/// A rate for people: "812", "81.3k", "1.25M".
std::string human_rate(double per_second);

/// "\r[#####     ]  50.0%  81.3k trials/s  ETA 3s" on `err`, redrawn in place. The trials resumed
/// from a checkpoint count as done but not towards the speed.
void draw_trials_progress(std::ostream& err, const services::Progress& p);

/// "\rsweep:  50.0% of 12 points, ETA 3s" (Progress::points), redrawn in place.
void draw_grid_progress(std::ostream& err, const services::Progress& p);

/// "  1.23 s on 2 thread(s) x 4 MPI ranks, 81.3k trials/s" and a newline (the ranks only when
/// `mpi_ranks` > 0).
std::string timing_line(double seconds, int threads, int mpi_ranks, double trials_per_second);

/// Writes "celltrial: interrupted; no results were written." and returns the interrupted exit code.
int report_interrupted(std::ostream& err);

}  // namespace celltrial::cli
