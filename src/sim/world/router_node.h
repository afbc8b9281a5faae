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

  const bgp::Speaker* speaker() const { return speaker_.get(); }
  const config::RouterConfig& config() const { return config_; }
  // Sessions Established now / BFD sessions Up now.
  size_t established_sessions() const;
  size_t configured_sessions() const { return config_.neighbors.size(); }

private:
  struct Neighbor {
    bgp::PeerId peer = 0;
    std::optional<LinkId> link;  // the tunnel the session runs over
    uint32_t bfd_discriminator = 0;
    bool bfd_log_only = false;
  };
  void drain(Time now);
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
};

}  // namespace halink::sim
