// The simulator: one virtual clock driving the network, virtual TCP,
// datagram channels, the traffic model, and the nodes that run halink's
// sans-IO protocol cores.
//
// How a node plugs in: implement sim::Node (below) with the same calls
// halinkd's runtime makes on the cores — on_connected, on_bytes, on_closed,
// on_timer(now), next_deadline() — and turn the cores' actions into calls on
// the Simulation (tcp_connect/tcp_send/tcp_close, send_datagram, the
// node's ForwardingTable as its fib::Fib, note() for the trace).
//
// Recipe for a router running bgp::Speaker + BFD sessions:
//   speaker Connect{peer, c}    → id = tcp_connect(network().direct_path(self, link), timeout);
//                                 remember id ↔ (peer, c); the link: network().link_to_gateway(self, peer address)
//   speaker SendBytes/Close     → tcp_send(self, id, bytes) / tcp_close(self, id)
//   speaker RouteChanges        → table(self).apply(changes)
//   speaker NextHopDown         → table(self).remove_next_hop(next_hop)
//   speaker PeerUp/PeerDown/Log → note(self, text)
//   BFD SendPacket              → send_datagram(self, link_channel(link), bytes)
//   jitter                      → random(self).uniform() (bgp) / next_u32() (bfd::RandomSource)
//   on_tcp_connected(id, info)  → speaker.on_connected(now, peer, c, info.initiator_address)
//   on_tcp_accepted(id, info)   → the peer whose address is info.initiator_address;
//                                 c = speaker.on_incoming(now, peer, info.acceptor_address)
//   on_tcp_bytes / on_tcp_closed → speaker.on_bytes / on_closed
//   on_datagram(channel)        → the BFD session of that channel's link
//   on_interface(link, up)      → speaker.interface_down/up(network().end_of(link, self).interface)
//   BFD Down/Up                 → speaker.bfd_down/bfd_up
//   on_timer / next_deadline    → every core's, the earliest deadline of all
// then drain every core's actions before returning. (sim::ConnectionId is
// the simulator's; bgp::ConnectionId is the speaker's own numbering.)
//
// Model assumptions:
// - Every callback into a node runs inside a scheduler event at the event's
//   time; after each one the simulation asks next_deadline() again and
//   (re)arms the node's single timer. A node whose deadline does not move
//   past `now` after on_timer() is pushed 1 ms later after 10,000 tries at
//   the same instant (a bug in the node, reported in the trace, not a hang).
// - Nothing reaches a node synchronously from inside one of its own calls:
//   connections, datagrams and interface events always arrive as later
//   events (possibly at the same virtual time).
// - A crash: the node's connections vanish (tcp.h), its timer is cancelled,
//   and the adapter's crash() must drop all protocol state. A node with an
//   adapter also loses every route but its local prefixes (a rebooted
//   router's kernel table is empty until its daemon refills it); a node
//   without one (a firewall or host with static routes) keeps its table,
//   which stands for its saved configuration. A restart is a new boot:
//   start() again, with a new incarnation.
// - Randomness: each node has its own stream forked from the seed, and its
//   own ECMP hash seed derived from it. Same seed and inputs, same trace.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/time.h"
#include "sim/datagram.h"
#include "sim/forwarding_table.h"
#include "sim/network.h"
#include "sim/random.h"
#include "sim/scheduler.h"
#include "sim/tcp.h"
#include "sim/trace.h"
#include "sim/traffic.h"

namespace halink::sim {

// What a simulated router (speaker + BFD + FIB adapter) implements.
class Node {
public:
  virtual ~Node() = default;

  // Boot: called once when attached and again after every restart. The
  // node's interfaces are as Network::carrier_up() says; its table holds
  // only local prefixes.
  virtual void start(Time now) = 0;
  // The box died: forget everything (no calls reach it until start()).
  virtual void crash(Time now) = 0;

  // When on_timer() is due next; Time::never() when nothing is pending.
  virtual Time next_deadline() const = 0;
  virtual void on_timer(Time now) = 0;

  // This node's tcp_connect() completed (`info`: its local address, the path).
  virtual void on_tcp_connected(Time now, ConnectionId connection, const TcpConnectionInfo& info) = 0;
  // A peer's connection was accepted here (who and over which path: `info`).
  virtual void on_tcp_accepted(Time now, ConnectionId connection, const TcpConnectionInfo& info) = 0;
  virtual void on_tcp_bytes(Time now, ConnectionId connection, std::span<const uint8_t> bytes) = 0;
  // The connection is gone; no further events for it.
  virtual void on_tcp_closed(Time now, ConnectionId connection, TcpCloseReason reason) = 0;

