#include "sim/world/router_node.h"

#include "bgp/speaker/from_config.h"
#include "config/diff.h"

namespace halink::sim {

RouterNode::RouterNode(Simulation& simulation, NodeId self, config::RouterConfig config)
    : sim_(simulation), self_(self), config_(std::move(config)) {}

void RouterNode::start(Time now) {
  Random& random = sim_.random(self_);
  speaker_ = std::make_unique<bgp::Speaker>(bgp::speaker_config_from(config_), [&random] { return random.uniform(); });
  bfd_ = std::make_unique<bfd::Sessions>([&random] { return random.next_u32(); });
  neighbors_.clear();
  by_sim_.clear();
  by_speaker_.clear();
  bfd_by_channel_.clear();
  next_discriminator_ = 1;
  for (const config::Neighbor& n : config_.neighbors) neighbors_.push_back(add_neighbor(now, n));
  speaker_->start(now);
  drain(now);
}

RouterNode::Neighbor RouterNode::add_neighbor(Time now, const config::Neighbor& n) {
  Neighbor entry;
  entry.peer = speaker_->add_neighbor(now, bgp::neighbor_settings_from(config_, n));
  entry.link = sim_.network().link_to_gateway(self_, n.address);
  start_bfd(now, n, entry);
  return entry;
}

void RouterNode::start_bfd(Time now, const config::Neighbor& n, Neighbor& entry) {
  entry.bfd_log_only = n.bfd && n.bfd->log_only;
  if (!n.bfd || !entry.link) return;
  bfd::SessionConfig c;
  c.local_discriminator = next_discriminator_++;
  c.peer = n.address;
  c.interface = n.interface;
  c.desired_min_tx = n.bfd->interval;
  c.required_min_rx = n.bfd->interval;
  c.detect_mult = n.bfd->multiplier;
  if (auto s = bfd_->add(now, c); !s.ok()) {
    sim_.note(self_, "BFD for " + n.name + " not started: " + s.message());
    return;
  }
  entry.bfd_discriminator = c.local_discriminator;
  bfd_by_channel_[sim_.link_channel(*entry.link)] = c.local_discriminator;
}

// As halinkd does on a reload: new timers or log_only change the running
// session in place, its timers through a Poll Sequence (RFC 5880 §6.8.3), so
// the session does not flap; BFD switched on or off starts or stops it.
void RouterNode::change_bfd(Time now, const config::Neighbor& n, Neighbor& entry) {
  const bfd::Session* running = entry.bfd_discriminator ? bfd_->find(entry.bfd_discriminator) : nullptr;
  if (!running || !n.bfd) {
    stop_bfd(entry);
    start_bfd(now, n, entry);
    return;
  }
  entry.bfd_log_only = n.bfd->log_only;
  bfd::SessionConfig c = running->config();
  c.desired_min_tx = n.bfd->interval;
  c.required_min_rx = n.bfd->interval;
  c.detect_mult = n.bfd->multiplier;
  if (auto s = bfd_->reconfigure(now, c); !s)
    sim_.note(self_, "BFD for " + n.name + " not reconfigured: " + s.message());
}

void RouterNode::stop_bfd(Neighbor& entry) {
  if (!entry.bfd_discriminator) return;
  bfd_->remove(entry.bfd_discriminator);
  for (auto it = bfd_by_channel_.begin(); it != bfd_by_channel_.end();)
    it = it->second == entry.bfd_discriminator ? bfd_by_channel_.erase(it) : std::next(it);
  entry.bfd_discriminator = 0;
}

void RouterNode::restart_daemon(Time now) {
  if (!speaker_) return;
  sim_.note(self_, "halinkd restarted");
  std::vector<ConnectionId> open;
  for (const auto& [connection, key] : by_sim_) open.push_back(connection);
  for (ConnectionId connection : open) sim_.tcp_close(self_, connection);
  crash(now);
  sim_.table(self_).clear_routes();
  start(now);
}

Status RouterNode::reload(Time now, const config::RouterConfig& fresh) {
  if (!speaker_) return Error{config_.name + " is down: nothing to reload"};
  const config::RouterDiff diff = config::diff_router(config_, fresh);
  if (diff.identity_changed || diff.listen_changed || diff.fib_changed || diff.control_socket_changed ||
      diff.ecmp_changed)
    return Error{"local_as, router_id, listen, fib, ecmp or control_socket changed: restart halinkd to apply"};
  for (const std::string& line : diff.describe()) sim_.note(self_, "reload: " + line);
  const config::RouterConfig before = config_;
  std::vector<Neighbor> old_neighbors = neighbors_;
  auto old_entry = [&](const std::string& name) -> Neighbor* {
    for (size_t i = 0; i < before.neighbors.size(); ++i)
      if (before.neighbors[i].name == name) return &old_neighbors[i];
    return nullptr;
  };
  auto drop = [&](Neighbor& n) {
    speaker_->remove_neighbor(now, n.peer);
    stop_bfd(n);
  };
  config_ = fresh;
  neighbors_.clear();
  for (const config::NeighborChange& change : diff.neighbors)
    if (change.kind == config::NeighborChangeKind::removed) drop(*old_entry(change.name));
  for (const config::Neighbor& n : config_.neighbors) {
    const config::NeighborChange* change = diff.find(n.name);
    Neighbor* old = old_entry(n.name);
    if (!old || !change || change->kind == config::NeighborChangeKind::added || change->reset_session) {
      if (old) drop(*old);
      neighbors_.push_back(add_neighbor(now, n));
      speaker_->enable_neighbor(now, neighbors_.back().peer);
      continue;
    }
    neighbors_.push_back(*old);
    if (change->kind != config::NeighborChangeKind::changed) continue;
    if (change->reevaluate_import || change->reevaluate_export) speaker_->update_policy(now, old->peer, n.policy);
    if (change->reevaluate_export) speaker_->set_next_hop_self(now, old->peer, n.next_hop_self);
    if (change->live_changed)
      speaker_->update_session_settings(now, old->peer, bgp::neighbor_settings_from(config_, n).session);
    if (change->shutdown_changed) {
      if (n.shutdown)
        speaker_->shutdown_neighbor(now, old->peer, "shut down by configuration");
      else
        speaker_->enable_neighbor(now, old->peer);
    }
    if (change->bfd_changed) change_bfd(now, n, neighbors_.back());
  }
  if (diff.networks_changed) speaker_->set_networks(now, config_.networks);
  drain(now);
  return {};
}

std::vector<std::string> RouterNode::sessions_not_established() const {
  std::vector<std::string> out;
  for (const config::Neighbor& n : config_.neighbors) {
    std::optional<bgp::NeighborView> view;
    if (speaker_)
      if (auto peer = speaker_->find_neighbor(n.name)) view = speaker_->neighbor(*peer);
    if (!view || view->state != bgp::SessionState::established) out.push_back(n.name);
  }
  return out;
}

void RouterNode::crash(Time) {
  speaker_.reset();
  bfd_.reset();
  neighbors_.clear();
  by_sim_.clear();
  by_speaker_.clear();
  bfd_by_channel_.clear();
}

Time RouterNode::next_deadline() const {
  if (!speaker_) return Time::never();
  return earliest(speaker_->next_deadline(), bfd_->next_deadline());
}

void RouterNode::on_timer(Time now) {
  if (bfd_->next_deadline() <= now) bfd_->on_timer(now);
  if (speaker_->next_deadline() <= now) speaker_->on_timer(now);
  drain(now);
}

RouterNode::Neighbor* RouterNode::neighbor_by_peer(bgp::PeerId peer) {
  for (Neighbor& n : neighbors_)
    if (n.peer == peer) return &n;
  return nullptr;
}

RouterNode::Neighbor* RouterNode::neighbor_by_address(const IpAddress& address) {
  for (size_t i = 0; i < neighbors_.size(); ++i)
    if (config_.neighbors[i].address == address) return &neighbors_[i];
  return nullptr;
}

void RouterNode::on_tcp_connected(Time now, ConnectionId connection, const TcpConnectionInfo& info) {
  auto it = by_sim_.find(connection);
  if (it == by_sim_.end()) return;
  speaker_->on_connected(now, it->second.first, it->second.second, info.initiator_address);
  drain(now);
}

void RouterNode::on_tcp_accepted(Time now, ConnectionId connection, const TcpConnectionInfo& info) {
  Neighbor* n = neighbor_by_address(info.initiator_address);
  if (!n) {
    sim_.tcp_close(self_, connection);  // not a configured neighbour
    return;
  }
  bgp::ConnectionId c = speaker_->on_incoming(now, n->peer, info.acceptor_address);
  by_sim_[connection] = {n->peer, c};
  by_speaker_[{n->peer, c}] = connection;
  drain(now);
}

void RouterNode::on_tcp_bytes(Time now, ConnectionId connection, std::span<const uint8_t> bytes) {
  auto it = by_sim_.find(connection);
  if (it == by_sim_.end()) return;
  speaker_->on_bytes(now, it->second.first, it->second.second, bytes);
  drain(now);
}

void RouterNode::on_tcp_closed(Time now, ConnectionId connection, TcpCloseReason) {
  auto it = by_sim_.find(connection);
  if (it == by_sim_.end()) return;
  auto key = it->second;
  by_sim_.erase(it);
  by_speaker_.erase(key);
  speaker_->on_closed(now, key.first, key.second);
  drain(now);
}

void RouterNode::on_datagram(Time now, ChannelId channel, std::span<const uint8_t> bytes) {
  auto it = bfd_by_channel_.find(channel);
  if (it == bfd_by_channel_.end()) return;
  const bfd::Session* s = bfd_->find(it->second);
  if (!s) return;
  bfd::PacketSource source{s->config().peer, s->config().interface, false, 255};
  bfd_->on_packet(now, bytes, source);
  drain(now);
}

void RouterNode::on_interface(Time now, LinkId link, bool carrier_up) {
  const std::string& interface = sim_.network().end_of(link, self_).interface;
  if (carrier_up)
    speaker_->interface_up(now, interface);
  else
    speaker_->interface_down(now, interface);
  drain(now);
}

size_t RouterNode::established_sessions() const {
  if (!speaker_) return 0;
  size_t count = 0;
  for (auto& n : speaker_->neighbors()) count += n.state == bgp::SessionState::established;
  return count;
}

void RouterNode::drain(Time now) {
  // BFD first: a Down must reach BGP in the same instant (RFC 5882 §4.3).
  for (bfd::Action& action : bfd_->take_actions()) {
    if (auto* send = std::get_if<bfd::SendPacket>(&action)) {
      for (Neighbor& n : neighbors_)
        if (n.bfd_discriminator == send->local_discriminator && n.link)
          (void)sim_.send_datagram(self_, sim_.link_channel(*n.link), send->packet.bytes());
    } else if (auto* change = std::get_if<bfd::StateChange>(&action)) {
      for (Neighbor& n : neighbors_) {
        if (n.bfd_discriminator != change->local_discriminator) continue;
        sim_.note(self_, "BFD " + speaker_->settings(n.peer)->name + ": " + change->reason);
        if (n.bfd_log_only) continue;
        if (change->new_state == bfd::State::up)
          speaker_->bfd_up(now, n.peer);
        else if (change->old_state == bfd::State::up)
          speaker_->bfd_down(now, n.peer, bfd::diag_name(change->diag));
      }
    }
  }
  // Virtual time stands still while routes are processed: all at once.
  speaker_->process_pending(now, bgp::Speaker::unlimited_budget);
  for (bgp::SpeakerAction& action : speaker_->take_actions()) {
    std::visit(
        [&](auto& a) {
          using A = std::decay_t<decltype(a)>;
          auto name = [&](bgp::PeerId p) {
            const bgp::NeighborSettings* s = speaker_->settings(p);
            return s ? s->name : std::string("?");
          };
          if constexpr (std::is_same_v<A, bgp::speaker::Connect>) {
            Neighbor* n = neighbor_by_peer(a.peer);
            if (!n || !n->link) {
              sim_.note(self_, "no tunnel towards neighbour " + name(a.peer));
              return;
            }
            ConnectionId id = sim_.tcp_connect(sim_.network().direct_path(self_, *n->link));
            by_sim_[id] = {a.peer, a.connection};
            by_speaker_[{a.peer, a.connection}] = id;
          } else if constexpr (std::is_same_v<A, bgp::speaker::SendBytes>) {
            auto it = by_speaker_.find({a.peer, a.connection});
            if (it != by_speaker_.end()) (void)sim_.tcp_send(self_, it->second, a.bytes);
          } else if constexpr (std::is_same_v<A, bgp::speaker::Close>) {
            auto it = by_speaker_.find({a.peer, a.connection});
            if (it == by_speaker_.end()) return;
            sim_.tcp_close(self_, it->second);
            by_sim_.erase(it->second);
            by_speaker_.erase(it);
          } else if constexpr (std::is_same_v<A, bgp::speaker::RouteChanges>) {
            (void)sim_.table(self_).apply(a.changes);
          } else if constexpr (std::is_same_v<A, bgp::speaker::NextHopDown>) {
            (void)sim_.table(self_).remove_next_hop(a.next_hop);
          } else if constexpr (std::is_same_v<A, bgp::speaker::PeerUp>) {
            sim_.note(self_, "BGP " + name(a.peer) + " Established");
          } else if constexpr (std::is_same_v<A, bgp::speaker::PeerDown>) {
            sim_.note(self_, "BGP " + name(a.peer) + " down: " + a.text);
          } else if constexpr (std::is_same_v<A, bgp::speaker::Log>) {
            sim_.note(self_, (a.peer ? name(a.peer) + ": " : std::string()) + a.text);
          }
        },
        action);
  }
}

}  // namespace halink::sim
