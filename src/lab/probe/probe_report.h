// What `halink probe receive` reports: per flow and in total, as JSON for the
// lab and as a table for people. The report is plain data; FlowTracker fills
// it (flow_tracker.h, where "outage" is defined).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/ip.h"

namespace halink::lab {

struct ProbeEndpoint {
  IpAddress address;
  uint16_t port = 0;
  std::string to_string() const;  // "10.0.0.1:40000", "[2001:db8::1]:40000"
  bool operator==(const ProbeEndpoint&) const = default;
};

// One outage of one flow. Times are CLOCK_MONOTONIC ns (the sender's send
// times, except `end_ns` of an outage still open when the receiver stopped
// without an end marker, which is the receiver's stop time).
struct OutageInterval {
  int64_t start_ns = 0;  // when the first lost packet was (nominally) sent
  int64_t end_ns = 0;    // send time of the first packet that got through again
  uint64_t lost = 0;     // packets lost in it (estimated for an open outage without end marker)
  bool open = false;     // the flow never recovered from it before the run ended
  int64_t duration_ns() const { return end_ns - start_ns; }
};

struct FlowReport {
  uint64_t run_id = 0;
  uint32_t flow = 0;
  ProbeEndpoint source;
  int64_t interval_ns = 0;
  uint64_t first_sequence = 0;
  uint64_t last_sequence = 0;  // highest received, or announced by the end marker
  uint64_t sent = 0;           // packets the sender sent (after the receiver started)
  uint64_t received = 0;       // distinct packets received
  uint64_t lost = 0;           // sent - received
  uint64_t duplicates = 0;
  uint64_t reordered = 0;              // arrived after a higher sequence number
  uint64_t sent_before_receiver = 0;   // lost at the start but sent before the receiver listened: not counted
  bool ended = false;                  // the sender's end marker arrived
  std::vector<OutageInterval> outages;
  int64_t longest_outage_ns = 0;
  std::optional<int64_t> recovered_at_ns;  // end of the last outage, if it closed
  bool down_at_end = false;                // the last outage is open
  int64_t min_delay_ns = 0;                // one-way delay (receive - send time), data packets
  int64_t mean_delay_ns = 0;
  int64_t max_delay_ns = 0;
};

struct ProbeTotals {
  uint64_t flows = 0;
  uint64_t runs = 0;  // distinct sender runs seen
  uint64_t flows_hit = 0;  // flows with at least one outage
  uint64_t flows_down_at_end = 0;
  int64_t worst_outage_ns = 0;
  uint64_t sent = 0, received = 0, lost = 0, duplicates = 0, reordered = 0;
  std::optional<int64_t> first_outage_start_ns;
  std::optional<int64_t> last_recovered_at_ns;
  double loss_percent() const { return sent == 0 ? 0.0 : 100.0 * double(lost) / double(sent); }
};

struct ProbeReport {
  std::string listen;  // "ADDR:PORT" the receiver listened on
  int64_t started_ns = 0;
  int64_t stopped_ns = 0;
  uint64_t invalid_datagrams = 0;  // not probe datagrams (wrong magic, short, ...)
  uint64_t socket_drops = 0;       // dropped by the receiver's own socket buffer (SO_RXQ_OVFL): probe overload, not network loss
  std::vector<FlowReport> flows;   // ordered by run, then flow
  ProbeTotals totals;
};

ProbeTotals total_of(const std::vector<FlowReport>& flows);

// A sender run id as both reports print it: 16 hex digits.
std::string run_id_to_string(uint64_t run_id);

nlohmann::json report_to_json(const ProbeReport& report);
// A readable table: one line per flow, then the totals.
std::string report_to_text(const ProbeReport& report);

}  // namespace halink::lab
