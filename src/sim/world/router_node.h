// A halinkd router inside the simulator: the same bgp::Speaker and
// bfd::Sessions as the daemon, driven by virtual TCP, datagrams and time
// (the recipe in sim/simulation.h).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bfd/sessions.h"
#include "bgp/speaker/speaker.h"
#include "config/topology.h"
#include "sim/simulation.h"

namespace halink::sim {

class RouterNode final : public Node {
public:
  RouterNode(Simulation& simulation, NodeId self, config::RouterConfig config);

  void start(Time now) override;
  void crash(Time now) override;
  Time next_deadline() const override;
  void on_timer(Time now) override;
  void on_tcp_connected(Time now, ConnectionId connection, const TcpConnectionInfo& info) override;
  void on_tcp_accepted(Time now, ConnectionId connection, const TcpConnectionInfo& info) override;
  void on_tcp_bytes(Time now, ConnectionId connection, std::span<const uint8_t> bytes) override;
  void on_tcp_closed(Time now, ConnectionId connection, TcpCloseReason reason) override;
  void on_datagram(Time now, ChannelId channel, std::span<const uint8_t> bytes) override;
  void on_interface(Time now, LinkId link, bool carrier_up) override;

  NodeId id() const { return self_; }
  const bgp::Speaker* speaker() const { return speaker_.get(); }
  const config::RouterConfig& config() const { return config_; }
  // Sessions Established now / BFD sessions Up now.
  size_t established_sessions() const;
  size_t configured_sessions() const { return config_.neighbors.size(); }
  // Names of the configured neighbours whose session is not Established.
  std::vector<std::string> sessions_not_established() const;

  // halinkd killed and started again on a box that stays up: connections
  // closed (the kernel's FIN for a dead process), routes removed (a new
  // halinkd clears stale routes at start), a fresh speaker and BFD.
  void restart_daemon(Time now);
  // `halink reload` / SIGHUP with a new router section, applied as halinkd
  // applies it (runtime/daemon.cpp, config/diff.h): unchanged sessions keep
  // running, a policy change is re-evaluated without a reset, settings of the
  // connection or the OPEN re-create the neighbour. Refused, like halinkd
  // does, when local_as, router_id, listen, fib, ecmp or control_socket change.
  Status reload(Time now, const config::RouterConfig& fresh);

private:
  struct Neighbor {
    bgp::PeerId peer = 0;
    std::optional<LinkId> link;  // the tunnel the session runs over
    uint32_t bfd_discriminator = 0;
    bool bfd_log_only = false;
  };
  void drain(Time now);
  Neighbor add_neighbor(Time now, const config::Neighbor& n);
  void start_bfd(Time now, const config::Neighbor& n, Neighbor& entry);
  void stop_bfd(Neighbor& entry);
  void change_bfd(Time now, const config::Neighbor& n, Neighbor& entry);
  Neighbor* neighbor_by_peer(bgp::PeerId peer);
  Neighbor* neighbor_by_address(const IpAddress& address);

  Simulation& sim_;
  NodeId self_;
  config::RouterConfig config_;
  std::unique_ptr<bgp::Speaker> speaker_;
  std::unique_ptr<bfd::Sessions> bfd_;
  std::vector<Neighbor> neighbors_;
  // The simulator's connection ↔ the speaker's (peer, connection).
  std::map<ConnectionId, std::pair<bgp::PeerId, bgp::ConnectionId>> by_sim_;
  std::map<std::pair<bgp::PeerId, bgp::ConnectionId>, ConnectionId> by_speaker_;
  std::map<ChannelId, uint32_t> bfd_by_channel_;
  uint32_t next_discriminator_ = 1;
};

}  // namespace halink::sim
