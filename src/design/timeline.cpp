#include "design/timeline.h"

#include <algorithm>
#include <cstdio>

namespace halink::design {

std::vector<PhaseSummary> summarize(const Timeline& timeline) {
  std::vector<PhaseSummary> out;
  for (const TimelinePhase& phase : timeline.phases) {
    PhaseSummary s;
    s.label = phase.label;
    s.flows = timeline.flows.size();
    Duration recovered = Duration::zero();
    bool all_ended = true;
    for (const FlowRow& row : timeline.flows) {
      bool hit = false;
      for (const OutageInterval& o : row.outages) {
        if (o.start < phase.start || o.start >= phase.end) continue;
        hit = true;
        const Time end = o.ongoing() ? timeline.end : o.end;
        s.worst = std::max(s.worst, end - o.start);
        if (o.ongoing() || o.end > timeline.end)
          all_ended = false;
        else
          recovered = std::max(recovered, o.end - phase.start);
      }
      if (hit) ++s.flows_hit;
    }
    if (all_ended) s.recovered_after = recovered;
    out.push_back(std::move(s));
  }
  return out;
}

std::string milliseconds_text(Duration d) {
  char text[32];
  std::snprintf(text, sizeof text, "%lld ms", static_cast<long long>(d.ms()));
  return text;
}

std::string render_summary_table(const std::vector<PhaseSummary>& phases) {
  size_t width = 4;
  for (const PhaseSummary& p : phases) width = std::max(width, p.label.size());
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "  %-*s  %11s  %12s  %15s\n", static_cast<int>(width), "step", "flows hit",
                "worst outage", "recovered after");
  out += line;
  for (const PhaseSummary& p : phases) {
    const std::string hit = std::to_string(p.flows_hit) + "/" + std::to_string(p.flows);
    const std::string worst = p.flows_hit == 0 ? "-" : milliseconds_text(p.worst);
    const std::string recovered =
        !p.recovered_after ? "NOT RECOVERED" : (p.flows_hit == 0 ? "-" : milliseconds_text(*p.recovered_after));
    std::snprintf(line, sizeof line, "  %-*s  %11s  %12s  %15s\n", static_cast<int>(width), p.label.c_str(),
                  hit.c_str(), worst.c_str(), recovered.c_str());
    out += line;
  }
  return out;
}

}  // namespace halink::design
