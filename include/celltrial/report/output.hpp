#pragma once
// Writing results safely: files are written to a temporary sibling and renamed into place; a
// results folder is replaced only once the whole new set of files is complete.
#include <map>
#include <string>

#include "celltrial/core/files.hpp"

namespace celltrial {

/// Writes every (file name -> content) into folder `dir`, replacing a previous celltrial results
/// folder there only when all files are complete. A folder that holds files celltrial did not
/// write is never replaced: Error(ExitCode::io) names them.
void write_results_folder(const std::string& dir, const std::map<std::string, std::string>& files);

/// The current time in UTC as 2026-01-31T12:00:00Z, for provenance records.
std::string utc_now();

/// Throws Error(ExitCode::io) if `dir` could not be created/replaced (checked before a long run).
void check_writable_folder(const std::string& dir);

}  // namespace celltrial
