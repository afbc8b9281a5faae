#include "lab/probe/flow_tracker.h"

#include <algorithm>
#include <set>

namespace halink::lab {

int64_t extend_sequence(uint32_t wire, int64_t reference) {
  // The signed 32-bit distance from the reference's low bits picks the
  // nearest 64-bit value: forward up to 2^31 - 1, backward up to 2^31.
  return reference + int32_t(wire - uint32_t(uint64_t(reference)));
}

void FlowTracker::on_packet(Time received, const ProbePacket& packet, const ProbeEndpoint& source) {
  auto [it, created] = flows_.try_emplace({packet.run_id, packet.flow});
  Flow& flow = it->second;
  if (created) {
    flow.source = source;
    flow.interval_ns = packet.interval_ns;
    flow.first = packet.first_sequence;
  }
  int64_t sequence = extend_sequence(packet.sequence, flow.highest >= 0 ? flow.highest : flow.first);
  if (sequence < flow.first) {
    // Below the flow's own first sequence number: not from this run's sender.
    ++invalid_;
    return;
  }
  if (packet.kind == ProbePacketKind::end) {
    if (!flow.end || flow.end->first < sequence) flow.end = std::make_pair(sequence, packet.send_ns);
    return;
  }
  int64_t delay = received.ns() - packet.send_ns;
  if (flow.delay_samples == 0) flow.min_delay_ns = flow.max_delay_ns = delay;
  flow.min_delay_ns = std::min(flow.min_delay_ns, delay);
  flow.max_delay_ns = std::max(flow.max_delay_ns, delay);
  flow.sum_delay_ns += delay;
  ++flow.delay_samples;
  flow.last_received = received;
  if (!flow.runs.insert(uint64_t(sequence), packet.send_ns)) {
    ++flow.duplicates;
    return;
  }
  ++flow.received;
  if (sequence < flow.highest) ++flow.reordered;
  flow.highest = std::max(flow.highest, sequence);
}

FlowReport FlowTracker::report_flow(uint64_t run_id, uint32_t flow_id, const Flow& flow, Time now) const {
  FlowReport r;
  r.run_id = run_id;
  r.flow = flow_id;
  r.source = flow.source;
  r.interval_ns = flow.interval_ns;
  r.first_sequence = uint64_t(flow.first);
  r.received = flow.received;
  r.duplicates = flow.duplicates;
  r.reordered = flow.reordered;
  r.ended = flow.end.has_value();
  const int64_t interval = flow.interval_ns;
  const int64_t started = options_.started.ns();
  // Of `missing` packets whose last one was nominally sent at `last_send_ns`,
  // how many were sent after the receiver started (the rest were never
  // observable and are not losses).
  auto observable = [&](int64_t missing, int64_t last_send_ns) -> int64_t {
    if (last_send_ns < started) return 0;
    return std::min(missing, (last_send_ns - started) / interval + 1);
  };

  if (flow.runs.empty()) {
    // Only end markers arrived: every packet of the flow was lost.
    if (flow.end) {
      auto [last, last_send_ns] = *flow.end;
      int64_t lost = observable(last - flow.first + 1, last_send_ns);
      r.sent_before_receiver = uint64_t(last - flow.first + 1 - lost);
      if (lost > 0) r.outages.push_back({last_send_ns - (lost - 1) * interval, last_send_ns + interval, uint64_t(lost), true});
      r.last_sequence = uint64_t(last);
    }
  } else {
    const ReceivedRun& lowest = flow.runs.lowest();
    int64_t head_missing = int64_t(lowest.first) - flow.first;
    if (head_missing > 0) {
      // The packet before the first received one was nominally sent at
      // first_send - interval.
      int64_t lost = observable(head_missing, lowest.first_send_ns - interval);
      r.sent_before_receiver = uint64_t(head_missing - lost);
      if (lost > 0) r.outages.push_back({lowest.first_send_ns - lost * interval, lowest.first_send_ns, uint64_t(lost), false});
    }
    const ReceivedRun* previous = nullptr;
    flow.runs.for_each([&](const ReceivedRun& run) {
      if (previous) {
        int64_t start = previous->last_send_ns + interval;
        r.outages.push_back({start, std::max(start, run.first_send_ns), run.first - previous->last - 1, false});
      }
      previous = &run;
    });
    const ReceivedRun& highest = flow.runs.highest();
    r.last_sequence = highest.last;
    int64_t tail_start = highest.last_send_ns + interval;
    if (flow.end) {
      auto [last, last_send_ns] = *flow.end;
      if (last > int64_t(highest.last)) {
        r.outages.push_back({tail_start, std::max(tail_start, last_send_ns + interval), uint64_t(last - int64_t(highest.last)), true});
        r.last_sequence = uint64_t(last);
      }
    } else {
      Duration grace = std::max(options_.silence_grace, Duration::nanoseconds(2 * interval));
      if (now - flow.last_received > grace && now.ns() > tail_start) {
        uint64_t estimated = uint64_t((now.ns() - highest.last_send_ns) / interval);
        r.outages.push_back({tail_start, now.ns(), std::max<uint64_t>(estimated, 1), true});
      }
    }
  }

  for (const OutageInterval& outage : r.outages) {
    r.lost += outage.lost;
    r.longest_outage_ns = std::max(r.longest_outage_ns, outage.duration_ns());
  }
  r.sent = r.received + r.lost;
  if (!r.outages.empty()) {
    r.down_at_end = r.outages.back().open;
    if (!r.down_at_end) r.recovered_at_ns = r.outages.back().end_ns;
  }
  if (flow.delay_samples > 0) {
    r.min_delay_ns = flow.min_delay_ns;
    r.max_delay_ns = flow.max_delay_ns;
    r.mean_delay_ns = flow.sum_delay_ns / int64_t(flow.delay_samples);
  }
  return r;
}

ProbeReport FlowTracker::report(Time now) const {
  ProbeReport report;
  report.started_ns = options_.started.ns();
  report.stopped_ns = now.ns();
  report.invalid_datagrams = invalid_;
  for (const auto& [key, flow] : flows_) report.flows.push_back(report_flow(key.first, key.second, flow, now));
  report.totals = total_of(report.flows);
  return report;
}

ProbeTotals total_of(const std::vector<FlowReport>& flows) {
  ProbeTotals t;
  std::set<uint64_t> runs;
  for (const FlowReport& f : flows) {
    runs.insert(f.run_id);
    ++t.flows;
    if (!f.outages.empty()) ++t.flows_hit;
    if (f.down_at_end) ++t.flows_down_at_end;
    t.worst_outage_ns = std::max(t.worst_outage_ns, f.longest_outage_ns);
    t.sent += f.sent;
    t.received += f.received;
    t.lost += f.lost;
    t.duplicates += f.duplicates;
    t.reordered += f.reordered;
    if (!f.outages.empty())
      t.first_outage_start_ns = std::min(t.first_outage_start_ns.value_or(f.outages.front().start_ns), f.outages.front().start_ns);
    if (f.recovered_at_ns) t.last_recovered_at_ns = std::max(t.last_recovered_at_ns.value_or(*f.recovered_at_ns), *f.recovered_at_ns);
  }
  t.runs = runs.size();
  return t;
}

}  // namespace halink::lab
