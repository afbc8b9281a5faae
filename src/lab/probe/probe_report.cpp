#include "lab/probe/probe_report.h"

#include <cinttypes>
#include <cmath>
#include <cstdio>

namespace halink::lab {
namespace {

// Milliseconds with microsecond resolution: enough for outages measured in
// packet intervals, short in JSON.
double milliseconds(int64_t ns) { return std::round(double(ns) / 1e3) / 1e3; }

nlohmann::json optional_ns(const std::optional<int64_t>& ns) {
  return ns ? nlohmann::json(*ns) : nlohmann::json(nullptr);
}

nlohmann::json flow_to_json(const FlowReport& f) {
  nlohmann::json outages = nlohmann::json::array();
  for (const OutageInterval& o : f.outages)
    outages.push_back({{"start_ns", o.start_ns},
                       {"end_ns", o.end_ns},
                       {"duration_ms", milliseconds(o.duration_ns())},
                       {"lost", o.lost},
                       {"open", o.open}});
  return {{"run_id", run_id_to_string(f.run_id)},
          {"flow", f.flow},
          {"source", f.source.to_string()},
          {"interval_ns", f.interval_ns},
          {"first_sequence", f.first_sequence},
          {"last_sequence", f.last_sequence},
          {"sent", f.sent},
          {"received", f.received},
          {"lost", f.lost},
          {"duplicates", f.duplicates},
          {"reordered", f.reordered},
          {"sent_before_receiver", f.sent_before_receiver},
          {"ended", f.ended},
          {"outage_count", f.outages.size()},
          {"longest_outage_ms", milliseconds(f.longest_outage_ns)},
          {"outages", std::move(outages)},
          {"recovered_at_ns", optional_ns(f.recovered_at_ns)},
          {"down_at_end", f.down_at_end},
          {"delay_ms",
           {{"min", milliseconds(f.min_delay_ns)},
            {"mean", milliseconds(f.mean_delay_ns)},
            {"max", milliseconds(f.max_delay_ns)}}}};
}

}  // namespace

std::string run_id_to_string(uint64_t run_id) {
  char text[17];
  std::snprintf(text, sizeof text, "%016" PRIx64, run_id);
  return text;
}

std::string ProbeEndpoint::to_string() const {
  std::string text = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return text + ":" + std::to_string(port);
}

nlohmann::json report_to_json(const ProbeReport& report) {
  const ProbeTotals& t = report.totals;
  nlohmann::json flows = nlohmann::json::array();
  for (const FlowReport& f : report.flows) flows.push_back(flow_to_json(f));
  return {{"listen", report.listen},
          {"started_ns", report.started_ns},
          {"stopped_ns", report.stopped_ns},
          {"invalid_datagrams", report.invalid_datagrams},
          {"socket_drops", report.socket_drops},
          {"totals",
           {{"flows", t.flows},
            {"runs", t.runs},
            {"flows_hit", t.flows_hit},
            {"flows_down_at_end", t.flows_down_at_end},
            {"worst_outage_ms", milliseconds(t.worst_outage_ns)},
            {"sent", t.sent},
            {"received", t.received},
            {"lost", t.lost},
            {"loss_percent", std::round(t.loss_percent() * 1e4) / 1e4},
            {"duplicates", t.duplicates},
            {"reordered", t.reordered},
            {"first_outage_start_ns", optional_ns(t.first_outage_start_ns)},
            {"last_recovered_at_ns", optional_ns(t.last_recovered_at_ns)}}},
          {"flows", std::move(flows)}};
}

std::string report_to_text(const ProbeReport& report) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "probe receiver on %s, %.3f s\n", report.listen.c_str(),
                double(report.stopped_ns - report.started_ns) / 1e9);
  out += line;
  std::snprintf(line, sizeof line, "%-16s %5s %-22s %9s %9s %7s %5s %6s %7s %11s %s\n", "run", "flow", "source", "sent",
                "received", "lost", "dup", "reord", "outages", "longest ms", "recovered at ns");
  out += line;
  for (const FlowReport& f : report.flows) {
    std::string recovered = f.down_at_end ? "still down" : f.recovered_at_ns ? std::to_string(*f.recovered_at_ns) : "-";
    std::snprintf(line, sizeof line,
                  "%-16s %5" PRIu32 " %-22s %9" PRIu64 " %9" PRIu64 " %7" PRIu64 " %5" PRIu64 " %6" PRIu64 " %7zu %11.3f %s\n",
                  run_id_to_string(f.run_id).c_str(), f.flow, f.source.to_string().c_str(), f.sent, f.received, f.lost,
                  f.duplicates, f.reordered, f.outages.size(), milliseconds(f.longest_outage_ns), recovered.c_str());
    out += line;
  }
  const ProbeTotals& t = report.totals;
  std::snprintf(line, sizeof line,
                "total: %" PRIu64 " flows, %" PRIu64 " hit, %" PRIu64 " down at end; worst outage %.3f ms; "
                "lost %" PRIu64 " of %" PRIu64 " (%.4f %%); %" PRIu64 " duplicates, %" PRIu64 " reordered\n",
                t.flows, t.flows_hit, t.flows_down_at_end, milliseconds(t.worst_outage_ns), t.lost, t.sent,
                t.loss_percent(), t.duplicates, t.reordered);
  out += line;
  if (report.socket_drops > 0 || report.invalid_datagrams > 0) {
    std::snprintf(line, sizeof line,
                  "receiver: %" PRIu64 " dropped by its own socket buffer (counted as lost), %" PRIu64
                  " invalid datagrams\n",
                  report.socket_drops, report.invalid_datagrams);
    out += line;
  }
  return out;
}

}  // namespace halink::lab
