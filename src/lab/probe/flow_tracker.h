// The receiving side's analysis: probe packets in, a per-flow report out.
// Sans-IO: the receive time comes in with every packet, the report time with
// report(); nothing here reads a clock or touches a socket.
//
// Definition of an outage (what the report's `outages` list):
//   A flow's packets carry consecutive sequence numbers, each sent one nominal
//   interval I after the previous. An outage is a maximal run of consecutive
//   sequence numbers none of which was received by the time of the report
//   (a packet that arrives late, reordered, fills its hole: late is not lost).
//   Between the last packet received before it (A) and the first after it (B):
//     start_ns = send_time(A) + I   (when the first lost packet was sent)
//     end_ns   = send_time(B)       (the first packet that got through again)
//     duration = end_ns - start_ns  ≈ lost × I  (the gap between A and B minus
//                                                the nominal interval)
//   All times are the sender's CLOCK_MONOTONIC send times: exactly paced,
//   immune to the receiver's scheduling, and comparable with the lab's
//   injection times because network namespaces share that clock.
//   At the start: packets from the flow's first sequence number up to the
//   first received are an outage ending at send_time(first received),
//   excluding those sent before the receiver started (`started`), which are
//   reported as sent_before_receiver and not counted.
//   At the end: the sender's end marker announces its last sequence number F
//   and its send time; if F was not received, the tail after the last
//   received packet is an outage ending at send_time(F) + I, and it is open
//   (the flow was still down when it stopped). Without an end marker (the
//   sender still running or the marker lost), a flow silent for longer than
//   the silence grace at report time has an open outage ending at the report
//   time, its lost count estimated from the interval.
//   recovered_at_ns is the end of the flow's last outage if that one closed.
//
// Flows are keyed by (sender run id, flow id): a restarted sender is a new run.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <utility>

#include "core/time.h"
#include "lab/probe/probe_packet.h"
#include "lab/probe/probe_report.h"
#include "lab/probe/received_runs.h"

namespace halink::lab {

// Extends a 32-bit wrapping sequence number to 64 bits: the value nearest to
// `reference` (serial number arithmetic, RFC 1982 §3.2; as RTP does,
// RFC 3550 Appendix A.1). May be below `reference` for a late packet.
int64_t extend_sequence(uint32_t wire, int64_t reference);

struct FlowTrackerOptions {
  Time started;  // when the receiver began listening
  // Without an end marker, silence longer than this (and than 2 intervals)
  // at report time is an outage still going on.
  Duration silence_grace = Duration::milliseconds(50);
};

class FlowTracker {
public:
  explicit FlowTracker(FlowTrackerOptions options) : options_(options) {}

  void on_packet(Time received, const ProbePacket& packet, const ProbeEndpoint& source);
  // A datagram that did not decode as a probe packet.
  void on_invalid() { ++invalid_; }

  // Flows and totals as of `now` (the outage definition above); the caller
  // fills listen and socket_drops.
  ProbeReport report(Time now) const;

private:
  struct Flow {
    ProbeEndpoint source;
    int64_t interval_ns = 0;
    int64_t first = 0;    // extended first sequence number
    int64_t highest = -1; // highest extended sequence received, -1 before any
    ReceivedRuns runs;
    uint64_t received = 0, duplicates = 0, reordered = 0;
    std::optional<std::pair<int64_t, int64_t>> end;  // announced last sequence, its send time
    Time last_received;
    int64_t min_delay_ns = 0, max_delay_ns = 0, sum_delay_ns = 0;
    uint64_t delay_samples = 0;
  };
  FlowReport report_flow(uint64_t run_id, uint32_t flow_id, const Flow& flow, Time now) const;

  FlowTrackerOptions options_;
  std::map<std::pair<uint64_t, uint32_t>, Flow> flows_;
  uint64_t invalid_ = 0;
};

}  // namespace halink::lab
