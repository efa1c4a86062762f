#pragma once
// Writing a file so that readers see either the old content or the whole new content, never a
// partial file: the text goes to a temporary sibling, which is then renamed into place.
#include <string>

namespace celltrial {

/// Writes `content` to `path` atomically (temp file in the same folder, then rename).
/// Throws Error(ExitCode::io) with the path and the reason on failure.
void write_file_atomic(const std::string& path, const std::string& content);

/// A suffix unique to this process and call ("<pid>-<n>"), for temporary names next to a target.
std::string unique_file_suffix();

}  // namespace celltrial
