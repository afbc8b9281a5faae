// Traffic model: flows between site prefixes, forwarded hop by hop by each
// node's forwarding table, sampled on a fixed grid of virtual time to give
// per-flow outage windows and per-link (per-tunnel) traffic volume.
//
// Model assumptions:
// - A flow is a five-tuple entering the network at one node at a constant
//   rate. It is not sent as packets and takes no link capacity; what is
//   measured is where the forwarding state would send it, which is what an
//   outage is made of.
// - At each node: longest-prefix match; a local prefix delivers; otherwise
//   one next hop by the five-tuple hash (flow_hash.h), among next hops whose
//   interface has carrier when the node ignores routes with linkdown
//   (net.ipv4.conf.*.ignore_routes_with_linkdown=1, the default here, as
//   LAB-NOTES.md recommends); then across the link to its far end.
// - A flow is dropped when a node is down (the ingress, or the far end of
//   the link it is sent into: node_down at that node), has no route, cannot
//   resolve a next hop to a link, has only linkdown next hops, or sends into
//   a link that does not carry packets (blackhole: the link's own failure or
//   a dead underlay); or after 64 hops (a loop). A blackholed link still counts as used: the
//   traffic really goes into it until something reroutes it.
// - Sampling: a sample at time t sees every change made at or before t;
//   samples are taken every sample_interval (1 ms by default) from time
//   zero. Since forwarding changes only when a table, a link or a node
//   changes, samples are evaluated only on grid points that follow a change
//   — the same result as sampling every grid point, at a cost independent
//   of the simulated duration. Outage windows therefore start and end on the
//   grid; their precision is sample_interval.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/time.h"
#include "sim/flow_hash.h"
#include "sim/forwarding_table.h"
#include "sim/network.h"
#include "sim/scheduler.h"

namespace halink::sim {

using FlowId = uint32_t;

struct Flow {
  std::string name;
  NodeId ingress = 0;
  FiveTuple tuple;
  double rate_bps = 1.0;
};

enum class DropReason : uint8_t { none, node_down, no_route, unresolved_next_hop, interface_down, blackhole, loop };
const char* drop_reason_name(DropReason reason);

// Where a flow goes now.
struct FlowPath {
  bool delivered = false;
  DropReason drop = DropReason::none;
  NodeId last_node = 0;        // where it was delivered or dropped (a dead far end: that node)
  std::vector<LinkId> links;   // links crossed, or sent into
  bool operator==(const FlowPath&) const = default;
};

struct OutageWindow {
  Time start;
  Time end = Time::never();  // never: still out
  DropReason drop = DropReason::none;
  NodeId at = 0;
  bool ongoing() const { return end.is_never(); }
  Duration length() const { return end - start; }
};

struct TrafficConfig {
  Duration sample_interval = Duration::milliseconds(1);
  int max_hops = 64;
};

class TrafficModel {
public:
  TrafficModel(Scheduler& scheduler, Network& network, TrafficConfig config = {});

  // Tables are not owned; a node without one forwards nothing.
  void set_table(NodeId node, const ForwardingTable* table);
  void set_hash_seed(NodeId node, uint64_t seed);
  uint64_t hash_seed(NodeId node) const;
  void set_ignore_linkdown(NodeId node, bool ignore);

  FlowId add_flow(Flow flow);
  const Flow& flow(FlowId id) const { return flows_.at(id).flow; }
  size_t flow_count() const { return flows_.size(); }

  // The path of a flow right now (no sampling involved).
  FlowPath route(const Flow& flow) const;

  // Something forwarding depends on changed: a sample follows on the next
  // grid point (or now, when now is on the grid).
  void changed();
  // Path as of the latest sample.
  const FlowPath& current(FlowId id) const { return flows_.at(id).path; }
  const std::vector<OutageWindow>& outages(FlowId id) const { return flows_.at(id).outages; }
  // Total time out over [0, now], open windows counted up to now.
  Duration total_outage(FlowId id) const;
  // Time out within [from, to) (e.g. one phase of a scenario).
  Duration outage_within(FlowId id, Time from, Time to) const;

  // Volume (rate × seconds) that crossed `link` since the last reset, in
  // both directions or leaving `from`. Counted up to now.
  double volume(LinkId link) const;
  double volume(LinkId link, NodeId from) const;
  // Rate crossing `link` per the latest sample.
  double current_rate(LinkId link) const;
  void reset_volumes();

  // Told of every flow whose path changed at a sample.
  using FlowObserver = std::function<void(Time at, FlowId id, const FlowPath& before, const FlowPath& after)>;
  void set_observer(FlowObserver observer) { observer_ = std::move(observer); }

private:
  struct FlowState {
    Flow flow;
    FlowPath path;
    bool sampled = false;
    std::vector<OutageWindow> outages;
  };
  struct NodeState {
    const ForwardingTable* table = nullptr;
    uint64_t hash_seed = 0;
    bool ignore_linkdown = true;
    // Next-hop resolution, rebuilt when links are added (the topology only grows).
    mutable size_t indexed_links = 0;
    mutable std::unordered_map<std::string, LinkId> by_interface;
    mutable std::unordered_map<IpAddress, LinkId> by_gateway;
  };
  NodeState& node_state(NodeId node);
  const NodeState* find_node_state(NodeId node) const;
  std::optional<LinkId> resolve(NodeId node, const NodeState& state, const fib::NextHop& next_hop) const;
  void sample();
  void integrate_to(Time t) const;

  Scheduler& scheduler_;
  Network& network_;
  TrafficConfig config_;
  std::vector<NodeState> nodes_;
  std::vector<FlowState> flows_;
  EventId pending_sample_ = no_event;
  FlowObserver observer_;
  // Volumes are integrated lazily from the latest sample; mutable so that
  // const readers can bring them up to now.
  mutable std::vector<double> volume_;  // two per link: leaving a, leaving b
  mutable Time integrated_until_ = Time::zero();
};

}  // namespace halink::sim
