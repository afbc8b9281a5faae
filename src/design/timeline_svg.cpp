#include "design/timeline_svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace halink::design {
namespace {

constexpr double label_width = 230;
constexpr double plot_width = 760;
constexpr double right_margin = 20;
constexpr double series_height = 18;
constexpr double flow_height = 4;
constexpr double flow_gap = 1;
constexpr double section_gap = 28;

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", v);
  return text;
}

// Tick spacing of 1, 2 or 5 × 10^k seconds giving at most ~12 ticks.
double tick_step(double span_seconds) {
  if (span_seconds <= 0) return 1;
  const double raw = span_seconds / 12;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * power >= raw) return m * power;
  return 10 * power;
}

std::string rate_text(double bits_per_second) {
  char text[32];
  if (bits_per_second >= 1e9)
    std::snprintf(text, sizeof text, "%.1f Gbit/s", bits_per_second / 1e9);
  else if (bits_per_second >= 1e6)
    std::snprintf(text, sizeof text, "%.1f Mbit/s", bits_per_second / 1e6);
  else
    std::snprintf(text, sizeof text, "%.0f kbit/s", bits_per_second / 1e3);
  return text;
}

class Drawing {
public:
  explicit Drawing(const Timeline& t) : t_(t) {
    span_ = std::max<int64_t>(1, (t.end - t.start).ns());
  }

  double x(Time at) const {
    const double f = static_cast<double>(std::clamp<int64_t>((at - t_.start).ns(), 0, span_)) / static_cast<double>(span_);
    return label_width + f * plot_width;
  }

