// The simulated network: nodes, point-to-point links (cables and tunnels),
// the underlays (ISPs) tunnels ride on, and the state of each.
//
// Model assumptions:
// - A link joins exactly two nodes. Each end has an interface name and an
//   address, which is how a FIB next hop (gateway, interface) is resolved to
//   a link. A tunnel is a link with an underlay; a cable has none.
// - Latency is one-way and fixed; capacity (bits/s, 0 = unlimited) gives a
//   serialisation delay per packet, and packets queue per direction behind
//   each other (store and forward, FIFO, unbounded queue, no loss from
//   congestion). The traffic model's flows are sampled, not sent, so they
//   do not occupy capacity; only protocol packets (TCP, datagrams) do.
// - An underlay's capacity is recorded for the design checks (bandwidth of
//   an ISP); tunnels over it do not share it here, each link has its own.
// - A link carries packets ("usable") when its state is up, its underlay is
//   up and both end nodes are up. Three ways to fail, as seen from the ends:
//     carrier_down  the interface goes down on both ends (an event each end
//                   sees at once, like a cable pulled);
//     blackhole     packets vanish, interfaces stay up, nobody is told (a
//                   dead path inside an ISP or a tunnel with a stuck SA);
//     underlay lost every tunnel over that ISP is blackholed at once.
// - A node crash takes its own interfaces down with it (nobody is told,
//   the node is gone). Its peers see a carrier change only on links marked
//   carrier_follows_peer (a cable to the crashed box); over a tunnel a
//   crashed peer is silent, exactly like a blackhole.
// - Every time a link stops carrying packets its failure epoch increases;
//   a packet in flight across a link whose epoch changed is lost (it was on
//   the wire when the path died, even if the path is back when it would
//   have arrived).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/ip.h"
#include "core/result.h"
#include "core/time.h"

namespace halink::sim {

using NodeId = uint32_t;
using LinkId = uint32_t;
using UnderlayId = uint32_t;

enum class LinkState : uint8_t { up, carrier_down, blackhole };
const char* link_state_name(LinkState state);  // "up", "carrier-down", "blackhole"

struct LinkEnd {
  NodeId node = 0;
  std::string interface;  // e.g. "wg0"; unique per node
  IpAddress address;      // this end's address on the link
};

struct LinkSpec {
  std::string name;  // unique, e.g. "r1-g1"
  LinkEnd a;
  LinkEnd b;
  Duration latency = Duration::milliseconds(1);  // one way
  uint64_t capacity_bps = 0;                      // 0 = unlimited
  std::optional<UnderlayId> underlay;             // set for tunnels
  // A cable: when one end's node crashes the other end loses carrier.
  bool carrier_follows_peer = false;
};

// What an interface of a node did; the Simulation delivers it to that node.
struct InterfaceEvent {
  NodeId node = 0;
  LinkId link = 0;
  bool carrier_up = false;
};

// A fixed route through the network for a connection or a datagram
// channel: the links in order, each crossed in the direction away from `from`.
struct Path {
  NodeId from = 0;
  NodeId to = 0;
  std::vector<LinkId> links;
  Path reversed() const;
};

class Network {
public:
  NodeId add_node(std::string name);
  UnderlayId add_underlay(std::string name, uint64_t capacity_bps = 0);
  Result<LinkId> add_link(LinkSpec spec);

  size_t node_count() const { return nodes_.size(); }
  size_t link_count() const { return links_.size(); }
  size_t underlay_count() const { return underlays_.size(); }
  std::optional<NodeId> find_node(std::string_view name) const;
  std::optional<LinkId> find_link(std::string_view name) const;
  std::optional<UnderlayId> find_underlay(std::string_view name) const;
  const std::string& node_name(NodeId node) const { return nodes_.at(node).name; }
  const std::string& link_name(LinkId link) const { return links_.at(link).spec.name; }
  const std::string& underlay_name(UnderlayId underlay) const { return underlays_.at(underlay).name; }
  const LinkSpec& link(LinkId link) const { return links_.at(link).spec; }
  uint64_t underlay_capacity(UnderlayId underlay) const { return underlays_.at(underlay).capacity_bps; }
  std::vector<LinkId> links_of(NodeId node) const;
  std::vector<LinkId> tunnels_over(UnderlayId underlay) const;

