// celltrial report RESULTS_DIR : a self-contained HTML report (RESULTS_DIR/report.html).
#include <filesystem>
#include <ostream>

#include "celltrial/cli/commands.hpp"
#include "celltrial/report/html.hpp"
#include "celltrial/report/output.hpp"

namespace celltrial::cli {

Action add_report(CLI::App& app, Streams io) {
  auto* cmd = app.add_subcommand(
      "report",
      "Write RESULTS_DIR/report.html: one self-contained HTML file (inline styles, embedded images) with the "
      "provenance, the resolved scenario, the operating characteristics and, when the folder holds "
      "power_curve.json/.png, the simulated power curve");
  auto dir = std::make_shared<std::string>();
  cmd->add_option("results_dir", *dir, "Folder written by 'celltrial simulate --out' or 'celltrial merge'")->required();
  return [=]() {
    const std::string html = html_report(*dir);
    const std::string path = (std::filesystem::path(*dir) / "report.html").string();
    write_file_atomic(path, html);
    io.out << "wrote " << path << "\n";
    return 0;
  };
}

}  // namespace celltrial::cli
