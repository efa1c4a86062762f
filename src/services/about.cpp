#include "celltrial/services/about.hpp"

#include "celltrial/version_info.hpp"

namespace celltrial::services {

About about() { return {build::version, build::git_commit}; }

}  // namespace celltrial::services