  // ---- State. Each change returns the interface events it causes, in a
  // deterministic order, for the caller to deliver to nodes that are up.
  std::vector<InterfaceEvent> set_link_state(LinkId link, LinkState state);
  std::vector<InterfaceEvent> set_underlay_up(UnderlayId underlay, bool up);
  // Down = crashed; up again = restarted with a new incarnation.
  std::vector<InterfaceEvent> set_node_up(NodeId node, bool up);

  LinkState link_state(LinkId link) const { return links_.at(link).state; }
  bool underlay_up(UnderlayId underlay) const { return underlays_.at(underlay).up; }
  bool node_up(NodeId node) const { return nodes_.at(node).up; }
  // Increases at every restart: lets connections tell a rebooted peer from the old one.
  uint64_t incarnation(NodeId node) const { return nodes_.at(node).incarnation; }

  // The link carries packets now.
  bool link_usable(LinkId link) const;
  // The interface on `node`'s end of `link` has carrier (is oper-up).
  bool carrier_up(LinkId link, NodeId node) const;
  uint64_t failure_epoch(LinkId link) const { return links_.at(link).failure_epoch; }

  // ---- Topology queries.
  // The other end of `link` seen from `node`.
  NodeId peer_of(LinkId link, NodeId node) const;
  std::optional<LinkId> link_by_interface(NodeId node, std::string_view interface) const;
  // The link of `node` whose far end has address `gateway`.
  std::optional<LinkId> link_to_gateway(NodeId node, const IpAddress& gateway) const;
  const LinkEnd& end_of(LinkId link, NodeId node) const;

  // ---- Paths and transmission.
  // The links must chain from `from`; an error names the first that does not.
  Result<Path> make_path(NodeId from, std::vector<LinkId> links) const;
  Path direct_path(NodeId from, LinkId link) const;  // one link, from one of its ends
  bool path_usable(const Path& path) const;
  Duration path_latency(const Path& path) const;
  // Sum of the links' failure epochs: changes iff some link on the path
  // stopped carrying packets (epochs only grow).
  uint64_t path_epoch(const Path& path) const;
  // Puts `wire_bytes` on the path at `now` (queueing behind earlier packets
  // on each link and direction) and returns its arrival time. Does not check
  // that the path is usable: that is the caller's decision.
  Time transmit(const Path& path, size_t wire_bytes, Time now);

  // Called after every state change that can alter forwarding.
  void add_observer(std::function<void()> observer) { observers_.push_back(std::move(observer)); }

private:
  struct NodeEntry {
    std::string name;
    bool up = true;
    uint64_t incarnation = 0;
  };
  struct UnderlayEntry {
    std::string name;
    uint64_t capacity_bps = 0;
    bool up = true;
  };
  struct LinkEntry {
    LinkSpec spec;
    LinkState state = LinkState::up;
    uint64_t failure_epoch = 0;
    Time busy_until[2] = {Time::zero(), Time::zero()};  // [0] a→b, [1] b→a
  };
  struct Snapshot {
    std::vector<uint8_t> usable;
    std::vector<uint8_t> carrier;  // two per link: a, b
  };
  Snapshot snapshot() const;
  std::vector<InterfaceEvent> settle(const Snapshot& before);

  std::vector<NodeEntry> nodes_;
  std::vector<UnderlayEntry> underlays_;
  std::vector<LinkEntry> links_;
  std::vector<std::function<void()>> observers_;
};

}  // namespace halink::sim
