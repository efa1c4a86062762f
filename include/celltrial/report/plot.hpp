#pragma once
// Plots drawn by gnuplot from a generated script. The script and its data are always written;
// PNG and SVG are added when gnuplot is installed (otherwise a one-line note says how to get
// them). Nothing here draws pixels itself.
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace celltrial {

struct PlotSeries {
  std::string label;
  std::vector<double> x, y;
  std::vector<double> y_low, y_high;  ///< optional error bars (same length as y) or empty
};

struct LinePlot {
  std::string title, xlabel, ylabel;
  std::vector<PlotSeries> series;
  double hline = -1;  ///< a horizontal reference line (e.g. the target power); < 0: none
  std::string hline_label;
};

/// Adds `<stem>.gp` and, when gnuplot is available, `<stem>.png` and `<stem>.svg` to `files`.
/// Returns "" or a note for the user (e.g. that gnuplot is missing).
std::string render_line_plot(const LinePlot& plot, const std::string& stem, std::map<std::string, std::string>& files);

/// The general case: `script(terminal, output)` gives a complete gnuplot script drawing to `output`
/// with `terminal`. Adds `<stem>.gp` (PNG version) and, when gnuplot is available, `<stem>.png` and
/// `<stem>.svg` (size "W,H" in pixels). Returns "" or a note for the user.
std::string render_gnuplot(const std::function<std::string(const std::string&, const std::string&)>& script,
                           const std::string& stem, std::map<std::string, std::string>& files,
                           const std::string& size = "900,600");

/// A string as a gnuplot double-quoted literal.
std::string gnuplot_quote(const std::string& s);

/// True when a gnuplot executable is on the PATH.
bool gnuplot_available();

}  // namespace celltrial