  std::string render() {
    double y = 40;
    body_ += text(12, 24, t_.title, "title");
    const double top = y + 14;

    // Events row: protocol events as ticks with a tooltip.
    body_ += text(12, y + 10, "events", "label");
    for (const TimelineEvent& e : t_.events) {
      if (e.marked) continue;
      body_ += "<line class=\"tick\" x1=\"" + number(x(e.at)) + "\" y1=\"" + number(y) + "\" x2=\"" + number(x(e.at)) +
               "\" y2=\"" + number(y + 12) + "\"><title>" + escape(seconds(e.at) + " " + e.text) + "</title></line>\n";
    }
    y += 12 + section_gap;

    // Traffic per tunnel.
    double scale = 1;
    if (t_.unit == SeriesUnit::bits_per_second) {
      scale = 0;
      for (const TunnelSeries& s : t_.tunnels)
        for (const SeriesSample& v : s.samples) scale = std::max(scale, v.value);
      if (scale <= 0) scale = 1;
    }
    body_ += text(12, y, t_.unit == SeriesUnit::share ? "traffic share per tunnel (row height = 100 %)"
                                                      : "traffic per tunnel (row height = " + rate_text(scale) + ")",
                  "section");
    y += 8;
    std::string direction;
    for (const TunnelSeries& s : t_.tunnels) {
      if (s.direction != direction) {
        direction = s.direction;
        y += 6;
        body_ += text(12, y + 8, direction, "direction");
        y += 12;
      }
      body_ += text(24, y + series_height - 5, s.name, "label");
      body_ += "<rect class=\"row\" x=\"" + number(label_width) + "\" y=\"" + number(y) + "\" width=\"" +
               number(plot_width) + "\" height=\"" + number(series_height) + "\"/>\n";
      body_ += area(s, y, scale);
      y += series_height + 2;
    }
    y += section_gap;

    // Outage bars per flow.
    body_ += text(12, y, "flow outages (red: not delivered)", "section");
    y += 8;
    direction.clear();
    for (const FlowRow& row : t_.flows) {
      if (row.direction != direction) {
        direction = row.direction;
        y += 6;
        body_ += text(12, y + 8, direction, "direction");
        y += 12;
      }
      for (const OutageInterval& o : row.outages) {
        const Time end = o.ongoing() ? t_.end : o.end;
        const double x1 = x(o.start), x2 = std::max(x(end), x1 + 1);
        body_ += "<rect class=\"out\" x=\"" + number(x1) + "\" y=\"" + number(y) + "\" width=\"" + number(x2 - x1) +
                 "\" height=\"" + number(flow_height) + "\"><title>" +
                 escape(row.name + ": out " + seconds(o.start) + " – " + (o.ongoing() ? "end" : seconds(end)) + " (" +
                        std::to_string((end - o.start).ms()) + " ms)") +
                 "</title></rect>\n";
      }
      y += flow_height + flow_gap;
    }
    const double bottom = y + 4;

    // Scenario steps across everything, labelled above the plot, staggered.
    int lane = 0;
    for (const TimelineEvent& e : t_.events) {
      if (!e.marked) continue;
      const double ex = x(e.at);
      body_ += "<line class=\"step\" x1=\"" + number(ex) + "\" y1=\"" + number(top - 14) + "\" x2=\"" + number(ex) +
               "\" y2=\"" + number(bottom) + "\"/>\n";
      labels_ += text(ex + 3, 10 + 11.0 * (lane % 3) + bottom + 38, e.text, "steplabel");
      ++lane;
    }

    // Time axis.
    const double span_s = static_cast<double>(span_) / 1e9;
    const double step = tick_step(span_s);
    std::string axis;
    axis += "<line class=\"axis\" x1=\"" + number(label_width) + "\" y1=\"" + number(bottom) + "\" x2=\"" +
            number(label_width + plot_width) + "\" y2=\"" + number(bottom) + "\"/>\n";
    for (double s = 0; s <= span_s + 1e-9; s += step) {
      const double tx = label_width + s / span_s * plot_width;
      axis += "<line class=\"axis\" x1=\"" + number(tx) + "\" y1=\"" + number(bottom) + "\" x2=\"" + number(tx) +
              "\" y2=\"" + number(bottom + 4) + "\"/>\n";
      char label[32];
      std::snprintf(label, sizeof label, "%g s", static_cast<double>(t_.start.ns()) / 1e9 + s);
      axis += "<text class=\"axislabel\" x=\"" + number(tx) + "\" y=\"" + number(bottom + 16) + "\">" + label +
              "</text>\n";
    }
    const double height = bottom + 38 + 11 * 3 + 12;
    const double width = label_width + plot_width + right_margin;
    std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + number(width) + "\" height=\"" +
                      number(height) + "\" viewBox=\"0 0 " + number(width) + " " + number(height) + "\">\n";
    out +=
        "<style>\n"
        "text{font-family:sans-serif;fill:#222}\n"
        ".title{font-size:15px;font-weight:bold}.section{font-size:12px;font-weight:bold}\n"
        ".direction{font-size:11px;font-style:italic}.label{font-size:10px}\n"
        ".axislabel{font-size:10px;text-anchor:middle}.steplabel{font-size:10px;fill:#444}\n"
        ".row{fill:#f4f4f4}.share{fill:#4a7fc1}.out{fill:#d0342c}\n"
        ".tick{stroke:#888;stroke-width:1}.step{stroke:#555;stroke-width:1;stroke-dasharray:4 3}\n"
        ".axis{stroke:#222;stroke-width:1}\n"
        "</style>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    out += body_ + axis + labels_ + "</svg>\n";
    return out;
  }

private:
  std::string seconds(Time at) const {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f s", static_cast<double>(at.ns()) / 1e9);
    return text;
  }

  static std::string text(double x, double y, const std::string& content, const char* cls) {
    return "<text class=\"" + std::string(cls) + "\" x=\"" + number(x) + "\" y=\"" + number(y) + "\">" +
           escape(content) + "</text>\n";
  }

  // A step function: each sample holds until the next one (timeline.h).
  std::string area(const TunnelSeries& s, double y, double scale) const {
    if (s.samples.empty()) return "";
    const double base = y + series_height;
    std::string d = "M" + number(x(s.samples.front().at)) + " " + number(base);
    for (size_t i = 0; i < s.samples.size(); ++i) {
      const double level = base - std::clamp(s.samples[i].value / scale, 0.0, 1.0) * series_height;
      const Time until = i + 1 < s.samples.size() ? s.samples[i + 1].at : t_.end;
      d += " L" + number(x(s.samples[i].at)) + " " + number(level) + " L" + number(x(until)) + " " + number(level);
    }
    d += " L" + number(x(t_.end)) + " " + number(base) + " Z";
    return "<path class=\"share\" d=\"" + d + "\"/>\n";
  }

  const Timeline& t_;
  int64_t span_ = 1;
  std::string body_;
  std::string labels_;
};

}  // namespace

std::string render_timeline_svg(const Timeline& timeline) { return Drawing(timeline).render(); }

}  // namespace halink::design
