// A few Speakers joined by in-memory TCP-like pipes and driven by one
// virtual clock: enough of a network to test the speaker end to end without
// sockets (the full simulator lives in src/sim).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "bgp/speaker/speaker.h"

namespace halink::testing {

class SpeakerNetwork {
public:
  struct Node {
    std::string name;
    std::unique_ptr<bgp::Speaker> speaker;
    std::map<Prefix, std::vector<fib::NextHop>> fib;  // what RouteChanges installed
    size_t next_hop_down_actions = 0;                   // NextHopDown seen
    std::vector<std::string> log;
    uint64_t random_state = 1;
  };
  struct Link {  // one BGP session between two nodes
    size_t a = 0, b = 0;
    bgp::PeerId peer_at_a = 0, peer_at_b = 0;
    IpAddress address_a, address_b;
    bool up = true;  // false: silent blackhole, nothing crosses
  };

  size_t add_node(const std::string& name, bgp::SpeakerConfig config);
  // A session between two nodes; settings are completed with addresses and ASes.
  size_t connect(size_t a, size_t b, const std::string& subnet_base, bgp::NeighborSettings at_a,
                 bgp::NeighborSettings at_b);

  void start();
  void run_for(Duration d);
  void run_until(Time t);
  Time now() const { return now_; }
  void set_link_up(size_t link, bool up) { links_[link].up = up; }
  // Calls into one node's speaker now (e.g. bfd_down) and handles its actions.
  void act(size_t node, const std::function<void(bgp::Speaker&, Time now)>& call) {
    call(*nodes_[node].speaker, now_);
    drain(node);
  }

  Node& node(size_t i) { return nodes_[i]; }
  Link& link(size_t i) { return links_[i]; }
  const std::vector<fib::NextHop>* fib_entry(size_t node, const Prefix& p) const;
  bool established(size_t link) const;

  Duration latency = Duration::milliseconds(1);

private:
  struct Event {
    Time at;
    uint64_t sequence;
    std::function<void()> run;
    bool operator>(const Event& o) const { return at != o.at ? at > o.at : sequence > o.sequence; }
  };
  struct Endpoint {
    size_t link = 0;
    bool side_a = true;
    bgp::ConnectionId connection = 0;
  };
  void schedule(Time at, std::function<void()> run);
  void drain(size_t node);
  size_t link_of(size_t node, bgp::PeerId peer) const;

  std::vector<Node> nodes_;
  std::vector<Link> links_;
  // (node, peer, connection) → the other end's connection id.
  std::map<std::tuple<size_t, bgp::PeerId, bgp::ConnectionId>, bgp::ConnectionId> pipes_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  uint64_t sequence_ = 0;
  Time now_ = Time::zero();
};

}  // namespace halink::testing