  // Optional: BFD over a datagram channel, and link carrier changes.
  virtual void on_datagram(Time, ChannelId, std::span<const uint8_t>) {}
  virtual void on_interface(Time, LinkId, bool /*carrier_up*/) {}
};

struct SimulationConfig {
  uint64_t seed = 1;
  TcpConfig tcp;
  TrafficConfig traffic;
  // A trace line per TCP unit and datagram delivered (large; for tests).
  bool trace_packets = false;
  // A trace line per flow path change at a sample.
  bool trace_flows = true;
};

class Simulation final : private TcpEvents, private DatagramEvents {
public:
  explicit Simulation(SimulationConfig config = {});
  ~Simulation() override;
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  Time now() const { return scheduler_.now(); }
  Scheduler& scheduler() { return scheduler_; }
  Network& network() { return network_; }
  const Network& network() const { return network_; }
  Trace& trace() { return trace_; }
  TrafficModel& traffic() { return traffic_; }
  TcpModel& tcp() { return tcp_; }
  DatagramModel& datagrams() { return datagrams_; }
  const SimulationConfig& config() const { return config_; }

  // ---- Building the world.
  // A network node with its forwarding table (a fib::Fib), random stream and hash seed.
  NodeId add_node(std::string name);
  // Both references stay valid for the simulation's lifetime.
  ForwardingTable& table(NodeId node) { return *nodes_.at(node).table; }
  Random& random(NodeId node) { return nodes_.at(node).random; }
  // Runs `node` with `adapter`; start() follows at the current time.
  void attach(NodeId node, std::unique_ptr<Node> adapter);
  Node* adapter(NodeId node) { return nodes_.at(node).adapter.get(); }

  // ---- Services for nodes (what a node adapter calls).
  ConnectionId tcp_connect(const Path& path, std::optional<Duration> connect_timeout = std::nullopt);
  Status tcp_send(NodeId node, ConnectionId connection, std::span<const uint8_t> bytes);
  void tcp_close(NodeId node, ConnectionId connection);
  ChannelId open_channel(const Path& path) { return datagrams_.open(path); }
  // The single-hop channel of `link` (BFD, RFC 5881): opened on first use,
  // the same id for both ends.
  ChannelId link_channel(LinkId link);
  Status send_datagram(NodeId node, ChannelId channel, std::span<const uint8_t> bytes);
  // Re-reads the node's next_deadline(): call after changing a node from
  // outside a callback (e.g. a configuration change in a scenario).
  void wake(NodeId node);
  // A trace line under the node's name.
  void note(NodeId node, std::string_view text);

  // ---- Scenario: failures and repairs, each traced.
  void set_link_state(LinkId link, LinkState state);
  void set_underlay_up(UnderlayId underlay, bool up);
  void crash(NodeId node);
  void restart(NodeId node);
  // Schedules an arbitrary scenario step.
  EventId at(Time time, std::function<void()> action) { return scheduler_.schedule_at(time, std::move(action)); }

  size_t run_until(Time until) { return scheduler_.run_until(until); }
  size_t run_for(Duration duration) { return scheduler_.run_until(now() + duration); }

private:
  struct NodeSlot {
    std::unique_ptr<ForwardingTable> table;
    Random random;
    std::unique_ptr<Node> adapter;
    EventId timer = no_event;
    Time timer_at = Time::never();
    Time last_fire = Time::never();
    uint32_t fires_at_same_time = 0;
  };

  // Building trace text costs; skipped when nobody reads it.
  bool tracing() const { return trace_.enabled() || trace_.has_echo(); }
  Node* live_adapter(NodeId node);
  void fire_timer(NodeId node);
  void deliver(const std::vector<InterfaceEvent>& events);
  std::string connection_label(ConnectionId connection, NodeId node) const;

  // TcpEvents
  void tcp_connected(NodeId node, ConnectionId connection) override;
  void tcp_accepted(NodeId node, ConnectionId connection) override;
  void tcp_bytes(NodeId node, ConnectionId connection, std::span<const uint8_t> bytes) override;
  void tcp_closed(NodeId node, ConnectionId connection, TcpCloseReason reason) override;
  // DatagramEvents
  void datagram_received(NodeId node, ChannelId channel, std::span<const uint8_t> bytes) override;

  SimulationConfig config_;
  Random master_random_;
  Scheduler scheduler_;
  Trace trace_;
  Network network_;
  TcpModel tcp_;
  DatagramModel datagrams_;
  TrafficModel traffic_;
  // A deque: table() and random() references stay valid while nodes are added.
  std::deque<NodeSlot> nodes_;
  std::map<LinkId, ChannelId> link_channels_;
};

}  // namespace halink::sim
