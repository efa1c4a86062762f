#include "celltrial/report/svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "celltrial/report/html.hpp"

namespace celltrial {

namespace {

constexpr double kW = 680, kH = 340;                              // viewBox size
constexpr double kLeft = 62, kRight = 150, kTop = 16, kBottom = 44;  // plot margins (legend on the right)
const char* const kBlue = "#2b5d8a";
const char* const kRed = "#b03a2e";
const char* const kGrey = "#555";

std::string f(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", x);
  return buf;
}
std::string label_number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", std::fabs(x) < 1e-12 ? 0.0 : x);
  return buf;
}

/// Ticks at 1, 2 or 5 times a power of ten covering [lo, hi], about `want` of them.
std::vector<double> ticks(double lo, double hi, int want = 6) {
  const double range = hi - lo;
  if (!(range > 0)) return {lo};
  const double raw = range / want, mag = std::pow(10, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  std::vector<double> out;
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push_back(t);
  return out;
}

struct Frame {
  double x0, x1, y0, y1;  // data ranges
  double px(double x) const { return kLeft + (x - x0) / (x1 - x0) * (kW - kLeft - kRight); }
  double py(double y) const { return kH - kBottom - (y - y0) / (y1 - y0) * (kH - kTop - kBottom); }
};

void open_svg(std::ostringstream& os, const std::string& title) {
  os << "<svg class=\"chart\" viewBox=\"0 0 " << f(kW) << " " << f(kH) << "\" role=\"img\" aria-label=\"" << html_escape(title)
     << "\" font-family=\"DejaVu Sans,Helvetica,Arial,sans-serif\" font-size=\"11\"><title>" << html_escape(title)
     << "</title>\n";
}

void y_axis(std::ostringstream& os, const Frame& fr, const std::string& ylabel) {
  for (double t : ticks(fr.y0, fr.y1)) {
    os << "<line x1=\"" << f(kLeft) << "\" x2=\"" << f(kW - kRight) << "\" y1=\"" << f(fr.py(t)) << "\" y2=\"" << f(fr.py(t))
       << "\" stroke=\"#e3e3e3\"/><text x=\"" << f(kLeft - 6) << "\" y=\"" << f(fr.py(t) + 4) << "\" text-anchor=\"end\">"
       << label_number(t) << "</text>\n";
  }
  os << "<text transform=\"translate(14," << f((kTop + kH - kBottom) / 2) << ") rotate(-90)\" text-anchor=\"middle\">"
     << html_escape(ylabel) << "</text>\n";
  os << "<rect x=\"" << f(kLeft) << "\" y=\"" << f(kTop) << "\" width=\"" << f(kW - kLeft - kRight) << "\" height=\""
     << f(kH - kTop - kBottom) << "\" fill=\"none\" stroke=\"#999\"/>\n";
}

void legend(std::ostringstream& os, int row, const std::string& swatch, const std::string& text) {
  const double y = kTop + 10 + 18 * row, x = kW - kRight + 12;
  os << "<g transform=\"translate(" << f(x) << "," << f(y) << ")\">" << swatch << "<text x=\"26\" y=\"4\">"
     << html_escape(text) << "</text></g>\n";
}

std::string polyline(const std::vector<std::pair<double, double>>& pts, const std::string& style) {
  std::string s = "<polyline fill=\"none\" " + style + " points=\"";
  for (const auto& [x, y] : pts) s += f(x) + "," + f(y) + " ";
  return s + "\"/>\n";
}

}  // namespace

std::string svg_boundaries(const BoundaryChart& c) {
  std::ostringstream os;
  const std::size_t K = c.information.size();
  double lo = 0, hi = 0;
  auto widen = [&](double v) {
    if (std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  };
  for (std::size_t k = 0; k < K; ++k) {
    widen(k < c.efficacy.size() ? c.efficacy[k] : NAN);
    if (c.two_sided && k < c.efficacy.size()) widen(-c.efficacy[k]);
    widen(k < c.futility.size() ? c.futility[k] : NAN);
    if (k < c.z_quantiles.size()) {
      widen(c.z_quantiles[k][0]);
      widen(c.z_quantiles[k][6]);
    }
  }
  lo = std::floor(lo - 0.5);
  hi = std::ceil(hi + 0.5);
  const Frame fr{0, 1.06, lo, hi};  // room right of the final analysis for its box
  open_svg(os, "Boundaries on the Z scale and the distribution of the simulated Z at each analysis");
  y_axis(os, fr, "Z statistic");
  for (double t : ticks(0, 1, 5))
    os << "<text x=\"" << f(fr.px(t)) << "\" y=\"" << f(kH - kBottom + 16) << "\" text-anchor=\"middle\">" << label_number(t)
       << "</text>\n";
  os << "<text x=\"" << f((kLeft + kW - kRight) / 2) << "\" y=\"" << f(kH - 6)
     << "\" text-anchor=\"middle\">information fraction (share of the planned primary-visit assessments)</text>\n";
  if (lo < 0 && hi > 0)
    os << "<line x1=\"" << f(kLeft) << "\" x2=\"" << f(kW - kRight) << "\" y1=\"" << f(fr.py(0)) << "\" y2=\"" << f(fr.py(0))
       << "\" stroke=\"#999\" stroke-dasharray=\"2,3\"/>\n";
  // The Z distribution at each analysis: 5-95 % whisker, 10-90 % and 25-75 % boxes, median tick.
  const double half = 12;
  std::vector<std::pair<double, double>> medians;
  for (std::size_t k = 0; k < K && k < c.z_quantiles.size(); ++k) {
    const auto& q = c.z_quantiles[k];
    if (!std::isfinite(q[0]) || !std::isfinite(q[6])) continue;
    const double x = fr.px(c.information[k]);
    os << "<line x1=\"" << f(x) << "\" x2=\"" << f(x) << "\" y1=\"" << f(fr.py(q[0])) << "\" y2=\"" << f(fr.py(q[6]))
       << "\" stroke=\"" << kGrey << "\"/>\n";
    os << "<rect x=\"" << f(x - half / 2) << "\" y=\"" << f(fr.py(q[5])) << "\" width=\"" << f(half) << "\" height=\""
       << f(fr.py(q[1]) - fr.py(q[5])) << "\" fill=\"#c9d9ea\" stroke=\"none\"/>\n";
    os << "<rect x=\"" << f(x - half) << "\" y=\"" << f(fr.py(q[4])) << "\" width=\"" << f(2 * half) << "\" height=\""
       << f(fr.py(q[2]) - fr.py(q[4])) << "\" fill=\"#8fb1d3\" stroke=\"" << kGrey << "\"/>\n";
    os << "<line x1=\"" << f(x - half) << "\" x2=\"" << f(x + half) << "\" y1=\"" << f(fr.py(q[3])) << "\" y2=\""
       << f(fr.py(q[3])) << "\" stroke=\"#1a1a1a\" stroke-width=\"2\"/>\n";
    medians.emplace_back(x, fr.py(q[3]));
  }
  if (medians.size() > 1) os << polyline(medians, "stroke=\"#1a1a1a\" stroke-dasharray=\"4,3\"");
  auto bound = [&](const std::vector<double>& v, double sign, const char* colour) {
    std::vector<std::pair<double, double>> pts;
    for (std::size_t k = 0; k < K && k < v.size(); ++k)
      if (std::isfinite(v[k])) {
        pts.emplace_back(fr.px(c.information[k]), fr.py(sign * v[k]));
        os << "<circle cx=\"" << f(pts.back().first) << "\" cy=\"" << f(pts.back().second) << "\" r=\"3.5\" fill=\"" << colour
           << "\"><title>" << label_number(c.information[k]) << ": Z = " << label_number(std::round(sign * v[k] * 1e4) / 1e4)
           << "</title></circle>\n";
      }
    if (pts.size() > 1) os << polyline(pts, std::string("stroke=\"") + colour + "\" stroke-width=\"2\"");
    return !pts.empty();
  };
  int row = 0;
  if (bound(c.efficacy, 1, kBlue))
    legend(os, row++, std::string("<line x1=\"0\" x2=\"20\" stroke=\"") + kBlue + "\" stroke-width=\"2\"/>", "efficacy bound");
  if (c.two_sided && bound(c.efficacy, -1, kBlue))
    legend(os, row++, std::string("<line x1=\"0\" x2=\"20\" stroke=\"") + kBlue + "\" stroke-width=\"2\"/>",
           "bound for harm (-c)");
  if (bound(c.futility, 1, kRed))
    legend(os, row++, std::string("<line x1=\"0\" x2=\"20\" stroke=\"") + kRed + "\" stroke-width=\"2\"/>", "futility bound");
  legend(os, row++, "<rect x=\"2\" y=\"-6\" width=\"16\" height=\"12\" fill=\"#8fb1d3\" stroke=\"#555\"/>", "Z: 25-75 %");
  legend(os, row++, "<rect x=\"6\" y=\"-6\" width=\"8\" height=\"12\" fill=\"#c9d9ea\"/>", "Z: 10-90 %");
  legend(os, row++, "<line x1=\"10\" x2=\"10\" y1=\"-7\" y2=\"7\" stroke=\"#555\"/>", "Z: 5-95 %");
  legend(os, row++, "<line x1=\"0\" x2=\"20\" stroke=\"#1a1a1a\" stroke-width=\"2\"/>", "Z: median");
  os << "</svg>\n";
  return os.str();
}

std::string svg_bars(const BarChart& c) {
  std::ostringstream os;
  double hi = 0;
  for (std::size_t s = 0; s < c.value.size(); ++s)
    for (std::size_t g = 0; g < c.value[s].size(); ++g) {
      const double v = c.value[s][g], e = s < c.mc_se.size() && g < c.mc_se[s].size() ? c.mc_se[s][g] : NAN;
      if (std::isfinite(v)) hi = std::max(hi, v + (std::isfinite(e) ? 1.96 * e : 0));
    }
  hi = hi > 0 ? std::min(1.0, std::ceil(hi * 1.1 * 20) / 20) : 1.0;
  if (hi <= 0) hi = 1;
  const std::size_t G = c.groups.size(), S = std::max<std::size_t>(1, c.series.size());
  const Frame fr{0, static_cast<double>(std::max<std::size_t>(G, 1)), 0, hi};
  open_svg(os, c.ylabel);
  y_axis(os, fr, c.ylabel);
  const char* colours[] = {kBlue, kRed, "#6a8f3a", "#8a6a2b"};
  const double slot = (fr.px(1) - fr.px(0)) * 0.8 / static_cast<double>(S);
  for (std::size_t g = 0; g < G; ++g) {
    const double x0 = fr.px(static_cast<double>(g)) + (fr.px(1) - fr.px(0)) * 0.1;
    os << "<text x=\"" << f(fr.px(static_cast<double>(g) + 0.5)) << "\" y=\"" << f(kH - kBottom + 16) << "\" text-anchor=\"middle\">"
       << html_escape(c.groups[g]) << "</text>\n";
    for (std::size_t s = 0; s < c.value.size(); ++s) {
      if (g >= c.value[s].size() || !std::isfinite(c.value[s][g])) continue;
      const double v = c.value[s][g], e = s < c.mc_se.size() && g < c.mc_se[s].size() ? c.mc_se[s][g] : NAN;
      const double x = x0 + slot * static_cast<double>(s);
      os << "<rect x=\"" << f(x + 2) << "\" y=\"" << f(fr.py(v)) << "\" width=\"" << f(slot - 4) << "\" height=\""
         << f(fr.py(0) - fr.py(v)) << "\" fill=\"" << colours[s % 4] << "\"><title>"
         << html_escape(s < c.series.size() ? c.series[s] : "") << ", " << html_escape(c.groups[g]) << ": "
         << label_number(std::round(v * 1e4) / 1e4) << "</title></rect>\n";
      if (std::isfinite(e) && e > 0) {
        const double xm = x + slot / 2, ylo = fr.py(std::max(0.0, v - 1.96 * e)), yhi = fr.py(std::min(hi, v + 1.96 * e));
        os << "<path d=\"M" << f(xm) << " " << f(ylo) << "V" << f(yhi) << "M" << f(xm - 4) << " " << f(ylo) << "h8M"
           << f(xm - 4) << " " << f(yhi) << "h8\" stroke=\"#1a1a1a\" fill=\"none\"/>\n";
      }
    }
  }
  for (std::size_t s = 0; s < c.series.size(); ++s)
    legend(os, static_cast<int>(s),
           std::string("<rect x=\"2\" y=\"-6\" width=\"16\" height=\"12\" fill=\"") + colours[s % 4] + "\"/>", c.series[s]);
  legend(os, static_cast<int>(c.series.size()), "<path d=\"M10 -7V7M6 -7h8M6 7h8\" stroke=\"#1a1a1a\"/>",
         "95 % MC interval");
  os << "</svg>\n";
  return os.str();
}

std::string svg_boxes(const std::vector<BoxRow>& rows, const std::string& xlabel) {
  std::ostringstream os;
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& r : rows)
    for (double v : r.q)
      if (std::isfinite(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  const double pad = std::max((hi - lo) * 0.08, std::fabs(hi) * 0.02 + 1e-9);
  lo -= pad;
  hi += pad;
  const double height = 40.0 + 34.0 * static_cast<double>(rows.size());
  const double left = 170, right = 20, plot_w = kW - left - right;
  auto px = [&](double x) { return left + (x - lo) / (hi - lo) * plot_w; };
  os << "<svg class=\"chart\" viewBox=\"0 0 " << f(kW) << " " << f(height) << "\" role=\"img\" aria-label=\""
     << html_escape(xlabel) << "\" font-family=\"DejaVu Sans,Helvetica,Arial,sans-serif\" font-size=\"11\"><title>"
     << html_escape(xlabel) << "</title>\n";
  const double bottom = height - 30;
  for (double t : ticks(lo, hi))
    os << "<line x1=\"" << f(px(t)) << "\" x2=\"" << f(px(t)) << "\" y1=\"6\" y2=\"" << f(bottom)
       << "\" stroke=\"#e3e3e3\"/><text x=\"" << f(px(t)) << "\" y=\"" << f(bottom + 14) << "\" text-anchor=\"middle\">"
       << label_number(t) << "</text>\n";
  os << "<text x=\"" << f(left + plot_w / 2) << "\" y=\"" << f(height - 4) << "\" text-anchor=\"middle\">"
     << html_escape(xlabel) << "</text>\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const double y = 22 + 34.0 * static_cast<double>(i);
    os << "<text x=\"" << f(left - 8) << "\" y=\"" << f(y + 4) << "\" text-anchor=\"end\">" << html_escape(r.label) << "</text>\n";
    if (!std::all_of(r.q.begin(), r.q.end(), [](double v) { return std::isfinite(v); })) continue;
    os << "<line x1=\"" << f(px(r.q[0])) << "\" x2=\"" << f(px(r.q[4])) << "\" y1=\"" << f(y) << "\" y2=\"" << f(y)
       << "\" stroke=\"#555\"/>\n";
    for (double w : {r.q[0], r.q[4]})
      os << "<line x1=\"" << f(px(w)) << "\" x2=\"" << f(px(w)) << "\" y1=\"" << f(y - 6) << "\" y2=\"" << f(y + 6)
         << "\" stroke=\"#555\"/>\n";
    os << "<rect x=\"" << f(px(r.q[1])) << "\" y=\"" << f(y - 10) << "\" width=\"" << f(std::max(1.0, px(r.q[3]) - px(r.q[1])))
       << "\" height=\"20\" fill=\"#8fb1d3\" stroke=\"#555\"/>\n";
    os << "<line x1=\"" << f(px(r.q[2])) << "\" x2=\"" << f(px(r.q[2])) << "\" y1=\"" << f(y - 10) << "\" y2=\"" << f(y + 10)
       << "\" stroke=\"#1a1a1a\" stroke-width=\"2\"/>\n";
    if (std::isfinite(r.mean))
      os << "<circle cx=\"" << f(px(r.mean)) << "\" cy=\"" << f(y) << "\" r=\"3.5\" fill=\"" << kRed << "\"><title>mean "
         << label_number(r.mean) << "</title></circle>\n";
  }
  os << "</svg>\n";
  return os.str();
}

}  // namespace celltrial
