#include "speaker_network.h"

#include <cassert>

namespace halink::testing {

size_t SpeakerNetwork::add_node(const std::string& name, bgp::SpeakerConfig config) {
  Node n;
  n.name = name;
  n.random_state = 0x9E3779B97F4A7C15ull * (nodes_.size() + 1);
  nodes_.push_back(std::move(n));
  size_t index = nodes_.size() - 1;
  nodes_[index].speaker = std::make_unique<bgp::Speaker>(std::move(config), [this, index] {
    // splitmix64: deterministic jitter per node.
    uint64_t z = (nodes_[index].random_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return double((z ^ (z >> 31)) >> 11) / double(1ull << 53);
  });
  return index;
}

size_t SpeakerNetwork::connect(size_t a, size_t b, const std::string& subnet_base, bgp::NeighborSettings at_a,
                               bgp::NeighborSettings at_b) {
  Link l;
  l.a = a;
  l.b = b;
  l.address_a = *IpAddress::parse(subnet_base + "1");
  l.address_b = *IpAddress::parse(subnet_base + "2");
  at_a.address = l.address_b;
  at_b.address = l.address_a;
  at_a.local_address = l.address_a;
  at_b.local_address = l.address_b;
  l.peer_at_a = nodes_[a].speaker->add_neighbor(now_, std::move(at_a));
  l.peer_at_b = nodes_[b].speaker->add_neighbor(now_, std::move(at_b));
  links_.push_back(l);
  return links_.size() - 1;
}

size_t SpeakerNetwork::link_of(size_t node, bgp::PeerId peer) const {
  for (size_t i = 0; i < links_.size(); ++i) {
    if (links_[i].a == node && links_[i].peer_at_a == peer) return i;
    if (links_[i].b == node && links_[i].peer_at_b == peer) return i;
  }
  assert(false && "unknown peer");
  return 0;
}

void SpeakerNetwork::schedule(Time at, std::function<void()> run) { events_.push(Event{at, sequence_++, std::move(run)}); }

void SpeakerNetwork::start() {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    nodes_[i].speaker->start(now_);
    drain(i);
  }
}

void SpeakerNetwork::drain(size_t node) {
  auto& speaker = *nodes_[node].speaker;
  speaker.process_pending(now_, bgp::Speaker::unlimited_budget);  // no sockets to serve in between
  for (bgp::SpeakerAction& action : speaker.take_actions()) {
    if (auto* send = std::get_if<bgp::speaker::SendBytes>(&action)) {
      size_t li = link_of(node, send->peer);
      Link& l = links_[li];
      if (!l.up) continue;  // blackholed: TCP retransmits into the void
      auto key = std::tuple{node, send->peer, send->connection};
      auto it = pipes_.find(key);
      if (it == pipes_.end()) continue;
      size_t other = l.a == node ? l.b : l.a;
      bgp::PeerId other_peer = l.a == node ? l.peer_at_b : l.peer_at_a;
      bgp::ConnectionId other_conn = it->second;
      schedule(now_ + latency, [this, other, other_peer, other_conn, bytes = std::move(send->bytes)] {
        if (!pipes_.count({other, other_peer, other_conn})) return;
        nodes_[other].speaker->on_bytes(now_, other_peer, other_conn, bytes);
        drain(other);
      });
    } else if (auto* c = std::get_if<bgp::speaker::Connect>(&action)) {
      size_t li = link_of(node, c->peer);
      Link& l = links_[li];
      bgp::PeerId peer = c->peer;
      bgp::ConnectionId conn = c->connection;
      if (!l.up) {
        schedule(now_ + Duration::seconds(3), [this, node, peer, conn] {
          nodes_[node].speaker->on_closed(now_, peer, conn);
          drain(node);
        });
        continue;
      }
      schedule(now_ + latency, [this, node, li, peer, conn] {
        Link& l = links_[li];
        size_t other = l.a == node ? l.b : l.a;
        bgp::PeerId other_peer = l.a == node ? l.peer_at_b : l.peer_at_a;
        IpAddress other_address = l.a == node ? l.address_b : l.address_a;
        IpAddress my_address = l.a == node ? l.address_a : l.address_b;
        bgp::ConnectionId other_conn = nodes_[other].speaker->on_incoming(now_, other_peer, other_address);
        pipes_[{node, peer, conn}] = other_conn;
        pipes_[{other, other_peer, other_conn}] = conn;
        drain(other);
        nodes_[node].speaker->on_connected(now_, peer, conn, my_address);
        drain(node);
      });
    } else if (auto* close = std::get_if<bgp::speaker::Close>(&action)) {
      auto key = std::tuple{node, close->peer, close->connection};
      auto it = pipes_.find(key);
      if (it == pipes_.end()) continue;
      size_t li = link_of(node, close->peer);
      Link& l = links_[li];
      size_t other = l.a == node ? l.b : l.a;
      bgp::PeerId other_peer = l.a == node ? l.peer_at_b : l.peer_at_a;
      bgp::ConnectionId other_conn = it->second;
      pipes_.erase(it);
      if (!l.up) continue;  // the FIN is lost too; the other side finds out by hold timer
      schedule(now_ + latency, [this, other, other_peer, other_conn] {
        if (!pipes_.erase({other, other_peer, other_conn})) return;
        nodes_[other].speaker->on_closed(now_, other_peer, other_conn);
        drain(other);
      });
    } else if (auto* changes = std::get_if<bgp::speaker::RouteChanges>(&action)) {
      for (auto& change : changes->changes) {
        if (change.next_hops.empty())
          nodes_[node].fib.erase(change.prefix);
        else
          nodes_[node].fib[change.prefix] = change.next_hops;
      }
    } else if (std::holds_alternative<bgp::speaker::NextHopDown>(action)) {
      ++nodes_[node].next_hop_down_actions;
    } else if (auto* down = std::get_if<bgp::speaker::PeerDown>(&action)) {
      nodes_[node].log.push_back("down " + std::to_string(down->peer) + ": " + down->text);
    } else if (auto* up = std::get_if<bgp::speaker::PeerUp>(&action)) {
      nodes_[node].log.push_back("up " + std::to_string(up->peer));
    } else if (auto* log = std::get_if<bgp::speaker::Log>(&action)) {
      nodes_[node].log.push_back(log->text);
    }
  }
}

void SpeakerNetwork::run_until(Time t) {
  while (true) {
    Time next = events_.empty() ? Time::never() : events_.top().at;
    size_t timer_node = nodes_.size();
    for (size_t i = 0; i < nodes_.size(); ++i) {
      Time d = nodes_[i].speaker->next_deadline();
      if (d < next) {
        next = d;
        timer_node = i;
      }
    }
    if (next > t) break;
    now_ = std::max(now_, next);
    if (timer_node < nodes_.size()) {
      nodes_[timer_node].speaker->on_timer(now_);
      drain(timer_node);
    } else {
      Event e = events_.top();
      events_.pop();
      e.run();
    }
  }
  now_ = t;
}

void SpeakerNetwork::run_for(Duration d) { run_until(now_ + d); }

const std::vector<fib::NextHop>* SpeakerNetwork::fib_entry(size_t node, const Prefix& p) const {
  auto it = nodes_[node].fib.find(p);
  return it == nodes_[node].fib.end() ? nullptr : &it->second;
}

bool SpeakerNetwork::established(size_t link) const {
  const Link& l = links_[link];
  auto a = nodes_[l.a].speaker->neighbor(l.peer_at_a);
  auto b = nodes_[l.b].speaker->neighbor(l.peer_at_b);
  return a && b && a->state == bgp::SessionState::established && b->state == bgp::SessionState::established;
}

}  // namespace halink::testing
