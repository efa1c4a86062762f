#pragma once
// Which celltrial a host program links: the version and the git commit it was built from, as
// `celltrial --version` and every results file record them.
#include <string>

namespace celltrial::services {

struct About {
  std::string version;     ///< e.g. "0.1.0"
  std::string git_commit;  ///< the commit, "-dirty" when built with uncommitted changes
};
About about();

}  // namespace celltrial::services
